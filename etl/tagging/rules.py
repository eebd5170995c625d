"""Rules for what the gazetteer lacks or cannot decide alone, each a function over match frames.

- **Field style** (`field_styles`): whether a text is ALL CAPS (wire headlines) or Title Case.
  Rules that read capitalisation as a signal are switched off where it carries none.
- **Head-noun phrases** (`head_phrases`): a capitalised phrase ending in a head word is an
  entity of the head's label (`Kenya Revenue Authority` ORG, `Inama Project` PROGRAMME,
  `Istanbul Convention` INSTRUMENT). The matcher anchors on the head words; the phrase is
  extended leftwards over capitalised words with a regex on a short slice before the head, and
  rightwards over an `of`/`for`/`on` complement (`Ministry of Finance`, `Bank of Korea`),
  also after `General` and up to a comma list closed by `and` (`Ministry of Agriculture,
  Forestry and Fisheries`) unless the list's items are names themselves.
  Leading function words (`The`, `Through`) are dropped; a possessor with `'s` becomes the
  phrase's country (`Guatemala's Tax Administration` is GTM's); a lone head is no name. An
  organization's run may hold `and` (`Securities and Exchange Commission`) unless it joins two
  names (`_BEFORE_COORDINATED`). French, Spanish and Portuguese heads that come first
  (`HEAD_FIRST_WORDS`: `Office Togolais des Recettes`) run rightwards over `de`/`des`/`del`.
- **Acronym definitions** (`acronym_definitions`): `Long Name (ACR)` and `ACR (Long Name)`.
  The long form is taken from the run of capitalised words before the parenthesis by the
  acronym's capitals and initial (`_long_form`); the tagger prefers a known name that ends
  right before the parenthesis.
- **Ambiguity** (`drop_ambiguous`): surface forms listed in `ambiguous.tsv` with a rule.
- **Namesakes** (`namesakes`): a town named like a town abroad (`Gaya`) is the one abroad where
  the article names that country and not the owner's.
- **Derived ids** (`derived_id`): an entity found only by a rule gets `<prefix>:x-<slug>`.
"""

from __future__ import annotations

import polars as pl

from etl.tagging.gazetteer import (
    BARE_HEAD_FIRST_EXCEPT,
    HEAD_FIRST_WORDS,
    HEAD_WORDS,
    RULE_CAPS_WORD,
    RULE_COUNTRY_CONTEXT,
    RULE_GIVEN_NAME,
    RULE_HOME_COUNTRY,
    RULE_US_STATE,
    SEA_HEADS,
    TRADE_WORDS,
)
from etl.tagging.matcher import chars_before, slice_chars, text_position
from etl.tagging.regex import extract, is_ascii, rx
from schemas.records import EntityLabel

__all__ = [
    "DAYS_AND_MONTHS",
    "DIGITS",
    "GENERIC_ONLY",
    "ID_PREFIX",
    "SOURCE_ACRONYM",
    "SOURCE_CUSTOMS",
    "SOURCE_HEAD",
    "SOURCE_NAMESAKE",
    "acronym_definitions",
    "capitalised",
    "derived_id",
    "drop_ambiguous",
    "drop_currencies",
    "drop_hemispheric",
    "drop_surnames",
    "field_styles",
    "forms_schema",
    "generic_and_sentence_words",
    "head_phrases",
    "namesakes",
    "rehome",
    "treaties_under",
]

SOURCE_HEAD = "rule:head-noun"
SOURCE_ACRONYM = "rule:acronym"
SOURCE_CUSTOMS = "rule:customs-pattern"
SOURCE_NAMESAKE = "gazetteer:namesake"

#: Prefix of the ids of entities found only by a rule, by label.
ID_PREFIX = {
    EntityLabel.ORG.value: "org",
    EntityLabel.PROGRAMME.value: "prog",
    EntityLabel.INSTRUMENT.value: "instr",
    EntityLabel.LOCATION.value: "loc",
    EntityLabel.COUNTRY.value: "country",
}

_INITIALS = r"(?:\p{Lu}\.){2,}"
# (words joined by a slash are one: `Entry/Exit System`; so are words joined by a hyphen or
# an en dash, U+2013: `Serbia-China Free Trade Agreement`; and a word's inner apostrophe or
# okina (U+02BB) before a letter, `Fua'amotu International Airport`, `Sana'a`, but not a possessive
# `'s`, which ends the word)
_WORD_CHARS = r"(?:[\p{L}\p{N}&\-\x{2013}]|['\x{2019}\x{02BB}](?:[\p{L}--s]|s\p{L}))"
_CAP_WORD = r"\p{Lu}" + _WORD_CHARS + r"*(?:/\p{Lu}" + _WORD_CHARS + r"*)*"
_ELISION = r"[dl]['\x{2019}]\p{Lu}[\p{L}\p{N}\-]*"
_SAXON = r"['\x{2019}]s"  # the possessive 's
# A capitalised word: initials (U.S.), a word starting upper case, or d'Ivoire-style elisions.
_TOKEN = r"(?:" + _INITIALS + "|" + _CAP_WORD + "|" + _ELISION + ")"
# The same, optionally possessive (Guatemala's): only on the left of a head word.
# Or a plural's possessive (`Canadian Vehicle Manufacturers' Association`).
_PLURAL_SAXON = r"\p{Lu}[\p{L}\p{N}&\-]*s['\x{2019}]"
_TOKEN_POSS = (
    r"(?:" + _INITIALS + "|" + _CAP_WORD + "(?:" + _SAXON + r")?|" + _PLURAL_SAXON + "|"
    + _ELISION + ")"
)  # fmt: skip
# A word and a person's middle initial right before a run of a name (`Antonio B. | Won Pat
# International Airport`): read only where the text before the run ends in `. ` (a few rows,
# so in its Unicode form alone), and the run's regex stays as cheap as it was. A run is needed,
# so a sentence's last letter does not join a name (`Plan B. Customs officers`).
_INITIAL_BEFORE = r"(?:^|[ (])(" + _CAP_WORD + r" +\p{Lu}\. +)$"
_CONNECTOR_WORDS = "and|&|of|for|the|on|de|del|des|du|la|le|los|las|el|da|das|do|dos|di|y|et|e"
_CONNECTOR = r"(?:" + _CONNECTOR_WORDS + r")"
# (a slash opens a name only after a word, not after a number: `Directive 2014/90/EU and
# Regulation (EU) 2019/1020` holds no `EU and Regulation`)
_OPEN = r"(?:^|[ (\"'\x{201C}\x{2018}]|[^\p{N}]/)"
_WINDOW = 80
# Names run further right of a head than left of it (`Fédération Interprofessionnelle Marocaine
# de Production et d'Exportation des Fruits et Légumes`, 84 characters after its head).
_RIGHT_WINDOW = 120
_DEF_WINDOW = 100

