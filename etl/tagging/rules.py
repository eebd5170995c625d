"""Rules for what the gazetteer lacks or cannot decide alone, each a function over match frames.

- **Field style** (`field_styles`): whether a text is ALL CAPS (wire headlines) or Title Case.
  Rules that read capitalisation as a signal are switched off where it carries none.
- **Head-noun phrases** (`head_phrases`): a capitalised phrase ending in a head word is an
  entity of the head's label (`Kenya Revenue Authority` ORG, `Inama Project` PROGRAMME,
  `Istanbul Convention` INSTRUMENT). The matcher anchors on the head words; the phrase is
  extended leftwards over capitalised words with a regex on a short slice before the head, and
  rightwards over an `of`/`for`/`on` complement (`Ministry of Finance`, `Bank of Korea`).
  Leading function words (`The`, `Through`) are dropped; a possessor with `'s` becomes the
  phrase's country (`Guatemala's Tax Administration` is GTM's); a lone head is no name.
- **Acronym definitions** (`acronym_definitions`): `Long Name (ACR)` and `ACR (Long Name)`.
  The long form is the run of capitalised words before the parenthesis, cut where the
  acronym's first letter starts a suffix with about as many capitalised words as the acronym
  has capitals (`... of the World Customs Organization (WCO)`); failing that, a run ending in
  a head word (`Tax Administration (SAT)`).
- **Ambiguity** (`drop_ambiguous`): surface forms listed in `ambiguous.tsv` with a rule.
- **Derived ids** (`derived_id`): an entity found only by a rule gets `<prefix>:x-<slug>`.
"""

from __future__ import annotations

import polars as pl

from etl.tagging.gazetteer import HEAD_WORDS
from etl.tagging.matcher import slice_chars
from schemas.records import EntityLabel

__all__ = [
    "ID_PREFIX",
    "SOURCE_ACRONYM",
    "SOURCE_HEAD",
    "acronym_definitions",
    "derived_id",
    "drop_ambiguous",
    "field_styles",
    "head_phrases",
]

SOURCE_HEAD = "rule:head-noun"
SOURCE_ACRONYM = "rule:acronym"

#: Prefix of the ids of entities found only by a rule, by label.
ID_PREFIX = {
    EntityLabel.ORG.value: "org",
    EntityLabel.PROGRAMME.value: "prog",
    EntityLabel.INSTRUMENT.value: "instr",
    EntityLabel.LOCATION.value: "loc",
    EntityLabel.COUNTRY.value: "country",
}

# A capitalised word: initials (U.S.), a word starting upper case, or d'Ivoire-style elisions.
_TOKEN = r"(?:(?:\p{Lu}\.){2,}|\p{Lu}[\p{L}\p{N}&\-]*|d['\x{2019}]\p{Lu}[\p{L}\p{N}\-]*)"
# The same, optionally possessive (Guatemala's): only on the left of a head word.
_TOKEN_POSS = (
    r"(?:(?:\p{Lu}\.){2,}|\p{Lu}[\p{L}\p{N}&\-]*(?:['\x{2019}]s)?"
    r"|d['\x{2019}]\p{Lu}[\p{L}\p{N}\-]*)"
)
_CONNECTOR = r"(?:and|&|of|for|the|on|in|de|del|des|du|la|le|y|et)"
_OPEN = r"(?:^|[ (\"'\x{201C}\x{2018}/])"
_WINDOW = 80
_DEF_WINDOW = 160

