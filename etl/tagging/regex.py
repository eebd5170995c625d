"""Regexes over short windows of text: each Unicode pattern run in its ASCII form where it can.

A pattern with Unicode classes (`\\p{Lu}`, `\\p{L}`) compiles into a large automaton, and
capturing a group with it is slow: `_LONG_RUN` took ~8 ms over a batch's ~1,000 windows,
against ~1 ms for all of them in its ASCII form (and the tagger uses more regexes than
polars' cache holds, so each is compiled again in every batch). On
ASCII text the two forms match exactly the same (an ASCII capital is `[A-Z]`, an ASCII
letter `[A-Za-z]`, an ASCII digit `[0-9]`; `\\s`, `\\S` and `\\b` are unchanged), so the
ASCII rows, nearly all English news, go through the ASCII form and only the others through
the Unicode pattern.
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

__all__ = ["ascii_form", "extract", "is_ascii"]

#: Unicode classes and their ASCII members, as written inside a character class.
_ASCII_MEMBERS = {"Lu": "A-Z", "Ll": "a-z", "L": "A-Za-z", "N": "0-9", "M": ""}
_CLASS = re.compile(r"\\p\{(\w+)\}|\\.|\[|\]")


@cache
def ascii_form(pattern: str) -> str:
    """Return `pattern` with its Unicode letter, digit and mark classes narrowed to ASCII."""
    out: list[str] = []
    position = 0
    inside = False  # within a [...] class (no nesting in these patterns)
    for token in _CLASS.finditer(pattern):
        out.append(pattern[position : token.start()])
        position = token.end()
        text = token.group(0)
        if token.group(1) is not None:
            members = _ASCII_MEMBERS[token.group(1)]
            if inside:
                out.append(members)
            else:
                # A class with no ASCII member (marks) matches nothing in ASCII text.
                out.append(f"[{members}]" if members else r"[^\x00-\x{10FFFF}]")
        else:
            if text == "[" and not inside:
                inside = True
            elif text == "]" and inside:
                inside = False
            out.append(text)
    out.append(pattern[position:])
    return "".join(out)


def is_ascii(column: pl.Expr) -> pl.Expr:
    """Return whether each string of `column` is ASCII (one byte per code point)."""
    return column.str.len_bytes() == column.str.len_chars()


def extract(column: pl.Expr, pattern: str, group: int, ascii: pl.Expr) -> pl.Expr:
    """Return `column.str.extract(pattern, group)`, computed in ASCII form where `ascii`."""
    return pl.coalesce(
        pl.when(ascii).then(column).str.extract(ascii_form(pattern), group),
        pl.when(~ascii).then(column).str.extract(pattern, group),
    )
