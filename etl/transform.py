"""Transform: records in, analytics rows out (entities, countries, organizations, themes).

`enrich` is a pure function of one batch and the gazetteer: it tags the headline and body of
every record (`etl.tagging.tag`), then folds the mentions into the list columns of
`articles.parquet` and the long `entities.parquet` frame. Rows keep the input order.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from etl.tagging import Gazetteer, tag
from etl.tagging.salience import country_salience
from schemas import arrow
from schemas.records import EntityLabel

__all__ = ["ARTICLE_SCHEMA", "ENTITY_SCHEMA", "enrich"]


def _polars_schema(schema: pa.Schema) -> pl.Schema:
    """Return the polars schema of an empty table with the Arrow `schema`."""
    return pl.from_arrow(schema.empty_table()).schema  # type: ignore[union-attr]


#: Polars dtypes of the two frames `enrich` returns, in column order.
ARTICLE_SCHEMA = _polars_schema(arrow.ARTICLES)
ENTITY_SCHEMA = _polars_schema(arrow.ENTITIES)

_FIELDS = ("headline", "body")


def _texts(records: pl.DataFrame) -> pl.DataFrame:
    """Return one row per (doc, field): the texts the tagger reads."""
    return pl.concat(
        [
            records.select(
                pl.int_range(pl.len(), dtype=pl.UInt32).alias("doc"),
                field=pl.lit(field),
                text=pl.col(field),
            )
            for field in _FIELDS
        ]
    )


def _sorted_sets(frame: pl.DataFrame, value: str, column: str) -> pl.DataFrame:
    """Return (doc, column): the sorted, unique `value`s of each doc."""
    # One global unique and sort, then grouping in order: cheaper than sorting every group.
    return (
        frame.select("doc", value)
        .unique()
        .sort("doc", value)
        .group_by("doc", maintain_order=True)
        .agg(pl.col(value).alias(column))
    )


def enrich(records: pl.DataFrame, gazetteer: Gazetteer) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (articles, entities) for `records` (RECORD_SCHEMA), rows in the input order."""
    tagged = tag(_texts(records), gazetteer)
    mentions = tagged.mentions  # sorted by doc, field ("body" < "headline"), start
    struct = pl.struct(
        "text",
        "label",
        "entity_id",
        "name",
        "field",
        pl.col("start").cast(pl.Int32),
        pl.col("end").cast(pl.Int32),
    )
    body_chars = records.select(
        doc=pl.int_range(pl.len(), dtype=pl.UInt32),
        n=pl.col("body").str.len_chars(),
        # The first sentence ends at the first full stop before a capital (the body is ASCII
        # or not: `str.find` counts bytes, a close enough cut for a lead).
        lead=pl.col("body")
        .str.find(r"[.!?][\"')\x{201D}]? [\p{Lu}\"\x{201C}]")
        .fill_null(pl.col("body").str.len_bytes()),
    )
    salience = country_salience(mentions, body_chars)
    org = pl.col("label") == EntityLabel.ORG.value
    lists = [
        # The tagger returns the mentions sorted by doc: grouping takes the sorted fast path.
        mentions.set_sorted("doc").group_by("doc", maintain_order=True).agg(entities=struct),
        # The salience frame has one row per (doc, country), sorted by doc: its countries are
        # the article's, so one grouping of its ~6,000 rows gives both columns (not a unique
        # and sort of the ~26,000 mentions with a country, and one join less).
        salience.set_sorted("doc")
        .group_by("doc", maintain_order=True)
        .agg(
            country_salience=pl.struct("country", "mentions", "in_headline", "score"),
            countries=pl.col("country").sort(),
        ),
        _sorted_sets(mentions.filter(org), "entity_id", "organizations"),
        _sorted_sets(tagged.themes, "theme", "themes"),
    ]
    articles = records.with_columns(doc=pl.int_range(pl.len(), dtype=pl.UInt32))
    for frame in lists:
        articles = articles.join(frame, on="doc", how="left", maintain_order="left")
    articles = articles.with_columns(
        [pl.col(c).fill_null(pl.lit([], dtype=ARTICLE_SCHEMA[c])) for c in _LIST_COLUMNS]
    ).select([pl.col(c).cast(t) for c, t in ARTICLE_SCHEMA.items()])
    # `doc` is the record's row number: a gather, not a join, finds its article.
    entities = mentions.with_columns(
        article_id=pl.lit(records.get_column("article_id")).gather(pl.col("doc"))
    ).select([pl.col(c).cast(t) for c, t in ENTITY_SCHEMA.items()])
    return articles, entities


_LIST_COLUMNS = ("entities", "countries", "country_salience", "organizations", "themes")
