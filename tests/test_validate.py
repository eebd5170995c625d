"""Validate: every batch is checked before it is written; bad rows become reason-coded rejects.

The batches here are real: the sample dump through Extract and Transform. Each test breaks
one guarantee in a copy and checks that exactly the articles concerned are rejected, with
`schema_violation` and a detail naming the check, while the others pass untouched.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from factories import extract_all, make_dump, write_dump

from etl import validate
from etl.errors import IntegrityError
from etl.tagging import Gazetteer, load_gazetteer
from etl.transform import enrich
from etl.validate import validate_batch
from schemas.frames import ArticleFrame, EntityFrame
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


def _first(frame: pl.DataFrame, column: str, value: object) -> pl.DataFrame:
    """Return `frame` with `value` in `column` of its first row only."""
    first = pl.int_range(pl.len()) == 0
    return frame.with_columns(
        pl.when(first)
        .then(pl.lit(value, dtype=frame.schema[column]))
        .otherwise(column)
        .alias(column)
    )


#: One broken copy per kind of check the models hold: (which frame, how it is broken).
_BROKEN: dict[str, tuple[str, Callable[[pl.DataFrame], pl.DataFrame]]] = {
    "id pattern": ("articles", lambda f: _first(f, "article_id", "not-an-id")),
    "unique id": ("articles", lambda f: _first(f, "article_id", f["article_id"][1])),
    "empty headline": ("articles", lambda f: _first(f, "headline", "")),
    "line 0": ("articles", lambda f: _first(f, "source_line", 0)),
    "null body": ("articles", lambda f: _first(f, "body", None)),
    "lower-case country": ("articles", lambda f: _first(f, "countries", ["mex"])),
    "label": ("entities", lambda f: _first(f, "label", "PERSON")),
    "negative start": ("entities", lambda f: _first(f, "start", -1)),
    "span length": ("entities", lambda f: _first(f, "end", int(f["end"][0]) + 1)),
    "mention country": ("entities", lambda f: _first(f, "country", "xx")),
}


def test_a_clean_batch_passes_in_one_query(batch: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    articles, entities = batch
    assert validate.all_checks_pass(ArticleFrame, articles)
    assert validate.all_checks_pass(EntityFrame, entities)
    # A null in a nullable column is no failure (pandera ignores nulls in its checks too).
    assert entities["country"].null_count() > 0


@pytest.mark.parametrize("broken", sorted(_BROKEN))
def test_the_one_query_pass_sees_every_kind_of_failure(
    batch: tuple[pl.DataFrame, pl.DataFrame], broken: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles, entities = batch
    which, breaks = _BROKEN[broken]
    if which == "articles":
        articles = breaks(articles)
        assert not validate.all_checks_pass(ArticleFrame, articles)
    else:
        entities = breaks(entities)
        assert not validate.all_checks_pass(EntityFrame, entities)
    done = validate_batch(articles, entities)
    assert done.rejects.height >= 1
    # The same rows as pandera alone finds, with the same report.
    monkeypatch.setattr(validate, "all_checks_pass", lambda model, frame: False)
    alone = validate_batch(articles, entities)
    assert done.rejects.equals(alone.rejects)
    assert done.articles.equals(alone.articles)
    assert done.entities.equals(alone.entities)


def test_a_wrong_dtype_or_extra_column_goes_to_pandera(
    batch: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    articles, entities = batch
    assert not validate.all_checks_pass(
        ArticleFrame, articles.with_columns(pl.col("word_count").cast(pl.Int64))
    )
    assert not validate.all_checks_pass(EntityFrame, entities.with_columns(extra=pl.lit(1)))
    with pytest.raises(IntegrityError, match="EntityFrame"):
        validate_batch(articles, entities.with_columns(pl.col("start").cast(pl.Int64)))


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
