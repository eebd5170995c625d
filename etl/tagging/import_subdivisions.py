"""Import ISO 3166-2 subdivisions from pycountry into `curated/subdivisions.tsv`, for review.

    python -m etl.tagging.import_subdivisions            # write curated/subdivisions.tsv
    python -m etl.tagging.import_subdivisions --corpus DIR

The gazetteer build does not read pycountry's subdivisions directly: their names change between
pycountry releases and most need a decision (is `Plateau` a place or a word?), so this tool
writes one reviewed row per candidate and the build reads only that file. A row is
`code country type name aliases status note`; `status` is `keep` or `drop:<reason>`. Running
the tool again keeps the name, aliases, status and note of every row a person edited (any row
whose note does not start with `auto:`), so hand decisions survive a pycountry upgrade.

Which subdivisions: the first level of every country, minus the types that are too small or
too numerous to be news places (municipalities, districts, parishes, ...), plus the counties
of England (`Kent`), the provinces of Indonesia and of the Philippines, whose first level is a
grouping. Names are cleaned of catalogue forms (`Madrid, Comunidad de` -> `Madrid`, `Hebei
Sheng` -> `Hebei`, `Ilocos (Region I)` -> `Ilocos`) and get an ASCII twin (`Tarapacá` ->
`Tarapaca`).

Automatic drops, each with its reason:
- `drop:listed`: a gazetteer row already has the name (a country, a capital, a US state);
- `drop:shared`: two subdivisions have the name (Punjab is Indian and Pakistani);
- `drop:short`: under four letters;
- `drop:generic`: only compass and landform words (`North East`, `Central`, `Littoral`);
- `drop:word`: the name is an English word, judged by Reuters-21578, where its lower-case form
  occurs at least three times (`plateau`, `orange`);
- `drop:reuters`: the name occurs capitalised in at least three Reuters stories and fewer than
  half of them are labelled with its country, or in two and neither is: a surname, a company
  or another place.
"""

from __future__ import annotations

import argparse
import gettext
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pycountry

from etl.errors import EtlError, InputError
from etl.evaluate import SKIP, read_reuters_codes
from etl.extract import parse_text
from etl.tagging.build_gazetteer import (
    CURATED_DIR,
    GENERIC_PLACE_WORDS,
    LIST_SEP,
    Entity,
    build_entities,
    corpus_dir,
    read_table,
    split_list,
)

__all__ = [
    "COLUMNS",
    "SubdivisionRow",
    "ascii_twin",
    "candidates",
    "clean_name",
    "decide",
    "main",
    "merge",
    "render",
    "reuters_stories",
    "review",
]

COLUMNS = ("code", "country", "type", "name", "aliases", "status", "note")
AUTO = "auto:"
KEEP = "keep"

