"""trade-news-etl: raw trade and customs news dumps in, validated analytics tables out.

The public surface is small: `run` a pipeline with a `RunConfig`, catch `EtlError`.
Everything else is reachable through its module (`etl.extract`, `etl.transform`, ...).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("trade-news-etl")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

from etl.config import RunConfig
from etl.errors import EtlError

__all__ = ["EtlError", "RunConfig", "__version__", "run"]


def __getattr__(name: str) -> object:
    # The runner imports polars, pandera and the gazetteer: load it only when asked for, so
    # that `import etl` (and `etl --help`) stays cheap.
    if name == "run":
        from etl.pipeline import run  # noqa: PLC0415 - lazy on purpose, see above

        return run
    raise AttributeError(name)
