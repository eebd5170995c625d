"""The gazetteer package data: in sync with its sources, well-formed, unambiguous, complete."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pycountry
import pytest

from etl.errors import InputError, IntegrityError, UsageError
from etl.tagging import build_gazetteer as bg
from etl.tagging.gazetteer import (
    HEAD_WORDS,
    LEGAL_FORMS,
    RULE_CAPS_WORD,
    RULE_COUNTRY_CONTEXT,
    RULE_GIVEN_NAME,
    RULE_HOME_COUNTRY,
    RULE_US_STATE,
    load_gazetteer,
)

DATA = bg.DATA_DIR
REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "raw" / "000_2da8245de02aa76e.txt"
LABELS = frozenset({"ORG", "COUNTRY", "LOCATION", "PROGRAMME", "INSTRUMENT"})
THEMES = (
    "trade-facilitation",
    "aeo-mutual-recognition",
    "post-clearance-audit",
    "revenue-valuation",
    "supply-chain-security",
    "risk-management",
    "illegal-wildlife-trade",
    "plant-animal-health",
    "e-commerce",
    "pandemic-vaccines",
    "capacity-building",
    "data-digitalisation",
    "tariffs-trade-disputes",
    "drugs-counterfeit-enforcement",
)


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def gazetteer() -> list[dict[str, str]]:
    return _rows("gazetteer.tsv")


def _surfaces(row: dict[str, str]) -> list[str]:
    return [s for s in (row["aliases"] + "|" + row["demonyms"]).split("|") if s]


# ---------------------------------------------------------------- in sync with the sources


def test_committed_gazetteer_equals_a_fresh_build() -> None:
    fresh = bg.rendered(bg.build_entities())
    assert set(fresh) == {"gazetteer.tsv", "minor_towns.tsv", "namesakes.tsv"}
    for name, text in fresh.items():
        assert (DATA / name).read_text(encoding="utf-8") == text, name


def test_version_is_dated_and_checksums_match_it() -> None:
    version = (DATA / "VERSION").read_text(encoding="utf-8")
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+\n", version)
    # Data edited without `--bump` leaves CHECKSUMS stale for this version.
    committed = (DATA / "CHECKSUMS").read_text(encoding="utf-8")
    assert committed == bg.checksums_text(version.strip(), DATA)


def test_build_check_mode_reports_in_sync() -> None:
    assert bg.main(["--check"]) == 0


# ---------------------------------------------------------------- well-formed


def test_header_columns_and_labels(gazetteer: list[dict[str, str]]) -> None:
    header = (DATA / "gazetteer.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split("\t")) == bg.GAZETTEER_COLUMNS
    assert {row["label"] for row in gazetteer} == LABELS
    for row in gazetteer:
        assert None not in row.values(), row  # every line has all seven cells
        assert row["name"], row
        assert row["kind"], row


def test_ids_unique_well_formed_and_sorted(gazetteer: list[dict[str, str]]) -> None:
    ids = [row["entity_id"] for row in gazetteer]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)
    for row in gazetteer:
        assert bg.ID_PATTERNS[row["label"]].fullmatch(row["entity_id"]), row["entity_id"]
        if row["label"] == "COUNTRY":
            assert row["entity_id"] == f"country:{row['country']}"
        if row["entity_id"].startswith("org:customs:"):
            assert row["entity_id"] == f"org:customs:{row['country']}"


def test_seed_ids_are_kept(gazetteer: list[dict[str, str]]) -> None:
    seed = {"org:wto", "org:wco", "org:customs:CHN", "country:MEX", "country:HKG",
            "country:CHN", "loc:geneva", "prog:mercator", "prog:aeo", "instr:wto-tfa"}  # fmt: skip
    assert seed <= {row["entity_id"] for row in gazetteer}


def test_country_column_points_at_a_country_row(gazetteer: list[dict[str, str]]) -> None:
    codes = {row["country"] for row in gazetteer if row["label"] == "COUNTRY"}
    for row in gazetteer:
        assert row["country"] == "" or row["country"] in codes, row["entity_id"]


def test_name_is_an_alias_and_demonyms_only_on_countries(gazetteer: list[dict[str, str]]) -> None:
    for row in gazetteer:
        assert row["name"] in row["aliases"].split("|"), row["entity_id"]
        if row["label"] != "COUNTRY":
            assert row["demonyms"] == "", row["entity_id"]


def test_every_surface_form_names_one_entity(gazetteer: list[dict[str, str]]) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    upper: dict[str, set[str]] = defaultdict(set)
    for row in gazetteer:
        for surface in _surfaces(row):
            assert surface == surface.strip(), row["entity_id"]
            owners[surface].add(row["entity_id"])
            upper[surface.upper()].add(row["entity_id"])
    assert {s: o for s, o in owners.items() if len(o) > 1} == {}
    # The matcher adds ALL-CAPS forms for wire headlines: those must not collide either.
    assert {s: o for s, o in upper.items() if len(o) > 1} == {}


def test_every_iso_3166_code_has_a_country_row(gazetteer: list[dict[str, str]]) -> None:
    rows = {row["country"]: row for row in gazetteer if row["label"] == "COUNTRY"}
    for country in pycountry.countries:
        assert country.alpha_3 in rows, country.alpha_3
        assert rows[country.alpha_3]["kind"] in {"country", "territory"}
    kinds = [row["kind"] for row in rows.values()]
    assert kinds.count("country") == 195  # 193 UN members, the Holy See and Palestine


def test_every_sovereign_country_but_customs_unions_has_a_customs_row(
    gazetteer: list[dict[str, str]],
) -> None:
    sovereign = {
        r["country"] for r in gazetteer if r["label"] == "COUNTRY" and r["kind"] == "country"
    }
    customs = {r["country"] for r in gazetteer if r["entity_id"].startswith("org:customs:")}
    # Liechtenstein, Monaco, San Marino and the Holy See clear goods through a neighbour's customs.
    assert sovereign - customs == {"LIE", "MCO", "SMR", "VAT"}


def test_ambiguous_forms_are_gazetteer_surfaces(gazetteer: list[dict[str, str]]) -> None:
    surfaces = {s for row in gazetteer for s in _surfaces(row)}
    header = (DATA / "ambiguous.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "alias\trule\tnote"
    ambiguous = _rows("ambiguous.tsv")
    for row in ambiguous:
        assert row["alias"] in surfaces, row["alias"]
        assert row["note"], row["alias"]
    assert {"SAT", "Georgia", "Chad", "US", "EC", "Turkey"} <= {r["alias"] for r in ambiguous}


def test_ambiguity_rules_are_known_and_reach_the_tagger() -> None:
    # With a rule column the loader ignores the notes: a misspelt rule would silently do nothing.
    known = {
        "",
        RULE_CAPS_WORD,
        RULE_GIVEN_NAME,
        RULE_US_STATE,
        RULE_COUNTRY_CONTEXT,
        RULE_HOME_COUNTRY,
    }
    ambiguous = _rows("ambiguous.tsv")
    assert {row["rule"] for row in ambiguous} <= known
    aliases = [row["alias"] for row in ambiguous]
    assert len(aliases) == len(set(aliases))
    written = {row["alias"]: row["rule"] for row in ambiguous if row["rule"]}
    assert written["US"] == RULE_CAPS_WORD
    assert written["Chad"] == RULE_GIVEN_NAME
    assert written["Georgia"] == RULE_US_STATE
    assert written["Rosario"] == RULE_COUNTRY_CONTEXT
    # Each surface and its ALL-CAPS form (a pattern of its own) take the rule.
    patterns = dict(load_gazetteer().patterns.select("pattern", "rule").drop_nulls().iter_rows())
    assert patterns["GEORGIA"] == RULE_US_STATE
    expected = {**{alias.upper(): rule for alias, rule in written.items()}, **written}
    assert patterns == {form: expected[form] for form in patterns}
    assert set(written) <= set(patterns)


# ---------------------------------------------------------------- Reuters codes


def test_reuters_codes_target_existing_entities(gazetteer: list[dict[str, str]]) -> None:
    ids = {row["entity_id"] for row in gazetteer}
    rows = _rows("reuters_codes.tsv")
    assert {row["kind"] for row in rows} == {"place", "org"}
    for row in rows:
        target = row["target"]
        if row["kind"] == "place":
            assert target == "-" or f"country:{target}" in ids, row
        else:
            assert target in ids, row
    places = {row["code"]: row["target"] for row in rows if row["kind"] == "place"}
    assert places["west-germany"] == "DEU"
    assert places["hong-kong"] == "HKG"
    assert places["uk"] == "GBR"
    assert places["ussr"] == "-"
    assert places["yugoslavia"] == "-"


@pytest.mark.corpus
def test_reuters_codes_cover_the_corpus_labels(gazetteer: list[dict[str, str]]) -> None:
    labels = bg.corpus_dir() / "labels.jsonl"
    if not labels.exists():
        pytest.skip("Reuters corpus not found")
    places, orgs = bg.reuters_label_codes(labels)
    committed = {(row["kind"], row["code"]) for row in _rows("reuters_codes.tsv")}
    assert committed == {("place", p) for p in places} | {("org", o) for o in orgs}


# ---------------------------------------------------------------- content


SAMPLE_FORMS = {
    "WTO": "org:wto",
    "World Trade Organization": "org:wto",
    "WCO": "org:wco",
    "World Customs Organization": "org:wco",
    "Geneva": "loc:geneva",
    "PCA Guidelines": "instr:pca-guidelines",
    "Post-Clearance Audit Guidelines": "instr:pca-guidelines",
    "Jordan Customs": "org:customs:JOR",
    "Trade Facilitation Agreement": "instr:wto-tfa",
    "TFA": "instr:wto-tfa",
    "National Trade Facilitation Committees": "prog:ntfc",
    "Coordinated Border Management": "prog:cbm",
    "Time Release Studies": "prog:trs",
    "Mercator Programme": "prog:mercator",
    "Mexico": "country:MEX",
    "Hong Kong": "country:HKG",
    "Authorized Economic Operators": "prog:aeo",
    "Authorized Economic Operator": "prog:aeo",
    "AEOs": "prog:aeo",
    "AEO": "prog:aeo",
    "OEA": "prog:aeo",
    "China Customs": "org:customs:CHN",
    "China": "country:CHN",
    "Revenue Package Programme": "prog:revenue-package",
    "International Maritime Organization": "org:imo",
    "IMO": "org:imo",
    "International Plant Protection Convention": "org:ippc",
    "IPPC": "org:ippc",
    "Guatemala": "country:GTM",
    "SAT": "org:customs:GTM",
    "Azerbaijan": "country:AZE",
    "Azerbaijan Customs": "org:customs:AZE",
    "Mutual Recognition Agreements": "instr:mra",
    "MRAs": "instr:mra",
    "Silk Road": "loc:silk-road",
    "Asia": "loc:asia",
    "Inama Project": "prog:inama",
}


def test_sample_surface_forms_are_covered(gazetteer: list[dict[str, str]]) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    owner = {s: row["entity_id"] for row in gazetteer for s in _surfaces(row)}
    for surface, entity_id in SAMPLE_FORMS.items():
        assert surface in text, surface  # the list describes the real sample
        assert owner.get(surface) == entity_id, surface


def test_issue_names_resolve(gazetteer: list[dict[str, str]]) -> None:
    owner = {s: row["entity_id"] for row in gazetteer for s in _surfaces(row)}
    expected = {
        "Burma": "country:MMR", "Zaire": "country:COD", "Ivory Coast": "country:CIV",
        "Swaziland": "country:SWZ", "Turkey": "country:TUR", "Türkiye": "country:TUR",
        "Viet Nam": "country:VNM", "Czechia": "country:CZE", "Holland": "country:NLD",
        "U.S.": "country:USA", "America": "country:USA", "Britain": "country:GBR",
        "Great Britain": "country:GBR", "West Germany": "country:DEU",
        "Soviet Union": "country:SUN", "Japanese": "country:JPN", "British": "country:GBR",
        "Mexican": "country:MEX", "Hongkonger": "country:HKG", "Latin America": "loc:latin-america",
        "Sub-Saharan Africa": "loc:sub-saharan-africa", "Gulf": "loc:gulf",
        "European Commission": "org:ec-commission", "EEC": "org:eu", "GATT": "org:gatt",
        "HM Revenue & Customs": "org:customs:GBR", "Kenya Revenue Authority": "org:customs:KEN",
        "Customs Administration of the Netherlands": "org:customs:NLD",
        "Korea Customs Service": "org:customs:KOR", "CPTPP": "instr:cptpp",
        "Revised Kyoto Convention": "instr:rkc", "SAFE Framework of Standards":
        "instr:safe-framework", "Côte d\u2019Ivoire": "country:CIV",
    }  # fmt: skip
    assert {s: owner.get(s) for s in expected} == expected


def test_maritime_trade_and_export_control_instruments_resolve(
    gazetteer: list[dict[str, str]],
) -> None:
    # 2026.11.46: instruments trade and customs news cites by name or acronym alone.
    rows = {s: row for row in gazetteer for s in _surfaces(row)}
    expected = {
        "SOLAS": ("instr:solas", ""), "MARPOL": ("instr:marpol", ""),
        "ISPS Code": ("instr:isps-code", ""), "Incoterms": ("instr:incoterms", ""),
        "Section 301": ("instr:us-section-301", "USA"), "UFLPA": ("instr:uflpa", "USA"),
        "EUDR": ("instr:eudr", ""), "IPEF": ("instr:ipef", ""),
        "Wassenaar Arrangement": ("instr:wassenaar-arrangement", ""),
        "Port State Measures Agreement": ("instr:psma", ""),
    }  # fmt: skip
    found = {s: (rows[s]["entity_id"], rows[s]["country"]) for s in expected if s in rows}
    assert found == expected
    assert all(rows[s]["label"] == "INSTRUMENT" for s in expected)
    # (initials other things share stay out: the Arms Trade Treaty's, the procurement pact's)
    assert "ATT" not in rows
    assert "GPA" not in rows


def test_border_places_and_rivers_have_their_countries(gazetteer: list[dict[str, str]]) -> None:
    # Places the written gold names: border towns take the side recorded in curated/cities.tsv,
    # a river or corridor shared by several countries takes none.
    rows = {s: row for row in gazetteer for s in _surfaces(row)}
    expected = {
        "Malaba": ("loc:malaba", "KEN"), "Busia": ("loc:busia", "KEN"), "Lae": ("loc:lae", "PNG"),
        "Nadi": ("loc:nadi", "FJI"), "Kap\u0131kule": ("loc:kapikule", "TUR"),
        "Kapikule": ("loc:kapikule", "TUR"), "Aflao": ("loc:aflao", "GHA"),
        "Rosso": ("loc:rosso", "MRT"), "Agadir": ("loc:agadir", "MAR"),
        "Al-Omari": ("loc:al-omari", "JOR"), "Al Omari": ("loc:al-omari", "JOR"),
        "Senegal River": ("loc:senegal-river", ""),
        "Northern Corridor": ("loc:northern-corridor", ""),
    }  # fmt: skip
    found = {s: (rows[s]["entity_id"], rows[s]["country"]) for s in expected if s in rows}
    assert found == expected
    assert all(rows[s]["label"] == "LOCATION" for s in expected)
    assert rows["Northern Corridor"]["kind"] == "corridor"


def test_border_crossings_face_a_post_of_the_other_country(
    gazetteer: list[dict[str, str]],
) -> None:
    # Pairs of posts across one border (gazetteer 2026.11.5): each side is its own country.
    rows = {s: row for row in gazetteer for s in _surfaces(row)}
    pairs = {
        ("Beitbridge", "Musina"): ("ZWE", "ZAF"), ("Taveta", "Holili"): ("KEN", "TZA"),
        ("Gatuna", "Katuna"): ("RWA", "UGA"), ("Seme", "Krak\u00e9"): ("NGA", "BEN"),
        ("Paga", "Dakola"): ("GHA", "BFA"), ("Dostyk", "Alashankou"): ("KAZ", "CHN"),
        ("Erenhot", "Zamyn-Uud"): ("CHN", "MNG"), ("Manzhouli", "Zabaykalsk"): ("CHN", "RUS"),
        ("Chaman", "Spin Boldak"): ("PAK", "AFG"), ("Wagah", "Attari"): ("PAK", "IND"),
        ("Petrapole", "Benapole"): ("IND", "BGD"), ("Raxaul", "Birgunj"): ("IND", "NPL"),
        ("Kapikule", "Kapitan Andreevo"): ("TUR", "BGR"), ("Calexico", "Mexicali"): ("USA", "MEX"),
        ("Foz do Igua\u00e7u", "Ciudad del Este"): ("BRA", "PRY"),
    }  # fmt: skip
    found = {pair: (rows[pair[0]]["country"], rows[pair[1]]["country"]) for pair in pairs}
    assert found == pairs
    assert all(rows[s]["label"] == "LOCATION" for pair in pairs for s in pair)


def test_rivers_capes_airports_and_secondary_ports_have_their_countries(
    gazetteer: list[dict[str, str]],
) -> None:
    # Gazetteer 2026.11.7: a river, sea or lake of several countries takes none; one inside a
    # country, an airport, a cape or a secondary port takes that country.
    rows = {s: row for row in gazetteer for s in _surfaces(row)}
    expected = {
        "Danube": ("river", ""), "Yangtze": ("river", "CHN"), "Mekong": ("river", ""),
        "River Nile": ("river", ""), "Cape of Good Hope": ("cape", "ZAF"),
        "Lake Victoria": ("lake", ""), "Narita": ("airport", "JPN"),
        "Schiphol": ("airport", "NLD"), "Izmail": ("port", "UKR"),
        "Giurgiulesti": ("port", "MDA"), "Jeddah Islamic Port": ("port", "SAU"),
        "Al Batha": ("city", "SAU"), "Ghuwaifat": ("city", "ARE"),
        "Uruguaiana": ("city", "BRA"), "Paso de los Libres": ("city", "ARG"),
    }  # fmt: skip
    assert {s: (rows[s]["kind"], rows[s]["country"]) for s in expected} == expected
    # Bare names that mostly mean something else stay out (the company, Rhone-Poulenc), and a
    # country's name stays the country's (`Congo River` is the river's own form).
    assert "Amazon" not in rows
    assert "Rhone" not in rows
    assert (rows["Congo"]["label"], rows["Congo River"]["kind"]) == ("COUNTRY", "river")


def test_no_alias_the_tagger_would_drop_at_load(gazetteer: list[dict[str, str]]) -> None:
    # The loader skips a country's possessive (`Brazil's Federal Revenue`) and a name plus a
    # lower-case generic tail (`... programme`): such aliases are dead data.
    countries = {s for row in gazetteer if row["label"] == "COUNTRY" for s in _surfaces(row)}
    heads = {word.lower() for word in HEAD_WORDS if word not in LEGAL_FORMS}
    tails = heads | {word + "s" for word in heads} | {"scheme", "schemes", "system", "tool"}
    for row in gazetteer:
        forms = set(_surfaces(row))
        for form in forms:
            possessor = re.match(r"^(\S+)['\u2019]s ", form)
            assert not (possessor and possessor.group(1) in countries), form
            head, _, last = form.rpartition(" ")
            assert not (last in tails and head in forms), form
    aeo = next(row for row in gazetteer if row["entity_id"] == "prog:aeo")
    assert aeo["name"] == "Authorized Economic Operator"
    brazil = next(row for row in gazetteer if row["entity_id"] == "org:customs:BRA")
    assert {"Federal Revenue of Brazil", "Receita Federal"} <= set(_surfaces(brazil))


def test_themes_cover_the_fourteen_with_lowercase_unique_triggers() -> None:
    rows = _rows("themes.tsv")
    assert tuple(rows[0]) == ("theme_id", "name", "triggers")
    assert set(THEMES) <= {row["theme_id"] for row in rows}
    seen: set[str] = set()
    for row in rows:
        triggers = row["triggers"].split("|")
        assert len(triggers) >= 10, row["theme_id"]
        for trigger in triggers:
            assert trigger, row["theme_id"]
            assert trigger == trigger.lower().strip(), trigger
            assert trigger not in seen, trigger  # one theme per trigger
            seen.add(trigger)
    assert {"post-clearance audit", "pca", "pangolin", "phytosanitary", "ephyto"} <= seen
    assert {"anti-dumping", "tariff", "counterfeit"} <= seen


# ---------------------------------------------------------------- the build rules, on tiny inputs


def _iso(code: str, name: str, official: str = "", common: str = "") -> bg.IsoCountry:
    return bg.IsoCountry(alpha_3=code, name=name, official_name=official, common_name=common)


def _country_row(code: str, **cells: str) -> dict[str, str]:
    return {"code": code, "name": "", "kind": "", "aliases": "", "other_names": ""} | cells


def test_country_records_drop_inverted_catalogue_names() -> None:
    iso = [_iso("KOR", "Korea, Republic of", common="South Korea")]
    rows = [_country_row("KOR", aliases="Republic of Korea|Korea", other_names="Chosun")]
    (record,) = bg.country_records(iso, rows, [], frozenset())
    assert record.entity.name == "South Korea"
    assert record.entity.aliases == ("South Korea", "Republic of Korea", "Korea", "Chosun")
    assert record.short_names == ("South Korea", "Republic of Korea", "Korea")


def test_country_records_need_a_row_for_every_iso_code() -> None:
    with pytest.raises(IntegrityError, match="no row for FRA"):
        bg.country_records([_iso("FRA", "France")], [], [], frozenset())


def test_historical_codes_must_be_iso_3166_3() -> None:
    rows = [_country_row("XXA", name="Atlantis", kind="historical-country")]
    with pytest.raises(IntegrityError, match="ISO 3166-3"):
        bg.country_records([], rows, [], frozenset({"SUN"}))


def test_customs_patterns_and_typographic_apostrophes() -> None:
    iso = [_iso("NLD", "Netherlands"), _iso("CIV", "Côte d'Ivoire")]
    rows = [_country_row("NLD"), _country_row("CIV")]
    demonyms = [{"code": "NLD", "adjectives": "Dutch", "nouns": ""}]
    records = {r.entity.country: r for r in bg.country_records(iso, rows, demonyms, frozenset())}
    customs = [
        {"code": "NLD", "name": "", "aliases": "", "revenue_authority": "", "note": ""},
        {"code": "CIV", "name": "", "aliases": "", "revenue_authority": "yes", "note": ""},
    ]
    nld, civ = bg.customs_entities(customs, records)
    assert nld.entity_id == "org:customs:NLD"
    assert nld.name == "Netherlands Customs"
    assert {"Dutch Customs", "Customs Administration of the Netherlands"} <= set(nld.aliases)
    assert "Customs Administration of Netherlands" not in nld.aliases
    assert "Côte d\u2019Ivoire Revenue Authority" in civ.aliases
    assert "Côte d'Ivoire Customs" in civ.aliases


def test_build_refuses_a_surface_form_with_two_owners() -> None:
    a = bg.Entity("org:a", "ORG", "Alpha", "", "forum", ("Alpha", "AB"))
    b = bg.Entity("org:b", "ORG", "Beta", "", "forum", ("Beta", "AB"))
    with pytest.raises(IntegrityError, match="'AB'"):
        bg.check_unique_surfaces([a, b])


def test_build_refuses_retired_ids_and_bad_ids() -> None:
    good = bg.Entity("org:a", "ORG", "Alpha", "", "forum", ("Alpha",))
    with pytest.raises(IntegrityError, match="retired"):
        bg.check_entities([good], frozenset({"org:a"}))
    bad = bg.Entity("org:Alpha Beta", "ORG", "Alpha", "", "forum", ("Alpha",))
    with pytest.raises(IntegrityError, match="does not fit"):
        bg.check_entities([bad], frozenset())


def test_curated_files_reject_a_bad_header(tmp_path: Path) -> None:
    path = tmp_path / "orgs.tsv"
    path.write_text("id\tname\n", encoding="utf-8")
    with pytest.raises(InputError, match="header must be"):
        bg.read_table(path, ("entity_id", "name"))


def test_reuters_codes_resolve_names_and_refuse_unknown_codes() -> None:
    deu = bg.Entity(
        "country:DEU", "COUNTRY", "Germany", "DEU", "country", ("Germany", "West Germany")
    )
    sun = bg.Entity(
        "country:SUN", "COUNTRY", "Soviet Union", "SUN", "historical-country", ("USSR",)
    )
    gatt = bg.Entity("org:gatt", "ORG", "GATT", "", "intergovernmental", ("GATT",))
    overrides = [{"kind": "org", "code": "gatt", "target": "org:gatt", "note": ""}]
    rows = bg.reuters_codes(["west-germany", "ussr"], ["gatt"], [deu, sun, gatt], overrides)
    assert [row[:3] for row in rows] == [
        ("place", "west-germany", "DEU"),
        ("place", "ussr", "-"),
        ("org", "gatt", "org:gatt"),
    ]
    with pytest.raises(IntegrityError, match="'atlantis'"):
        bg.reuters_codes(["atlantis"], [], [deu], [])


def test_public_surface_is_sorted_and_resolves() -> None:
    assert sorted(bg.__all__) == bg.__all__
    assert all(hasattr(bg, name) for name in bg.__all__)


def test_bumped_raises_the_last_number() -> None:
    assert bg.bumped("2026.11.0") == "2026.11.1"
    with pytest.raises(UsageError):
        bg.bumped("seed")
