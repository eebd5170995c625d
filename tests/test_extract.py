"""Extract: every messy case of CONTRACT section 1 has one defined outcome, chunking is invisible,
nothing is lost, and the headline rule holds on synthetic cases."""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from factories import Extracted, extract_all, make_dump, write_dump
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.dedup import NearDuplicateIndex, SeenArticles, drop_exact_duplicates, drop_near_duplicates
from etl.extract import _CONTROL_CHAR, _has_control, article_ids, parse_text
from etl.sources import read_text
from etl.synth import generate

A = (
    "Customs Union Talks Resume",
    "Officials met in Geneva on Monday. Progress was made on tariffs.",
)
B = ("Port Authority Opens New Terminal", "The new terminal doubles capacity. It opened on Friday.")
C = ("Exporters Welcome Faster Clearance", "Clearance times fell by half, exporters said.")
CAFE = ("Caf\u00e9 Owners Protest Tariffs", "Caf\u00e9 owners said the new duty is unfair.")
H, BODY = A
ORPHAN = "Orphan Headline Here"
WRAPPED_BODY = BODY.replace(" in ", "\nin ")
NUL_BODY = BODY.replace(" met", " met\x00")


def _clean(*articles: tuple[str, str]) -> bytes:
    return make_dump(*articles)


@dataclass(frozen=True)
class Case:
    """A messy input and everything Extract + dedup must make of it."""

    data: bytes
    flags: list[list[str]]  # per extracted record, in order
    rejects: list[str] = ()  # type: ignore[assignment]
    duplicates: tuple[int, int] = (0, 0)  # (exact, near)
    name: str = "dump.txt"


CASES = {
    "utf8_bom": Case(make_dump(A, bom=True), [["bom_removed"]]),
    "crlf": Case(
        _clean(A) + make_dump(A, newline="\r\n"),
        [[], ["line_endings_normalised"]],
        duplicates=(1, 0),
    ),
    "lone_cr": Case(
        _clean(A) + make_dump(A, newline="\r"), [[], ["line_endings_normalised"]], duplicates=(1, 0)
    ),
    "trailing_whitespace": Case(
        _clean(A) + f"{H} \t\n\n{H}  \n\n{BODY}   \n\n".encode(),
        [[], ["whitespace_normalised"]],
        duplicates=(1, 0),
    ),
    "blank_line_runs_between_records": Case(
        b"\n\n\n" + _clean(A) + b"\n \n\t\n\n" + _clean(B), [[], []]
    ),
    "blank_line_runs_inside_a_record": Case(
        _clean(A) + f"{H}\n\n\n\n{H}\n \n\n{BODY}\n\n".encode(),
        [[], ["whitespace_normalised"]],
        duplicates=(1, 0),
    ),
    "no_final_newline": Case(make_dump(A, B, final_newline=False), [[], []]),
    "headline_repeated_in_other_case": Case(
        _clean(A) + f"{H}\n\n{H.upper()}\n\n{BODY}\n\n".encode(),
        [[], ["headline_variant"]],
        duplicates=(1, 0),
    ),
    "headline_repeated_with_other_spacing": Case(
        _clean(A) + f"{H}\n\n{H.replace(' ', '   ')}\n\n{BODY}\n\n".encode(),
        [[], ["whitespace_normalised"]],
        duplicates=(1, 0),
    ),
    "headline_once": Case(
        _clean(A) + make_dump(B, repeats=1) + _clean(C), [[], ["headline_not_doubled"], []]
    ),
    "headline_three_times": Case(
        _clean(A) + make_dump(A, repeats=3), [[], ["headline_repeated"]], duplicates=(1, 0)
    ),
    "body_of_several_paragraphs": Case(
        make_dump((H, "First paragraph of the story.\n\nSecond paragraph of the story.")),
        [["multi_paragraph_body"]],
    ),
    "hard_wrapped_lines": Case(
        _clean(A) + f"{H}\n\n{H}\n\n{WRAPPED_BODY}\n\n".encode(),
        [[], []],
        duplicates=(1, 0),
    ),
    "headline_without_body": Case(
        f"{ORPHAN}\n\n{ORPHAN}\n\n".encode() + _clean(A), [[]], ["headline_without_body"]
    ),
    "headline_without_body_at_the_end": Case(
        _clean(A) + f"{ORPHAN}\n\n{ORPHAN}\n".encode(), [[]], ["headline_without_body"]
    ),
    "body_without_headline_at_the_top": Case(
        b"Text before any headline, cut from an earlier story.\n\n" + _clean(A),
        [[]],
        ["body_without_headline"],
    ),
    "invalid_utf8": Case(
        _clean(CAFE) + make_dump(CAFE).decode().encode("latin-1"),
        [[], ["encoding_repaired"]],
        duplicates=(1, 0),
    ),
    "control_characters": Case(
        _clean(A) + f"{H}\n\n{H}\x07\n\n{NUL_BODY}\n\n".encode(),
        [[], ["control_chars_removed"]],
        duplicates=(1, 0),
    ),
    "very_long_line": Case(make_dump(("Long Report Published", "word " * 600_000 + "end.")), [[]]),
    "empty_file": Case(b"", []),
    "gzip": Case(_clean(A, B), [[], []], name="dump.txt.gz"),
    "near_duplicate": Case(
        _clean(A)
        + make_dump(
            (H, BODY.replace("Progress was made on tariffs.", "Progress was made on tariffs too."))
        ),
        [[], []],
        duplicates=(0, 0),  # a short text: one added word is a large change (see test_dedup)
    ),
}