# Left of a head word: capitalised words (joined by `&` at most), ending where the head starts.
_LEFT_RUN = _OPEN + r"((?:" + _TOKEN_POSS + r" +(?:& +)?)+)$"
# Right of a head word: an of/for/on complement of capitalised words.
_COMPLEMENT = (
    r"^( +(?:of|for|on) +(?:the +)?"
    + _TOKEN
    + r"(?: +(?:"
    + _CONNECTOR
    + r" +){0,2}"
    + _TOKEN
    + r"){0,5})"
)
_NOT_A_COMPLEMENT = (
    r"^ +on +(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March"
    r"|April|May|June|July|August|September|October|November|December)\b"
)
# Capitalised words that start sentences or clauses rather than names.
_LEADING_WORDS = (
    "The|A|An|This|That|These|Those|Its|Their|His|Her|Our|Your|In|On|At|By|For|From|With|"
    "Through|Under|Via|As|And|But|Or|Both|Meanwhile|However|Following|After|Before|During|"
    "While|When|Where|If|Since|Also|Then|Each|Every|All|Some|Many|Several|Other|Such|Among|"
    "Between|Without|Within|Across|Against|Despite|Although|Because|Once|Today|Yesterday|"
    "Last|Next|According|Thanks|Like|Unlike|Including|Under|Over|To|Of|Is|Was|It|We|They|"
    "Officials|Director|Secretary|Minister|President|Commissioner|Chairman|Chair|Head|Chief|"
    "Mr|Ms|Mrs|Dr|Deputy|General|Director-General|Secretary-General|Spokesman|Spokeswoman"
)
_STRIP_LEADING = r"^(?:(?:" + _LEADING_WORDS + r") +(?:& +)?)+"
# An acronym: no spaces, upper-case first, at least two capitals in all.
_ACRONYM = r"^\p{Lu}[\p{L}\p{N}&.\-]{1,11}$"
_LONG_RUN = _OPEN + r"(" + _TOKEN + r"(?: +(?:" + _CONNECTOR + r" +){0,2}" + _TOKEN + r")*) *$"
_ACRONYM_BEFORE = _OPEN + r"(\p{Lu}[\p{L}\p{N}&.\-]{1,11}) *$"
_INNER_RUN = r"^" + _TOKEN + r"(?: +(?:" + _CONNECTOR + r" +){0,2}" + _TOKEN + r"){1,11}$"

_HEADS = "|".join(sorted(HEAD_WORDS, key=len, reverse=True))
_ENDS_IN_HEAD = r"(?:^| )(?:" + _HEADS + r")$"


def field_styles(texts: pl.DataFrame) -> pl.DataFrame:
    """Return (doc, field, caps, title): whether each text is ALL CAPS, or Title Case."""
    words = pl.col("text").str.extract_all(r"\p{L}[\p{L}'\x{2019}\-]{3,}")
    capitalised = words.list.eval(pl.element().str.contains(r"^\p{Lu}")).list.mean()
    caps = pl.col("text").str.contains(r"\p{Lu}") & ~pl.col("text").str.contains(r"\p{Ll}")
    # Only headlines are ever in Title Case; measuring bodies would cost a pass for nothing.
    title = (pl.col("field") == "headline") & (capitalised.fill_null(0.0) >= 0.6)
    return texts.select("doc", "field", caps=caps, title=title & ~caps)


def derived_id(label: pl.Expr, name: pl.Expr, country: pl.Expr | None = None) -> pl.Expr:
    """Return `<prefix>:x-[<iso3>-]<slug of name>`: the id of an entity known only from a rule."""
    slug = (
        name.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", "-")
        .str.strip_chars("-")
    )
    prefix = label.replace_strict(ID_PREFIX, return_dtype=pl.String)
    scope = pl.lit("") if country is None else (country.str.to_lowercase() + "-").fill_null("")
    return pl.concat_str(prefix, pl.lit(":x-"), scope, slug)


def head_phrases(heads: pl.DataFrame) -> pl.DataFrame:
    """Return the capitalised phrases ending in each head-word hit (one row per kept phrase).

    `heads`: doc, field, text, ascii, start, end, head (the head's label). Output: doc,
    field, text, ascii, start, end, label, anchor and anchor_end (the head's span); for a run
    with a possessive, split_start (where the phrase starts without its possessor),
    possessor_end (where the possessor word ends) and split_keeps_name (whether more than the
    bare head is left after the split).
    """
    text, ascii = pl.col("text"), pl.col("ascii")
    window_start = pl.max_horizontal(pl.col("start") - _WINDOW, pl.lit(0))
    left = slice_chars(text, window_start, pl.col("start") - window_start, ascii)
    right = slice_chars(text, pl.col("end"), _WINDOW, ascii)
    phrases = (
        heads.with_columns(
            run=left.str.extract(_LEFT_RUN, 1).fill_null(""),
            complement=right.str.extract(_COMPLEMENT, 1).fill_null(""),
        )
        .with_columns(
            complement=pl.when(pl.col("complement").str.contains(_NOT_A_COMPLEMENT))
            .then(pl.lit(""))
            .otherwise(pl.col("complement")),
            run=pl.col("run").str.replace(_STRIP_LEADING, ""),
        )
        # The last possessive in the run may split it: `Guatemala's | Tax Administration`.
        .with_columns(
            marker=pl.col("run").str.extract(r"^(?:.* )?\S+?(['\x{2019}]s +)(.*)$", 1),
            possessed=pl.col("run").str.extract(r"^(?:.* )?\S+?(['\x{2019}]s +)(.*)$", 2),
        )
        .with_columns(
            end=pl.col("end") + pl.col("complement").str.len_chars().cast(pl.Int64),
            anchor=pl.col("start"),
            anchor_end=pl.col("end"),
            split_start=pl.col("start") - pl.col("possessed").str.len_chars().cast(pl.Int64),
            start=pl.col("start") - pl.col("run").str.len_chars().cast(pl.Int64),
        )
        .with_columns(
            possessor_end=pl.col("split_start") - pl.col("marker").str.len_chars().cast(pl.Int64)
        )
    )
    return phrases.filter((pl.col("run") != "") | (pl.col("complement") != "")).select(
        "doc",
        "field",
        "text",
        "ascii",
        "start",
        "end",
        "anchor",
        "anchor_end",
        "split_start",
        "possessor_end",
        label="head",
        split_keeps_name=(pl.col("possessed").fill_null("") != "") | (pl.col("complement") != ""),
    )


