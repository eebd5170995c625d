"""Places named by their context: a capitalised name beside a lower-case place word.

News names small places no list holds, but says what they are: `the Oybek crossing`, `the
Abdali and Nuwaiseeb land borders`, `the new Gulhifalhu port`, `the Uzbek town of Keles`, `the
river port of Villeta`, `the Tuamotu atolls of Manihi and Arutua`. The matcher finds the place
words (`CONTEXT_WORDS`, lower case: `crossing`, `border post`, `town`, `port`, ...); a regex on
the 80 characters before the word takes the name that ends right before it, one on the
characters after it the name after `of`. A name is one to four capitalised words (with
`de`, `al`, `ben` and their kin between them: `Mustapha Ben Boulaïd`), or two joined by `and`.

What keeps it precise:

- before the word, the name must follow a lower-case word that ends no sentence, or a
  sentence's `The` (`at the Oybek crossing`), so a sentence's first word is no place (`Trucks
  crossing the Zambezi`);
  and a name before the word is no place when `of` follows it (`the English port of Dover`);
- no word of the name may be a sentence word, a generic word of names (`Customs`, `National`,
  `Port`), a weekday or a month; a word with a lower-case part after a hyphen
  (`Arabic-speaking regions`), an acronym, a possessive and an adjective of people (`North
  European ports`) are no names;
- a name that overlaps a mention already found is left to that mention (`the Kenya border`,
  `Chinese ports`).

Words of kind name programmes the same way (`gazetteer.PROGRAMME_WORDS`: `the Green Lanes
system`, `its Interface Public-Members platform`): the name of two words or more before one is
a PROGRAMME, unless a number follows the word (`the Kodak KIMS system 5000`, a product).

The place has no country (the context does not say whose it is) and a derived id. Its other
occurrences in the article, headline included, are found by the tagger's rescan like those of
a defined acronym.

A known place also says where a name before it is (`located_cues`): `shifted to Ilo in
southern Peru`, `trucked from Atambua in West Timor`, `an export office at Morebaya in
Forécariah prefecture`. There the cue is the `in` before the known place, the name must
follow `to`, `from`, `at`, `near`, `via` or `towards` (`sold to Purity Supreme in New England`
is the risk they take), and the place takes the known place's country.

A known town or port also says what a name joined to it by `and` is, after `in` and the
words above: `to Giurgiulesti and Sculeni`, `in Orange Walk and Belize City`. The name takes
the town's country. Not after `between`, where news puts parties (`between Washington and
Fujitsu`), and not beside a country, which may be joined to anything (`in Japan and Toshiba
units`).
"""

from __future__ import annotations

import polars as pl

from etl.tagging.gazetteer import LEGAL_FORMS, PROGRAMME_BEFORE, ROAD_BEFORE
from etl.tagging.matcher import chars_before, slice_chars, text_position
from etl.tagging.regex import ascii_form, extract, is_ascii
from etl.tagging.rules import (
    DAYS_AND_MONTHS,
    DIGITS,
    capitalised,
    derived_id,
    forms_schema,
    generic_and_sentence_words,
)
from schemas.records import EntityLabel

__all__ = ["SOURCE_CONTEXT", "context_places", "located_cues"]

SOURCE_CONTEXT = "rule:context"
# (the label a road's name carries until its number is let through, then LOCATION)
_ROAD = "road"

