"""Spark reads the published tables: the one-file names, the part folders and the JSON Lines.

Spark is the analysts' engine the other reader tests (DuckDB, polars, pandas, pyarrow in
`test_outputs.py`) do not cover, and the strictest about Parquet: nested lists of structs,
32-bit list offsets, INT16 columns and symlinked paths must all come through. pyspark comes
with the test extra; it needs a Java runtime (17 or newer), and the module is skipped with
that reason where there is none.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from etl.config import RunConfig
from etl.pipeline import run

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "raw" / "000_2da8245de02aa76e.txt"


def _java_major() -> int | None:
    """Return the major version of the `java` on PATH, or None without one."""
    java = shutil.which("java")
    if java is None:
        return None
    done = subprocess.run(
        [java, "-version"], capture_output=True, text=True, timeout=60, check=False
    )
    for token in done.stderr.replace('"', " ").split():
        head = token.split(".")[0]
        if head.isdigit() and "." in token:
            return int(head)
    return None


pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (test extra)")
if (_java_major() or 0) < 17:
    pytest.skip("Spark needs a Java runtime 17 or newer on PATH", allow_module_level=True)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession  # here: only once Java is known to be there

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("trade-news-etl-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "512m")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("spark")
    run(RunConfig(inputs=(SAMPLE,), out=folder))
    return folder


def test_spark_reads_articles_and_entities(spark: Any, out: Path) -> None:
    articles = spark.read.parquet(str(out / "articles.parquet"))
    entities = spark.read.parquet(str(out / "entities"))  # the part folder: every part
    expected = pl.read_parquet(out / "entities.parquet")
    assert articles.count() == 10
    assert entities.count() == expected.height
    types = dict(articles.dtypes)
    assert types["source_line"] == "bigint"
    assert types["headline_repeats"] == "smallint"
    assert types["entities"] == (
        "array<struct<text:string,label:string,entity_id:string,name:string,field:string,"
        "start:int,end:int>>"
    )
    # Every mention joins its article; the labels are those polars reads.
    joined = entities.join(articles.select("article_id", "headline"), "article_id")
    assert joined.count() == expected.height
    by_label = {row["label"]: row["count"] for row in joined.groupBy("label").count().collect()}
    assert by_label == dict(expected.group_by("label").len().iter_rows())


def test_spark_sees_the_nested_columns(spark: Any, out: Path) -> None:
    articles = spark.read.parquet(str(out / "articles"))
    row = (
        articles.where(articles.headline.contains("Hong Kong"))
        .select("countries", "country_salience", "entities")
        .collect()
    )
    assert len(row) == 1
    assert list(row[0]["countries"]) == ["HKG", "MEX"]
    assert {s["country"] for s in row[0]["country_salience"]} == {"HKG", "MEX"}
    spans = [(m["field"], m["start"], m["end"], m["text"]) for m in row[0]["entities"]]
    assert spans
    headline, body = (
        articles.where(articles.headline.contains("Hong Kong")).select("headline", "body").first()
    )
    texts = {"headline": headline, "body": body}
    assert all(texts[field][start:end] == text for field, start, end, text in spans)


def test_spark_reads_the_json_lines(spark: Any, out: Path) -> None:
    lines = spark.read.json(str(out / "articles.jsonl"))
    assert lines.count() == 10
    parquet_ids = {r["article_id"] for r in spark.read.parquet(str(out / "articles")).collect()}
    assert {r["article_id"] for r in lines.select("article_id").collect()} == parquet_ids