def acronym_definitions(parens: pl.DataFrame) -> pl.DataFrame:
    """Return the acronym definitions at each `(`: doc, field, acronym span, long form span.

    `parens`: doc, field, text, ascii, start (of the parenthesis). Output: doc, field, acr,
    acr_start, acr_end, long, long_start, long_end, long_label (the label of a head word the
    long form ends in, or null).
    """
    text, ascii, at = pl.col("text"), pl.col("ascii"), pl.col("start")
    window_start = pl.max_horizontal(at - _DEF_WINDOW, pl.lit(0))
    frame = parens.with_columns(
        inner=slice_chars(text, at + 1, 122, ascii).str.extract(r"^([^()]{1,120})\)", 1),
        before=slice_chars(text, window_start, at - window_start, ascii),
    ).filter(pl.col("inner").is_not_null())
    is_acronym = pl.col("inner").str.contains(_ACRONYM) & (
        pl.col("inner").str.count_matches(r"\p{Lu}") >= 2
    )
    # Long Name (ACR)
    forward = (
        frame.filter(is_acronym)
        .with_columns(
            run=pl.col("before").str.extract(_LONG_RUN, 1),
            gap=pl.col("before").str.extract(r"( *)$", 1).str.len_chars().cast(pl.Int64),
        )
        .filter(pl.col("run").is_not_null())
    )
    forward = _long_form(forward).select(
        "doc",
        "field",
        acr="inner",
        acr_start=at + 1,
        acr_end=at + 1 + pl.col("inner").str.len_chars().cast(pl.Int64),
        long="long",
        long_start=at - pl.col("gap") - pl.col("long").str.len_chars().cast(pl.Int64),
        long_end=at - pl.col("gap"),
    )
    # ACR (Long Name)
    backward = (
        frame.filter(~is_acronym & pl.col("inner").str.contains(_INNER_RUN))
        .with_columns(
            acr=pl.col("before").str.extract(_ACRONYM_BEFORE, 1),
            gap=pl.col("before").str.extract(r"( *)$", 1).str.len_chars().cast(pl.Int64),
        )
        .filter(pl.col("acr").is_not_null() & (pl.col("acr").str.count_matches(r"\p{Lu}") >= 2))
        .with_columns(
            letters=pl.col("acr").str.replace_all(r"[^\p{Lu}]", ""),
            first=pl.col("inner").str.slice(0, 1),
        )
        .filter(
            (pl.col("letters").str.slice(0, 1) == pl.col("first"))
            | pl.col("inner").str.contains(_ENDS_IN_HEAD)
        )
        .select(
            "doc",
            "field",
            acr="acr",
            acr_start=at - pl.col("gap") - pl.col("acr").str.len_chars().cast(pl.Int64),
            acr_end=at - pl.col("gap"),
            long="inner",
            long_start=at + 1,
            long_end=at + 1 + pl.col("inner").str.len_chars().cast(pl.Int64),
        )
    )
    both = pl.concat([forward, backward])
    head = both.get_column("long").str.extract(r"(?:^| )(" + _HEADS + r")(?: |$)", 1)
    return both.with_columns(
        long_label=head.replace_strict(
            {k: v.value for k, v in HEAD_WORDS.items()}, default=None, return_dtype=pl.String
        )
    )


