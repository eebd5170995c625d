"""Extract: raw dump text in, one row per record out, as polars frames.

The parsing is columnar: a chunk of text becomes a frame of lines, the lines become
paragraphs (maximal runs of non-blank lines joined by single spaces), and the paragraphs
become records, all with polars expressions. `extract_batches` streams the chunks of
`etl.sources` through `parse_text`, carrying the last (possibly unfinished) record of each
chunk into the next, so memory stays bounded whatever the input size.

How a record starts (the headline rule, see docs/CONTRACT.md):

1. **Doubled headline**: a run of two or more consecutive paragraphs that are equal once case
   and whitespace are ignored, each at most `MAX_HEADLINE_CHARS` long. The run collapses into
   one headline; `headline_repeats` is the run's length.
2. **Headline not doubled**: a lone paragraph that looks like a headline (one line, at most
   `MAX_HEADLINE_WORDS` words, no sentence-final `.`, `;`, `:` or `,`, and Title Case or
   ALL CAPS), that is not the first paragraph after a headline (a record's first body
   paragraph is never taken for a headline, however short), and that is followed by a
   paragraph that does not itself look like a headline.

Every other paragraph is body text of the record before it. Paragraphs before a file's first
headline are a record without a headline and are rejected (`body_without_headline`), as is a
headline with no body (`headline_without_body`); rejects keep their full raw text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl
import polars_hash as plh

from etl.sources import InputFile, TextChunk, read_chunks
from schemas.records import Flag, RejectReason

__all__ = [
    "MAX_HEADLINE_CHARS",
    "MAX_HEADLINE_WORDS",
    "RECORD_SCHEMA",
    "REJECT_SCHEMA",
    "ExtractedBatch",
    "ParsedText",
    "article_ids",
    "extract_batches",
    "parse_text",
]

MAX_HEADLINE_CHARS = 400
MAX_HEADLINE_WORDS = 30

#: Columns of the records frame that Extract hands to the next stages.
RECORD_SCHEMA = pl.Schema(
    {
        "article_id": pl.String,
        "headline": pl.String,
        "body": pl.String,
        "source_file": pl.String,
        "source_line": pl.Int64,
        "source_offset": pl.Int64,
        "headline_repeats": pl.Int16,
        "word_count": pl.Int32,
        "flags": pl.List(pl.String),
    }
)

#: Columns of a rejects frame (the rows of `rejects.jsonl`).
REJECT_SCHEMA = pl.Schema(
    {
        "reason": pl.String,
        "detail": pl.String,
        "source_file": pl.String,
        "source_line": pl.Int64,
        "source_offset": pl.Int64,
        "raw_text": pl.String,
    }
)

# Control characters other than tab, line feed and carriage return are removed (and flagged).
_CONTROL = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]"
_SENTENCE_END = r"[.;:,]['\"’”)]*$"


@dataclass(frozen=True, slots=True)
class ParsedText:
    """What one parse of a piece of text produced."""

    records: pl.DataFrame  # RECORD_SCHEMA
    rejects: pl.DataFrame  # REJECT_SCHEMA
    carry: str  # text of the unfinished last record, to parse again with what follows
    carry_line: int
    carry_offset: int


@dataclass(frozen=True, slots=True)
class ExtractedBatch:
    """Records and rejects parsed from one chunk of one input file."""

    source_file: str
    records: pl.DataFrame
    rejects: pl.DataFrame


def _split_lines(text: str) -> pl.DataFrame:
    """Return one row per line: its text without the break, its byte length, and whether it ended in CR."""
    pieces = pl.Series("line", [text], dtype=pl.String).str.split("\n").explode()
    n = pieces.len()
    not_last = pl.int_range(pl.len()) < n - 1
    lines = pl.DataFrame({"line": pieces}).with_columns(
        nbytes=pl.col("line").str.len_bytes().cast(pl.Int64) + not_last.cast(pl.Int64),
        cr=pl.lit(value=False),
    )
    if "\r" not in text:
        return lines
    # CRLF: the \r belongs to the line break. Lone CR (old Mac files): each \r ends a line.
    lines = lines.with_columns(
        cr=pl.col("line").str.ends_with("\r"), line=pl.col("line").str.strip_suffix("\r")
    )
    if "\r" not in text.replace("\r\n", ""):
        return lines
    exploded = (
        lines.with_row_index("line_no")
        .with_columns(parts=pl.col("line").str.split("\r"))
        .explode("parts")
        .with_columns(last_part=pl.int_range(pl.len()).over("line_no") == pl.len().over("line_no") - 1)
    )
    # A part ended by a lone \r has one more byte; the last part keeps the original line end.
    return exploded.select(
        line=pl.col("parts"),
        nbytes=pl.col("parts").str.len_bytes().cast(pl.Int64)
        + pl.when(pl.col("last_part"))
        .then(pl.col("nbytes") - pl.col("line").str.len_bytes().cast(pl.Int64))
        .otherwise(1),
        cr=~pl.col("last_part") | pl.col("cr"),
    )


def _normalise(expr: pl.Expr) -> pl.Expr:
    """NFC, runs of whitespace collapsed to one space, stripped (CONTRACT section 2)."""
    return expr.str.normalize("NFC").str.replace_all(r"\s+", " ").str.strip_chars()


def article_ids(headline: pl.Expr, body: pl.Expr) -> pl.Expr:
    """Return the 32-hex `article_id`: sha256 of normalised headline, newline, normalised body, cut to 128 bits."""
    text = plh.concat_str([_normalise(headline), pl.lit("\n"), _normalise(body)])
    return text.chash.sha2_256().str.slice(0, 32)  # type: ignore[no-any-return]


def _looks_like_headline() -> pl.Expr:
    """A one-line paragraph of few words, no sentence end, in Title Case or ALL CAPS."""
    words = pl.col("text").str.split(" ")
    long_words = words.list.eval(pl.element().filter(pl.element().str.len_chars() >= 4))
    capitalised = long_words.list.eval(pl.element().str.contains(r"^[\p{Lu}\d]")).list.mean()
    letters = pl.col("text").str.replace_all(r"[^\p{L}]", "")
    all_caps = (letters.str.len_chars() > 0) & (letters == letters.str.to_uppercase())
    return (
        (pl.col("n_lines") == 1)
        & (words.list.len() <= MAX_HEADLINE_WORDS)
        & ~pl.col("text").str.contains(_SENTENCE_END)
        & (all_caps | (capitalised.fill_null(1.0) >= 0.5))
    )


def _paragraphs(lines: pl.DataFrame) -> pl.DataFrame:
    """Group the non-blank lines into paragraphs, one row each, with their provenance."""
    return (
        lines.with_columns(
            control=pl.col("line").str.contains(_CONTROL),
            clean=pl.col("line").str.replace_all(_CONTROL, ""),
        )
        .with_columns(blank=pl.col("clean").str.strip_chars() == "")
        .with_columns(para=(~pl.col("blank") & pl.col("blank").shift(1, fill_value=True)).cum_sum())
        .filter(~pl.col("blank"))
        .group_by("para", maintain_order=True)
        .agg(
            raw=pl.col("clean").str.join(" "),
            first_line=pl.col("line_no").first(),
            last_line=pl.col("line_no").last(),
            offset=pl.col("offset").first(),
            char_pos=pl.col("char_pos").first(),
            n_lines=pl.len(),
            control=pl.col("control").any(),
            cr=pl.col("cr").any(),
            ragged=(pl.col("clean") != pl.col("clean").str.strip_chars()).any()
            | pl.col("clean").str.contains(r"\s\s|\t").any(),
        )
        .with_columns(text=_normalise(pl.col("raw")))
        .with_columns(
            key=pl.col("text").str.to_lowercase().str.replace_all(" ", "", literal=True),
            gap=pl.col("first_line") - pl.col("last_line").shift(1) - 1,
        )
    )


def _mark_headlines(paragraphs: pl.DataFrame) -> pl.DataFrame:
    """Add `is_headline`, `starts` (a record begins here) and `record` (0 before any headline)."""
    undoubled = (
        ~pl.col("doubled")
        & pl.col("shaped")
        & ~pl.col("doubled").shift(1, fill_value=False)
        & ~pl.col("shaped").shift(-1, fill_value=True)
        & ~pl.col("doubled").shift(-1, fill_value=True)
    )
    return (
        paragraphs.with_columns(run=(pl.col("key") != pl.col("key").shift(1)).fill_null(True).cum_sum())
        .with_columns(
            run_len=pl.len().over("run"),
            run_pos=pl.int_range(pl.len()).over("run"),
            shaped=_looks_like_headline(),
        )
        .with_columns(
            doubled=(pl.col("run_len") >= 2) & (pl.col("text").str.len_chars() <= MAX_HEADLINE_CHARS)
        )
        .with_columns(is_headline=pl.col("doubled") | undoubled)
        .with_columns(starts=pl.col("is_headline") & ((pl.col("run_pos") == 0) | ~pl.col("doubled")))
        .with_columns(record=pl.col("starts").cum_sum())
    )


def _group_records(paragraphs: pl.DataFrame, end_char: int) -> pl.DataFrame:
    """Group paragraphs into records: one row each, with the char span of its raw text."""
    headline = pl.col("is_headline") & (pl.col("record") > 0)
    within = pl.int_range(pl.len()) > 0  # gaps before a record's first paragraph are not its own
    return (
        paragraphs.group_by("record", maintain_order=True)
        .agg(
            headline=pl.col("text").filter(headline).first(),
            headline_forms=pl.col("raw").filter(headline).n_unique(),
            headline_repeats=headline.sum().cast(pl.Int16),
            body=pl.col("text").filter(~headline).str.join("\n\n"),
            body_paragraphs=(~headline).sum(),
            source_line=pl.col("first_line").first(),
            last_line=pl.col("last_line").last(),
            source_offset=pl.col("offset").first(),
            char_start=pl.col("char_pos").first(),
            control=pl.col("control").any(),
            cr=pl.col("cr").any(),
            ragged=pl.col("ragged").any() | (pl.col("gap").filter(within) != 1).any(),
        )
        .with_columns(char_end=pl.col("char_start").shift(-1, fill_value=end_char))
    )


def _line_flags(bom_line: int | None, repaired_lines: tuple[int, ...]) -> pl.DataFrame:
    lines = list(repaired_lines)
    flags = [Flag.ENCODING_REPAIRED.value] * len(repaired_lines)
    if bom_line is not None:
        lines.append(bom_line)
        flags.append(Flag.BOM_REMOVED.value)
    return pl.DataFrame({"line": lines, "flag": flags}, schema={"line": pl.Int64, "flag": pl.String})


def _source_flags(records: pl.DataFrame, line_flags: pl.DataFrame) -> pl.DataFrame:
    """Attach source-level flags (BOM, encoding repair) to the records that hold those lines."""
    empty = pl.lit([], dtype=pl.List(pl.String))
    if line_flags.height == 0:
        return records.with_columns(source_flags=empty)
    spans = records.select("record", "source_line", "last_line").sort("source_line")
    hits = (
        line_flags.sort("line")
        .join_asof(spans, left_on="line", right_on="source_line", strategy="backward")
        .filter(pl.col("line") <= pl.col("last_line"))
        .group_by("record")
        .agg(source_flags=pl.col("flag").unique().sort())
    )
    return records.join(hits, on="record", how="left", maintain_order="left").with_columns(
        pl.col("source_flags").fill_null(empty)
    )


def _flags() -> pl.Expr:
    """The repair flags of a record, in a fixed order."""
    candidates = [
        (pl.col("headline_repeats") == 1, Flag.HEADLINE_NOT_DOUBLED),
        (pl.col("headline_repeats") >= 3, Flag.HEADLINE_REPEATED),
        (pl.col("headline_forms") > 1, Flag.HEADLINE_VARIANT),
        (pl.col("body_paragraphs") > 1, Flag.MULTI_PARAGRAPH_BODY),
        (pl.col("cr"), Flag.LINE_ENDINGS_NORMALISED),
        (pl.col("ragged"), Flag.WHITESPACE_NORMALISED),
        (pl.col("control"), Flag.CONTROL_CHARS_REMOVED),
    ]
    own = pl.concat_list(
        [pl.when(cond).then(pl.lit([flag.value])).otherwise(pl.lit([], dtype=pl.List(pl.String))) for cond, flag in candidates]
    )
    return pl.concat_list([pl.col("source_flags"), own]).list.sort()


def parse_text(
    text: str,
    source_file: str,
    first_line: int = 1,
    first_offset: int = 0,
    *,
    final: bool = True,
    bom_line: int | None = None,
    repaired_lines: tuple[int, ...] = (),
) -> ParsedText:
    """Return the records and rejects in `text`; unless `final`, the last record is carried over."""
    lines = _split_lines(text).with_columns(
        line_no=pl.int_range(pl.len(), dtype=pl.Int64) + first_line,
        offset=pl.col("nbytes").cum_sum().shift(1, fill_value=0) + first_offset,
        char_pos=(pl.col("line").str.len_chars().cast(pl.Int64) + 1).cum_sum().shift(1, fill_value=0)
        + pl.col("cr").cast(pl.Int64).cum_sum().shift(1, fill_value=0),
    )
    paragraphs = _mark_headlines(_paragraphs(lines))
    carry, carry_line, carry_offset, end_char = "", first_line, first_offset, len(text)
    if not final and paragraphs.height > 0:
        # The last record may go on in the next chunk: parse it again with what follows.
        last = paragraphs["record"][-1]
        keep = paragraphs.filter(pl.col("record") < last).height if last > 0 else 0
        first_kept = paragraphs.row(keep, named=True)
        end_char = first_kept["char_pos"]
        carry, carry_line, carry_offset = text[end_char:], first_kept["first_line"], first_kept["offset"]
        paragraphs = paragraphs.head(keep)
    if paragraphs.height == 0:
        return ParsedText(_empty(RECORD_SCHEMA), _empty(REJECT_SCHEMA), carry, carry_line, carry_offset)

    records = _source_flags(_group_records(paragraphs, end_char), _line_flags(bom_line, repaired_lines))
    records = records.with_columns(
        source_file=pl.lit(source_file),
        reason=pl.when(pl.col("record") == 0)
        .then(pl.lit(RejectReason.BODY_WITHOUT_HEADLINE.value))
        .when(pl.col("body_paragraphs") == 0)
        .then(pl.lit(RejectReason.HEADLINE_WITHOUT_BODY.value)),
    )
    good = records.filter(pl.col("reason").is_null())
    bad = records.filter(pl.col("reason").is_not_null())
    return ParsedText(_articles(good), _rejects(bad, text), carry, carry_line, carry_offset)


def _articles(records: pl.DataFrame) -> pl.DataFrame:
    words = (
        pl.col("headline").str.count_matches(" ", literal=True)
        + pl.col("body").str.count_matches(" ", literal=True)
        + pl.col("body").str.count_matches("\n\n", literal=True)
        + 2
    )
    return records.select(
        article_id=article_ids(pl.col("headline"), pl.col("body")),
        headline="headline",
        body="body",
        source_file="source_file",
        source_line="source_line",
        source_offset="source_offset",
        headline_repeats="headline_repeats",
        word_count=words.cast(pl.Int32),
        flags=_flags(),
    ).cast(dict(RECORD_SCHEMA))  # type: ignore[arg-type]


def _rejects(records: pl.DataFrame, text: str) -> pl.DataFrame:
    """Reject rows with their full raw text (sliced in Python: rejects are few, never the bulk)."""
    details = {
        RejectReason.BODY_WITHOUT_HEADLINE.value: "text before the first headline of the file",
        RejectReason.HEADLINE_WITHOUT_BODY.value: "a headline with no body before the next headline",
    }
    raw = [text[a:b] for a, b in zip(records["char_start"], records["char_end"], strict=True)]
    return records.select(
        reason="reason",
        detail=pl.col("reason").replace_strict(details, return_dtype=pl.String),
        source_file="source_file",
        source_line="source_line",
        source_offset="source_offset",
    ).with_columns(raw_text=pl.Series(raw, dtype=pl.String)).cast(dict(REJECT_SCHEMA))  # type: ignore[arg-type]


def _empty(schema: pl.Schema) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def extract_batches(files: list[InputFile], chunk_bytes: int) -> Iterator[ExtractedBatch]:
    """Yield the records and rejects of every input file, one bounded chunk at a time."""
    for item in files:
        yield from _extract_file(item, chunk_bytes)


def _extract_file(item: InputFile, chunk_bytes: int) -> Iterator[ExtractedBatch]:
    carry, carry_line, carry_offset = "", 1, 0
    marks: tuple[int, ...] = ()
    bom_line: int | None = None
    chunk: TextChunk
    for chunk in read_chunks(item, chunk_bytes):
        first_line = carry_line if carry else chunk.first_line
        first_offset = carry_offset if carry else chunk.first_offset
        if chunk.bom_removed:
            bom_line = chunk.first_line
        marks = tuple(m for m in marks if m >= first_line) + chunk.repaired_lines
        parsed = parse_text(
            carry + chunk.text,
            item.source_file,
            first_line,
            first_offset,
            final=chunk.last,
            bom_line=bom_line if bom_line is not None and bom_line >= first_line else None,
            repaired_lines=marks,
        )
        carry, carry_line, carry_offset = parsed.carry, parsed.carry_line, parsed.carry_offset
        yield ExtractedBatch(item.source_file, parsed.records, parsed.rejects)
