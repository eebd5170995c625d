"""The tagger: texts in, entity mentions and themes out, combining the matcher and the rules.

Order of decisions (each step a frame operation over all texts at once):

1. One Aho-Corasick pass finds gazetteer names, demonyms, head words, theme triggers and `(`.
2. A place whose namesake abroad is the one the article's countries point to takes its id
   (`rules.namesakes`: `Gaya` beside Niger). Ambiguous surface forms go through their
   context rules (`rules.drop_ambiguous`), a
   country right before a currency sign is no mention (`US$100`: `rules.drop_currencies`),
   nor `American` after `Inter-` or `Pan-` (`rules.drop_hemispheric`).
3. A programme or instrument name followed by a head word of its class takes the head in
   (`AEO Program`, `Revenue Package Programme`): the same entity, named more fully.
4. Head-noun phrases (outside Title Case and ALL-CAPS headlines) become mentions unless a
   gazetteer name covers their head or they hold a name they may not (see `_merge_phrases`);
   a phrase swallows the countries and places inside it, and an ORG phrase takes the first
   one's country (`Jordan Customs` is an ORG of JOR; JOR still reaches `countries`).
5. Acronym definitions link the acronym and the long form within the article (the choice of
   entity is in `_apply_definitions`); every occurrence of either form then carries it.
6. A second, small scan over the articles that define forms the gazetteer does not know
   (rule phrases, new acronyms) finds their other occurrences, in the headline too (and in
   ALL CAPS there), where nothing else matched, or where they hold whole mentions.

The rules only ever look within one article, so any slicing of a batch gives the same result.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from etl.tagging.context import SOURCE_CONTEXT, context_places, located_cues
from etl.tagging.gazetteer import (
    HEAD_WORDS,
    LEGAL_FORMS,
    NO_COUNTRY_HEADS,
    PLACE_PREFIXES,
    SOURCE_NAME,
    TRADE_WORDS,
    Gazetteer,
)
from etl.tagging.matcher import scan, slice_chars, text_position
from etl.tagging.regex import news_scripts, rx
from etl.tagging.rules import (
    DIGITS,
    GENERIC_ONLY,
    SOURCE_ACRONYM,
    SOURCE_CUSTOMS,
    SOURCE_HEAD,
    acronym_definitions,
    derived_id,
    drop_ambiguous,
    drop_currencies,
    drop_hemispheric,
    drop_surnames,
    field_styles,
    forms_schema,
    head_phrases,
    namesakes,
    rehome,
    treaties_under,
)
from schemas.records import EntityLabel

__all__ = ["MENTION_SCHEMA", "Tagged", "tag"]

#: Columns of the mentions frame `tag` returns (offsets in code points, end exclusive).
MENTION_SCHEMA = pl.Schema(
    {
        "doc": pl.UInt32,
        "field": pl.String,
        "start": pl.Int64,
        "end": pl.Int64,
        "text": pl.String,
        "label": pl.String,
        "entity_id": pl.String,
        "name": pl.String,
        "country": pl.String,
        "source": pl.String,
    }
)
THEME_SCHEMA = pl.Schema({"doc": pl.UInt32, "theme": pl.String})
FIELD = pl.Enum(["body", "headline"])

_NAMED = [EntityLabel.ORG.value, EntityLabel.PROGRAMME.value, EntityLabel.INSTRUMENT.value]
_PLACES = [EntityLabel.COUNTRY.value, EntityLabel.LOCATION.value]
_RAILWAY = "Railway"
_EXTENDABLE = [EntityLabel.PROGRAMME.value, EntityLabel.INSTRUMENT.value]
# An organization's acronym named before its body's name (`CARICOM | Implementation Agency`).
_OWNER_ACRONYM = r"^[\p{Lu}\p{N}.&\-]{2,}$"
# What an organization's known name extends over: its legal form, or its secretariat.
_ORG_EXTENSIONS = [*LEGAL_FORMS, "Secretariat"]
# A subdivision's type written after its name is part of it (`Kano State`, `Marib Governorate`,
# `Moscow Oblast`); the gazetteer lists the typed form itself only where the bare name is no
# name of its own (`Shan State`).
_SUBDIVISION = "loc:iso3166-2-"
# A programme's version number written after its name is part of it too (`CEISA 4.0`), and so
# is a road's number (`Asian Highway 1`, `Trans-African Highway 7`); the same regex reads all
# three, and each kind of mention takes only its own.
_TYPE_AFTER = (
    r"^( (?:State|Region|Governorate|Province|Prefecture|Oblast|Emirate|Canton|County"
    r"|Department|Autonomous Region)| \d{1,2}\.\d{1,2}| \d{1,3})"
    r"(?:[^\p{L}\p{N}\-.,]|[.,](?:[^\p{N}]|$)|$)"
)
#: The heads of roads' names, which a number after them continues (`_extend_over_suffixes`).
_ROAD_HEADS = ("Highway", "Expressway", "Motorway")
# What joins a second name to a first one's complement (`Protocol of Accession and the Common
# Market for Eastern and Southern Africa`).
_AND_THE = " and the "
_AND = " and "
_BELONGS = [EntityLabel.ORG.value, EntityLabel.LOCATION.value]
# A ministry's, department's, division's or state committee's name by its portfolio, a general
# administration's or commission's by its field, and a law's title by its subject (`the State
# Committee for National Security`, `the General Commission for Customs`, `the Law on
# Customs`): named, though every word is generic.
_NAMED_BY_SUBJECT = (
    r"^(?:(?:\p{Lu}\S* )*(?:Ministry|Department|Division|Bureau|Committee|Directorate(?: General)?)"
    r" (?:of|for|on) \p{Lu}"
    r"|\p{Lu}\S* (?:Ministry|Department)$|Law (?:on|of) \p{Lu}"
    r"|General (?:Administration|Commission|Authority|Agency) (?:of|for) \p{Lu})"
)
_ENTITY = ["entity_id", "label", "name", "country"]
# Words that make an ORG phrase with a country that country's customs body (in English, French,
# Spanish and Portuguese: `Revenue Service of Georgia`, `Office Togolais des Recettes`).
_CUSTOMS_WORDS = r"\b(?:Customs|Revenue|Douanes?|Aduanas?|Alfândegas?|Recettes|Receita)\b"
_CUSTOMS_PREFIX = "org:customs:"
# Head words of an administration's own name (not of an association, chamber or union of it).
_ADMIN_HEADS = [
    *("Administration", "Department", "Directorate", "Service", "Authority", "Bureau"),
    # (and those that come first: `Dirección General de Aduanas de Guatemala`)
    *("Dirección", "Direccion", "Direção", "Direcao", "Direction", "Administración"),
    *("Administracion", "Superintendencia", "Servicio", "Serviço", "Servico", "Administratie"),
]
# Head words of bodies that are not administrations, though customs words name them: a
# country's customs brokers' association, union or chamber is not its customs (`Customs
# Cooperation Fund` is a fund Japan gives the WCO).
_NOT_ADMIN_HEADS = [
    *("Fund", "Association", "Federation", "Confederation", "Chamber", "Union", "Syndicate"),
    *("Society", "Court", "Cooperative", "Alliance", "Bank"),
]
# An organization's head word that owns the name after it (`New Zealand Police's National
# Organised Crime Group`): the possessor is a body's name, which the phrases merge later.
_OWNER_HEADS = [word for word, label in HEAD_WORDS.items() if label == EntityLabel.ORG]
# Head words of a company's subsidiary's name (`Cosco Shipping Ports`).
_TRADE_HEADS = [*TRADE_WORDS, "Group", "Rail", "Railway", "Railways"]


@dataclass(frozen=True, slots=True)
class Tagged:
    """What the tagger found: one row per mention, and one row per (doc, theme)."""

    mentions: pl.DataFrame  # MENTION_SCHEMA, sorted by doc, field (body first), start
    themes: pl.DataFrame  # THEME_SCHEMA


def tag(texts: pl.DataFrame, gazetteer: Gazetteer) -> Tagged:
    """Return the mentions and themes of `texts` (doc: UInt32, field, text)."""
    # Fields as an Enum: joins and sorts on (doc, field, ...) compare integers, not strings,
    # and the Enum's order (body, headline) is the contract's order of mentions.
    texts = texts.select(pl.col("doc").cast(pl.UInt32), pl.col("field").cast(FIELD), "text")
    # (the rules' Unicode classes narrowed to the texts' scripts: regex.py says why)
    with news_scripts(texts.get_column("text")):
        return _tag(texts, gazetteer)


def _tag(texts: pl.DataFrame, gazetteer: Gazetteer) -> Tagged:
    patterns = gazetteer.patterns
    hits = _described(scan(texts, gazetteer.automaton), patterns)
    themes = (
        _gather(hits.filter("themed").select("doc", "row"), patterns, "themes")
        .select("doc", theme="themes")
        .explode("theme")
        .unique()
    )
    styles = field_styles(texts)
    entities = _gather(hits.filter("entity"), patterns, *_ENTITY, "source", "rule")
    found = treaties_under(
        rehome(
            drop_hemispheric(
                drop_surnames(
                    drop_currencies(
                        drop_ambiguous(
                            namesakes(_gazetteer_mentions(entities), gazetteer.namesakes), styles
                        )
                    )
                )
            )
        )
    ).drop("rule")
    heads = _gather(
        hits.filter(pl.col("head").is_not_null()), patterns, "head_at", "head_first"
    ).with_columns(start=pl.col("start") + pl.col("head_at"))
    found = _extend_over_suffixes(_extend_with_heads(found, heads))
    prefixes = hits.filter("prefix").select("doc", "field", p_start="start", p_end="end")
    found = _extend_over_prefixes(found, prefixes, styles)
    found = _extend_places_in_titles(found, heads, styles)
    sentence_case = styles.filter(~pl.col("caps") & ~pl.col("title")).select("doc", "field")
    phrases = head_phrases(heads.join(sentence_case, on=["doc", "field"]))
    found, phrase_forms = _merge_phrases(found, phrases, gazetteer.customs, gazetteer.companies)
    # (after the phrases: a road the head-noun rule named takes its number, `Asian Highway 1`;
    # looked for only in a batch where a road's head was matched)
    if heads.select(pl.col("match").is_in(_ROAD_HEADS).any()).item():
        found = _extend_over_suffixes(found, roads=True)
    found = _owned_by_acronym(found)
    definitions = acronym_definitions(_unexplained(hits.filter("paren"), found))
    found, defined_forms = _apply_definitions(
        found, definitions, gazetteer.alternatives, gazetteer.entities, patterns
    )
    cues = _gather(hits.filter(pl.col("context").is_not_null()), patterns, "context")
    # (and the names a known place locates: `shifted to Ilo in southern Peru`)
    cues = pl.concat([cues, located_cues(found)], how="diagonal_relaxed")
    found, context_forms = context_places(cues, found)
    known = gazetteer.patterns.select(surface="pattern")
    found = _rescan(texts, found, phrase_forms, pl.concat([defined_forms, context_forms]), known)
    # Sorted by (doc, field, start) through one integer key: one sort column, not three; the
    # columns the output drops (the field texts above all) are dropped before the sort gathers.
    mentions = found.select(*MENTION_SCHEMA.names(), key=_at("start")).sort("key").drop("key")
    return Tagged(
        mentions.cast(dict(MENTION_SCHEMA)),  # type: ignore[arg-type]
        themes.cast(dict(THEME_SCHEMA)).sort("doc", "theme"),  # type: ignore[arg-type]
    )


def _described(hits: pl.DataFrame, patterns: pl.DataFrame) -> pl.DataFrame:
    """Add to each hit its pattern's row in the table and what the pattern is (`kind`)."""
    # The automaton was compiled from the table's patterns in order: a hit's pattern number is
    # its row, so only the columns each kind of hit needs are gathered (no lookup of strings).
    return hits.rename({"number": "row"}).with_columns(
        entity=pl.lit(patterns["entity_id"].is_not_null()).gather(pl.col("row")),
        head=pl.lit(patterns["head"]).gather(pl.col("row")),
        paren=pl.lit(patterns["paren"]).gather(pl.col("row")),
        context=pl.lit(patterns["context"]).gather(pl.col("row")),
        themed=pl.lit(patterns["themes"].list.len() > 0).gather(pl.col("row")),
        prefix=pl.lit(patterns["prefix"]).gather(pl.col("row")),
    )