def _dedup(extracted: Extracted) -> tuple[int, int, int]:
    exact = drop_exact_duplicates(extracted.records, SeenArticles())
    near = drop_near_duplicates(exact.kept, NearDuplicateIndex())
    return near.kept.height, exact.duplicates.height, near.duplicates.height


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_each_messy_case_has_its_outcome(tmp_path: Path, case: Case) -> None:
    path = write_dump(tmp_path, case.name, case.data)
    extracted = extract_all(path)
    assert [sorted(flags) for flags in extracted.records["flags"].to_list()] == case.flags
    assert extracted.rejects["reason"].to_list() == list(case.rejects)
    kept, exact, near = _dedup(extracted)
    assert (exact, near) == case.duplicates
    # Conservation at every level: records read = articles + duplicates + rejects.
    assert extracted.read == kept + exact + near + len(case.rejects)
    assert extracted.read == len(case.flags) + len(case.rejects)


def test_repairs_give_back_the_clean_article(tmp_path: Path) -> None:
    # Every repaired rendering of A parses to A itself: same headline, body and id.
    messy = [c for name, c in CASES.items() if c.duplicates == (1, 0) and "utf8" not in name]
    for case in messy:
        records = extract_all(write_dump(tmp_path, "m.txt", case.data)).records
        assert records["headline"].to_list() == [H, H]
        assert records["body"].to_list() == [BODY, BODY]
        assert records["article_id"].n_unique() == 1


def test_bom_is_outside_the_first_record(tmp_path: Path) -> None:
    records = extract_all(write_dump(tmp_path, "d.txt", make_dump(A, bom=True))).records
    assert records.select("source_line", "source_offset").row(0) == (1, 3)


def test_provenance_counts_bytes_of_the_file_even_where_repaired(tmp_path: Path) -> None:
    # Line 5 holds a Latin-1 byte that becomes two UTF-8 bytes: offsets still count the file.
    data = _clean(CAFE).decode().encode("latin-1") + b"\r\n" + make_dump(B, newline="\r\n")
    path = write_dump(tmp_path, "d.txt", data)
    records = extract_all(path, chunk_bytes=16).records
    raw = path.read_bytes()
    for line, offset, headline in records.select("source_line", "source_offset", "headline").rows():
        assert raw[offset:].startswith(headline.encode("latin-1"))
        assert raw[:offset].count(b"\n") == line - 1
    assert records["source_line"].to_list() == [1, 8]


