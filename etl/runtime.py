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

Only the console script (`etl`, `python -m etl`) calls it. `etl.cli.main`, which tests and
other programs call in their own process, leaves imports alone.
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

__all__ = ["without_pandas"]


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
