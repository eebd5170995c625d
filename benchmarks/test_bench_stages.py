"""Stage benchmarks of issue 6 (pytest-benchmark): parse + dedup, and writing.

Each benchmark processes the session's synthetic dump (see conftest.py) and reports MB/s of
input in `extra_info`, next to the issue's target; a figure below target is reported, not
failed (timings on a shared machine are noisy). Run: `pytest benchmarks --benchmark-only`.
"""

from __future__ import annotations

import polars as pl
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.conftest import Dump, record_throughput, run_rounds
from etl.config import DEFAULT_CHUNK_BYTES
from etl.dedup import SeenArticles, drop_exact_duplicates
from etl.extract import extract_batches
from etl.sources import discover_inputs

TARGET_PARSE_DEDUP = 250.0  # MB/s of input


def _parse(dump: Dump) -> int:
    """Parse the whole dump in the pipeline's chunks; return the records read."""
    return sum(
        batch.records.height + batch.rejects.height
        for batch in extract_batches(discover_inputs((dump.path,)), DEFAULT_CHUNK_BYTES)
    )


def _parse_and_exact_dedup(dump: Dump) -> int:
    """Parse the dump and drop exact duplicates across batches; return the articles kept."""
    seen = SeenArticles()
    kept = 0
    for batch in extract_batches(discover_inputs((dump.path,)), DEFAULT_CHUNK_BYTES):
        kept += drop_exact_duplicates(batch.records, seen).kept.height
    return kept


def test_parse(benchmark: BenchmarkFixture, dump: Dump) -> None:
    read = run_rounds(benchmark, lambda: _parse(dump))
    assert read == dump.stats.records
    record_throughput(benchmark, dump.megabytes, TARGET_PARSE_DEDUP)


def test_parse_and_exact_dedup(benchmark: BenchmarkFixture, dump: Dump) -> None:
    kept = run_rounds(benchmark, lambda: _parse_and_exact_dedup(dump))
    assert kept == dump.stats.records - dump.stats.exact_duplicates
    record_throughput(benchmark, dump.megabytes, TARGET_PARSE_DEDUP)
    benchmark.extra_info["polars_threads"] = pl.thread_pool_size()
