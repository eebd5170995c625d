"""Load: frames in, files out, published all at once or not at all.

The output folder (see docs/OUTPUTS.md for the full story):

    OUT/
      .lock                              flock'ed by the run that owns OUT (etl.lock)
      .generations/g-000007/             every file of one run, written and fsynced here first
      current -> .generations/g-000007   the published generation: ONE symlink, swapped by rename
      manifest.json -> current/manifest.json
      articles.parquet -> current/articles.parquet       (one link per top-level name)
      articles/ -> current/articles/     part-000001.parquet, part-000007.parquet, ...
      state/ -> current/state/           what incremental runs remember

Publishing: a run writes its files into a fresh generation folder (each file fsynced on
close), hard-links the parts of earlier runs into it when it is incremental, fsyncs the
folders, creates any missing `OUT/<name> -> current/<name>` links, and then replaces `current`
with `os.replace` (the commit point, atomic on POSIX). Before the swap every name resolves into
the previous generation; after it, into the new one; there is no instant at which two names
resolve into different generations, so readers never see a mix. A run that fails or is killed
before the swap leaves the previous generation published and untouched; the next run (under
the lock) deletes what the killed one left: unpublished generation folders and staged links.

Tables are folders of parts, one part per run that added rows (`articles/part-<gen>.parquet`),
so every client reads a table with one glob (`OUT/articles/*.parquet`). When a table is made
of exactly one part (always, after a full run), it is also published under the contract's
one-file name (`articles.parquet`), as a hard link to that part.

Parquet is written with the explicit Arrow schemas of `schemas.arrow` (never inferred), zstd,
fixed-size row groups (the same rows give the same row groups whatever the batch sizes),
statistics, the page index, dictionary encoding for low-cardinality columns, and key-value
metadata; nothing time-dependent goes into a data file, so reruns are byte-identical.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import IO, Literal, Self, cast

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from etl.errors import IntegrityError, OutputError
from schemas import arrow
from schemas.records import Manifest

__all__ = [  # noqa: RUF022 - plain sorted() order, as tests/test_public_api.py checks
    "ARTICLES",
    "ARTICLES_JSONL",
    "CURRENT_LINK",
    "DUPLICATES",
    "ENTITIES",
    "GENERATIONS_DIR",
    "Generation",
    "JsonlWriter",
    "KEEP_OLD_GENERATIONS",
    "MANIFEST_JSON",
    "NEAR_KEPT",
    "ParquetTableWriter",
    "Published",
    "REJECTS",
    "STATE_DIR",
    "TABLES",
    "Table",
    "Written",
    "digest_file",
    "output_error",
    "prepare_output",
    "publish",
    "published",
    "recover",
    "to_arrow",
]

GENERATIONS_DIR = ".generations"
CURRENT_LINK = "current"
MANIFEST_JSON = "manifest.json"
STATE_DIR = "state"
#: Published generations kept besides the current one, so that a reader that resolved
#: `current` just before a swap can still open its files (an open file survives deletion anyway).
KEEP_OLD_GENERATIONS = 1

_GENERATION_NAME = re.compile(r"^g-(\d{6,})$")
_STAGED_LINK = re.compile(r"^\..+\.tmp-\d+$")
_PART_NAME = re.compile(r"^part-(\d{6,})\.(parquet|jsonl)$")


# --------------------------------------------------------------------------- the tables


@dataclass(frozen=True, slots=True)
class Table:
    """One output table: its folder of parts, its one-file name, and how it is written."""

    name: str
    format: Literal["parquet", "jsonl"]
    folder: str
    schema: pa.Schema | None = None
    #: Rows per Parquet row group (every group but the last has exactly this many).
    row_group_rows: int = 65_536
    #: Leaf columns to dictionary-encode (those with few distinct values), by their Parquet
    #: paths: a list's values are `<column>.list.element` (see `_leaf_paths`).
    dictionary: frozenset[str] = frozenset()
    #: Top-level columns without min/max statistics: long free text, useless for pruning.
    #: The leaves of list columns never get any (see `ParquetTableWriter`).
    no_statistics: frozenset[str] = frozenset()

    @property
    def file(self) -> str:
        """Return the table's one-file name (`articles.parquet`)."""
        return f"{self.name}.{self.format}"

    def part(self, generation: int) -> str:
        """Return the path, relative to a generation, of the part written by `generation`."""
        return f"{self.folder}/part-{generation:06d}.{self.format}"

    @property
    def glob(self) -> str:
        """Return the glob, relative to the output folder, that matches every part."""
        return f"{self.folder}/*.{self.format}"


