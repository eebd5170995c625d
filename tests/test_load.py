"""Load: the writers' settings and determinism, and the generation / publish / recover cycle."""

from __future__ import annotations

import errno
import os
from dataclasses import replace
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from output_helpers import consistency_problems, make_articles, make_entities

from etl import load
from etl.errors import IntegrityError, OutputError
from etl.load import (
    ARTICLES,
    ARTICLES_JSONL,
    ENTITIES,
    GENERATIONS_DIR,
    MANIFEST_JSON,
    TABLES,
    Generation,
    publish,
    published,
    recover,
    to_arrow,
)
from schemas import arrow
from schemas.records import Manifest, ManifestOutput

METADATA = {"schema_version": arrow.SCHEMA_VERSION, "gazetteer_version": "test-1"}


def _write_parquet(path: Path, batches: list[pl.DataFrame], row_group_rows: int) -> None:
    table = replace(ARTICLES, row_group_rows=row_group_rows)
    with load.ParquetTableWriter(path, table, METADATA, path.name) as writer:
        for batch in batches:
            writer.write(to_arrow(batch, arrow.ARTICLES))


def test_row_groups_and_bytes_do_not_depend_on_batch_sizes(tmp_path: Path) -> None:
    rows = make_articles(10)
    splits = {
        "one": [rows],
        "threes": [rows[0:3], rows[3:6], rows[6:10]],
        "singles": [rows[i : i + 1] for i in range(10)],
    }
    for name, batches in splits.items():
        _write_parquet(tmp_path / f"{name}.parquet", batches, row_group_rows=4)
    contents = {(tmp_path / f"{name}.parquet").read_bytes() for name in splits}
    assert len(contents) == 1
    meta = pq.ParquetFile(tmp_path / "one.parquet").metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [4, 4, 2]


