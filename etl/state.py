"""What runs into an output folder remember, so that an incremental run adds only what is new.

The state is kept beside the outputs, published in the same generation (so it always
describes exactly the published tables), as Parquet parts any client can inspect:

    state/seen_inputs/part-<gen>.parquet    sha256, bytes, path, source_file, generation
    state/seen_articles/part-<gen>.parquet  article_id, generation (ids kept by exact dedup)
    state/near_index/part-<gen>.parquet     the near-duplicate index rows (`NearDuplicateIndex`)

Each run writes one part per state table holding only what it added; an incremental run
hard-links the earlier parts, a full run starts over. Reading the state is reading every part:
the seen inputs whole (a row a file), the seen articles and the near index a slice at a time,
straight into the dedup structures, so that the state of a long history is never held twice
(after a 1 GB run, reading them whole cost the next incremental run ~200 MiB of peak RSS).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from etl.dedup import INDEX_SCHEMA
from etl.errors import IntegrityError
from etl.load import STATE_DIR, Generation, Published, Table, to_arrow
from etl.sources import InputFile

__all__ = [  # noqa: RUF022 - plain sorted() order, as tests/test_public_api.py checks
    "NEAR_INDEX",
    "RunState",
    "SEEN_ARTICLES",
    "SEEN_INPUTS",
    "STATE_SLICE_ROWS",
    "STATE_TABLES",
    "SeenInput",
    "StateParts",
    "read_state",
    "unseen_inputs",
    "write_state",
]

SEEN_INPUTS = Table(
    name="seen_inputs",
    format="parquet",
    folder=f"{STATE_DIR}/seen_inputs",
    schema=pa.schema(
        [
            pa.field("sha256", pa.string(), nullable=False),
            pa.field("bytes", pa.int64(), nullable=False),
            pa.field("path", pa.string(), nullable=False),
            pa.field("source_file", pa.string(), nullable=False),
            pa.field("generation", pa.int64(), nullable=False),
        ]
    ),
)
SEEN_ARTICLES = Table(
    name="seen_articles",
    format="parquet",
    folder=f"{STATE_DIR}/seen_articles",
    schema=pa.schema(
        [
            pa.field("article_id", pa.string(), nullable=False),
            pa.field("generation", pa.int64(), nullable=False),
        ]
    ),
    row_group_rows=1 << 20,
)
#: The near-duplicate index; its schema is whatever `NearDuplicateIndex.to_frame` returns.
NEAR_INDEX = Table(
    name="near_index", format="parquet", folder=f"{STATE_DIR}/near_index", row_group_rows=1 << 17
)
STATE_TABLES = (SEEN_INPUTS, SEEN_ARTICLES, NEAR_INDEX)
#: The near index's Arrow schema: polars' own mapping of `INDEX_SCHEMA`.
_INDEX_ARROW = pl.DataFrame(schema=INDEX_SCHEMA).to_arrow().schema


@dataclass(frozen=True, slots=True)
class SeenInput:
    """An input file with its digest, as the state records it."""

    file: InputFile
    bytes: int
    sha256: str


#: Rows of a state table read at a time (65,536 near-index rows are ~13 MiB as a frame).
STATE_SLICE_ROWS = 1 << 16


@dataclass(frozen=True, slots=True)
class StateParts:
    """The Parquet parts of one state table, read a slice at a time, oldest part first."""

    folder: str
    paths: tuple[Path, ...] = ()

    def frames(self, rows: int | None = None) -> Iterator[pl.DataFrame]:
        """Yield the table's rows, at most `rows` (default `STATE_SLICE_ROWS`) at a time."""
        for path in self.paths:
            try:
                batches = pq.ParquetFile(path).iter_batches(batch_size=rows or STATE_SLICE_ROWS)
                for batch in batches:
                    frame = pl.from_arrow(batch)
                    assert isinstance(frame, pl.DataFrame)
                    yield frame
            except (OSError, pa.ArrowException, pl.exceptions.PolarsError) as exc:
                raise _unreadable(self.folder, exc) from exc


@dataclass(frozen=True, slots=True)
class RunState:
    """Everything earlier runs into an output folder have seen."""

    inputs: pl.DataFrame  # SEEN_INPUTS columns
    articles: StateParts  # SEEN_ARTICLES rows
    near_index: StateParts | None  # NearDuplicateIndex.to_frame() rows, None before any

    @classmethod
    def empty(cls) -> RunState:
        """Return the state of an output folder no run has written to."""
        return cls(
            inputs=pl.DataFrame(schema=_polars_schema(SEEN_INPUTS)),
            articles=StateParts(SEEN_ARTICLES.folder),
            near_index=None,
        )