_ENTITY_LIST = "entities.list.element"
_TEXT = frozenset({"headline", "body"})

#: Articles, in input order (source_file, source_line). 2,048 articles of ~3.5 kB (text,
#: mention lists) make row groups of ~6.6 MB of Arrow data (~3.3 MB encoded, ~0.7 MB
#: compressed, on the synthetic dumps). The writer
#: buffers a row group before writing it, so its size is held in memory twice (rows, then
#: the contiguous copy): measured side by side, 16,384 cost 80 MiB more peak RSS than 4,096
#: and 4,096 10 MiB more than 2,048, for no speed, while files grow only 1.5% (16,384 ->
#: 4,096) and 2.0% (4,096 -> 2,048).
ARTICLES = Table(
    name="articles",
    format="parquet",
    folder="articles",
    schema=arrow.ARTICLES,
    row_group_rows=2_048,
    dictionary=frozenset(
        {
            "source_file",
            f"{_ENTITY_LIST}.label",
            f"{_ENTITY_LIST}.entity_id",
            f"{_ENTITY_LIST}.name",
            f"{_ENTITY_LIST}.field",
            f"{_ENTITY_LIST}.text",
            "countries.list.element",
            "country_salience.list.element.country",
            "organizations.list.element",
            "themes.list.element",
            "flags.list.element",
        }
    ),
    no_statistics=_TEXT,
)
ARTICLES_JSONL = Table(name="articles", format="jsonl", folder="articles_jsonl")
#: Mentions, in the order of their articles, then field and start: ~120 bytes a row, so
#: 32,768 rows (~1,600 articles) make row groups of ~4 MB before compression.
ENTITIES = Table(
    name="entities",
    format="parquet",
    folder="entities",
    schema=arrow.ENTITIES,
    row_group_rows=32_768,
    dictionary=frozenset(
        {"article_id", "field", "text", "label", "entity_id", "name", "country", "source"}
    ),
)
DUPLICATES = Table(
    name="duplicates",
    format="parquet",
    folder="duplicates",
    schema=arrow.DUPLICATES,
    row_group_rows=65_536,
    dictionary=frozenset({"kind", "source_file"}),
    no_statistics=frozenset({"headline"}),
)
#: Near duplicates kept with --keep-near-duplicates: the duplicates table under its own name.
NEAR_KEPT = replace(DUPLICATES, name="near_duplicates_kept", folder="near_duplicates_kept")
REJECTS = Table(name="rejects", format="jsonl", folder="rejects")

#: Every table a run publishes, in manifest order.
TABLES: tuple[Table, ...] = (ARTICLES, ARTICLES_JSONL, ENTITIES, DUPLICATES, NEAR_KEPT, REJECTS)


