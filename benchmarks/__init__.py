"""Benchmarks of issue 6: stage benchmarks (pytest-benchmark), the end-to-end script, baselines.

A package so that its modules import each other the same way under pytest, mypy and
`python -m benchmarks.e2e`. Not part of the installed toolkit.
"""
