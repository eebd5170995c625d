"""The public surface stays small, and every name in `__all__` exists."""

from __future__ import annotations

import importlib

import pytest

import etl

MODULES = [
    "etl",
    "etl.cli",
    "etl.config",
    "etl.dedup",
    "etl.errors",
    "etl.extract",
    "etl.load",
    "etl.lock",
    "etl.pipeline",
    "etl.sources",
    "etl.state",
    "etl.validate",
    "etl.verify",
    "schemas",
    "schemas.arrow",
    "schemas.frames",
    "schemas.records",
]


def test_top_level_surface() -> None:
    assert etl.__all__ == ["EtlError", "RunConfig", "__version__", "run"]
    assert callable(etl.run)


@pytest.mark.parametrize("name", MODULES)
def test_all_resolves_without_repeats(name: str) -> None:
    # Sort order is ruff's job (RUF022, isort-style); here: every name exists, once.
    module = importlib.import_module(name)
    exported = module.__all__
    assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
    for attribute in exported:
        assert hasattr(module, attribute), f"{name}.{attribute} is missing"


def test_error_tree_exit_codes_are_distinct() -> None:
    from etl import errors

    codes = {
        cls.__name__: cls.exit_code
        for cls in (
            errors.UsageError,
            errors.InputError,
            errors.OutputError,
            errors.RejectRateError,
            errors.IntegrityError,
        )
    }
    assert len(set(codes.values())) == len(codes)
    assert issubclass(errors.LockedError, errors.OutputError)
    assert all(issubclass(getattr(errors, n), errors.EtlError) for n in errors.__all__)
