"""Shared fixtures of the stage benchmarks: one deterministic synthetic dump per session.

The dump size is `ETL_BENCH_MB` megabytes (10**6 bytes, default 64): big enough that fixed
costs vanish (four 16 MiB chunks), small enough for a 2-core machine shared with others.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from etl.synth import SynthStats, generate

MB = 1_000_000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Dump:
    """A synthetic dump on disk and what it holds."""

    path: Path
    stats: SynthStats

    @property
    def megabytes(self) -> float:
        """Return the dump's size in MB (10**6 bytes)."""
        return self.stats.bytes / MB


@pytest.fixture(scope="session")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Dump:
    """Return a clean synthetic dump (2% exact and 2% near duplicates), generated once."""
    size = int(float(os.environ.get("ETL_BENCH_MB", "64")) * MB)
    path = tmp_path_factory.mktemp("bench") / "dump.txt"
    return Dump(path, generate(path, size, seed=0))


def run_rounds(benchmark: BenchmarkFixture, work: Callable[[], T], rounds: int = 3) -> T:
    """Time `rounds` calls of `work` (after one warm-up) and return its result."""
    result = benchmark.pedantic(work, rounds=rounds, iterations=1, warmup_rounds=1)  # type: ignore[no-untyped-call]
    return cast(T, result)


def record_throughput(benchmark: BenchmarkFixture, megabytes: float, target: float) -> float:
    """Store MB/s (median round) and the issue-6 target in the benchmark's extra_info."""
    assert benchmark.stats is not None, "record_throughput runs after the benchmark"
    median = float(benchmark.stats.stats.median)
    rate = megabytes / median
    benchmark.extra_info["input_MB"] = round(megabytes, 1)
    benchmark.extra_info["MB_per_s"] = round(rate, 1)
    benchmark.extra_info["target_MB_per_s"] = target
    benchmark.extra_info["meets_target"] = rate >= target
    return rate
