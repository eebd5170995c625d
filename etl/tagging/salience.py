"""Country salience: how strongly each country figures in an article, as a score in [0, 1].

An article names many countries; analysts usually want the few it is *about*. Three signals,
each in [0, 1], are weighted into the score (weights sum to 1):

- **headline** (weight 0.45): the country is named in the headline (directly, by demonym or
  through one of its entities, such as `China Customs`).
- **mentions** (weight 0.35): its number of mentions relative to the most-mentioned country
  of the article (so the most-mentioned country gets the full weight).
- **position** (weight 0.20): how early its first mention comes in the body: 1 at the very
  start, falling linearly to 0 at the end; a country named only in the headline gets 1.

A country named once in passing near the end of a long body scores about 0.05-0.15; the
subject of a story (in the headline, mentioned most, early) scores close to 1.
"""

from __future__ import annotations

import polars as pl

__all__ = ["HEADLINE_WEIGHT", "MENTIONS_WEIGHT", "POSITION_WEIGHT", "country_salience"]

HEADLINE_WEIGHT = 0.45
MENTIONS_WEIGHT = 0.35
POSITION_WEIGHT = 0.20

#: Columns of the frame `country_salience` returns, one row per (doc, country).
SALIENCE_COLUMNS = ("doc", "country", "mentions", "in_headline", "score")


def country_salience(mentions: pl.DataFrame, body_chars: pl.DataFrame) -> pl.DataFrame:
    """Return one row per (doc, country): mentions (Int32), in_headline, score (Float64).

    `mentions`: doc, field, start, country (null rows are ignored). `body_chars`: doc and
    `n` (the body's length in code points).
    """
    per_country = (
        mentions.filter(pl.col("country").is_not_null())
        .join(body_chars, on="doc", how="left")
        .group_by("doc", "country")
        .agg(
            mentions=pl.len().cast(pl.Int32),
            in_headline=(pl.col("field") == "headline").any(),
            first=pl.col("start").filter(pl.col("field") == "body").min()
            / pl.col("n").first().clip(lower_bound=1),
        )
    )
    position = (1.0 - pl.col("first").clip(0.0, 1.0)).fill_null(1.0)
    share = pl.col("mentions") / pl.col("mentions").max().over("doc")
    score = (
        HEADLINE_WEIGHT * pl.col("in_headline").cast(pl.Float64)
        + MENTIONS_WEIGHT * share
        + POSITION_WEIGHT * position
    )
    return per_country.select(
        "doc",
        "country",
        "mentions",
        "in_headline",
        score=score.clip(0.0, 1.0).round(6),
    ).sort(["doc", "score", "country"], descending=[False, True, False])