def test_reject_keeps_the_full_raw_text_and_its_place(tmp_path: Path) -> None:
    head = "Text before any\x00 headline.\r\nSecond line of it.\r\n\r\n\r\n"
    path = write_dump(tmp_path, "d.txt", head.encode() + make_dump(A, newline="\r\n"))
    rejects = extract_all(path).rejects
    assert rejects.select("reason", "source_line", "source_offset", "raw_text").row(0) == (
        "body_without_headline",
        1,
        0,
        head,
    )


def test_headline_without_body_keeps_both_copies(tmp_path: Path) -> None:
    orphan = f"{ORPHAN}\n\n{ORPHAN.upper()}\n\n\n"
    extracted = extract_all(write_dump(tmp_path, "d.txt", _clean(A) + orphan.encode() + _clean(B)))
    assert extracted.rejects.select("reason", "source_line", "raw_text").row(0) == (
        "headline_without_body",
        7,
        orphan,
    )
    assert extracted.records["headline"].to_list() == [A[0], B[0]]


def test_long_line_keeps_every_word(tmp_path: Path) -> None:
    body = "word " * 600_000 + "end."
    records = extract_all(
        write_dump(tmp_path, "d.txt", make_dump(("Long Report Published", body))), chunk_bytes=1024
    ).records
    assert records["word_count"].to_list() == [3 + 600_001]
    assert records["body"].to_list() == [body]