def output_error(path: Path | str, exc: OSError) -> OutputError:
    """Return the one-line `OutputError` for an OS error met while writing `path`."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason = f"{reason} (disk full; the previous outputs are untouched)"
    return OutputError(path, reason)


def to_arrow(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    """Return `frame` as an Arrow table cast to exactly `schema` (names, order and types)."""
    table = frame.select(schema.names).to_arrow()
    # polars writes large_string / large_list; the published schema uses the 32-bit variants.
    return table.cast(schema, safe=True)


# --------------------------------------------------------------------------- the writers


@dataclass(frozen=True, slots=True)
class Written:
    """One file of a generation: where, how many rows, how many bytes, which sha256."""

    path: str  # relative to the generation (and so to the output folder)
    rows: int
    bytes: int
    sha256: str


class _Sink(io.RawIOBase):
    """A new file written with `os.write`, hashed as it goes, fsynced on close.

    Every byte the toolkit writes goes through `write` below, so an OS error (disk full,
    permission, I/O) surfaces here as the OSError the kernel reported, whichever library
    (pyarrow, polars) produced the bytes.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.size = 0
        self._digest = hashlib.sha256()
        self._abandoned = False
        try:
            # O_EXCL: a generation folder is new, so a file already there is a bug, not data.
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise output_error(path, exc) from exc

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.size

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(data).cast("B")
        total = len(view)
        if self._abandoned:
            return total  # the file is being thrown away: swallow a late footer
        if self.closed:
            raise ValueError(f"write to closed file {self.path}")
        while view:
            written = os.write(self._fd, view)
            self._digest.update(view[:written])
            view = view[written:]
        self.size += total
        return total

    def finish(self) -> tuple[int, str]:
        """Flush the file to disk, close it, and return its size and sha256."""
        os.fsync(self._fd)
        self.close()
        return self.size, self._digest.hexdigest()

    def abandon(self) -> None:
        """Close the file and drop anything written to it from now on."""
        self._abandoned = True
        self.close()

    def close(self) -> None:
        if not self.closed:
            try:
                os.close(self._fd)
            finally:
                super().close()