_WINDOW = 80
# A word of a place's name: capitalised, with parts joined by an apostrophe (`Faa'a`) or by a
# hyphen or en dash before a capital or a digit (`Al-Karameh`, `Narva-1`), not a possessive `'s`,
# never before a lower-case part (`Arabic-speaking`).
_WORD = (
    r"\p{Lu}[\p{L}\p{N}]*(?:['\x{2019}](?:[\p{L}\p{N}--s]|s[\p{L}\p{N}])[\p{L}\p{N}]*"
    r"|[\-\x{2013}][\p{Lu}\p{N}][\p{L}\p{N}]*)*"
)
_JOIN = r"(?:de|del|da|do|du|des|la|las|los|el|le|di|al|ben|bin|ibn)"
_NAME = _WORD + r"(?: (?:" + _JOIN + r" )?" + _WORD + r"){0,3}"
_NAMES = r"(" + _NAME + r"(?: and " + _NAME + r")?)"
# Before the place word: the names, after a whole word that starts in lower case (or a
# number, a bracket), or a sentence's `The`, or a possessive (`Apia's Matautu wharf`): never a
# sentence's first word.
_BEFORE = (
    r"(?:^| )(?:[\p{Ll}\p{N}(](?:\S*[^\s.!?:;])? |The |\p{Lu}\S*['\x{2019}]s )" + _NAMES + r" $"
)
# After the place word: `of`, perhaps `the`, and the names, ending at a word's end (or after a
# known place, `and` and the names: `in Giurgiulesti and Sculeni`; or after a word of
# direction, the names: `near Zuwara`).
_AFTER = r"^( of (?:the )?| and | )" + _NAMES + r"(?:[^\p{L}\p{N}\-\x{2013}'\x{2019}]|$)"
# (and companies' legal forms, with `Co` and `Cia`, which are no head words: `to Morgan
# Guaranty Trust Co in New York`, `in Bilbao and Cia Espanola de Petroleos S.A.`)
_NOT_A_PLACE_WORD = sorted(
    {*generic_and_sentence_words(), *DAYS_AND_MONTHS, *LEGAL_FORMS, "Co", "Co.", "Cos", "Cia"}
)
# A name whose last word ends so is an adjective of people (`North European`, `Kurdish`).
_ADJECTIVE_ENDINGS = ("ean", "ian", "ese", "ish")


# Where a known place locates the name before it: `in`, perhaps a direction, right before it.
_DIRECTIONS = [
    "",
    *(f"{word} " for word in ("north", "south", "east", "west", "central")),
    *(f"{word}ern " for word in ("north", "south", "east", "west")),
]
# The words a located name follows (`shifted to Ilo in southern Peru`).
_TOWARDS = ["to", "from", "at", "near", "via", "towards"]
_LOCATED_WINDOW = 60
# The words a name joined to a known place by `and` follows (`to Giurgiulesti and Sculeni`).
# (not `between`: news puts parties there, `between Washington and Fujitsu`)
_BESIDE = [*_TOWARDS, "in"]
_AND = " and "


def located_cues(found: pl.DataFrame) -> pl.DataFrame:
    """Return cues for the names a known place locates or is joined to.

    The `in` before a place with a country (context `located`), the `and` before a town with a
    country (`joined-before`: the name stands before the `and`), and a town with a country
    before `and` and a capitalised word (`joined-after`). `found`: the mentions so far (the
    tagger's columns). Output: the cue columns `context_places` reads (doc, field, text, ascii,
    start, end, context), and the country the name takes. Bodies only: a Title Case headline
    capitalises every word. String tests keep the few places with `in` and a capitalised word
    before them, after one of the words above, and the few towns beside `and`, so the context
    rule's regexes see only those.
    """
    full, ascii = pl.col("full"), pl.col("ascii")
    places = found.filter(
        (pl.col("field") == "body")
        & pl.col("label").is_in([EntityLabel.COUNTRY.value, EntityLabel.LOCATION.value])
        & pl.col("country").is_not_null()
    ).select(
        "doc",
        "field",
        "full",
        "ascii",
        "start",
        "end",
        "label",
        "country",
        near=chars_before(full, pl.col("start"), 16, ascii),
    )
    # (`in`, then nothing or a direction, right before the place)
    tail = pl.col("near").str.split(" in ").list.last()
    located = (
        places.filter(pl.col("near").str.contains(" in ", literal=True))
        .filter(tail.is_in(_DIRECTIONS))
        .with_columns(at=pl.col("start") - tail.str.len_chars().cast(pl.Int64) - 3)
        # (the window ends before the space before `in`)
        .with_columns(left=chars_before(full, pl.col("at") - 1, _LOCATED_WINDOW, ascii))
        # (the word test first: splitting every window into words costs more)
        .filter(pl.col("left").str.contains_any([f" {word} " for word in _TOWARDS]))
        .filter(capitalised(pl.col("left").str.split(" ").list.last()))
    )
    # `X and <town>` (the cue is `and`; the name stands before it) and `<town> and X` (the cue
    # is the town; the name stands after it)
    towns = places.filter(pl.col("label") == EntityLabel.LOCATION.value)
    name_before = towns.filter(pl.col("near").str.ends_with(_AND))
    # (the word test first: the text after a town is cut only for the few after one, once)
    name_after = (
        towns.filter(
            pl.any_horizontal([pl.col("near").str.ends_with(f" {word} ") for word in _BESIDE])
        )
        .with_columns(right=slice_chars(full, pl.col("end"), len(_AND) + 1, ascii))
        .filter(pl.col("right").str.starts_with(_AND))
        .filter(capitalised(pl.col("right").str.slice(len(_AND), 1)))
    )
    return pl.concat(
        [
            located.select(
                "doc",
                "field",
                "ascii",
                "country",
                text="full",
                # (the cue word is `in` itself)
                start="at",
                end=pl.col("at") + 2,
                context=pl.lit("located"),
            ),
            name_before.select(
                "doc",
                "field",
                "ascii",
                "country",
                text="full",
                start=pl.col("start") - len(_AND) + 1,
                end=pl.col("start") - 1,
                context=pl.lit("joined-before"),
            ),
            name_after.select(
                "doc",
                "field",
                "ascii",
                "country",
                text="full",
                start="start",
                end="end",
                context=pl.lit("joined-after"),
            ),
        ]
    )


