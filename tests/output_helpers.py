"""Factories and checks shared by the output tests (load, lock, verify, atomic, incremental)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from etl.load import CURRENT_LINK, MANIFEST_JSON, digest_file
from schemas import arrow


def polars_schema(schema: pa.Schema) -> pl.Schema:
    """Return the polars schema matching an Arrow schema."""
    frame = pl.from_arrow(schema.empty_table())
    assert isinstance(frame, pl.DataFrame)
    return frame.schema


def make_articles(n: int, *, source_file: str = "a.txt", first: int = 0) -> pl.DataFrame:
    """Return `n` valid article rows (ARTICLES columns), numbered from `first`."""
    rows = []
    for i in range(first, first + n):
        headline = f"Customs headline number {i}"
        body = f"The WCO met in Brussels about Mexico, article {i} — é."
        rows.append(
            {
                "article_id": hashlib.sha256(f"{headline}\n{body}".encode()).hexdigest()[:32],
                "headline": headline,
                "body": body,
                "source_file": source_file,
                "source_line": 1 + 6 * i,
                "source_offset": 100 * i,
                "headline_repeats": 2,
                "entities": [
                    {
                        "text": "WCO",
                        "label": "ORG",
                        "entity_id": "org:wco",
                        "name": "World Customs Organization",
                        "field": "body",
                        "start": 4,
                        "end": 7,
                    }
                ],
                "countries": ["MEX"],
                "country_salience": [
                    {"country": "MEX", "mentions": 1, "in_headline": False, "score": 0.5}
                ],
                "organizations": ["org:wco"],
                "themes": [],
                "word_count": 14,
                "flags": [],
            }
        )
    return pl.DataFrame(rows, schema=polars_schema(arrow.ARTICLES))


def make_entities(articles: pl.DataFrame) -> pl.DataFrame:
    """Return the entity rows (ENTITIES columns) of `make_articles` rows."""
    return articles.select(
        "article_id",
        field=pl.lit("body"),
        start=pl.lit(4, dtype=pl.Int32),
        end=pl.lit(7, dtype=pl.Int32),
        text=pl.lit("WCO"),
        label=pl.lit("ORG"),
        entity_id=pl.lit("org:wco"),
        name=pl.lit("World Customs Organization"),
        country=pl.lit(None, dtype=pl.String),
        source=pl.lit("gazetteer"),
    )


def consistency_problems(out: Path) -> list[str]:
    """Return what is wrong with the published generation of `out` (empty when consistent).

    Checks what a reader relies on: `current` resolves, every top-level link resolves into
    it, every manifest entry matches its file (bytes, sha256), and nothing else is there.
    """
    problems: list[str] = []
    current = out / CURRENT_LINK
    if not current.is_symlink():
        return ["no current link"]
    generation = current.resolve()
    manifest = json.loads((generation / MANIFEST_JSON).read_text(encoding="utf-8"))
    listed = {entry["path"]: entry for entry in manifest["outputs"]}
    for name in os.listdir(generation):
        link = out / name
        if not link.is_symlink() or link.resolve() != (generation / name).resolve():
            problems.append(f"{name} does not resolve into {generation.name}")
    for entry in out.iterdir():
        if entry.is_symlink() and entry.name != CURRENT_LINK and not entry.exists():
            problems.append(f"dangling link {entry.name}")
    on_disk = {
        path.relative_to(generation).as_posix()
        for path in generation.rglob("*")
        if path.is_file() and path.name != MANIFEST_JSON
    }
    if on_disk != set(listed):
        problems.append(f"files {sorted(on_disk ^ set(listed))} not matching the manifest")
    for path, entry in listed.items():
        target = out / path  # through the top-level links, as a reader opens it
        if not target.exists():
            problems.append(f"{path} missing")
            continue
        size, sha = digest_file(target)
        if (size, sha) != (entry["bytes"], entry["sha256"]):
            problems.append(f"{path} does not match its manifest entry")
        if path.endswith(".parquet"):
            rows = pq.read_table(target).num_rows  # reads every page: the file is whole
        else:
            rows = target.read_bytes().count(b"\n")
        if rows != entry["rows"]:
            problems.append(f"{path} has {rows} rows, the manifest says {entry['rows']}")
    return problems


def tree_bytes(out: Path) -> dict[str, bytes]:
    """Return the content of every file a reader reaches through the output folder's links."""
    found: dict[str, bytes] = {}
    for root, folders, files in os.walk(out, followlinks=True):
        if Path(root) == out:
            folders[:] = [f for f in folders if not f.startswith(".") and f != CURRENT_LINK]
        for name in files:
            path = Path(root) / name
            relative = path.relative_to(out).as_posix()
            if not relative.startswith("."):
                found[relative] = path.read_bytes()
    return dict(sorted(found.items()))