class _PartWriter:
    """A writer of one part, as a context manager: `close` on success, `abort` on failure."""

    path: Path
    relpath: str
    rows: int
    written: Written | None
    _sink: _Sink

    def close(self) -> Written:
        """Finish the file and return what was written."""
        raise NotImplementedError

    def _finish(self) -> Written:
        """Fsync and close the sink, and remember what the part holds."""
        try:
            size, sha = self._sink.finish()
        except OSError as exc:
            raise output_error(self.path, exc) from exc
        self.written = Written(self.relpath, self.rows, size, sha)
        return self.written

    def abort(self) -> None:
        """Close the file without finishing it (the generation is being discarded)."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


class ParquetTableWriter(_PartWriter):
    """Streams Arrow tables into one Parquet file in row groups of exactly `row_group_rows`."""

    def __init__(self, path: Path, table: Table, metadata: dict[str, str], relpath: str) -> None:
        if table.schema is None:
            raise ValueError(f"{table.file} has no Arrow schema")
        self.path = path
        self.relpath = relpath
        self.rows = 0
        self.written: Written | None = None
        self._row_group_rows = table.row_group_rows
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        schema = table.schema.with_metadata({k.encode(): v.encode() for k, v in metadata.items()})
        self._schema = schema
        leaves = _leaf_paths(schema)
        unknown = (table.dictionary | table.no_statistics) - set(leaves)
        if unknown:  # a misspelt path would silently leave its column without its encoding
            raise ValueError(f"{table.file}: no such Parquet column {sorted(unknown)}")
        # Statistics on top-level columns only: readers prune row groups and pages by them
        # (`source_file`, `source_line`, ...), while the min/max of a list's values over
        # 2,048 articles (AFG..ZWE) prunes nothing, and wrote 8% more of the table's CPU.
        statistics = [
            field.name
            for field in schema
            if not pa.types.is_nested(field.type) and field.name not in table.no_statistics
        ]
        self._sink = _Sink(path)
        try:
            # Every setting is spelled out: a pyarrow upgrade that changes a default must not
            # silently change the files (determinism, readers' expectations).
            self._writer = pq.ParquetWriter(
                self._sink,
                schema,
                version="2.6",
                data_page_version="1.0",
                compression="zstd",
                compression_level=3,
                use_dictionary=[name for name in leaves if name in table.dictionary],
                write_statistics=statistics,
                write_page_index=True,
                data_page_size=1 << 20,
                use_compliant_nested_type=True,
                store_schema=True,
            )
        except OSError as exc:
            self._sink.abandon()
            raise output_error(path, exc) from exc

    def write(self, data: pa.Table) -> None:
        """Buffer `data`, writing out every full row group."""
        if data.num_rows == 0:
            return
        self._pending.append(data)
        self._pending_rows += data.num_rows
        self.rows += data.num_rows
        if self._pending_rows >= self._row_group_rows:
            self._flush(final=False)

    def _flush(self, *, final: bool) -> None:
        buffered = pa.concat_tables(self._pending)
        full = (buffered.num_rows // self._row_group_rows) * self._row_group_rows
        cut = buffered.num_rows if final else full
        try:
            for start in range(0, cut, self._row_group_rows):
                # One contiguous chunk per row group: pyarrow cuts pages at array-chunk edges,
                # so without this the batch size (--chunk-mb) would change the file's bytes.
                chunk = buffered.slice(start, min(self._row_group_rows, cut - start))
                self._writer.write_table(
                    chunk.combine_chunks(), row_group_size=self._row_group_rows
                )
        except OSError as exc:
            raise output_error(self.path, exc) from exc
        rest = buffered.slice(cut)
        self._pending = [rest] if rest.num_rows else []
        self._pending_rows = rest.num_rows

    def close(self) -> Written:
        """Write the last row group and the footer, fsync, and return what was written."""
        if self.written is not None:
            return self.written
        if self._pending_rows:
            self._flush(final=True)
        try:
            self._writer.close()
        except OSError as exc:
            raise output_error(self.path, exc) from exc
        return self._finish()

    def abort(self) -> None:
        """Close the file without finishing it (the generation is being discarded)."""
        self._sink.abandon()
        # Close the pyarrow writer now (its footer goes nowhere) rather than at garbage
        # collection, where an error could only be printed.
        with contextlib.suppress(OSError, pa.ArrowException):
            self._writer.close()


def _leaf_paths(schema: pa.Schema) -> list[str]:
    """Return the dotted Parquet column paths of `schema` (as `use_dictionary` names them).

    A list's values are `<column>.list.element` whatever the Arrow field's name (`item`):
    the writer spells nested types the compliant way (`use_compliant_nested_type`), and
    pyarrow matches `use_dictionary` against those Parquet paths, silently ignoring others.
    """
    paths: list[str] = []

    def walk(prefix: str, kind: pa.DataType) -> None:
        if pa.types.is_struct(kind):
            for child in kind:
                walk(f"{prefix}.{child.name}", child.type)
        elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
            walk(f"{prefix}.list.element", kind.value_type)
        else:
            paths.append(prefix)

    for column in schema:
        walk(column.name, column.type)
    return paths


class JsonlWriter(_PartWriter):
    """Appends frames to a JSON Lines file: UTF-8, one object per line, fields in frame order."""

    def __init__(self, path: Path, relpath: str) -> None:
        self.path = path
        self.relpath = relpath
        self.rows = 0
        self.written: Written | None = None
        self._sink = _Sink(path)

    def write(self, frame: pl.DataFrame) -> None:
        """Append one line per row of `frame`."""
        if frame.height == 0:
            return
        # Straight into the sink, which polars hands its bytes in one call: not a str
        # (write_ndjson() would decode the bytes and .encode() copy them back, 26 ms against 10
        # for a 2 MiB batch), nor a BytesIO first (one copy and one growing buffer less, whose
        # fresh pages were a tenth of a run's page faults). polars re-raises the sink's OSError.
        try:
            # (a RawIOBase, which polars' stubs do not name among the binary files it takes)
            frame.write_ndjson(cast(IO[bytes], self._sink))
        except OSError as exc:
            raise output_error(self.path, exc) from exc
        self.rows += frame.height

    def close(self) -> Written:
        """Flush, fsync and close the file, and return what was written."""
        if self.written is not None:
            return self.written
        return self._finish()

    def abort(self) -> None:
        """Close the file without finishing it (the generation is being discarded)."""
        self._sink.abandon()


def digest_file(path: Path) -> tuple[int, str]:
    """Return the size and sha256 of a file on disk."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