def context_places(cues: pl.DataFrame, found: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return `found` with the places the cue words name added, and the places' forms.

    `cues`: the matcher's hits of `CONTEXT_WORDS` and the `located_cues` (doc, field, text,
    ascii, start, end, context: where the name stands, `before`, `after`, `both` or `next` for
    a word's, `located`, `joined-before` or `joined-after` for a known place's; country: the
    name's for a known place's cue, null for a word's). `found`: the mentions so far (the
    tagger's columns). The forms (doc, surface, entity columns, source) go to the rescan.
    """
    places = _candidates(cues, found)
    if places.height == 0:
        return found, pl.DataFrame(schema=forms_schema())
    # A name that overlaps a mention is that mention's (`the Kenya border`).
    places = places.with_row_index("pid")
    overlapping = (
        places.join(found.select("doc", "field", f_start="start", f_end="end"), on=["doc", "field"])
        .filter((pl.col("f_start") < pl.col("end")) & (pl.col("f_end") > pl.col("start")))
        .get_column("pid")
    )
    places = (
        places.filter(~pl.col("pid").is_in(overlapping.implode()))
        .drop("pid")
        .unique(["doc", "field", "start"], keep="first", maintain_order=True)
        # One name is one place in an article: the country one cue gives it holds for all
        # (`shifted to Ilo in southern Peru, and ships near Ilo`).
        .with_columns(country=pl.col("country").drop_nulls().first().over("doc", "text"))
    )
    if places.height == 0:
        return found, pl.DataFrame(schema=forms_schema())
    mentions = places.select(
        "doc",
        "field",
        "start",
        "end",
        entity_id=derived_id(pl.col("label"), pl.col("text")),
        label="label",
        name=pl.col("text"),
        country="country",
        source=pl.lit(SOURCE_CONTEXT),
        ascii="ascii",
        text="text",
        full="full",
    )
    merged = pl.concat([found, mentions.select(found.columns).cast(found.schema)])
    forms = mentions.select(
        "doc", surface="text", entity_id="entity_id", label="label", name="name",
        country="country", source="source",
    )  # fmt: skip
    return merged, forms.cast(forms_schema())  # type: ignore[arg-type]


def _candidates(cues: pl.DataFrame, found: pl.DataFrame) -> pl.DataFrame:
    """Return the names beside the cue words: doc, field, full, ascii, country, start, end, text.

    Most cue words stand beside no capitalised word (`the border`) or beside a name already
    found (`the Kenya border`): string tests set those aside first, so the regexes (whose
    Unicode forms cost ~10 ms to compile, again in each batch) run only on the few others.
    """
    if cues.height == 0:
        return pl.DataFrame()
    text, ascii = pl.col("text"), pl.col("ascii")
    left = chars_before(text, pl.col("start"), _WINDOW, ascii)
    right = slice_chars(text, pl.col("end"), _WINDOW, ascii)
    stands = pl.col("context")
    # Where a mention starts and ends, as one integer per (doc, field, position).
    ends = _places(found, "end")
    starts = _places(found, "start")
    last_word = pl.col("left").str.split(" ").list.get(-2, null_on_oob=True)
    of = pl.col("right").str.starts_with(" of ")
    of_the = pl.col("right").str.starts_with(" of the ")
    joined = stands == "joined-after"
    # (a word of direction: the name right after it, `near Zuwara`)
    beside = stands == "next"
    name_at = (
        pl.when(joined)
        .then(pl.col("end") + len(_AND))
        .when(beside)
        .then(pl.col("end") + 1)
        .when(of_the)
        .then(pl.col("end") + len(" of the "))
        .otherwise(pl.col("end") + len(" of "))
    )
    # One query for both sides' tests (each a column), then the two sides apart.
    windows = (
        cues.lazy()
        .select(
            "doc",
            "field",
            "ascii",
            "start",
            "end",
            "context",
            "country",
            full="text",
            left=left,
            right=right,
        )
        .with_columns(
            is_before=stands.is_in(
                ["before", "both", "located", "joined-before", PROGRAMME_BEFORE, ROAD_BEFORE]
            )
            # (a model number after the word names a product: `the Kodak KIMS system 5000`)
            & ~((stands == PROGRAMME_BEFORE) & pl.col("right").str.slice(1, 1).is_in(DIGITS))
            & capitalised(last_word)
            # (`the English port of Dover`: the name before the word qualifies the place after)
            & ~of
            # (a known name right before the word leaves nothing to find, unless a name before
            # it joins it: `the Abdali and Nuwaiseeb land borders`)
            & (
                ~text_position(pl.col("start") - 1).is_in(ends.implode())
                | pl.col("left").str.contains(" and ", literal=True)
            ),
            is_after=(
                (stands.is_in(["after", "both"]) & of)
                | (joined & pl.col("right").str.starts_with(_AND))
                | (beside & pl.col("right").str.starts_with(" "))
            )
            & capitalised(
                pl.when(joined)
                .then(pl.col("right").str.slice(len(_AND), 1))
                .when(beside)
                .then(pl.col("right").str.slice(1, 1))
                .when(of_the)
                .then(pl.col("right").str.slice(8, 1))
                .otherwise(pl.col("right").str.slice(4, 1))
            )
            & ~text_position(name_at).is_in(starts.implode()),
        )
        .filter(pl.col("is_before") | pl.col("is_after"))
        .collect()
    )
    before = windows.filter("is_before")
    after = windows.filter("is_after")
    if before.height == 0 and after.height == 0:
        return pl.DataFrame()
    before = (
        before.select(
            "doc",
            "field",
            "full",
            "ascii",
            "country",
            "left",
            "context",
            names=_extract(before, "left", _BEFORE, 1),
            start="start",
        )
        # A name a known place locates or is joined to follows a word of motion or place (`to
        # Ilo in southern Peru`, `in Orange Walk and Belize City`), and takes that place's
        # country; a place word's name takes none.
        .with_columns(
            word=pl.col("left")
            .str.head(
                pl.col("left").str.len_chars().cast(pl.Int64)
                - pl.col("names").str.len_chars().cast(pl.Int64)
                - 2
            )
            .str.split(" ")
            .list.last()
        )
        .filter(
            pl.when(pl.col("context") == "located")
            .then(pl.col("word").is_in(_TOWARDS))
            .when(pl.col("context") == "joined-before")
            .then(pl.col("word").is_in(_BESIDE) & ~pl.col("names").str.contains(_AND, literal=True))
            .otherwise(pl.lit(value=True))
        )
        .with_columns(
            start=pl.col("start") - 1 - pl.col("names").str.len_chars().cast(pl.Int64),
            country=pl.when(pl.col("context").is_in(["located", "joined-before"])).then("country"),
            label=pl.when(pl.col("context") == PROGRAMME_BEFORE)
            .then(pl.lit(EntityLabel.PROGRAMME.value))
            .when(pl.col("context") == ROAD_BEFORE)
            .then(pl.lit(_ROAD))
            .otherwise(pl.lit(EntityLabel.LOCATION.value)),
        )
        .drop("word", "left", "context")
    )
    after = after.select(
        "doc",
        "field",
        "full",
        "ascii",
        country=pl.when(pl.col("context") == "joined-after").then("country"),
        label=pl.lit(EntityLabel.LOCATION.value),
        names=_extract(after, "right", _AFTER, 2),
        start=pl.col("end") + _extract(after, "right", _AFTER, 1).str.len_chars().cast(pl.Int64),
    )
    names = pl.concat([before, after.select(before.columns)]).drop_nulls("names")
    if names.height == 0:
        return pl.DataFrame()
    # `A and B`: two names, the second after the first and ` and `.
    first = pl.col("names").str.split(" and ").list.first()
    second = pl.col("names").str.split(" and ").list.get(1, null_on_oob=True)
    parts = pl.concat(
        [
            names.select("doc", "field", "full", "ascii", "country", "label", "start", text=first),
            names.select(
                "doc",
                "field",
                "full",
                "ascii",
                "country",
                "label",
                start=pl.col("start") + first.str.len_chars().cast(pl.Int64) + len(" and "),
                text=second,
            ),
        ]
    ).drop_nulls("text")
    # Two places joined by an en dash (U+2013), each a name: `the Oshikango<en dash>Santa Clara
    # border post`, where Oshikango is known and Santa Clara is not.
    dashed = pl.col("text").str.contains("\u2013", literal=True) & (
        pl.col("label") != EntityLabel.PROGRAMME.value
    )
    width = pl.col("text").str.len_chars().cast(pl.Int64) + 1
    parts = (
        parts.with_row_index("part")
        .with_columns(
            text=pl.when(dashed)
            .then(pl.col("text").str.split("\u2013"))
            .otherwise(pl.concat_list("text"))
        )
        .explode("text")
        .with_columns(start=pl.col("start") + width.cum_sum().over("part") - width)
        .drop("part")
    )
    words = pl.col("text").str.split(" ")
    road = pl.col("label") == _ROAD
    return parts.filter(
        ~words.list.eval(pl.element().is_in(_NOT_A_PLACE_WORD)).list.any()
        # (a programme's name is two words or more: see gazetteer.PROGRAMME_WORDS)
        & ((pl.col("label") != EntityLabel.PROGRAMME.value) | (words.list.len() > 1))
        # (an acronym: no lower-case letter; but a road's number is its name, `the BR-163
        # highway`)
        & (
            (pl.col("text").str.to_uppercase() != pl.col("text"))
            | (road & pl.col("text").str.contains_any(DIGITS))
        )
        # (nor a name with more capitals than its words and one: `the FmHA county office`)
        & (pl.col("text").str.count_matches(r"\p{Lu}") <= words.list.len() + 1)
        & ~pl.col("text").str.ends_with("'s")
        & ~pl.col("text").str.ends_with("\u2019s")
        & ~pl.any_horizontal(
            [pl.col("text").str.ends_with(ending) for ending in _ADJECTIVE_ENDINGS]
        )
    ).with_columns(
        end=pl.col("start") + pl.col("text").str.len_chars().cast(pl.Int64),
        label=pl.when(road).then(pl.lit(EntityLabel.LOCATION.value)).otherwise("label"),
    )


def _places(frame: pl.DataFrame, column: str) -> pl.Series:
    """Return the `text_position` keys of a column of `frame`."""
    return frame.select(text_position(pl.col(column))).to_series()


def _extract(frame: pl.DataFrame, column: str, pattern: str, group: int) -> pl.Expr:
    """Return `extract` of `column`, in the ASCII form alone where every row is ASCII.

    (The Unicode form's compiling, ~10 ms, is then saved: most batches' few windows are ASCII.)
    """
    ascii = is_ascii(pl.col(column))
    if frame.height == 0 or frame.select(ascii.all()).item():
        return pl.col(column).str.extract(ascii_form(pattern), group)
    return extract(pl.col(column), pattern, group, ascii)
