"""Regexes in ASCII form: the same matches as the Unicode pattern on ASCII text, and only there."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.tagging import rules
from etl.tagging.regex import ascii_form, extract, is_ascii

# The patterns the rules run through `extract`, each over windows of a text.
_RULE_PATTERNS = {
    "left run": rules._LEFT_RUN,
    "left run, loose": rules._LEFT_RUN_LOOSE,
    "complement": rules._COMPLEMENT,
    "long run": rules._LONG_RUN,
}
# ASCII text made of what those patterns read: capitals, small letters, digits, spaces,
# initials, possessives, connectors, quotes and brackets.
_PIECES = st.sampled_from(
    ["A", "Z", "a", "z", "7", " ", " ", ".", "'", "'s", "&", "-", "(", '"', "/", "of", "the", "for"]
)
_ASCII_TEXT = st.lists(_PIECES, max_size=30).map("".join)


def test_unicode_classes_are_narrowed_to_their_ascii_members() -> None:
    assert ascii_form(r"^ (\p{Lu}\p{Ll}+)") == r"^ ([A-Z][a-z]+)"
    assert ascii_form(r"[^\p{Lu}\p{N}]") == r"[^A-Z0-9]"
    assert ascii_form(r"\p{L}[\p{L}'\x{2019}\-]{3,}") == r"[A-Za-z][A-Za-z'\x{2019}\-]{3,}"
    # Escapes that are not classes, and brackets inside an escape, are left alone.
    assert ascii_form(r"\(\[\p{Lu}\]\)") == r"\(\[[A-Z]\]\)"


@pytest.mark.parametrize("name", sorted(_RULE_PATTERNS))
@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_ASCII_TEXT, min_size=1, max_size=8))
def test_ascii_form_matches_like_the_pattern_on_ascii_text(name: str, texts: list[str]) -> None:
    pattern = _RULE_PATTERNS[name]
    frame = pl.DataFrame({"t": texts})
    unicode = frame.select(pl.col("t").str.extract(pattern, 1)).to_series()
    narrowed = frame.select(pl.col("t").str.extract(ascii_form(pattern), 1)).to_series()
    assert narrowed.to_list() == unicode.to_list()


def test_rows_outside_ascii_go_through_the_unicode_pattern() -> None:
    frame = pl.DataFrame({"t": ["in Paris", "in Zürich", "à Édimbourg", "no name"]})
    word = r"(\p{Lu}\p{Ll}+)$"
    routed = frame.select(extract(pl.col("t"), word, 1, is_ascii(pl.col("t")))).to_series()
    assert routed.to_list() == ["Paris", "Zürich", "Édimbourg", None]
    # The ASCII form alone would miss both names with accents: the routing is what keeps them.
    narrowed = frame.select(pl.col("t").str.extract(ascii_form(word), 1)).to_series()
    assert narrowed.to_list() == ["Paris", None, None, None]


def test_is_ascii_counts_code_points_against_bytes() -> None:
    frame = pl.DataFrame({"t": ["WCO", "Türkiye", "", "d\u2019Ivoire", None]})
    assert frame.select(is_ascii(pl.col("t"))).to_series().to_list() == [
        True,
        False,
        True,
        False,
        None,
    ]
