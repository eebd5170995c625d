"""Pandera frame models (polars backend): the column view of every Parquet table.

Every batch is validated with `lazy=True` on a *collected* frame before it is written (a
LazyFrame validation only checks names and dtypes). Column dtypes mirror `schemas.arrow`.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.records import ARTICLE_ID_PATTERN, ISO3_PATTERN, DuplicateKind, EntityLabel, TextField

__all__ = ["ArticleFrame", "DuplicateFrame", "EntityFrame", "SchemaErrors"]

#: What a frame model's `validate(..., lazy=True)` raises, re-exported so that callers catch it
#: without importing pandera's modules themselves.
SchemaErrors = pa.errors.SchemaErrors

ENTITY_DTYPE = pl.Struct(
    {
        "text": pl.String,
        "label": pl.String,
        "entity_id": pl.String,
        "name": pl.String,
        "field": pl.String,
        "start": pl.Int32,
        "end": pl.Int32,
    }
)
SALIENCE_DTYPE = pl.Struct(
    {"country": pl.String, "mentions": pl.Int32, "in_headline": pl.Boolean, "score": pl.Float64}
)

_LABELS = [label.value for label in EntityLabel]
_FIELDS = [field.value for field in TextField]


class ArticleFrame(pa.DataFrameModel):
    """One row per kept article (`articles.parquet`)."""

    article_id: pl.String = pa.Field(str_matches=ARTICLE_ID_PATTERN, unique=True)
    headline: pl.String = pa.Field(str_length={"min_value": 1})
    body: pl.String = pa.Field(str_length={"min_value": 1})
    source_file: pl.String = pa.Field(str_length={"min_value": 1})
    source_line: pl.Int64 = pa.Field(ge=1)
    source_offset: pl.Int64 = pa.Field(ge=0)
    headline_repeats: pl.Int16 = pa.Field(ge=1)
    entities: pl.List(ENTITY_DTYPE)  # type: ignore[valid-type]
    countries: pl.List(pl.String)  # type: ignore[valid-type]
    country_salience: pl.List(SALIENCE_DTYPE)  # type: ignore[valid-type]
    organizations: pl.List(pl.String)  # type: ignore[valid-type]
    themes: pl.List(pl.String)  # type: ignore[valid-type]
    word_count: pl.Int32 = pa.Field(ge=0)
    flags: pl.List(pl.String)  # type: ignore[valid-type]

    @pa.dataframe_check
    @classmethod
    def countries_are_iso3(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Every code in `countries` is three capital letters."""
        return data.lazyframe.select(
            pl.col("countries").list.eval(pl.element().str.contains(ISO3_PATTERN)).list.all()
        )

    class Config:
        strict = True
        coerce = False


class EntityFrame(pa.DataFrameModel):
    """One row per entity mention (`entities.parquet`)."""

    article_id: pl.String = pa.Field(str_matches=ARTICLE_ID_PATTERN)
    field: pl.String = pa.Field(isin=_FIELDS)
    start: pl.Int32 = pa.Field(ge=0)
    end: pl.Int32 = pa.Field(ge=1)
    text: pl.String = pa.Field(str_length={"min_value": 1})
    label: pl.String = pa.Field(isin=_LABELS)
    entity_id: pl.String = pa.Field(str_length={"min_value": 1})
    name: pl.String = pa.Field(str_length={"min_value": 1})
    country: pl.String = pa.Field(nullable=True, str_matches=ISO3_PATTERN)
    source: pl.String = pa.Field(str_length={"min_value": 1})

    @pa.dataframe_check
    @classmethod
    def span_matches_text(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """`end - start` is the length of `text` in code points."""
        return data.lazyframe.select(
            (pl.col("end") - pl.col("start")) == pl.col("text").str.len_chars()
        )

    class Config:
        strict = True
        coerce = False


class DuplicateFrame(pa.DataFrameModel):
    """One row per dropped duplicate record (`duplicates.parquet`)."""

    article_id: pl.String = pa.Field(str_matches=ARTICLE_ID_PATTERN)
    duplicate_article_id: pl.String = pa.Field(str_matches=ARTICLE_ID_PATTERN)
    kind: pl.String = pa.Field(isin=[kind.value for kind in DuplicateKind])
    similarity: pl.Float64 = pa.Field(ge=0.0, le=1.0)
    headline: pl.String
    source_file: pl.String = pa.Field(str_length={"min_value": 1})
    source_line: pl.Int64 = pa.Field(ge=1)
    source_offset: pl.Int64 = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = False
