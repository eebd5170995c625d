"""Transform: records in, articles and entity mentions out, in the contract's schemas."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.extract import RECORD_SCHEMA, parse_text
from etl.tagging import Gazetteer, load_gazetteer
from etl.transform import ARTICLE_SCHEMA, ENTITY_SCHEMA, enrich
from schemas import arrow

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw" / "000_2da8245de02aa76e.txt"


@cache
def _gazetteer() -> Gazetteer:
    return load_gazetteer()


@cache
def _sample() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    records = parse_text(SAMPLE.read_text(encoding="utf-8"), SAMPLE.name).records
    articles, entities = enrich(records, _gazetteer())
    return records, articles, entities


def _records(*articles: tuple[str, str]) -> pl.DataFrame:
    """Return a records frame of (headline, body) pairs through the real Extract stage."""
    text = "".join(f"{h}\n\n{h}\n\n{b}\n\n" for h, b in articles)
    return parse_text(text, "test.txt").records


def _check_offsets(articles: pl.DataFrame) -> int:
    n = 0
    for row in articles.iter_rows(named=True):
        for m in row["entities"]:
            assert row[m["field"]][m["start"] : m["end"]] == m["text"]
            n += 1
    return n


def test_outputs_have_exactly_the_contract_columns_and_types() -> None:
    _, articles, entities = _sample()
    assert articles.schema == ARTICLE_SCHEMA
    assert entities.schema == ENTITY_SCHEMA
    assert articles.columns == arrow.ARTICLES.names
    assert entities.columns == arrow.ENTITIES.names
    assert articles.to_arrow().cast(arrow.ARTICLES).schema == arrow.ARTICLES
    assert entities.to_arrow().cast(arrow.ENTITIES).schema == arrow.ENTITIES


def test_rows_keep_the_input_order_and_columns() -> None:
    records, articles, _ = _sample()
    shared = [c for c in RECORD_SCHEMA.names() if c in articles.columns]
    assert articles.select(shared).equals(records.select(shared))


def test_sample_mexico_hong_kong_countries() -> None:
    _, articles, _ = _sample()
    row = articles.filter(pl.col("headline").str.starts_with("Mexico Hong Kong")).row(0, named=True)
    assert row["countries"] == ["HKG", "MEX"]


def test_sample_wco_long_and_short_forms_share_one_id() -> None:
    _, _, entities = _sample()
    ids = entities.filter(pl.col("text").is_in(["World Customs Organization", "WCO"]))
    assert ids["entity_id"].n_unique() == 1
    assert set(ids["text"]) == {"World Customs Organization", "WCO"}


def test_every_sample_mention_points_at_its_text() -> None:
    _, articles, entities = _sample()
    assert _check_offsets(articles) == entities.height > 50


def test_entities_are_ordered_by_field_then_start_and_match_the_long_frame() -> None:
    _, articles, entities = _sample()
    for row in articles.iter_rows(named=True):
        keys = [(m["field"], m["start"]) for m in row["entities"]]
        assert keys == sorted(keys)
    nested = articles.select("article_id", "entities").explode("entities").unnest("entities")
    flat = entities.select(nested.columns)
    assert nested.sort("article_id", "field", "start").equals(
        flat.sort("article_id", "field", "start")
    )


def test_list_columns_are_sorted_unique_and_consistent() -> None:
    _, articles, entities = _sample()
    for row in articles.iter_rows(named=True):
        for column in ("countries", "organizations", "themes"):
            assert row[column] == sorted(set(row[column]))
        mentioned = entities.filter(pl.col("article_id") == row["article_id"])
        assert row["countries"] == sorted(set(mentioned["country"].drop_nulls()))
        orgs = mentioned.filter(pl.col("label") == "ORG")["entity_id"]
        assert row["organizations"] == sorted(set(orgs))
        salience = row["country_salience"]
        assert [s["country"] for s in salience] == sorted(
            row["countries"],
            key=lambda c: (-next(s["score"] for s in salience if s["country"] == c), c),
        )
        assert all(0.0 <= s["score"] <= 1.0 for s in salience)


def test_china_customs_reaches_countries_through_its_country() -> None:
    _, articles, entities = _sample()
    row = articles.filter(pl.col("headline").str.starts_with("China Customs")).row(0, named=True)
    first = entities.filter(pl.col("article_id") == row["article_id"]).row(0, named=True)
    assert (first["text"], first["label"], first["country"]) == ("China Customs", "ORG", "CHN")
    assert row["countries"] == ["CHN"]


def test_an_article_without_mentions_gets_empty_lists() -> None:
    articles, entities = enrich(_records(("Quiet Day", "Nothing happened at all.")), _gazetteer())
    assert entities.height == 0
    row = articles.row(0, named=True)
    assert [row[c] for c in ("entities", "countries", "country_salience", "organizations")] == [
        [],
        [],
        [],
        [],
    ]


def test_no_records_give_empty_frames_of_the_right_schemas() -> None:
    articles, entities = enrich(pl.DataFrame(schema=RECORD_SCHEMA), _gazetteer())
    assert (articles.height, entities.height) == (0, 0)
    assert articles.schema == ARTICLE_SCHEMA
    assert entities.schema == ENTITY_SCHEMA


def test_same_input_same_output() -> None:
    records, articles, entities = _sample()
    again_articles, again_entities = enrich(records, _gazetteer())
    assert again_articles.equals(articles)
    assert again_entities.equals(entities)


NAMES = [
    "World Customs Organization",
    "WCO",
    "Côte d'Ivoire",
    "Türkiye",
    "China Customs",
    "Japan's",
    "Papua New Guinea",
    "U.S.",
    "Kenya Revenue Authority (KRA)",
    "São Paulo",
]
FILLER = st.text(
    alphabet=st.sampled_from(list("abc XYZ.,;()'-éüİ\u0131\u00a0\u2019\u00e9\U0001f600")),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(
    pieces=st.lists(st.tuples(FILLER, st.sampled_from(NAMES)), min_size=1, max_size=8), tail=FILLER
)
def test_every_mention_points_at_its_text_in_random_text(
    pieces: list[tuple[str, str]], tail: str
) -> None:
    body = "".join(f"{filler} {name} " for filler, name in pieces) + tail
    records = _records(("Customs Update Today", body.strip() or "x"))
    articles, entities = enrich(records, _gazetteer())
    assert _check_offsets(articles) == entities.height
    assert (entities["end"] - entities["start"]).to_list() == entities[
        "text"
    ].str.len_chars().to_list()