# First-level types that are too small or too numerous to be news places.
SKIPPED_TYPES = frozenset(
    {
        "Municipality", "District", "Local council", "Parish", "Rayon", "Commune", "Quarter",
        "City", "City with county rights", "Division", "Popularate", "Administrative atoll",
        "Special municipality", "Urban municipality", "Island council", "Town", "Borough", "Ward",
        "Town council", "Administrative precinct", "Autonomous municipality", "Area",
        "Districts under republic administration", "Outlying area", "State city",
        "Capital city", "Metropolitan city", "Special city", "Special administrative city",
        "Special self-governing city", "Capital", "Capital district", "Capital territory",
        "Federal capital territory", "Metropolitan administration", "Urban community",
        "Dependency", "Special administrative region", "Country",
    }
)  # fmt: skip
# Second-level types imported where a country's first level is a grouping.
SECOND_LEVEL = {
    "GB": frozenset({"Two-tier county"}),
    "ID": frozenset({"Province"}),
    "PH": frozenset({"Province"}),
}
# Trailing words of a catalogue name that prose leaves out (Chinese provincial titles).
_TITLE_WORDS = frozenset(
    {"Sheng", "Shi", "Zizhiqu", "Huizu", "Zhuangzu", "Uygur", "Zangzu", "Weiwu'er"}
)
# Letters NFKD does not decompose, and the apostrophes of romanised names.
_ASCII = str.maketrans(
    {
        "\N{LATIN SMALL LETTER DOTLESS I}": "i", "\N{LATIN SMALL LETTER L WITH STROKE}": "l",
        "\N{LATIN CAPITAL LETTER L WITH STROKE}": "L", "\N{LATIN SMALL LETTER D WITH STROKE}": "d",
        "\N{LATIN CAPITAL LETTER D WITH STROKE}": "D", "\N{LATIN SMALL LETTER O WITH STROKE}": "o",
        "\N{LATIN CAPITAL LETTER O WITH STROKE}": "O", "\N{LATIN SMALL LETTER SHARP S}": "ss",
        "\N{LATIN SMALL LETTER AE}": "ae", "\N{RIGHT SINGLE QUOTATION MARK}": "'",
        "\N{LEFT SINGLE QUOTATION MARK}": "'", "\N{MODIFIER LETTER TURNED COMMA}": "'",
        "\N{MODIFIER LETTER APOSTROPHE}": "'",
    }
)  # fmt: skip
MIN_LETTERS = 4
# (an ayn or hamza mark before a name's first letter: `'Ajman` is a proper name)
_LEADING_MARKS = (
    "'\N{LEFT SINGLE QUOTATION MARK}\N{RIGHT SINGLE QUOTATION MARK}\N{MODIFIER LETTER TURNED COMMA}"
)
WORD_MIN = 3  # lower-case occurrences in Reuters that make a name a word
STORIES_MIN = 3  # capitalised stories in Reuters before their labels are trusted to judge


@dataclass(frozen=True, slots=True)
class SubdivisionRow:
    """One row of curated/subdivisions.tsv."""

    code: str
    country: str
    type: str
    name: str
    aliases: tuple[str, ...]
    status: str
    note: str

    def cells(self) -> tuple[str, ...]:
        """Return the row's TSV cells in COLUMNS order."""
        return (
            self.code,
            self.country,
            self.type,
            self.name,
            LIST_SEP.join(self.aliases),
            self.status,
            self.note,
        )


def ascii_twin(name: str) -> str:
    """Return the name without diacritics and with straight apostrophes (`Tarapacá` -> `Tarapaca`).

    Names with `ayn` or hamza marks keep a straight apostrophe in their place.
    """
    folded = unicodedata.normalize("NFKD", name.translate(_ASCII))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def clean_name(name: str) -> str:
    """Return a catalogue subdivision name as prose writes it."""
    name = re.sub(r"\s*\[[^\]]*\]", "", name)  # "Galicia [Galicia]", "Wales [Cymru GB-CYM]"
    name = re.sub(r"\s*\([^)]*\)", "", name)  # "Ilocos (Region I)"
    name = name.split(",")[0].strip()  # "Madrid, Comunidad de"
    words = name.split()
    while len(words) > 1 and words[-1] in _TITLE_WORDS:
        words.pop()
    return " ".join(words)


def candidates() -> list[SubdivisionRow]:
    """Return a row (status unset) for every subdivision this tool considers, sorted by code."""
    english = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["en"])
    rows = []
    for sub in pycountry.subdivisions:
        country = pycountry.countries.get(alpha_2=sub.country_code)
        if country is None:
            continue
        if sub.parent_code is None:
            if sub.type in SKIPPED_TYPES:
                continue
        elif sub.type not in SECOND_LEVEL.get(sub.country_code, frozenset()):
            continue
        name = clean_name(english.gettext(sub.name))
        twin = ascii_twin(name)
        aliases = (name, twin) if twin != name else (name,)
        rows.append(SubdivisionRow(sub.code, country.alpha_3, sub.type, name, aliases, "", ""))
    return sorted(rows, key=lambda row: row.code)


