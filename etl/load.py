"""Load: frames in, files out, published all at once or not at all.

How a run publishes (the set-atomic mechanism, see docs/OUTPUTS.md):

    OUT/
      .generations/g-<run>/      every output of one run, written and fsynced here first
      current -> .generations/g-<run>   one symlink, replaced by a single atomic rename
      articles.parquet -> current/articles.parquet   (and one such link per output name)

A run writes its files into a fresh generation folder, fsyncs them, then swaps the `current`
link with `os.replace`, which is atomic on POSIX. At every instant each output name resolves
into one complete generation, whose `manifest.json` matches its files; a run that fails or is
killed before the swap leaves the previous generation published and untouched.

Parquet is written with the explicit Arrow schemas of `schemas.arrow` (never inferred), zstd,
fixed-size row groups, statistics, dictionary encoding for low-cardinality columns, and
key-value metadata; nothing time-dependent goes into a data file, so reruns are byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from etl.errors import OutputError

__all__ = [
    "GENERATIONS_DIR",
    "PARQUET_ROW_GROUP_ROWS",
    "Generation",
    "JsonlWriter",
    "ParquetTableWriter",
    "digest_file",
    "publish",
    "published_generation",
    "to_arrow",
]

GENERATIONS_DIR = ".generations"
CURRENT_LINK = "current"
#: Rows per Parquet row group: large enough for good compression and few footers, small enough
#: that a reader filtering on source_file or article_id can skip most of a big file.
PARQUET_ROW_GROUP_ROWS = 65_536
#: Generations kept besides the published one, so a reader holding an old file can finish.
KEEP_OLD_GENERATIONS = 1

# Columns with few distinct values per row group: dictionary-encode them.
_DICTIONARY_COLUMNS = {
    "source_file",
    "label",
    "field",
    "kind",
    "entity_id",
    "name",
    "country",
    "source",
    "entities.list.item.label",
    "entities.list.item.field",
    "entities.list.item.entity_id",
    "entities.list.item.name",
    "countries.list.item",
    "organizations.list.item",
    "themes.list.item",
    "flags.list.item",
}


def to_arrow(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    """Return `frame` as an Arrow table cast to exactly `schema` (names, order and types)."""
    table = frame.select(schema.names).to_arrow()
    # polars writes large_string / large_list; the published schema uses the 32-bit variants.
    return table.cast(schema, safe=True)


class ParquetTableWriter:
    """Streams tables into one Parquet file in row groups of exactly `row_group_rows` rows."""

    def __init__(
        self,
        path: Path,
        schema: pa.Schema,
        metadata: dict[str, str],
        row_group_rows: int = PARQUET_ROW_GROUP_ROWS,
    ) -> None:
        self.path = path
        self.rows = 0
        self._schema = schema.with_metadata({k.encode(): v.encode() for k, v in metadata.items()})
        self._row_group_rows = row_group_rows
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        dictionary = [name for name in _leaf_paths(schema) if name in _DICTIONARY_COLUMNS]
        try:
            self._writer = pq.ParquetWriter(
                str(path),
                self._schema,
                compression="zstd",
                compression_level=3,
                use_dictionary=dictionary,
                write_statistics=True,
                write_page_index=True,
            )
        except OSError as exc:
            raise OutputError(path, exc.strerror or str(exc)) from exc

    def write(self, table: pa.Table) -> None:
        """Buffer `table`, writing out every full row group."""
        if table.num_rows == 0:
            return
        self._pending.append(table)
        self._pending_rows += table.num_rows
        self.rows += table.num_rows
        if self._pending_rows >= self._row_group_rows:
            self._flush(final=False)

    def _flush(self, *, final: bool) -> None:
        buffered = pa.concat_tables(self._pending)
        full = (buffered.num_rows // self._row_group_rows) * self._row_group_rows
        cut = buffered.num_rows if final else full
        try:
            for start in range(0, cut, self._row_group_rows):
                chunk = buffered.slice(start, min(self._row_group_rows, cut - start))
                self._writer.write_table(chunk, row_group_size=self._row_group_rows)
        except OSError as exc:
            raise OutputError(self.path, exc.strerror or str(exc)) from exc
        rest = buffered.slice(cut)
        self._pending = [rest] if rest.num_rows else []
        self._pending_rows = rest.num_rows

    def close(self) -> None:
        """Write the last row group and the footer."""
        if self._pending_rows:
            self._flush(final=True)
        try:
            self._writer.close()
        except OSError as exc:
            raise OutputError(self.path, exc.strerror or str(exc)) from exc

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
        else:
            self._writer.close()


def _leaf_paths(schema: pa.Schema) -> list[str]:
    """Return the dotted Parquet column paths of `schema` (as `use_dictionary` names them)."""
    paths: list[str] = []

    def walk(prefix: str, kind: pa.DataType) -> None:
        if pa.types.is_struct(kind):
            for child in kind:
                walk(f"{prefix}.{child.name}", child.type)
        elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
            walk(f"{prefix}.list.{kind.value_field.name}", kind.value_type)
        else:
            paths.append(prefix)

    for field in schema:
        walk(field.name, field.type)
    return paths


class JsonlWriter:
    """Appends frames to a JSON Lines file: UTF-8, one object per line, fields in schema order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        try:
            self._handle: BinaryIO = path.open("wb")
        except OSError as exc:
            raise OutputError(path, exc.strerror or str(exc)) from exc

    def write(self, frame: pl.DataFrame) -> None:
        """Append one line per row of `frame`."""
        if frame.height == 0:
            return
        try:
            frame.write_ndjson(self._handle)
        except OSError as exc:
            raise OutputError(self.path, exc.strerror or str(exc)) from exc
        self.rows += frame.height

    def close(self) -> None:
        """Flush and close the file."""
        try:
            self._handle.close()
        except OSError as exc:
            raise OutputError(self.path, exc.strerror or str(exc)) from exc

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
        else:
            self._handle.close()


