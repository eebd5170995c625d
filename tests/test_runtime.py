"""Process-wide settings of the `etl` command (etl.runtime)."""

from __future__ import annotations

import platform
import subprocess
import sys
from collections.abc import Callable

import pytest

from etl import cli, runtime


def test_the_console_script_fixes_the_allocator_before_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def recorder(name: str, result: object) -> Callable[[], object]:
        def record() -> object:
            calls.append(name)
            return result

        return record

    monkeypatch.setattr(cli, "without_pandas", recorder("without_pandas", True))
    monkeypatch.setattr(cli, "hand_back_large_blocks", recorder("allocator", True))
    monkeypatch.setattr(cli, "main", recorder("main", 0))
    with pytest.raises(SystemExit) as stopped:
        cli.console()
    assert stopped.value.code == 0
    assert calls == ["without_pandas", "allocator", "main"]


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt only")
def test_glibc_takes_the_thresholds() -> None:
    # In a process of its own: the setting is process-wide and lasts.
    code = "from etl.runtime import hand_back_large_blocks as h; print(h())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
    assert runtime.MMAP_THRESHOLD == 4 << 20
    assert runtime.TRIM_THRESHOLD > runtime.MMAP_THRESHOLD
