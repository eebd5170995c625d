"""Deduplication: a stage of its own, run over the whole stream in input order.

Exact duplicates share an `article_id`; the first record by (source_file, source_line) is
kept and every later one is dropped to `duplicates.parquet`. `SeenArticles` holds the ids
kept so far.

Near duplicates (the same story with small edits) are found with MinHash/LSH, all in polars
expressions and joins, never a Python loop over records or pairs:

1. **Text**: headline and body, lower-cased, split on the single spaces Extract left
   (paragraph breaks count as spaces). Including the headline keeps short template bodies
   ("Qtly div 25 cts vs 25 cts prior") of different companies apart; a shared headline adds
   only a few shingles, so the same headline with a different body stays far below the
   threshold.
2. **Shingles**: every run of `SHINGLE_WORDS` consecutive words (a shorter text is one
   shingle), each word hashed with wyhash (polars-hash: stable across machines and versions)
   and combined with wrapping 64-bit arithmetic.
3. **Signature**: one-permutation MinHash: the top 6 bits of a shingle's hash pick one of
   `SIGNATURE_BINS` bins and each bin keeps the least low 32 bits of its shingles' hashes
   (one pass over the shingles, not one per hash function). A bin is stored as one byte
   (b-bit MinHash: 0 = empty, else 1-255), packed eight to a UInt64.
4. **LSH**: `BANDS` band keys, each a hash of `BAND_ROWS` full-precision bin minima (8 bands
   of 8 bins cover all 64), truncated to 32 bits. Records sharing a band key are candidates.
5. **Verification**: candidates are scored with the estimated Jaccard similarity of their
   64 bins (matches among bins filled in either text, corrected for the 1/255 chance that two
   different bytes agree); a pair at or above the threshold is a near duplicate.

A record is a near duplicate when it is similar to an **earlier kept** article (one kept in
an earlier batch, or earlier in this batch): it points to the most similar one (ties: the
earliest). The decision only depends on the records and their order, so it is the same
whatever the batch boundaries. With `keep=True` near duplicates are reported but not dropped;
they still do not enter the index, so the report is the same in both modes.

Recall and cost (docs/EXTRACT.md has the figures): a pair with true Jaccard J becomes a
candidate with probability 1 - (1 - J^8)^8: 0.9998 at 0.95, 0.989 at 0.9, 0.92 at 0.85 and
0.77 at 0.8. Bands of 4 bins would find 0.985 of the pairs at 0.8, but on templated text
(synthetic dumps, earnings briefs) some band keys are then shared by thousands of articles
and the candidate joins grow with the index (quadratic time); 8-bin bands keep the largest
bucket in the tens. The similarity estimate from 64 bins has a standard error of about 0.05
at 0.8, so pairs close to the threshold can fall on either side. A band key shared by more
than `_PAIRS_PER_KEY` rows of one batch only pairs its first ones (a guard against clusters
of copies; batch independence holds below that).
"""

from __future__ import annotations

import os
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import polars_hash as plh
import pyarrow as pa

from schemas.records import DuplicateKind

__all__ = [
    "BANDS",
    "BAND_ROWS",
    "DEFAULT_NEAR_THRESHOLD",
    "DUPLICATE_COLUMNS",
    "INDEX_SCHEMA",
    "SHINGLE_WORDS",
    "SIGNATURE_BINS",
    "Deduplicated",
    "NearDuplicateIndex",
    "SeenArticles",
    "drop_exact_duplicates",
    "drop_near_duplicates",
    "near_signatures",
]

DUPLICATE_COLUMNS = pl.Schema(
    {
        "article_id": pl.String,
        "duplicate_article_id": pl.String,
        "kind": pl.String,
        "similarity": pl.Float64,
        "headline": pl.String,
        "source_file": pl.String,
        "source_line": pl.Int64,
        "source_offset": pl.Int64,
    }
)

DEFAULT_NEAR_THRESHOLD = 0.8
SHINGLE_WORDS = 3
SIGNATURE_BINS = 64
BANDS = 8
BAND_ROWS = 8

_PAIRS_PER_KEY = 64  # earlier rows of a batch a band key pairs a later row with
_SLICE_ROWS = 2048  # records per signature pass, bounding the one-row-per-word frame
_WORDS = SIGNATURE_BINS // 8  # bins are one byte each, packed eight to a UInt64
_SIG = [f"sig_{i}" for i in range(_WORDS)]
_EMPTY_BIN = 1 << 32  # a bin no shingle fell in (minima are below 2**32)
_BAND = [f"band_{i}" for i in range(BANDS)]
_U64 = pl.UInt64
#: The Arrow type of each unsigned polars type a `_SortedRuns` may hold.
_ARROW_UNSIGNED: dict[type[pl.DataType], pa.DataType] = {
    pl.UInt32: pa.uint32(),
    pl.UInt64: pa.uint64(),
}
_P = 0x9E3779B97F4A7C15  # odd 64-bit constants (golden ratio, murmur3 finaliser)
_C1 = 0xFF51AFD7ED558CCD
_C2 = 0xC4CEB9FE1A85EC53

#: The saved form of a `NearDuplicateIndex` (`to_frame` / `from_frame`), one row per article.
INDEX_SCHEMA = pl.Schema(
    [("article_id", pl.String), *((c, _U64) for c in _SIG), ("bands", pl.List(pl.UInt32))]
)


#: An article id held as two 64-bit words: its 16 bytes in place, 16 bytes a row. As a
#: 16-byte binary it took 32 (polars' view, then the bytes) and more once fragmented: the
#: words saved ~20 bytes a kept id, measured on 3 million ids.
_ID = ["id_hi", "id_lo"]