def _gather(frame: pl.DataFrame, patterns: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """Add pattern `columns` to hits that carry their pattern's `row`."""
    return frame.with_columns([pl.lit(patterns[c]).gather(pl.col("row")).alias(c) for c in columns])


def _one_of(column: str, values: list[str]) -> pl.Expr:
    """Return whether `column` equals one of a few `values` (cheaper than `is_in` on strings)."""
    return pl.any_horizontal([pl.col(column) == v for v in values])


def _cols(names: list[str]) -> dict[str, pl.Expr]:
    return {n: pl.col(n) for n in names}


def _prefixed(prefix: str) -> dict[str, pl.Expr]:
    """Return the entity columns renamed with `prefix`."""
    return {f"{prefix}{c}": pl.col(c) for c in _ENTITY}


def _at(position: str) -> pl.Expr:
    """Return one integer key for (doc, field, the `position` column)."""
    return text_position(pl.col(position))


def _pick(column: str) -> pl.Expr:
    """Return the entity `column` of a definition's choice (l, c or a)."""
    return (
        pl.when(pl.col("choice") == "l")
        .then(pl.col(f"l_{column}"))
        .when(pl.col("choice") == "c")
        .then(pl.col(f"c_{column}"))
        .when(pl.col("choice") == "a")
        .then(pl.col(f"a_{column}"))
    )


def _gazetteer_mentions(hits: pl.DataFrame) -> pl.DataFrame:
    """Return the gazetteer mentions among the hits, with their entity and the field text."""
    return hits.select(
        "doc",
        "field",
        "start",
        "end",
        *_ENTITY,
        "source",
        "rule",
        "ascii",
        text="match",
        full="text",
    )


def _extend_with_heads(found: pl.DataFrame, heads: pl.DataFrame) -> pl.DataFrame:
    """Extend a name over a head word of its class right after it.

    A programme or instrument takes any head of its class (`AEO Programme`), an organization
    only its legal form (`International Container Terminal Services Inc`) or `Secretariat`
    (`Pacific Islands Forum Secretariat`: the body's staff, under the body's id).
    """
    follow = heads.filter(
        pl.col("head").is_in(_EXTENDABLE) | pl.col("match").is_in(_ORG_EXTENSIONS)
    ).select("doc", "field", after="start", head_end="end", label="head")
    return _extend_over(
        found, _one_of("label", [*_EXTENDABLE, EntityLabel.ORG.value]), follow, keys=["label"]
    )


def _extend_places_in_titles(
    found: pl.DataFrame, heads: pl.DataFrame, styles: pl.DataFrame
) -> pl.DataFrame:
    """In a Title Case headline, extend a known place over a place head after it.

    The head-noun rule does not read Title Case (every word is capitalised there), but a known
    place before a place's head word is that place's port, airport or bridge (`Beirut Port`,
    `Maputo Airport`): a name of its own, with the place's country and a derived id.
    """
    titles = styles.filter("title").select("doc", "field")
    if titles.height == 0:
        return found
    follow = (
        heads.filter(
            (pl.col("head") == EntityLabel.LOCATION.value)
            & ~pl.col("head_first").fill_null(value=False)
            # (a road's head in Title Case is a word of the story: `as Corridor Vc Motorway
            # Nears Croatian Border` names the corridor)
            & ~pl.col("match").is_in(_ROAD_HEADS)
        )
        .join(titles, on=["doc", "field"], how="semi")
        .select("doc", "field", after="start", head_end="end")
    )
    return _extend_over(
        found, pl.col("label") == EntityLabel.LOCATION.value, follow, keys=[], renamed=True
    )


def _extend_over(
    found: pl.DataFrame,
    which: pl.Expr,
    follow: pl.DataFrame,
    *,
    keys: list[str],
    renamed: bool = False,
) -> pl.DataFrame:
    """Extend the mentions `which` selects over a head in `follow` one space after them.

    `follow`: doc, field, after (the head's start), head_end, and the `keys` a mention must
    share with it. A `renamed` mention becomes a name of its own (derived id, head-noun
    source); otherwise it stays the entity it was, named more fully.
    """
    if follow.height == 0:
        return found
    keyed = found.with_row_index("mid")
    candidates = keyed.filter(which).with_columns(after=pl.col("end") + 1)
    joined = candidates.join(follow, on=["doc", "field", "after", *keys]).filter(
        slice_chars(pl.col("full"), pl.col("end"), 1, pl.col("ascii")) == " "
    )
    if joined.height == 0:
        return found
    extended = joined.with_columns(
        end=pl.col("head_end"),
        text=slice_chars(
            pl.col("full"), pl.col("start"), pl.col("head_end") - pl.col("start"), pl.col("ascii")
        ),
    )
    if renamed:
        extended = extended.with_columns(
            entity_id=derived_id(pl.col("label"), pl.col("text")),
            name=pl.col("text"),
            source=pl.lit(SOURCE_HEAD),
        )
    return _replaced(keyed, extended, extended.get_column("mid"))


def _replaced(keyed: pl.DataFrame, new: pl.DataFrame, gone: pl.Series) -> pl.DataFrame:
    """Return the mentions of `keyed` (numbered `mid`) without the rows `gone`, plus `new`.

    A filter on the few row numbers, not an anti join that hashes every mention.
    """
    kept = keyed.filter(~pl.col("mid").is_in(gone.implode()))
    return pl.concat([kept, new.select(keyed.columns)]).drop("mid")


def _extend_over_suffixes(found: pl.DataFrame, *, roads: bool = False) -> pl.DataFrame:
    """Extend a subdivision's name over its type right after it (`Kano State`) and a
    programme's over its version (`CEISA 4.0`); with `roads`, only a road's name over its
    number (`Asian Highway 1`: called once the head-noun rule has named the roads)."""
    subdivision = pl.col("entity_id").str.starts_with(_SUBDIVISION)
    programme = pl.col("label") == EntityLabel.PROGRAMME.value
    road = pl.lit(value=False)
    if roads:
        subdivision = programme = road
        road = (pl.col("label") == EntityLabel.LOCATION.value) & pl.any_horizontal(
            [pl.col("text").str.ends_with(head) for head in _ROAD_HEADS]
        )
    keyed = found.with_row_index("mid")
    # Only the few subdivisions, programmes or roads are looked at, not every mention.
    candidates = keyed.filter(subdivision | programme | road)
    if candidates.height == 0:
        return found
    suffix = slice_chars(pl.col("full"), pl.col("end"), 20, pl.col("ascii")).str.extract(
        rx(_TYPE_AFTER), 1
    )
    number = pl.col("suffix").str.slice(1, 1).is_in(DIGITS)
    version = pl.col("suffix").str.contains(".", literal=True)
    extended = (
        candidates.with_columns(suffix=suffix)
        .filter(
            pl.col("suffix").is_not_null()
            & pl.when(version).then(programme).when(number).then(road).otherwise(subdivision)
        )
        .with_columns(
            end=pl.col("end") + pl.col("suffix").str.len_chars().cast(pl.Int64),
            text=pl.concat_str("text", "suffix"),
        )
    )
    if extended.height == 0:
        return found
    # (a road the head-noun rule named is another road with another number: its id says which)
    extended = extended.with_columns(
        entity_id=pl.when(pl.col("source") == SOURCE_HEAD)
        .then(derived_id(pl.col("label"), pl.col("text")))
        .otherwise(pl.col("entity_id")),
        name=pl.when(pl.col("source") == SOURCE_HEAD).then("text").otherwise("name"),
    )
    return _replaced(keyed, extended, extended.get_column("mid"))


_SENTENCE_ENDS = [". ", "? ", "! ", ": ", '" ', "\n"]


def _extend_over_prefixes(
    found: pl.DataFrame, prefixes: pl.DataFrame, styles: pl.DataFrame
) -> pl.DataFrame:
    """Extend a known place's name over a `PLACE_PREFIXES` word right before it.

    `prefixes`: the matcher's hits of those words (doc, field, p_start, p_end). Only in
    sentence-case text, which capitalises such a word only in a name (a headline in Title
    Case capitalises every word: `New Tariffs Hit Amsterdam`). Names the gazetteer holds
    whole (`New Delhi`, `South Africa`) were matched whole, and come not here.
    """
    if prefixes.height == 0:
        return found
    place = (pl.col("label") == EntityLabel.LOCATION.value) & (pl.col("source") == SOURCE_NAME)
    keyed = found.with_row_index("mid")
    # (positions first: the places that start one space after a prefix word; the matcher's
    # word bounds make the word whole)
    candidates = keyed.filter(place).join(
        prefixes.select("doc", "field", "p_start", start=pl.col("p_end") + 1),
        on=["doc", "field", "start"],
    )
    if candidates.height == 0:
        return found
    sentence_case = styles.filter(~pl.col("caps") & ~pl.col("title")).select("doc", "field")
    candidates = candidates.join(sentence_case, on=["doc", "field"], how="semi")
    if candidates.height == 0:
        return found
    word = slice_chars(
        pl.col("full"), pl.col("p_start"), pl.col("start") - 1 - pl.col("p_start"), pl.col("ascii")
    )
    extended = (
        candidates.with_columns(word=word)
        .filter(slice_chars(pl.col("full"), pl.col("start") - 1, 1, pl.col("ascii")) == " ")
        .with_columns(start="p_start", text=pl.concat_str("word", pl.lit(" "), "text"))
        # (a sentence's first `New` is the adjective, `New Nebraska Republican Senator ...`,
        # unless the article names the place so elsewhere)
        .with_columns(
            opening=(pl.col("word") == "New")
            & (
                (pl.col("start") == 0)
                | slice_chars(pl.col("full"), pl.col("start") - 2, 2, pl.col("ascii")).is_in(
                    _SENTENCE_ENDS
                )
            )
        )
        .filter(~pl.col("opening") | (~pl.col("opening")).any().over("doc", "text"))
        .drop("opening")
        .with_columns(
            entity_id=derived_id(pl.col("label"), pl.col("text")),
            name=pl.col("text"),
            country=pl.when(
                pl.col("word").replace_strict(PLACE_PREFIXES, return_dtype=pl.Boolean)
            ).then("country"),
            source=pl.lit(SOURCE_CONTEXT),
        )
    )
    if extended.height == 0:
        return found
    return _replaced(keyed, extended, extended.get_column("mid"))


def _owned_by_acronym(found: pl.DataFrame) -> pl.DataFrame:
    """Take an organization's acronym into the programme or instrument named right after it.

    `IPPC ePhyto Solution`, `EAC Common External Tariff`, `WCO Framework of Standards on
    Cross-Border E-Commerce`: the owner's acronym is part of the outermost name, which keeps
    the programme's or instrument's entity (as `EU-Kenya Economic Partnership Agreement` is
    one instrument holding the EU).
    """
    keyed = found.with_row_index("mid")
    # Pairs first, on positions (an integer join); the acronym test runs on the few pairs.
    owned = (
        keyed.filter(_one_of("label", _EXTENDABLE))
        .join(
            keyed.filter(pl.col("label") == EntityLabel.ORG.value).select(
                "doc",
                "field",
                o_mid="mid",
                o_start="start",
                o_text="text",
                start=pl.col("end") + 1,
            ),
            on=["doc", "field", "start"],
        )
        .filter(
            pl.col("o_text").str.contains(rx(_OWNER_ACRONYM))
            & (slice_chars(pl.col("full"), pl.col("start") - 1, 1, pl.col("ascii")) == " ")
        )
    )
    if owned.height == 0:
        return found
    # The owner as the second of a pair (`UK-EU SPS Agreement`) names a bilateral instrument:
    # the first party joins too, and the whole is a name of its own, not the general one.
    paired = (
        owned.join(
            keyed.filter(_one_of("label", [EntityLabel.ORG.value, *_PLACES])).select(
                "doc", "field", p_mid="mid", p_start="start", o_start=pl.col("end") + 1
            ),
            on=["doc", "field", "o_start"],
            how="left",
        )
        # (one row per instrument, should two mentions end right before its owner: the longer)
        .sort("mid", "p_start", nulls_last=True)
        .unique("mid", keep="first", maintain_order=True)
    ).with_columns(
        p_mid=pl.when(
            slice_chars(pl.col("full"), pl.col("o_start") - 1, 1, pl.col("ascii")) == "-"
        ).then("p_mid"),
    )
    pair = pl.col("p_mid").is_not_null()
    extended = paired.with_columns(
        start=pl.when(pair).then("p_start").otherwise("o_start"),
    ).with_columns(
        text=slice_chars(
            pl.col("full"), pl.col("start"), pl.col("end") - pl.col("start"), pl.col("ascii")
        ),
    )
    extended = extended.with_columns(
        entity_id=pl.when(pair)
        .then(derived_id(pl.col("label"), pl.col("text")))
        .otherwise("entity_id"),
        name=pl.when(pair).then("text").otherwise("name"),
        source=pl.when(pair).then(pl.lit(SOURCE_HEAD)).otherwise("source"),
    )
    gone = pl.concat(
        [
            owned.get_column("mid"),
            owned.get_column("o_mid"),
            paired.get_column("p_mid").drop_nulls(),
        ]
    )
    return _replaced(keyed, extended, gone)


#: The head word of a government: a country's own is the country, not a name of its own.
_GOVERNMENT = "Government"
_NATIONAL_RANKS = ["", "Federal", "Central", "National"]


def _without_national_governments(phrases: pl.DataFrame, found: pl.DataFrame) -> pl.DataFrame:
    """Drop the phrases that are a country's name or demonym and `Government` only.

    A country's own government is the country (`the Japanese Government`, `U.S. Government
    securities`, `the Swiss Federal Government`): the country stays the mention. A region's
    government is a name (`Kurdistan Regional Government`), and so is one with a complement
    (`Government of Åland`, `Government of National Unity`).
    """
    head = slice_chars(
        pl.col("text"), pl.col("anchor"), pl.col("anchor_end") - pl.col("anchor"), pl.col("ascii")
    )
    governments = phrases.filter(
        (pl.col("anchor_end") == pl.col("end")) & (pl.col("anchor") > pl.col("start"))
    ).filter(head == _GOVERNMENT)
    if governments.height == 0:
        return phrases
    countries = found.filter(pl.col("label") == EntityLabel.COUNTRY.value).select(
        "doc", "field", "start", country_end="end"
    )
    # (and rank words between: `the Swiss Federal Government`)
    between = slice_chars(
        pl.col("text"),
        pl.col("country_end"),
        pl.col("anchor") - pl.col("country_end"),
        pl.col("ascii"),
    ).str.strip_chars(" ")
    national = governments.join(countries, on=["doc", "field", "start"]).filter(
        (pl.col("country_end") < pl.col("anchor")) & between.is_in(_NATIONAL_RANKS)
    )
    return phrases.join(
        national.select("doc", "field", "start", "end"),
        on=["doc", "field", "start", "end"],
        how="anti",
    )


def _merge_phrases(
    found: pl.DataFrame, phrases: pl.DataFrame, customs: pl.DataFrame, companies: pl.Series
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the mentions with the kept head-noun phrases merged in, and the phrases' forms."""
    if phrases.height == 0:
        return found, pl.DataFrame(schema=forms_schema())
    phrases = _with_trailing_country(phrases, found)
    phrases = _cut_before_named(phrases, found)
    phrases = _without_national_governments(phrases, found)
    # A possessor that is a known name splits off the phrase and lends it its country; so does
    # an acronym, which names an owner even where the article defines it only later (`BOC's
    # Customs Intelligence and Investigation Service`), or a body's name by its head word
    # (`New Zealand Police's National Organised Crime Group`), which lend none.
    wanted = phrases.select("doc", "field", end="possessor_end").drop_nulls().unique()
    possessors = (
        found.join(wanted, on=["doc", "field", "end"], how="semi")
        .sort("doc", "field", "end", "start")
        .unique(["doc", "field", "end"], keep="first")
        .select(
            "doc", "field", possessor_end="end", possessor_country="country", split=pl.lit(True)
        )
    )
    owner_word = (
        pl.col("text")
        .str.slice(pl.col("start"), pl.col("possessor_end") - pl.col("start"))
        .str.split(" ")
        .list.last()
    )
    owners = (
        phrases.filter(pl.col("possessor_end").is_not_null())
        .with_columns(owner=owner_word)
        .filter(
            pl.col("owner").str.contains(rx(_OWNER_ACRONYM))
            # (a singular's: a plural's possessive belongs to the name, `Sao Paulo State
            # Industries' Federation`)
            | pl.col("owner").is_in(_OWNER_HEADS)
            & pl.col("text").str.slice(pl.col("possessor_end"), 2).is_in(["'s", "\u2019s"])
        )
        .select(
            "doc",
            "field",
            "possessor_end",
            possessor_country=pl.lit(None, dtype=pl.String),
            split=pl.lit(True),
        )
    )
    if owners.height:
        possessors = pl.concat([possessors, owners], how="vertical_relaxed").unique(
            ["doc", "field", "possessor_end"], keep="first", maintain_order=True
        )
    phrases = (
        phrases.join(possessors, on=["doc", "field", "possessor_end"], how="left")
        .with_columns(split=pl.col("split").fill_null(value=False))
        .filter(~pl.col("split") | pl.col("split_keeps_name"))
        .with_columns(start=pl.when("split").then("split_start").otherwise("start"))
        # Several heads can end the same phrase: the first head is its head.
        .sort(
            "doc", "field", "start", "end", "anchor", descending=[False, False, False, True, False]
        )
        .unique(["doc", "field", "start", "end"], keep="first", maintain_order=True)
        # Overlapping phrases: the leftmost, then the longest, wins.
        .filter(
            (pl.col("start") >= pl.col("end").cum_max().shift(1).over("doc", "field")).fill_null(
                value=True
            )
        )
        .with_row_index("rid")
    )
    head_word = pl.col("text").str.slice(pl.col("anchor"), pl.col("anchor_end") - pl.col("anchor"))
    pairs = (
        phrases.select(
            "rid",
            "doc",
            "field",
            "anchor",
            "anchor_end",
            r_start="start",
            r_end="end",
            r_label="label",
            r_admin=head_word.is_in(_ADMIN_HEADS),
            r_trade=head_word.is_in(_TRADE_HEADS),
            r_text="text",
            r_ascii="ascii",
        )
        .join(
            found.select(
                "doc",
                "field",
                "label",
                "country",
                "source",
                g_start="start",
                g_end="end",
                g_id="entity_id",
            ),
            on=["doc", "field"],
        )
        .filter((pl.col("g_start") < pl.col("r_end")) & (pl.col("g_end") > pl.col("r_start")))
        # Looked up on the few overlapping pairs, not on every mention of the batch.
        .with_columns(
            g_customs=pl.col("g_id").str.starts_with(_CUSTOMS_PREFIX),
            g_company=pl.col("g_id").is_in(companies.implode()),
        )
    )
    # A phrase whose run starts inside a known place's name takes the whole name (`the In
    # Guezzam Free Zone`, `the La Paz Customs Office`: the article or preposition that starts
    # the place's name starts no run).
    widened = (
        pairs.filter(
            pl.col("label").is_in(_PLACES)
            & (pl.col("g_start") < pl.col("r_start"))
            & (pl.col("g_end") > pl.col("r_start"))
            & (pl.col("g_end") <= pl.col("anchor"))
        )
        .group_by("rid")
        .agg(wide_start=pl.col("g_start").min())
    )
    if widened.height:
        phrases = phrases.join(widened, on="rid", how="left").with_columns(
            start=pl.coalesce("wide_start", "start")
        )
        pairs = pairs.join(widened, on="rid", how="left").with_columns(
            r_start=pl.coalesce("wide_start", "r_start")
        )
    # An organization's name holds no other named thing, except an administration's name that
    # holds its country's customs (`Department of Vietnam Customs`, `Mongolian Customs General
    # Administration`); a programme's or instrument's may hold an organization (`EU-Vietnam
    # Free Trade Agreement`), never another of its kind.
    # Nor a company's name, except its subsidiary's that starts with it and ends in a trade
    # (`Cosco Shipping Ports`, `DHL Global Forwarding`).
    named_first = pl.col("g_start") == pl.col("r_start")
    subsidiary = pl.col("g_company") & named_first & pl.col("r_trade")
    # Nor, for a body of an organization, convention or programme named first (`IMF Executive
    # Board`, `CITES Standing Committee`).
    body_of = pl.col("label").is_in(_NAMED) & named_first
    # Nor for a body that a complement names its owner last (`Fondo para la Convergencia
    # Estructural del Mercosur`, `Secretariat of the Pacific Community`).
    # (right after `of`, `de` or an article, not after `and`: `Bank of England and Fed` is two)
    owned_last = (
        (pl.col("label") == EntityLabel.ORG.value)
        & (pl.col("g_end") == pl.col("r_end"))
        & (pl.col("g_start") > pl.col("anchor_end"))
        & (pl.col("anchor") == pl.col("r_start"))
        & ~slice_chars(pl.col("r_text"), pl.col("g_start") - 5, 5, pl.col("r_ascii")).str.ends_with(
            " and "
        )
    )
    named_inside = (
        pl.when(pl.col("r_label") == EntityLabel.ORG.value)
        .then(
            pl.col("label").is_in(_NAMED)
            & ~(pl.col("g_customs") & pl.col("r_admin"))
            & ~subsidiary
            & ~body_of
            & ~owned_last
        )
        # A place's name holds no organization, programme or instrument either (`World
        # Bank-backed Bay Terminal` is no terminal's name).
        .when(pl.col("r_label") == EntityLabel.LOCATION.value)
        .then(pl.col("label").is_in(_NAMED))
        .otherwise(pl.col("label").is_in(_EXTENDABLE))
    )
    # A gazetteer name that is exactly a head (`Single Window`, a class of systems) does not
    # block the longer name it heads (`Jamaica Single Window for International Trade`).
    on_head = (pl.col("g_start") == pl.col("anchor")) & (pl.col("g_end") == pl.col("anchor_end"))
    blocked = pairs.filter(
        (
            (
                (pl.col("g_start") < pl.col("anchor_end")) & (pl.col("g_end") > pl.col("anchor"))
                | named_inside
            )
            & ~on_head
        )
        | (pl.col("g_start") < pl.col("r_start"))
        | (pl.col("g_end") > pl.col("r_end"))
    ).select("rid")
    # An organization named first owns the body the phrase names, and lends it its country
    # (`China Customs Brokers Association` is China's, and not its customs administration).
    owner = (
        named_first
        & (pl.col("label") == EntityLabel.ORG.value)
        & ~(pl.col("g_customs") & pl.col("r_admin"))
    )
    inside = (
        pairs.filter(
            (pl.col("label").is_in(_PLACES) | (pl.col("g_customs") & pl.col("r_admin")) | owner)
            & pl.col("country").is_not_null()
        )
        .sort("rid", "g_start")
        .group_by("rid")
        .agg(
            inside_country=pl.col("country").first(),
            owned=owner.any(),
            places=pl.col("label").is_in(_PLACES).sum(),
        )
    )
    base = phrases.join(blocked, on="rid", how="anti").join(inside, on="rid", how="left")
    kept = (
        base.select(
            "rid",
            "doc",
            "field",
            "start",
            "end",
            "ascii",
            "label",
            "owned",
            full="text",
            text=pl.col("text").str.slice(pl.col("start"), pl.col("end") - pl.col("start")),
            possessor_country=pl.when("split").then("possessor_country"),
            # A river runs through several countries, a sea washes several: they take none from
            # the place they are named for.
            inside_country=pl.when(~head_word.is_in(list(NO_COUNTRY_HEADS))).then("inside_country"),
            head=head_word,
            places=pl.col("places").fill_null(0),
        )
        .with_columns(
            # A railway named by the two places it joins is the line, a place (`Laos-China
            # Railway`, `Addis Ababa-Djibouti Railway`); a company's name is otherwise made
            # (`Ethio-Djibouti Railway`, `Lobito Atlantic Railway`).
            label=pl.when(
                (pl.col("head") == _RAILWAY)
                & (pl.col("places") >= 2)
                & pl.col("text").str.contains("-", literal=True)
            )
            .then(pl.lit(EntityLabel.LOCATION.value))
            .otherwise("label"),
        )
        .with_columns(
            entity_id=derived_id(pl.col("label"), pl.col("text"), pl.col("possessor_country")),
            name=pl.col("text"),
            # An organization or a place is of the country it names (`Jordan Customs`, `Cairo
            # Airport`); a treaty is not of the city it is named after (`Treaty of Rome`).
            country=pl.coalesce(
                "possessor_country",
                pl.when(_one_of("label", _BELONGS)).then("inside_country"),
            ),
            source=pl.lit(SOURCE_HEAD),
        )
    )
    # Generic words alone (`the Customs Administration`) name nothing, unless a country says
    # whose, or the phrase is a ministry's or department's name (`the Ministry of Finance`,
    # `the Finance Ministry`: each government has one) or a law's title (`the Law on Customs`),
    # or a company's, by its abbreviated legal form (`Public Service Enterprise Group Inc`).
    # An instrument's capitalised title always names one (`the Customs Act`, `the One-Stop
    # Border Post Agreement`, `the Protocol on Trade`): a text capitalises the one it means.
    kept = kept.filter(
        pl.col("country").is_not_null()
        | (pl.col("label") == EntityLabel.INSTRUMENT.value)
        | ~pl.col("text").str.contains(GENERIC_ONLY)
        | pl.col("text").str.contains(rx(_NAMED_BY_SUBJECT))
        | pl.col("text").str.contains(r" (?:Inc|Ltd|Corp)$")
    )
    # A country's customs or revenue body under another name (`Revenue Service of Georgia`,
    # `Brazil's Federal Revenue Service`) is that country's customs administration.
    kept = (
        kept.join(customs, on="country", how="left")
        .with_columns(
            is_customs=pl.col("customs_id").is_not_null()
            & (pl.col("label") == EntityLabel.ORG.value)
            & ~pl.col("owned").fill_null(value=False)
            & ~pl.col("head").is_in(_NOT_ADMIN_HEADS)
            & pl.col("text").str.contains(_CUSTOMS_WORDS)
        )
        .with_columns(
            entity_id=pl.when("is_customs").then("customs_id").otherwise("entity_id"),
            name=pl.when("is_customs").then("customs_name").otherwise("name"),
            source=pl.when("is_customs").then(pl.lit(SOURCE_CUSTOMS)).otherwise("source"),
        )
    )
    swallowed = pairs.join(kept.select("rid"), on="rid").select("doc", "field", start="g_start")
    # One integer key per place, looked up with `is_in`: cheaper than a three-column anti join.
    swallowed_at = swallowed.select(_at("start")).to_series().implode()
    merged = pl.concat(
        [found.filter(~_at("start").is_in(swallowed_at)), kept.select(found.columns)]
    )
    forms = kept.select("doc", surface="text", **_cols(_ENTITY), source="source")
    return merged, forms


def _cut_before_named(phrases: pl.DataFrame, found: pl.DataFrame) -> pl.DataFrame:
    """End a phrase's complement before `and the` and a known name, or `and` and an acronym.

    `and the` joins a second name to the first, not a word of it: `Protocol of Accession and
    the Common Market for Eastern and Southern Africa` is the protocol and COMESA, `Ministry of
    Finance and the WTO` the ministry and the WTO. (The head-noun rule cuts before `and the`
    and words that end in a head word; this cut is for names the gazetteer knows.) A place
    after `and the` may end the complement (`Development Bank of Latin America and the
    Caribbean`): it is not cut there. A known organization's acronym after a bare `and` is a
    second name too (`SADC Protocol on Trade and COMESA`); an unknown one is not
    (`Ministry of Trade and SMEs`).
    """
    size, short = len(_AND_THE), len(_AND)
    # (the slices and case tests on the few names after an `and`, not on every mention)
    after = (
        found.filter(_one_of("label", _NAMED) & (pl.col("start") >= short))
        .select(
            "doc",
            "field",
            "label",
            "text",
            g_start="start",
            before=slice_chars(pl.col("full"), pl.col("start") - size, size, pl.col("ascii")),
        )
        .filter((pl.col("before") == _AND_THE) | pl.col("before").str.ends_with(_AND))
    )
    acronym = (
        (pl.col("label") == EntityLabel.ORG.value)
        & (pl.col("text").str.len_chars() >= 2)
        & (pl.col("text") == pl.col("text").str.to_uppercase())
    )
    after = after.filter((pl.col("before") == _AND_THE) | acronym).select(
        "doc",
        "field",
        "g_start",
        gap=pl.when(pl.col("before") == _AND_THE).then(size).otherwise(short),
    )
    if after.height == 0:
        return phrases
    phrases = phrases.with_row_index("pid")
    cuts = (
        phrases.select("pid", "doc", "field", "anchor_end", "end")
        .join(after, on=["doc", "field"])
        .filter(
            (pl.col("g_start") >= pl.col("anchor_end") + pl.col("gap"))
            & (pl.col("g_start") < pl.col("end"))
        )
        .group_by("pid")
        .agg(cut=(pl.col("g_start") - pl.col("gap")).min())
    )
    return (
        phrases.join(cuts, on="pid", how="left")
        .with_columns(end=pl.coalesce("cut", "end"))
        .drop("pid", "cut")
    )


def _with_trailing_country(phrases: pl.DataFrame, found: pl.DataFrame) -> pl.DataFrame:
    """Extend an organization's phrase over a country's name right after it.

    Small states name bodies so (`Ports Authority Tonga`, `Economic Development Board
    Mauritius`); the country then counts through the phrase. Not when the country starts a
    name of its own (`the Customs Authority Kenya Ports ...`) or is followed by a word, nor
    after a company's legal form (`Jaguar Cars Inc U.S.`).
    """
    countries = found.filter(
        (pl.col("label") == EntityLabel.COUNTRY.value) & (pl.col("source") == SOURCE_NAME)
    ).select("doc", "field", after="start", country_end="end")
    if countries.height == 0:
        return phrases
    orgs = phrases.with_columns(after=pl.col("end") + 1)
    joined = orgs.join(countries, on=["doc", "field", "after"], how="left")
    gap = slice_chars(pl.col("text"), pl.col("end"), 1, pl.col("ascii"))
    beyond = slice_chars(pl.col("text"), pl.col("country_end"), 2, pl.col("ascii"))
    # (no regexes: polars keeps 32 compiled ones per thread, and the tagger runs far more)
    last_word = (
        slice_chars(
            pl.col("text"), pl.col("start"), pl.col("end") - pl.col("start"), pl.col("ascii")
        )
        .str.split(" ")
        .list.last()
        .str.strip_chars_end(".")
    )
    first, second = beyond.str.slice(0, 1), beyond.str.slice(1, 1)
    word_goes_on = (first.str.to_lowercase() != first.str.to_uppercase()) | first.is_in(
        list("0123456789-'\u2019")
    )
    name_follows = (first == " ") & (second != second.str.to_lowercase())
    takes = (
        (pl.col("label") == EntityLabel.ORG.value)
        & ~last_word.is_in(list(LEGAL_FORMS))
        & pl.col("country_end").is_not_null()
        & (gap == " ")
        & ~(word_goes_on | name_follows)
    )
    return joined.with_columns(end=pl.when(takes).then("country_end").otherwise("end")).select(
        phrases.columns
    )


def _unexplained(parens: pl.DataFrame, found: pl.DataFrame) -> pl.DataFrame:
    """Return the `(`s that may define something the gazetteer does not already say.

    `World Customs Organization (WCO)`: both names are known and name one entity, so the
    definition would change nothing; most definitions in customs news are such.
    """
    after = found.filter(_at("start").is_in(parens.select(_at("start") + 1).to_series().implode()))
    before = found.filter(_at("end").is_in(parens.select(_at("start") - 1).to_series().implode()))
    if after.height == 0 or before.height == 0:
        return parens
    known = (
        parens.select("doc", "field", "start", "text", "ascii")
        .join(
            after.select("doc", "field", "entity_id", "end", start=pl.col("start") - 1),
            on=["doc", "field", "start"],
        )
        .join(
            before.select("doc", "field", long_id="entity_id", start=pl.col("end") + 1),
            on=["doc", "field", "start"],
        )
        .filter(
            (pl.col("entity_id") == pl.col("long_id"))
            & (slice_chars(pl.col("text"), pl.col("end"), 1, pl.col("ascii")) == ")")
        )
    )
    return parens.join(
        known.select("doc", "field", "start"), on=["doc", "field", "start"], how="anti"
    )


def _apply_definitions(
    found: pl.DataFrame,
    definitions: pl.DataFrame,
    alternatives: pl.DataFrame,
    entities: pl.DataFrame,
    patterns: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the mentions relinked by the article's acronym definitions, and the defined forms.

    The entity of a definition, in order: the long form's gazetteer entity; the acronym's
    gazetteer entity of the long form's country (`Guatemala's Tax Administration (SAT)`); the
    acronym's gazetteer entity (`General Agreement of Tariffs and Trade (GATT)`), unless it
    belongs to another country than the long form's (`Korea Revenue Agency (KRA)` is not
    Kenya's KRA); the long form's rule entity; a derived id from the long form.
    A mention that ends right before `(ACR)` is the long form, whatever the initials say, unless
    it starts with another letter and has fewer capitalised words than the acronym has capitals,
    less one (`Central Asia (BOMCA)`).
    """
    if definitions.height == 0:
        return found, pl.DataFrame(schema=forms_schema())
    # The few mentions a definition can touch are picked out before any join.
    long_ends = definitions.select(_at("long_end")).to_series().implode()
    acr_starts = definitions.select(_at("acr_start")).to_series().implode()
    ends = found.filter(_at("end").is_in(long_ends)).select(
        "doc", "field", "end", m_start="start", m_text="text", m_source="source", **_prefixed("l_")
    )
    at_acronym = found.filter(_at("start").is_in(acr_starts)).select(
        "doc", "field", "start", "end", **_prefixed("a_")
    )
    defs = (
        definitions.with_row_index("def")
        .join(
            ends, left_on=["doc", "field", "long_end"], right_on=["doc", "field", "end"], how="left"
        )
        .join(
            at_acronym,
            left_on=["doc", "field", "acr_start", "acr_end"],
            right_on=["doc", "field", "start", "end"],
            how="left",
        )
        .with_columns(
            has_long=pl.col("m_start").is_not_null()
            # (a name in other words is an organization's: `Jordan Customs (Al-Jamarik
            # Al-Urduniya)`)
            & pl.when("renamed")
            .then(pl.col("l_label") == EntityLabel.ORG.value)
            .otherwise(pl.col("forward") | (pl.col("m_start") == pl.col("long_start")))
            # unless it is too short a name for the acronym and starts with another letter:
            # `Central Asia (BOMCA)` ends `Border Management Programme in Central Asia`;
            # or starts with another letter and ends in the long form the initials found:
            # `Customs Code of the Eurasian Economic Union (EAEU)` is a code, not the union
            # (but `CARICOM Implementation Agency for Crime and Security (IMPACS)` is the
            # agency: the words before the long form are its owner's acronym; and a known
            # name is whole before an acronym nothing claims, `National Single Window (eSW)`,
            # but not before a known one, `Kenya Ports Authority (UK)`).
            & (
                (pl.col("m_text").str.slice(0, 1) == pl.col("acr").str.slice(0, 1))
                # An organization's acronym that nothing else claims and whose initials fit no
                # words before it may spell its name in another language or by syllables:
                # `Dominican Association of Exporters (ADOEXPO)`, `Ministerio de Comercio
                # Exterior (COMEX)`.
                | (
                    (pl.col("l_label") == EntityLabel.ORG.value)
                    & pl.col("a_entity_id").is_null()
                    & pl.col("long").is_null()
                    & pl.col("m_text").str.contains(" ", literal=True)
                )
                | (
                    (
                        pl.col("m_text").str.count_matches(rx(r"(?:^|[ \-])\p{Lu}"))
                        >= pl.col("acr").str.count_matches(r"\p{Lu}") - 1
                    )
                    & ~(
                        pl.col("m_text").str.ends_with(pl.lit(" ") + pl.col("long"))
                        & ~pl.col("m_text")
                        .str.strip_suffix(pl.lit(" ") + pl.col("long"))
                        .str.contains(rx(_OWNER_ACRONYM))
                        & ~(
                            pl.col("m_source").str.starts_with("gazetteer")
                            & pl.col("a_entity_id").is_null()
                        )
                    ).fill_null(value=False)
                )
            )
        )
        .with_columns(
            long=pl.when("has_long").then("m_text").otherwise("long"),
            long_start=pl.when("has_long").then("m_start").otherwise("long_start"),
            **{f"l_{c}": pl.when("has_long").then(f"l_{c}") for c in _ENTITY},
            l_gazetteer=pl.col("has_long") & pl.col("m_source").str.starts_with("gazetteer"),
        )
        .filter(pl.col("long").is_not_null())
        # The other name is capitalised words or a known organization's name (another country's
        # customs by the same words: `Carinska uprava` is Croatian and Macedonian).
        .filter(
            ~pl.col("renamed")
            | (pl.col("a_label") == EntityLabel.ORG.value)
            | (pl.col("a_entity_id").is_null() & pl.col("run"))
        )
    )
    # ... and holds no other name (`Jordan Customs (Amman Customs House)`).
    words = defs.filter(pl.col("renamed") & pl.col("a_entity_id").is_null())
    if words.height:
        holding = (
            words.select("def", "doc", "field", "acr_start", "acr_end")
            .join(found.select("doc", "field", f_start="start"), on=["doc", "field"])
            .filter(pl.col("f_start").is_between("acr_start", "acr_end", closed="left"))
        )
        defs = defs.join(holding.select("def"), on="def", how="anti")
    same_country = (
        defs.filter(pl.col("l_country").is_not_null())
        .select("def", "acr", "l_country")
        .join(alternatives, left_on=["acr", "l_country"], right_on=["surface", "country"])
        .sort("def", "entity_id")
        .unique("def", keep="first", maintain_order=True)
        .select("def", "entity_id")
        .join(entities.select("entity_id", "label", "name"), on="entity_id", how="left")
    )
    linked = (
        defs.join(
            same_country.rename({c: f"c_{c}" for c in ("entity_id", "label", "name")}),
            on="def",
            how="left",
        )
        .with_columns(
            choice=pl.when("l_gazetteer")
            .then(pl.lit("l"))
            .when(pl.col("c_entity_id").is_not_null() & pl.col("c_label").is_not_null())
            .then(pl.lit("c"))
            # The acronym's own entry, unless it is another country's body than the one the
            # long form names (`Korea Revenue Agency (KRA)` is not Kenya's KRA).
            .when(
                pl.col("a_entity_id").is_not_null()
                & (
                    pl.col("a_country").is_null()
                    | pl.col("l_country").is_null()
                    | (pl.col("a_country") == pl.col("l_country"))
                )
            )
            .then(pl.lit("a"))
            .when(pl.col("l_entity_id").is_not_null())
            .then(pl.lit("l"))
            .when(pl.col("long_label").is_not_null())
            .then(pl.lit("d"))
        )
        .filter(pl.col("choice").is_not_null())
        .with_columns(c_country=pl.col("l_country"))
        .with_columns(
            entity_id=pl.when(pl.col("choice") == "d")
            .then(derived_id(pl.col("long_label"), pl.col("long")))
            .otherwise(_pick("entity_id")),
            label=pl.when(pl.col("choice") == "d").then("long_label").otherwise(_pick("label")),
            name=pl.when(pl.col("choice") == "d").then("long").otherwise(_pick("name")),
            country=_pick("country"),
        )
    )
    # A plural acronym (AEOs) also defines its singular.
    singular = pl.col("acr").str.strip_suffix("s")
    variant = pl.when(
        ~pl.col("renamed")
        & pl.col("acr").str.ends_with("s")
        & (singular.str.count_matches(r"\p{Lu}") >= 2)
    ).then(singular)
    forms = (
        pl.concat(
            [
                linked.select("def", "doc", surface=pl.col(c), **_cols(_ENTITY))
                for c in ("acr", "long")
            ]
            + [linked.select("def", "doc", surface=variant, **_cols(_ENTITY))]
        )
        .drop_nulls("surface")
        .sort("doc", "def")
        .unique(["doc", "surface"], keep="first", maintain_order=True)
        .select("doc", "surface", *_ENTITY, source=pl.lit(SOURCE_ACRONYM))
    )
    # Only the mentions whose entity a definition changes are rewritten: most definitions
    # restate what the gazetteer says (`World Customs Organization (WCO)`).
    defaults = patterns.select(surface="pattern", default="entity_id")
    changing = forms.join(defaults, on="surface", how="left").filter(
        pl.col("default").is_null() | (pl.col("default") != pl.col("entity_id"))
    )
    keyed = found.with_row_index("mid")
    changed = (
        keyed.filter(pl.col("text").is_in(changing["surface"].implode()))
        .join(
            forms.select("doc", "surface", **_prefixed("d_")),
            left_on=["doc", "text"],
            right_on=["doc", "surface"],
        )
        .filter(pl.col("d_entity_id") != pl.col("entity_id"))
        .with_columns(**{c: pl.col(f"d_{c}") for c in _ENTITY}, source=pl.lit(SOURCE_ACRONYM))
        .select(keyed.columns)
    )
    if changed.height == 0:
        return found, forms
    kept = keyed.filter(~pl.col("mid").is_in(changed["mid"].implode()))
    return pl.concat([kept, changed]).drop("mid"), forms


def _rescan(
    texts: pl.DataFrame,
    found: pl.DataFrame,
    phrase_forms: pl.DataFrame,
    defined_forms: pl.DataFrame,
    known: pl.DataFrame,
) -> pl.DataFrame:
    """Add the occurrences of the forms an article itself defines that nothing else matched."""
    # A headline names an instrument without its number (`Partial Scope Agreement` for the
    # body's `Partial Scope Agreement No. 28`): the unnumbered title is a form too.
    words = pl.col("surface").str.split(" ")
    numbered = words.list.last().str.slice(0, 1).is_in(list("0123456789"))
    title = words.list.head(words.list.len() - 1)
    title = (
        pl.when(title.list.last().is_in(["No.", "No"]))
        .then(title.list.head(title.list.len() - 1))
        .otherwise(title)
    )
    unnumbered = (
        phrase_forms.filter((pl.col("label") == EntityLabel.INSTRUMENT.value) & numbered)
        .with_columns(surface=title.list.join(" "), words=title.list.len())
        .filter(pl.col("words") >= 2)
        .drop("words")
    )
    phrase_forms = pl.concat([phrase_forms, unnumbered])
    phrases = pl.concat(
        [phrase_forms, phrase_forms.with_columns(surface=pl.col("surface").str.to_uppercase())]
    ).with_columns(field=pl.lit("headline", dtype=FIELD), phrase=pl.lit(value=True))
    defined = defined_forms.join(known, on="surface", how="anti").with_columns(
        phrase=pl.lit(value=False)
    )
    both_fields = pl.DataFrame({"field": ["body", "headline"]}, schema={"field": FIELD})
    forms = (
        pl.concat([defined.join(both_fields, how="cross"), phrases], how="diagonal")
        .unique(["doc", "field", "surface"], keep="first", maintain_order=True)
        .with_columns(n=pl.col("surface").str.len_chars())
    )
    if forms.height == 0:
        return found
    # One automaton for the forms of every article; a match counts only where it is defined.
    surfaces = (
        forms.select("surface", "n")
        .unique("surface")
        .sort(["n", "surface"], descending=[True, False])
        .get_column("surface")
    )
    rows = texts.join(forms.select("doc", "field").unique(), on=["doc", "field"])
    new = scan(rows, surfaces)
    if new.height == 0:
        return found
    new = new.join(
        forms.select("doc", "field", "surface", *_ENTITY, "source", "phrase"),
        left_on=["doc", "field", "match"],
        right_on=["doc", "field", "surface"],
    ).select(
        "doc",
        "field",
        "start",
        "end",
        *_ENTITY,
        "source",
        "ascii",
        "phrase",
        text="match",
        full="text",
    )
    # A form that overlaps a mention is dropped, unless it holds whole mentions: a defined long
    # form is one name (`Border Management Programme in Central Asia (BOMCA)`), not the names
    # inside it.
    found = found.with_row_index("fid")
    nearby = found.filter(pl.col("doc").is_in(new["doc"].unique().implode()))
    # But a defined form that ends in a mention of its own label is that name with a modifier
    # (`SIA (U.S. Semiconductor Industry Association)`): the mention stays. A head phrase of
    # the body holds the place it ends in (`Port of Tadjourah` in a Title Case headline).
    overlaps = (
        new.select("doc", "field", "start", "end", "label", "phrase")
        .with_row_index("nid")
        .join(
            nearby.select("doc", "field", "fid", f_start="start", f_end="end", f_label="label"),
            on=["doc", "field"],
        )
        .filter((pl.col("f_start") < pl.col("end")) & (pl.col("f_end") > pl.col("start")))
        .with_columns(
            holds=(pl.col("start") <= pl.col("f_start"))
            & (pl.col("f_end") <= pl.col("end"))
            & (pl.col("end") - pl.col("start") > pl.col("f_end") - pl.col("f_start"))
            & (
                pl.col("phrase")
                | ~((pl.col("f_end") == pl.col("end")) & (pl.col("f_label") == pl.col("label")))
            )
        )
    )
    clash = overlaps.group_by("nid").agg(pl.col("holds").all()).filter(~pl.col("holds"))
    fresh = new.with_row_index("nid").join(clash, on="nid", how="anti")
    held = overlaps.join(fresh.select("nid"), on="nid").select("fid")
    return pl.concat(
        [found.join(held, on="fid", how="anti").drop("fid"), fresh.select(found.columns[1:])]
    )
