"""End to end on the real sample dump: what issue 2 promises an analyst."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

from etl.config import RunConfig
from etl.pipeline import run

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw" / "000_2da8245de02aa76e.txt"


def _sample_headlines() -> list[str]:
    blocks = [b.strip() for b in SAMPLE.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    # the dump is headline, headline, body; take every third block
    return blocks[0::3]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("processed")
    run(RunConfig(inputs=(SAMPLE.parent,), out=out))
    return out


def test_sample_gives_its_ten_articles_once(outputs: Path) -> None:
    articles = pl.read_parquet(outputs / "articles.parquet")
    headlines = _sample_headlines()
    assert len(headlines) == 10
    assert articles["headline"].to_list() == headlines
    assert articles["headline_repeats"].to_list() == [2] * 10
    for headline, body in articles.select("headline", "body").iter_rows():
        assert headline not in body
        assert body.strip()


def test_every_mention_points_at_its_text(outputs: Path) -> None:
    articles = pl.read_parquet(outputs / "articles.parquet")
    n = 0
    for row in articles.iter_rows(named=True):
        for mention in row["entities"]:
            assert row[mention["field"]][mention["start"] : mention["end"]] == mention["text"]
            n += 1
    assert n > 50


def test_mexico_hong_kong_article_countries(outputs: Path) -> None:
    articles = pl.read_parquet(outputs / "articles.parquet")
    row = articles.filter(pl.col("headline").str.starts_with("Mexico Hong Kong")).row(0, named=True)
    assert row["countries"] == ["HKG", "MEX"]


def test_wco_long_and_short_forms_share_one_id(outputs: Path) -> None:
    entities = pl.read_parquet(outputs / "entities.parquet")
    ids = entities.filter(pl.col("text").is_in(["World Customs Organization", "WCO"]))["entity_id"]
    assert ids.n_unique() == 1
    assert ids.len() >= 10


def test_manifest_counts_add_up(outputs: Path) -> None:
    manifest = json.loads((outputs / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    assert counts["records_read"] == counts["articles"] + counts["duplicates"] + counts["rejects"]
    assert counts["articles"] == 10
    names = {entry["path"]: entry for entry in manifest["outputs"]}
    assert names["articles.parquet"]["rows"] == 10
    assert len(manifest["inputs"]) == 1
    assert manifest["inputs"][0]["bytes"] == SAMPLE.stat().st_size


def test_duckdb_and_pandas_join_entities_to_articles(outputs: Path) -> None:
    articles_path = (outputs / "articles.parquet").as_posix()
    entities_path = (outputs / "entities.parquet").as_posix()
    joined = duckdb.execute(
        f"SELECT a.headline, count(*) AS n FROM read_parquet('{entities_path}') e "
        f"JOIN read_parquet('{articles_path}') a USING (article_id) GROUP BY a.headline"
    ).fetchall()
    assert len(joined) == 10
    ((total,),) = duckdb.execute(f"SELECT count(*) FROM read_parquet('{entities_path}')").fetchall()
    assert sum(n for _, n in joined) == total

    frame = pd.read_parquet(entities_path).merge(pd.read_parquet(articles_path), on="article_id")
    assert len(frame) == total
    assert set(frame["headline"]) == set(_sample_headlines())


def test_duplicates_across_files_are_dropped_and_counted(tmp_path: Path) -> None:
    inputs = tmp_path / "raw"
    inputs.mkdir()
    shutil.copy(SAMPLE, inputs / "a.txt")
    shutil.copy(SAMPLE, inputs / "b.txt")
    result = run(RunConfig(inputs=(inputs,), out=tmp_path / "out"))
    assert result.counts["records_read"] == 20
    assert result.counts["articles"] == 10
    assert result.counts["duplicates_exact"] == 10
    duplicates = pl.read_parquet(tmp_path / "out" / "duplicates.parquet")
    assert duplicates["source_file"].unique().to_list() == ["b.txt"]
    kept = pl.read_parquet(tmp_path / "out" / "articles.parquet")
    assert set(duplicates["article_id"]) == set(kept["article_id"])


def test_bytes_do_not_depend_on_batch_size_or_workers(tmp_path: Path) -> None:
    from etl.synth import generate

    dump = tmp_path / "dump.txt"
    generate(dump, 3_000_000, seed=5, messiness=0.05)
    small = tmp_path / "small"
    large = tmp_path / "large"
    run(RunConfig(inputs=(dump,), out=small, chunk_bytes=100_000, workers=1))
    run(RunConfig(inputs=(dump,), out=large, chunk_bytes=8 << 20, workers=2))
    counts = json.loads((small / "manifest.json").read_text(encoding="utf-8"))["counts"]
    assert counts["duplicates_exact"] > 0
    assert counts["duplicates_near"] > 0
    for name in (
        "articles.parquet",
        "articles.jsonl",
        "entities.parquet",
        "duplicates.parquet",
        "rejects.jsonl",
    ):
        assert (small / name).read_bytes() == (large / name).read_bytes(), name