# Left of a head word: capitalised words (joined by `&` or `and`), ending where the head starts
# (`Securities and Exchange Commission`, `National Environmental Standards and Regulations
# Enforcement Agency`).
_LEFT_RUN = _OPEN + r"((?:" + _TOKEN_POSS + r" +(?:(?:&|and) +)?)+)$"
# Programme and instrument names also take small words (`ASEAN Trade in Goods Agreement`,
# `Misuse of Drugs Act`); an organization's do not, or `Director General of Jordan Customs`
# would be one name.
# They may also hold bracketed words (`Russia (Sanctions) (EU Exit) Regulations 2019`).
# (words, not an acronym: `World Organisation for Animal Health (WOAH) Terrestrial Animal Health
# Code` is two names; and a list may join them, `Firearms (Prohibition, Restriction and
# Regulation) Act`)
_BRACKETED = (
    r"\((?:\p{Lu}[\p{L}\p{N}\-]* +)*\p{Lu}[\p{L}\p{N}\-]*\p{Ll}[\p{L}\p{N}\-]*"
    r"(?:,? +(?:and +)?\p{Lu}[\p{L}\p{N}\-]*)*\)"
)
# An acronym in brackets is part of the name only right before its head (`Foreign Agricultural
# Investment Reform (FAIR) Act`).
_BRACKETED_ACRONYM = r"\(\p{Lu}[\p{Lu}\p{N}&\-]*\) +"
_LEFT_RUN_LOOSE = (
    _OPEN
    + r"((?:(?:"
    + _TOKEN_POSS
    + "|"
    + _BRACKETED
    + r") +(?:(?:in|on|for|of|and|&) +)?)+(?:"
    + _BRACKETED_ACRONYM
    + r")?)$"
)
# A comma list that closes a complement with `and` (`of Agriculture, Forestry and Fisheries`,
# `for Identity, Citizenship, Customs and Port Security`): items of one to three capitalised
# words; without the closing `and` a comma ends the name (`Ministry of Finance, Tokyo`).
_COMMA_LIST = (
    r"(?:(?:, +" + _TOKEN + r"(?: +" + _TOKEN + r"){0,2}){1,4},? +and +"
    + _TOKEN + r"(?: +" + _TOKEN + r"){0,2})?"
)  # fmt: skip
# Right of a head word: an of/for/on complement of capitalised words, also after `General`
# (`Directorate General of Customs and Excise`), Dutch `van` (`Centrale Bank van Suriname`)
# and French `des` and `du` (`Code des Douanes`, `Service des Douanes`).
_CTOKEN = r"(?:" + _PLURAL_SAXON + "|" + _TOKEN + ")"  # (`Ghana Union of Traders' Associations`)
# (`Trade in` joins the words after it, `Agreement on Trade in Agricultural Products`: only a
# programme's or an instrument's complement keeps it, see `head_phrases`)
_TRADE_IN = "Trade in "
_CTOKEN_IN = r"(?:Trade +in +)?" + _CTOKEN
_COMPLEMENT = (
    r"^( +(?:General +)?(?:of|for|on|van|des|du) +(?:(?:the|a|an) +)?"
    + _CTOKEN_IN
    + r"(?: +(?:"
    + _CONNECTOR
    + r" +){0,2}"
    + _CTOKEN_IN
    + r"){0,5}"
    + _COMMA_LIST
    + r")"
)
# Left of a head word that comes first: only a possessor (`Togo's Office Togolais des
# Recettes`), which lends the phrase its country (group 1), and, with a complement after the
# head, the rank words right before it (group 2: `Federal Office for Agriculture`, `Germany's
# Federal Office of Economics`); alone, `the Federal Office` names nothing.
_RANKS = (
    "Federal|National|State|Central|Regional|General|Royal|Supreme|Joint|Permanent|Special"
    "|Provincial|Municipal|Algemene"
)
_POSSESSOR_RUN = (
    _OPEN
    + r"((?:"
    + _TOKEN
    + r" +){0,2}"
    + _CAP_WORD
    + _SAXON
    + r" +)?((?:(?:"
    + _RANKS
    + r") +){0,2})$"
)
# Right of a head word that comes first (`Office Togolais des Recettes`, `Superintendencia
# Nacional de Aduanas y de Administración Tributaria`): capitalised words with at least one
# French, Spanish, Portuguese or Italian `of` among them, and articles (`Viceministerio de Lucha
# Contra el Contrabando`).
# (and Dutch: `Ministerie van Financiën`)
_ROMANCE_OF = (
    r"(?:de la|de las|de los|des|du|del|de|da|das|do|dos|di|della|delle|dei|van de|van het|van"
    r"|voor|der|para la|para el|para|pour la|pour le|pour)"
)
_ROMANCE_COMPLEMENT = (
    # (a hyphened second word first: `Direção-Geral das Alfândegas`)
    # (and, in French sentence case, a lower-case `générale` or `nationale`: `Direction
    # générale des Douanes`)
    r"^((?:[\-\x{2013}]\p{Lu}[\p{L}\p{N}]*)?(?: +(?:"
    + _TOKEN
    + r"|générale|generale|nationale)){0,2} +"
    + _ROMANCE_OF
    + r" +"
    + _TOKEN
    + r"(?: +(?:(?:y|et|e|en)(?: +"
    + _ROMANCE_OF
    + r")?|"
    + _ROMANCE_OF
    + r"|el|la|le|les|los|las) +"
    + _TOKEN
    + r"| +"
    + _TOKEN
    + r"){0,6}"
    # (a comma list closed by `y`: `Ministerio de Producción, Comercio Exterior, Inversiones y
    # Pesca`; without the closing `y` a comma ends the name. Plain words: the full token
    # would take the Unicode regex past its size limit.)
    + r"(?:(?:, +\p{Lu}[\p{L}\-]*(?: +\p{Lu}[\p{L}\-]*){0,2}){1,4},? +(?:y|e|et)"
    + r"(?: +\p{Lu}[\p{L}\-]*){1,3})?)"
)
# Right of a head word that comes first, without `de`: one or two capitalised words (`Aduana
# Nacional`, `Autoridade Tributária`, `Puerto Quetzal`).
_BARE_COMPLEMENT = r"^((?: +" + _TOKEN + r"){1,2})"
# Right of an instrument's head word: its number (`Customs Law No. 207 of 2020`, `Regulation
# (EU) 2023/956`, `Biosecurity Act 2015`, `Additional Protocol 5`, `Law 22-15`), not a count of
# something.
_NUMBERED = (
    r"^( +(?:\(\p{Lu}{2,}\) +)?(?:No\.? +\d+(?:/\d+)*(?: +of +(?:19|20)\d{2})?"
    r"|of +(?:19|20)\d{2}|\d{1,4}[/\-]\d{1,4}(?:/(?:EU|EC|EEC|Euratom))?"
    r"|\d{1,4}(?: +of +(?:19|20)\d{2})?)|, +(?:19|20)\d{2})"
    r"(?:[^\p{L}\p{N}%.,]|[.,](?:\D|$)|$)"
)
_NOT_A_NUMBER = (
    r"^ +\d+(?:[/\-]\d+)? +(?:years?|months?|weeks?|days?|hours?|per|percent|pct|million"
    r"|billion|tonnes?|members?|countries|nations|states)\b"
)
# A day or month after a small word ends a complement (`Port of Cork Company on Monday`), and
# one right after the head leaves none (`the Ministry on Monday`).
#: Weekdays and months: capitalised words that name no entity.
DAYS_AND_MONTHS = (
    *("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    *("January", "February", "March", "April", "May", "June", "July", "August"),
    *("September", "October", "November", "December"),
)
_DATE_IN_COMPLEMENT = (
    r" +(?:on|in|of|for|and|the) +(?:" + "|".join(DAYS_AND_MONTHS) + r")(?:[^\p{L}\p{N}].*)?$"
)
# The last possessive of a run, and what follows it: `'s` or a plural's `s'`.
_POSSESSIVE_IN_RUN = r"^(?:.* )?\S+?(['\x{2019}]s +|s['\x{2019}] +)(.*)$"
# Where a place's complement ends: at an `on` or `for` and all after it (`Port of Mutsamudu | on
# Anjouan`), which leaves none when it comes first (`Betio Port | on South Tarawa`).
_PLACE_COMPLEMENT_ENDS = (" on ", " for ")
_UNDER = "under the "  # before a treaty's name (`treaties_under`)
# A place's name whose complement ends in an organization's head names the organization
# (`Port of Cork Company`, `Port of Spain Authority`): its last word is one of these.
_ORG_HEADS = [w for w, lab in HEAD_WORDS.items() if lab is EntityLabel.ORG and " " not in w]
# Capitalised words that start sentences or clauses rather than names.
_LEADING_WORDS = (
    "The|A|An|This|That|These|Those|Its|Their|His|Her|Our|Your|In|On|At|By|For|From|With|"
    "Through|Under|Via|As|And|But|Or|Both|Meanwhile|However|Following|After|Before|During|"
    "While|When|Where|If|Since|Also|Then|Each|Every|All|Some|Many|Several|Other|Such|Among|"
    "Between|Without|Within|Across|Against|Despite|Although|Because|Once|Today|Yesterday|"
    "Last|Next|According|Thanks|Like|Unlike|Including|Over|To|Of|Is|Was|It|We|They|"
    "Officials|Director|Secretary|Minister|President|Commissioner|Chairman|Chair|Head|Chief|"
    "Mr|Ms|Mrs|Dr|Deputy|Director-General|Secretary-General|Spokesman|Spokeswoman"
)
# (and who paid for or leads a thing: `EU-funded Border Management Programme`)
_BACKER = r"\S+-(?:funded|backed|financed|sponsored|supported|led|run|owned|based)"
_STRIP_LEADING = r"^(?:(?:" + _LEADING_WORDS + "|" + _BACKER + r") +(?:& +)?)+"
# A programme's or instrument's run: an official's title and `of` before it are no part of
# it (`SEC Director of | Market Regulation`); nor are leading sentence words and small words
# (`of Drugs Act`), but a minister's title is (`Minister of Trade Regulation No. 40`). One
# regex, not three: polars keeps 32 compiled regexes per thread, and the tagger runs far more.
_STRIP_LEADING_LOOSE = (
    r"^(?:(?:.* )?(?:Director|Secretary|Chairman|President|Commissioner|Governor|Head|Chief)"
    r"(?:[ -]General)? +of +|(?:(?:"
    + _LEADING_WORDS.replace("|Minister|", "|")
    + "|"
    + _BACKER
    + r"|in|on|for|of|and|&) +)+)"
)
# An acronym in parentheses: no spaces, upper-case first, or after one lower-case prefix (`eSW`,
# `iCMS`; at least two capitals: checked apart).
_PAREN_ACRONYM = r"^\((\p{Ll}?\p{Lu}[\p{L}\p{N}&.\-]{1,11})\)"
# A capitalised word (tested on the words of a run or complement, one at a time).
_STARTS_UPPER = r"^\p{Lu}"
# An acronym in parentheses that is followed by a number designates, it does not define.
_DESIGNATION = r"^\([^()]+\) +(?:No\.? +)?\d"
# A name in parentheses, upper-case first.
_PAREN_NAME = r"^\((\p{Lu}[^()]{3,120})\)"
# (a long form also takes `in`, `to` and `against`: its initials bound it, `Border Management
# Programme in Central Asia (BOMCA)`, `Coalition Against Wildlife Trafficking (CAWT)`)
_LONG_CONNECTOR = r"(?:" + _CONNECTOR_WORDS + r"|in|to|against)"
_LONG_RUN = _OPEN + r"(" + _TOKEN + r"(?: +(?:" + _LONG_CONNECTOR + r" +){0,2}" + _TOKEN + r")*) *$"
_ACRONYM_BEFORE = _OPEN + r"(\p{Lu}[\p{L}\p{N}&.\-]{1,11}) *$"
_INNER_RUN = r"^" + _TOKEN + r"(?: +(?:" + _CONNECTOR + r" +){0,2}" + _TOKEN + r"){1,11}$"

_HEADS = "|".join(sorted(HEAD_WORDS, key=len, reverse=True))
# A long form's head word: the one that ends it (group 1), else the first (group 2).
_LAST_OR_FIRST_HEAD = r"^(?:.* )?(" + _HEADS + r")$|(?:^| )(" + _HEADS + r")(?: |$)"
_FIRST_HEADS = "|".join(sorted(HEAD_FIRST_WORDS, key=len, reverse=True))
# Each head word's label, for an acronym's long form (built once, not per batch).
_HEAD_LABELS = {word: label.value for word, label in (HEAD_WORDS | HEAD_FIRST_WORDS).items()}
# In an organization's run, an `and` that joins two names rather than two words of one name
# cuts the run: it starts after the last such `and`. Such an `and` follows a head word or a
# company's suffix (`Barclays Bank and National Westminster Bank`, `Commerzbank and Deutsche
# Bank`; `Customs` is left out, it leads names: `Customs and Excise Department`), or a
# person's title and name (`Finance Minister Ferdinand Lacina and National Bank`), or comes
# right before the head (`PDVSA and Union`, `Morgan Guaranty and Bank of America`).
# Trade words that are heads of companies' names are also portfolios (`Ministry of Ports,
# Shipping and Waterways`): in a comma list they end no name.
_PORTFOLIO_HEADS = frozenset(TRADE_WORDS)
# (the legal forms and `Group` are ORG heads already; `Co` and `Bhd` are not: `Economic
# Co-operation`, and a bare `Bhd`)
_ORG_ENDS = sorted(
    [w for w, label in HEAD_WORDS.items() if label is EntityLabel.ORG and w != "Customs"]
    + ["Co", "Bhd", "Party", "Brothers", "International", "Army", "Navy"],
    key=len,
    reverse=True,
)
_LIST_ENDS = [w for w in _ORG_ENDS if w not in _PORTFOLIO_HEADS]
_TITLES = "Minister|Secretary|Undersecretary|Governor|President|Chairman|Chief|Director"
_BEFORE_COORDINATED = (
    r"^(?:.*(?:^| )(?:" + "|".join(_ORG_ENDS) + r"|\S+bank)\.? +and +"
    r"|.*(?:^| )(?:" + _TITLES + r") (?:.* )?and +"
    r"|.* and +$)"
)
# A comma list holding a head word or a company's suffix lists names, not the words of one name
# (`Bank of Japan, Federal Reserve Board and Bank of England`): the complement ends at its comma.
_LIST_OF_NAMES = r",.* (?:" + "|".join(_LIST_ENDS) + r")(?:[ ,.]|$)"
# `and the` before words that end in a head word joins a second name to the complement, not a
# word of the first (`Ministry of Finance and the Central Bank`, `Growth Plan for the Western
# Balkans and the Action Plan`), as before a head that starts a name of its own (`Ministry of
# Commerce and the Ministry of Agriculture, Forestry and Fisheries`): the complement ends
# before it; so do the English heads that come first, after their rank words (`Federal Office
# of Economics and Export Control and the National Office of Statistics`), and the seas
# (`Gulf of Cádiz and the Gulf of Mexico`).
_AND_THE_NAME = (
    r" +and +the +(?:\S+ +){0,4}(?:"
    + "|".join((_HEADS, "Office", "Direction", *SEA_HEADS))
    + r")(?:[ ,]|$)"
)
# Heads that take no `of` complement: an island's `of` names the island itself (`the Channel
# Island of Jersey`, `the Island of Ireland`).
_NO_COMPLEMENT_HEADS = ("Island", "Islands")
# Words that, alone, make a generic phrase rather than a name (`the Customs Administration`).
# (`Declaration` is a head but no generic word: `Customs Declaration System` is a name.)
# (nor are the class names of single windows: `Single Window for Foreign Trade` is a name.)
_NOT_GENERIC = {"Declaration", "Single Window", "National Single Window"}
_GENERIC_HEADS = "|".join(sorted(set(HEAD_WORDS) - _NOT_GENERIC, key=len, reverse=True))
_GENERIC_WORDS = (
    _GENERIC_HEADS
    + "|Revenue|Tax|Taxes|Trade|National|Federal|Central|General|Border|Excise|Finance"
    "|Economic|Commerce|State|Public|Internal|Regional|Joint|Global|International|Foreign"
    "|Affairs|Industry|Economy|Development|Cooperation|Co-operation|Security|Protection"
    "|Enforcement|Investment|Agriculture|Health|Transport|Ports|Port|Maritime|Financial|Action"
    "|One-Stop|One Stop|Logistics|Coast"
)
#: A phrase made only of generic words and connectors.
GENERIC_ONLY = r"^(?:(?:" + _GENERIC_WORDS + r"|" + _CONNECTOR_WORDS + r")(?: |$))+$"
_ENDS_IN_HEAD = r"(?:^| )(?:" + _HEADS + r")$"


def field_styles(texts: pl.DataFrame) -> pl.DataFrame:
    """Return (doc, field, caps, title): whether each text is ALL CAPS, or Title Case."""
    # Only a text without a lower-case letter is ALL CAPS: the search stops at the first one.
    caps = pl.col("text").str.contains(r"\p{Lu}") & ~pl.col("text").str.contains(r"\p{Ll}")
    # Only headlines are ever in Title Case; measuring bodies would cost a pass for nothing
    # (masked to null, they are not read at all).
    headline = pl.when(pl.col("field") == "headline").then(pl.col("text"))
    words = headline.str.extract_all(rx(r"\p{L}[\p{L}'\x{2019}\-]{3,}"))
    capitalised = words.list.eval(pl.element().str.contains(rx(r"^\p{Lu}"))).list.mean()
    return texts.select(
        "doc", "field", caps=caps, is_title=capitalised.fill_null(0.0) >= 0.6
    ).select("doc", "field", "caps", title=pl.col("is_title") & ~pl.col("caps"))


def forms_schema() -> dict[str, pl.DataType]:
    """Return the columns of a frame of forms: a name an article itself gives an entity."""
    return {
        "doc": pl.UInt32(),
        "surface": pl.String(),
        **{column: pl.String() for column in ("entity_id", "label", "name", "country")},
        "source": pl.String(),
    }


def generic_and_sentence_words() -> frozenset[str]:
    """Return the words that start sentences and the generic words of names, one by one.

    A head of several words gives its last word only (`Zone`, `Post`): the words before it
    qualify the head there, and name things elsewhere (`the Unified Cargo Processing
    programme`, not generic for `Export Processing Zone`).
    """
    words = {word for phrase in _LEADING_WORDS.split("|") for word in phrase.split(" ")}
    return frozenset({*words, *(phrase.split(" ")[-1] for phrase in _GENERIC_WORDS.split("|"))})


def derived_id(label: pl.Expr, name: pl.Expr, country: pl.Expr | None = None) -> pl.Expr:
    """Return `<prefix>:x-[<iso3>-]<slug of name>`: the id of an entity known only from a rule."""
    slug = (
        name.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")  # (not `rx`: NFKD makes marks of any text)
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", "-")
        .str.strip_chars("-")
    )
    prefix = label.replace_strict(ID_PREFIX, return_dtype=pl.String)
    scope = pl.lit("") if country is None else (country.str.to_lowercase() + "-").fill_null("")
    return pl.concat_str(prefix, pl.lit(":x-"), scope, slug)


def capitalised(word: pl.Expr) -> pl.Expr:
    """Return whether `word` starts with a capital (a letter that lower-casing changes; no
    regex)."""
    first = word.str.slice(0, 1)
    return first.str.to_lowercase() != first


#: The ASCII digits, for `is_in` tests on one character (no regex).
DIGITS = list("0123456789")


def _year_follows(right: pl.Expr, complement: pl.Expr) -> pl.Expr:
    """Return whether a year (1900 to 2099) follows a non-empty `complement` in `right`.

    String tests, no regex (each regex costs a compiled one in every batch).
    """
    size = complement.str.len_chars()
    after = right.str.slice(size, 6)
    last = after.str.slice(5, 1)
    return (
        (size > 0)
        & (after.str.starts_with(" 19") | after.str.starts_with(" 20"))
        & after.str.slice(3, 1).is_in(DIGITS)
        & after.str.slice(4, 1).is_in(DIGITS)
        & (
            (last == "")
            | (
                (last.str.to_lowercase() == last.str.to_uppercase())
                & ~last.is_in([*DIGITS, "-", "/"])
            )
        )
    ).fill_null(value=False)


def head_phrases(heads: pl.DataFrame) -> pl.DataFrame:
    """Return the capitalised phrases ending in each head-word hit (one row per kept phrase).

    `heads`: doc, field, text, ascii, start, end, head (the head's label), head_first (whether
    the head comes first in its name: only a possessor is taken on its left). Output: doc,
    field, text, ascii, start, end, label, anchor and anchor_end (the head's span); for a run
    with a possessive, split_start (where the phrase starts without its possessor),
    possessor_end (where the possessor word ends) and split_keeps_name (whether more than the
    bare head is left after the split).
    """
    text, ascii = pl.col("text"), pl.col("ascii")
    left = chars_before(text, pl.col("start"), _WINDOW, ascii)
    right = slice_chars(text, pl.col("end"), _RIGHT_WINDOW, ascii)
    loose = pl.col("head").is_in([EntityLabel.PROGRAMME.value, EntityLabel.INSTRUMENT.value])
    first = pl.col("head_first").fill_null(value=False)
    is_place = pl.col("head") == EntityLabel.LOCATION.value
    head_word = slice_chars(text, pl.col("start"), pl.col("end") - pl.col("start"), ascii)
    bare = first & ~head_word.is_in(list(BARE_HEAD_FIRST_EXCEPT))
    left_ascii, right_ascii = is_ascii(pl.col("left")), is_ascii(pl.col("right"))
    before_run = pl.col("left").str.head(
        pl.col("left").str.len_chars().cast(pl.Int64) - pl.col("run").str.len_chars()
    )
    with_initial = pl.concat_str(
        pl.when((pl.col("run") != "") & before_run.str.ends_with(". "))
        .then(before_run.str.extract(rx(_INITIAL_BEFORE), 1))
        .fill_null(""),
        pl.col("run"),
    )
    # (a programme's or an instrument's run after an organization's name and `and`, in list
    # operations: one more regex would be one too many)
    and_parts = pl.col("run").str.split(" and ")
    after_organization = (
        and_parts.list.get(-2, null_on_oob=True)
        .str.split(" ")
        .list.last()
        .str.strip_suffix(".")
        .is_in(_LIST_ENDS)
    ).fill_null(value=False)
    phrases = (
        # (a sea's head names something only with its complement: `Gulf of Cádiz`, not
        # `Hudson's Bay`, a company; `Attorney General's Office` is a name)
        heads.with_columns(left=left, right=right, spoken=first & head_word.is_in(list(SEA_HEADS)))
        .with_columns(
            run=pl.when(first)
            .then(extract(pl.col("left"), _POSSESSOR_RUN, 1, left_ascii))
            .when(loose)
            .then(extract(pl.col("left"), _LEFT_RUN_LOOSE, 1, left_ascii))
            .otherwise(extract(pl.col("left"), _LEFT_RUN, 1, left_ascii))
            .fill_null(""),
            complement=pl.coalesce(
                pl.when(first).then(extract(pl.col("right"), _ROMANCE_COMPLEMENT, 1, right_ascii)),
                pl.when(~head_word.is_in(list(_NO_COMPLEMENT_HEADS))).then(
                    extract(pl.col("right"), _COMPLEMENT, 1, right_ascii)
                ),
                pl.when(
                    (pl.col("head") == EntityLabel.INSTRUMENT.value)
                    & ~pl.col("right").str.contains(_NOT_A_NUMBER)
                ).then(extract(pl.col("right"), _NUMBERED, 1, right_ascii)),
                pl.when(bare).then(extract(pl.col("right"), _BARE_COMPLEMENT, 1, right_ascii)),
            ).fill_null(""),
        )
        .with_columns(
            # A complement that fills the window may end inside a word the window cut: it ends
            # before that word.
            complement=pl.when(pl.col("complement").str.len_chars() == _RIGHT_WINDOW)
            .then(pl.col("complement").str.replace(r" +\S+$", ""))
            .otherwise("complement")
        )
        .with_columns(
            # (the same regex again, so compiled once: the rank words a possessor's run ends
            # in, which it keeps with a complement and otherwise loses with the possessor)
            ranks=pl.when(first)
            .then(extract(pl.col("left"), _POSSESSOR_RUN, 2, left_ascii))
            .fill_null("")
        )
        .with_columns(
            run=pl.when(pl.col("ranks") == "")
            .then("run")
            .when(pl.col("complement") != "")
            .then(pl.concat_str("run", "ranks"))
            .otherwise(pl.lit(""))
        )
        .drop("ranks")
        .with_columns(run=with_initial)
        .with_columns(
            # A complement whose last `and` joins a possessor, a word (not an acronym) whose
            # `'s` comes before a capitalised name, ends before that `and`: `Kenya's Ministry
            # of Trade and | Uganda's Ministry of Finance`, but `the Ministry of Trade and
            # Industry's spokesman` and `Bank of America NT and SA's Tokyo branch`.
            complement=pl.when(
                pl.col("complement").str.contains(" and ", literal=True)
                & pl.col("right")
                .str.slice(pl.col("complement").str.len_chars(), 2)
                .is_in(["'s", "\u2019s"])
                & capitalised(
                    pl.col("right").str.slice(pl.col("complement").str.len_chars() + 3, 1)
                )
                & ~capitalised(pl.col("complement").str.split(" and ").list.last().str.slice(1, 1))
            )
            .then(
                pl.col("complement")
                .str.split(" and ")
                .list.head(pl.col("complement").str.split(" and ").list.len() - 1)
                .list.join(" and ")
            )
            # (a place's complement names one place: `Port of Aarhus and | Copenhagen`)
            .when(is_place & pl.col("complement").str.contains(" and ", literal=True))
            .then(pl.col("complement").str.split(" and ").list.first())
            .when(pl.col("complement").str.contains(_LIST_OF_NAMES))
            .then(pl.col("complement").str.replace(r",.*$", ""))
            .when(pl.col("complement").str.contains(_AND_THE_NAME))
            .then(pl.col("complement").str.replace(r" +and +the +.*$", ""))
            .otherwise(pl.col("complement"))
            .str.replace(rx(_DATE_IN_COMPLEMENT), ""),
            # (an organization's name and `and` before it are no part of it either: `the
            # Andean Community and | Decision 416`)
            run=pl.when(loose)
            .then(
                pl.when(after_organization)
                .then(and_parts.list.last())
                .otherwise("run")
                .str.replace(_STRIP_LEADING_LOOSE, "")
            )
            .otherwise(
                # Two places joined by `and` are two names (`Lae and Motukea International
                # Terminal`): a place's run starts after its last `and`.
                pl.when(is_place)
                .then(pl.col("run").str.replace(r"^.* (?:and|&) +", ""))
                # (two customs offices joined by `and` are two: `Keelung Customs and |
                # Taichung Customs`; but `Customs and Excise Department` is one)
                .when(head_word == "Customs")
                .then(pl.col("run").str.split("Customs and ").list.last())
                .otherwise(pl.col("run").str.replace(_BEFORE_COORDINATED, ""))
                .str.replace(_STRIP_LEADING, "")
            ),
        )
        # `Trade in` continues only a programme's or an instrument's title (`Agreement on Trade
        # in Services`); a body's ends before the `in` (`Ministry of Trade in Nairobi`).
        .with_columns(
            complement=pl.when(~loose & pl.col("complement").str.contains(_TRADE_IN, literal=True))
            .then(pl.col("complement").str.split(_TRADE_IN).list.first() + "Trade")
            .otherwise("complement")
        )
        # An instrument's year after its complement is part of its title (`Loi de Finances
        # 2026`, `Ley de Aduanas 2023`), as after its head (`Customs Act 2023`).
        .with_columns(
            complement=pl.when(
                (pl.col("head") == EntityLabel.INSTRUMENT.value)
                & _year_follows(pl.col("right"), pl.col("complement"))
            )
            .then(pl.col("right").str.slice(0, pl.col("complement").str.len_chars() + 5))
            .otherwise("complement")
        )
        # The last possessive in the run may split it: `Guatemala's | Tax Administration`, and
        # a plural's, `Cook Islands' | Revenue Management Division` (when what it ends is a
        # known name: a plural's possessive otherwise belongs to the name, `Canadian Vehicle
        # Manufacturers' Association`).
        .with_columns(
            marker=pl.col("run").str.extract(_POSSESSIVE_IN_RUN, 1),
            possessed=pl.col("run").str.extract(_POSSESSIVE_IN_RUN, 2),
        )
        .with_columns(
            end=pl.col("end") + pl.col("complement").str.len_chars().cast(pl.Int64),
            anchor=pl.col("start"),
            anchor_end=pl.col("end"),
            split_start=pl.col("start") - pl.col("possessed").str.len_chars().cast(pl.Int64),
            start=pl.col("start") - pl.col("run").str.len_chars().cast(pl.Int64),
        )
        .with_columns(
            # (a plural's marker holds the possessor's last letter: `s' `)
            possessor_end=pl.col("split_start")
            - pl.col("marker").str.len_chars().cast(pl.Int64)
            + pl.col("marker").str.starts_with("s").cast(pl.Int64)
        )
    )
    phrases = _without_defined_owner(phrases)
    # A place's complement is `of` and a name (`Port of Spain`), never `on` or `for` and what
    # follows: `Betio Port on South Tarawa` and `Port of Mutsamudu on Anjouan` are the port and
    # the island; the name ends before the `on`. (An instrument's `of the` + organization may be
    # its name or say whose it is: `Customs Code of the Eurasian Economic Union` is a title,
    # `Port State Measures Agreement of the Food and Agriculture Organization` is not; cutting
    # it lost more than it found.)
    # (found by literal searches: a regex more would cost a compiled regex in every batch)
    ends = pl.min_horizontal(
        *(pl.col("complement").str.find(word, literal=True) for word in _PLACE_COMPLEMENT_ENDS)
    )
    kept = (
        pl.when(is_place & ends.is_not_null())
        .then(pl.col("complement").str.slice(0, ends))
        .otherwise("complement")
    )
    ends_in_org = kept.str.split(" ").list.last().is_in(_ORG_HEADS)
    phrases = phrases.with_columns(
        end=pl.col("end") - (pl.col("complement").str.len_chars() - kept.str.len_chars()),
        complement=kept,
        head=pl.when(is_place & (kept != "") & ends_in_org)
        .then(pl.lit(EntityLabel.ORG.value))
        .otherwise("head"),
    )
    return phrases.filter(
        ((pl.col("run") != "") | (pl.col("complement") != ""))
        & ~(pl.col("spoken") & (pl.col("complement") == ""))
    ).select(
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


def _acronym_letters(acronym: pl.Expr) -> pl.Expr:
    """Return the capitals and digits of an acronym, the initials it spells (`E-CAP` -> ECAP)."""
    return acronym.str.replace_all(rx(r"[^\p{Lu}\p{N}]"), "")


def _without_defined_owner(phrases: pl.DataFrame) -> pl.DataFrame:
    """Cut a complement's last `of (the) X` where an acronym defined right after spells X.

    `Protocol on Trade of the Southern African Development Community (SADC)`: the text names
    the community with its acronym, so the protocol's name ends before it (`Protocol on
    Trade`), and the community is a name of its own. Without the acronym, or when it does not
    spell the tail's capitalised words, the title stays whole (`Customs Code of the Eurasian
    Economic Union`, `Customs Code of the Eurasian Economic Union (EAEU)`).
    """
    after = slice_chars(pl.col("text"), pl.col("end"), 16, pl.col("ascii"))
    owner = pl.col("complement").str.split(" of ").list.last()
    words = owner.str.strip_prefix("the ").str.split(" ")
    initials = words.list.eval(
        pl.element().filter(pl.element().str.contains(rx(_STARTS_UPPER))).str.slice(0, 1)
    ).list.join("")
    acronym = _acronym_letters(after.str.strip_prefix(" ").str.extract(rx(_PAREN_ACRONYM), 1))
    cut = (
        pl.col("complement").str.contains(" of ", literal=True)
        & after.str.starts_with(" (")
        & (initials == acronym)
    ).fill_null(value=False)
    if not phrases.select(cut.any()).item():
        return phrases
    short = pl.col("complement").str.strip_suffix(pl.lit(" of ") + owner)
    return phrases.with_columns(
        end=pl.when(cut)
        .then(pl.col("end") - pl.col("complement").str.len_chars() + short.str.len_chars())
        .otherwise("end"),
        complement=pl.when(cut).then(short).otherwise("complement"),
    )


def acronym_definitions(parens: pl.DataFrame) -> pl.DataFrame:
    """Return the acronym definitions at each `(`: doc, field, acronym span, long form span.

    `parens`: doc, field, text, ascii, start (of the parenthesis). Output: doc, field, acr,
    acr_start, acr_end, long, long_start, long_end, long_label (the label of a head word the
    long form ends in, or null), renamed (the "acronym" is a name in other words, and the long
    form is the mention that ends at long_end) and run (that name is capitalised words).
    """
    text, ascii, at = pl.col("text"), pl.col("ascii"), pl.col("start")
    # A cheap look at the parenthesis first: most are not definitions at all.
    frame = (
        parens.select(
            "doc",
            "field",
            "text",
            "ascii",
            "start",
            after=slice_chars(text, at, 24, ascii),
        )
        .with_columns(acr=pl.col("after").str.extract(rx(_PAREN_ACRONYM), 1))
        .with_columns(
            is_acronym=pl.col("acr").is_not_null()
            & (pl.col("acr").str.count_matches(r"\p{Lu}") >= 2)
            # `Regulation (EU) No 833/2014`: whose regulation, not an acronym being defined.
            & ~pl.col("after").str.contains(_DESIGNATION)
        )
    )
    # Long Name (ACR)
    forward = (
        frame.filter(pl.col("is_acronym"))
        .with_columns(before=chars_before(text, at, _DEF_WINDOW, ascii))
        # (a run may be missing: a name in sentence case still ends before the parenthesis,
        # `Direction générale des douanes et droits indirects (DGDDI)`)
        .with_columns(run=extract(pl.col("before"), _LONG_RUN, 1, is_ascii(pl.col("before"))))
        .with_columns(
            gap=pl.col("before").str.len_chars().cast(pl.Int64)
            - pl.col("before").str.strip_chars_end(" ").str.len_chars().cast(pl.Int64)
        )
    )
    forward = _long_form(forward).select(
        "doc",
        "field",
        forward=pl.lit(value=True),
        acr="acr",
        acr_start=at + 1,
        acr_end=at + 1 + pl.col("acr").str.len_chars().cast(pl.Int64),
        long="long",
        long_start=at - pl.col("gap") - pl.col("long").str.len_chars().cast(pl.Int64),
        long_end=at - pl.col("gap"),
    )
    named = (
        frame.filter(~pl.col("is_acronym"))
        .with_columns(inner=slice_chars(text, at, 122, ascii).str.extract(rx(_PAREN_NAME), 1))
        .with_columns(run=pl.col("inner").str.contains(rx(_INNER_RUN)))
    )
    # ACR (Long Name)
    backward = (
        named.filter("run")
        .with_columns(before=chars_before(text, at, 14, ascii))
        .with_columns(acr=pl.col("before").str.extract(rx(_ACRONYM_BEFORE), 1))
        .filter(pl.col("acr").str.count_matches(r"\p{Lu}") >= 2)
        .with_columns(
            gap=pl.col("before").str.len_chars().cast(pl.Int64)
            - pl.col("before").str.strip_chars_end(" ").str.len_chars().cast(pl.Int64),
            letters=pl.col("acr").str.replace_all(rx(r"[^\p{Lu}]"), ""),
        )
        .filter(
            (pl.col("letters").str.slice(0, 1) == pl.col("inner").str.slice(0, 1))
            | pl.col("inner").str.contains(_ENDS_IN_HEAD)
        )
        .select(
            "doc",
            "field",
            forward=pl.lit(value=False),
            acr="acr",
            acr_start=at - pl.col("gap") - pl.col("acr").str.len_chars().cast(pl.Int64),
            acr_end=at - pl.col("gap"),
            long="inner",
            long_start=at + 1,
            long_end=at + 1 + pl.col("inner").str.len_chars().cast(pl.Int64),
        )
    )
    # (Long Name, ACR): a name in another language and its acronym, beside the name before
    # (`Puerto Rico Electric Power Authority (Autoridad de Energía Eléctrica, AEE)`); the
    # acronym is the initials of the name's capitalised words, exactly.
    aside = (
        named.with_columns(parts=pl.col("inner").str.split(", "))
        .filter(pl.col("parts").list.len() == 2)
        .with_columns(name=pl.col("parts").list.first(), acr=pl.col("parts").list.last())
        .filter(
            (pl.col("acr").str.len_chars() <= 12)
            & ~pl.col("acr").str.contains(" ", literal=True)
            # (the regexes of the other definitions, so that polars' cache holds them)
            & (
                pl.col("name")
                .str.extract_all(rx(r"(?:^| )\p{Lu}"))
                .list.join("")
                .str.replace_all(" ", "", literal=True)
                == pl.col("acr").str.replace_all(rx(r"[^\p{Lu}]"), "")
            )
            & (pl.col("acr").str.count_matches(r"\p{Lu}") >= 2)
        )
        .with_columns(long_end=at + 1 + pl.col("name").str.len_chars().cast(pl.Int64))
        .select(
            "doc",
            "field",
            forward=pl.lit(value=False),
            acr="acr",
            acr_start=pl.col("long_end") + 2,
            acr_end=pl.col("long_end") + 2 + pl.col("acr").str.len_chars(),
            long="name",
            long_start=at + 1,
            long_end="long_end",
        )
    )
    # Name (Other Name): an organization's name in its own language or script, beside the
    # name before (`Jordan Customs (Al-Jamarik Al-Urduniya)`, `Customs Administration of North
    # Macedonia (Carinska uprava)`). The other name takes the place of the acronym; whether an
    # organization's mention ends before it, and what the other name holds, `_apply_definitions`
    # says. `run`: whether the other name is capitalised words (or it must be a known name).
    other = (
        named.filter(
            (at > 0)
            & (slice_chars(text, at - 1, 1, ascii) == " ")
            & ~pl.col("inner").str.contains(", ", literal=True)
            & pl.col("inner").str.split(" ").list.len().is_between(2, 6)
        )
        # (not where an acronym before it is what the name defines: `WCO (World Customs
        # Organization)`)
        .join(
            backward.select("doc", "field", start=pl.col("long_start") - 1),
            on=["doc", "field", "start"],
            how="anti",
        )
        .select(
            "doc",
            "field",
            forward=pl.lit(value=True),
            acr="inner",
            acr_start=at + 1,
            acr_end=at + 1 + pl.col("inner").str.len_chars().cast(pl.Int64),
            long=pl.lit(None, dtype=pl.String),
            long_start=pl.lit(None, dtype=pl.Int64),
            long_end=at - 1,
            renamed=pl.lit(value=True),
            run="run",
        )
    )
    both = pl.concat([forward, backward, aside, other], how="diagonal_relaxed").with_columns(
        pl.col("renamed", "run").fill_null(value=False)
    )
    long = both.get_column("long")
    # A head word that comes first (`Programa de Integración Fronteriza`), else the one that
    # ends the long form (`Nuuk Port and Logistics` is a company, `Port of Spain Authority` an
    # authority), else the first (`Ministry of Finance and Economic Management`, `Commission
    # for the Conservation of Lake Victoria`).
    # An acronym's long form may also end in `Office`, which heads names only when it comes
    # first elsewhere (`Regional Intelligence Liaison Office (RILO)`, `General Accounting
    # Office (GAO)`): the initials vouch for the name.
    head = (
        long.str.extract(r"^(" + _FIRST_HEADS + r") ", 1)
        .fill_null(long.str.extract(_LAST_OR_FIRST_HEAD, 1))
        .fill_null(long.str.extract(_LAST_OR_FIRST_HEAD, 2))
        .fill_null(
            long.str.ends_with(" Office").replace_strict(
                {True: "Office"}, default=None, return_dtype=pl.String
            )
        )
    )
    return both.with_columns(
        long_label=head.replace_strict(_HEAD_LABELS, default=None, return_dtype=pl.String)
    )


# The longest tail of a run that is capitalised words, each followed by at most two other
# words (`Conference on Trade and Development`): the tail with exactly n capitalised words is
# its own tail from its n-th capitalised word from the end. One regex for every n, and list
# operations for the rest: a regex per acronym length or per initial letter would be compiled
# again in every batch (polars keeps 32 per thread, and the tagger uses more).
_CAPS_TAIL = r"(?:^| )((?:\p{Lu}\S*(?: +[^\p{Lu}\s]\S*){0,2} +)*\p{Lu}\S*) *$"


def _suffix_with_caps(run: pl.Expr, n: pl.Expr) -> pl.Expr:
    """Return the shortest tail of `run` with exactly `n` capitalised words, or null.

    Between two capitalised words of the tail come at most two other words; the tail ends in
    a capitalised word. (`run` holds words separated by spaces, nothing else.)
    """
    words = run.str.extract(rx(_CAPS_TAIL), 1).str.split(" ")
    first = words.list.eval(pl.element().str.contains(rx(_STARTS_UPPER)).arg_true()).list.get(
        -n, null_on_oob=True
    )
    return pl.when(first.is_not_null()).then(words.list.slice(first).list.join(" "))


def _suffix_from(run: pl.Expr, letter: pl.Expr) -> pl.Expr:
    """Return the tail of `run` from its last word starting with `letter`, or null.

    (`run` holds words separated by spaces, nothing else; `letter` is one character.)
    """
    words = run.str.split(" ")
    # `letter` first, then each word's first character: the last position equal to the first.
    firsts = pl.concat_list(letter, words.list.eval(pl.element().str.slice(0, 1)))
    last = firsts.list.eval((pl.element().slice(1) == pl.element().first()).arg_true()).list.get(
        -1, null_on_oob=True
    )
    return pl.when(last.is_not_null()).then(words.list.slice(last).list.join(" "))


def _long_form(forward: pl.DataFrame) -> pl.DataFrame:
    """Add `long`: the tail of `run` that the acronym `acr` stands for (rows without go).

    First choice: the tail with as many capitalised words as the acronym has capitals (and
    digits), if it starts with the acronym's first letter (`... the World Customs Organization
    (WCO)`). Else the tail from the last word with that initial, if its capitalised words are
    about as many (`United Nations Conference on Trade and Development (UNCTAD)`). Else a run
    ending in a head word (`Tax Administration (SAT)`). Each step runs on every row at once.
    """
    indexed = (
        forward.with_row_index("def")
        .with_columns(letters=_acronym_letters(pl.col("acr")))
        .with_columns(
            n=pl.col("letters").str.len_chars().cast(pl.Int32),
            initial=pl.col("letters").str.slice(0, 1),
        )
    )
    exact = indexed.filter(pl.col("n") >= 2).with_columns(
        long=_suffix_with_caps(pl.col("run"), pl.col("n"))
    )
    # The tail with as many capitalised words: right if it starts with the initial, or if it
    # is a name in another language's order (`General Directorate of Customs (DGD)`).
    # A name in another order must not start with a clause's first word: `Under Regulation
    # (EU)` defines nothing.
    exact = exact.filter(
        (pl.col("long").str.slice(0, 1) == pl.col("initial"))
        | (
            pl.col("long").str.contains(_ENDS_IN_HEAD)
            & ~pl.col("long").str.contains(r"^(?:" + _LEADING_WORDS + r") ")
        )
    )
    rest = indexed.join(exact.select("def"), on="def", how="anti")
    caps = pl.col("long").str.count_matches(rx(r"(?:^| )\p{Lu}"))
    lenient = (
        rest.filter(pl.col("n") >= 2)
        .with_columns(long=_suffix_from(pl.col("run"), pl.col("initial")))
        .filter((caps >= pl.max_horizontal(pl.col("n") - 2, 2)) & (caps <= pl.col("n") + 3))
    )
    rest = rest.join(lenient.select("def"), on="def", how="anti")
    # No initials fit: a run ending in a head word is still a name (Tax Administration (SAT)).
    headed = (
        rest.filter(pl.col("run").str.contains(_ENDS_IN_HEAD))
        .with_columns(long=pl.col("run").str.replace(_STRIP_LEADING, ""))
        .filter(pl.col("long").str.contains(" "))
    )
    # No long form found: kept all the same, a name may still end right before the parenthesis.
    found = pl.concat([exact, lenient, headed])
    rest = rest.join(headed.select("def"), on="def", how="anti").with_columns(
        long=pl.lit(None, pl.String)
    )
    return pl.concat([found, rest]).sort("def").drop("def", "letters", "n", "initial")


def drop_ambiguous(mentions: pl.DataFrame, styles: pl.DataFrame) -> pl.DataFrame:
    """Return `mentions` without the ambiguous surface forms whose context rules them out.

    `mentions` carries the `rule` of its surface form (see gazetteer.RULE_*), the field text
    (`full`) and `ascii`. Rules:
    - caps-word (an acronym that is also a word: US, SAT, WHO, CITES): not in ALL-CAPS text.
    - given-name (Chad, Jordan, Santos): not next to another capitalised word, outside Title
      Case and ALL-CAPS texts (`Chad Bown`, `Michael Jordan`); a head word may follow
      (`Jordan Customs`).
    - us-state (Georgia): not in an article that names a place in the United States and no
      other place in Georgia the country.
    - country-context (a minor town, `Perama`, or a town whose name is also a company's or a
      person's, `Rosario`): only in an article where another mention, not itself under this
      rule, is of the town's country (`Greece`, `Greek`, `Piraeus`), and not in ALL-CAPS text,
      where a company (`SAPPORO BREWERIES`) or a ticker (`<CALI>`) looks the same.
    (home-country is `rehome`'s.)
    """
    ruled = mentions.filter(pl.col("rule").is_not_null())
    if ruled.height == 0:
        return mentions
    frame = ruled.join(styles, on=["doc", "field"], how="left")
    text, ascii = pl.col("full"), pl.col("ascii")
    nxt = slice_chars(text, pl.col("end"), 24, ascii).str.extract(rx(r"^ (\p{Lu}\p{Ll}+)"), 1)
    prev = slice_chars(
        text, pl.col("start") - 24, pl.min_horizontal(pl.col("start"), 24), ascii
    ).str.extract(rx(r"(?:^|[^.!?:;] )(\p{Lu}\p{Ll}+) $"), 1)
    nxt_is_head = nxt.is_in(list(HEAD_WORDS))
    # (a minor town is no evidence, for its own rule or Georgia's: it is itself read only
    # beside its country)
    in_context = pl.col("rule") == RULE_COUNTRY_CONTEXT
    # The evidence, narrow: the mentions carry their field texts, and copying them costs more
    # than the rule itself.
    evidence = mentions.select("doc", "country", "label", "rule").filter(
        ~in_context.fill_null(value=False)
    )
    context_docs = frame.filter(in_context).get_column("doc")
    if context_docs.len():
        # (only the few articles with such a town)
        supporting = (
            evidence.filter(pl.col("doc").is_in(context_docs.implode()))
            .select("doc", "country")
            .drop_nulls()
            .unique()
        )
        frame = frame.join(
            supporting.with_columns(supported=pl.lit(value=True)), on=["doc", "country"], how="left"
        )
    else:
        frame = frame.with_columns(supported=pl.lit(value=True))
    places = evidence.filter(
        (pl.col("label") == EntityLabel.LOCATION.value) & pl.col("country").is_in(["USA", "GEO"])
    )
    us_docs = places.filter(pl.col("country") == "USA").select("doc").unique()
    geo_docs = places.filter(pl.col("country") == "GEO").select("doc").unique()
    us_context = pl.col("doc").is_in(us_docs["doc"].implode()) & ~pl.col("doc").is_in(
        geo_docs["doc"].implode()
    )
    drop = (
        (in_context & (pl.col("supported").is_null() | pl.col("caps")))
        | ((pl.col("rule") == RULE_CAPS_WORD) & pl.col("caps"))
        | (
            (pl.col("rule") == RULE_GIVEN_NAME)
            & ~pl.col("caps")
            & ~pl.col("title")
            & ((nxt.is_not_null() & ~nxt_is_head) | prev.is_not_null())
        )
        | ((pl.col("rule") == RULE_US_STATE) & us_context)
    ).fill_null(value=False)
    dropped = frame.filter(drop)
    if dropped.height == 0:
        return mentions
    return _without(mentions, dropped)


def namesakes(mentions: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """Return `mentions` with the places read as their namesake abroad where the article says so.

    `Gaya` is the gazetteer's Indian city, but in a story that names Niger (or `Nigerien`, or
    Niamey) and nothing of India it is Niger's border town: the mention keeps its span, label
    and rule and takes the namesake's id, name and country, and source `gazetteer:namesake`.
    `table` (`Gazetteer.namesakes`) lists each owner's namesakes: entity_id, namesake_id,
    namesake_name, namesake_country, population. The evidence is the article's other mentions
    with a country, not those read only beside their country (`country-context`): where
    another mention is of the owner's country the owner stays; where several namesakes'
    countries are named, the most populous wins. `mentions` carries the `rule` of its surface.
    """
    owned = mentions.join(table.select("entity_id").unique(), on="entity_id", how="semi")
    if owned.height == 0:
        return mentions
    pairs = owned.select("doc", "entity_id", "country").unique()
    evidence = (
        mentions.filter(
            pl.col("doc").is_in(pairs.get_column("doc").implode())
            & pl.col("country").is_not_null()
            & (pl.col("rule") != RULE_COUNTRY_CONTEXT).fill_null(value=True)
        )
        .select("doc", "country", other="entity_id")
        .unique()
    )
    owner_named = (
        pairs.join(evidence, on=["doc", "country"])
        .filter(pl.col("other") != pl.col("entity_id"))
        .select("doc", "entity_id")
    )
    named = evidence.select("doc", namesake_country="country").unique()
    chosen = (
        pairs.join(owner_named, on=["doc", "entity_id"], how="anti")
        .join(table, on="entity_id")
        .join(named, on=["doc", "namesake_country"], how="semi")
        # (ties broken by id, so that equal populations give the same answer every run)
        .sort(["population", "namesake_id"], descending=[True, False])
        .unique(["doc", "entity_id"], keep="first")
    )
    if chosen.height == 0:
        return mentions
    moved = owned.join(chosen.drop("country", "population"), on=["doc", "entity_id"])
    return _moved(
        mentions,
        moved,
        entity_id="namesake_id",
        name="namesake_name",
        country="namesake_country",
        source=SOURCE_NAMESAKE,
    )


def rehome(mentions: pl.DataFrame) -> pl.DataFrame:
    """Return `mentions` with the home-country names right after another country's mention
    made that country's body.

    `Securities and Exchange Commission` is the US regulator, but `Nigeria's Securities and
    Exchange Commission` and the `Philippine Securities and Exchange Commission` are their
    countries': the name keeps its span and label and takes a derived id and the country of
    the mention that ends one or three characters before it (`Philippine `, `Nigeria's `), as
    the phrase rule would give it, and so do the entity's other names in the article (`the
    SEC`). `mentions` carries the `rule` of its surface form.
    """
    home = mentions.filter(pl.col("rule") == RULE_HOME_COUNTRY)
    if home.height == 0:
        return mentions
    ends = mentions.filter(pl.col("country").is_not_null()).select("doc", "field", "end", "country")
    before = pl.concat(
        [ends.select(key=text_position(pl.col("end") + gap), before="country") for gap in (1, 3)]
    ).unique("key")
    abroad = (
        home.with_columns(key=text_position(pl.col("start")))
        .join(before, on="key")
        .filter(pl.col("before") != pl.col("country"))
    )
    if abroad.height == 0:
        return mentions
    abroad = abroad.with_columns(
        new_id=derived_id(pl.col("label"), pl.col("text"), pl.col("before")),
        new_name="text",
        new_country="before",
    )
    # The article's other mentions of the entity are that body too (`the SEC said`), under
    # the id of its first name abroad.
    first = abroad.sort("doc", "field", "start").unique(["doc", "entity_id"], keep="first")
    others = home.join(abroad, on=["doc", "field", "start"], how="anti").join(
        first.select("doc", "entity_id", "new_id", "new_name", "new_country"),
        on=["doc", "entity_id"],
    )
    moved = pl.concat([abroad.drop("key", "before"), others], how="diagonal_relaxed")
    return _moved(
        mentions,
        moved,
        entity_id="new_id",
        name="new_name",
        country="new_country",
        source=SOURCE_HEAD,
    )


def treaties_under(mentions: pl.DataFrame) -> pl.DataFrame:
    """Return `mentions` with a body named after its treaty read as the treaty after `under`.

    The IPPC's Commission and Secretariat bear the convention's name: `the WCO and the
    International Plant Protection Convention (IPPC) signed` is the body, but `standards adopted
    under the International Plant Protection Convention (IPPC)` is the treaty, an INSTRUMENT
    with a derived id, and so are the article's other names for it. `mentions` carries the field
    text (`full`) and `ascii`.
    """
    named = pl.col("name").str.ends_with(" Convention") & (pl.col("label") == EntityLabel.ORG.value)
    bodies = mentions.filter(named)
    if bodies.height == 0:
        return mentions
    before = chars_before(pl.col("full"), pl.col("start"), len(_UNDER), pl.col("ascii"))
    treaties = bodies.filter(before == _UNDER).select("doc", "entity_id").unique()
    if treaties.height == 0:
        return mentions
    label = pl.lit(EntityLabel.INSTRUMENT.value)
    moved = mentions.join(treaties, on=["doc", "entity_id"]).with_columns(
        entity_id=derived_id(label, pl.col("name")), label=label, source=pl.lit(SOURCE_HEAD)
    )
    return pl.concat([_without(mentions, moved), moved])


def _moved(
    mentions: pl.DataFrame,
    moved: pl.DataFrame,
    *,
    entity_id: str,
    name: str,
    country: str,
    source: str,
) -> pl.DataFrame:
    """Return `mentions` with the ones at the places of `moved` replaced by them, under the
    entity that `moved`'s columns `entity_id`, `name` and `country` give, from `source`."""
    kept = (c for c in mentions.columns if c not in ("entity_id", "name", "country", "source"))
    moved = moved.select(
        *kept, entity_id=entity_id, name=name, country=country, source=pl.lit(source)
    ).select(mentions.columns)
    return pl.concat([_without(mentions, moved), moved])


def _without(mentions: pl.DataFrame, dropped: pl.DataFrame) -> pl.DataFrame:
    """Return `mentions` without the ones at the places (doc, field, start) of `dropped`."""
    key = text_position(pl.col("start"))
    return mentions.filter(~key.is_in(dropped.select(key).to_series().implode()))


def drop_currencies(mentions: pl.DataFrame) -> pl.DataFrame:
    """Return `mentions` without the countries that prefix a currency sign (`US$100`, `HK$5`).

    The sign names a currency, not the country. `mentions` carries the field text (`full`) and
    `ascii`.
    """
    sign = slice_chars(pl.col("full"), pl.col("end"), 1, pl.col("ascii"))
    return mentions.filter(~((pl.col("label") == EntityLabel.COUNTRY.value) & (sign == "$")))


#: What follows a person's name and never a place's: a speech verb (` said`) or a title in
#: apposition (`, chairman`).
_SPEECH_VERBS = ["said", "says", "told", "added", "declined", "noted", "stated", "warned"]
_TITLES_AFTER = [
    *("chairman", "chairwoman", "president", "chief", "director", "minister", "spokesman"),
    *("spokeswoman", "spokesperson", "head", "managing", "vice", "executive", "secretary"),
    *("deputy", "commissioner", "governor", "who"),
]
#: Capitalised words that make a place name longer, not a person's given name.
_PLACE_BEFORE = frozenset(
    {"North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western", "Central"}
    | {"Upper", "Lower", "Greater", "New", "Old", "Port", "Fort", "Saint", "Mount", "Lake"}
)
_TOWN_PREFIX = "loc:geonames-"


def drop_surnames(mentions: pl.DataFrame) -> pl.DataFrame:
    """Return `mentions` without the towns that are a person's surname.

    GeoNames towns share their names with surnames (`Hamilton`, `Henderson`, `Quevedo`,
    `Ziyang`): a town right after a capitalised word (`Lee Hamilton`, `Premier Zhao Ziyang`,
    `Mr Hassan`; not a place's own word, `West`, `Port`) and right before a speech verb or a
    title in apposition (`said`, `, chairman of`) is a person, for a place says nothing and
    holds no office. Curated places are not read so: capitals speak for their governments
    (`Moscow said`). `mentions` carries the field text (`full`) and `ascii`; the window before
    is cut only for the few towns followed by such words.
    """
    towns = mentions.filter(pl.col("entity_id").str.starts_with(_TOWN_PREFIX))
    if towns.height == 0:
        return mentions
    after = slice_chars(pl.col("full"), pl.col("end"), 16, pl.col("ascii"))
    word = after.str.strip_chars_start(", ").str.split(" ").list.first().str.strip_chars_end(".,;:")
    spoken = towns.filter(
        (after.str.starts_with(" ") & word.is_in(_SPEECH_VERBS))
        | (after.str.starts_with(", ") & word.is_in(_TITLES_AFTER))
    )
    if spoken.height == 0:
        return mentions
    # The word right before, capitalised, at a sentence's start too (`... told Reuters. Lee
    # Hamilton, chairman`): case tests, no regex.
    before = chars_before(pl.col("full"), pl.col("start"), 24, pl.col("ascii"))
    given = before.str.split(" ").list.get(-2, null_on_oob=True)
    initial, rest = given.str.slice(0, 1), given.str.slice(1)
    capitalised = (
        before.str.ends_with(" ")
        & (initial != initial.str.to_lowercase())
        & (rest != "")
        & (rest == rest.str.to_lowercase())
    )
    persons = spoken.filter(capitalised & ~given.is_in(list(_PLACE_BEFORE)))
    if persons.height == 0:
        return mentions
    return _without(mentions, persons)


def drop_hemispheric(mentions: pl.DataFrame) -> pl.DataFrame:
    """Return `mentions` without `American` after `Inter-` or `Pan-` (any case).

    `Inter-American Highway`, `pan-American trade`: the Americas' nations, not the United
    States. (`inter-Korean` trade is the Koreas': only `American` is read so.) `mentions`
    carries the field text (`full`) and `ascii`. No regex, and the window before a mention is
    cut only for the few that start `Americ`.
    """
    american = mentions.filter(
        pl.col("text").str.starts_with("Americ") | pl.col("text").str.starts_with("AMERIC")
    ).filter(pl.col("label") == EntityLabel.COUNTRY.value)
    if american.height == 0:
        return mentions
    before = chars_before(pl.col("full"), pl.col("start"), 6, pl.col("ascii")).str.to_lowercase()
    prefixed = american.filter(before.str.ends_with("inter-") | before.str.ends_with("pan-"))
    if prefixed.height == 0:
        return mentions
    return _without(mentions, prefixed)