def test_corrupt_gzip_keeps_what_was_readable_and_rejects_the_rest(tmp_path: Path) -> None:
    stories = [
        (f"Story Number {i} Is Here", f"Body {i} {hashlib.sha256(bytes(i)).hexdigest()}.")
        for i in range(200)
    ]
    whole = write_dump(tmp_path, "whole.txt.gz", make_dump(*stories))
    data = whole.read_bytes()
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(data[: len(data) // 2])
    extracted = extract_all(cut, chunk_bytes=1024)
    kept = extracted.records.height
    assert 0 < kept < len(stories)
    assert extracted.records["headline"].to_list() == [s[0] for s in stories[:kept]]
    reject = extracted.rejects.row(0, named=True)
    assert extracted.rejects.height == 1
    assert reject["reason"] == "unreadable_input"
    assert "end-of-stream" in reject["detail"]
    # The record the corruption cut short is in the reject, from its first line on.
    assert reject["raw_text"].startswith(f"{stories[kept][0]}\n\n{stories[kept][0]}")


def test_a_file_that_is_not_gzip_is_one_reject(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt.gz"
    path.write_bytes(_clean(A))
    extracted = extract_all(path)
    assert extracted.records.height == 0
    assert extracted.rejects.select("reason", "raw_text").rows() == [("unreadable_input", "")]


def test_many_files_in_sorted_order_with_duplicates_across_files(tmp_path: Path) -> None:
    for i in range(30):
        write_dump(
            tmp_path / f"sub{i % 3}",
            f"f{i:02}.txt" + (".gz" if i % 2 else ""),
            _clean(A, (f"Story {i} Title Here", f"Body number {i}.")),
        )
    write_dump(tmp_path, "notes.md", b"not a dump")
    extracted = extract_all(tmp_path)
    files = extracted.records["source_file"].unique(maintain_order=True).to_list()
    assert files == sorted(files)
    assert len(files) == 30
    kept, exact, near = _dedup(extracted)
    assert (extracted.read, kept, exact, near) == (60, 31, 29, 0)


def test_record_too_long_is_rejected_in_pieces_without_losing_text(tmp_path: Path) -> None:
    # Two long paragraphs are body text of A (too long to be a doubled headline), so A's
    # record outgrows the limit: it is rejected in pieces that add up to its exact text.
    runaway = "x" * 5000
    too_long = _clean(A) + f"{runaway}\n\n{runaway}\n\n".encode()
    path = write_dump(tmp_path, "d.txt", too_long + _clean(B))
    extracted = extract_all(path, chunk_bytes=1024, max_record_chars=3000)
    assert extracted.records["headline"].to_list() == [B[0]]
    assert extracted.rejects.height >= 2
    assert set(extracted.rejects["reason"]) == {"record_too_long"}
    assert "".join(extracted.rejects["raw_text"]) == too_long.decode()
    assert extracted.rejects["source_line"][0] == 1


# --- the headline rule -----------------------------------------------------------------------


def _heads(text: str) -> list[tuple[str, str]]:
    parsed = parse_text(text, "t")
    return list(zip(parsed.records["headline"], parsed.records["body"], strict=True))


def test_first_paragraph_after_a_headline_is_always_body() -> None:
    # A one-paragraph body shaped like a headline stays the body.
    text = (
        "ACME CORP SETS DIVIDEND\n\nACME CORP SETS DIVIDEND\n\nQtly Div 25 Cts Vs 25 Cts Prior\n\n"
    )
    assert _heads(text) == [("ACME CORP SETS DIVIDEND", "Qtly Div 25 Cts Vs 25 Cts Prior")]


def test_capitals_headline_above_a_title_case_body_is_found() -> None:
    text = (
        make_dump(B).decode()
        + "ACME CORP <ACM> SETS QUARTERLY\n\n"
        + "Qtly div 25 cts vs 25 cts prior Pay April 30 Record April 16\n\n"
        + make_dump(C).decode()
    )
    assert _heads(text) == [
        B,
        (
            "ACME CORP <ACM> SETS QUARTERLY",
            "Qtly div 25 cts vs 25 cts prior Pay April 30 Record April 16",
        ),
        C,
    ]


def test_two_title_case_lines_in_a_body_stay_body() -> None:
    body = "The meeting ended late.\n\nKey Outcomes Of The Meeting\n\nNew Rules For Transit Goods"
    assert _heads(make_dump((H, body)).decode()) == [(H, body)]


def test_abbreviation_at_the_end_does_not_stop_a_headline() -> None:
    text = (
        make_dump(B).decode()
        + "JAPAN TO CUT CAR EXPORTS TO U.S.\n\nJapan will cut exports, officials said.\n\n"
    )
    assert _heads(text)[1] == (
        "JAPAN TO CUT CAR EXPORTS TO U.S.",
        "Japan will cut exports, officials said.",
    )


def test_sentence_case_lone_paragraph_stays_body() -> None:
    # The documented limit: an undoubled headline in sentence case is not told from body text.
    text = make_dump(B).decode() + "Exporters welcome faster clearance\n\nTimes fell by half.\n\n"
    assert _heads(text) == [
        (B[0], f"{B[1]}\n\nExporters welcome faster clearance\n\nTimes fell by half.")
    ]


def test_consecutive_candidates_alternate_headline_and_body() -> None:
    text = (
        make_dump(B).decode()
        + "FIRST LONE HEADLINE\n\nShort Title Body\n\nSECOND LONE HEADLINE\n\nA plain body.\n\n"
    )
    assert _heads(text)[1:] == [
        ("FIRST LONE HEADLINE", "Short Title Body"),
        ("SECOND LONE HEADLINE", "A plain body."),
    ]


def test_a_long_repeated_paragraph_is_body_not_a_headline() -> None:
    long_paragraph = "This paragraph is long. " * 20
    body = f"{long_paragraph.strip()}\n\n{long_paragraph.strip()}"
    parsed = parse_text(make_dump((H, body)).decode(), "t")
    assert parsed.records["body"].to_list() == [body]
    assert parsed.records["flags"].to_list() == [["multi_paragraph_body"]]


def test_article_id_is_sha256_of_normalised_text() -> None:
    text = f"{H}  \n\n{H}\n\nOfficials  met.\n\nSecond\u00a0one.\n\n"
    records = parse_text(text, "t").records
    expected = hashlib.sha256(f"{H}\nOfficials met. Second one.".encode()).hexdigest()[:32]
    assert records["article_id"].to_list() == [expected]
    again = records.select(article_ids(pl.col("headline"), pl.col("body"))).to_series()
    assert again.to_list() == [expected]


# --- chunking --------------------------------------------------------------------------------


def _same(a: Extracted, b: Extracted) -> bool:
    return a.records.equals(b.records) and a.rejects.equals(b.rejects)


def test_chunking_is_invisible_on_a_messy_synthetic_dump(tmp_path: Path) -> None:
    path = tmp_path / "messy.txt"
    stats = generate(path, 200_000, seed=3, messiness=0.4)
    whole = extract_all(path, chunk_bytes=16 << 20)
    for chunk in (1 << 10, 64 << 10):
        assert _same(extract_all(path, chunk_bytes=chunk), whole)
    assert whole.read == stats.records
    assert whole.rejects.height == stats.rejects


def test_records_straddling_chunks_and_a_doubled_headline_split_across_them(tmp_path: Path) -> None:
    data = _clean(A, B, C) * 3
    whole = extract_all(write_dump(tmp_path, "d.txt", data), chunk_bytes=1 << 20)
    for chunk in range(1, 60, 7):  # cut everywhere, including between the two headline copies
        assert _same(extract_all(write_dump(tmp_path, "d.txt", data), chunk_bytes=chunk), whole)
    assert whole.records.height == 9


# --- properties ------------------------------------------------------------------------------

_word = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8)
_headline = st.lists(_word, min_size=2, max_size=8).map(
    lambda ws: " ".join(w.capitalize() for w in ws)
)
_sentence = st.lists(_word, min_size=3, max_size=12).map(lambda ws: " ".join(ws).capitalize() + ".")
_paragraph = st.lists(_sentence, min_size=1, max_size=3).map(" ".join)
_body = st.lists(_paragraph, min_size=1, max_size=3, unique_by=lambda p: p.lower().replace(" ", ""))
_articles = st.lists(st.tuples(_headline, _body.map("\n\n".join)), min_size=1, max_size=6)


@st.composite
def _messy_rendering(draw: st.DrawFn, articles: list[tuple[str, str]]) -> bytes:
    """Render articles with random line ends, trailing blanks, blank runs, wraps and a BOM."""
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    trailing = st.sampled_from(["", "", " ", "\t", "  \t"])
    lines: list[str] = []

    def gap() -> None:
        for _ in range(draw(st.integers(1, 3))):
            lines.append(draw(st.sampled_from(["", "", " ", "\t"])))

    for headline, body in articles:
        for _ in range(2):
            lines.append(headline + draw(trailing))
            gap()
        for paragraph in body.split("\n\n"):
            words = paragraph.split(" ")
            cuts = sorted(draw(st.sets(st.integers(1, max(1, len(words) - 1)), max_size=3)))
            for start, end in zip([0, *cuts], [*cuts, len(words)], strict=True):
                if start < end:
                    lines.append(" ".join(words[start:end]) + draw(trailing))
            gap()
    text = newline.join(lines)
    if draw(st.booleans()):
        text += newline
    data = text.encode()
    return (b"\xef\xbb\xbf" + data) if draw(st.booleans()) else data


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), articles=_articles)
def test_well_formed_records_survive_any_rendering(
    tmp_path: Path, data: st.DataObject, articles: list[tuple[str, str]]
) -> None:
    rendered = data.draw(_messy_rendering(articles))
    path = write_dump(tmp_path, "d.txt", rendered)
    for chunk in (1 << 10, 64 << 10):
        extracted = extract_all(path, chunk_bytes=chunk)
        assert extracted.rejects.height == 0
        assert (
            list(zip(extracted.records["headline"], extracted.records["body"], strict=True))
            == articles
        )
        assert extracted.records["headline_repeats"].to_list() == [2] * len(articles)
    expected_ids = [
        hashlib.sha256(f"{h}\n{b.replace(chr(10) * 2, ' ')}".encode()).hexdigest()[:32]
        for h, b in articles
    ]
    assert extracted.records["article_id"].to_list() == expected_ids


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def _paragraph_count(text: str) -> int:
    """Count paragraphs the contract's way, in plain Python (an independent re-count)."""
    count, previous_blank = 0, True
    for line in re.split("\r\n|\r|\n", text):
        blank = _CONTROL.sub("", line).strip() == ""
        count += int(previous_blank and not blank)
        previous_blank = blank
    return count


