"""trade-news-etl: raw trade and customs news dumps in, validated analytics tables out.

The public surface is small: `run` a pipeline with a `RunConfig`, catch `EtlError`.
Everything else is reachable through its module (`etl.extract`, `etl.transform`, ...).
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version

# Polars allocates through jemalloc and has it keep freed pages for 0.5 s, then 1 s more
# (dirty_decay_ms:500,muzzy_decay_ms:1000): with a batch freed every fraction of a second
# that holds hundreds of MiB. Returning them after 200 ms keeps peak RSS flatter (polars
# appends this setting to its own, so it wins); returning them at once (0 ms) cost a page
# fault for every reuse (2.2 million faults and 6 s of kernel time on a 50 MB dump, against
# 0.5 million and 2 s at 200 ms: 9.1 s against 6.7 s end to end, for 7% more peak RSS). It
# must be set before polars is first imported; a user's own setting wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:200,muzzy_decay_ms:0")

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
