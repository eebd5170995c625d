"""Regenerate `schemas/articles.schema.json` from the pydantic model."""

from schemas import ARTICLES_JSON_SCHEMA_PATH, render_articles_json_schema

ARTICLES_JSON_SCHEMA_PATH.write_text(render_articles_json_schema(), encoding="utf-8")
