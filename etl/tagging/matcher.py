"""Matching: polars' Aho-Corasick over text columns, with code-point offsets and word boundaries.

`scan` runs polars' Aho-Corasick twice over every text, side by side in one `select`:
`str.find_many` for the *byte* starts of the matches and `str.extract_many` for the patterns
matched. Both get the whole pattern list in priority order (longest first) and
`leftmost=True`, so both report the same leftmost-longest, non-overlapping matches in the same
order, and they zip into one row per match. (Identifying each match from a window cut at its
start was measured slower: a third of the matches start a pattern that a longer one extends,
so most windows had to be long.)

Offsets: ASCII texts (nearly all English news) keep byte offsets, which are code points.
In the other texts, byte starts become code points by counting the characters of the
segments between consecutive matches (linear in the text, no per-row Python).

Word boundaries are checked after matching: a match whose first (last) character is a letter
or digit must not be preceded (followed) by one, so `Oman` in `Romania` or `US` in `USDA`
is dropped, while `Japan's`, `US-China` and `(WCO)` keep their match.
"""

from __future__ import annotations

from functools import cache

import polars as pl

__all__ = ["MARK", "WORD_CHAR", "listed", "scan", "slice_chars"]

#: A character that continues a word: a letter or a digit (any script).
WORD_CHAR = r"^[\p{L}\p{N}]"
#: Marks a match in a text rewritten by `replace_many` (the Extract stage removes the control
#: characters from every text; a text that still holds one is matched the slower way).
MARK = "\x01"


def listed(patterns: pl.Series) -> pl.Expr:
    """Return `patterns` as one literal list: the form `find_many` takes for a fixed set."""
    return pl.lit(patterns).implode()


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


def _marker_width(count: int) -> int:
    """Return how many letters (base 26) number `count` patterns."""
    width = 1
    while 26**width < count:
        width += 1
    return width