def _unreadable(folder: str, exc: BaseException) -> IntegrityError:
    return IntegrityError("incremental", f"{folder} unreadable: {exc} (run 'etl validate')")


def _polars_schema(table: Table) -> pl.Schema:
    assert table.schema is not None
    frame = pl.from_arrow(table.schema.empty_table())
    assert isinstance(frame, pl.DataFrame)
    return frame.schema


def _paths(previous: Published, table: Table) -> list[Path]:
    """Return the parts of a state table in the published generation, oldest first."""
    prefix = f"{table.folder}/"
    return [previous.path / p for p in sorted(previous.outputs()) if p.startswith(prefix)]


def _parts(previous: Published, table: Table) -> StateParts | None:
    """Return the parts of a state table (footers checked now), or None if it has none."""
    paths = _paths(previous, table)
    for path in paths:
        try:
            pq.read_metadata(path)
        except (OSError, pa.ArrowException) as exc:
            raise _unreadable(table.folder, exc) from exc
    return StateParts(table.folder, tuple(paths)) if paths else None


def read_state(previous: Published) -> RunState:
    """Return the state published in `previous`: the seen inputs, and readers of the rest."""
    inputs = _parts(previous, SEEN_INPUTS)
    articles = _parts(previous, SEEN_ARTICLES)
    if inputs is None or articles is None:
        raise IntegrityError(
            "incremental",
            f"{previous.out} has outputs but no incremental state (written by an older version?);"
            " run a full 'etl run' into it first",
        )
    empty = RunState.empty()
    return RunState(
        inputs=pl.concat([empty.inputs, *inputs.frames()], how="vertical_relaxed").cast(
            dict(empty.inputs.schema)  # type: ignore[arg-type]
        ),
        articles=articles,
        near_index=_parts(previous, NEAR_INDEX),
    )


def check_compatible(previous: Published, schema_version: str, gazetteer_version: str) -> None:
    """Raise unless new parts would have the schema and gazetteer of the published ones.

    Parts of one table are read together with one glob: a different schema would break
    readers, a different gazetteer would tag old and new articles differently.
    """
    manifest = previous.manifest
    for what, published_version, ours in (
        ("schema", manifest.schema_version, schema_version),
        ("gazetteer", manifest.gazetteer_version, gazetteer_version),
    ):
        if published_version != ours:
            raise IntegrityError(
                "incremental",
                f"the outputs in {previous.out} were written with {what} {published_version}, "
                f"this run would add {what} {ours}: run a full 'etl run' to rebuild them",
            )


def unseen_inputs(state: RunState, inputs: list[SeenInput]) -> list[SeenInput]:
    """Return the inputs whose content (sha256) no earlier run has processed, in input order."""
    seen = set(state.inputs["sha256"].to_list())
    return [item for item in inputs if item.sha256 not in seen]


def write_state(
    generation: Generation,
    inputs: list[SeenInput],
    articles: Iterable[pl.DataFrame],
    near_index: Iterable[pl.DataFrame] | None,
    metadata: dict[str, str],
) -> None:
    """Write this run's part of every state table into `generation`.

    `articles` (`article_id`) and `near_index` (INDEX_SCHEMA rows) come as frames written one
    after the other, so the state of a long run is never held twice in memory.
    """
    number = generation.number
    seen_inputs = pl.DataFrame(
        {
            "sha256": [item.sha256 for item in inputs],
            "bytes": [item.bytes for item in inputs],
            "path": [item.file.path.as_posix() for item in inputs],
            "source_file": [item.file.source_file for item in inputs],
            "generation": [number] * len(inputs),
        },
        schema=RunState.empty().inputs.schema,
    )
    parts: list[tuple[Table, Iterable[pa.Table]]] = [
        (SEEN_INPUTS, [to_arrow(seen_inputs, _schema(SEEN_INPUTS))]),
        (
            SEEN_ARTICLES,
            (
                to_arrow(
                    frame.select("article_id", generation=pl.lit(number, dtype=pl.Int64)),
                    _schema(SEEN_ARTICLES),
                )
                for frame in articles
            ),
        ),
    ]
    if near_index is not None:
        parts.append((replace(NEAR_INDEX, schema=_INDEX_ARROW), (f.to_arrow() for f in near_index)))
    for table, tables in parts:
        with generation.parquet(table, metadata) as writer:
            for rows in tables:
                writer.write(rows)
        generation.add_part(table, writer.close())


def _schema(table: Table) -> pa.Schema:
    assert table.schema is not None
    return table.schema
