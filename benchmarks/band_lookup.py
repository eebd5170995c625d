"""How the dedup state's lookups grow with the history: sorted runs against a join.

    python -m benchmarks.band_lookup [--keys 1M,6M,25M] [--ids 1M,10M] [--repeat 7]

Every batch of a run looks its band keys up in the index of every article kept before it.
The index's `_SortedRuns` answers with a binary search per sorted run; the join it replaced
(`batch.join(all_keys, on="key")`) probed every key held, for every batch. Both are run here
on the same random 32-bit keys, added in batches of 12,800 keys (the 1,600 articles of a
2 MiB batch, 8 bands each), and timed at each index size on one lookup batch that shares
200 keys with the index. A 1 GB dump holds ~6.2 million keys at its end.

The exact ids (`SeenArticles`) are the same structure keyed by an id's first 64-bit word:
random ids are added 2,400 at a time (a 3 MiB batch's articles), and one batch of 2,400 ids,
10 of them held, is looked up against a join with every id held in memory (the structure it
replaced), with the memory each holds. A 1 GB dump keeps ~757,000 ids.

The child runs with `POLARS_MAX_THREADS=1`, since the pipeline's cores are all busy: CPU
time is what a lookup costs there. Prints medians of `--repeat` lookups, and checks both
give the same answer.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

_BATCH_KEYS = 12_800
_BATCH_IDS = 2_400


def _sizes(text: str) -> list[int]:
    units = {"K": 1_000, "M": 1_000_000}
    return [
        int(float(s[:-1]) * units[s[-1]]) if s[-1] in units else int(s) for s in text.split(",")
    ]


def _child(sizes: list[int], repeat: int) -> None:
    import polars as pl

    from etl.dedup import _SortedRuns

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
            rows = pl.DataFrame({"key": keys, "value": ords}, schema=runs.schema)
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
            return batch.join(everything, on="key").select("doc", "value").unique()

        def search(batch: pl.DataFrame = batch) -> pl.DataFrame:
            return runs.lookup(batch).unique()

        timings = {"join": _median_ms(join, repeat), "runs": _median_ms(search, repeat)}
        same = join().sort("doc", "value").equals(search().sort("doc", "value"))
        if not same:
            raise SystemExit("the two lookups disagree")
        print(
            f"| {total:,} | {len(list(runs))} | {timings['join']:.1f} | {timings['runs']:.1f} |"
            f" {timings['join'] / timings['runs']:.2f}x |"
        )


def _median_ms(lookup: Callable[[], object], repeat: int) -> float:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        lookup()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds) * 1000


def _child_ids(sizes: list[int], repeat: int) -> None:
    import numpy as np
    import polars as pl

    from etl.dedup import _ID, SeenArticles, _hex_ids, _id_words

    rng = np.random.default_rng(1)
    seen = SeenArticles()
    held: list[pl.DataFrame] = []
    total = 0
    print("| ids held | join (ms) | sorted runs (ms) | ratio | join MiB | sorted runs MiB |")
    print("|---|---|---|---|---|---|")
    for size in sorted(sizes):
        while total < size:
            words = pl.DataFrame(
                {c: rng.integers(0, 2**64, _BATCH_IDS, dtype=np.uint64) for c in _ID}
            )
            seen.add(_hex_ids(words))
            held.append(words)
            total += _BATCH_IDS
        everything = pl.concat(held).rechunk()
        shared = everything.sample(10, seed=2)
        fresh = pl.DataFrame(
            {c: rng.integers(0, 2**64, _BATCH_IDS - 10, dtype=np.uint64) for c in _ID}
        )
        ids = _hex_ids(pl.concat([shared, fresh])).to_frame()
        rows = ids.select(_id_words(pl.col("article_id"))).with_row_index("row")

        def join(rows: pl.DataFrame = rows, everything: pl.DataFrame = everything) -> pl.DataFrame:
            return rows.join(everything, on=_ID[0], suffix="_seen").filter(
                pl.col(_ID[1]) == pl.col(f"{_ID[1]}_seen")
            )

        def search(rows: pl.DataFrame = rows) -> pl.DataFrame:
            return seen.find(rows)

        joined, searched = _median_ms(join, repeat), _median_ms(search, repeat)
        if [f()["row"].sort().to_list() for f in (join, search)] != [list(range(10))] * 2:
            raise SystemExit("a lookup missed a held id or found one not held")
        print(
            f"| {total:,} | {joined:.1f} | {searched:.1f} | {joined / searched:.2f}x |"
            f" {everything.estimated_size() / 2**20:.1f} | {seen.estimated_size() / 2**20:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", default="1M,6M,25M", help="index sizes, in band keys ('' skips)")
    parser.add_argument("--ids", default="1M,10M", help="exact-id history sizes ('' skips)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.keys:
            _child(_sizes(args.keys), args.repeat)
        if args.ids:
            _child_ids(_sizes(args.ids), args.repeat)
        return
    env = {**os.environ, "POLARS_MAX_THREADS": "1"}
    command = [sys.executable, "-m", "benchmarks.band_lookup", "--child"]
    subprocess.run(
        [*command, "--keys", args.keys, "--ids", args.ids, "--repeat", str(args.repeat)],
        env=env,
        check=True,
    )


if __name__ == "__main__":
    main()
