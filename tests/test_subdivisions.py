"""Imported places (ISO 3166-2 subdivisions, GeoNames towns): cleaning, decisions, the tags."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import replace
from functools import cache
from pathlib import Path

import polars as pl
import pycountry
import pytest

from etl.errors import IntegrityError
from etl.tagging import Gazetteer, import_namesakes, import_towns, load_gazetteer, tag
from etl.tagging import build_gazetteer as bg
from etl.tagging import import_subdivisions as imp

SUBDIVISIONS = bg.CURATED_DIR / "subdivisions.tsv"


@cache
def _gazetteer(*, minor_towns: bool = False) -> Gazetteer:
    return load_gazetteer(minor_towns=minor_towns)


@cache
def _rows() -> tuple[imp.SubdivisionRow, ...]:
    return tuple(imp.read_rows(SUBDIVISIONS))


def _row(code: str, name: str, country: str = "XXX") -> imp.SubdivisionRow:
    twin = imp.ascii_twin(name)
    aliases = (name, twin) if twin != name else (name,)
    return imp.SubdivisionRow(code, country, "Province", name, aliases, "", "")


@pytest.mark.parametrize(
    ("catalogue", "prose"),
    [
        ("Hebei Sheng", "Hebei"),
        ("Xinjiang Uygur Zizhiqu", "Xinjiang"),
        ("Madrid, Comunidad de", "Madrid"),
        ("Ilocos (Region I)", "Ilocos"),
        ("Galicia [Galicia]", "Galicia"),
        ("Antofagasta", "Antofagasta"),
    ],
)
def test_clean_name_writes_catalogue_names_as_prose(catalogue: str, prose: str) -> None:
    assert imp.clean_name(catalogue) == prose


def test_ascii_twin_folds_diacritics_and_apostrophes() -> None:
    assert imp.ascii_twin("Tarapacá") == "Tarapaca"
    assert (
        imp.ascii_twin("I\N{LATIN SMALL LETTER G WITH BREVE}d\N{LATIN SMALL LETTER DOTLESS I}r")
        == "Igdir"
    )
    assert imp.ascii_twin("Ra\N{RIGHT SINGLE QUOTATION MARK}s al Khaymah") == "Ra's al Khaymah"


def test_decide_gives_each_automatic_reason() -> None:
    rows = [
        _row("AA-1", "Ontario"),  # another gazetteer row has it
        _row("AA-2", "Punjab"),
        _row("BB-2", "Punjab"),  # two subdivisions share it
        _row("AA-3", "Oyo"),  # too short
        _row("AA-4", "North East"),  # compass words only
        _row("AA-5", "Plateaux"),  # a landform word
        _row("AA-6", "Acre"),  # lower-case in Reuters: a word
        _row("AA-7", "Norfolk"),  # capitalised in Reuters, never with its country
        _row("AA-8", "Sichuan"),  # capitalised in Reuters, with its country
        _row("AA-9", "Kent"),  # two stories, neither labelled with its country
    ]
    counts = imp.CorpusCounts(
        lower=Counter({"Acre": 25}),
        stories=Counter({"Norfolk": 18, "Sichuan": 4, "Kent": 2}),
        agreeing=Counter({"Sichuan": 4}),
    )
    decided = {r.code: r for r in imp.decide(rows, frozenset({"Ontario"}), counts)}
    assert {code: r.status for code, r in decided.items()} == {
        "AA-1": "drop:listed", "AA-2": "drop:shared", "BB-2": "drop:shared",
        "AA-3": "drop:short", "AA-4": "drop:generic", "AA-5": "drop:generic",
        "AA-6": "drop:word", "AA-7": "drop:reuters", "AA-8": "keep", "AA-9": "drop:reuters",
    }  # fmt: skip
    assert decided["AA-7"].note == "auto:0 of 18 Reuters stories labelled XXX"
    assert decided["AA-8"].note == "auto:4 of 4 Reuters stories labelled XXX"
    # Without the corpus, names are judged by form alone.
    assert imp.decide([_row("AA-6", "Acre")], frozenset(), None)[0].status == "keep"


def test_corpus_counts_read_case_shouting_and_labels() -> None:
    stories = [
        ("Floods in Sichuan cut rail links.", frozenset({"CHN"})),
        ("SICHUAN OUTPUT FALLS\nOutput fell.", frozenset({"USA"})),
        ("An acre of land; the acre price.", frozenset()),
        ("Sheikh Ali al-Sabah said.", frozenset({"KWT"})),
    ]
    counts = imp.corpus_counts({"Sichuan": "CHN", "Acre": "BRA", "Sabah": "MYS"}, stories)
    assert (counts.stories["Sichuan"], counts.agreeing["Sichuan"]) == (2, 1)
    assert (counts.lower["Acre"], counts.stories["Acre"]) == (2, 0)
    # The tagger reads across a hyphen, so the audit does too.
    assert (counts.stories["Sabah"], counts.agreeing["Sabah"]) == (1, 0)


def test_merge_keeps_hand_edits_over_a_fresh_import() -> None:
    fresh = [
        imp.SubdivisionRow("AA-1", "XXX", "Land", "Bayern", ("Bayern",), "keep", "auto"),
        imp.SubdivisionRow("AA-2", "XXX", "Land", "Hessen", ("Hessen",), "keep", "auto"),
    ]
    hand = imp.SubdivisionRow(
        "AA-1", "XXX", "Land", "Bavaria", ("Bavaria", "Bayern"), "keep", "hand: English name"
    )
    stale = imp.SubdivisionRow("AA-2", "XXX", "Land", "Hessen", ("Hessen",), "drop:word", "auto")
    merged = imp.merge(fresh, [hand, stale])
    assert merged == [hand, fresh[1]]


def test_reviewed_file_is_sorted_decided_and_current() -> None:
    rows = _rows()
    codes = [r.code for r in rows]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    assert all(r.status == "keep" or r.status.startswith("drop:") for r in rows)
    assert all(r.note.startswith(("auto", "hand: ")) for r in rows)
    assert all(r.name in r.aliases for r in rows)
    known = {sub.code for sub in pycountry.subdivisions}
    assert {r.code for r in rows} <= known
    # Every hand drop says why.
    assert all(len(r.note) > len("hand: ") for r in rows if r.status == "drop:hand")


def test_subdivisions_reach_the_gazetteer_with_their_country() -> None:
    with bg.DATA_DIR.joinpath("gazetteer.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    by_surface = {s: r for r in rows for s in r["aliases"].split("|") if s}
    expected = {
        "Sulawesi": ("loc:iso3166-2-id-sl", "IDN"),
        "Antofagasta": ("loc:iso3166-2-cl-an", "CHL"),
        "Bavaria": ("loc:iso3166-2-de-by", "DEU"),
        "Nuevo Leon": ("loc:iso3166-2-mx-nle", "MEX"),
        "East Java": ("loc:iso3166-2-id-ji", "IDN"),
        "Odesa region": ("loc:iso3166-2-ua-51", "UKR"),
        "Sichuan": ("loc:iso3166-2-cn-sc", "CHN"),
    }
    assert {s: (by_surface[s]["entity_id"], by_surface[s]["country"]) for s in expected} == (
        expected
    )
    # Words, surnames and companies stay out; so do names of two places. (Kent and Sabah, also
    # names of people, are kept by hand and read only beside their country: ambiguous.tsv,
    # country-context.)
    for surface in ("Piedmont", "Norfolk", "Punjab", "Plateau"):
        assert by_surface.get(surface, {}).get("kind") != "subdivision", surface
    # Rows the curated files already had keep their ids (Ontario, Guangdong, Texas).
    assert by_surface["Ontario"]["entity_id"] == "loc:ontario"


def test_build_refuses_an_unknown_status() -> None:
    row = {"code": "AA-1", "country": "XXX", "type": "Land", "name": "X", "aliases": "X"}
    row |= {"status": "maybe", "note": ""}
    with pytest.raises(IntegrityError, match="status"):
        bg.subdivision_entities([row])


def test_bare_twin_drops_ayn_and_hamza_marks_but_not_elisions_or_possessives() -> None:
    assert bg.bare_twin("Ma'rib") == "Marib"
    assert bg.bare_twin("Al Bayda\N{RIGHT SINGLE QUOTATION MARK}") == "Al Bayda"
    assert bg.bare_twin("'Ajman") == "Ajman"
    assert bg.bare_twin("Nampo") is None  # nothing to drop
    assert bg.bare_twin("San'a'") is None  # `Sana`: too short to be safe
    assert bg.bare_twin("L'Hospitalet de Llobregat") is None
    assert bg.bare_twin("Cox's Bazar") is None
    assert bg.bare_twin("Reggio nell'Emilia") is None


def _sub(code: str, name: str, status: str, kind_type: str = "State") -> dict[str, str]:
    return {
        "code": code, "country": "XXX", "type": kind_type, "name": name, "aliases": name,
        "status": status, "note": "",
    }  # fmt: skip


def test_typed_forms_name_what_the_bare_name_cannot() -> None:
    rows = [
        _sub("AA-1", "Ma'rib", "keep", "Governorate"),
        _sub("AA-2", "Shan", "drop:hand"),  # a given name, but `Shan State` is the state
        _sub("AA-3", "Lagos", "drop:listed"),  # the port has `Lagos`, the state `Lagos State`
        _sub("AA-4", "Texas", "drop:listed"),  # the curated state row has it: nothing new
        _sub("AA-5", "Eastern", "drop:shared", "Region"),  # generic even when typed
        _sub("AA-6", "Punjab", "drop:shared", "Province"),
        _sub("BB-6", "Punjab", "drop:shared"),
    ]
    taken = {"Lagos": "port", "Texas": "us-state"}
    built = {e.entity_id: e.aliases for e in bg.subdivision_entities(rows, taken=taken)}
    assert built == {
        "loc:iso3166-2-aa-1": ("Ma'rib", "Ma\N{RIGHT SINGLE QUOTATION MARK}rib", "Marib"),
        "loc:iso3166-2-aa-2": ("Shan State",),
        "loc:iso3166-2-aa-3": ("Lagos State",),
        "loc:iso3166-2-aa-6": ("Punjab Province",),
        "loc:iso3166-2-bb-6": ("Punjab State",),
    }


def test_a_subdivisions_type_after_its_name_is_part_of_it() -> None:
    rows = _tag("Trucks left Kano State for Marib Governorate, Shan State and Moscow Oblast.")
    assert [(m["text"], m["entity_id"]) for m in rows] == [
        ("Kano State", "loc:iso3166-2-ng-kn"),
        ("Marib Governorate", "loc:iso3166-2-ye-ma"),
        ("Shan State", "loc:iso3166-2-mm-17"),
        ("Moscow Oblast", "loc:iso3166-2-ru-mos"),
    ]
    # Lower case, the type is a word after the name (`Kano state`).
    assert [m["text"] for m in _tag("Farmers in Kano state said.")] == ["Kano"]


def _tag(body: str, *, minor_towns: bool = False) -> list[dict[str, object]]:
    texts = pl.DataFrame(
        {"doc": pl.Series([0], dtype=pl.UInt32), "field": ["body"], "text": [body]}
    )
    gazetteer = _gazetteer(minor_towns=minor_towns)
    return list(tag(texts, gazetteer).mentions.iter_rows(named=True))


def test_a_province_is_a_location_that_lends_its_country() -> None:
    rows = _tag("Customs will scan every bulk shipment leaving Sulawesi and East Java.")
    assert [(m["text"], m["label"], m["country"]) for m in rows] == [
        ("Sulawesi", "LOCATION", "IDN"),
        ("East Java", "LOCATION", "IDN"),
    ]


def test_a_river_names_no_country_and_a_cape_names_its_own() -> None:
    rows = _tag("Barges unload at Izmail on the Danube; ships sail round the Cape of Good Hope.")
    assert [(m["text"], m["country"]) for m in rows] == [
        ("Izmail", "UKR"),
        ("Danube", None),
        ("Cape of Good Hope", "ZAF"),
    ]


def _town(geonameid: int, country: str, name: str, population: int) -> import_towns.Town:
    return import_towns.Town(geonameid, country, name, population)


def test_a_shared_town_name_goes_to_a_dominant_town_or_to_one_countrys_or_to_none() -> None:
    towns = [
        _town(1, "ARG", "Rosario", 948_312),
        _town(2, "PHL", "Rosario", 128_352),
        _town(3, "USA", "Portland", 652_503),
        _town(4, "USA", "Portland", 203_914),
        _town(5, "CMR", "Kribi", 93_482),  # under the population floor
        _town(6, "CMR", "Ngaound\u00e9r\u00e9", 238_196),
        _town(7, "IND", "Hyderabad", 6_993_262),
        _town(8, "PAK", "Hyderabad", 1_921_275),
    ]
    rows = import_towns.candidates(towns)
    # (two Portlands of one country: the larger's, as the place is American either way)
    assert [(r.code, r.country, r.aliases) for r in rows] == [
        ("GN-1", "ARG", ("Rosario",)),
        ("GN-3", "USA", ("Portland",)),
        ("GN-6", "CMR", ("Ngaound\u00e9r\u00e9", "Ngaoundere")),
        ("GN-7", "IND", ("Hyderabad",)),
        ("GN-8", "PAK", ("Hyderabad",)),
    ]
    # Two holders of one name in two countries are both `shared`, so neither is tagged.
    decided = {r.code: r.status for r in imp.decide(rows, frozenset(), None)}
    assert decided == {
        "GN-1": "keep",
        "GN-3": "keep",
        "GN-6": "keep",
        "GN-7": "drop:shared",
        "GN-8": "drop:shared",
    }


def test_towns_are_read_by_their_english_and_wire_names_too() -> None:
    # GeoNames gives the local name (`Köln`, `Gent`, `Århus`); news writes the English one,
    # and wires the German ASCII spelling (`Duesseldorf`). Gazetteer 2026.11.48.
    rows = _tag(
        "Trucks from Cologne, Duesseldorf and Ludwigshafen reached Ghent, Bruges and Aarhus; "
        "Hull and Aberdeen ferries sailed; Britain and Germany said so."
    )
    assert [(m["text"], m["country"]) for m in rows] == [
        ("Cologne", "DEU"),
        ("Duesseldorf", "DEU"),
        ("Ludwigshafen", "DEU"),
        ("Ghent", "BEL"),
        ("Bruges", "BEL"),
        ("Aarhus", "DNK"),
        ("Hull", "GBR"),
        ("Aberdeen", "GBR"),
        ("Britain", "GBR"),
        ("Germany", "DEU"),
    ]
    # (Hull, Aberdeen, Hanover, Florence and Venice only beside their country)
    assert _tag("Manufacturers Hanover and Cordell Hull met in Aberdeen.") == []
    ports = _tag("Grain left Mykolaiv for Jubail and Port Elizabeth; Belarus rail runs via Brest.")
    assert [(m["text"], m["country"]) for m in ports] == [
        ("Mykolaiv", "UKR"),
        ("Jubail", "SAU"),
        ("Port Elizabeth", "ZAF"),
        ("Belarus", "BLR"),
        ("Brest", "BLR"),
    ]
    older = _tag("LNG left Arzew for Leningrad; cars reached Vizag, Xian and Kishinev.")
    assert [(m["text"], m["entity_id"]) for m in older] == [
        ("Arzew", "loc:geonames-2506385"),
        ("Leningrad", "loc:st-petersburg"),
        ("Vizag", "loc:geonames-1253102"),
        ("Xian", "loc:geonames-1790630"),
        ("Kishinev", "loc:chisinau"),
    ]
    # Every German- and Danish-speaking country's name spelled without its letters is read
    # too (`gazetteer._SPELLED_OUT`), not only the hand-listed ones.
    # (and in ALL CAPS, as wire headlines write them)
    assert [m["text"] for m in _tag("TRUCKS LEAVE DUESSELDORF FOR AALBORG")] == [
        "DUESSELDORF",
        "AALBORG",
    ]
    spelled = _tag("Trains left Muenster, Baden-Wuerttemberg and Aalborg.")
    assert [(m["text"], m["entity_id"]) for m in spelled] == [
        ("Muenster", "loc:geonames-2867543"),
        ("Baden-Wuerttemberg", "loc:iso3166-2-de-bw"),
        ("Aalborg", "loc:geonames-2624886"),
    ]


def test_towns_reach_the_gazetteer_and_lend_their_country() -> None:
    rows = _tag("Grain moves from Hermosillo to Nador; trucks queue at Ngaound\u00e9r\u00e9.")
    assert [(m["text"], m["country"]) for m in rows] == [
        ("Hermosillo", "MEX"),
        ("Nador", "MAR"),
        ("Ngaound\u00e9r\u00e9", "CMR"),
    ]
    with bg.DATA_DIR.joinpath("gazetteer.tsv").open(encoding="utf-8", newline="") as handle:
        kinds = {
            s: r["kind"]
            for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            for s in r["aliases"].split("|")
        }
    # Surnames, words and namesakes stay out (by Reuters-21578 or by hand).
    for surface in ("George", "Nigel", "Mobile", "Split", "Preston", "Beni", "Bristol"):
        assert kinds.get(surface) != "town", surface
    # Trade cities whose names Reuters-21578 uses for others (`Rosario`: three stories, none
    # Argentine), or that are given names (`Florence`), are towns read only beside their
    # country (ambiguous.tsv).
    assert kinds.get("Rosario") == "town"
    assert kinds.get("Florence") == "town"
    assert _tag("Florence Nightingale wrote.") == []
    assert [m["text"] for m in _tag("A Florence, Italy-based distributor.")] == [
        "Florence",
        "Italy",
    ]


def test_review_writes_the_decided_rows_and_keeps_hand_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "towns.tsv"
    hand = imp.SubdivisionRow("GN-2", "XXX", "1", "Preston", ("Preston",), "drop:hand", "hand: x")
    out.write_text(imp.render([hand]), encoding="utf-8")
    fresh = [_row("GN-10", "Ontario"), _row("GN-2", "Preston"), _row("GN-3", "Nador")]
    ontario = bg.Entity("loc:ontario", "LOCATION", "Ontario", "CAN", "province", ("Ontario",))
    rows = imp.review(fresh, [ontario], tmp_path / "no-corpus", out, key=lambda r: r.code)
    assert [(r.code, r.status) for r in rows] == [
        ("GN-10", "drop:listed"), ("GN-2", "drop:hand"), ("GN-3", "keep"),
    ]  # fmt: skip
    assert imp.read_rows(out) == rows
    assert "words are not checked" in capsys.readouterr().err


def test_reuters_contexts_mark_persons_and_companies() -> None:
    stories = [
        "Wright said the plan would pass. Mr Moore told reporters. J. Walker, chairman of the "
        "board, agreed; Asahi Chemical Co rose. Stuart Eizenstat said so. Kenosha plant closed.",
    ]
    people = import_towns.person_or_company_names(stories)
    for name in ("Wright", "Moore", "Walker", "Asahi", "Stuart", "Eizenstat"):
        assert people[name] >= 1, name
    assert people["Kenosha"] == 0


def test_minor_tier_drops_persons_and_names_that_hold_another() -> None:
    rows = [
        replace(_row("GN-1", "Wright", "USA"), status="keep", note="auto"),
        replace(_row("GN-2", "Atlantic City", "USA"), status="keep", note="auto"),
        replace(_row("GN-3", "Zouérat", "MRT"), status="keep", note="auto"),
        replace(_row("GN-4", "Moore", "USA"), status="keep", note="hand: kept"),
    ]
    people = Counter({"Wright": 3, "Moore": 5})
    checked = {
        r.code: r.status for r in import_towns.minor_checks(rows, frozenset({"Atlantic"}), people)
    }
    assert checked == {
        "GN-1": "drop:person",
        "GN-2": "drop:contains",
        "GN-3": "keep",
        "GN-4": "keep",  # a hand row is never re-decided
    }


def test_a_minor_town_is_read_only_beside_its_country() -> None:
    assert _tag("Trucks reached Zouérat and Kenosha.", minor_towns=True) == []
    rows = _tag("Mauritanian trucks reached Zouérat and Kenosha.", minor_towns=True)
    assert [(m["text"], m["country"]) for m in rows] == [
        ("Mauritanian", "MRT"),
        ("Zouérat", "MRT"),
    ]
    # A minor town is no evidence for the us-state rule: Georgia stays the country.
    rows = _tag("Kenosha and Georgia signed a wheat deal.", minor_towns=True)
    assert [(m["text"], m["label"]) for m in rows] == [("Georgia", "COUNTRY")]
    # Without the flag they are not read at all, and the version says which list tagged.
    assert [m["text"] for m in _tag("Mauritanian trucks reached Zouérat.")] == ["Mauritanian"]
    assert _gazetteer(minor_towns=True).version == _gazetteer().version + "+minor-towns"


def _place(entity_id: str, name: str, country: str, kind: str) -> bg.Entity:
    return bg.Entity(entity_id, "LOCATION", name, country, kind, (name,))


# A row of curated/namesakes.tsv as `read_table` gives it: Gaya (India) and Niger's Gaya.
_GAYA_NER = {
    "entity_id": "loc:geonames-1",
    "name": "Gaya",
    "country": "IND",
    "namesake_id": "loc:geonames-2",
    "namesake_name": "Gaya",
    "namesake_country": "NER",
    "population": "61533",
    "status": "keep",
    "note": "auto:GeoNames cities15000",
}


def test_namesakes_are_towns_abroad_big_enough_for_their_owner() -> None:
    towns = [
        _town(1, "IND", "Gaya", 474_093),
        _town(2, "NER", "Gaya", 61_533),
        _town(3, "NGA", "Gaya", 20_959),  # under a tenth of the owner's people
        _town(4, "GBR", "Boston", 45_339),  # under a tenth of Boston's people
        _town(5, "USA", "Boston", 667_137),
        _town(6, "USA", "Paris", 24_782),  # too small for a capital's namesake
        _town(7, "LBN", "Tripoli", 229_398),
        _town(8, "CUB", "Florida", 63_007),  # a region has none
        _town(9, "NER", "Gaya", 16_000),  # a smaller town of a country already listed
    ]
    entities = [
        _place("loc:geonames-1", "Gaya", "IND", "town"),
        _place("loc:geonames-5", "Boston", "USA", "town"),
        _place("loc:paris", "Paris", "FRA", "capital"),
        _place("loc:tripoli", "Tripoli", "LBY", "capital"),
        _place("loc:us-florida", "Florida", "USA", "us-state"),
    ]
    rows = import_namesakes.namesake_rows(entities, towns)
    assert [(r.entity_id, r.namesake_id, r.namesake_country) for r in rows] == [
        ("loc:geonames-1", "loc:geonames-2", "NER"),
        ("loc:tripoli", "loc:geonames-7", "LBN"),
    ]
    # A hand decision survives the next import, and so does a hand row the import lost.
    hand = _GAYA_NER | {"status": "drop:venue", "note": "hand: a test"}
    lost = hand | {"namesake_id": "loc:geonames-99", "note": "hand: gone"}
    merged = import_namesakes.merge(rows, [hand, lost])
    assert [(r.namesake_id, r.status) for r in merged] == [
        ("loc:geonames-2", "drop:venue"),
        ("loc:geonames-99", "drop:venue"),
        ("loc:geonames-7", "keep"),
    ]


def test_build_renders_kept_namesakes_and_refuses_wrong_ones() -> None:
    entities = [_place("loc:geonames-1", "Gaya", "IND", "town")]
    row = _GAYA_NER
    dropped = row | {"namesake_id": "loc:geonames-3", "status": "drop:venue"}
    assert bg.render_namesakes([row, dropped], entities).splitlines() == [
        "entity_id\tnamesake_id\tname\tcountry\tpopulation",
        "loc:geonames-1\tloc:geonames-2\tGaya\tNER\t61533",
    ]
    # A namesake that is a gazetteer entity must have the owner's country and label.
    entities.append(bg.Entity("org:gaya", "ORG", "Gaya", "NER", "company", ("Gaya",)))
    for wrong in (
        row | {"status": "maybe"},
        row | {"entity_id": "loc:nowhere"},
        row | {"namesake_country": "IND"},
        row | {"namesake_id": "org:gaya"},
    ):
        with pytest.raises(IntegrityError):
            bg.render_namesakes([wrong], entities)
    # Owners need not be places: several countries named their single window `TradeNet`.
    system = bg.Entity("prog:tradenet", "PROGRAMME", "TradeNet", "SGP", "system", ("TradeNet",))
    twin = bg.Entity("prog:tradenet-mu", "PROGRAMME", "TradeNet", "MUS", "system", ("X",))
    tradenet = row | {
        "entity_id": "prog:tradenet",
        "namesake_id": "prog:tradenet-mu",
        "namesake_country": "MUS",
    }
    assert bg.render_namesakes([tradenet], [system, twin]).splitlines()[1:] == [
        "prog:tradenet\tprog:tradenet-mu\tGaya\tMUS\t61533"
    ]
    # The committed table's owners and namesakes load with the gazetteer.
    table = load_gazetteer().namesakes
    assert table.filter(pl.col("entity_id") == "loc:geonames-1271439").height >= 1
