"""Regexes over short windows of text: each Unicode pattern run in its ASCII form where it can.

A pattern with Unicode classes (`\\p{Lu}`, `\\p{L}`) compiles into a large automaton, and
capturing a group with it is slow: `_LONG_RUN` took ~8 ms over a batch's ~1,000 windows,
against ~1 ms for all of them in its ASCII form (and the tagger uses more regexes than
polars' cache holds, so each is compiled again in every batch). On
ASCII text the two forms match exactly the same (an ASCII capital is `[A-Z]`, an ASCII
letter `[A-Za-z]`, an ASCII digit `[0-9]`; `\\s`, `\\S` and `\\b` are unchanged), so the
ASCII rows, nearly all English news, go through the ASCII form and only the others through
the Unicode pattern.

A Unicode class also makes a pattern slow to compile: the tagger's 33 Unicode patterns took
~100 ms of every batch to compile (polars keeps 32 compiled regexes per thread, and the tagger
cycles through 68, so none is still there at the next batch): a third of a batch's tagging
time. Inside a `news_scripts` scope whose texts write every letter, digit and mark in the
scripts of a `NEWS_SCRIPTS` range (the Latin script; or Latin, Greek, Cyrillic and Armenian:
nearly all news the toolkit reads), `rx` narrows each class to that range (`[\\p{Lu}&&[...]]`),
which matches exactly the same characters of such texts and compiles in a quarter of the
time; a batch with a letter of any other script keeps the full classes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

import polars as pl

__all__ = ["NEWS_SCRIPTS", "ascii_form", "extract", "is_ascii", "narrow_form", "news_scripts", "rx"]

#: Code points of the scripts `news_scripts` narrows Unicode classes to, narrowest first: the
#: Latin script (with Vietnamese), then Latin, Greek, Cyrillic and Armenian. The narrower,
#: the faster the compiling (the tagger's Unicode patterns: 24 ms, 33 ms, 102 ms unnarrowed).
NEWS_SCRIPTS = (r"\x{0}-\x{24F}\x{1E00}-\x{1EFF}", r"\x{0}-\x{58F}\x{1E00}-\x{1FFF}")
_UNICODE_CLASS = re.compile(r"\\p\{(\w+)\}")
#: The NEWS_SCRIPTS range the current scope's texts are all in, if any (see `news_scripts`).
_narrow: ContextVar[str | None] = ContextVar("narrow_unicode_classes", default=None)

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


@cache
def narrow_form(pattern: str, scripts: str) -> str:
    """Return `pattern` with each Unicode class narrowed to the code points of `scripts`."""
    return _UNICODE_CLASS.sub(lambda m: f"[{m.group(0)}&&[{scripts}]]", pattern)


def rx(pattern: str) -> str:
    """Return a Unicode `pattern` to run now: narrowed inside a `news_scripts` scope that
    allows it, as written elsewhere.

    (A lone class, `\\p{Lu}`, compiles in a fraction of a millisecond: it is run as written,
    the same pattern as the extract stage's, not as one more regex for polars to hold.)"""
    scripts = _narrow.get()
    return pattern if scripts is None else narrow_form(pattern, scripts)


@contextmanager
def news_scripts(texts: pl.Series) -> Iterator[None]:
    """Within the block, let `rx` narrow Unicode classes to the narrowest NEWS_SCRIPTS range
    that holds every letter, digit and mark of `texts` (the block reads those texts or slices
    of them), if one does."""
    fits = None
    # (only the texts outside ASCII can hold another script: few, and cheaper to scan)
    texts = texts.filter(texts.str.len_bytes() != texts.str.len_chars())
    for scripts in NEWS_SCRIPTS:
        if not texts.str.contains(r"[[\p{L}\p{N}\p{M}]--[" + scripts + r"]]").any():
            fits = scripts
            break
    token = _narrow.set(fits)
    try:
        yield
    finally:
        _narrow.reset(token)


def is_ascii(column: pl.Expr) -> pl.Expr:
    """Return whether each string of `column` is ASCII (one byte per code point)."""
    return column.str.len_bytes() == column.str.len_chars()


def extract(column: pl.Expr, pattern: str, group: int, ascii: pl.Expr) -> pl.Expr:
    """Return `column.str.extract(pattern, group)`, computed in ASCII form where `ascii`."""
    return pl.coalesce(
        pl.when(ascii).then(column).str.extract(ascii_form(pattern), group),
        pl.when(~ascii).then(column).str.extract(rx(pattern), group),
    )
