"""`article_id` is a stable function of the normalised text (CONTRACT section 2), for any text."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from etl.extract import article_ids

# Letters, marks, digits, punctuation, symbols and spaces of any script; no control characters
# (Extract removes those before ids are computed) and no surrogates.
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn")), min_size=1, max_size=60
)
SPACES = st.sampled_from([" ", "  ", "\t", "\u00a0", " \u2003 "])


def _reference(headline: str, body: str) -> str:
    """The contract's definition, written independently with the standard library."""

    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()

    return hashlib.sha256(f"{norm(headline)}\n{norm(body)}".encode()).hexdigest()[:32]


def _ids(headlines: list[str], bodies: list[str]) -> list[str]:
    frame = pl.DataFrame({"headline": headlines, "body": bodies})
    return frame.select(article_ids(pl.col("headline"), pl.col("body"))).to_series().to_list()


@given(headline=TEXT, body=TEXT)
def test_id_is_the_contracts_digest(headline: str, body: str) -> None:
    (got,) = _ids([headline], [body])
    assert re.fullmatch(r"[0-9a-f]{32}", got)
    assert got == _reference(headline, body)


@given(words=st.lists(TEXT.map(str.split).filter(bool), min_size=2, max_size=6), gap=SPACES)
def test_id_ignores_how_words_are_spaced(words: list[list[str]], gap: str) -> None:
    flat = [w for group in words for w in group]
    headline, body = " ".join(flat[:2]), " ".join(flat[2:]) or "x"
    spaced_headline, spaced_body = gap.join(flat[:2]), f"{gap}{gap.join(flat[2:]) or 'x'}{gap}"
    assert _ids([headline], [body]) == _ids([spaced_headline], [spaced_body])


@given(rows=st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=8), extra=st.tuples(TEXT, TEXT))
def test_id_does_not_depend_on_the_rest_of_the_batch(
    rows: list[tuple[str, str]], extra: tuple[str, str]
) -> None:
    alone = [_ids([h], [b])[0] for h, b in rows]
    together = _ids([h for h, _ in [*rows, extra]], [b for _, b in [*rows, extra]])[:-1]
    assert together == alone
