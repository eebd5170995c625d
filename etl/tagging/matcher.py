"""Matching: polars' Aho-Corasick over text columns, with code-point offsets and word boundaries.

`scan` runs `str.find_many` once over every text with the whole pattern list in priority
order (longest first): polars' leftmost-first mode then yields the leftmost-longest match at
each position, without overlaps. `find_many` reports only *byte* starts, so each match is
identified by running `extract_many` again over a short window cut at its start (the first
pattern found there is the one the full scan found), and byte offsets become code-point
offsets: unchanged for ASCII texts, and for the others by counting the characters of the
segments between consecutive matches (linear in the text, no per-row Python).

Word boundaries are checked after matching: a match whose first (last) character is a letter
or digit must not be preceded (followed) by one, so `Oman` in `Romania` or `US` in `USDA`
is dropped, while `Japan's`, `US-China` and `(WCO)` keep their match.
"""

from __future__ import annotations

import polars as pl

__all__ = ["WORD_CHAR", "scan", "slice_chars"]

#: A character that continues a word: a letter or a digit (any script).
WORD_CHAR = r"^[\p{L}\p{N}]"

# Above this many bytes of text, the scan runs on several row slices at once (one per thread).
_PARALLEL_BYTES = 1 << 20

MATCH_SCHEMA = pl.Schema(
    {
        "doc": pl.UInt32,
        "field": pl.String,
        "start": pl.Int64,
        "end": pl.Int64,
        "match": pl.String,
    }
)


def slice_chars(text: pl.Expr, start: pl.Expr, length: pl.Expr | int, ascii: pl.Expr) -> pl.Expr:
    """Return `text[start:start + length]` in code points (`start` clipped at 0).

    ASCII texts are cut as bytes in constant time; the others with `str.slice`, which walks
    the string up to `start`.
    """
    start = pl.max_horizontal(start, pl.lit(0))
    length = pl.lit(length) if isinstance(length, int) else pl.max_horizontal(length, pl.lit(0))
    as_bytes = pl.when(ascii).then(text).cast(pl.Binary).bin.slice(start, length).cast(pl.String)
    as_chars = pl.when(~ascii).then(text).str.slice(start, length)
    return pl.coalesce(as_bytes, as_chars)


def _find(texts: pl.DataFrame, patterns: pl.Series) -> pl.DataFrame:
    """Return (doc, field, text, ascii, b): one row per match with its byte start `b`."""
    find = pl.col("text").str.find_many(pl.lit(patterns).implode(), leftmost=True).alias("b")
    total = int(texts.get_column("nbytes").sum())
    threads = pl.thread_pool_size()
    if total < _PARALLEL_BYTES or threads < 2 or texts.height < threads:
        parts = [texts.lazy().with_columns(find)]
    else:
        # One Aho-Corasick scan per row slice, run side by side: the scan is most of the work.
        step = -(-texts.height // threads)
        parts = [
            texts.slice(i, step).lazy().with_columns(find) for i in range(0, texts.height, step)
        ]
    found = pl.collect_all([p.explode("b").filter(pl.col("b").is_not_null()) for p in parts])
    return pl.concat(found) if len(found) > 1 else found[0]


def _char_starts(hits: pl.DataFrame) -> pl.DataFrame:
    """Add `start`: the code-point offset of every match's byte start `b`."""
    ascii_rows = hits.filter(pl.col("ascii")).with_columns(start=pl.col("b").cast(pl.Int64))
    other = hits.filter(~pl.col("ascii"))
    if other.height == 0:
        return ascii_rows
    # Characters between consecutive match starts, summed along each text: linear in its length.
    previous = pl.col("b").shift(1, fill_value=0).over("doc", "field")
    segment = (
        pl.col("text")
        .cast(pl.Binary)
        .bin.slice(previous, pl.col("b") - previous)
        .cast(pl.String)
        .str.len_chars()
    )
    other = other.with_columns(start=segment.cum_sum().over("doc", "field").cast(pl.Int64))
    return pl.concat([ascii_rows, other])


def scan(texts: pl.DataFrame, patterns: pl.Series | pl.Expr, max_chars: int) -> pl.DataFrame:
    """Return every leftmost-longest, word-bounded match in `texts` (doc, field, text).

    Output columns: doc, field, text, ascii, start, end (code points, end exclusive) and
    `match` (the pattern, equal to `text[start:end]`). With a per-row `patterns` expression
    (a list column), each row is matched against its own patterns, longest first.
    """
    prepared = texts.with_columns(
        nbytes=pl.col("text").str.len_bytes(),
        ascii=pl.col("text").str.len_bytes() == pl.col("text").str.len_chars(),
    )
    if isinstance(patterns, pl.Series):
        hits = _find(prepared, patterns)
        window_patterns = pl.lit(patterns).implode()
    else:
        hits = (
            prepared.with_columns(b=pl.col("text").str.find_many(patterns, leftmost=True))
            .explode("b")
            .filter(pl.col("b").is_not_null())
        )
        window_patterns = patterns
    if hits.height == 0:
        return _empty(texts)
    hits = _char_starts(hits)
    window = slice_chars(pl.col("text"), pl.col("start"), max_chars, pl.col("ascii"))
    hits = hits.with_columns(
        match=window.str.extract_many(window_patterns, leftmost=True).list.first()
    ).with_columns(end=pl.col("start") + pl.col("match").str.len_chars().cast(pl.Int64))
    before = slice_chars(
        pl.col("text"), pl.col("start") - 1, pl.min_horizontal(pl.col("start"), 1), pl.col("ascii")
    )
    after = slice_chars(pl.col("text"), pl.col("end"), 1, pl.col("ascii"))
    bounded = (~pl.col("match").str.contains(WORD_CHAR) | ~before.str.contains(WORD_CHAR)) & (
        ~pl.col("match").str.slice(-1).str.contains(WORD_CHAR) | ~after.str.contains(WORD_CHAR)
    )
    return hits.filter(bounded).select("doc", "field", "text", "ascii", "start", "end", "match")


def _empty(texts: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "doc": texts.schema["doc"],
            "field": pl.String,
            "text": pl.String,
            "ascii": pl.Boolean,
            "start": pl.Int64,
            "end": pl.Int64,
            "match": pl.String,
        }
    )
