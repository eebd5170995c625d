"""The output folder's lock: a second holder fails at once, or waits; death releases it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from etl.errors import LockedError
from etl.lock import LOCK_FILE, OutputLock


def test_a_second_holder_fails_at_once_naming_the_first(tmp_path: Path) -> None:
    with OutputLock(tmp_path):
        started = time.monotonic()
        with pytest.raises(LockedError) as caught, OutputLock(tmp_path):
            pass
        assert time.monotonic() - started < 1.0
    message = str(caught.value)
    assert f"pid {os.getpid()}" in message
    assert "--wait" in message
    assert "\n" not in message
    assert caught.value.exit_code == 4
    with OutputLock(tmp_path):  # released on exit: free again
        pass


def test_wait_queues_until_the_holder_releases(tmp_path: Path) -> None:
    released = threading.Event()
    first = OutputLock(tmp_path)
    first.__enter__()

    def release_later() -> None:
        time.sleep(0.3)
        released.set()
        first.__exit__(None, None, None)

    thread = threading.Thread(target=release_later)
    thread.start()
    with OutputLock(tmp_path, wait=True):
        assert released.is_set()
    thread.join()


def test_a_killed_holder_releases_the_lock(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from etl.lock import OutputLock\n"
            "with OutputLock(Path(sys.argv[1])):\n"
            "    print('locked', flush=True); time.sleep(60)\n",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockedError), OutputLock(tmp_path):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        with OutputLock(tmp_path):
            assert (tmp_path / LOCK_FILE).exists()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