def test_parquet_settings_schema_metadata_statistics_dictionary(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    _write_parquet(path, [make_articles(5)], row_group_rows=100)
    parquet = pq.ParquetFile(path)
    assert parquet.schema_arrow.remove_metadata() == arrow.ARTICLES
    kv = parquet.metadata.metadata
    assert kv[b"schema_version"] == arrow.SCHEMA_VERSION.encode()
    assert kv[b"gazetteer_version"] == b"test-1"
    group = parquet.metadata.row_group(0)
    columns = {group.column(i).path_in_schema: group.column(i) for i in range(group.num_columns)}
    assert all(column.compression == "ZSTD" for column in columns.values())
    assert columns["source_file"].is_stats_set
    assert columns["source_line"].statistics.min == 1
    assert not columns["body"].is_stats_set  # free text: no min/max worth pruning on
    assert "RLE_DICTIONARY" in columns["source_file"].encodings
    assert "RLE_DICTIONARY" not in columns["article_id"].encodings  # unique: plain
    assert columns["article_id"].has_column_index  # the page index is written


@pytest.mark.parametrize(
    ("table", "frame", "schema"),
    [
        (ARTICLES, make_articles(6), arrow.ARTICLES),
        (ENTITIES, make_entities(make_articles(6)), arrow.ENTITIES),
    ],
    ids=["articles", "entities"],
)
def test_every_column_gets_its_dictionary_and_statistics_setting(
    tmp_path: Path, table: load.Table, frame: pl.DataFrame, schema: pa.Schema
) -> None:
    # The settings name Parquet paths (`entities.list.element.label`): a path pyarrow does not
    # know is ignored without a word, so each column chunk is checked against the table's
    # settings, nested ones above all.
    path = tmp_path / "t.parquet"
    with load.ParquetTableWriter(path, table, METADATA, path.name) as writer:
        writer.write(to_arrow(frame, schema))
    group = pq.ParquetFile(path).metadata.row_group(0)
    chunks = {group.column(i).path_in_schema: group.column(i) for i in range(group.num_columns)}
    assert set(chunks) == set(load._leaf_paths(schema))
    assert table.dictionary < set(chunks)
    dictionary = {name for name, chunk in chunks.items() if "RLE_DICTIONARY" in chunk.encodings}
    assert dictionary == table.dictionary
    statistics = {name for name, chunk in chunks.items() if chunk.is_stats_set}
    assert statistics == {f.name for f in schema if not pa.types.is_nested(f.type)} - set(
        table.no_statistics
    )
    if table is ARTICLES:  # the mention lists are dictionary-encoded, as in `entities`
        assert "entities.list.element.entity_id" in dictionary
        assert "countries.list.element" in dictionary


def test_a_setting_for_a_column_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    misspelt = replace(ARTICLES, dictionary=frozenset({"entities.list.item.label"}))
    with pytest.raises(ValueError, match=r"no such Parquet column \['entities.list.item.label'\]"):
        load.ParquetTableWriter(tmp_path / "a.parquet", misspelt, METADATA, "a.parquet")
    assert not (tmp_path / "a.parquet").exists()


def test_a_parquet_file_holds_no_run_specific_value(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    _write_parquet(path, [make_articles(3)], row_group_rows=100)
    meta = pq.ParquetFile(path).metadata
    # Only what the data and the versions determine: no time, no path, no run id.
    assert set(meta.metadata) == {b"ARROW:schema", b"schema_version", b"gazetteer_version"}
    assert meta.created_by.startswith("parquet-cpp-arrow version")
    assert str(tmp_path).encode() not in path.read_bytes()


def test_jsonl_is_utf8_one_object_per_line_with_the_parquet_field_names(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    rows = make_articles(3)
    with load.JsonlWriter(path, "a.jsonl") as writer:
        writer.write(rows.select(arrow.ARTICLES.names))
    written = writer.close()
    data = path.read_bytes()
    assert written.rows == 3
    assert written.bytes == len(data)
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == ""
    assert "é" in lines[0]  # written as UTF-8, not escaped
    parsed = pl.read_ndjson(path)
    assert parsed.columns == arrow.ARTICLES.names
    assert parsed["article_id"].to_list() == rows["article_id"].to_list()


# --------------------------------------------------------------------------- generations


def _manifest(generation: Generation) -> dict[str, object]:
    outputs = [
        ManifestOutput(path=w.path, rows=w.rows, bytes=w.bytes, sha256=w.sha256)
        for w in generation.outputs()
    ]
    return Manifest(
        schema_version=arrow.SCHEMA_VERSION,
        tool_version="test",
        gazetteer_version="test-1",
        inputs=[],
        outputs=outputs,
        counts={},
        timings={},
        finished_at="now",
    ).model_dump(mode="json")


def _generation(out: Path, n: int, *, previous: load.Published | None = None) -> Generation:
    """Write a generation holding `n` articles (and their entities) and return it unpublished."""
    generation = Generation.create(out)
    if previous is not None:
        generation.adopt(previous, [p for p in previous.outputs() if "/part-" in p])
    rows = make_articles(n, first=generation.number * 100)
    with generation.parquet(ARTICLES, METADATA) as articles:
        articles.write(to_arrow(rows, arrow.ARTICLES))
    with generation.jsonl(ARTICLES_JSONL) as jsonl:
        jsonl.write(rows.select(arrow.ARTICLES.names))
    with generation.parquet(ENTITIES, METADATA) as entities:
        entities.write(to_arrow(make_entities(rows), arrow.ENTITIES))
    for table, writer in ((ARTICLES, articles), (ARTICLES_JSONL, jsonl), (ENTITIES, entities)):
        generation.add_part(table, writer.close())
    generation.publish_single_files(TABLES)
    generation.write_json(MANIFEST_JSON, _manifest(generation))
    return generation


def _published(out: Path) -> load.Published:
    found = published(out)
    assert found is not None
    return found


def test_publish_points_every_name_into_the_new_generation(tmp_path: Path) -> None:
    first = _generation(tmp_path, 2)
    publish(first)
    assert consistency_problems(tmp_path) == []
    assert pl.read_parquet(tmp_path / "articles.parquet").height == 2
    assert pl.read_parquet(tmp_path / "articles" / "*.parquet").height == 2

    second = _generation(tmp_path, 3)
    assert pl.read_parquet(tmp_path / "articles.parquet").height == 2  # not yet published
    publish(second)
    assert consistency_problems(tmp_path) == []
    assert pl.read_parquet(tmp_path / "articles.parquet").height == 3
    assert _published(tmp_path).number == second.number


def test_old_generations_are_pruned_keeping_one(tmp_path: Path) -> None:
    for n in (1, 2, 3):
        publish(_generation(tmp_path, n))
    kept = sorted(p.name for p in (tmp_path / GENERATIONS_DIR).iterdir())
    assert kept == ["g-000002", "g-000003"]


def test_recover_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    publish(_generation(tmp_path, 2))
    before = (tmp_path / "articles.parquet").read_bytes()
    # A run killed after writing its files but before the swap, and one killed mid-way.
    _generation(tmp_path, 5)
    half = Generation.create(tmp_path)
    (half.path / "articles").mkdir()
    (half.path / "articles" / "part-000003.parquet").write_bytes(b"PAR1 half a file")
    stale = tmp_path / ".current.tmp-99999"
    stale.symlink_to(half.path)

    removed = recover(tmp_path)

    assert {p.name for p in removed} == {"g-000002", "g-000003", ".current.tmp-99999"}
    assert sorted(p.name for p in (tmp_path / GENERATIONS_DIR).iterdir()) == ["g-000001"]
    assert (tmp_path / "articles.parquet").read_bytes() == before
    assert consistency_problems(tmp_path) == []
    assert Generation.create(tmp_path).number == 2  # numbering continues from what is left


def test_a_discarded_generation_leaves_the_published_one_untouched(tmp_path: Path) -> None:
    publish(_generation(tmp_path, 2))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    failed = Generation.create(tmp_path)

    def failing_stage() -> None:
        with failed.parquet(ARTICLES, METADATA) as writer:
            writer.write(to_arrow(make_articles(4), arrow.ARTICLES))
            raise RuntimeError("a stage failed")

    with pytest.raises(RuntimeError):
        failing_stage()
    failed.discard()
    assert not failed.path.exists()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
    assert consistency_problems(tmp_path) == []


def test_discarding_a_published_generation_keeps_it(tmp_path: Path) -> None:
    # A run interrupted (Ctrl-C, SIGTERM) just after its commit point discards its generation
    # on the way out: that must not delete what is now published.
    generation = _generation(tmp_path, 2)
    publish(generation)
    generation.discard()
    assert generation.path.is_dir()
    assert consistency_problems(tmp_path) == []


def test_adopted_parts_are_hard_links_and_single_files_need_one_part(tmp_path: Path) -> None:
    publish(_generation(tmp_path, 2))
    previous = _published(tmp_path)
    second = _generation(tmp_path, 3, previous=previous)
    first_part = "articles/part-000001.parquet"
    assert (second.path / first_part).stat().st_ino == (previous.path / first_part).stat().st_ino
    assert second.parts(ARTICLES) == [first_part, "articles/part-000002.parquet"]
    assert "articles.parquet" not in second.files  # two parts: no one-file name
    publish(second)
    assert consistency_problems(tmp_path) == []
    assert not (tmp_path / "articles.parquet").exists()  # the stale link was removed
    assert not (tmp_path / "articles.parquet").is_symlink()
    assert pl.read_parquet(tmp_path / "articles" / "*.parquet").height == 5


def test_adopt_refuses_a_part_changed_since_it_was_published(tmp_path: Path) -> None:
    publish(_generation(tmp_path, 2))
    previous = _published(tmp_path)
    with (previous.path / "articles/part-000001.parquet").open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(IntegrityError, match="changed since it was published"):
        Generation.create(tmp_path).adopt(previous, ["articles/part-000001.parquet"])


def test_an_empty_part_is_kept_only_when_the_table_has_no_other(tmp_path: Path) -> None:
    publish(_generation(tmp_path, 2))
    generation = Generation.create(tmp_path)
    generation.adopt(_published(tmp_path), ["articles/part-000001.parquet"])
    with generation.parquet(ARTICLES, METADATA) as writer:
        pass
    generation.add_part(ARTICLES, writer.close())
    with generation.parquet(ENTITIES, METADATA) as writer:
        pass
    generation.add_part(ENTITIES, writer.close())
    assert generation.parts(ARTICLES) == ["articles/part-000001.parquet"]
    assert not (generation.path / "articles/part-000002.parquet").exists()
    assert generation.parts(ENTITIES) == ["entities/part-000002.parquet"]  # the table's only part


def test_a_folder_where_an_output_link_belongs_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "articles.parquet").mkdir()
    with pytest.raises(OutputError, match="folder stands where"):
        publish(_generation(tmp_path, 1))
    assert not (tmp_path / "current").exists()
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


# --------------------------------------------------------------------------- OS errors


def _fail_writes_under(
    monkeypatch: pytest.MonkeyPatch, root: Path, error: int, after_bytes: int = 0
) -> None:
    """Make the real `os.write` fail with `error` for files under `root` past `after_bytes`."""
    real_write = os.write
    written: dict[int, int] = {}

    def write(fd: int, data: bytes) -> int:
        target = os.readlink(f"/proc/self/fd/{fd}")
        if target.startswith(str(root)):
            written[fd] = written.get(fd, 0) + len(data)
            if written[fd] > after_bytes:
                raise OSError(error, os.strerror(error))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)


@pytest.mark.parametrize(
    ("error", "words"),
    [(errno.ENOSPC, "No space left on device"), (errno.EACCES, "Permission denied")],
)
@pytest.mark.parametrize("writer", ["parquet", "jsonl"])
def test_an_os_error_while_writing_is_one_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: int, words: str, writer: str
) -> None:
    publish(_generation(tmp_path, 2))
    before = (tmp_path / "articles.parquet").read_bytes()
    generation = Generation.create(tmp_path)
    _fail_writes_under(monkeypatch, generation.path, error, after_bytes=100)
    rows = make_articles(50)

    def write_part() -> None:
        if writer == "parquet":
            with generation.parquet(ARTICLES, METADATA) as parquet:
                parquet.write(to_arrow(rows, arrow.ARTICLES))
        else:
            with generation.jsonl(ARTICLES_JSONL) as jsonl:
                jsonl.write(rows.select(arrow.ARTICLES.names))

    with pytest.raises(OutputError) as caught:
        write_part()
    monkeypatch.undo()
    generation.discard()
    message = str(caught.value)
    assert words in message
    assert "\n" not in message
    assert (tmp_path / "articles.parquet").read_bytes() == before
    assert consistency_problems(tmp_path) == []
