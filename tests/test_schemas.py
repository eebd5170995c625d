"""The four views of each schema (Arrow, pydantic, pandera, JSON Schema) cannot drift apart."""

from __future__ import annotations

import json
import types
import typing

import polars as pl
import pyarrow as pa
import pytest
from pydantic import BaseModel

import schemas
from schemas import arrow, frames, records

PAIRS = [
    (arrow.ARTICLES, frames.ArticleFrame, records.Article),
    (arrow.ENTITIES, frames.EntityFrame, None),
    (arrow.DUPLICATES, frames.DuplicateFrame, None),
]


def _polars_dtypes(schema: pa.Schema) -> dict[str, pl.DataType]:
    return dict(pl.from_arrow(schema.empty_table()).schema)  # type: ignore[union-attr]


@pytest.mark.parametrize(("arrow_schema", "frame_model", "_record"), PAIRS)
def test_pandera_columns_match_arrow(
    arrow_schema: pa.Schema, frame_model: type[frames.ArticleFrame], _record: object
) -> None:
    columns = frame_model.to_schema().columns
    assert list(columns) == arrow_schema.names
    expected = _polars_dtypes(arrow_schema)
    for name, column in columns.items():
        assert column.dtype.type == expected[name], name
        assert column.nullable == arrow_schema.field(name).nullable, name


def _python_type(annotation: object) -> object:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _python_type(typing.get_args(annotation)[0])
    return annotation


def _check_model_against_arrow(model: type[BaseModel], fields: list[pa.Field]) -> None:
    assert list(model.model_fields) == [f.name for f in fields]
    for field in fields:
        annotation = _python_type(model.model_fields[field.name].annotation)
        kind = field.type
        if pa.types.is_string(kind):
            assert annotation is str or (
                isinstance(annotation, type) and issubclass(annotation, str)
            )
        elif pa.types.is_integer(kind):
            assert annotation is int, field.name
        elif pa.types.is_floating(kind):
            assert annotation is float, field.name
        elif pa.types.is_boolean(kind):
            assert annotation is bool, field.name
        elif pa.types.is_list(kind):
            assert typing.get_origin(annotation) is list, field.name
            (item,) = typing.get_args(annotation)
            item = _python_type(item)
            if pa.types.is_struct(kind.value_type):
                assert isinstance(item, type)
                assert issubclass(item, BaseModel)
                _check_model_against_arrow(item, list(kind.value_type))
            else:
                assert item is str or (isinstance(item, type) and issubclass(item, str)), field.name
        else:  # pragma: no cover - a new Arrow type needs a rule here
            pytest.fail(f"no rule for {kind}")
        assert not isinstance(annotation, types.UnionType), f"{field.name} must not be optional"


def test_pydantic_article_matches_arrow() -> None:
    _check_model_against_arrow(records.Article, list(arrow.ARTICLES))


def test_entity_struct_is_the_entities_table_minus_keys() -> None:
    assert [f.name for f in arrow.ENTITY_STRUCT] == [
        "text",
        "label",
        "entity_id",
        "name",
        "field",
        "start",
        "end",
    ]
    for child in arrow.ENTITY_STRUCT:
        assert arrow.ENTITIES.field(child.name).type == child.type


def test_published_json_schema_is_current() -> None:
    on_disk = schemas.ARTICLES_JSON_SCHEMA_PATH.read_text(encoding="utf-8")
    assert on_disk == schemas.render_articles_json_schema(), "run `python -m schemas` and commit"


def test_json_schema_lists_every_column_as_required() -> None:
    published = json.loads(schemas.ARTICLES_JSON_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert list(published["properties"]) == sorted(arrow.ARTICLES.names)
    assert sorted(published["required"]) == sorted(arrow.ARTICLES.names)
    assert published["additionalProperties"] is False


def test_enums_are_the_allowed_values_in_pandera() -> None:
    entity_checks = frames.EntityFrame.to_schema().columns["label"].checks
    allowed = entity_checks[0].statistics["allowed_values"]
    assert sorted(allowed) == sorted(label.value for label in records.EntityLabel)
