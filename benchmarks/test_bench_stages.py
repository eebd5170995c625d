"""Stage benchmarks of issue 6 (pytest-benchmark): parse + dedup, and writing.

Each benchmark processes the session's synthetic dump (see conftest.py) and reports MB/s of
input in `extra_info`, next to the issue's target; a figure below target is reported, not
failed (timings on a shared machine are noisy). Run: `pytest benchmarks --benchmark-only`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.conftest import Dump, record_throughput, run_rounds
from etl.config import DEFAULT_CHUNK_BYTES
from etl.dedup import NearDuplicateIndex, SeenArticles, drop_exact_duplicates, drop_near_duplicates
from etl.extract import extract_batches
from etl.load import ARTICLES, ARTICLES_JSONL, ENTITIES, JsonlWriter, ParquetTableWriter, to_arrow
from etl.sources import discover_inputs
from schemas import arrow

TARGET_PARSE_DEDUP = 250.0  # MB/s of input
TARGET_WRITE = 80.0  # MB/s of input


def _batches(dump: Dump) -> list[pl.DataFrame]:
    """Parse the whole dump in the pipeline's chunks; return each chunk's records."""
    files = discover_inputs((dump.path,))
    return [batch.records for batch in extract_batches(files, DEFAULT_CHUNK_BYTES)]


def _parse(dump: Dump) -> int:
    """Parse the whole dump in the pipeline's chunks; return the records read."""
    files = discover_inputs((dump.path,))
    return sum(
        batch.records.height + batch.rejects.height
        for batch in extract_batches(files, DEFAULT_CHUNK_BYTES)
    )


def _parse_and_dedup(dump: Dump, *, near: bool) -> tuple[int, int]:
    """Parse the dump, drop exact (and near) duplicates across batches; return (exact, near)."""
    seen = SeenArticles()
    index = NearDuplicateIndex()
    exact_dropped = near_dropped = 0
    for records in _batches(dump):
        exact = drop_exact_duplicates(records, seen)
        exact_dropped += exact.duplicates.height
        if near:
            near_dropped += drop_near_duplicates(exact.kept, index).duplicates.height
    return exact_dropped, near_dropped


def test_parse(benchmark: BenchmarkFixture, dump: Dump) -> None:
    read = run_rounds(benchmark, lambda: _parse(dump))
    assert read == dump.stats.records
    record_throughput(benchmark, dump.megabytes, TARGET_PARSE_DEDUP)


def test_parse_and_exact_dedup(benchmark: BenchmarkFixture, dump: Dump) -> None:
    exact, _ = run_rounds(benchmark, lambda: _parse_and_dedup(dump, near=False))
    assert exact == dump.stats.exact_duplicates
    record_throughput(benchmark, dump.megabytes, TARGET_PARSE_DEDUP)
    benchmark.extra_info["polars_threads"] = pl.thread_pool_size()


def test_parse_and_dedup(benchmark: BenchmarkFixture, dump: Dump) -> None:
    exact, near = run_rounds(benchmark, lambda: _parse_and_dedup(dump, near=True))
    assert exact == dump.stats.exact_duplicates
    # MinHash estimates similarity: most, not necessarily all, planted near duplicates.
    assert near >= 0.9 * dump.stats.near_duplicates
    record_throughput(benchmark, dump.megabytes, TARGET_PARSE_DEDUP)
    benchmark.extra_info["near_found"] = near
    benchmark.extra_info["near_planted"] = dump.stats.near_duplicates


@dataclass(frozen=True, slots=True)
class Enriched:
    """The dump's batches as the pipeline hands them to Load."""

    articles: list[pl.DataFrame]
    entities: list[pl.DataFrame]


@pytest.fixture(scope="module")
def enriched(dump: Dump) -> Enriched:
    """Return every batch of the dump parsed, deduplicated and tagged (prepared once)."""
    from etl.tagging import load_gazetteer
    from etl.transform import enrich

    gazetteer = load_gazetteer()
    seen = SeenArticles()
    articles, entities = [], []
    for records in _batches(dump):
        batch_articles, batch_entities = enrich(
            drop_exact_duplicates(records, seen).kept, gazetteer
        )
        articles.append(batch_articles)
        entities.append(batch_entities)
    return Enriched(articles, entities)


def _write(enriched: Enriched, folder: Path) -> int:
    """Write articles (Parquet + JSONL) and entities (Parquet) as the pipeline does."""
    metadata = {"schema_version": arrow.SCHEMA_VERSION}
    folder.mkdir(parents=True, exist_ok=True)
    articles_pq = ParquetTableWriter(folder / "a.parquet", ARTICLES, metadata, "a.parquet")
    entities_pq = ParquetTableWriter(folder / "e.parquet", ENTITIES, metadata, "e.parquet")
    articles_jsonl = JsonlWriter(folder / "a.jsonl", "a.jsonl")
    for articles, entities in zip(enriched.articles, enriched.entities, strict=True):
        articles_pq.write(to_arrow(articles, arrow.ARTICLES))
        articles_jsonl.write(articles.select(arrow.ARTICLES.names))
        entities_pq.write(to_arrow(entities, arrow.ENTITIES))
    written = [articles_pq.close(), entities_pq.close(), articles_jsonl.close()]
    return sum(w.rows for w in written)


def test_write(benchmark: BenchmarkFixture, dump: Dump, enriched: Enriched, tmp_path: Path) -> None:
    rounds = iter(range(100))
    rows = run_rounds(benchmark, lambda: _write(enriched, tmp_path / f"round-{next(rounds)}"))
    articles = sum(frame.height for frame in enriched.articles)
    entities = sum(frame.height for frame in enriched.entities)
    assert rows == 2 * articles + entities
    assert ARTICLES_JSONL.format == "jsonl"
    record_throughput(benchmark, dump.megabytes, TARGET_WRITE)
