"""Peak memory of Extract + exact + near dedup on a 1 GB synthetic dump (target: < 600 MiB).

    python -m benchmarks.bench_extract_memory [--size 1GB] [--chunk-mb 16] [--messiness 0.05]
        [--malloc-conf background_thread:true,dirty_decay_ms:0,muzzy_decay_ms:0]

The dump is written by `etl.synth` under /tmp, then parsed by a fresh child process with
`extract_batches` in chunks of `--chunk-mb`, deduplicated exactly and near, and deleted
afterwards (`--keep` keeps it). Prints the child's peak RSS (`resource.getrusage`), the size
of the dedup state, MB/s per stage, and the counts against what the generator wrote.
`--malloc-conf` is handed to polars' jemalloc (`_RJEM_MALLOC_CONF`): by default it keeps
freed pages for seconds, which shows up as RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from etl.dedup import NearDuplicateIndex, SeenArticles, drop_exact_duplicates, drop_near_duplicates
from etl.extract import extract_batches
from etl.sources import discover_inputs
from etl.synth import parse_size

MIB = 1024 * 1024
TARGET_MIB = 600


def _generate(path: Path, size: int, messiness: float) -> dict[str, object]:
    """Write the dump in a child process and return its stats."""
    code = (
        "import dataclasses, json, sys; from pathlib import Path; from etl.synth import generate; "
        "s = generate(Path(sys.argv[1]), int(sys.argv[2]), seed=1, messiness=float(sys.argv[3])); "
        "print(json.dumps(dataclasses.asdict(s)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path), str(size), str(messiness)],
        check=True,
        capture_output=True,
        text=True,
    )
    stats: dict[str, object] = json.loads(done.stdout)
    return stats


def _peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(path: Path, chunk_bytes: int) -> dict[str, float]:
    """Parse and deduplicate `path`; return counts, seconds per stage and the peak RSS."""
    seen = SeenArticles()
    index = NearDuplicateIndex()
    counts = dict.fromkeys(("records", "rejects", "exact", "near", "kept"), 0)
    seconds = dict.fromkeys(("extract", "exact", "near"), 0.0)
    clock = time.perf_counter()
    for batch in extract_batches(discover_inputs((path,)), chunk_bytes):
        now = time.perf_counter()
        seconds["extract"] += now - clock
        exact = drop_exact_duplicates(batch.records, seen)
        clock, now = now, time.perf_counter()
        seconds["exact"] += now - clock
        near = drop_near_duplicates(exact.kept, index)
        clock, now = now, time.perf_counter()
        seconds["near"] += now - clock
        counts["records"] += batch.records.height
        counts["rejects"] += batch.rejects.height
        counts["exact"] += exact.duplicates.height
        counts["near"] += near.duplicates.height
        counts["kept"] += near.kept.height
        clock = now
    peak = _peak_rss_mib()  # before anything below allocates
    state = seen.estimated_size() + index.estimated_size()
    return {
        **counts,
        **{f"{stage}_s": round(s, 2) for stage, s in seconds.items()},
        "state_mib": round(state / MIB, 1),
        "peak_rss_mib": round(peak, 1),
    }


def _measure(path: Path, chunk_bytes: int, malloc_conf: str | None) -> dict[str, float]:
    """Run `run` in a fresh child process (its own peak RSS) and return its result."""
    env = dict(os.environ)
    if malloc_conf:
        env["_RJEM_MALLOC_CONF"] = malloc_conf
    command = [sys.executable, "-m", "benchmarks.bench_extract_memory", "--child", str(path)]
    done = subprocess.run(
        [*command, "--chunk-mb", str(chunk_bytes / MIB)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark from command-line options; return 0 when under the target."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("1GB"))
    parser.add_argument("--chunk-mb", type=float, default=16.0)
    parser.add_argument("--messiness", type=float, default=0.05)
    parser.add_argument("--malloc-conf", default=None, help="_RJEM_MALLOC_CONF for the child")
    parser.add_argument("--keep", action="store_true", help="keep the dump in /tmp")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    chunk_bytes = int(args.chunk_mb * MIB)
    if args.child is not None:
        print(json.dumps(run(args.child, chunk_bytes)))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="bench-extract-", dir="/tmp"))
    path = folder / "dump.txt"
    try:
        started = time.perf_counter()
        stats = _generate(path, args.size, args.messiness)
        took = time.perf_counter() - started
        print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {took:.0f} s")
        result = _measure(path, chunk_bytes, args.malloc_conf)
    finally:
        if not args.keep:
            path.unlink(missing_ok=True)
            folder.rmdir()
    megabytes = int(stats["bytes"]) / 1e6  # type: ignore[call-overload]
    print(f"chunks of {args.chunk_mb:g} MiB, _RJEM_MALLOC_CONF={args.malloc_conf or '(default)'}")
    for stage in ("extract", "exact", "near"):
        rate = megabytes / result[f"{stage}_s"] if result[f"{stage}_s"] else float("inf")
        print(f"{stage:>8}: {result[f'{stage}_s']:7.2f} s  {rate:8.1f} MB/s")
    total = sum(result[f"{stage}_s"] for stage in ("extract", "exact", "near"))
    print(f"   total: {total:7.2f} s  {megabytes / total:8.1f} MB/s")
    expected = {
        "records": int(stats["records"]) - int(stats["rejects"]),  # type: ignore[call-overload]
        "rejects": stats["rejects"],
        "exact": stats["exact_duplicates"],
        "near": stats["near_duplicates"],
        "kept": stats["articles"],
    }
    for key, want in expected.items():
        print(f"{key:>8}: {int(result[key]):>9} (generator: {want})")
    print(f"dedup state: {result['state_mib']} MiB")
    print(f"peak RSS: {result['peak_rss_mib']} MiB (target < {TARGET_MIB} MiB)")
    return 0 if result["peak_rss_mib"] < TARGET_MIB else 1


if __name__ == "__main__":
    raise SystemExit(main())