_PIECES = [
    b"\n",
    b"\n\n",
    b"\r\n",
    b"\r",
    b" ",
    b"\t",
    b"\x00",
    b"\x07",
    b"\xff",
    b"\xc3",
    b"\xe2\x80\x99",
    b"\xef\xbb\xbf",
    b"\xc2\x85",
    b"\xc2\xa0",
    b"Port Opens",
    b"PORT OPENS",
    b"port opens",
    b"Text.",
    b"Qtly Div Up",
    b"U.S.",
    b"e\xcc\x81",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.one_of(
        st.binary(max_size=400), st.lists(st.sampled_from(_PIECES), max_size=120).map(b"".join)
    )
)
def test_arbitrary_bytes_never_crash_and_lose_no_paragraph(tmp_path: Path, raw: bytes) -> None:
    path = write_dump(tmp_path, "d.txt", raw)
    small = extract_all(path, chunk_bytes=16)
    large = extract_all(path, chunk_bytes=1 << 20)
    assert _same(small, large)
    # Nothing lost: every paragraph of the input is a headline copy, a body paragraph or in a
    # reject's raw text.
    in_articles = sum(
        repeats + body.count("\n\n") + 1
        for repeats, body in large.records.select("headline_repeats", "body").rows()
    )
    in_rejects = sum(_paragraph_count(raw_text) for raw_text in large.rejects["raw_text"])
    assert in_articles + in_rejects == _paragraph_count(read_text(path))
    for text in (*large.records["headline"], *large.records["body"]):
        assert text == unicodedata.normalize("NFC", text)
        assert _CONTROL.search(text) is None


SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw" / "000_2da8245de02aa76e.txt"


def test_sample_headlines_are_found_doubled_or_not() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    doubled = parse_text(text, SAMPLE.name).records
    assert doubled.height == 10
    assert set(doubled["headline_repeats"]) == {2}
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    single = "".join(f"{blocks[i]}\n\n{blocks[i + 2]}\n\n" for i in range(0, len(blocks), 3))
    undoubled = parse_text(single, SAMPLE.name).records
    assert undoubled.select("headline", "body").equals(doubled.select("headline", "body"))
    assert undoubled["flags"].to_list() == [["headline_not_doubled"]] * 10


# Characters on both sides of every edge the byte check draws: controls, NEL (0x85, not a
# control here), NBSP and the other signs whose UTF-8 starts with 0xC2, accents, surrogates.
_EDGE_CHARS = st.sampled_from(
    [
        "a",
        " ",
        "\t",
        "\n",
        "\r",
        "\x00",
        "\x08",
        "\x09",
        "\x0e",
        "\x1f",
        "\x20",
        "\x7e",
        "\x7f",
        "\x80",
        "\x84",
        "\x85",
        "\x86",
        "\x9f",
        "\xa0",
        "\xbf",
        "\xc2",
        "\xe9",
        "\u2019",
        "\ud800",
        "\U0001f600",
    ]
)


@settings(max_examples=500)
@given(text=st.lists(_EDGE_CHARS, max_size=12).map("".join))
def test_control_characters_are_found_in_bytes_as_the_regex_finds_them(text: str) -> None:
    assert _has_control(text) == (_CONTROL_CHAR.search(text) is not None)


def test_removing_a_control_character_never_leaves_text_unnormalised() -> None:
    # NUL between a letter and its combining accent: once removed, the two must compose.
    records = parse_text(f"{H}\n\n{H}\n\nCafe\x00\u0301 prices rose.\n\n", "t").records
    assert records.select("body", "flags").row(0) == (
        "Caf\u00e9 prices rose.",
        ["control_chars_removed"],
    )
