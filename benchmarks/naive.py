"""A naive streaming implementation of `etl run`: what a user would write without the toolkit.

The yardstick of issue 6. It is honest, idiomatic plain Python, not deliberately slow: lines
are read one at a time, grouped into paragraphs, paragraphs into records (a paragraph equal to
the one before it, ignoring case and spacing, is a doubled headline), the text normalised as
CONTRACT section 2 says, `article_id` is the first 32 hex digits of a sha256, exact duplicates
are dropped with a set, entities are tagged with pyahocorasick over the same gazetteer aliases
(and demonyms) with a word-boundary check, and rows are written in batches with pyarrow
(Parquet with zstd) and `json.dumps` (JSON Lines).

It does less than `etl run`, which only flatters it: no near-duplicate detection, no
undoubled-headline rule, no control-character or encoding repair flags, no themes, no
acronym linking, no schema validation, no atomic publish, no manifest hashes.

Run: `python benchmarks/naive.py DUMP [DUMP ...] --out DIR`.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import sys
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ahocorasick
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "GAZETTEER",
    "Entry",
    "build_automaton",
    "find_mentions",
    "load_aliases",
    "main",
    "run_naive",
    "tag_text",
]

GAZETTEER = Path(__file__).resolve().parents[1] / "etl" / "tagging" / "data" / "gazetteer.tsv"

ENTITY = pa.struct(
    [
        ("text", pa.string()),
        ("label", pa.string()),
        ("entity_id", pa.string()),
        ("name", pa.string()),
        ("field", pa.string()),
        ("start", pa.int32()),
        ("end", pa.int32()),
    ]
)
ARTICLES = pa.schema(
    [
        ("article_id", pa.string()),
        ("headline", pa.string()),
        ("body", pa.string()),
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
        ("headline_repeats", pa.int16()),
        ("entities", pa.list_(ENTITY)),
        ("countries", pa.list_(pa.string())),
        ("organizations", pa.list_(pa.string())),
        ("word_count", pa.int32()),
    ]
)
ENTITIES = pa.schema(
    [
        ("article_id", pa.string()),
        ("field", pa.string()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("text", pa.string()),
        ("label", pa.string()),
        ("entity_id", pa.string()),
        ("name", pa.string()),
    ]
)
DUPLICATES = pa.schema(
    [
        ("article_id", pa.string()),
        ("kind", pa.string()),
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
    ]
)

MAX_HEADLINE_CHARS = 400


@dataclass(frozen=True, slots=True)
class Entry:
    """A gazetteer entity, as the naive tagger reports it."""

    entity_id: str
    label: str
    name: str
    country: str


def load_aliases(path: Path = GAZETTEER) -> dict[str, Entry]:
    """Return every alias and demonym of the gazetteer mapped to its entity (first one wins)."""
    aliases: dict[str, Entry] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(
            (line for line in handle if not line.startswith("#")),
            delimiter="\t",
            quoting=csv.QUOTE_NONE,
        )
        for row in rows:
            entry = Entry(row["entity_id"], row["label"], row["name"], row.get("country") or "")
            # A seed gazetteer may lack the `demonyms` column: both lists are optional.
            names = (row.get("aliases") or "").split("|") + (row.get("demonyms") or "").split("|")
            for alias in (n.strip() for n in names):
                if alias:
                    aliases.setdefault(alias, entry)
    return aliases


def build_automaton(aliases: dict[str, Entry]) -> ahocorasick.Automaton:
    """Return a pyahocorasick automaton whose values are (alias length, entry)."""
    automaton = ahocorasick.Automaton()
    for alias, entry in aliases.items():
        automaton.add_word(alias, (len(alias), entry))
    automaton.make_automaton()
    return automaton


def find_mentions(automaton: ahocorasick.Automaton, text: str) -> list[tuple[int, int, Entry]]:
    """Return (start, end, entry) of the leftmost-longest, word-bounded matches in `text`."""
    found = []
    last = len(text) - 1
    for end, (length, entry) in automaton.iter_long(text):
        start = end - length + 1
        # A match edge that is a letter or digit must not continue a word ("Oman" in
        # "Romania"); an edge that is punctuation, like "(", needs no boundary.
        if start > 0 and text[start].isalnum() and text[start - 1].isalnum():
            continue
        if end < last and text[end].isalnum() and text[end + 1].isalnum():
            continue
        found.append((start, end + 1, entry))
    return found


def tag_text(automaton: ahocorasick.Automaton, text: str, field: str) -> list[dict[str, Any]]:
    """Return the mentions in `text` as entity rows (code-point offsets, end exclusive)."""
    return [
        {
            "text": text[start:end],
            "label": entry.label,
            "entity_id": entry.entity_id,
            "name": entry.name,
            "field": field,
            "start": start,
            "end": end,
        }
        for start, end, entry in find_mentions(automaton, text)
    ]


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _key(text: str) -> str:
    return "".join(text.split()).lower()


def _open_text(path: Path) -> IO[str]:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def paragraphs(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """Yield (first line number, text) of every paragraph: runs of non-blank lines."""
    current: list[str] = []
    first = 0
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped:
            if not current:
                first = number
            current.append(stripped)
        elif current:
            yield first, " ".join(current)
            current = []
    if current:
        yield first, " ".join(current)


@dataclass(slots=True)
class Record:
    """One record as the parser sees it: headline (or None), repeats, body paragraphs."""

    line: int
    headline: str | None = None
    repeats: int = 0
    body: list[str] = field(default_factory=list)
    body_lines: list[int] = field(default_factory=list)


def records(paras: Iterable[tuple[int, str]]) -> Iterator[Record]:
    """Group paragraphs into records: a paragraph repeating the previous one is a new headline."""
    current: Record | None = None
    for line, text in paras:
        if (
            current is not None
            and current.headline is not None
            and not current.body
            and _key(text) == _key(current.headline)
        ):
            current.repeats += 1  # a headline appearing three or more times
            continue
        if (
            current is not None
            and current.body
            and len(text) <= MAX_HEADLINE_CHARS
            and _key(text) == _key(current.body[-1])
        ):
            # The last body paragraph and this one are a doubled headline: a new record.
            headline = current.body.pop()
            headline_line = current.body_lines.pop()
            if current.body or current.headline is not None:
                yield current
            current = Record(headline_line, headline, 2)
            continue
        if current is None:
            current = Record(line)
        current.body.append(text)
        current.body_lines.append(line)
    if current is not None:
        yield current


@dataclass(slots=True)
class _Writers:
    """Batched writers of every output (no atomic publish: a naive job writes in place)."""

    out: Path
    batch_rows: int
    articles: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    parquet: dict[str, pq.ParquetWriter] = field(default_factory=dict)
    jsonl: IO[str] | None = None
    rejects: IO[str] | None = None

    def open(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        for name, schema in (
            ("articles", ARTICLES),
            ("entities", ENTITIES),
            ("duplicates", DUPLICATES),
        ):
            self.parquet[name] = pq.ParquetWriter(
                self.out / f"{name}.parquet", schema, compression="zstd"
            )
        self.jsonl = (self.out / "articles.jsonl").open("w", encoding="utf-8")
        self.rejects = (self.out / "rejects.jsonl").open("w", encoding="utf-8")

    def flush(self) -> None:
        for name, rows, schema in (
            ("articles", self.articles, ARTICLES),
            ("entities", self.entities, ENTITIES),
            ("duplicates", self.duplicates, DUPLICATES),
        ):
            if rows:
                self.parquet[name].write_table(pa.Table.from_pylist(rows, schema=schema))
        assert self.jsonl is not None
        for row in self.articles:
            self.jsonl.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.articles.clear()
        self.entities.clear()
        self.duplicates.clear()

    def close(self) -> None:
        self.flush()
        for writer in self.parquet.values():
            writer.close()
        for handle in (self.jsonl, self.rejects):
            if handle is not None:
                handle.close()


def _reject_row(record: Record, source: str) -> dict[str, Any]:
    reason = "body_without_headline" if record.headline is None else "headline_without_body"
    raw = "\n\n".join([*([record.headline] if record.headline else []), *record.body])
    return {"reason": reason, "source_file": source, "source_line": record.line, "raw_text": raw}


def _article_row(
    automaton: ahocorasick.Automaton,
    article_id: str,
    *,
    headline: str,
    body: str,
    record: Record,
    source: str,
) -> dict[str, Any]:
    found = [("headline", m) for m in find_mentions(automaton, headline)]
    found += [("body", m) for m in find_mentions(automaton, body)]
    mentions = []
    for field_name, (start, end, entry) in found:
        text = headline if field_name == "headline" else body
        mentions.append(
            {
                "text": text[start:end],
                "label": entry.label,
                "entity_id": entry.entity_id,
                "name": entry.name,
                "field": field_name,
                "start": start,
                "end": end,
            }
        )
    entries = [entry for _, (_, _, entry) in found]
    return {
        "article_id": article_id,
        "headline": headline,
        "body": body,
        "source_file": source,
        "source_line": record.line,
        "headline_repeats": record.repeats,
        "entities": mentions,
        "countries": sorted({e.country for e in entries if e.country}),
        "organizations": sorted({e.entity_id for e in entries if e.label == "ORG"}),
        "word_count": len(headline.split()) + len(body.split()),
    }


def run_naive(
    inputs: list[Path], out: Path, gazetteer: Path = GAZETTEER, batch_rows: int = 10_000
) -> dict[str, int]:
    """Run the naive job over `inputs` into `out` and return its counts."""
    automaton = build_automaton(load_aliases(gazetteer))
    counts = dict.fromkeys(("records_read", "articles", "duplicates", "rejects", "entities"), 0)
    seen: set[str] = set()
    writers = _Writers(out, batch_rows)
    writers.open()
    assert writers.rejects is not None
    try:
        for path in inputs:
            source = path.as_posix()
            with _open_text(path) as handle:
                for record in records(paragraphs(handle)):
                    counts["records_read"] += 1
                    if record.headline is None or not record.body:
                        counts["rejects"] += 1
                        row = _reject_row(record, source)
                        writers.rejects.write(json.dumps(row, ensure_ascii=False) + "\n")
                        continue
                    headline = _normalise(record.headline)
                    body = "\n\n".join(_normalise(p) for p in record.body)
                    text = f"{headline}\n{_normalise(body)}"
                    article_id = hashlib.sha256(text.encode()).hexdigest()[:32]
                    if article_id in seen:
                        counts["duplicates"] += 1
                        writers.duplicates.append(
                            {
                                "article_id": article_id,
                                "kind": "exact",
                                "source_file": source,
                                "source_line": record.line,
                            }
                        )
                        continue
                    seen.add(article_id)
                    article = _article_row(
                        automaton,
                        article_id,
                        headline=headline,
                        body=body,
                        record=record,
                        source=source,
                    )
                    writers.articles.append(article)
                    writers.entities.extend(
                        {"article_id": article_id, **m} for m in article["entities"]
                    )
                    counts["articles"] += 1
                    counts["entities"] += len(article["entities"])
                    if len(writers.articles) >= batch_rows:
                        writers.flush()
    finally:
        writers.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    """Run the naive job from the command line; print counts and seconds as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("inputs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--gazetteer", type=Path, default=GAZETTEER)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = run_naive(args.inputs, args.out, args.gazetteer)
    print(json.dumps({**counts, "seconds": round(time.perf_counter() - started, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