def _is_generic(name: str) -> bool:
    return all(word.lower() in GENERIC_PLACE_WORDS for word in re.split(r"[\s/]+", name))


@dataclass(frozen=True, slots=True)
class CorpusCounts:
    """What Reuters says about a surface: lower-case uses, capitalised stories, labelled ones."""

    lower: Counter[str]
    stories: Counter[str]
    agreeing: Counter[str]


def corpus_counts(
    surfaces: Mapping[str, str], stories: Iterable[tuple[str, frozenset[str]]]
) -> CorpusCounts:
    """Count each surface (-> its country) over (text, labelled countries) stories."""
    lower: Counter[str] = Counter()
    found: Counter[str] = Counter()
    agreeing: Counter[str] = Counter()
    by_first: dict[str, list[str]] = defaultdict(list)
    for surface in surfaces:
        by_first[re.findall(r"\w+", surface.lower())[0]].append(surface)
    for text, labelled in stories:
        words = set(re.findall(r"\w+", text.lower()))
        for first in words & by_first.keys():
            for surface in by_first[first]:
                bounded = rf"(?<!\w){re.escape(surface)}(?!\w)"
                if " " not in surface:
                    lowered = rf"(?<!\w){re.escape(surface.lower())}(?!\w)"
                    lower[surface] += len(re.findall(lowered, text))
                shouted = rf"(?<!\w){re.escape(surface.upper())}(?!\w)"  # ALL-CAPS headlines
                if re.search(bounded, text) or re.search(shouted, text):
                    found[surface] += 1
                    agreeing[surface] += surfaces[surface] in labelled
    return CorpusCounts(lower, found, agreeing)


def decide(
    rows: Sequence[SubdivisionRow], listed: frozenset[str], counts: CorpusCounts | None
) -> list[SubdivisionRow]:
    """Return the rows with an automatic status and note (see the module docstring)."""
    # Compared in capitals: the matcher also reads every name in ALL CAPS (wire headlines).
    listed_caps = frozenset(name.upper() for name in listed)
    owners: Counter[str] = Counter(
        caps for row in rows for caps in {alias.upper() for alias in row.aliases}
    )
    out = []
    for row in rows:
        status, note = KEEP, ""
        if any(alias.upper() in listed_caps for alias in row.aliases):
            status = "drop:listed"
        elif any(owners[alias.upper()] > 1 for alias in row.aliases):
            status = "drop:shared"
        elif sum(ch.isalpha() for ch in row.name) < MIN_LETTERS:
            status = "drop:short"
        elif not row.name.lstrip(_LEADING_MARKS)[:1].isupper():
            status, note = "drop:generic", "not a proper name"
        elif _is_generic(row.name):
            status = "drop:generic"
        elif counts is not None:
            lower = max(counts.lower[alias] for alias in row.aliases)
            stories = max(counts.stories[alias] for alias in row.aliases)
            agreeing = max(counts.agreeing[alias] for alias in row.aliases)
            if lower >= WORD_MIN:
                status, note = "drop:word", f"{lower} lower-case uses in Reuters"
            elif (stories >= STORIES_MIN and 2 * agreeing < stories) or (
                stories >= STORIES_MIN - 1 and not agreeing
            ):
                status = "drop:reuters"
                note = f"{agreeing} of {stories} Reuters stories labelled {row.country}"
            elif stories:
                note = f"{agreeing} of {stories} Reuters stories labelled {row.country}"
        out.append(replace(row, status=status, note=AUTO + note if note else AUTO.rstrip(":")))
    return out


def merge(fresh: Sequence[SubdivisionRow], old: Sequence[SubdivisionRow]) -> list[SubdivisionRow]:
    """Return the fresh rows, each edited row of `old` taking precedence over its fresh twin."""
    edited = {row.code: row for row in old if not row.note.startswith(AUTO.rstrip(":"))}
    kept = [edited.pop(row.code, row) for row in fresh]
    return sorted([*kept, *edited.values()], key=lambda row: row.code)


