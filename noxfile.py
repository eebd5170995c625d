"""Developer tasks. Every session installs the project from pyproject.toml into its own venv."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = False


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (benchmarks excluded)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the package, schemas, tests and benchmarks with mypy --strict."""
    session.install("-e", ".[dev,bench]")
    session.run("mypy")


@nox.session
def etl(session: nox.Session) -> None:
    """Run the pipeline on data/raw/ into data/processed/."""
    session.install("-e", ".")
    session.run("etl", "run", *session.posargs)


@nox.session
def evaluate(session: nox.Session) -> None:
    """Print tagging precision, recall and F1 on the gold set and the Reuters corpus."""
    session.install("-e", ".")
    session.run("etl", "evaluate", *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Run the stage benchmarks and the end-to-end benchmark (slow; not a default session)."""
    session.install("-e", ".[test,bench]")
    session.run("pytest", "benchmarks", "--benchmark-only", *session.posargs)
    session.run("python", "benchmarks/e2e.py")
