"""How the near-duplicate index's band lookup grows with the index: sorted runs against a join.

    python -m benchmarks.band_lookup [--keys 1M,6M,25M] [--repeat 7]

Every batch of a run looks its band keys up in the index of every article kept before it.
The index's `_SortedRuns` answers with a binary search per sorted run; the join it replaced
(`batch.join(all_keys, on="key")`) probed every key held, for every batch. Both are run here
on the same random 32-bit keys, added in batches of 12,800 keys (the 1,600 articles of a
2 MiB batch, 8 bands each), and timed at each index size on one lookup batch that shares
200 keys with the index. A 1 GB dump holds ~6.2 million keys at its end. The child runs with
`POLARS_MAX_THREADS=1`, since the pipeline's cores are all busy: CPU time is what a lookup
costs there. Prints medians of `--repeat` lookups, and checks both give the same pairs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time

_BATCH_KEYS = 12_800


def _sizes(text: str) -> list[int]:
    units = {"K": 1_000, "M": 1_000_000}
    return [
        int(float(s[:-1]) * units[s[-1]]) if s[-1] in units else int(s) for s in text.split(",")
    ]


def _child(sizes: list[int], repeat: int) -> None:
    import polars as pl

    from etl.dedup import _BAND_SCHEMA, _SortedRuns

    rng = random.Random(1)
    runs = _SortedRuns()
    held: list[pl.DataFrame] = []
    total = 0
    print("| keys held | runs | join (ms) | sorted runs (ms) | ratio |")
    print("|---|---|---|---|---|")
    for size in sorted(sizes):
        while total < size:
            keys = [rng.getrandbits(32) for _ in range(_BATCH_KEYS)]
            ords = [(total + i) // 8 for i in range(_BATCH_KEYS)]
            rows = pl.DataFrame({"key": keys, "ord": ords}, schema=_BAND_SCHEMA)
            runs.add(rows)
            held.append(rows)
            total += _BATCH_KEYS
        everything = pl.concat(held).rechunk()
        shared = everything.sample(200, seed=2).get_column("key").to_list()
        fresh = [rng.getrandbits(32) for _ in range(_BATCH_KEYS - len(shared))]
        batch = pl.DataFrame(
            {"key": shared + fresh, "doc": [i // 8 for i in range(_BATCH_KEYS)]},
            schema={"key": pl.UInt32, "doc": pl.UInt32},
        )

        def join(
            batch: pl.DataFrame = batch, everything: pl.DataFrame = everything
        ) -> pl.DataFrame:
            return batch.join(everything, on="key").select("doc", "ord").unique()

        def search(batch: pl.DataFrame = batch) -> pl.DataFrame:
            return runs.lookup(batch).unique()

        timings = {}
        for name, lookup in (("join", join), ("runs", search)):
            seconds = []
            for _ in range(repeat):
                started = time.perf_counter()
                lookup()
                seconds.append(time.perf_counter() - started)
            timings[name] = statistics.median(seconds) * 1000
        same = join().sort("doc", "ord").equals(search().sort("doc", "ord"))
        if not same:
            raise SystemExit("the two lookups disagree")
        print(
            f"| {total:,} | {len(list(runs))} | {timings['join']:.1f} | {timings['runs']:.1f} |"
            f" {timings['join'] / timings['runs']:.2f}x |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", default="1M,6M,25M", help="index sizes, in band keys")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(_sizes(args.keys), args.repeat)
        return
    env = {**os.environ, "POLARS_MAX_THREADS": "1"}
    command = [sys.executable, "-m", "benchmarks.band_lookup", "--child"]
    subprocess.run(
        [*command, "--keys", args.keys, "--repeat", str(args.repeat)], env=env, check=True
    )


if __name__ == "__main__":
    main()
