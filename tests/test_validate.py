"""Validate: every batch is checked before it is written; bad rows become reason-coded rejects.

The batches here are real: the sample dump through Extract and Transform. Each test breaks
one guarantee in a copy and checks that exactly the articles concerned are rejected, with
`schema_violation` and a detail naming the check, while the others pass untouched.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from factories import extract_all, make_dump, write_dump

from etl.errors import IntegrityError
from etl.tagging import Gazetteer, load_gazetteer
from etl.transform import enrich
from etl.validate import validate_batch
from schemas.records import RejectReason

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "raw" / "000_2da8245de02aa76e.txt"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def batch(gazetteer: Gazetteer) -> tuple[pl.DataFrame, pl.DataFrame]:
    articles, entities = enrich(extract_all(SAMPLE).records, gazetteer)
    assert articles.height == 10
    assert entities.height > 50
    return articles, entities


def _victim(articles: pl.DataFrame, row: int) -> str:
    return str(articles["article_id"][row])


def test_a_clean_batch_passes_whole(batch: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    articles, entities = batch
    done = validate_batch(articles, entities)
    assert done.rejects.height == 0
    assert done.articles.equals(articles)
    assert done.entities.equals(entities)


def test_a_mention_off_its_text_rejects_its_article_only(
    batch: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    articles, entities = batch
    victim = _victim(articles, 3)
    first = entities.with_row_index("i").filter(pl.col("article_id") == victim)["i"][0]
    # Shifted by one character: the length still agrees, only the text at the offsets differs.
    moved = entities.with_columns(
        start=pl.when(pl.int_range(pl.len()) == first).then(pl.col("start") + 1).otherwise("start"),
        end=pl.when(pl.int_range(pl.len()) == first).then(pl.col("end") + 1).otherwise("end"),
    )
    done = validate_batch(articles, moved)
    assert done.rejects["reason"].to_list() == [RejectReason.SCHEMA_VIOLATION.value]
    assert "span does not match text" in done.rejects["detail"][0]
    assert done.rejects["source_line"][0] == articles["source_line"][3]
    assert victim not in done.articles["article_id"].to_list()
    assert done.articles.height == 9
    assert victim not in done.entities["article_id"].to_list()
    assert done.entities.height == entities.filter(pl.col("article_id") != victim).height


def test_spans_are_checked_in_code_points_outside_ascii(
    gazetteer: Gazetteer, tmp_path: Path
) -> None:
    dump = make_dump(
        ("Côte d'Ivoire Customs Joins AEO Talks", "Les douanes de Côte d'Ivoire and Japan met."),
        ("Kenya and Japan Sign Pact", "Kenya and Japan signed the pact in Nairobi."),
    )
    records = extract_all(write_dump(tmp_path, "d.txt", dump)).records
    articles, entities = enrich(records, gazetteer)
    assert validate_batch(articles, entities).rejects.height == 0
    # In the accented text a byte offset is not a code point offset: "Japan" read as bytes
    # would be cut two characters off.
    japan = (pl.col("text") == "Japan") & (pl.col("field") == "body")
    assert entities.filter(japan).height == 2
    accented = str(articles["article_id"][0])
    as_bytes = entities.with_columns(
        start=pl.when(japan & (pl.col("article_id") == accented))
        .then(pl.col("start") + 2)
        .otherwise("start"),
        end=pl.when(japan & (pl.col("article_id") == accented))
        .then(pl.col("end") + 2)
        .otherwise("end"),
    )
    done = validate_batch(articles, as_bytes)
    assert done.rejects["detail"].to_list() == ["entities: span does not match text"]
    assert done.articles["article_id"].to_list() == [articles["article_id"][1]]


def test_frame_checks_name_the_column(batch: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    articles, entities = batch
    bad_country, bad_label = _victim(articles, 1), _victim(articles, 6)
    articles = articles.with_columns(
        countries=pl.when(pl.col("article_id") == bad_country)
        .then(pl.lit(["mex"]))
        .otherwise("countries")
    )
    entities = entities.with_columns(
        label=pl.when(
            (pl.col("article_id") == bad_label) & (pl.int_range(pl.len()).over("article_id") == 0)
        )
        .then(pl.lit("PERSON"))
        .otherwise("label")
    )
    done = validate_batch(articles, entities)
    details = dict(zip(done.rejects["raw_text"], done.rejects["detail"], strict=True))
    assert done.rejects.height == 2
    assert set(done.rejects["reason"]) == {RejectReason.SCHEMA_VIOLATION.value}
    kept = set(done.articles["article_id"])
    assert bad_country not in kept
    assert bad_label not in kept
    assert len(kept) == 8
    joined = " | ".join(details.values())
    assert "countries_are_iso3" in joined
    assert "entities.label: isin" in joined


def test_a_frame_wide_failure_is_an_integrity_error(
    batch: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    articles, entities = batch
    with pytest.raises(IntegrityError, match="ArticleFrame"):
        validate_batch(articles.drop("themes"), entities)


def test_the_command_validates_without_pandas(tmp_path: Path) -> None:
    """The console script keeps pandas out of its process, and validation still works there."""
    script = f"""
import json, sys
import polars as pl
from etl.runtime import without_pandas
assert without_pandas()
from etl.cli import main
status = main(["run", {str(SAMPLE)!r}, "--out", {str(tmp_path / "out")!r}, "--workers", "1"])
from factories import extract_all, make_dump, write_dump
from etl.tagging import load_gazetteer
from etl.transform import enrich
from etl.validate import validate_batch
articles, entities = enrich(extract_all(__import__("pathlib").Path({str(SAMPLE)!r})).records,
                            load_gazetteer())
broken = articles.with_columns(countries=pl.lit(["x"]))
try:
    import pandas
    importable = True
except ModuleNotFoundError:
    importable = False
print(json.dumps({{
    "status": status,
    "pandas_loaded": "pandas" in sys.modules,
    "pandas_importable": importable,
    "rejects": validate_batch(broken, entities).rejects.height,
}}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=REPO / "tests",
        env={"PYTHONPATH": str(REPO / "tests"), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {
        "status": 0,
        "pandas_loaded": False,
        "pandas_importable": False,
        "rejects": 10,
    }
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["counts"]["articles"] == 10