@cache
def _markers(count: int) -> pl.Series:
    """Return `MARK` + the pattern's number in capital letters (base 26), for each pattern."""
    width = _marker_width(count)
    digits = [26 ** (width - 1 - i) for i in range(width)]
    # Built once per pattern count: a few thousand short strings.
    return pl.Series(
        [MARK + "".join(chr(65 + n // d % 26) for d in digits) for n in range(count)],
        dtype=pl.String,
    )


def _matches(texts: pl.DataFrame, patterns: pl.Series) -> pl.DataFrame:
    """Return one row per match: the text's columns, `b` (its byte start) and `match`."""
    marked = pl.col("text").str.contains(MARK, literal=True)
    plain = texts.filter(~marked)
    parts = [_matches_by_marking(plain, patterns)] if plain.height else []
    odd = texts.filter(marked)
    if odd.height:
        parts.append(_matches_twice(odd, patterns))
    return pl.concat(parts) if parts else _matches_twice(texts, patterns)


def _matches_by_marking(texts: pl.DataFrame, patterns: pl.Series) -> pl.DataFrame:
    """Return the matches of texts without `MARK`, with one Aho-Corasick pass.

    `replace_many` (leftmost-first, like `find_many`) puts `MARK` and the pattern's number in
    place of every match; a memchr-fast search for `MARK` then gives each marker's byte
    position, and the byte start of the match in the original text is that position less
    what the earlier markers of the text added or removed. Only narrow columns are exploded;
    the texts come back by a join (exploding the text column copies far more).
    """
    width = _marker_width(patterns.len())
    markers = _markers(patterns.len())
    nbytes = patterns.str.len_bytes().cast(pl.Int64)
    numbers = pl.int_range(patterns.len(), dtype=pl.UInt32, eager=True)

    # One scan on one thread: the pipeline already runs a batch per core, and slicing a batch
    # across polars' threads built the automaton once per slice (22 ms each) for no gain there.
    # The in-memory engine: the default (streaming) engine spent ~4 ms more CPU per MB here.
    hits = (
        texts.lazy()
        .select(
            "tid",
            marked=pl.col("text").str.replace_many(
                listed(patterns), listed(markers), leftmost=True
            ),
        )
        .select(
            "tid",
            p=pl.col("marked").str.find_many([MARK]),
            code=pl.col("marked").str.extract_all(MARK + "[A-Z]{" + str(width) + "}"),
        )
        .explode("p", "code")
        .filter(pl.col("p").is_not_null())
        .with_columns(number=pl.col("code").replace_strict(markers, numbers))
        .with_columns(
            shift=1 + width - pl.lit(nbytes).gather(pl.col("number")),
            first=(pl.col("tid") != pl.col("tid").shift(1)).fill_null(value=True),
        )
        # Bytes the earlier markers of the same text added: a running sum reset per text.
        .with_columns(total=pl.col("shift").cum_sum() - pl.col("shift"))
        .with_columns(base=pl.when("first").then(pl.col("total")).forward_fill())
        .select(
            "tid",
            b=(pl.col("p") - (pl.col("total") - pl.col("base"))).cast(pl.UInt32),
            match=pl.lit(patterns).gather(pl.col("number")),
        )
        .collect(engine="in-memory")
    )
    return hits.join(texts, on="tid", maintain_order="left")


def _matches_twice(texts: pl.DataFrame, patterns: pl.Series) -> pl.DataFrame:
    """Return the matches of any texts, with `find_many` and `extract_many` side by side."""
    patterns_list = listed(patterns)
    hits = (
        texts.select(
            "tid",
            b=pl.col("text").str.find_many(patterns_list, leftmost=True),
            match=pl.col("text").str.extract_many(patterns_list, leftmost=True),
        )
        .explode("b", "match")
        .filter(pl.col("b").is_not_null())
    )
    return hits.join(texts, on="tid", maintain_order="left")


def _word_byte(byte: str) -> pl.Expr:
    """Whether the ASCII byte in column `byte` is a letter or a digit (false for null)."""
    x = pl.col(byte)
    return ((x | 32).is_between(97, 122) | x.is_between(48, 57)).fill_null(value=False)


def _bounded_ascii(hits: pl.DataFrame) -> pl.DataFrame:
    """Keep the word-bounded matches of ASCII texts; their byte offsets are code points."""
    as_bytes = pl.col("text").cast(pl.Binary)
    match = pl.col("match").cast(pl.Binary)
    # Each byte is materialised once: eager expressions do not share common subexpressions.
    edges = hits.with_columns(end=pl.col("b") + pl.col("match").str.len_bytes()).with_columns(
        before=pl.when(pl.col("b") > 0).then(as_bytes.bin.get(pl.col("b") - 1, null_on_oob=True)),
        after=as_bytes.bin.get(pl.col("end"), null_on_oob=True),
        first=match.bin.get(0),
        last=match.bin.get(-1),
    )
    bounded = (~_word_byte("first") | ~_word_byte("before")) & (
        ~_word_byte("last") | ~_word_byte("after")
    )
    return edges.filter(bounded).select(
        "doc",
        "field",
        "text",
        ascii=pl.lit(value=True),
        start=pl.col("b").cast(pl.Int64),
        end=pl.col("end").cast(pl.Int64),
        match="match",
    )


def _char_starts(hits: pl.DataFrame) -> pl.DataFrame:
    """Add `start`: the code-point offset of each byte start `b` (matches in text order)."""
    # Characters between consecutive match starts, summed along each text: linear in its length.
    # A text's matches are consecutive rows, so no grouping is needed to find its first one.
    first = (pl.col("tid") != pl.col("tid").shift(1)).fill_null(value=True)
    hits = hits.with_columns(first=first).with_columns(
        previous=pl.when("first").then(0).otherwise(pl.col("b").shift(1))
    )
    segment = (
        pl.col("text")
        .cast(pl.Binary)
        .bin.slice(pl.col("previous"), pl.col("b") - pl.col("previous"))
        .cast(pl.String)
        .str.len_chars()
        .cast(pl.Int64)
    )
    hits = hits.with_columns(segment=segment).with_columns(total=pl.col("segment").cum_sum())
    return hits.with_columns(
        start=pl.col("total")
        - pl.when("first").then(pl.col("total") - pl.col("segment")).forward_fill()
    ).drop("first", "previous", "segment", "total")


def _bounded_other(hits: pl.DataFrame) -> pl.DataFrame:
    """Keep the word-bounded matches of non-ASCII texts, offsets turned into code points."""
    as_bytes = pl.col("text").cast(pl.Binary)
    match = pl.col("match").cast(pl.Binary)
    edges = (
        _char_starts(hits)
        .with_columns(
            end=pl.col("start") + pl.col("match").str.len_chars().cast(pl.Int64),
            b_end=pl.col("b") + pl.col("match").str.len_bytes(),
        )
        .with_columns(
            before=pl.when(pl.col("b") > 0).then(
                as_bytes.bin.get(pl.col("b") - 1, null_on_oob=True)
            ),
            after=as_bytes.bin.get(pl.col("b_end"), null_on_oob=True),
            first=match.bin.get(0),
            last=match.bin.get(-1),
        )
    )
    # A neighbour or edge outside ASCII is read as a character (rare: an accent, a curly quote).
    wide = (
        (pl.col("before") >= 0x80)
        | (pl.col("after") >= 0x80)
        | (pl.col("first") >= 0x80)
        | (pl.col("last") >= 0x80)
    ).fill_null(value=False)
    narrow = edges.filter(~wide).filter(
        (~_word_byte("first") | ~_word_byte("before"))
        & (~_word_byte("last") | ~_word_byte("after"))
    )
    chars = edges.filter(wide).with_columns(
        before=pl.col("text").str.slice(
            pl.max_horizontal(pl.col("start") - 1, 0), pl.min_horizontal(pl.col("start"), 1)
        ),
        after=pl.col("text").str.slice(pl.col("end"), 1),
        first=pl.col("match").str.slice(0, 1),
        last=pl.col("match").str.slice(-1),
    )
    word = {c: pl.col(c).str.contains(WORD_CHAR) for c in ("before", "after", "first", "last")}
    wide_kept = chars.filter((~word["first"] | ~word["before"]) & (~word["last"] | ~word["after"]))
    columns = ["doc", "field", "text", "start", "end", "match"]
    return pl.concat([narrow.select(columns), wide_kept.select(columns)]).select(
        "doc", "field", "text", ascii=pl.lit(value=False), start="start", end="end", match="match"
    )


def scan(texts: pl.DataFrame, patterns: pl.Series) -> pl.DataFrame:
    """Return every leftmost-longest, word-bounded match in `texts` (doc, field, text).

    `patterns` must be in priority order (longest first). Output columns: doc, field, text,
    ascii, start, end (code points, end exclusive) and `match` (the pattern, equal to
    `text[start:end]`).
    """
    if texts.height == 0 or patterns.len() == 0:
        return _empty(texts)
    ascii = pl.col("text").str.len_bytes() == pl.col("text").str.len_chars()
    flagged = texts.select("doc", "field", "text", is_ascii=ascii).with_row_index("tid")
    hits = _matches(flagged, patterns)
    parts = [_bounded_ascii(hits.filter(pl.col("is_ascii")))]
    other = hits.filter(~pl.col("is_ascii"))
    if other.height:
        parts.append(_bounded_other(other))
    return pl.concat(parts)


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
        }
    )