def _id_words(ids: pl.Expr) -> list[pl.Expr]:
    """The two words (`_ID`) behind a 32-hex `article_id`, its bytes in memory order."""
    raw = ids.str.decode("hex")
    return [
        raw.bin.slice(8 * i, 8).bin.reinterpret(dtype=pl.UInt64, endianness="little").alias(name)
        for i, name in enumerate(_ID)
    ]


def _hex_ids(words: pl.DataFrame) -> pl.Series:
    """`article_id` back from the `_ID` words of `words` (the inverse of `_id_words`)."""
    # Arrow views a UInt64 array as 8-byte binaries without a copy; polars cannot.
    table = words.select(_ID).to_arrow()
    halves = [
        pl.Series(table[c].combine_chunks().view(pa.binary(8))).cast(pl.Binary).bin.encode("hex")
        for c in _ID
    ]
    return (halves[0] + halves[1]).alias("article_id")


class SeenArticles:
    """The ids of every article kept so far (the exact-dedup state carried across batches).

    Each id is two 64-bit words (`_ID`), not a hex string (three times the memory), held
    twice, both mostly in a scratch file: in the order kept (`_SpilledRows`, read back only
    to save the state) and as sorted runs keyed by the first word (`_SortedRuns`, looked up
    for every batch). In memory: the runs still merging (under 8 MiB), and a Bloom filter and
    block fences for each final run, ~1.3 bytes an id instead of 16 (a decade of nightly
    news, ~10 million ids: 17 MiB instead of 153, `python -m benchmarks.band_lookup`).
    """

    __slots__ = ("_keys", "_log")

    def __init__(self) -> None:
        self._log = _SpilledRows(_ID)
        self._keys = _SortedRuns(key=pl.UInt64, value=pl.UInt64)

    @property
    def ids(self) -> pl.DataFrame:
        """Return the kept ids (column `article_id`), in the order they were kept."""
        return _hex_ids(self._log.slice(0, len(self._log))).to_frame()

    def __len__(self) -> int:
        return len(self._log)

    def id_frames(self, start: int = 0, rows: int = 1 << 17) -> Iterator[pl.DataFrame]:
        """Yield `ids` from the `start`-th kept on, at most `rows` at a time (hex strings take
        three times the memory)."""
        for low in range(start, len(self._log), rows):
            yield _hex_ids(self._log.slice(low, rows)).to_frame()

    def estimated_size(self) -> int:
        """Return the bytes the kept ids hold in memory (polars' estimate for frames)."""
        return self._log.estimated_size() + self._keys.estimated_size()

    def add(self, article_ids: pl.Series) -> None:
        """Remember newly kept ids."""
        words = article_ids.to_frame("article_id").select(_id_words(pl.col("article_id")))
        self._log.append(words)
        self._keys.add(words.select(key=_ID[0], value=_ID[1]))

    def find(self, words: pl.DataFrame) -> pl.DataFrame:
        """Return the rows of `words` (`row` and the `_ID` columns) whose id was kept before."""
        # Looked up by the first word, the second compared after: 64-bit prefixes of distinct
        # ids practically never meet, so the runs answer for a handful of rows a batch.
        held = self._keys.lookup(words.select(key=_ID[0], doc="row"))
        return words.join(held, left_on=["row", _ID[1]], right_on=["doc", "value"], how="semi")


def _empty_duplicates() -> pl.DataFrame:
    return pl.DataFrame(schema=DUPLICATE_COLUMNS)


@dataclass(frozen=True, slots=True)
class Deduplicated:
    """A batch split into the records kept and the duplicates dropped."""

    kept: pl.DataFrame
    duplicates: pl.DataFrame  # DUPLICATE_COLUMNS
    near_kept: pl.DataFrame = field(default_factory=_empty_duplicates)  # DUPLICATE_COLUMNS


def _duplicate_rows(
    records: pl.DataFrame, kept_id: pl.Expr, kind: DuplicateKind, similarity: pl.Expr
) -> pl.DataFrame:
    return records.select(
        article_id=kept_id,
        duplicate_article_id="article_id",
        kind=pl.lit(kind.value),
        similarity=similarity,
        headline="headline",
        source_file="source_file",
        source_line="source_line",
        source_offset="source_offset",
    ).cast(dict(DUPLICATE_COLUMNS))  # type: ignore[arg-type]


def drop_exact_duplicates(records: pl.DataFrame, seen: SeenArticles) -> Deduplicated:
    """Return the batch without records whose `article_id` was already kept (in it or earlier)."""
    rows = records.select(_id_words(pl.col("article_id"))).with_row_index("row")
    earlier = seen.find(rows)["row"]
    is_dup = records.select(
        ~pl.col("article_id").is_first_distinct()
        | pl.int_range(pl.len(), dtype=pl.UInt32).is_in(earlier.implode())
    ).to_series()
    kept = records.filter(~is_dup)
    dropped = _duplicate_rows(
        records.filter(is_dup), pl.col("article_id"), DuplicateKind.EXACT, pl.lit(1.0)
    )
    seen.add(kept["article_id"])
    return Deduplicated(kept, dropped)


# --- near duplicates: signatures -------------------------------------------------------------


def _u64(value: int) -> pl.Expr:
    return pl.lit(value, dtype=_U64)


def _fmix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Murmur3's 64-bit finaliser: every output bit depends on every input bit."""
    shift = np.uint64(33)
    x = x ^ (x >> shift)
    x = x * np.uint64(_C1)  # numpy arrays wrap on overflow, as the hash wants
    x = x ^ (x >> shift)
    x = x * np.uint64(_C2)
    return x ^ (x >> shift)


