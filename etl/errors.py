"""The toolkit's errors: a small tree, each carrying its context in attributes.

    EtlError                      anything that stops a run; the CLI prints one line
    ├── UsageError                a bad option or argument                    (exit 2)
    ├── InputError                a missing or unreadable input               (exit 3)
    ├── OutputError               an unwritable output folder, disk full      (exit 4)
    │   └── LockedError           another run holds the output folder's lock
    ├── RejectRateError           too many rejects for --max-reject-rate      (exit 5)
    └── IntegrityError            a broken guarantee: conservation, schemas   (exit 6)

Only the CLI catches these; library code raises them and never prints.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "EtlError",
    "InputError",
    "IntegrityError",
    "LockedError",
    "OutputError",
    "RejectRateError",
    "UsageError",
]


class EtlError(Exception):
    """Root of the tree: a run that cannot go on."""

    exit_code = 1


class UsageError(EtlError):
    """The user asked for something that does not make sense."""

    exit_code = 2


class InputError(EtlError):
    """An input path is missing or cannot be read."""

    exit_code = 3

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"cannot read input {self.path}: {reason}")


class OutputError(EtlError):
    """The output folder cannot be written."""

    exit_code = 4

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"cannot write output {self.path}: {reason}")


class LockedError(OutputError):
    """Another run holds the lock on the output folder."""

    def __init__(self, path: Path | str, holder: str) -> None:
        super().__init__(path, f"locked by another run ({holder}); use --wait to queue")


class RejectRateError(EtlError):
    """More records were rejected than the run allows."""

    exit_code = 5

    def __init__(self, rejects: int, records: int, limit: float) -> None:
        self.rejects = rejects
        self.records = records
        self.limit = limit
        rate = rejects / records if records else 0.0
        super().__init__(
            f"reject rate {rate:.2%} ({rejects} of {records} records)"
            f" exceeds --max-reject-rate {limit:.2%}"
        )


class IntegrityError(EtlError):
    """A guarantee of the contract failed; nothing was published."""

    exit_code = 6

    def __init__(self, stage: str, detail: str) -> None:
        self.stage = stage
        self.detail = detail
        super().__init__(f"{stage}: {detail}")
