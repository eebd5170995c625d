"""The outputs as analysts use them: real clients read every table, reruns are byte-identical."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import jsonschema
import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from etl import verify
from etl.config import RunConfig
from etl.load import TABLES
from etl.pipeline import run
from etl.synth import generate
from schemas import ARTICLES_JSON_SCHEMA_PATH, arrow
from schemas.records import Article

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "raw" / "000_2da8245de02aa76e.txt"
DETERMINISTIC = ("articles.parquet", "articles.jsonl", "entities.parquet")


@pytest.fixture(scope="module")
def dumps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dumps")
    generate(folder / "a.txt", 300_000, seed=11, messiness=0.1)
    shutil.copy(SAMPLE, folder / "sample.txt")
    return folder


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory, dumps: Path) -> Path:
    out = tmp_path_factory.mktemp("full")
    run(RunConfig(inputs=(dumps,), out=out))
    return out


@pytest.fixture(scope="module")
def incremental(tmp_path_factory: pytest.TempPathFactory, dumps: Path) -> Path:
    """An output folder built by two incremental runs: every table has two parts."""
    out = tmp_path_factory.mktemp("incremental")
    run(RunConfig(inputs=(dumps / "a.txt",), out=out, incremental=True))
    run(RunConfig(inputs=(dumps,), out=out, incremental=True))
    return out


def _sql(query: str) -> list[tuple[object, ...]]:
    """Return the rows DuckDB (its default in-memory connection) gives for `query`."""
    return duckdb.execute(query).fetchall()


def _manifest(out: Path) -> dict[str, object]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert isinstance(manifest, dict)
    return manifest


def _rows(out: Path) -> dict[str, int]:
    """Return the rows the manifest promises for each table (by its one-file name)."""
    tables = _manifest(out)["tables"]
    assert isinstance(tables, dict)
    return {name: int(entry["rows"]) for name, entry in tables.items()}


@pytest.mark.parametrize("layout", ["full", "incremental"])
def test_every_client_reads_every_table_through_its_glob(
    layout: str, request: pytest.FixtureRequest
) -> None:
    out: Path = request.getfixturevalue(layout)
    rows = _rows(out)
    assert rows["articles.parquet"] > 100
    if layout == "incremental":
        assert all(len(list((out / t.folder).iterdir())) == 2 for t in TABLES[:3])
    for table in TABLES:
        folder = (out / table.folder).as_posix()
        pattern = f"{folder}/*.{table.format}"
        expected = rows[table.file]
        if table.format == "parquet":
            assert _sql(f"SELECT count(*) FROM read_parquet('{pattern}')") == [(expected,)]
            assert pl.scan_parquet(pattern).select(pl.len()).collect().item() == expected
            assert len(pd.read_parquet(folder)) == expected  # pandas takes the folder
            dataset = ds.dataset(folder, format="parquet")
            assert dataset.count_rows() == expected
            assert dataset.schema.remove_metadata() == table.schema
        else:
            if expected:
                found = _sql(f"SELECT count(*) FROM read_json('{pattern}')")
                assert found == [(expected,)]
            assert pl.scan_ndjson(pattern).select(pl.len()).collect().item() == expected
            frames = [pd.read_json(p, lines=True) for p in sorted((out / table.folder).iterdir())]
            assert sum(len(frame) for frame in frames) == expected
            assert ds.dataset(folder, format="json").count_rows() == expected


def test_one_file_names_are_the_whole_table_after_a_full_run(full: Path) -> None:
    rows = _rows(full)
    for table in TABLES:
        parts = list((full / table.folder).iterdir())
        assert len(parts) == 1
        assert (full / table.file).read_bytes() == parts[0].read_bytes()
    articles = (full / "articles.parquet").as_posix()
    entities = (full / "entities.parquet").as_posix()
    assert _sql(f"SELECT count(*) FROM '{articles}'") == [(rows["articles.parquet"],)]
    joined = _sql(f"SELECT count(*) FROM '{entities}' e JOIN '{articles}' a USING (article_id)")
    assert joined == [(rows["entities.parquet"],)]


def test_the_incremental_layout_answers_like_the_full_one(full: Path, incremental: Path) -> None:
    def summary(out: Path) -> list[tuple[object, ...]]:
        glob = (out / "articles" / "*.parquet").as_posix()
        entities = (out / "entities" / "*.parquet").as_posix()
        return _sql(
            # source_file is the path as given (a file, or relative to a folder): compare names.
            f"SELECT regexp_extract(a.source_file, '[^/]+$'), count(DISTINCT a.article_id), "
            f"count(e.entity_id) "
            f"FROM read_parquet('{glob}') a LEFT JOIN read_parquet('{entities}') e "
            f"USING (article_id) GROUP BY ALL ORDER BY ALL"
        )

    assert summary(incremental) == summary(full)


def test_jsonl_lines_validate_against_the_published_json_schema(incremental: Path) -> None:
    schema = json.loads(ARTICLES_JSON_SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    n = 0
    for part in sorted((incremental / "articles_jsonl").iterdir()):
        for line in part.read_text(encoding="utf-8").splitlines():
            validator.validate(json.loads(line))
            n += 1
    assert n == _rows(incremental)["articles.jsonl"]


def test_etl_validate_judges_lines_as_the_reference_json_schema_implementation(
    full: Path,
) -> None:
    """`etl validate` runs jsonschema-rs for speed; its verdicts are those of `jsonschema`."""
    schema = json.loads(ARTICLES_JSON_SCHEMA_PATH.read_text(encoding="utf-8"))
    reference = jsonschema.Draft202012Validator(schema)
    fast = verify._json_schema_validator()
    line = json.loads((full / "articles.jsonl").read_text("utf-8").splitlines()[0])
    assert line["entities"]
    assert line["country_salience"]
    mention, salience = line["entities"][0], line["country_salience"][0]
    broken = [
        {**line, "entities": [{**mention, "label": "PERSON"}]},
        {**line, "entities": [{**mention, "field": "title"}]},
        {**line, "entities": [{**mention, "start": "0"}]},
        {**line, "entities": [{**mention, "start": -1}]},
        {**line, "flags": ["no_such_flag"]},
        {**line, "country_salience": [{"country": "FRA"}]},
        {**line, "country_salience": [{**salience, "country": "fra"}]},
        {**line, "country_salience": [{**salience, "score": 1.5}]},
        {**line, "countries": ["FRANCE"]},
        {**line, "article_id": "not-an-id"},
        {**line, "headline": None},
        {**line, "extra": 1},
        {k: v for k, v in line.items() if k != "body"},
    ]
    assert fast.is_valid(line)
    assert not list(fast.iter_errors(line))
    for document in broken:
        expected = sorted(tuple(e.absolute_path) for e in reference.iter_errors(document))
        assert expected, document  # each is broken for the reference too
        assert not fast.is_valid(document)
        found = sorted(tuple(e.instance_path) for e in fast.iter_errors(document))
        assert found == expected


def test_the_json_schema_rejects_every_line_the_pydantic_model_rejects(full: Path) -> None:
    """`etl validate` checks article lines with the JSON Schema alone: it must be as strict."""
    fast = verify._json_schema_validator()
    line = json.loads((full / "articles.jsonl").read_text("utf-8").splitlines()[0])
    mention, salience = line["entities"][0], line["country_salience"][0]
    broken = [
        *(
            {**line, "entities": [{**mention, key: value}]}
            for key, value in [
                ("label", "PERSON"),
                ("field", "title"),
                ("start", -1),
                ("end", 0),
                ("start", 2**31),
                ("text", ""),
                ("name", None),
                ("start", 1.5),
            ]
        ),
        {**line, "entities": [{k: v for k, v in mention.items() if k != "end"}]},
        {**line, "entities": [{**mention, "extra": 1}]},
        {**line, "country_salience": [{**salience, "score": -0.1}]},
        {**line, "country_salience": [{**salience, "mentions": -1}]},
        {**line, "country_salience": [{**salience, "country": "FR"}]},
        {**line, "countries": ["fra"]},
        {**line, "flags": ["no_such_flag"]},
        {**line, "article_id": line["article_id"].upper()},
        {**line, "headline_repeats": 0},
        {**line, "headline_repeats": 2**15},
        {**line, "source_line": 0},
        {**line, "source_offset": 2**63},
        {**line, "body": ""},
        {**line, "organizations": [1]},
        {**line, "themes": None},
        {**line, "extra": 1},
        {k: v for k, v in line.items() if k != "word_count"},
    ]
    # Lines the model's lax mode takes and the schema does not: the schema is the stricter.
    lax = [
        {**line, "word_count": str(line["word_count"])},
        {**line, "country_salience": [{**salience, "in_headline": 1}]},
    ]
    assert fast.is_valid(line)
    Article.model_validate(line)
    for document in broken:
        with pytest.raises(ValidationError):
            Article.model_validate_json(json.dumps(document))
        assert not fast.is_valid(document), document
    for document in lax:
        Article.model_validate_json(json.dumps(document))
        assert not fast.is_valid(document), document


def test_jsonl_has_the_parquet_rows_fields_and_order(full: Path) -> None:
    parquet = pl.read_parquet(full / "articles.parquet")
    lines = [json.loads(line) for line in (full / "articles.jsonl").read_text("utf-8").splitlines()]
    assert [list(line) for line in lines[:1]] == [arrow.ARTICLES.names]
    assert [line["article_id"] for line in lines] == parquet["article_id"].to_list()
    assert lines[0] == parquet.row(0, named=True)


def test_parquet_files_carry_versions_and_are_ordered_for_pruning(full: Path) -> None:
    manifest = _manifest(full)
    articles = pq.ParquetFile(full / "articles.parquet")
    metadata = articles.metadata.metadata
    assert metadata[b"schema_version"].decode() == manifest["schema_version"]
    assert metadata[b"gazetteer_version"].decode() == manifest["gazetteer_version"]
    keys = pl.read_parquet(full / "articles.parquet", columns=["source_file", "source_line"])
    assert keys.equals(keys.sort("source_file", "source_line"))
    mentions = pl.read_parquet(full / "entities.parquet").select("article_id", "field", "start")
    order = keys.with_row_index("row").join(
        pl.read_parquet(full / "articles.parquet", columns=["article_id"]).with_row_index("row"),
        on="row",
    )
    ranked = mentions.join(
        order.select("article_id", "row"), on="article_id", maintain_order="left"
    )
    assert ranked.equals(ranked.sort("row", "field", "start"))


@pytest.mark.parametrize("chunk_mb", [0.05, 16.0])
def test_two_runs_give_byte_identical_files(
    dumps: Path, full: Path, tmp_path: Path, chunk_mb: float
) -> None:
    # Another folder, another time, another batch size: the same bytes.
    out = tmp_path / "again"
    run(RunConfig(inputs=(dumps,), out=out, chunk_bytes=int(chunk_mb * 1024 * 1024)))
    for name in DETERMINISTIC:
        assert (out / name).read_bytes() == (full / name).read_bytes(), name
    # And a rerun into the same folder (a new generation) too.
    run(RunConfig(inputs=(dumps,), out=out))
    for name in DETERMINISTIC:
        assert (out / name).read_bytes() == (full / name).read_bytes(), name