# --------------------------------------------------------------------------- generations


def prepare_output(out: Path) -> Path:
    """Return `out` after making sure it exists, is a folder, and can be written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise OutputError(out, "not a folder") from exc
    except OSError as exc:
        raise output_error(out, exc) from exc
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(out, "permission denied")
    return out


def _generation_number(name: str) -> int | None:
    match = _GENERATION_NAME.match(name)
    return int(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class Published:
    """The published generation of an output folder and its parsed manifest."""

    out: Path
    path: Path
    number: int
    manifest: Manifest

    def outputs(self) -> dict[str, Written]:
        """Return the manifest's output entries by path."""
        return {
            entry.path: Written(entry.path, entry.rows, entry.bytes, entry.sha256)
            for entry in self.manifest.outputs
        }


def _current_target(out: Path) -> Path | None:
    """Return the generation folder `OUT/current` points at, or None when there is none."""
    link = out / CURRENT_LINK
    if not link.is_symlink():
        if link.exists():
            raise OutputError(link, "expected a symlink to the published generation")
        return None
    return out / os.readlink(link)


def published(out: Path) -> Published | None:
    """Return the published generation of `out` (manifest parsed), or None before the first run."""
    target = _current_target(out)
    if target is None:
        return None
    number = _generation_number(target.name)
    if number is None:
        raise IntegrityError("manifest", f"{target} is not a generation this toolkit wrote")
    manifest_path = target / MANIFEST_JSON
    try:
        manifest = Manifest.model_validate_json(manifest_path.read_bytes())
    except (OSError, ValueError) as exc:
        raise IntegrityError(
            "manifest", f"published manifest {manifest_path} is unreadable (run 'etl validate')"
        ) from exc
    return Published(out, target, number, manifest)


def recover(out: Path) -> list[Path]:
    """Delete what killed or failed runs left in `out` and return the paths removed.

    Must be called with the output lock held. Removes staged links (`.<name>.tmp-<pid>`),
    every generation newer than the published one (runs that never reached their commit
    point), and older generations beyond `KEEP_OLD_GENERATIONS`.
    """
    removed: list[Path] = []
    try:
        for entry in sorted(out.iterdir()):
            if _STAGED_LINK.match(entry.name) and entry.is_symlink():
                entry.unlink()
                removed.append(entry)
        removed.extend(_prune(out))
    except OSError as exc:
        raise output_error(out, exc) from exc
    return removed


def _prune(out: Path) -> list[Path]:
    """Delete every generation but the published one and the newest complete older ones."""
    root = out / GENERATIONS_DIR
    if not root.is_dir():
        return []
    target = _current_target(out)
    current = _generation_number(target.name) if target is not None else None
    older: list[tuple[int, Path]] = []
    doomed: list[Path] = []
    for entry in sorted(root.iterdir()):
        number = _generation_number(entry.name)
        if target is not None and entry.name == target.name:
            continue
        if (
            number is not None
            and current is not None
            and number < current
            and (entry / MANIFEST_JSON).is_file()
        ):
            older.append((number, entry))
        else:
            # Newer than the published one, or never finished, or not ours to keep.
            doomed.append(entry)
    older.sort(reverse=True)
    doomed.extend(path for _, path in older[KEEP_OLD_GENERATIONS:])
    for path in doomed:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return doomed


