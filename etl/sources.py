"""Input discovery and decoding: files and folders in, bounded chunks of text out.

Inputs are files or folders (searched recursively for `*.txt` and `*.txt.gz`), read in sorted
path order, gzip-decompressed on the fly, and cut into chunks at line ends so memory stays
bounded whatever the file size. Bytes that are not valid UTF-8 are decoded one by one as
Windows-1252 (Latin-1 for the five bytes cp1252 leaves undefined): no text is lost, and the
chunk says it was repaired.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import re

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from etl.errors import InputError

__all__ = ["InputFile", "TextChunk", "discover_inputs", "file_digest", "read_chunks", "read_text"]

_UTF8_BOM = b"\xef\xbb\xbf"
_FALLBACK_ERRORS = "etl-cp1252-fallback"


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode each undecodable byte as cp1252 (or Latin-1 where cp1252 has no character)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    chars = []
    for byte in bad:
        single = bytes([byte])
        try:
            chars.append(single.decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(single.decode("latin-1"))
    return "".join(chars), error.end


codecs.register_error(_FALLBACK_ERRORS, _cp1252_fallback)


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file: where it is and how it is named in the outputs."""

    path: Path
    source_file: str


@dataclass(frozen=True, slots=True)
class TextChunk:
    """A run of whole lines of one input file, decoded."""

    source_file: str
    text: str
    first_line: int  # 1-based line number of the chunk's first line
    first_offset: int  # byte offset of the chunk's first line in the decompressed file
    bom_removed: bool
    repaired_lines: tuple[int, ...]  # absolute line numbers whose bytes were not valid UTF-8
    last: bool  # no more text follows in this file


def discover_inputs(paths: tuple[Path, ...]) -> list[InputFile]:
    """Return the input files named by `paths`, folders expanded, in sorted path order."""
    found: list[InputFile] = []
    for given in paths:
        if given.is_dir():
            for child in sorted(given.rglob("*")):
                if child.is_file() and (child.name.endswith(".txt") or child.name.endswith(".txt.gz")):
                    found.append(InputFile(child, child.relative_to(given).as_posix()))
        elif given.is_file():
            found.append(InputFile(given, given.as_posix()))
        elif given.exists():
            raise InputError(given, "not a regular file or folder")
        else:
            raise InputError(given, "no such file or folder")
    found.sort(key=lambda item: (item.source_file, str(item.path)))
    return found


def _open(path: Path) -> BinaryIO:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise InputError(path, exc.strerror or str(exc)) from exc
    if path.name.endswith(".gz"):
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def file_digest(path: Path) -> tuple[int, str]:
    """Return the size in bytes and the sha256 of a file as it is on disk."""
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
    except OSError as exc:
        raise InputError(path, exc.strerror or str(exc)) from exc
    return size, digest.hexdigest()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors=_FALLBACK_ERRORS)


_LINE_BREAK = re.compile(rb"\r\n|\n|\r")


def _repaired_lines(data: bytes, first_line: int) -> tuple[int, ...]:
    """Return the line numbers of `data` that are not valid UTF-8 (the slow path, bad chunks only)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return ()
    bad: list[int] = []
    start = 0
    line = first_line
    for match in _LINE_BREAK.finditer(data):
        try:
            data[start : match.start()].decode("utf-8")
        except UnicodeDecodeError:
            bad.append(line)
        start = match.end()
        line += 1
    try:
        data[start:].decode("utf-8")
    except UnicodeDecodeError:
        bad.append(line)
    return tuple(bad)


def _cut(buffer: bytes) -> int:
    """Return how many leading bytes of `buffer` end on a line break (0 when none does)."""
    newline = buffer.rfind(b"\n")
    if newline >= 0:
        return newline + 1
    # A file with old Mac line ends has no \n: cut after a \r that is not the buffer's last
    # byte, so a \r\n pair is never split across chunks.
    carriage = buffer.rfind(b"\r", 0, len(buffer) - 1)
    return carriage + 1 if carriage >= 0 else 0


def read_chunks(item: InputFile, chunk_bytes: int) -> Iterator[TextChunk]:
    """Yield the file's text in chunks of about `chunk_bytes`, each ending on a line break."""
    handle = _open(item.path)
    line = 1
    offset = 0
    pending = b""
    first = True
    try:
        with handle:
            while True:
                try:
                    block = handle.read(chunk_bytes)
                except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
                    raise InputError(item.path, f"corrupt or unreadable: {exc}") from exc
                pending += block
                at_end = not block
                if not at_end:
                    cut = _cut(pending)
                    if cut == 0:
                        continue  # a very long line: keep reading until it ends
                    data, pending = pending[:cut], pending[cut:]
                else:
                    data, pending = pending, b""
                bom = first and data.startswith(_UTF8_BOM)
                if bom:
                    data = data[len(_UTF8_BOM) :]
                    offset += len(_UTF8_BOM)
                repaired = _repaired_lines(data, line)
                text = _decode(data)
                yield TextChunk(item.source_file, text, line, offset, bom, repaired, at_end)
                first = False
                line += _count_line_breaks(data)
                offset += len(data)
                if at_end:
                    return
    except InputError:
        raise
    except OSError as exc:
        raise InputError(item.path, exc.strerror or str(exc)) from exc


def _count_line_breaks(data: bytes) -> int:
    """Count line breaks the way the parser does: \r\n, \n and a lone \r each end one line."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def read_text(path: Path) -> str:
    """Return a whole input file's text, decoded the way the pipeline decodes it."""
    with _open(path) as handle:
        data = handle.read()
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    return _decode(data)
