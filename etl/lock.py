"""The output folder's lock: one run at a time writes into a folder.

`OutputLock` holds an exclusive `flock` on `OUT/.lock` for the whole run. The kernel releases
it when the process ends, however it ends (SIGKILL included), so a crashed run never leaves
a folder locked. The file is never deleted: deleting a lock file lets a third process lock
a new file while a second still waits on the old one. Its content, the holder's pid and
start time, only serves the error message.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from etl.errors import LockedError, OutputError

__all__ = ["LOCK_FILE", "OutputLock"]

LOCK_FILE = ".lock"


class OutputLock:
    """An exclusive lock on an output folder, held from `__enter__` to `__exit__`."""

    def __init__(self, out: Path, *, wait: bool = False) -> None:
        self.path = out / LOCK_FILE
        self._wait = wait
        self._fd: int | None = None

    def __enter__(self) -> Self:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise OutputError(self.path, exc.strerror or str(exc)) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if self._wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise LockedError(self.path.parent, holder) from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {stamp}\n".encode(), 0)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _holder(fd: int) -> str:
    """Return who holds the lock, as its holder wrote it (or 'unknown holder')."""
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", errors="replace").strip()
    except OSError:
        text = ""
    return text or "unknown holder"