@dataclass(slots=True)
class Generation:
    """A folder that one run writes its outputs into before publishing them.

    Create it with the output lock held: its number is one more than any generation in the
    folder, which is what orders parts and tells recovery which folders are leftovers.
    """

    out: Path
    number: int
    path: Path
    files: dict[str, Written] = field(default_factory=dict)

    @classmethod
    def create(cls, out: Path) -> Generation:
        """Return a new, empty generation folder under `out`, numbered after every other."""
        root = out / GENERATIONS_DIR
        try:
            root.mkdir(exist_ok=True)
            numbers = [_generation_number(p.name) for p in root.iterdir()]
            target = _current_target(out)
            if target is not None:
                numbers.append(_generation_number(target.name))
            number = max((n for n in numbers if n is not None), default=0) + 1
            path = root / f"g-{number:06d}"
            path.mkdir()
        except OSError as exc:
            raise output_error(root, exc) from exc
        return cls(out, number, path)

    def _target(self, relpath: str) -> Path:
        target = self.path / relpath
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise output_error(target.parent, exc) from exc
        return target

    def parquet(
        self, table: Table, metadata: dict[str, str], relpath: str | None = None
    ) -> ParquetTableWriter:
        """Return a writer for `table`'s part of this generation (or for `relpath`)."""
        relpath = relpath or table.part(self.number)
        return ParquetTableWriter(self._target(relpath), table, metadata, relpath)

    def jsonl(self, table: Table) -> JsonlWriter:
        """Return a writer for `table`'s part of this generation."""
        relpath = table.part(self.number)
        return JsonlWriter(self._target(relpath), relpath)

    def record(self, written: Written) -> None:
        """Count `written` as one of this generation's files (it goes into the manifest)."""
        self.files[written.path] = written

    def add_part(self, table: Table, written: Written) -> None:
        """Record this run's part of `table`, or delete it when it is empty and not needed.

        A run adds a part only when it has rows for the table, except that a table always has
        at least one part (possibly empty), so that its glob always matches a file.
        """
        if written.rows == 0 and any(path != written.path for path in self.parts(table)):
            self.forget(written.path)
        else:
            self.record(written)

    def forget(self, relpath: str) -> None:
        """Delete a file of this generation that turned out not to be needed."""
        self.files.pop(relpath, None)
        try:
            (self.path / relpath).unlink()
        except OSError as exc:
            raise output_error(self.path / relpath, exc) from exc

    def adopt(self, previous: Published, relpaths: Collection[str]) -> None:
        """Hard-link files of the published generation into this one, with their manifest entries.

        Earlier parts are not copied: a hard link costs nothing, and the published generation
        stays complete on its own until this one replaces it.
        """
        entries = previous.outputs()
        for relpath in relpaths:
            entry = entries.get(relpath)
            if entry is None:
                raise IntegrityError("incremental", f"{relpath} is not in the published manifest")
            source = previous.path / relpath
            try:
                if source.stat().st_size != entry.bytes:
                    raise IntegrityError(
                        "incremental",
                        f"{source} has changed since it was published (run 'etl validate')",
                    )
                _link_or_copy(source, self._target(relpath))
            except OSError as exc:
                raise output_error(self.path / relpath, exc) from exc
            self.record(entry)

    def parts(self, table: Table) -> list[str]:
        """Return the relative paths of `table`'s parts in this generation, oldest first."""
        prefix = f"{table.folder}/"
        return sorted(
            path
            for path in self.files
            if path.startswith(prefix) and _PART_NAME.match(path[len(prefix) :])
        )

    def publish_single_files(self, tables: Collection[Table]) -> None:
        """Link each table made of exactly one part to its one-file name (`articles.parquet`)."""
        for table in tables:
            parts = self.parts(table)
            if len(parts) != 1:
                continue
            source = self.files[parts[0]]
            target = self._target(table.file)
            try:
                _link_or_copy(self.path / source.path, target)
            except OSError as exc:
                raise output_error(target, exc) from exc
            self.record(Written(table.file, source.rows, source.bytes, source.sha256))

    def write_json(self, name: str, payload: object) -> Path:
        """Write `payload` as pretty, key-sorted JSON (fsynced) and return its path."""
        target = self._target(name)
        sink = _Sink(target)
        try:
            sink.write((json.dumps(payload, indent=2, sort_keys=True) + "\n").encode("utf-8"))
            sink.finish()
        except OSError as exc:
            sink.close()
            raise output_error(target, exc) from exc
        return target

    def outputs(self) -> list[Written]:
        """Return every recorded file of this generation, sorted by path."""
        return [self.files[path] for path in sorted(self.files)]

    def discard(self) -> None:
        """Remove this generation unless it is the published one (then it is kept, as it must)."""
        # A signal can interrupt a run just after its commit point: what `current` points at
        # is published, whatever the run was doing when it was interrupted.
        target = _current_target(self.out) if (self.out / CURRENT_LINK).is_symlink() else None
        if target is not None and target.name == self.path.name:
            return
        shutil.rmtree(self.path, ignore_errors=True)