def _shingles(records: pl.DataFrame) -> pl.DataFrame:
    """Return one row per shingle: the record's row (`doc`) and the shingle's 64-bit hash."""
    text = (
        pl.concat_str([pl.col("headline"), pl.col("body")], separator=" ")
        .str.replace_all("\n\n", " ", literal=True)
        .str.to_lowercase()
    )
    words = (
        records.select(word=text.str.split(" "))
        .with_row_index("doc")
        .with_columns(n=pl.col("word").list.len().cast(pl.Int64))
        .with_columns(start=pl.col("n").cum_sum() - pl.col("n"))
        .explode("word")
        .select(
            "doc",
            "n",
            pos=pl.int_range(pl.len(), dtype=pl.Int64) - pl.col("start"),
            h=plh.col("word").nchash.wyhash(),
        )
    )
    following = [
        pl.when(pl.col("pos") + k < pl.col("n")).then(pl.col("h").shift(-k)).otherwise(_u64(0))
        for k in range(1, SHINGLE_WORDS)
    ]
    shingle = pl.col("h")
    for nxt in following:
        shingle = shingle * _u64(_P) + nxt  # wrapping arithmetic: a hash of the word run
    first_or_full = (pl.col("pos") == 0) | (pl.col("pos") + SHINGLE_WORDS <= pl.col("n"))
    # Shingle first, filter after: the shifts must see every word of the text.
    return words.select("doc", s=shingle, keep=first_or_full).filter("keep").drop("keep")


def _bin_minima(shingles: pl.DataFrame, n_docs: int) -> npt.NDArray[np.uint64]:
    """Return one-permutation MinHash as a (doc, bin) grid: the least low 32 bits of the
    shingles each bin got (its top bits pick the bin), `_EMPTY_BIN` where it got none.

    numpy's `minimum.at` takes ~3 ms over a slice's ~450,000 shingles, where a sort of
    (doc, bin, low bits) keys and a filter of each group's first row took ~11.
    """
    bin_bits = SIGNATURE_BINS.bit_length() - 1
    s = shingles.get_column("s").to_numpy()
    cell = shingles.get_column("doc").to_numpy().astype(np.uint64) * np.uint64(SIGNATURE_BINS)
    cell += s >> np.uint64(64 - bin_bits)
    minima = np.full(n_docs * SIGNATURE_BINS, _EMPTY_BIN, dtype=np.uint64)
    np.minimum.at(minima, cell, s & np.uint64(0xFFFFFFFF))
    return minima


def near_signatures(records: pl.DataFrame) -> pl.DataFrame:
    """Return `article_id`, packed MinHash bins (`sig_*`) and LSH band keys (`band_*`) by row."""
    if records.height <= _SLICE_ROWS:
        return _signatures(records)
    # One word per row is the big intermediate: slices keep it small (same result), and two
    # threads work on them at once (the string kernels run in the calling thread, without
    # the GIL, so this is what uses the second core).
    slices = [records.slice(start, _SLICE_ROWS) for start in range(0, records.height, _SLICE_ROWS)]
    return pl.concat(list(_pool().map(_signatures, slices)))


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1), thread_name_prefix="minhash")


def _signatures(records: pl.DataFrame) -> pl.DataFrame:
    """Return `article_id`, the packed bins and the band keys of up to `_SLICE_ROWS` records.

    The (doc, bin) grid is small (64 cells a record), so numpy lays it out as a matrix:
    bins packed eight to a little-endian word, and each band's rows hashed into its key.
    """
    n_docs = records.height
    minima = _bin_minima(_shingles(records), n_docs)
    filled_bin = minima != _EMPTY_BIN
    # Stored bins: one byte each, 1-255 (0 marks an empty bin).
    small = np.where(filled_bin, minima % np.uint64(255) + np.uint64(1), 0).astype(np.uint8)
    packed = small.view(np.dtype("<u8")).reshape(n_docs, _WORDS)
    # Band keys: the band's eight minima (plus one, 0 if empty) hashed in order.
    full = np.where(filled_bin, minima + np.uint64(1), np.uint64(0))
    rows = full.reshape(n_docs, BANDS, BAND_ROWS)
    key = rows[:, :, 0].copy()
    for j in range(1, BAND_ROWS):
        key = key * np.uint64(_P) + rows[:, :, j]
    salts = np.array([((b + 1) * _C2) % (1 << 64) for b in range(BANDS)], dtype=np.uint64)
    keys = (_fmix(key + salts) >> np.uint64(32)).astype(np.uint32)
    filled = np.asarray(rows.any(axis=2), dtype=np.bool_)  # a band of empty bins has no key
    columns: dict[str, pl.Series] = {"article_id": records["article_id"]}
    for w in range(_WORDS):
        columns[_SIG[w]] = pl.Series(_SIG[w], packed[:, w].copy())
    for b in range(BANDS):
        columns[_BAND[b]] = pl.Series(_BAND[b], keys[:, b].copy()).scatter(
            np.flatnonzero(~filled[:, b]), None
        )
    return pl.DataFrame(columns)


def _similarity(left: pl.DataFrame, right: pl.DataFrame) -> npt.NDArray[np.float64]:
    """Estimated Jaccard similarity of packed signatures, row for row (`_SIG` columns each).

    b-bit corrected and clipped to 0..1; NaN where both signatures are empty (no bin filled).
    Each signature is seen as its 64 bin bytes.
    """
    a = np.ascontiguousarray(left.select(_SIG).to_numpy(), dtype="<u8").view(np.uint8)
    b = np.ascontiguousarray(right.select(_SIG).to_numpy(), dtype="<u8").view(np.uint8)
    empty_a, empty_b = a == 0, b == 0
    both_empty = (empty_a & empty_b).sum(axis=1, dtype=np.int64)
    matches = (a == b).sum(axis=1, dtype=np.int64) - both_empty
    union = SIGNATURE_BINS - both_empty
    both_filled = (
        SIGNATURE_BINS
        - empty_a.sum(axis=1, dtype=np.int64)
        - empty_b.sum(axis=1, dtype=np.int64)
        + both_empty
    )
    # Two different minima give the same byte with probability 1/255: remove that expectation,
    # (m - f/255) / (1 - 1/255) / union, in integers and one division so it is bit-exact.
    with np.errstate(divide="ignore", invalid="ignore"):
        corrected = (255 * matches - both_filled).astype(np.float64) / (254 * union).astype(
            np.float64
        )
    clipped: npt.NDArray[np.float64] = np.clip(corrected, 0.0, 1.0)
    return clipped


