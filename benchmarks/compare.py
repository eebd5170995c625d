"""Two revisions of `enrich` side by side in one process, alternating batch by batch.

The benchmark machine's speed drifts by 40-50% within minutes (benchmarks/RESULTS.md, sixth
pass), so runs of old and new code one after the other can hide a 5% change or invent one.
This script loads the `etl` and `schemas` packages of two git revisions under other names
(`rev_a_etl`, `rev_b_etl`, ...), parses a dump once, and tags every batch with revision A and
with revision B, swapping their order from batch to batch, over several rounds. Each call is
timed in CPU seconds. It also checks that both revisions return the same rows: a speed-up
that changes the output is reported as such.

Run: `python -m benchmarks.compare 7490a77 HEAD` (a 20 MB synthetic dump by default;
`--dump FILE` for another). Polars runs on `--threads` threads (default 1: one thread gives the
steadiest figures, and the two revisions see the same). Pin the process to one core as well
(`taskset -c 1`) for the steadiest CPU times.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

if __package__ in (None, ""):
    # Run as a script (`python benchmarks/compare.py`): make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REPO = Path(__file__).resolve().parents[1]
_PACKAGES = ("etl", "schemas")
MB = 1_000_000


@dataclass(frozen=True, slots=True)
class Revision:
    """One revision's `enrich` and gazetteer, loaded under its own package names."""

    label: str
    commit: str
    enrich: Any
    gazetteer: Any


def _renamed(source: str, prefix: str) -> str:
    """Return `source` with every reference to the toolkit's packages given `prefix`."""
    for package in _PACKAGES:
        # `etl.x` in imports and in `files("etl.tagging")`, `from etl import`, `import etl`.
        source = re.sub(rf"\b{package}\.(?=\w)", f"{prefix}{package}.", source)
        source = re.sub(rf"\b(from|import) {package}\b", rf"\1 {prefix}{package}", source)
    return source


def export(commit: str, prefix: str, root: Path) -> None:
    """Write the packages of `commit` under `root`, renamed `<prefix><package>`."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", commit, *_PACKAGES],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            package, _, rest = member.name.partition("/")
            target = root / f"{prefix}{package}" / rest
            target.parent.mkdir(parents=True, exist_ok=True)
            handle = tar.extractfile(member)
            assert handle is not None
            data = handle.read()
            if target.suffix == ".py":
                data = _renamed(data.decode(), prefix).encode()
            target.write_bytes(data)


def load(label: str, commit: str, root: Path) -> Revision:
    """Export `commit` under `root` and import its `enrich` and gazetteer."""
    prefix = f"rev_{label}_"
    export(commit, prefix, root)
    transform: ModuleType = importlib.import_module(f"{prefix}etl.transform")
    tagging: ModuleType = importlib.import_module(f"{prefix}etl.tagging")
    return Revision(label.upper(), commit, transform.enrich, tagging.load_gazetteer())


def _resolve(commit: str) -> str:
    return subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", commit],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/compare.py", description=__doc__)
    parser.add_argument("a", help="the old revision (a commit, tag or branch)")
    parser.add_argument("b", help="the new revision")
    parser.add_argument("--dump", type=Path, help="a dump to tag (default: a synthetic one)")
    parser.add_argument("--size", default="20MB", help="size of the synthetic dump")
    parser.add_argument("--rounds", type=int, default=4, help="passes over every batch")
    parser.add_argument("--threads", type=int, default=1, help="polars threads")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Print the CPU seconds of both revisions' `enrich` and their ratio."""
    args = _arguments(argv)
    # Before polars is imported, so that both revisions and the parsing share its pool.
    os.environ["POLARS_MAX_THREADS"] = str(args.threads)
    import polars as pl

    from etl.config import DEFAULT_CHUNK_BYTES
    from etl.extract import extract_batches
    from etl.sources import discover_inputs
    from etl.synth import generate, parse_size

    with tempfile.TemporaryDirectory(prefix="etl-compare-") as work:
        root = Path(work)
        sys.path.insert(0, str(root))
        revisions = [load("a", args.a, root), load("b", args.b, root)]
        dump = args.dump
        if dump is None:
            dump = root / "dump.txt"
            generate(dump, parse_size(args.size), seed=0)
        batches = [
            batch.records
            for batch in extract_batches(discover_inputs((dump,)), DEFAULT_CHUNK_BYTES)
            if batch.records.height
        ]
        text_bytes = [
            r.select(
                pl.col("headline").str.len_bytes().sum() + pl.col("body").str.len_bytes().sum()
            )
            .to_series()
            .item()
            for r in batches
        ]
        text_mb = sum(int(n) for n in text_bytes) / MB
        for revision in revisions:  # warm up: first calls pay one-off costs
            revision.enrich(batches[0], revision.gazetteer)
        cpu = {r.label: [0.0] * args.rounds for r in revisions}
        differing = 0
        for round_ in range(args.rounds):
            for i, records in enumerate(batches):
                order = revisions if (i + round_) % 2 == 0 else revisions[::-1]
                outputs: dict[str, tuple[pl.DataFrame, pl.DataFrame]] = {}
                for revision in order:
                    started = time.process_time()
                    outputs[revision.label] = revision.enrich(records, revision.gazetteer)
                    cpu[revision.label][round_] += time.process_time() - started
                if round_ == 0:
                    (a_articles, a_entities), (b_articles, b_entities) = outputs["A"], outputs["B"]
                    same = a_articles.equals(b_articles) and a_entities.equals(b_entities)
                    differing += not same
        print(
            f"{len(batches)} batches, {text_mb:.1f} MB of text, {args.rounds} rounds, "
            f"polars threads {pl.thread_pool_size()}"
        )
        for revision in revisions:
            seconds = cpu[revision.label]
            print(
                f"{revision.label} {_resolve(revision.commit)}: CPU s per round "
                + ", ".join(f"{s:.3f}" for s in seconds)
                + f" (median {statistics.median(seconds):.3f}, "
                f"{text_mb / statistics.median(seconds):.1f} MB per CPU second)"
            )
        ratios = [b / a for a, b in zip(cpu["A"], cpu["B"], strict=True)]
        print(
            "B/A per round: "
            + ", ".join(f"{r:.3f}" for r in ratios)
            + f" (median {statistics.median(ratios):.3f})"
        )
        print(
            "outputs: identical"
            if differing == 0
            else f"outputs: {differing} of {len(batches)} batches differ"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
