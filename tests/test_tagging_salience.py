"""Country salience: headline, mentions, position and lead make a score in [0, 1]."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from etl.tagging.salience import (
    HEADLINE_WEIGHT,
    LEAD_WEIGHT,
    MENTIONS_WEIGHT,
    PLACES_ONLY_FACTOR,
    POSITION_WEIGHT,
    country_salience,
)


def _mention(
    country: str, start: int, field: str = "body", label: str = "COUNTRY"
) -> dict[str, object]:
    return {"doc": 0, "field": field, "start": start, "label": label, "country": country}


def _ranked(*mentions: dict[str, object], n: int = 1000, lead: int = 100) -> pl.DataFrame:
    """Return `country_salience` of one article's `mentions` (body of `n` chars, lead `lead`)."""
    frame = pl.DataFrame(
        list(mentions),
        schema={
            "doc": pl.UInt32,
            "field": pl.String,
            "start": pl.Int64,
            "label": pl.String,
            "country": pl.String,
        },
    )
    body = pl.DataFrame(
        {"doc": [0], "n": [n], "lead": [lead]},
        schema={"doc": pl.UInt32, "n": pl.Int64, "lead": pl.Int64},
    )
    return country_salience(frame, body)


def _salience(
    *mentions: dict[str, object], n: int = 1000, lead: int = 100
) -> dict[str, dict[str, Any]]:
    return {row["country"]: row for row in _ranked(*mentions, n=n, lead=lead).iter_rows(named=True)}


def test_weights_sum_to_one() -> None:
    total = HEADLINE_WEIGHT + MENTIONS_WEIGHT + POSITION_WEIGHT + LEAD_WEIGHT
    assert total == pytest.approx(1.0)


def test_the_subject_of_a_story_scores_one() -> None:
    scores = _salience(_mention("JPN", 0, "headline"), _mention("JPN", 0), _mention("JPN", 50))
    assert scores["JPN"]["score"] == pytest.approx(1.0)
    assert (scores["JPN"]["mentions"], scores["JPN"]["in_headline"]) == (3, True)


def test_a_late_passing_mention_scores_low_and_ranks_last() -> None:
    scores = _salience(
        _mention("USA", 0, "headline"),
        _mention("USA", 10),
        _mention("USA", 200),
        _mention("FRA", 900),
    )
    # One mention against three of the USA, first at 90% of the body, after the lead.
    assert scores["FRA"]["score"] == pytest.approx(MENTIONS_WEIGHT / 3 + POSITION_WEIGHT * 0.1)
    assert scores["USA"]["score"] > scores["FRA"]["score"]
    ranked = _ranked(_mention("USA", 10), _mention("FRA", 900))
    assert ranked["country"].to_list() == ["USA", "FRA"]


def test_the_lead_adds_its_weight() -> None:
    early = _salience(_mention("DEU", 50), lead=100)["DEU"]["score"]
    late = _salience(_mention("DEU", 50), lead=10)["DEU"]["score"]
    assert early - late == pytest.approx(LEAD_WEIGHT)


def test_a_country_known_only_through_its_places_gets_half() -> None:
    city = _salience(_mention("CHE", 0, label="LOCATION"))["CHE"]["score"]
    country = _salience(_mention("CHE", 0))["CHE"]["score"]
    assert city == pytest.approx(country * PLACES_ONLY_FACTOR)


def test_mentions_without_a_country_are_ignored() -> None:
    mention = {"doc": 0, "field": "body", "start": 0, "label": "ORG", "country": None}
    assert _salience(mention, n=10, lead=5) == {}