def _long_form(forward: pl.DataFrame) -> pl.DataFrame:
    """Add `long`: the suffix of `run` that the acronym `inner` stands for (rows without go)."""
    indexed = forward.with_row_index("def").with_columns(
        letters=pl.col("inner").str.replace_all(r"[^\p{Lu}\p{N}]", "")
    )
    tokens = (
        indexed.select("def", "letters", token=pl.col("run").str.split(" "))
        .explode("token")
        .filter(pl.col("token") != "")
        .with_columns(idx=pl.int_range(pl.len()).over("def"))
        .with_columns(cap=pl.col("token").str.contains(r"^\p{Lu}"))
        .with_columns(caps_after=pl.col("cap").cast(pl.Int32).cum_sum(reverse=True).over("def"))
    )
    n = pl.col("letters").str.len_chars().cast(pl.Int32)
    starts_right = pl.col("cap") & (
        pl.col("token").str.slice(0, 1) == pl.col("letters").str.slice(0, 1)
    )
    exact = tokens.filter(starts_right & (pl.col("caps_after") == n))
    lenient = tokens.filter(
        starts_right
        & (pl.col("caps_after") >= pl.max_horizontal(n - 2, pl.lit(2)))
        & (pl.col("caps_after") <= n + 3)
    )
    choice = (
        pl.concat([exact.with_columns(rank=pl.lit(0)), lenient.with_columns(rank=pl.lit(1))])
        .sort("def", "rank", "idx", descending=[False, False, True])
        .unique("def", keep="first")
        .select("def", "idx")
    )
    suffix = (
        tokens.join(choice, on="def")
        .filter(pl.col("idx") >= pl.col("idx_right"))
        .group_by("def")
        .agg(pl.col("token").sort_by("idx").str.join(" ").alias("long"))
    )
    # No initials fit: a run ending in a head word is still a name (Tax Administration (SAT)).
    headed = (
        indexed.filter(pl.col("run").str.contains(_ENDS_IN_HEAD))
        .with_columns(long=pl.col("run").str.replace(_STRIP_LEADING, ""))
        .filter(pl.col("long").str.contains(" "))
        .select("def", "long")
    )
    longs = pl.concat([suffix, headed.join(suffix, on="def", how="anti")])
    return indexed.join(longs, on="def")


def drop_ambiguous(
    mentions: pl.DataFrame, ambiguous: pl.DataFrame, styles: pl.DataFrame
) -> pl.DataFrame:
    """Return `mentions` without the ambiguous surface forms whose context rules them out.

    Rules (by the `rule` column of ambiguous.tsv):
    - `word` (an acronym that is also a word: US, IT, SAT, CAN, AU): never in an ALL-CAPS text.
    - `person` (a name that is also a given name: Chad, Jordan): not next to another
      capitalised word outside Title Case and ALL-CAPS texts (`Chad Bown`, `Michael Jordan`).
    """
    if ambiguous.height == 0 or mentions.height == 0:
        return mentions
    rules = ambiguous.select("surface", "rule").unique("surface", keep="first")
    frame = mentions.join(rules, left_on="text", right_on="surface", how="left").join(
        styles, on=["doc", "field"], how="left"
    )
    text, ascii = pl.col("full"), pl.col("ascii")
    nxt = slice_chars(text, pl.col("end"), 24, ascii).str.extract(r"^ (\p{Lu}\p{Ll}+)", 1)
    prev = slice_chars(
        text, pl.col("start") - 24, pl.min_horizontal(pl.col("start"), 24), ascii
    ).str.extract(r"(?:^|[^.!?] )(\p{Lu}\p{Ll}+) $", 1)
    nxt_is_head = nxt.is_in(list(HEAD_WORDS))
    drop = (
        (pl.col("rule").is_in(["word", "acronym"]) & pl.col("caps"))
        | (
            (pl.col("rule") == "person")
            & ~pl.col("caps")
            & ~pl.col("title")
            & ((nxt.is_not_null() & ~nxt_is_head) | prev.is_not_null())
        )
    ).fill_null(value=False)
    return frame.filter(~drop).select(mentions.columns)
