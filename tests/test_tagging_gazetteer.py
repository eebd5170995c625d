"""Loading the gazetteer: headers read by name, surface variants, rules and themes prepared."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from etl.errors import InputError
from etl.tagging import load_gazetteer
from etl.tagging.gazetteer import RULE_CAPS_WORD, RULE_GIVEN_NAME, RULE_US_STATE

SEED_HEADER = "entity_id\tlabel\tname\tcountry\taliases"
FULL_HEADER = "entity_id\tlabel\tname\tcountry\tkind\taliases\tdemonyms"


def _data(tmp_path: Path, header: str, *rows: str, **files: str) -> Path:
    """Write a tiny data folder: VERSION, gazetteer.tsv and any other named files."""
    (tmp_path / "VERSION").write_text("9.9.9\n", encoding="utf-8")
    (tmp_path / "gazetteer.tsv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    for name, text in files.items():
        (tmp_path / name.replace("_", ".")).write_text(text, encoding="utf-8")
    return tmp_path


def _entity_of(patterns: pl.DataFrame) -> dict[str, str]:
    rows = patterns.filter(pl.col("entity_id").is_not_null()).select("pattern", "entity_id")
    return dict(rows.iter_rows())


def test_seed_header_without_kind_and_demonyms_loads(tmp_path: Path) -> None:
    gazetteer = load_gazetteer(
        _data(tmp_path, SEED_HEADER, "org:wco\tORG\tWorld Customs Organization\t\tWCO")
    )
    assert gazetteer.version == "9.9.9"
    assert _entity_of(gazetteer.patterns) == {
        "World Customs Organization": "org:wco",
        "WORLD CUSTOMS ORGANIZATION": "org:wco",
        "WCO": "org:wco",
    }


def test_full_header_adds_demonyms_and_variants(tmp_path: Path) -> None:
    gazetteer = load_gazetteer(
        _data(
            tmp_path,
            FULL_HEADER,
            "country:KOR\tCOUNTRY\tSouth Korea\tKOR\tcountry\tRepublic of Korea\tSouth Korean",
            "prog:trs\tPROGRAMME\tTime Release Study\t\ttool\tTime Release Study|TRS\t",
            "instr:mra\tINSTRUMENT\tMutual Recognition Arrangement\t\tagreement\tMRA\t",
        )
    )
    patterns = gazetteer.patterns
    entity_of = _entity_of(patterns)
    for form in ("South Korea", "SOUTH KOREA", "Republic of Korea", "Republic Of Korea"):
        assert entity_of[form] == "country:KOR"
    assert entity_of["Time Release Studies"] == entity_of["TRS"] == "prog:trs"
    assert entity_of["Mutual Recognition Arrangements"] == entity_of["MRAs"] == "instr:mra"
    demonym = patterns.filter(pl.col("pattern") == "South Korean").row(0, named=True)
    assert (demonym["source"], demonym["country"]) == ("gazetteer:demonym", "KOR")
    # Longest first: the order polars' leftmost-first matching needs for leftmost-longest.
    lengths = gazetteer.pattern_list.str.len_chars().to_list()
    assert lengths == sorted(lengths, reverse=True)


def test_generic_tails_and_possessive_aliases_are_not_patterns(tmp_path: Path) -> None:
    gazetteer = load_gazetteer(
        _data(
            tmp_path,
            FULL_HEADER,
            "country:BRA\tCOUNTRY\tBrazil\tBRA\tcountry\tBrazil\t",
            "org:rfb\tORG\tReceita Federal\tBRA\tcustoms\tBrazil's Federal Revenue\t",
            "prog:aeo\tPROGRAMME\tAEO programme\t\tprogramme\tAEO programme|AEO\t",
        )
    )
    patterns = set(gazetteer.pattern_list)
    assert {"Receita Federal", "AEO"} <= patterns
    assert not {"Brazil's Federal Revenue", "AEO programme", "AEO programmes"} & patterns


def test_ambiguity_rules_come_from_a_rule_column_or_the_notes(tmp_path: Path) -> None:
    notes = "alias\tnote\nUS\tthe pronoun in ALL-CAPS headlines\nChad\talso a given name\n"
    notes += "Georgia\talso the US state\nCongo\ttwo countries\n"
    gazetteer = load_gazetteer(_data(tmp_path, SEED_HEADER, ambiguous_tsv=notes))
    rules = dict(gazetteer.patterns.select("pattern", "rule").drop_nulls().iter_rows())
    assert rules == {}  # none of these forms is a pattern of this gazetteer
    rows = "country:USA\tCOUNTRY\tUS\tUSA\tUS", "country:TCD\tCOUNTRY\tChad\tTCD\tChad"
    gazetteer = load_gazetteer(_data(tmp_path, SEED_HEADER, *rows, ambiguous_tsv=notes))
    rules = dict(gazetteer.patterns.select("pattern", "rule").drop_nulls().iter_rows())
    # (the ALL-CAPS form of a surface is a pattern of its own, with the same rule)
    assert rules == {"US": RULE_CAPS_WORD, "Chad": RULE_GIVEN_NAME, "CHAD": RULE_GIVEN_NAME}
    explicit = "alias\trule\nChad\tus-state\n"
    gazetteer = load_gazetteer(_data(tmp_path, SEED_HEADER, *rows, ambiguous_tsv=explicit))
    rules = dict(gazetteer.patterns.select("pattern", "rule").drop_nulls().iter_rows())
    assert rules == {"Chad": RULE_US_STATE, "CHAD": RULE_US_STATE}


def test_theme_triggers_match_in_every_case_and_inside_names(tmp_path: Path) -> None:
    themes = "theme_id\tname\ttriggers\ntf\tTrade facilitation\ttrade facilitation|single window\n"
    gazetteer = load_gazetteer(
        _data(
            tmp_path,
            SEED_HEADER,
            "instr:tfa\tINSTRUMENT\tTrade Facilitation Agreement\t\tTFA",
            themes_tsv=themes,
        )
    )
    themed = dict(
        gazetteer.patterns.filter(pl.col("themes").list.len() > 0)
        .select("pattern", pl.col("themes").list.join(","))
        .iter_rows()
    )
    for form in (
        "trade facilitation",
        "Trade Facilitation",
        "TRADE FACILITATION",
        "single windows",
    ):
        assert themed[form] == "tf"
    assert themed["Trade Facilitation Agreement"] == "tf"
    assert "TFA" not in themed


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        ("entity_id\tlabel\tname", "org:x\tORG\tX", "missing column"),
        (SEED_HEADER, "org:x\tTHING\tX\t\tX", "unknown label"),
        (SEED_HEADER, "org:x\tORG\tX\t\tX\norg:x\tORG\tY\t\tY", "duplicate entity_id"),
    ],
)
def test_bad_gazetteer_files_are_clear_errors(
    tmp_path: Path, header: str, row: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        load_gazetteer(_data(tmp_path, header, row))


def test_missing_version_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="VERSION"):
        load_gazetteer(tmp_path)


def test_package_gazetteer_has_a_version_and_the_head_words() -> None:
    gazetteer = load_gazetteer()
    assert gazetteer.version
    heads = gazetteer.patterns.filter(pl.col("head").is_not_null())["pattern"].to_list()
    assert {"Customs", "Authority", "Programme", "Agreement", "Standards"} <= set(heads)
