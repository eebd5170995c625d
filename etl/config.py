"""Run configuration: one frozen, typed object built at the edge and passed down.

Default paths live here and nowhere else (cookiecutter-data-science style).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_INPUT", "DEFAULT_OUTPUT", "RunConfig"]

DEFAULT_INPUT = Path("data/raw")
DEFAULT_OUTPUT = Path("data/processed")

#: Bytes of (decompressed) input parsed per batch; bounds memory whatever the input size.
#: Each batch swells to many times its size in polars intermediates while it is parsed and
#: tagged, and a few are in flight at once. Each extra MiB costs ~70 MiB of peak and saves
#: part of the fixed per-batch cost of tagging and validation. Measured side by side (c929935,
#: one run each): 2 MiB peaks at 434 MiB on 100 MB and 506 MiB on 1 GB (115 s); 3 MiB at
#: 516 and 569 MiB (95 s); 4 MiB at 584 on 100 MB, so above 600 MiB on 1 GB. 3 MiB became
#: affordable once the near index moved most of its state to a scratch file. As the gazetteer
#: and the rules grew, 3 MiB crept up to 583-601 MiB on 1 GB (fifteenth pass, 7 runs, two above
#: 600); 2.5 MiB peaked at 572 and 562 MiB against 587 and 601 for 3 MiB, run alternately at
#: 4101dae, for 12% more time (130 against 116 s).
DEFAULT_CHUNK_BYTES = 5 * 512 * 1024  # 2.5 MiB

#: Batches transformed at once on worker threads (polars releases the GIL): one per core.
DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Everything a run needs to know, fixed before it starts."""

    inputs: tuple[Path, ...] = (DEFAULT_INPUT,)
    out: Path = DEFAULT_OUTPUT
    chunk_bytes: int = DEFAULT_CHUNK_BYTES
    workers: int = DEFAULT_WORKERS
    near_duplicates: bool = True
    keep_near_duplicates: bool = False
    near_threshold: float = 0.8
    minor_towns: bool = False
    incremental: bool = False
    wait_for_lock: bool = False
    max_reject_rate: float = 1.0
    extra: dict[str, str] = field(default_factory=dict)
