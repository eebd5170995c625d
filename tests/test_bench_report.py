"""The end-to-end benchmark's report (benchmarks/e2e.py), without running anything."""

from __future__ import annotations

from benchmarks.e2e import Measure, SizeResult, _size_table, _targets


def _sizes(*, naive: bool) -> list[SizeResult]:
    small = SizeResult("100MB", 100_000_000, 100, 1.0, etl=[Measure(10.0, 480.0, 100, 90)])
    big = SizeResult("1GB", 1_000_000_000, 1_000, 1.0, etl=[Measure(95.0, 530.0, 1_000, 900)])
    if naive:
        big.naive.append(Measure(150.0, 470.0, 1_000, 990))
    return [small, big]


def test_without_the_naive_job_its_figures_read_not_run() -> None:
    # `--no-naive`: no "nanx" and no MISS for a ratio nobody measured.
    report = "\n".join(_size_table(_sizes(naive=False)) + _targets(_sizes(naive=False)))
    assert "nan" not in report
    assert "| etl >= 2.5x naive on 1GB | not run | not measured |" in report
    row = "| 1GB | 1,000 | 95.00 | 10.5 | 11 | not run | not run | not run | 530 | not run |"
    assert row in report


def test_with_the_naive_job_the_ratio_is_judged() -> None:
    report = "\n".join(_targets(_sizes(naive=True)))
    assert "| etl >= 2.5x naive on 1GB | 1.58x | MISS |" in report