# --- near duplicates: the index and the stage ------------------------------------------------


class _ScratchFile:
    """An unnamed temporary file that only grows: arrays appended, read back by byte offset.

    The system deletes it when it is closed: when its owner is collected, or when the process
    ends, even by a crash. What is read back stays in the page cache, not in the process.
    """

    __slots__ = ("__weakref__", "_fd", "size")

    def __init__(self) -> None:
        fd, path = tempfile.mkstemp(prefix="etl-dedup-")
        os.unlink(path)  # the open descriptor keeps the file; nothing is left behind
        weakref.finalize(self, os.close, fd)
        self._fd = fd
        self.size = 0

    def append(self, values: pl.Series) -> int:
        """Write the values of an integer series without nulls; return their byte offset."""
        data = values.rechunk().to_arrow()
        width = data.type.bit_width // 8
        view = memoryview(data.buffers()[1])[
            width * data.offset : width * (data.offset + len(data))
        ]
        offset = self.size
        written = os.pwrite(self._fd, view, offset)
        if written != len(view):  # pragma: no cover - a full disk raises OSError instead
            raise OSError(f"short write to a dedup scratch file: {written} of {len(view)} bytes")
        self.size += written
        return offset

    def read(self, spans: Iterable[tuple[int, int]], dtype: pa.DataType) -> pl.Series:
        """Return the values of the (byte offset, byte length) spans, one after the other."""
        spans = list(spans)
        data = b"".join(os.pread(self._fd, length, offset) for offset, length in spans)
        if len(data) != sum(length for _, length in spans):  # pragma: no cover - a bug if so
            raise OSError(f"short read from a dedup scratch file of {self.size} bytes")
        width = dtype.bit_width // 8
        return pl.Series(
            pa.Array.from_buffers(dtype, len(data) // width, [None, pa.py_buffer(data)])
        )


_FINAL_BYTES = 1 << 22  # a sorted run this large is no longer merged (2**19 band entries)
_BLOCK_KEYS = 1024  # keys of a final run read back from the file at once (4 or 8 KiB)
_BLOOM_BITS = 10  # Bloom filter bits per key of a final run: ~0.8% false positives
_BLOOM_HASHES = 7
_BLOOM_SLICE = 1 << 14  # keys hashed at once while a filter is built


def _bloom_hashes(keys: npt.NDArray[np.unsignedinteger[Any]]) -> npt.NDArray[np.uint64]:
    """Return each key's `_BLOOM_HASHES` 32-bit hashes, one row a key (double hashing)."""
    h = _fmix(keys.astype(np.uint64) + np.uint64(_P))
    first = h & np.uint64(0xFFFFFFFF)
    step = h >> np.uint64(32)
    hashes = np.arange(_BLOOM_HASHES, dtype=np.uint64)
    return (first[:, None] + hashes[None, :] * step[:, None]) & np.uint64(0xFFFFFFFF)


def _bloom_positions(hashes: npt.NDArray[np.uint64], bits: int) -> npt.NDArray[np.uint64]:
    """Return the bit positions of 32-bit `hashes` in a filter of `bits` (multiply and shift:
    as even as a modulo, without the division)."""
    return (hashes * np.uint64(bits)) >> np.uint64(32)


@dataclass(frozen=True, slots=True)
class _FinalRun:
    """A final sorted run: keys and values in the scratch file, a summary in memory.

    In memory: a Bloom filter of its keys (`_BLOOM_BITS` a key instead of 32 or 64) and the
    first key of every block of `_BLOCK_KEYS`. A lookup keeps the keys the filter may hold
    (the ones held, and ~0.8% of the others) and reads only the blocks they fall in.
    """

    keys_at: int  # byte offset of the sorted keys in the file
    values_at: int  # byte offset of their values
    size: int
    fences: npt.NDArray[np.unsignedinteger[Any]]  # the first key of each block
    bloom: npt.NDArray[np.uint8]  # the filter's bits, packed little-endian

    @classmethod
    def of(
        cls, keys: npt.NDArray[np.unsignedinteger[Any]], keys_at: int, values_at: int
    ) -> _FinalRun:
        # Whole bytes: `may_hold` takes the size back from the packed bits.
        bits = -(-max(64, _BLOOM_BITS * len(keys)) // 8) * 8
        # A byte a bit while it is filled (~10 MiB for a run of a million keys), and the
        # hashes a slice at a time: for all keys at once, each array of them took 56 bytes a
        # key (~56 MiB for a million keys), several at once for a moment.
        filled = np.zeros(bits, dtype=np.bool_)
        for low in range(0, len(keys), _BLOOM_SLICE):
            hashes = _bloom_hashes(keys[low : low + _BLOOM_SLICE])
            filled[_bloom_positions(hashes, bits).ravel()] = True
        return cls(
            keys_at,
            values_at,
            len(keys),
            keys[::_BLOCK_KEYS].copy(),
            np.packbits(filled, bitorder="little"),
        )

    def may_hold(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
        """Return which keys, given as `_bloom_hashes`, the run may hold (never False for a
        key it holds)."""
        positions = _bloom_positions(hashes, len(self.bloom) * 8)
        set_ = (
            self.bloom[positions >> np.uint64(3)] >> (positions & np.uint64(7)).astype(np.uint8)
        ) & 1
        return np.asarray(set_.all(axis=1), dtype=np.bool_)

    def estimated_size(self) -> int:
        return int(self.fences.nbytes + self.bloom.nbytes)


class _SortedRuns:
    """(key, value) rows of unsigned integers in runs sorted by key, looked up by search: the
    near index's band keys (value: the article's ord) and the exact ids (key and value: the
    id's two words).

    A join of a batch's keys against every key held probes all of them, for every batch: over
    a 1 GB run the band lookup grew from 7 to 40 ms a batch, and the dedup thread's work grows
    with the square of the input. Here each batch adds a sorted run, and the newest runs
    merge while the older is at most twice the newer. A run of `_FINAL_BYTES` or more is
    final: it is never merged again (which bounds the copy a merge makes, at twice that), and
    it moves to a scratch file, keys and values: only a Bloom filter of its keys and the
    first key of each block stay in memory (`_FinalRun`, ~1.3 bytes a key instead of 8 or
    16). A lookup is a binary search in each merging run; in a final run, the keys its filter
    may hold are searched in the few blocks they fall in, read from the file, and the keys
    found read their values.
    `python -m benchmarks.band_lookup`, one thread: 17 ms instead of 44 at 6 million keys
    (a 1 GB dump), 63 instead of 183 at 25 million; ~2.4 ms more per million keys instead
    of ~7.3. The number of final runs still grows with the index, so the lookup does too.
    """

    __slots__ = ("_file", "_final", "_runs", "_types", "schema")

    def __init__(
        self, key: type[pl.DataType] = pl.UInt32, value: type[pl.DataType] = pl.UInt32
    ) -> None:
        self.schema = pl.Schema({"key": key, "value": value})
        self._types = {"key": _ARROW_UNSIGNED[key], "value": _ARROW_UNSIGNED[value]}
        self._runs: list[pl.DataFrame] = []  # (key, value), still merging
        self._final: list[_FinalRun] = []  # keys and values in the file
        self._file: _ScratchFile | None = None

    def __iter__(self) -> Iterator[pl.DataFrame]:
        """Yield every run as (key, value) rows, the final ones read back from the file."""
        for run in self._final:
            keys = self._words(run.keys_at, [(0, run.size)], "key")
            values = self._words(run.values_at, [(0, run.size)], "value")
            yield pl.DataFrame([keys.alias("key"), values.alias("value")])
        yield from self._runs

    def estimated_size(self) -> int:
        return sum(run.estimated_size() for run in self._final) + sum(
            int(run.estimated_size()) for run in self._runs
        )

    def _words(self, offset: int, ranges: Iterable[tuple[int, int]], column: str) -> pl.Series:
        """Return the words at positions [first, last) of each range of the array at byte
        `offset` of the file (a final run's keys or its values: `column`)."""
        assert self._file is not None
        dtype = self._types[column]
        width = dtype.bit_width // 8
        return self._file.read(
            ((offset + width * first, width * (last - first)) for first, last in ranges), dtype
        )

    def _found(self) -> pl.DataFrame:
        return pl.DataFrame(schema={"doc": pl.UInt32, "value": self.schema["value"]})

    def add(self, rows: pl.DataFrame) -> None:
        """Add (key, value) rows."""
        if rows.height == 0:
            return
        runs = self._runs
        runs.append(rows.select(self.schema.names()).cast(self.schema).sort("key"))
        while len(runs) >= 2 and runs[-2].height <= 2 * runs[-1].height:
            newer = runs.pop()
            runs[-1] = runs[-1].merge_sorted(newer, key="key")
        row_bytes = sum(dtype.bit_width // 8 for dtype in self._types.values())
        if runs[-1].height * row_bytes >= _FINAL_BYTES:
            if self._file is None:
                self._file = _ScratchFile()
            final = runs.pop()
            keys = final.get_column("key")
            keys_at = self._file.append(keys)
            values_at = self._file.append(final.get_column("value"))
            self._final.append(_FinalRun.of(keys.to_numpy(), keys_at, values_at))

    def lookup(self, keys: pl.DataFrame) -> pl.DataFrame:
        """Return (doc, value) for every held row whose key equals the key of a (key, doc) row."""
        keys = keys.sort("key")
        wanted = keys.get_column("key")
        found = [self._found()]
        if self._final:
            as_array = wanted.to_numpy()
            hashes = _bloom_hashes(as_array)
            found += [self._lookup_final(run, keys, as_array, hashes) for run in self._final]
        for where in self._runs:
            held = where.get_column("key")
            first = held.search_sorted(wanted, side="left")
            at = pl.DataFrame({"doc": keys.get_column("doc"), "key": wanted, "first": first})
            # Most keys are not held: the end of the equal range is searched for the others.
            hits = at.filter(
                held.gather(first.clip(upper_bound=held.len() - 1)).eq(at.get_column("key"))
                & (first < held.len())
            )
            if hits.height == 0:
                continue
            hits = hits.with_columns(last=held.search_sorted(hits.get_column("key"), side="right"))
            positions = hits.select(pl.int_ranges("first", "last")).explode("first")
            values = where.get_column("value").gather(positions.to_series())
            found.append(_doc_values(hits, values))
        return pl.concat(found)

    def _lookup_final(
        self,
        run: _FinalRun,
        keys: pl.DataFrame,
        wanted: npt.NDArray[np.unsignedinteger[Any]],
        hashes: npt.NDArray[np.uint64],
    ) -> pl.DataFrame:
        """Return (doc, value) for the sorted (key, doc) rows whose key a final run holds
        (`wanted`: the keys as an array, `hashes`: their `_bloom_hashes`)."""
        maybe = run.may_hold(hashes)
        if not maybe.any():
            return self._found()
        candidates = wanted[maybe]
        # A key's equal range starts in the block before the first whose fence reaches it
        # (or that block itself) and ends in the last block whose fence is at most the key.
        low = np.maximum(np.searchsorted(run.fences, candidates, side="left") - 1, 0)
        high = np.searchsorted(run.fences, candidates, side="right") - 1
        held_in = high >= low
        # A key held more than two blocks long is rare: only its middle blocks need a loop.
        wide = np.flatnonzero(high - low > 1)
        blocks = np.unique(
            np.concatenate(
                [low[held_in], high[held_in]]
                + [np.arange(low[i] + 1, high[i]) for i in wide.tolist()]
            )
        )
        if blocks.size == 0:
            return self._found()
        # The blocks are read in order, so `local` is still sorted; `offsets` is where each
        # of its keys is in the run (the run's last block may be short).
        spans = [(b * _BLOCK_KEYS, min((b + 1) * _BLOCK_KEYS, run.size)) for b in blocks.tolist()]
        local = self._words(run.keys_at, spans, "key").to_numpy()
        offsets = (blocks[:, None] * _BLOCK_KEYS + np.arange(_BLOCK_KEYS)[None, :]).ravel()
        offsets = offsets[offsets < run.size]
        first = np.searchsorted(local, candidates, side="left")
        last = np.searchsorted(local, candidates, side="right")
        held = last > first
        if not held.any():
            return self._found()
        start = offsets[first[held]]
        count = last[held] - first[held]
        hits = pl.DataFrame(
            {
                "doc": keys.get_column("doc").filter(pl.Series(maybe)).filter(pl.Series(held)),
                "first": start,
                "last": start + count,
            }
        )
        ranges = zip(hits["first"], hits["last"], strict=True)
        return _doc_values(hits, self._words(run.values_at, ranges, "value"))


def _doc_values(hits: pl.DataFrame, values: pl.Series) -> pl.DataFrame:
    """Return (doc, value): each hit's doc repeated over the values of its [first, last)."""
    docs = hits.select(pl.col("doc").repeat_by(pl.col("last") - pl.col("first")))
    return pl.DataFrame([docs.explode("doc").to_series().cast(pl.UInt32), values.alias("value")])


_ROW_COLUMNS = [*_ID, *_SIG]  # an indexed article: its id's two words, its signature's eight
_TAIL_ROWS = 1 << 15  # rows kept in memory before they are spilled (2.5 MiB of index rows)


class _SpilledRows:
    """Rows of 64-bit words in the order appended, the older ones in a scratch file: the id
    and signature of each indexed article, and the ids of the articles kept.

    The index's rows are only read for the candidate pairs of a batch (tens of rows), yet held
    in memory they were 80 bytes an article, the largest share of the growth of a long run
    (60 MiB at 1 GB). Rows are appended to an in-memory tail; a full tail goes to the file,
    row `ord` at byte `ord * row bytes`, its words side by side, so that a row is one read.
    """

    __slots__ = ("_columns", "_file", "_spilled", "_tail")

    def __init__(self, columns: list[str]) -> None:
        self._columns = columns
        self._file: _ScratchFile | None = None
        self._spilled = 0
        self._tail = pl.DataFrame(schema=dict.fromkeys(columns, _U64))

    def __len__(self) -> int:
        return self._spilled + self._tail.height

    def estimated_size(self) -> int:
        return int(self._tail.estimated_size())

    def append(self, rows: pl.DataFrame) -> None:
        """Append rows that have (at least) this store's columns."""
        self._tail = pl.concat([self._tail, rows.select(self._columns)], rechunk=False)
        if self._tail.height >= _TAIL_ROWS:
            if self._file is None:
                self._file = _ScratchFile()
            # Rows side by side, word after word: numpy interleaves 32,768 rows in ~0.2 ms,
            # where polars' concat_list and explode took ~25 ms for two columns.
            columns = [self._tail.get_column(c).to_numpy() for c in self._columns]
            self._file.append(pl.Series(np.column_stack(columns).ravel()))
            self._spilled += self._tail.height
            self._tail = self._tail.clear()

    def _read(self, spans: Iterable[tuple[int, int]]) -> pl.DataFrame:
        assert self._file is not None
        width = len(self._columns)
        row_bytes = 8 * width
        flat = self._file.read(((row_bytes * o, row_bytes * n) for o, n in spans), pa.uint64())
        return pl.DataFrame(
            [flat.gather_every(width, offset=i).alias(c) for i, c in enumerate(self._columns)]
        )

    def slice(self, low: int, length: int) -> pl.DataFrame:
        """Return rows `low` to `low + length` (`length` rows at most)."""
        high = min(low + length, len(self))
        parts = [self._tail.clear()]
        if low < self._spilled:
            parts.append(self._read([(low, min(high, self._spilled) - low)]))
        if high > self._spilled:
            start = max(low, self._spilled) - self._spilled
            parts.append(self._tail.slice(start, high - self._spilled - start))
        return pl.concat(parts)

    def gather(self, ords: pl.Series) -> pl.DataFrame:
        """Return the rows at positions `ords`, in their order."""
        ords = ords.cast(pl.Int64)
        on_disk = ords < self._spilled
        if not on_disk.any():
            return self._tail[ords - self._spilled]
        read = self._read((o, 1) for o in ords.filter(on_disk))
        if on_disk.all():
            return read
        held = self._tail[ords.filter(~on_disk) - self._spilled]
        at = pl.concat([on_disk.arg_true(), (~on_disk).arg_true()])
        return pl.concat([read, held]).with_columns(at=at).sort("at").drop("at")


class NearDuplicateIndex:
    """The signatures and band keys of every article kept so far (the near-dedup state).

    The ids and signatures, read only for candidates, go to a temporary file (`_SpilledRows`).
    The band keys, looked up for every record, are sorted runs (`_SortedRuns`): the newest in
    memory, 8 bytes a key with its ord, the final ones in the file with a Bloom filter and
    block fences in memory, ~1.3 bytes a key (~10 bytes an article of 8 bands).
    """

    def __init__(self, threshold: float = DEFAULT_NEAR_THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        # Ids as two words (see SeenArticles), signatures as eight packed words.
        self._articles = _SpilledRows(_ROW_COLUMNS)
        self._bands = _SortedRuns()

    def __len__(self) -> int:
        return len(self._articles)

    def estimated_size(self) -> int:
        """Return the bytes the index holds in memory (polars' estimate)."""
        return int(self._articles.estimated_size() + self._bands.estimated_size())

    def add(self, signatures: pl.DataFrame) -> None:
        """Remember kept articles, given as rows of `near_signatures`."""
        start = len(self)
        self._articles.append(signatures.select(*_id_words(pl.col("article_id")), *_SIG))
        bands = (
            signatures.select(_BAND)
            .with_row_index("ord", offset=start)
            .unpivot(index="ord", value_name="key")
            .drop_nulls("key")
            .select("key", value="ord")
        )
        self._bands.add(bands)

    def to_frame(self) -> pl.DataFrame:
        """Return the index as one row per article (INDEX_SCHEMA), in the order they were kept."""
        return pl.concat([pl.DataFrame(schema=INDEX_SCHEMA), *self.frames()])

    def frames(self, start: int = 0, rows: int = 1 << 17) -> Iterator[pl.DataFrame]:
        """Yield the rows of `to_frame` from article `start` on, at most `rows` at a time.

        Only one slice is built at a time: the whole frame (hex ids, band lists) would cost
        more memory at the end of a long run than the index itself.
        """
        for low in range(start, len(self), rows):
            high = min(low + rows, len(self))
            bands = (
                pl.concat(
                    [pl.DataFrame(schema=self._bands.schema)]
                    + [run.filter(pl.col("value").is_between(low, high - 1)) for run in self._bands]
                )
                .group_by(ord="value")
                .agg(pl.col("key").sort())
            )
            articles = self._articles.slice(low, high - low)
            yield (
                articles.with_columns(_hex_ids(articles))
                .with_row_index("ord", offset=low)
                .join(bands, on="ord", how="left", maintain_order="left")
                .select(
                    "article_id",
                    *_SIG,
                    pl.col("key").fill_null(pl.lit([], dtype=pl.List(pl.UInt32))).alias("bands"),
                )
                .cast(dict(INDEX_SCHEMA))  # type: ignore[arg-type]
            )

    @classmethod
    def from_frame(
        cls, frame: pl.DataFrame, threshold: float = DEFAULT_NEAR_THRESHOLD
    ) -> NearDuplicateIndex:
        """Return an index holding the articles of a frame made by `to_frame`."""
        return cls.from_frames([frame], threshold)

    @classmethod
    def from_frames(
        cls, frames: Iterable[pl.DataFrame], threshold: float = DEFAULT_NEAR_THRESHOLD
    ) -> NearDuplicateIndex:
        """Return an index holding the articles of `to_frame`'s rows, given a slice at a time.

        Each slice goes in as a run's articles would (ids and signatures to the scratch file,
        band keys to a sorted run), so a saved index is never held whole: at 757,000 articles
        the whole frame took ~200 MiB more than the index it makes.
        """
        index = cls(threshold)
        for frame in frames:
            for low in range(0, frame.height, _TAIL_ROWS):
                part = frame.slice(low, _TAIL_ROWS)
                start = len(index)
                index._articles.append(
                    part.select(
                        *_id_words(pl.col("article_id").cast(pl.String)),
                        *(pl.col(c).cast(_U64) for c in _SIG),
                    )
                )
                index._bands.add(
                    part.select(pl.col("bands").cast(pl.List(pl.UInt32)))
                    .with_row_index("ord", offset=start)
                    .explode("bands")
                    .drop_nulls("bands")
                    .select(key="bands", value="ord")
                )
        return index

    def candidates(self, bands: pl.DataFrame) -> pl.DataFrame:
        """Return (doc, ord) pairs of batch rows and indexed articles that share a band key."""
        return self._bands.lookup(bands).select("doc", ord="value").unique()

    def signatures_of(self, ords: pl.Series) -> pl.DataFrame:
        """Return the signatures (`_SIG`) of indexed articles, in the order of `ords`."""
        # No ids: scoring reads every candidate's signature, and only the few pairs found
        # similar need an id (`ids_of`); making hex ids for all cost ~11 ms a batch.
        return self._articles.gather(ords).select(_SIG)

    def ids_of(self, ords: pl.Series) -> pl.Series:
        """Return the article ids of indexed articles, in the order of `ords`."""
        return _hex_ids(self._articles.gather(ords))


def _long_bands(signatures: pl.DataFrame) -> pl.DataFrame:
    return (
        signatures.select(_BAND)
        .with_row_index("doc")
        .unpivot(index="doc", value_name="key")
        .drop_nulls("key")
        .select("key", "doc")
    )


def _scored_pairs(signatures: pl.DataFrame, index: NearDuplicateIndex) -> pl.DataFrame:
    """Return (earlier, later, similarity) for candidate pairs at or above the threshold.

    `later` is a batch row; `earlier` is an index position, or `len(index) + row` for an
    earlier row of the same batch, so earlier articles have smaller numbers.
    """
    n_index = len(index)
    bands = _long_bands(signatures)
    against_index = index.candidates(bands)
    # Only a key held by two rows or more pairs rows of the batch: most keys are not, and the
    # window below costs 6 ms over a whole batch's 12,800 keys, 0.3 ms over the shared ones.
    shared = bands.filter(pl.col("key").is_duplicated())
    # A band key shared by many rows of one batch (a cluster of copies) would pair them all:
    # only its first rows are paired with the later ones, which bounds the pairs.
    first = shared.filter(pl.int_range(pl.len()).over("key") < _PAIRS_PER_KEY)
    within = (
        first.join(shared, on="key", suffix="_later")
        .filter(pl.col("doc") < pl.col("doc_later"))
        .select(earlier="doc", later="doc_later")
        .unique()
    )
    sigs = signatures.select(_SIG)
    scored = []
    if against_index.height:
        similarity = _similarity(
            index.signatures_of(against_index["ord"]), sigs[against_index["doc"]]
        )
        scored.append(
            against_index.select(
                earlier=pl.col("ord").cast(pl.Int64),
                later=pl.col("doc").cast(pl.Int64),
                similarity=pl.Series(similarity),
            )
        )
    if within.height:
        similarity = _similarity(sigs[within["earlier"]], sigs[within["later"]])
        scored.append(
            within.select(
                earlier=pl.col("earlier").cast(pl.Int64) + n_index,
                later=pl.col("later").cast(pl.Int64),
                similarity=pl.Series(similarity),
            )
        )
    empty = pl.DataFrame(schema={"earlier": pl.Int64, "later": pl.Int64, "similarity": pl.Float64})
    return pl.concat([empty, *scored]).filter(pl.col("similarity") >= index.threshold)


def _resolve(pairs: pl.DataFrame, n_docs: int, n_index: int) -> pl.DataFrame:
    """Return (later, earlier, similarity) for every batch row that is a near duplicate.

    A row is a near duplicate when an earlier *kept* article is similar enough, and it points
    to the most similar one (ties: the earliest). Indexed articles are kept by definition, but
    whether an earlier row of the batch is kept depends on the rows before it, so rows are
    settled in rounds; each round settles at least the earliest unsettled row (chains of
    similar rows are short, so this is one or two rounds in practice). A row's most similar
    candidate that is not dropped decides for it, so a row waits while that one is unsettled
    rather than take a less similar kept one: the pointer is then the same whatever the
    batch boundaries.
    """
    kept, dropped, open_ = 1, 0, -1
    ranked = pairs.sort(["later", "similarity", "earlier"], descending=[False, True, False])
    status = pl.Series("status", [kept], dtype=pl.Int8).extend_constant(kept, n_docs - 1)
    status = status.scatter(ranked["later"].unique(), open_)
    found = []
    while ranked.height:
        known = (
            pl.when(pl.col("earlier") < n_index)
            .then(pl.lit(kept, dtype=pl.Int8))
            .otherwise(pl.lit(status).gather((pl.col("earlier") - n_index).clip(0)))
        )
        # Candidates already dropped no longer count. The most similar of the others decides:
        # kept, the row is its near duplicate; still open, the row waits for it, even when a
        # less similar candidate is kept already (or the pointer would depend on the batches).
        live = ranked.with_columns(earlier_status=known).filter(pl.col("earlier_status") != dropped)
        first = live.group_by("later", maintain_order=True).first()
        now_dropped = first.filter(pl.col("earlier_status") == kept)
        # A row whose candidates were all dropped is kept.
        now_kept = ranked.select("later").unique().join(first, on="later", how="anti")["later"]
        if now_dropped.height + now_kept.len() == 0:  # pragma: no cover - impossible by order
            raise AssertionError("near-duplicate resolution made no progress")
        found.append(now_dropped.select("later", "earlier", "similarity"))
        status = status.scatter(now_dropped["later"], dropped).scatter(now_kept, kept)
        settled = pl.concat([now_dropped["later"], now_kept])
        ranked = ranked.filter(~pl.col("later").is_in(settled.implode()))
    schema = {"later": pl.Int64, "earlier": pl.Int64, "similarity": pl.Float64}
    return pl.concat([pl.DataFrame(schema=schema), *found]).sort("later")


def drop_near_duplicates(
    records: pl.DataFrame,
    index: NearDuplicateIndex,
    *,
    keep: bool = False,
    signatures: pl.DataFrame | None = None,
) -> Deduplicated:
    """Return the batch without near duplicates of earlier kept articles (or with, when `keep`).

    `signatures` (`near_signatures(records)`, row for row) may be computed ahead, for example
    in parallel with other batches: it is the costly, batch-local part; only the index lookup
    is sequential.
    """
    if records.height == 0:
        return Deduplicated(records, _empty_duplicates())
    if signatures is None:
        signatures = near_signatures(records)
    elif signatures.height != records.height:
        raise ValueError("signatures must have one row per record")
    n_index = len(index)
    near = _resolve(_scored_pairs(signatures, index), records.height, n_index)
    rows = near["later"]
    is_near = pl.zeros(records.height, dtype=pl.Boolean, eager=True).scatter(rows, True)
    in_index = near.filter(pl.col("earlier") < n_index)
    kept_ids = pl.concat(
        [
            index.ids_of(in_index["earlier"]),
            records["article_id"][near.filter(pl.col("earlier") >= n_index)["earlier"] - n_index],
        ]
    )
    order = pl.concat([in_index["later"], near.filter(pl.col("earlier") >= n_index)["later"]])
    target = pl.DataFrame({"later": order, "kept_id": kept_ids}).sort("later")
    report = _duplicate_rows(
        records[rows].with_columns(kept_id=target["kept_id"], similarity=near["similarity"]),
        pl.col("kept_id"),
        DuplicateKind.NEAR,
        pl.col("similarity"),
    )
    index.add(signatures.filter(~is_near))
    if keep:
        return Deduplicated(records, _empty_duplicates(), report)
    return Deduplicated(records.filter(~is_near), report)