def _link_or_copy(source: Path, target: Path) -> None:
    """Hard-link `source` to `target`, copying where the file system has no hard links."""
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copyfile(source, target)
        fd = os.open(target, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _folders(root: Path) -> Iterator[Path]:
    """Yield every folder under `root`, deepest first, then `root` itself."""
    for dirpath, _dirnames, _files in os.walk(root, topdown=False):
        yield Path(dirpath)


def publish(generation: Generation) -> None:
    """Make `generation` the published one, atomically, and point every top-level name into it."""
    out = generation.out
    staged: list[Path] = []
    try:
        # Files were fsynced as they were closed; make their directory entries durable too,
        # so that after a power loss `current` never points at a folder with missing files.
        for folder in _folders(generation.path):
            _fsync_dir(folder)
        _fsync_dir(out / GENERATIONS_DIR)

        names = sorted(entry.name for entry in generation.path.iterdir())
        # Links for names new to this generation are created before the swap: until then they
        # dangle (the name does not exist yet for a reader), after it they resolve.
        for name in names:
            _link_output(out, name, staged)

        link = out / f".{CURRENT_LINK}.tmp-{os.getpid()}"
        staged.append(link)
        if link.is_symlink():
            link.unlink()
        link.symlink_to(Path(GENERATIONS_DIR) / generation.path.name)
        os.replace(link, out / CURRENT_LINK)  # the commit point
        _fsync_dir(out)
    except OSError as exc:
        for path in staged:
            if path.is_symlink():
                path.unlink()
        raise output_error(out, exc) from exc

    # Past the commit point the run has succeeded; tidying up must not turn it into a failure
    # (a leftover is removed by the next run).
    try:
        _unlink_stale_names(out, set(names))
        _prune(out)
        _fsync_dir(out)
    except OSError:
        pass


def _link_output(out: Path, name: str, staged: list[Path]) -> None:
    """Make OUT/name a symlink to current/name (once; later swaps of `current` move it)."""
    link = out / name
    target = Path(CURRENT_LINK) / name
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return
    if link.exists() and link.is_dir() and not link.is_symlink():
        raise OutputError(link, "a folder stands where an output link belongs; move it away")
    temporary = out / f".{name}.tmp-{os.getpid()}"
    staged.append(temporary)
    if temporary.is_symlink():
        temporary.unlink()
    temporary.symlink_to(target)
    os.replace(temporary, link)


def _unlink_stale_names(out: Path, names: set[str]) -> None:
    """Remove links to names the published generation no longer has (they would dangle)."""
    prefix = f"{CURRENT_LINK}/"
    for entry in out.iterdir():
        if entry.name in names or not entry.is_symlink():
            continue
        target = os.readlink(entry)
        if target.startswith(prefix) and "/" not in target[len(prefix) :]:
            entry.unlink()
