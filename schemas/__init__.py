"""Every schema of the toolkit, each declared once.

Arrow (physical types), pydantic (rows), pandera (frames), and the JSON Schema file.

`python -m schemas` rewrites the published JSON Schema for `articles.jsonl`.
"""

from __future__ import annotations

import json
from pathlib import Path

from schemas import arrow, frames, records
from schemas.arrow import SCHEMA_VERSION

__all__ = [
    "ARTICLES_JSON_SCHEMA_PATH",
    "SCHEMA_VERSION",
    "arrow",
    "articles_json_schema",
    "frames",
    "records",
    "render_articles_json_schema",
]

ARTICLES_JSON_SCHEMA_PATH = Path(__file__).with_name("articles.schema.json")


def articles_json_schema() -> dict[str, object]:
    """Return the JSON Schema of one `articles.jsonl` line, generated from `records.Article`."""
    schema = records.Article.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"trade-news-etl/articles/{SCHEMA_VERSION}"
    return schema


def render_articles_json_schema() -> str:
    """Return the published JSON Schema file's exact text."""
    return json.dumps(articles_json_schema(), indent=2, sort_keys=True) + "\n"
