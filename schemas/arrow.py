"""Explicit Arrow write schemas: the physical types of every table the toolkit writes.

These are never inferred from data (an inferred schema drifts with the first batch). The
pydantic records and pandera frame models in this package describe the same columns; a test
(`tests/test_schemas.py`) keeps all the views in agreement.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = [
    "ARTICLES",
    "DUPLICATES",
    "ENTITIES",
    "ENTITY_STRUCT",
    "SALIENCE_STRUCT",
    "SCHEMA_VERSION",
]

#: Bumped whenever a column is added, removed or retyped in any output table.
SCHEMA_VERSION = "1.0.0"

ENTITY_STRUCT = pa.struct(
    [
        pa.field("text", pa.string(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("field", pa.string(), nullable=False),
        pa.field("start", pa.int32(), nullable=False),
        pa.field("end", pa.int32(), nullable=False),
    ]
)

SALIENCE_STRUCT = pa.struct(
    [
        pa.field("country", pa.string(), nullable=False),
        pa.field("mentions", pa.int32(), nullable=False),
        pa.field("in_headline", pa.bool_(), nullable=False),
        pa.field("score", pa.float64(), nullable=False),
    ]
)


def _strings() -> pa.DataType:
    return pa.list_(pa.field("item", pa.string(), nullable=False))


ARTICLES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("headline", pa.string(), nullable=False),
        pa.field("body", pa.string(), nullable=False),
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("source_line", pa.int64(), nullable=False),
        pa.field("source_offset", pa.int64(), nullable=False),
        pa.field("headline_repeats", pa.int16(), nullable=False),
        pa.field(
            "entities", pa.list_(pa.field("item", ENTITY_STRUCT, nullable=False)), nullable=False
        ),
        pa.field("countries", _strings(), nullable=False),
        pa.field(
            "country_salience",
            pa.list_(pa.field("item", SALIENCE_STRUCT, nullable=False)),
            nullable=False,
        ),
        pa.field("organizations", _strings(), nullable=False),
        pa.field("themes", _strings(), nullable=False),
        pa.field("word_count", pa.int32(), nullable=False),
        pa.field("flags", _strings(), nullable=False),
    ]
)

ENTITIES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("field", pa.string(), nullable=False),
        pa.field("start", pa.int32(), nullable=False),
        pa.field("end", pa.int32(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("country", pa.string(), nullable=True),
        pa.field("source", pa.string(), nullable=False),
    ]
)

DUPLICATES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("duplicate_article_id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("similarity", pa.float64(), nullable=False),
        pa.field("headline", pa.string(), nullable=False),
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("source_line", pa.int64(), nullable=False),
        pa.field("source_offset", pa.int64(), nullable=False),
    ]
)
