"""Process-wide settings of the `etl` command: things a library must not do to its host.

`without_pandas()`: the `etl` process never uses pandas, yet would load it twice over
(the imports take 181 MiB with it, 131 MiB without): `import pandera` imports pandas
whenever it is installed, because pandera's top-level namespace is its pandas API, and
`pyarrow.array` imports it on first use to check whether its argument is a pandas object.
Both packages support installs without pandas (pandera GH #2387: its `__init__` catches
"No module named 'pandas'"; pyarrow's pandas shim treats the import error as "not
installed"), so the command makes pandas look uninstalled for its own process: a finder at
the head of `sys.meta_path` answers every import of pandas with the error a missing package
raises. The validation code that runs is the one a polars-only install runs.

`hand_back_large_blocks()`: glibc's malloc keeps what the process frees for reuse, and by
default raises its thresholds as the process frees big blocks, so a run's multi-megabyte
Python strings and numpy arrays end up in heaps it keeps (one per thread that allocates).
The command fixes the thresholds instead, as `MALLOC_MMAP_THRESHOLD_` and
`MALLOC_TRIM_THRESHOLD_` would: blocks of 4 MiB and more are mapped on their own and given
back when freed, and a heap is trimmed once 32 MiB at its top are free. On 1 GB the peak RSS
fell by ~45 MiB (568 against 611-618 MiB, same code) for about the same time; glibc's
defaults for the mapping alone (128 KiB, trimming at 128 KiB) cost 9% more time. polars and
pyarrow allocate with their own jemalloc and are not affected. Elsewhere than glibc it does
nothing.

Only the console script (`etl`, `python -m etl`) calls these. `etl.cli.main`, which tests
and other programs call in their own process, leaves imports and the allocator alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.abc
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

__all__ = ["hand_back_large_blocks", "without_pandas"]

_M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 4 << 20
TRIM_THRESHOLD = 32 << 20


class _WithoutPandas(importlib.abc.MetaPathFinder):
    """Fail every import of pandas the way a missing package fails."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        del path, target
        if fullname.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def without_pandas() -> bool:
    """Make pandas unimportable in this process; return False if it was already imported."""
    if "pandas" in sys.modules:
        return False
    if not any(isinstance(finder, _WithoutPandas) for finder in sys.meta_path):
        sys.meta_path.insert(0, _WithoutPandas())
    return True


def hand_back_large_blocks() -> bool:
    """Fix glibc's mmap and trim thresholds (see above); return False where that can't be."""
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc: musl, macOS, Windows
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