def digest_file(path: Path) -> tuple[int, str]:
    """Return the size and sha256 of a written file."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Generation:
    """A folder that one run writes its outputs into before publishing them."""

    out: Path
    path: Path

    @classmethod
    def create(cls, out: Path, run_id: str) -> Generation:
        """Return a new, empty generation folder under `out`."""
        root = out / GENERATIONS_DIR
        path = root / f"g-{run_id}"
        try:
            root.mkdir(parents=True, exist_ok=True)
            if path.exists():
                shutil.rmtree(path)
            path.mkdir()
        except OSError as exc:
            raise OutputError(out, exc.strerror or str(exc)) from exc
        return cls(out, path)

    def file(self, name: str) -> Path:
        """Return where output `name` is written in this generation."""
        return self.path / name

    def write_json(self, name: str, payload: object) -> Path:
        """Write `payload` as pretty, key-sorted JSON and return its path."""
        target = self.file(name)
        try:
            target.write_text(
                json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            raise OutputError(target, exc.strerror or str(exc)) from exc
        return target

    def discard(self) -> None:
        """Remove this (unpublished) generation."""
        shutil.rmtree(self.path, ignore_errors=True)


def _fsync_tree(path: Path) -> None:
    for child in sorted(path.iterdir()):
        if child.is_file():
            fd = os.open(child, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(generation: Generation, names: Sequence[str]) -> None:
    """Make `generation` the published one, atomically, and point every output name into it."""
    out = generation.out
    try:
        _fsync_tree(generation.path)
        staged = out / f".{CURRENT_LINK}.tmp-{os.getpid()}"
        if staged.is_symlink() or staged.exists():
            staged.unlink()
        staged.symlink_to(generation.path.relative_to(out))
        os.replace(staged, out / CURRENT_LINK)  # the commit point
        _fsync_dir(out)
        for name in names:
            _link_output(out, name)
        _fsync_dir(out)
        _prune(out, keep=generation.path)
    except OSError as exc:
        raise OutputError(out, exc.strerror or str(exc)) from exc


def _link_output(out: Path, name: str) -> None:
    """Make OUT/name a symlink to current/name (once; later swaps of `current` move it)."""
    link = out / name
    target = Path(CURRENT_LINK) / name
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return
    staged = out / f".{name}.tmp-{os.getpid()}"
    if staged.is_symlink() or staged.exists():
        staged.unlink()
    staged.symlink_to(target)
    if link.is_dir() and not link.is_symlink():
        raise OutputError(link, "a folder stands where an output file belongs")
    os.replace(staged, link)


def _prune(out: Path, keep: Path) -> None:
    """Delete old generations, keeping the published one and the newest older ones."""
    root = out / GENERATIONS_DIR
    others = sorted(
        (p for p in root.iterdir() if p != keep and p.is_dir()),
        key=lambda p: p.stat().st_mtime_ns,
        reverse=True,
    )
    for old in others[KEEP_OLD_GENERATIONS:]:
        shutil.rmtree(old, ignore_errors=True)


def published_generation(out: Path) -> Path | None:
    """Return the folder of the published generation, or None before the first run."""
    link = out / CURRENT_LINK
    return link.resolve() if link.is_symlink() else None