def read_rows(path: Path) -> list[SubdivisionRow]:
    """Return the rows of a subdivisions.tsv file."""
    return [
        SubdivisionRow(
            r["code"],
            r["country"],
            r["type"],
            r["name"],
            split_list(r["aliases"]),
            r["status"],
            r["note"],
        )
        for r in read_table(path, COLUMNS)
    ]


def render(rows: Iterable[SubdivisionRow]) -> str:
    """Return the text of subdivisions.tsv."""
    lines = ["\t".join(COLUMNS), *("\t".join(row.cells()) for row in rows)]
    return "\n".join(lines) + "\n"


def reuters_stories(directory: Path) -> list[tuple[str, frozenset[str]]]:
    """Return (headline and body, labelled ISO alpha-3 codes) per Reuters-21578 story."""
    places, _ = read_reuters_codes()
    try:
        lines = (directory / "labels.jsonl").read_text(encoding="utf-8").splitlines()
        labels = [json.loads(line) for line in lines if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(directory / "labels.jsonl", str(exc)) from exc
    dump = directory / "dump.txt"
    records = parse_text(dump.read_text(encoding="utf-8"), dump.name).records
    if records.height != len(labels):
        raise InputError(dump, f"{records.height} articles parsed but {len(labels)} labelled")
    return [
        (f"{headline}\n{body}", frozenset(places[p] for p in label["places"]) - {SKIP})
        for headline, body, label in zip(records["headline"], records["body"], labels, strict=True)
    ]


#: A further decision on the decided rows: (rows, names others hold, corpus texts) -> rows.
Refine = Callable[[list["SubdivisionRow"], frozenset[str], list[str]], list["SubdivisionRow"]]


def review(
    fresh: Sequence[SubdivisionRow],
    others: Iterable[Entity],
    directory: Path,
    out: Path,
    *,
    key: Callable[[SubdivisionRow], Any] | None = None,
    refine: Refine | None = None,
) -> list[SubdivisionRow]:
    """Decide `fresh` against the other entities and the corpus, merge the hand rows of `out`.

    Writes `out` (rows by code, or by `key`) and returns its rows. Without the corpus at
    `directory` the words and namesakes are not checked, and a warning says so. `refine`,
    given the decided rows, the names other entities hold and the corpus stories' texts
    (none without the corpus), may decide further before the hand rows are merged.
    """
    listed = frozenset(s for e in others for s in (*e.aliases, *e.demonyms))
    counts = None
    stories: list[tuple[str, frozenset[str]]] = []
    if (directory / "labels.jsonl").exists():
        stories = reuters_stories(directory)
        surfaces = {alias: row.country for row in fresh for alias in row.aliases}
        counts = corpus_counts(surfaces, stories)
    else:
        print(f"no Reuters corpus at {directory}: words are not checked", file=sys.stderr)
    decided = decide(fresh, listed, counts)
    if refine is not None:
        decided = refine(decided, listed, [text for text, _ in stories])
    old = read_rows(out) if out.exists() else []
    rows = merge(decided, old)
    if key is not None:
        rows.sort(key=key)
    out.write_text(render(rows), encoding="utf-8")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the import from the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m etl.tagging.import_subdivisions")
    parser.add_argument("--corpus", type=Path, default=None, help="Reuters-21578 directory")
    parser.add_argument("--out", type=Path, default=CURATED_DIR / "subdivisions.tsv")
    args = parser.parse_args(argv)
    try:
        directory = args.corpus or corpus_dir()
        rows = review(candidates(), build_entities(subdivisions=False), directory, args.out)
        kept = sum(row.status == KEEP for row in rows)
        print(f"{len(rows)} subdivisions, {kept} kept -> {args.out}")
    except EtlError as exc:
        print(f"import_subdivisions: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
