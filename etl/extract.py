"""Extract: raw dump text in, one row per record out, as polars frames.

The parsing is columnar: a chunk of text becomes a frame of lines, the lines become
paragraphs (maximal runs of non-blank lines joined by single spaces), and the paragraphs
become records, all with polars expressions. `extract_batches` streams the chunks of
`etl.sources` through `parse_text`, carrying the last (possibly unfinished) record of each
chunk into the next, so memory stays bounded whatever the input size and the records are the
same whatever the chunk size.

The headline rule (docs/EXTRACT.md has it with examples):

1. **Doubled headline**: a run of two or more consecutive paragraphs that are equal once case
   and whitespace are ignored, each at most `MAX_HEADLINE_CHARS` characters long. The run is
   one headline (its first form); `headline_repeats` is the run's length.
2. **Headline not doubled**: a paragraph P outside such runs is a headline when
   a. the paragraph before P is not a headline: the first paragraph after a headline is
      always body, so a one-paragraph body is never split off as a headline;
   b. P is headline-shaped: one line, at most `MAX_HEADLINE_WORDS` words, no sentence end
      (a final `;`, `:` or `,`, or a final `.` unless P is in capitals or ends in an
      abbreviation such as "U.S."), and in capitals (at least four in five of its cased
      letters upper case) or Title Case (at least half of its words of four or more
      characters capitalised);
   c. the next paragraph Q exists, is not a doubled headline, and is less headline-like than
      P: Q is not headline-shaped, or P is in capitals and Q is not. So an ALL-CAPS Reuters
      headline is found above a short "Qtly div 25 cts vs 25 cts prior" body, while two
      Title Case lines in a row stay body text.
   In a run of consecutive paragraphs that all pass b and c, rule a makes every other one a
   headline, starting with the first.

Every other paragraph is body text of the record before it. Paragraphs before a file's first
headline are a record without a headline and are rejected (`body_without_headline`), as is a
headline with no body (`headline_without_body`); rejects keep their full raw text.

Only the last paragraph of a text has an unknown successor, and it always belongs to the last
record, which is carried into the next chunk: that is why chunking is invisible.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl
import polars_hash as plh

from etl.sources import InputFile, read_chunks
from schemas.records import Flag, RejectReason

__all__ = [
    "MAX_HEADLINE_CHARS",
    "MAX_HEADLINE_WORDS",
    "MAX_RECORD_CHARS",
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
#: A record (or headline-less block) longer than this many characters is rejected, in pieces
#: of about this size, as `record_too_long`: one runaway block cannot exhaust memory.
MAX_RECORD_CHARS = 32 * 1024 * 1024

#: Columns of the records frame that Extract hands to the next stages.
RECORD_SCHEMA = pl.Schema(
    [
        ("article_id", pl.String),
        ("headline", pl.String),
        ("body", pl.String),
        ("source_file", pl.String),
        ("source_line", pl.Int64),
        ("source_offset", pl.Int64),
        ("headline_repeats", pl.Int16),
        ("word_count", pl.Int32),
        ("flags", pl.List(pl.String)),
    ]
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

# Control characters are removed (and flagged): C0 except tab, LF, VT, FF and CR, which are
# whitespace; DEL; C1 except NEL, which is whitespace.
_CONTROL = r"[\x00-\x08\x0E-\x1F\x7F-\x84\x86-\x9F]"
_CONTROL_CHAR = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
# The same characters in UTF-8: single control bytes, and 0xC2 then 0x80-0x84 or 0x86-0x9F (the
# C1 controls but NEL). `bytes.translate` deletes every other byte in one C loop.
_C1_LEAD = 0xC2
_NOT_CONTROL_BYTES = bytes(
    b for b in range(256) if not (b <= 0x08 or 0x0E <= b <= 0x1F or b in (0x7F, _C1_LEAD))
)
_ODD_SPACE = (
    r"[\t\x0B\x0C\x85\xA0\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]"
)
_CLOSE = "['\"\u2019\u201d)\\]]*$"

# Record flags as bits, so a batch maps a handful of distinct bit sets to flag lists.
_FLAG_ORDER = sorted(Flag, key=lambda flag: flag.value)
_BIT = {flag: 1 << i for i, flag in enumerate(_FLAG_ORDER)}

_DETAILS = {
    RejectReason.BODY_WITHOUT_HEADLINE: "text before the first headline of the file",
    RejectReason.HEADLINE_WITHOUT_BODY: "a headline with no body before the next headline",
}


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


@dataclass(frozen=True, slots=True)
class _Scan:
    """What one quick look at a whole text found, so clean text skips the repairs."""

    cr: bool
    control: bool
    ascii: bool
    nfc: bool


def _scan(text: str) -> _Scan:
    ascii_only = text.isascii()
    nfc = ascii_only or unicodedata.is_normalized("NFC", text)
    return _Scan("\r" in text, _has_control(text), ascii_only, nfc)


def _has_control(text: str) -> bool:
    """Return whether `text` holds a control character that `_CONTROL_CHAR` matches.

    In UTF-8 bytes, not with the regex: a regex search of a 3 MiB chunk took ~20 ms, all of it
    holding the GIL; the encode and `translate` take ~3 ms, and numpy checks what follows each
    0xC2 only when there is one (NBSP and other Latin-1 signs start with it too).
    """
    raw = text.encode("utf-8", "surrogatepass")
    left = raw.translate(None, _NOT_CONTROL_BYTES)
    if not left:
        return False
    if left.count(_C1_LEAD) < len(left):
        return True  # a control byte of its own
    data = np.frombuffer(raw, dtype=np.uint8)
    follow = data[np.flatnonzero(data[:-1] == _C1_LEAD) + 1]
    return bool(((follow >= 0x80) & (follow <= 0x9F) & (follow != 0x85)).any())


# --- lines -----------------------------------------------------------------------------------


_BREAK = re.compile("(\r\n|\r|\n)")


def _split_lines(text: str, cr: bool) -> pl.DataFrame:
    """Return one row per line: its text, its line break's length (`term`), whether it has a CR.

    Python's split feeds polars a list of lines: faster than polars' own split + explode and
    a third of the memory (no list column, no UTF-8 copy of the whole text kept alive).
    """
    if not cr:
        lines = pl.DataFrame({"line": text.split("\n")})
        last = pl.int_range(pl.len()) == pl.len() - 1
        return lines.with_columns(
            term=pl.when(last).then(0).otherwise(1).cast(pl.Int64), cr=pl.lit(value=False)
        )
    # \r\n, \r and \n each end a line: split keeping the breaks, then pair them up.
    pieces = _BREAK.split(text)
    breaks = [*pieces[1::2], ""]
    return pl.DataFrame(
        {
            "line": pieces[0::2],
            "term": [len(b) for b in breaks],
            "cr": ["\r" in b for b in breaks],
        },
        schema={"line": pl.String, "term": pl.Int64, "cr": pl.Boolean},
    )


def _line_frame(
    text: str,
    scan: _Scan,
    first_line: int,
    first_offset: int,
    repairs: dict[int, int],
) -> pl.DataFrame:
    """Return the lines with their number, byte offset in the file and char position in `text`."""
    lines = _split_lines(text, scan.cr).with_columns(
        nbytes=pl.col("line").str.len_bytes().cast(pl.Int64) + pl.col("term"),
        nchars=pl.col("line").str.len_chars().cast(pl.Int64) + pl.col("term"),
    )
    inside = {line - first_line: extra for line, extra in repairs.items()}
    inside = {i: extra for i, extra in inside.items() if 0 <= i < lines.height}
    if inside:
        # A repaired line's UTF-8 is longer than its bytes in the file: offsets count the file.
        extra = pl.zeros(lines.height, dtype=pl.Int64, eager=True).scatter(
            list(inside), list(inside.values())
        )
        lines = lines.with_columns(nbytes=pl.col("nbytes") - extra)
    return lines.with_columns(
        line_no=pl.int_range(pl.len(), dtype=pl.Int64) + first_line,
        offset=pl.col("nbytes").cum_sum().shift(1, fill_value=0) + first_offset,
        char_pos=pl.col("nchars").cum_sum().shift(1, fill_value=0),
    )


# --- paragraphs ------------------------------------------------------------------------------


def _normalise(expr: pl.Expr) -> pl.Expr:
    """NFC, runs of whitespace collapsed to one space, stripped (CONTRACT section 2)."""
    return expr.str.normalize("NFC").str.replace_all(r"\s+", " ").str.strip_chars()


# Whitespace that normalisation would change: a run, a non-space (tab, NBSP, ...), an edge.
_RAGGED = r"\s{2,}|[^\S ]|^\s|\s$"


def _ragged_lines(lines: pl.DataFrame, scan: _Scan) -> pl.Series:
    """Return, per line, whether its whitespace needs normalising."""
    clean = pl.col("clean")
    if scan.ascii:
        # ASCII: a handful of literal searches (memchr-fast) say all a regex would.
        ragged = clean.str.starts_with(" ") | clean.str.ends_with(" ")
        for needle in ("  ", "\t", "\x0b", "\x0c"):
            ragged = ragged | clean.str.contains(needle, literal=True)
    else:
        ragged = clean.str.contains(_RAGGED)
    return lines.select(ragged).to_series()


@dataclass(frozen=True, slots=True)
class _Paragraphs:
    frame: pl.DataFrame
    marks: pl.DataFrame  # (line_no, bits): flags of single lines, given to the record holding them


def _paragraphs(lines: pl.DataFrame, scan: _Scan) -> _Paragraphs:
    """Group the non-blank lines into paragraphs, one row each, with provenance and repairs."""
    if scan.control:
        lines = lines.with_columns(clean=pl.col("line").str.replace_all(_CONTROL, ""))
        lines = lines.with_columns(control=pl.col("clean") != pl.col("line"))
    else:
        lines = lines.with_columns(clean=pl.col("line"), control=pl.lit(value=False))
    ragged = _ragged_lines(lines, scan)
    any_ragged = bool(ragged.any())
    # Without ragged whitespace a blank line is an empty one (no regex over every line).
    blank = ~pl.col("clean").str.contains(r"\S") if any_ragged else pl.col("clean") == ""
    lines = lines.with_columns(ragged=ragged, blank=blank)
    lines = lines.with_columns(
        start=~pl.col("blank") & pl.col("blank").shift(1, fill_value=True)
    ).with_columns(para=pl.col("start").cum_sum())
    # A paragraph after a blank line that holds spaces, or after more than one blank line, had
    # an irregular gap before it (flagged when that gap is inside a record).
    odd_gaps = lines.filter(
        pl.col("blank") & ((pl.col("clean") != "") | pl.col("blank").shift(1, fill_value=False))
    ).select(para=pl.col("para") + 1)
    marks = lines.filter(pl.col("blank") & pl.col("control")).select(
        "line_no", bits=pl.lit(_BIT[Flag.CONTROL_CHARS_REMOVED], dtype=pl.Int64)
    )
    body = lines.filter(~pl.col("blank"))
    single = body.select(
        "para",
        raw="clean",
        first_line="line_no",
        last_line="line_no",
        offset="offset",
        char_pos="char_pos",
        n_lines=pl.lit(1, dtype=pl.Int64),
        control="control",
        cr="cr",
        ragged="ragged",
    )
    wrapped = body.filter(~pl.col("start"))["para"].unique()
    if wrapped.len():
        # Only paragraphs of several lines pay for a group_by (hard-wrapped text is rare).
        several = body.filter(pl.col("para").is_in(wrapped.implode()))
        joined = several.group_by("para").agg(
            raw=pl.col("clean").str.join(" "),
            first_line=pl.col("line_no").first(),
            last_line=pl.col("line_no").last(),
            offset=pl.col("offset").first(),
            char_pos=pl.col("char_pos").first(),
            n_lines=pl.len().cast(pl.Int64),
            control=pl.col("control").any(),
            cr=pl.col("cr").any(),
            ragged=pl.col("ragged").any(),
        )
        single = single.filter(~pl.col("para").is_in(wrapped.implode()))
        frame = pl.concat([single, joined]).sort("para")
    else:
        frame = single
    text = frame["raw"]
    if any_ragged:
        # Normalise only the ragged paragraphs: the bulk keeps its text as it is.
        at = frame["ragged"].arg_true()
        fixed = text.gather(at).str.replace_all(r"\s{2,}|[^\S ]", " ").str.strip_chars()
        text = text.scatter(at, fixed)
    if not scan.nfc or scan.control:
        # Removing a control character can leave a combining mark next to its base letter.
        text = text.str.normalize("NFC")
    frame = frame.with_columns(
        text=text, odd_gap=pl.col("para").is_in(odd_gaps["para"].implode())
    ).drop("raw")
    return _Paragraphs(frame, marks)


# --- the headline rule -----------------------------------------------------------------------


def _headline_shape(rows: pl.DataFrame) -> pl.DataFrame:
    """Return `row`, `shaped` and `rank` of one-line paragraphs (rank 3: capitals, 2: Title Case).

    Computed on the few paragraphs the rule needs it for: string kernels also run over the
    hidden values of null rows, so a `when(...)` over the bulk text would cost as much as the
    bulk itself.
    """
    text = pl.col("text")
    counted = rows.with_columns(
        upper=text.str.count_matches(r"\p{Lu}"),
        lower=text.str.count_matches(r"\p{Ll}"),
        long_words=text.str.count_matches(r"(?:^|\s)[^\p{L}\s]*\p{L}\S{3,}"),
        capitalised=text.str.count_matches(r"(?:^|\s)[^\p{L}\s]*\p{Lu}\S{3,}"),
        words=text.str.count_matches(" ", literal=True) + 1,
    ).with_columns(
        # Capitals: four in five cased letters upper case ("<SFTPr> 1ST QTR NET" counts).
        caps=(pl.col("upper") > 0) & (pl.col("upper") >= 4 * pl.col("lower")),
    )
    title = (
        pl.when(pl.col("long_words") == 0)
        .then(text.str.contains(r"^[^\p{L}]*\p{Lu}"))
        .otherwise(2 * pl.col("capitalised") >= pl.col("long_words"))
    )
    rank = pl.when("caps").then(3).when(title).then(2).otherwise(0)
    stop = text.str.contains("[;:,]" + _CLOSE) | (
        text.str.contains(r"\." + _CLOSE)
        & ~pl.col("caps")
        & ~text.str.contains(r"\.[^\s.]*\." + _CLOSE)
    )
    return counted.select(
        "row",
        shaped=(pl.col("n_lines") == 1)
        & (pl.col("words") <= MAX_HEADLINE_WORDS)
        & ~stop
        & (rank >= 2),
        rank=rank,
    )


def _mark_headlines(paragraphs: pl.DataFrame) -> pl.DataFrame:
    """Add `is_head`, `starts` (a record begins here) and `record` (0 before any headline)."""
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    paragraphs = paragraphs.with_columns(
        row=row, short=pl.col("text").str.len_chars() <= MAX_HEADLINE_CHARS
    )
    keys = paragraphs.filter("short").select(
        "row", key=pl.col("text").str.to_lowercase().str.replace_all(" ", "", literal=True)
    )
    marked = (
        paragraphs.join(keys, on="row", how="left", maintain_order="left")
        .with_columns(same_prev=(pl.col("key") == pl.col("key").shift(1)).fill_null(value=False))
        .with_columns(doubled=pl.col("same_prev") | pl.col("same_prev").shift(-1, fill_value=False))
        .with_columns(
            # Could be an undoubled headline by its place (rules a and c, doubled part).
            placed=~pl.col("doubled")
            & ~pl.col("doubled").shift(1, fill_value=False)
            & ~pl.col("doubled").shift(-1, fill_value=True)
        )
    )
    # Shape matters for a placed paragraph and the one after it: a handful in a clean dump.
    needed = marked.filter(
        pl.col("short") & (pl.col("placed") | pl.col("placed").shift(1, fill_value=False))
    )
    marked = marked.join(
        _headline_shape(needed.select("row", "text", "n_lines")),
        on="row",
        how="left",
        maintain_order="left",
    ).with_columns(pl.col("shaped").fill_null(value=False), pl.col("rank").fill_null(0))
    next_weaker = (
        ~pl.col("shaped").shift(-1) | (pl.col("rank").shift(-1) < pl.col("rank"))
    ).fill_null(value=False)
    marked = marked.with_columns(
        candidate=pl.col("placed") & pl.col("shaped") & next_weaker
    ).with_columns(
        run_start=pl.when(pl.col("candidate") & ~pl.col("candidate").shift(1, fill_value=False))
        .then(row)
        .forward_fill()
    )
    undoubled = pl.col("candidate") & ((row - pl.col("run_start")) % 2 == 0)
    return (
        marked.with_columns(undoubled=undoubled)
        .with_columns(
            is_head=pl.col("doubled") | pl.col("undoubled"),
            starts=(pl.col("doubled") & ~pl.col("same_prev")) | pl.col("undoubled"),
        )
        .with_columns(record=pl.col("starts").cum_sum().cast(pl.Int64))
    )


# --- records ---------------------------------------------------------------------------------


def _group_records(paragraphs: pl.DataFrame, end_char: int) -> pl.DataFrame:
    """Return one row per record: headline, body, provenance, char span and flag bits."""
    is_head = pl.col("is_head") & (pl.col("record") > 0)
    head_text = pl.when("starts").then(pl.col("text")).forward_fill()
    stats = (
        paragraphs.with_columns(variant=is_head & (pl.col("text") != head_text))
        .group_by("record", maintain_order=True)
        .agg(
            source_line=pl.col("first_line").first(),
            last_line=pl.col("last_line").last(),
            source_offset=pl.col("offset").first(),
            char_start=pl.col("char_pos").first(),
            headline_repeats=is_head.sum().cast(pl.Int64),
            body_paragraphs=(~is_head).sum().cast(pl.Int64),
            variant=pl.col("variant").any(),
            cr=pl.col("cr").any(),
            control=pl.col("control").any(),
            ragged=pl.col("ragged").any() | (pl.col("odd_gap") & ~pl.col("starts")).any(),
        )
        .with_columns(char_end=pl.col("char_start").shift(-1, fill_value=end_char))
    )
    heads = paragraphs.filter("starts").select("record", headline="text")
    bodies = paragraphs.filter(~is_head & (pl.col("record") > 0))
    if bodies.height and bool(stats["body_paragraphs"].max() > 1):  # type: ignore[operator]
        bodies = bodies.group_by("record", maintain_order=True).agg(
            body=pl.col("text").str.join("\n\n")
        )
    else:
        bodies = bodies.select("record", body="text")
    bits = sum(
        (
            pl.when(condition).then(_BIT[flag]).otherwise(0)
            for condition, flag in (
                (pl.col("headline_repeats") == 1, Flag.HEADLINE_NOT_DOUBLED),
                (pl.col("headline_repeats") >= 3, Flag.HEADLINE_REPEATED),
                (pl.col("variant"), Flag.HEADLINE_VARIANT),
                (pl.col("body_paragraphs") > 1, Flag.MULTI_PARAGRAPH_BODY),
                (pl.col("cr"), Flag.LINE_ENDINGS_NORMALISED),
                (pl.col("ragged"), Flag.WHITESPACE_NORMALISED),
                (pl.col("control"), Flag.CONTROL_CHARS_REMOVED),
            )
        ),
        start=pl.lit(0, dtype=pl.Int64),
    )
    return (
        stats.join(heads, on="record", how="left", maintain_order="left")
        .join(bodies, on="record", how="left", maintain_order="left")
        .with_columns(bits=bits.cast(pl.Int64))
    )


def _add_marks(records: pl.DataFrame, marks: pl.DataFrame) -> pl.DataFrame:
    """OR the flags of single lines into the record whose text holds them (or the first one)."""
    if marks.height == 0 or records.height == 0:
        return records
    first = records["source_line"][0]
    per_record = (
        marks.with_columns(line_no=pl.col("line_no").clip(lower_bound=first))
        .sort("line_no")
        .join_asof(
            records.select("record", "source_line").sort("source_line"),
            left_on="line_no",
            right_on="source_line",
            strategy="backward",
        )
        .group_by("record")
        .agg(extra=pl.col("bits").bitwise_or())
    )
    return (
        records.join(per_record, on="record", how="left", maintain_order="left")
        .with_columns(bits=pl.col("bits") | pl.col("extra").fill_null(0))
        .drop("extra")
    )


def _flag_lists(bits: pl.Series) -> pl.DataFrame:
    """Return a (bits, flags) table for the distinct bit sets of a batch (a handful of rows)."""
    distinct = bits.unique().sort().to_list()
    lists = [[flag.value for flag in _FLAG_ORDER if value & _BIT[flag]] for value in distinct]
    return pl.DataFrame(
        {"bits": distinct, "flags": lists},
        schema={"bits": pl.Int64, "flags": pl.List(pl.String)},
    )


def _fast_article_ids(headline: pl.Expr, body: pl.Expr) -> pl.Expr:
    """`article_ids` for text that is already normalised (paragraph breaks are the only gap)."""
    flat = body.str.replace_all("\n\n", " ", literal=True)
    text = plh.concat_str([headline, pl.lit("\n"), flat])
    return text.chash.sha2_256().str.slice(0, 32)


def article_ids(headline: pl.Expr, body: pl.Expr) -> pl.Expr:
    """Return the 32-hex `article_id`: sha256 of normalised headline + newline + body, cut."""
    text = plh.concat_str([_normalise(headline), pl.lit("\n"), _normalise(body)])
    return text.chash.sha2_256().str.slice(0, 32)


def _articles(records: pl.DataFrame, source_file: str) -> pl.DataFrame:
    words = (
        pl.col("headline").str.count_matches(" ")
        + pl.col("body").str.count_matches(" ")
        + pl.col("body").str.count_matches("\n\n", literal=True)
        + 2
    )
    table = _flag_lists(records["bits"])
    return (
        records.join(table, on="bits", how="left", maintain_order="left")
        .select(
            article_id=_fast_article_ids(pl.col("headline"), pl.col("body")),
            headline="headline",
            body="body",
            source_file=pl.lit(source_file),
            source_line="source_line",
            source_offset="source_offset",
            headline_repeats=pl.col("headline_repeats").cast(pl.Int16),
            word_count=words.cast(pl.Int32),
            flags="flags",
        )
        .cast(dict(RECORD_SCHEMA))  # type: ignore[arg-type]
    )


def _rejects(
    records: pl.DataFrame, text: str, source_file: str, leading: RejectReason
) -> pl.DataFrame:
    """Reject rows with their full raw text (sliced in Python: rejects are few, never the bulk)."""
    if records.height == 0:
        return pl.DataFrame(schema=REJECT_SCHEMA)
    details = {
        **_DETAILS,
        RejectReason.RECORD_TOO_LONG: "the rest of a record too long to parse whole",
    }
    reasons = [
        leading if record == 0 else RejectReason.HEADLINE_WITHOUT_BODY
        for record in records["record"]
    ]
    raw = [text[a:b] for a, b in zip(records["char_start"], records["char_end"], strict=True)]
    return pl.DataFrame(
        {
            "reason": [reason.value for reason in reasons],
            "detail": [details[reason] for reason in reasons],
            "source_file": source_file,
            "source_line": records["source_line"],
            "source_offset": records["source_offset"],
            "raw_text": raw,
        },
        schema=REJECT_SCHEMA,
    )


def parse_text(
    text: str,
    source_file: str,
    first_line: int = 1,
    first_offset: int = 0,
    *,
    final: bool = True,
    bom: bool = False,
    repairs: dict[int, int] | None = None,
    leading: RejectReason = RejectReason.BODY_WITHOUT_HEADLINE,
) -> ParsedText:
    """Return the records and rejects in `text`; unless `final`, the last record is carried over.

    `first_line` and `first_offset` place `text` in its file; `bom` says the text starts a file
    whose byte order mark was removed; `repairs` maps repaired line numbers to how many bytes
    longer their decoded UTF-8 is; `leading` is the reason given to text before the first
    headline (`record_too_long` when it continues a record already rejected as too long).
    """
    scan = _scan(text)
    lines = _line_frame(text, scan, first_line, first_offset, repairs or {})
    parsed = _paragraphs(lines, scan)
    paragraphs = _mark_headlines(parsed.frame)
    carry, carry_line, carry_offset, end_char = "", first_line, first_offset, len(text)
    if not final and paragraphs.height:
        # The last record may go on in the next chunk: parse it again with what follows.
        starts = paragraphs.select(pl.col("starts").arg_true().last()).item()
        keep = 0 if starts is None else int(starts)
        if keep == 0:
            # Nothing is complete yet: keep the whole text, leading lines (and their flags) too.
            return ParsedText(
                _empty(RECORD_SCHEMA), _empty(REJECT_SCHEMA), text, first_line, first_offset
            )
        end_char = int(paragraphs["char_pos"][keep])
        carry = text[end_char:]
        carry_line = int(paragraphs["first_line"][keep])
        carry_offset = int(paragraphs["offset"][keep])
        paragraphs = paragraphs.head(keep)
    if paragraphs.height == 0:
        return ParsedText(
            _empty(RECORD_SCHEMA), _empty(REJECT_SCHEMA), carry, carry_line, carry_offset
        )

    marks = parsed.marks
    extra_marks = [(line, _BIT[Flag.ENCODING_REPAIRED]) for line in (repairs or {})]
    if bom:
        extra_marks.append((first_line, _BIT[Flag.BOM_REMOVED]))
    if extra_marks:
        marks = pl.concat([marks, pl.DataFrame(extra_marks, schema=marks.schema, orient="row")])
    if carry:  # lines of the carried record are flagged when that record is parsed again
        marks = marks.filter(pl.col("line_no") < carry_line)
    records = _add_marks(_group_records(paragraphs, end_char), marks)
    reason = (
        pl.when(pl.col("record") == 0)
        .then(pl.lit(value=True))
        .otherwise(pl.col("body_paragraphs") == 0)
    )
    records = records.with_columns(rejected=reason)
    good = records.filter(~pl.col("rejected"))
    bad = records.filter(pl.col("rejected"))
    return ParsedText(
        _articles(good, source_file),
        _rejects(bad, text, source_file, leading),
        carry,
        carry_line,
        carry_offset,
    )


def _empty(schema: pl.Schema) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


# --- streaming -------------------------------------------------------------------------------


def extract_batches(
    files: list[InputFile], chunk_bytes: int, *, max_record_chars: int = MAX_RECORD_CHARS
) -> Iterator[ExtractedBatch]:
    """Yield the records and rejects of every input file, one bounded chunk at a time."""
    for item in files:
        yield from _extract_file(item, chunk_bytes, max_record_chars)


def _single_reject(
    reason: RejectReason, detail: str, source_file: str, *, line: int, offset: int, raw: str
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "reason": [reason.value],
            "detail": [detail],
            "source_file": [source_file],
            "source_line": [line],
            "source_offset": [offset],
            "raw_text": [raw],
        },
        schema=REJECT_SCHEMA,
    )


def _extract_file(
    item: InputFile, chunk_bytes: int, max_record_chars: int
) -> Iterator[ExtractedBatch]:
    """Parse one file chunk by chunk; the text of the unfinished last record is carried."""
    source = item.source_file
    carry, line, offset = "", 1, 0
    parts: list[str] = []
    waiting = 0  # characters read since the last parse
    repairs: dict[int, int] = {}
    bom = False
    emitted = False
    leading = RejectReason.BODY_WITHOUT_HEADLINE
    for chunk in read_chunks(item, chunk_bytes):
        if not carry and not parts:
            line, offset = chunk.first_line, chunk.first_offset
        bom = bom or chunk.bom_removed
        for number, extra in chunk.repairs:
            repairs[number] = repairs.get(number, 0) + extra
        parts.append(chunk.text)
        waiting += len(chunk.text)
        ends, error = chunk.last, chunk.error
        del chunk  # the text now lives in `parts` only
        # Parse once the new text is at least as long as the carry (so a long record is not
        # parsed again for every small chunk), or when the carry may have grown too long.
        if not ends and waiting < len(carry) and len(carry) + waiting <= max_record_chars:
            continue
        text = carry + "".join(parts)
        parts, waiting, carry = [], 0, ""
        parsed = parse_text(
            text,
            source,
            line,
            offset,
            final=ends and error is None,
            bom=bom and not emitted,
            repairs={n: e for n, e in repairs.items() if n >= line},
            leading=leading,
        )
        rejects = parsed.rejects
        if parsed.records.height or rejects.height:
            emitted = True
            leading = RejectReason.BODY_WITHOUT_HEADLINE
        carry, line, offset = parsed.carry, parsed.carry_line, parsed.carry_offset
        repairs = {n: e for n, e in repairs.items() if n >= line}
        del text
        if ends and error is not None:
            detail = f"{error}; the text of the record it cut short follows"
            cut = _single_reject(
                RejectReason.UNREADABLE_INPUT, detail, source, line=line, offset=offset, raw=carry
            )
            rejects, carry = pl.concat([rejects, cut]), ""
        elif len(carry) > max_record_chars:
            piece = _single_reject(
                RejectReason.RECORD_TOO_LONG,
                f"a record longer than {max_record_chars} characters, rejected in pieces",
                source,
                line=line,
                offset=offset,
                raw=carry,
            )
            rejects, carry = pl.concat([rejects, piece]), ""
            emitted, leading = True, RejectReason.RECORD_TOO_LONG
        yield ExtractedBatch(source, parsed.records, rejects)
