"""The matcher: leftmost-longest Aho-Corasick matches, word boundaries, code-point offsets."""

from __future__ import annotations

import polars as pl
import pytest

from etl.tagging import matcher
from etl.tagging.matcher import compile_patterns, scan, slice_chars


def _patterns(*patterns: str) -> pl.Series:
    """Return `patterns` in the matcher's priority order (longest first)."""
    return pl.Series(sorted(set(patterns), key=lambda p: (-len(p), p)), dtype=pl.String)


def _texts(*texts: str, field: str = "body") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "doc": pl.Series(range(len(texts)), dtype=pl.UInt32),
            "field": [field] * len(texts),
            "text": list(texts),
        }
    )


def _found(texts: pl.DataFrame, *patterns: str) -> list[tuple[int, int, int, str]]:
    """Return (doc, start, end, match) of every match, checking each span against its text."""
    hits = scan(texts, _patterns(*patterns)).sort("doc", "start")
    for row in hits.iter_rows(named=True):
        assert row["text"][row["start"] : row["end"]] == row["match"]
    return [(r["doc"], r["start"], r["end"], r["match"]) for r in hits.iter_rows(named=True)]


def test_leftmost_longest_prefers_the_longer_name_at_the_same_start() -> None:
    found = _found(
        _texts("the World Customs Organization met"), "World", "World Customs Organization"
    )
    assert found == [(0, 4, 30, "World Customs Organization")]


def test_longer_name_swallows_the_names_inside_it() -> None:
    text = "Papua New Guinea, Guinea and Niger but not Nigeria"
    found = _found(_texts(text), "Guinea", "Papua New Guinea", "Niger", "Nigeria")
    assert [m for *_, m in found] == ["Papua New Guinea", "Guinea", "Niger", "Nigeria"]


def test_a_match_inside_a_longer_word_is_dropped() -> None:
    found = _found(_texts("ROMANIA and the USDA, not Oman"), "OMAN", "Oman", "US")
    assert found == [(0, 26, 30, "Oman")]


def test_possessives_hyphens_and_brackets_keep_their_match() -> None:
    found = _found(_texts("Japan's US-China talks (WCO)"), "Japan", "US", "China", "WCO", "(")
    assert [m for *_, m in found] == ["Japan", "US", "China", "(", "WCO"]


def test_offsets_are_code_points_in_non_ascii_text() -> None:
    kapikule = "Kap\u0131kule"  # with the Turkish dotless i
    text = f"Türkiye and Côte d'Ivoire met in {kapikule}; São Paulo\u2019s port and Oman"
    found = _found(_texts(text), "Türkiye", "Côte d'Ivoire", kapikule, "São Paulo", "Oman")
    assert [(s, e) for _, s, e, _ in found] == [(0, 7), (12, 25), (33, 41), (43, 52), (64, 68)]


def test_non_ascii_neighbours_are_read_as_characters() -> None:
    # é continues the word (no match); a curly apostrophe and a non-breaking space do not.
    found = _found(_texts("Omané Oman\u2019s Oman\u00a0x"), "Oman")
    assert [(s, e) for _, s, e, _ in found] == [(6, 10), (13, 17)]


def test_case_is_exact() -> None:
    assert _found(_texts("china and CHINA and China"), "China") == [(0, 20, 25, "China")]


def test_several_texts_keep_their_own_offsets() -> None:
    texts = _texts("WCO", "é WCO", "x", "the WCO")
    assert _found(texts, "WCO") == [(0, 0, 3, "WCO"), (1, 2, 5, "WCO"), (3, 4, 7, "WCO")]


def test_no_texts_or_no_patterns_give_no_matches() -> None:
    assert scan(_texts(), _patterns("WCO")).height == 0
    assert scan(_texts("WCO"), pl.Series([], dtype=pl.String)).height == 0


@pytest.mark.parametrize("ascii_text", [True, False])
def test_slice_chars_cuts_code_points(ascii_text: bool) -> None:
    text = "abcdef" if ascii_text else "äbcdéf"
    frame = pl.DataFrame({"t": [text, text], "s": [-2, 3], "n": [4, 10]})
    out = frame.select(
        slice_chars(pl.col("t"), pl.col("s"), pl.col("n"), pl.lit(ascii_text))
    ).to_series()
    assert out.to_list() == [text[0:4], text[3:]]


def test_texts_holding_control_characters_are_matched_too() -> None:
    texts = _texts("a\x01b WCO and WCO", "nul\x00WCO", "plain WCO")
    assert _found(texts, "WCO") == [
        (0, 4, 7, "WCO"),
        (0, 12, 15, "WCO"),
        (1, 4, 7, "WCO"),
        (2, 6, 9, "WCO"),
    ]


def test_no_match_spans_two_texts() -> None:
    # The texts are matched joined: a pattern must not run from one text into the next.
    texts = _texts("the U", "S dollar and the US", "Côte d", "'Ivoire")
    assert _found(texts, "US", "Côte d'Ivoire") == [(1, 17, 19, "US")]


def test_segments_give_the_matches_of_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        f"{'é' * (i % 3)}Oman, the WCO{'é' if i % 2 else ''} and US-China {i}" for i in range(60)
    ]
    texts = _texts(*rows)
    patterns = _patterns("Oman", "WCO", "US", "China", "US-China")
    whole = _found(texts, *patterns)
    monkeypatch.setattr(matcher, "_SEGMENT_BYTES", 7)  # a segment per text, or several
    assert _found(texts, *patterns) == whole
    # `éOman` and `WCOé` are words of their own: Oman counts in 20 rows, WCO in 30.
    assert [m for *_, m in whole].count("Oman") == 20
    assert [m for *_, m in whole].count("WCO") == 30
    assert [m for *_, m in whole].count("US-China") == 60


def test_a_compiled_automaton_matches_like_its_patterns() -> None:
    texts = _texts("Japan's US-China talks (WCO)", "é WCO")
    patterns = _patterns("Japan", "US", "China", "WCO", "(")
    assert scan(texts, compile_patterns(patterns)).equals(scan(texts, patterns))


def test_many_long_texts_are_matched_in_one_scan() -> None:
    rows = [f"row {i} the WCO and Türkiye met {'x' * 40_000}" for i in range(120)]
    found = _found(_texts(*rows), "WCO", "Türkiye")
    assert len(found) == 240
    assert {(s, e) for _, s, e, m in found if m == "WCO"} == {
        (len(f"row {i} the "), len(f"row {i} the WCO")) for i in range(120)
    }
