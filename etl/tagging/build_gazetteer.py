"""Build the gazetteer package data from pycountry and the curated sources, deterministically.

    python -m etl.tagging.build_gazetteer                  # rebuild gazetteer.tsv and CHECKSUMS
    python -m etl.tagging.build_gazetteer --bump           # ... and raise VERSION's last number
    python -m etl.tagging.build_gazetteer --check          # exit 1 when a fresh build differs
    python -m etl.tagging.build_gazetteer --reuters-codes  # rebuild reuters_codes.tsv (corpus)

Inputs (`etl/tagging/data/curated/`, small hand-written TSV files, reviewed line by line):
`countries.tsv` (one row per ISO 3166-1 code plus historical and user-assigned codes),
`demonyms.tsv`, `customs.tsv`, `orgs.tsv`, `locations.tsv`, `cities.tsv`, `programmes.tsv`,
`instruments.tsv`, `reuters.tsv` (hand mappings of Reuters codes) and `retired.tsv` (ids that
must never come back). Outputs (`etl/tagging/data/`): `gazetteer.tsv`, sorted by `entity_id`;
`reuters_codes.tsv`; `CHECKSUMS`, the sha256 of every data file under the current `VERSION`,
so that data which changes without a version bump fails the build. `docs/GAZETTEER.md`
explains the format and the decisions.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pycountry

from etl.errors import EtlError, InputError, IntegrityError, UsageError
from etl.tagging.gazetteer import (
    MINOR_TOWN_KIND,
    MINOR_TOWNS_FILE,
    NAMESAKES_COLUMNS,
    NAMESAKES_FILE,
)

__all__ = [
    "CountryRecord",
    "Entity",
    "IsoCountry",
    "build_entities",
    "bumped",
    "check_entities",
    "check_unique_surfaces",
    "checksums_text",
    "corpus_dir",
    "country_records",
    "curated_entities",
    "customs_entities",
    "iso_countries",
    "main",
    "read_table",
    "render_gazetteer",
    "render_reuters_codes",
    "rendered",
    "reuters_codes",
    "reuters_label_codes",
    "subdivision_entities",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
CURATED_DIR = DATA_DIR / "curated"
REPO_ROOT = Path(__file__).resolve().parents[2]

GAZETTEER_COLUMNS = ("entity_id", "label", "name", "country", "kind", "aliases", "demonyms")
REUTERS_COLUMNS = ("kind", "code", "target", "note")
# The data files a version stands for (CHECKSUMS lists them with their sha256).
VERSIONED_FILES = (
    "gazetteer.tsv",
    MINOR_TOWNS_FILE,
    NAMESAKES_FILE,
    "themes.tsv",
    "ambiguous.tsv",
    "reuters_codes.tsv",
)

NO_TARGET = "-"
LIST_SEP = "|"
# Kinds of COUNTRY row allowed for codes that pycountry's ISO 3166-1 list does not hold.
EXTRA_COUNTRY_KINDS = frozenset({"historical-country", "user-assigned"})
USER_ASSIGNED_CODES = frozenset({"XKX"})  # Kosovo, as used by the EU, the IMF and the World Bank
CUSTOMS_KIND = "customs-administration"

# Words that make a country name take "the" in "Customs Administration of the ...".
_THE_WORDS = frozenset({"Republic", "Kingdom", "United", "Islands", "Emirates", "States", "PDR"})
_THE_NAMES = frozenset(
    {"Netherlands", "Philippines", "Bahamas", "Maldives", "Comoros", "Seychelles", "Gambia"}
)
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
ID_PATTERNS = {
    "COUNTRY": re.compile(r"country:[A-Z]{3}"),
    "ORG": re.compile(rf"org:(?:customs:[A-Z]{{3}}|{_SLUG})"),
    "LOCATION": re.compile(rf"loc:{_SLUG}"),
    "PROGRAMME": re.compile(rf"prog:{_SLUG}"),
    "INSTRUMENT": re.compile(rf"instr:{_SLUG}"),
}
CURATED_LABELS = {
    "orgs.tsv": "ORG",
    "locations.tsv": "LOCATION",
    "cities.tsv": "LOCATION",
    "programmes.tsv": "PROGRAMME",
    "instruments.tsv": "INSTRUMENT",
}


@dataclass(frozen=True, slots=True)
class Entity:
    """One gazetteer row: a stable id, its label, canonical name, country, kind and surfaces."""

    entity_id: str
    label: str
    name: str
    country: str
    kind: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IsoCountry:
    """The names pycountry gives one ISO 3166-1 country ('' where it has none)."""

    alpha_3: str
    name: str
    official_name: str = ""
    common_name: str = ""


@dataclass(frozen=True, slots=True)
class CountryRecord:
    """A COUNTRY entity plus what the customs patterns need: its short names and adjectives."""

    entity: Entity
    short_names: tuple[str, ...]
    adjectives: tuple[str, ...]


# ---------------------------------------------------------------------------- reading


def read_table(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """Return the rows of a curated TSV file whose header must be exactly `columns`."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            rows = list(reader)
    except OSError as exc:
        raise InputError(path, exc.strerror or str(exc)) from exc
    if not rows or tuple(rows[0]) != tuple(columns):
        found = "\t".join(rows[0]) if rows else "nothing"
        raise InputError(path, f"header must be {' '.join(columns)!r}, found {found!r}")
    out: list[dict[str, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(columns):
            raise InputError(path, f"line {number} has {len(row)} fields, not {len(columns)}")
        cells = [cell.strip() for cell in row]
        if cells != row:
            raise InputError(path, f"line {number} has a cell with surrounding spaces")
        out.append(dict(zip(columns, cells, strict=True)))
    return out


def split_list(cell: str) -> tuple[str, ...]:
    """Return the items of a `|`-separated cell, in order, without empty items."""
    return tuple(item for item in cell.split(LIST_SEP) if item)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    """Return the items without repeats, first occurrence first."""
    return tuple(dict.fromkeys(items))


def _surfaces(entities: Iterable[Entity]) -> dict[str, str]:
    """Return each surface form of `entities` and its owner's kind."""
    return {surface: e.kind for e in entities for surface in (*e.aliases, *e.demonyms)}


def with_typographic_apostrophes(forms: Iterable[str]) -> tuple[str, ...]:
    """Return the forms, each name with an apostrophe followed by its curly-apostrophe twin."""
    out: list[str] = []
    for form in forms:
        out.append(form)
        if "'" in form:
            out.append(form.replace("'", "\N{RIGHT SINGLE QUOTATION MARK}"))
    return _unique(out)


def iso_countries() -> list[IsoCountry]:
    """Return every ISO 3166-1 country and territory pycountry ships, by alpha-3 code."""
    return sorted(
        (
            IsoCountry(
                alpha_3=country.alpha_3,
                name=country.name,
                official_name=getattr(country, "official_name", ""),
                common_name=getattr(country, "common_name", ""),
            )
            for country in pycountry.countries
        ),
        key=lambda country: country.alpha_3,
    )


def historic_codes() -> frozenset[str]:
    """Return the alpha-3 codes of ISO 3166-3 (countries withdrawn from ISO 3166-1)."""
    return frozenset(country.alpha_3 for country in pycountry.historic_countries)


# ---------------------------------------------------------------------------- countries


def _running_text_form(name: str) -> str | None:
    """Return a pycountry name as prose writes it, or None for an inverted index form."""
    # "Korea, Republic of" and "Holy See (Vatican City State)" are catalogue forms that no
    # article writes; the curated file restores the readable ones where needed.
    if "," in name or "(" in name:
        return None
    return name.removeprefix("the ")


def country_records(
    iso: Sequence[IsoCountry],
    countries: Sequence[Mapping[str, str]],
    demonyms: Sequence[Mapping[str, str]],
    historic: frozenset[str],
) -> list[CountryRecord]:
    """Return one COUNTRY record per ISO code and per curated historical or user-assigned code."""
    by_code = {row["code"]: row for row in countries}
    if len(by_code) != len(countries):
        raise IntegrityError("gazetteer", "countries.tsv lists a code twice")
    iso_by_code = {country.alpha_3: country for country in iso}
    missing = sorted(set(iso_by_code) - set(by_code))
    if missing:
        raise IntegrityError("gazetteer", f"countries.tsv has no row for {', '.join(missing)}")
    demonyms_by_code = {row["code"]: row for row in demonyms}
    unknown = sorted(set(demonyms_by_code) - set(by_code))
    if unknown:
        raise IntegrityError("gazetteer", f"demonyms.tsv names unknown codes {unknown}")
    records = []
    for code, row in by_code.items():
        source = iso_by_code.get(code)
        kind = row["kind"] or "country"
        if source is None:
            if kind not in EXTRA_COUNTRY_KINDS:
                raise IntegrityError("gazetteer", f"{code} is not ISO 3166-1 but has kind {kind}")
            if kind == "historical-country" and code not in historic:
                raise IntegrityError("gazetteer", f"{code} is not an ISO 3166-3 code")
            if kind == "user-assigned" and code not in USER_ASSIGNED_CODES:
                raise IntegrityError("gazetteer", f"{code} is not a known user-assigned code")
        name = row["name"] or (source.common_name or source.name if source else "")
        if not name:
            raise IntegrityError("gazetteer", f"{code} needs a name in countries.tsv")
        iso_forms = (source.name, source.common_name, source.official_name) if source else ()
        prose = (form for form in map(_running_text_form, iso_forms) if form)
        short = _unique((name, *split_list(row["aliases"])))
        aliases = with_typographic_apostrophes((*short, *prose, *split_list(row["other_names"])))
        spoken = demonyms_by_code.get(code, {})
        adjectives = split_list(spoken.get("adjectives", ""))
        entity = Entity(
            entity_id=f"country:{code}",
            label="COUNTRY",
            name=name,
            country=code,
            kind=kind,
            aliases=aliases,
            demonyms=_unique((*adjectives, *split_list(spoken.get("nouns", "")))),
        )
        records.append(CountryRecord(entity=entity, short_names=short, adjectives=adjectives))
    return records


# ---------------------------------------------------------------------------- customs


def _takes_the(name: str) -> bool:
    """Return whether a country name reads with "the" after "of" (the Netherlands, the UK)."""
    return name in _THE_NAMES or bool(_THE_WORDS.intersection(name.split()))


_SPANISH = frozenset(
    {"ARG", "BOL", "CHL", "COL", "CRI", "CUB", "DOM", "ECU", "ESP", "GTM", "HND", "MEX", "NIC",
     "PAN", "PER", "PRY", "SLV", "URY", "VEN"}
)  # fmt: skip
_DUTCH = frozenset({"NLD", "BEL", "SUR", "CUW", "ABW", "SXM"})
#: The customs body in the country's own language, where the country's English short name is
#: also its own (`Aduana de Chile`, `Douane Suriname`).
LOCAL_CUSTOMS_FORMS = (
    ("Aduana de {}", _SPANISH),
    ("Aduanas de {}", _SPANISH),
    ("Douane {}", _DUTCH),
)


def customs_patterns(record: CountryRecord, revenue_authority: bool) -> tuple[str, ...]:
    """Return the pattern names of a country's customs administration ("Kenya Customs", ...)."""
    forms: list[str] = []
    for base in record.short_names:
        forms += [f"{base} Customs", f"{base} Customs Administration", f"{base} Customs Service"]
        if any(ch.islower() for ch in base):  # not after acronyms: "Customs Administration of US"
            forms += [
                form.format(base)
                for form, codes in LOCAL_CUSTOMS_FORMS
                if record.entity.country in codes
            ]
            article = "the " if _takes_the(base) else ""
            forms.append(f"Customs Administration of {article}{base}")
        if revenue_authority:
            forms.append(f"{base} Revenue Authority")
    for adjective in record.adjectives:
        forms += [
            f"{adjective} Customs",
            f"{adjective} Customs Administration",
            f"{adjective} Customs Service",
        ]
    return tuple(forms)


def customs_entities(
    rows: Sequence[Mapping[str, str]], records: Mapping[str, CountryRecord]
) -> list[Entity]:
    """Return the `org:customs:XXX` rows: curated names first, then the generated patterns."""
    entities = []
    for row in rows:
        code = row["code"]
        record = records.get(code)
        if record is None:
            raise IntegrityError("gazetteer", f"customs.tsv names unknown country {code}")
        if row["revenue_authority"] not in ("", "yes"):
            raise IntegrityError("gazetteer", f"customs.tsv {code}: revenue_authority is yes or ''")
        name = row["name"] or f"{record.entity.name} Customs"
        patterns = customs_patterns(record, revenue_authority=row["revenue_authority"] == "yes")
        entities.append(
            Entity(
                entity_id=f"org:customs:{code}",
                label="ORG",
                name=name,
                country=code,
                kind=CUSTOMS_KIND,
                aliases=with_typographic_apostrophes(
                    (name, *split_list(row["aliases"]), *patterns)
                ),
            )
        )
    return entities


# ---------------------------------------------------------------------------- the rest


def curated_entities(rows: Sequence[Mapping[str, str]], label: str) -> list[Entity]:
    """Return the entities of one curated file (orgs, locations, programmes or instruments)."""
    return [
        Entity(
            entity_id=row["entity_id"],
            label=label,
            name=row["name"],
            country=row["country"],
            kind=row["kind"],
            aliases=with_typographic_apostrophes((row["name"], *split_list(row["aliases"]))),
        )
        for row in rows
    ]


def check_unique_surfaces(entities: Sequence[Entity]) -> None:
    """Raise IntegrityError when one surface form (alias or demonym) names two entities."""
    owner: dict[str, str] = {}
    clashes: list[str] = []
    for entity in entities:
        for surface in _unique((*entity.aliases, *entity.demonyms)):
            first = owner.setdefault(surface, entity.entity_id)
            if first != entity.entity_id:
                clashes.append(f"{surface!r} ({first}, {entity.entity_id})")
    if clashes:
        raise IntegrityError("gazetteer", "surface forms with two owners: " + "; ".join(clashes))


def check_entities(entities: Sequence[Entity], retired: frozenset[str]) -> None:
    """Raise IntegrityError on a malformed row, a reused id or a dangling country code."""
    seen: set[str] = set()
    countries = {e.country for e in entities if e.label == "COUNTRY"}
    for entity in entities:
        where = entity.entity_id
        pattern = ID_PATTERNS.get(entity.label)
        if pattern is None or not pattern.fullmatch(entity.entity_id):
            raise IntegrityError("gazetteer", f"{where}: id does not fit label {entity.label}")
        if entity.entity_id in seen:
            raise IntegrityError("gazetteer", f"{where}: id listed twice")
        if entity.entity_id in retired:
            raise IntegrityError("gazetteer", f"{where}: id is retired and must not come back")
        seen.add(entity.entity_id)
        if not entity.name or not entity.kind or entity.name not in entity.aliases:
            raise IntegrityError(
                "gazetteer", f"{where}: needs a name, a kind and its name as alias"
            )
        if entity.country and entity.country not in countries:
            raise IntegrityError("gazetteer", f"{where}: country {entity.country} has no row")
        if entity.demonyms and entity.label != "COUNTRY":
            raise IntegrityError("gazetteer", f"{where}: only COUNTRY rows carry demonyms")
        for surface in (*entity.aliases, *entity.demonyms):
            if surface != surface.strip() or any(ch in surface for ch in "\t\n|"):
                raise IntegrityError("gazetteer", f"{where}: bad surface form {surface!r}")
    check_unique_surfaces(entities)


#: Compass and landform words: a place name made only of them is generic (`North East`).
GENERIC_PLACE_WORDS = frozenset(
    {
        "north", "south", "east", "west", "northern", "southern", "eastern", "western",
        "central", "centre", "center", "upper", "lower", "middle", "capital", "coast", "coastal",
        "island", "islands", "region", "highlands", "lakes", "lake", "mountain", "mountains",
        "valley", "river", "littoral", "plateau", "plateaux", "savanes", "greater", "inner",
        "outer", "far", "nord", "sud", "est", "ouest", "north-west", "north-east", "south-west",
        "south-east", "northwest", "northeast", "southwest", "southeast", "centre-est",
        "centre-nord", "centre-ouest", "centre-sud", "hauts-bassins", "sahel", "cascades",
        "boucle", "du", "de", "la", "le", "les", "des", "of", "the", "and", "el", "al",
    }
)  # fmt: skip

#: Subdivision types whose name news also writes with the type after it (`Shan State`,
#: `Marib Governorate`), and the word it writes.
TYPED_FORMS = {
    "State": "State",
    "Region": "Region",
    "Province": "Province",
    "Governorate": "Governorate",
    "Prefecture": "Prefecture",
    "Oblast": "Oblast",
    "Emirate": "Emirate",
    "Canton": "Canton",
    "County": "County",
    "Department": "Department",
    "Autonomous region": "Autonomous Region",
    "Regional state": "Region",
}
#: Drop reasons that the typed form overcomes: the bare name is a given name, a word, too
#: short or shared (`Shan`, `Mon`, `Punjab`), but `Shan State` and `Punjab Province` are not.
_TYPED_SURVIVES = ("drop:hand", "drop:short", "drop:shared", "drop:word", "drop:reuters")
#: A row dropped because a place of one of these kinds has its name keeps its typed form
#: (`Lagos` is the port, `Lagos State` the state).
_TYPED_BESIDE = frozenset({"port", "city", "capital", "town", "crossing"})
_APOSTROPHES = "'\N{RIGHT SINGLE QUOTATION MARK}\N{LEFT SINGLE QUOTATION MARK}"
BARE_TWIN_MIN = 5  # letters of a name written without its apostrophes (`Marib`, not `Sana`)


def bare_twin(name: str) -> str | None:
    """Return a romanised name without its ayn and hamza apostrophes (`Ma'rib` -> `Marib`).

    News drops them. None when the name has none (an elision or a possessive is kept), is not
    ASCII without them, or would be shorter than `BARE_TWIN_MIN` letters.
    """
    if not any(ch in _APOSTROPHES for ch in name):
        return None
    # (not an elision, `L'Hospitalet`, `Reggio nell'Emilia`, nor a possessive, `Cox's Bazar`)
    twin = re.sub(rf"(?<!\b\w)(?<!ll)[{_APOSTROPHES}](?!s\b)", "", name)
    if twin == name or sum(ch.isalpha() for ch in twin) < BARE_TWIN_MIN or not twin.isascii():
        return None
    return twin if twin[:1].isupper() else None


def _typable(name: str) -> bool:
    """Return whether a name takes a typed form: capitalised words (not `kraj`), not generic."""
    words = re.split(r"[\s/-]+", name)
    return all(word[:1].isupper() or len(word) <= 3 for word in words) and not all(
        word.lower() in GENERIC_PLACE_WORDS for word in words
    )


def _typed_survives(row: Mapping[str, str], taken: Mapping[str, str] | None) -> bool:
    if row["status"].startswith(_TYPED_SURVIVES):
        return True
    return row["status"] == "drop:listed" and (taken or {}).get(row["name"]) in _TYPED_BESIDE


def subdivision_entities(
    rows: Sequence[Mapping[str, str]],
    prefix: str = "loc:iso3166-2-",
    kind: str = "subdivision",
    taken: Mapping[str, str] | None = None,
) -> list[Entity]:
    """Return a LOCATION per kept row of a reviewed import (subdivisions.tsv, towns.tsv).

    `import_subdivisions` and `import_towns` write those files; a row's id is `prefix` and its
    lower-cased code (`loc:iso3166-2-id-sl`, `loc:geonames-2229798`). Two forms are derived
    here, each only where no other row and no surface in `taken` (surface -> its owner's
    kind) has it: the name without its apostrophes (`bare_twin`), and the name followed by
    its type (`TYPED_FORMS`), which a row dropped for one of `_TYPED_SURVIVES`, or because a
    place of a kind in `_TYPED_BESIDE` has its name, keeps as its only names.
    """
    derived: dict[str, list[str]] = {}
    for row in rows:
        if row["status"] != "keep" and not row["status"].startswith("drop:"):
            raise IntegrityError("gazetteer", f"{row['code']}: status must be keep or drop:...")
        names = (row["name"], *split_list(row["aliases"]))
        forms = [twin for name in names if (twin := bare_twin(name)) is not None]
        typed = TYPED_FORMS.get(row["type"]) if kind == "subdivision" else None
        # (a kept row's typed form is read by the tagger, which extends the name over it)
        if typed is not None and _typed_survives(row, taken):
            plain = [name for name in (*forms, *names) if name.isascii() and _typable(name)]
            if plain and not plain[0].endswith(typed):
                forms.append(f"{plain[0]} {typed}")
        derived[row["code"]] = [form for form in _unique(forms) if form not in names]
    owners: dict[str, int] = {}
    for forms in derived.values():
        for form in forms:
            owners[form.upper()] = owners.get(form.upper(), 0) + 1
    own = {name.upper() for row in rows for name in (row["name"], *split_list(row["aliases"]))}
    blocked = {surface.upper() for surface in taken or {}} | own
    entities = []
    for row in rows:
        extra = [
            f for f in derived[row["code"]] if owners[f.upper()] == 1 and f.upper() not in blocked
        ]
        if row["status"] == "keep":
            names = (row["name"], *split_list(row["aliases"]), *extra)
        elif _typed_survives(row, taken):
            names = tuple(
                f for f in extra if " " in f and f.rsplit(" ", 1)[1] in TYPED_FORMS.values()
            )
            if not names:
                continue
        else:
            continue
        entities.append(
            Entity(
                entity_id=prefix + row["code"].lower().removeprefix("gn-"),
                label="LOCATION",
                name=names[0],
                country=row["country"],
                kind=kind,
                aliases=with_typographic_apostrophes(names),
            )
        )
    return entities


def build_entities(
    curated_dir: Path = CURATED_DIR,
    *,
    subdivisions: bool = True,
    towns: bool = True,
    minor_towns: bool = True,
) -> list[Entity]:
    """Return every gazetteer entity built from pycountry and `curated_dir`, sorted by id.

    `subdivisions=False` leaves out subdivisions.tsv and both town files, `towns=False` both
    town files, `minor_towns=False` minor_towns.tsv: their importers check names against the
    rest.
    """
    records = country_records(
        iso_countries(),
        read_table(
            curated_dir / "countries.tsv", ("code", "name", "kind", "aliases", "other_names")
        ),
        read_table(curated_dir / "demonyms.tsv", ("code", "adjectives", "nouns")),
        historic_codes(),
    )
    by_code = {record.entity.country: record for record in records}
    entities = [record.entity for record in records]
    customs_columns = ("code", "name", "aliases", "revenue_authority", "note")
    entities += customs_entities(read_table(curated_dir / "customs.tsv", customs_columns), by_code)
    curated_columns = ("entity_id", "name", "country", "kind", "aliases", "note")
    for filename, label in CURATED_LABELS.items():
        entities += curated_entities(read_table(curated_dir / filename, curated_columns), label)
    columns = ("code", "country", "type", "name", "aliases", "status", "note")
    if subdivisions:
        rows = read_table(curated_dir / "subdivisions.tsv", columns)
        town_rows = read_table(curated_dir / "towns.tsv", columns) if towns else []
        town_names = {
            name: "town"
            for row in town_rows
            if row["status"] == "keep"
            for name in (row["name"], *split_list(row["aliases"]))
        }
        entities += subdivision_entities(rows, taken=_surfaces(entities) | town_names)
        entities += subdivision_entities(
            town_rows, prefix="loc:geonames-", kind="town", taken=_surfaces(entities)
        )
        minor = curated_dir / MINOR_TOWNS_FILE
        if towns and minor_towns and minor.exists():
            entities += subdivision_entities(
                read_table(minor, columns),
                prefix="loc:geonames-",
                kind=MINOR_TOWN_KIND,
                taken=_surfaces(entities),
            )
    retired = frozenset(
        row["entity_id"] for row in read_table(curated_dir / "retired.tsv", ("entity_id", "reason"))
    )
    entities.sort(key=lambda entity: entity.entity_id)
    check_entities(entities, retired)
    return entities


def render_gazetteer(entities: Iterable[Entity]) -> str:
    """Return the text of gazetteer.tsv: the header, then one tab-separated line per entity."""
    lines = ["\t".join(GAZETTEER_COLUMNS)]
    for e in entities:
        cells = (
            e.entity_id,
            e.label,
            e.name,
            e.country,
            e.kind,
            *map(LIST_SEP.join, (e.aliases, e.demonyms)),
        )
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- Reuters codes


def corpus_dir() -> Path:
    """Return the Reuters-21578 folder: $ETL_CORPUS_DIR, else ../shared/corpus beside the repo."""
    env = os.environ.get("ETL_CORPUS_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "corpus" / "reuters21578"


def reuters_label_codes(labels_path: Path) -> tuple[list[str], list[str]]:
    """Return the sorted place codes and org codes used in a Reuters labels.jsonl file."""
    places: set[str] = set()
    orgs: set[str] = set()
    try:
        with labels_path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    places.update(record["places"])
                    orgs.update(record["orgs"])
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(labels_path, f"not a Reuters labels file: {exc}") from exc
    return sorted(places), sorted(orgs)


def reuters_codes(
    places: Sequence[str],
    orgs: Sequence[str],
    entities: Sequence[Entity],
    overrides: Sequence[Mapping[str, str]],
) -> list[tuple[str, str, str, str]]:
    """Return (kind, code, target, note) rows mapping Reuters place and org codes to the gazetteer.

    A place code resolves through the country names ("hong-kong" -> "Hong Kong" -> HKG) unless
    `overrides` maps it by hand; a historical country with no single successor maps to "-".
    Every org code must be mapped by hand.
    """
    manual = {(row["kind"], row["code"]): row for row in overrides}
    by_surface: dict[str, tuple[str, Entity]] = {}
    for entity in entities:
        if entity.label == "COUNTRY":
            for alias in entity.aliases:
                by_surface.setdefault(alias.casefold(), (alias, entity))
    ids = {entity.entity_id for entity in entities}
    rows: list[tuple[str, str, str, str]] = []
    for kind, codes in (("place", places), ("org", orgs)):
        for code in codes:
            row = manual.get((kind, code))
            if row is not None:
                rows.append((kind, code, row["target"], row["note"]))
                continue
            hit = by_surface.get(code.replace("-", " ").casefold()) if kind == "place" else None
            if hit is None:
                raise IntegrityError("reuters codes", f"no mapping for {kind} code {code!r}")
            alias, found = hit
            if found.kind == "historical-country":
                rows.append((kind, code, NO_TARGET, f"{found.name}: no single successor"))
            else:
                note = "" if alias == found.name else f"{alias} is {found.name}"
                rows.append((kind, code, found.country, note))
    for kind, code, target, _ in rows:
        known = target == NO_TARGET or (
            target in ids if kind == "org" else f"country:{target}" in ids
        )
        if not known:
            raise IntegrityError("reuters codes", f"{kind} {code} targets unknown {target!r}")
    return rows


def render_reuters_codes(rows: Iterable[tuple[str, str, str, str]]) -> str:
    """Return the text of reuters_codes.tsv."""
    lines = ["\t".join(REUTERS_COLUMNS), *("\t".join(row) for row in rows)]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- versioning


def checksums_text(version: str, data_dir: Path) -> str:
    """Return CHECKSUMS: the version, then the sha256 and name of every versioned data file."""
    lines = [f"version {version}"]
    for name in VERSIONED_FILES:
        digest = hashlib.sha256((data_dir / name).read_bytes()).hexdigest()
        lines.append(f"{digest}  {name}")
    return "\n".join(lines) + "\n"


def bumped(version: str) -> str:
    """Return the version with its last number raised by one (2026.11.0 -> 2026.11.1)."""
    head, _, last = version.rpartition(".")
    if not head or not last.isdigit():
        raise UsageError(f"VERSION {version!r} does not end in a number")
    return f"{head}.{int(last) + 1}"


def _write_if_changed(path: Path, text: str) -> bool:
    """Write text to path unless it already holds it; return whether it changed."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True


def _data_changed(data_dir: Path, version: str) -> bool:
    """Return whether the data files differ from what CHECKSUMS records for this version."""
    path = data_dir / "CHECKSUMS"
    return not path.exists() or path.read_text(encoding="utf-8") != checksums_text(
        version, data_dir
    )


# ---------------------------------------------------------------------------- namesakes

#: curated/namesakes.tsv, written by `import_namesakes` and reviewed by hand.
NAMESAKE_COLUMNS = (
    "entity_id",
    "name",
    "country",
    "namesake_id",
    "namesake_name",
    "namesake_country",
    "population",
    "status",
    "note",
)


def render_namesakes(rows: Sequence[Mapping[str, str]], entities: Sequence[Entity]) -> str:
    """Return the text of the package's namesakes.tsv: the kept rows of curated/namesakes.tsv.

    Fails when a kept row's owner is not an entity of `entities`, its namesake is in the
    owner's country, or its namesake id is a gazetteer entity of another country or label.
    Most owners are places (`Gaya`); a few are systems that several countries' bodies named
    alike (`TradeNet`).
    """
    by_id = {e.entity_id: e for e in entities}
    # (the package's namesakes.tsv: the kept rows, what the tagger needs of them)
    lines = ["\t".join(NAMESAKES_COLUMNS)]
    for row in rows:
        if row["status"] != "keep":
            if not row["status"].startswith("drop:"):
                raise IntegrityError(
                    "gazetteer", f"namesake {row['namesake_id']}: status must be keep or drop:*"
                )
            continue
        owner = by_id.get(row["entity_id"])
        if owner is None:
            raise IntegrityError(
                "gazetteer", f"namesake of {row['entity_id']}: no such entity in the gazetteer"
            )
        twin = by_id.get(row["namesake_id"])
        if row["namesake_country"] == owner.country or (
            twin is not None
            and (twin.country != row["namesake_country"] or twin.label != owner.label)
        ):
            raise IntegrityError(
                "gazetteer",
                f"namesake {row['namesake_id']} of {row['entity_id']}: wrong country "
                f"{row['namesake_country']} or label",
            )
        cells = (
            row["entity_id"],
            row["namesake_id"],
            row["namesake_name"],
            row["namesake_country"],
            row["population"],
        )
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def rendered(entities: Sequence[Entity], curated_dir: Path = CURATED_DIR) -> dict[str, str]:
    """Return the text of each built file: gazetteer.tsv, the minor towns and the namesakes."""
    namesakes = read_table(curated_dir / NAMESAKES_FILE, NAMESAKE_COLUMNS)
    return {
        "gazetteer.tsv": render_gazetteer(e for e in entities if e.kind != MINOR_TOWN_KIND),
        MINOR_TOWNS_FILE: render_gazetteer(e for e in entities if e.kind == MINOR_TOWN_KIND),
        NAMESAKES_FILE: render_namesakes(namesakes, entities),
    }


def _check(data_dir: Path, curated_dir: Path) -> list[str]:
    """Return the problems a fresh build finds with the committed data (empty when in sync)."""
    problems = []
    for name, text in rendered(build_entities(curated_dir), curated_dir).items():
        path = data_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            problems.append(f"{name} differs from a fresh build")
    version = (data_dir / "VERSION").read_text(encoding="utf-8").strip()
    if _data_changed(data_dir, version):
        problems.append(f"data files differ from CHECKSUMS for VERSION {version}: bump it")
    return problems


def _reuters(data_dir: Path, curated_dir: Path) -> None:
    """Rebuild reuters_codes.tsv from the corpus labels and the hand mappings."""
    labels = corpus_dir() / "labels.jsonl"
    if not labels.exists():
        raise InputError(labels, "Reuters corpus not found (set ETL_CORPUS_DIR)")
    places, orgs = reuters_label_codes(labels)
    overrides = read_table(curated_dir / "reuters.tsv", REUTERS_COLUMNS)
    rows = reuters_codes(places, orgs, build_entities(curated_dir), overrides)
    _write_if_changed(data_dir / "reuters_codes.tsv", render_reuters_codes(rows))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the build from the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m etl.tagging.build_gazetteer")
    parser.add_argument("--check", action="store_true", help="fail if the data is out of date")
    parser.add_argument("--bump", action="store_true", help="raise VERSION's last number")
    parser.add_argument("--reuters-codes", action="store_true", help="rebuild reuters_codes.tsv")
    args = parser.parse_args(argv)
    if args.check and (args.bump or args.reuters_codes):
        print("build_gazetteer: --check cannot be combined with other options", file=sys.stderr)
        return UsageError.exit_code
    try:
        if args.check:
            problems = _check(DATA_DIR, CURATED_DIR)
            for problem in problems:
                print(problem, file=sys.stderr)
            return 1 if problems else 0
        for name, text in rendered(build_entities()).items():
            _write_if_changed(DATA_DIR / name, text)
        if args.reuters_codes:
            _reuters(DATA_DIR, CURATED_DIR)
        version_path = DATA_DIR / "VERSION"
        version = version_path.read_text(encoding="utf-8").strip()
        if _data_changed(DATA_DIR, version):
            if not args.bump and (DATA_DIR / "CHECKSUMS").exists():
                print(
                    f"data changed under VERSION {version}: rerun with --bump",
                    file=sys.stderr,
                )
                return 1
            if args.bump:
                version = bumped(version)
                version_path.write_text(version + "\n", encoding="utf-8")
            _write_if_changed(DATA_DIR / "CHECKSUMS", checksums_text(version, DATA_DIR))
    except EtlError as exc:
        print(f"build_gazetteer: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
