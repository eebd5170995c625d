"""Matching: one Aho-Corasick automaton per pattern list, code-point offsets, word boundaries.

`compile_patterns` builds the automaton once (the gazetteer's 12,768 patterns take ~25 ms);
`scan` runs it over a whole batch at once: the texts are joined into one byte string with a
NUL between them (no pattern holds one, so no match spans two texts), the automaton reports
every leftmost-first match (the patterns come longest first, so leftmost-longest) as byte
spans, and numpy turns those into rows, code points and word-boundary checks.

The automaton is the Rust `aho-corasick` crate (through `ahocorasick_rs`), the same one behind
polars' `str.find_many`, so matches are the ones polars gives; it releases the GIL while it
matches, so the pipeline's two workers scan at once. polars itself rebuilt the automaton on
every call (~22 ms a batch) and needed a second pass to say which pattern matched.

Offsets: a match's byte start in its text, less the UTF-8 continuation bytes before it in the
text, is its code-point start (ASCII texts, nearly all English news, have none).

Word boundaries are checked after matching: a match whose first (last) character is a letter
or digit must not be preceded (followed) by one, so `Oman` in `Romania` or `US` in `USDA`
is dropped, while `Japan's`, `US-China` and `(WCO)` keep their match. Bytes outside ASCII
around a match (an accent, a curly quote) are read as characters, one match at a time.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass

import ahocorasick_rs
import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["Automaton", "chars_before", "compile_patterns", "scan", "slice_chars", "text_position"]

#: ASCII letters and digits: the bytes that continue a word.
_WORD_BYTE = np.zeros(256, dtype=np.bool_)
_WORD_BYTE[list(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")] = True
_UTF8_LEAD_MAX = 4  # bytes of the longest UTF-8 character
_SEGMENT_BYTES = 1 << 18  # text matched per call (a segment ends at the end of a text)


@dataclass(frozen=True, slots=True)
class Automaton:
    """Patterns in priority order (longest first) and the automaton that matches them."""

    patterns: pl.Series
    machine: ahocorasick_rs.BytesAhoCorasick


def compile_patterns(patterns: pl.Series) -> Automaton:
    """Return the automaton of `patterns` (in priority order: earlier wins at a start)."""
    machine = ahocorasick_rs.BytesAhoCorasick(
        [p.encode() for p in patterns.to_list()],
        matchkind=ahocorasick_rs.MatchKind.LeftmostFirst,
    )
    return Automaton(patterns, machine)


def text_position(position: pl.Expr) -> pl.Expr:
    """Return one integer key for (doc, field, `position`): a place in one text of a batch.

    One integer column joins and looks up (`is_in`) faster than the three it stands for.
    """
    text = pl.col("doc").cast(pl.Int64) * 2 + (pl.col("field") == "headline").cast(pl.Int64)
    return text * (1 << 31) + position


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


def chars_before(text: pl.Expr, end: pl.Expr, width: int, ascii: pl.Expr) -> pl.Expr:
    """Return the (at most) `width` code points of `text` that end at `end`."""
    return slice_chars(text, end - width, pl.min_horizontal(end, pl.lit(width)), ascii)


def scan(texts: pl.DataFrame, patterns: pl.Series | Automaton) -> pl.DataFrame:
    """Return every leftmost-longest, word-bounded match in `texts` (doc, field, text).

    `patterns` must be in priority order (longest first), or compiled from such a list.
    Output columns: doc, field, text, ascii, start, end (code points, end exclusive),
    `match` (the pattern, equal to `text[start:end]`) and `number` (the pattern's place in
    the list, UInt32), in text order.
    """
    listed = patterns.patterns if isinstance(patterns, Automaton) else patterns
    if texts.height == 0 or listed.len() == 0:
        return _empty(texts)
    automaton = patterns if isinstance(patterns, Automaton) else compile_patterns(patterns)
    lengths = texts.get_column("text").str.len_bytes().cast(pl.Int64).to_numpy()
    starts = np.zeros(len(lengths), dtype=np.int64)  # each text's first byte, joined
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    # Segments of whole texts, matched one at a time: every buffer below is a segment's,
    # whatever the batch size (the automaton answers with a ~130-byte tuple per match).
    firsts = np.searchsorted(starts, np.arange(0, int(starts[-1]) + 1, _SEGMENT_BYTES), "right")
    bounds = [*np.unique(firsts - 1).tolist(), texts.height]
    column = texts.get_column("text")
    hits = pl.concat(
        [
            _segment_hits(
                automaton, column.slice(low, high - low), low, starts[low:high] - starts[low]
            )
            for low, high in itertools.pairwise(bounds)
        ]
    )
    flagged = texts.select(
        "doc",
        "field",
        "text",
        ascii=pl.col("text").str.len_bytes() == pl.col("text").str.len_chars(),
    ).with_row_index("tid")
    return hits.join(flagged, on="tid", maintain_order="left").select(
        "doc",
        "field",
        "text",
        "ascii",
        "start",
        "end",
        match=pl.lit(automaton.patterns).gather(pl.col("number")),
        number="number",
    )


def _segment_hits(
    automaton: Automaton, texts: pl.Series, first_row: int, starts: npt.NDArray[np.int64]
) -> pl.DataFrame:
    """Return tid, start, end (code points) and pattern number of the bounded matches.

    The texts are joined with a NUL between them (no pattern holds one, so no match spans
    two texts), matched in one call, and the byte spans turned into rows and code points;
    `starts` holds each text's first byte in the joined segment.
    """
    joined = texts.str.join("\x00").cast(pl.Binary).item()
    found = automaton.machine.find_matches_as_indexes(joined)
    spans = np.fromiter(
        itertools.chain.from_iterable(found), dtype=np.int64, count=3 * len(found)
    ).reshape(-1, 3)
    del found
    number, begin, end = spans[:, 0], spans[:, 1], spans[:, 2]
    data = np.frombuffer(joined, dtype=np.uint8)
    keep = _bounded(joined, data, begin, end)
    row = np.searchsorted(starts, begin, side="right") - 1
    offset = starts[row]
    # UTF-8 continuation bytes (few: only texts outside ASCII have any), whose count before a
    # position turns its byte offset into code points.
    high = np.flatnonzero(data >= 0x80)
    tails = high[(data[high] & 0xC0) == 0x80]
    if tails.size:
        before = np.searchsorted(tails, offset)
        char_start = begin - offset - (np.searchsorted(tails, begin) - before)
        char_end = end - offset - (np.searchsorted(tails, end) - before)
    else:
        char_start, char_end = begin - offset, end - offset
    return pl.DataFrame(
        {
            "tid": (row[keep] + first_row).astype(np.uint32),
            "start": char_start[keep],
            "end": char_end[keep],
            "number": number[keep].astype(np.uint32),
        }
    )


def _bounded(
    joined: bytes,
    data: npt.NDArray[np.uint8],
    begin: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Return which matches are word-bounded (the NUL between texts bounds every text)."""
    last_byte = len(data) - 1
    # Outside `joined` reads as NUL, like the separator between texts.
    before = np.where(begin > 0, data[np.maximum(begin - 1, 0)], 0)
    after = np.where(end <= last_byte, data[np.minimum(end, last_byte)], 0)
    first, last = data[begin], data[end - 1]
    keep: npt.NDArray[np.bool_] = (~_WORD_BYTE[first] | ~_WORD_BYTE[before]) & (
        ~_WORD_BYTE[last] | ~_WORD_BYTE[after]
    )
    wide = (before >= 0x80) | (after >= 0x80) | (first >= 0x80) | (last >= 0x80)
    for i in np.flatnonzero(wide).tolist():  # rare: an accent or a curly quote at an edge
        a, b = int(begin[i]), int(end[i])
        match = joined[a:b].decode()
        previous = joined[max(0, a - _UTF8_LEAD_MAX) : a].decode(errors="ignore")[-1:]
        following = joined[b : b + _UTF8_LEAD_MAX].decode(errors="ignore")[:1]
        keep[i] = (not _is_word(match[0]) or not _is_word(previous)) and (
            not _is_word(match[-1]) or not _is_word(following)
        )
    return keep


def _is_word(char: str) -> bool:
    """Whether `char` is a letter or a digit of any script (false for no character)."""
    return bool(char) and unicodedata.category(char)[0] in "LN"


def _empty(texts: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "doc": texts.schema["doc"],
            "field": texts.schema["field"],
            "text": pl.String,
            "ascii": pl.Boolean,
            "start": pl.Int64,
            "end": pl.Int64,
            "match": pl.String,
            "number": pl.UInt32,
        }
    )
