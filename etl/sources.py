"""Input discovery and decoding: files and folders in, bounded chunks of text out.

Inputs are files or folders (searched recursively for `*.txt` and `*.txt.gz`), read in sorted
path order, gzip-decompressed on the fly, and cut into chunks at line ends so memory stays
bounded whatever the file size. Bytes that are not valid UTF-8 are decoded one by one as
Windows-1252 (Latin-1 for the five bytes cp1252 leaves undefined): no text is lost, and the
chunk lists the lines it repaired with how many bytes longer their UTF-8 became, so byte
offsets can still be given in the original (decompressed) file.

A line longer than `max_line_bytes` is handed out in pieces cut at character boundaries (the
parser glues them back together), so a single multi-megabyte line never needs more than one
extra piece in memory. A gzip stream that turns out corrupt or truncated does not raise: the
text read so far is handed out and the last chunk carries the error, which Extract turns
into an `unreadable_input` reject. A file that cannot be opened at all is an `InputError`.
"""

from __future__ import annotations

import codecs
import hashlib
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from etl.errors import InputError

__all__ = [
    "MAX_LINE_BYTES",
    "InputFile",
    "TextChunk",
    "discover_inputs",
    "file_digest",
    "read_chunks",
    "read_text",
]

#: A line longer than this is handed to the parser in pieces (see the module docstring).
MAX_LINE_BYTES = 8 * 1024 * 1024

_UTF8_BOM = b"\xef\xbb\xbf"
_FALLBACK_ERRORS = "etl-cp1252-fallback"


def _fallback_char(byte: int) -> str:
    single = bytes([byte])
    try:
        return single.decode("cp1252")
    except UnicodeDecodeError:
        return single.decode("latin-1")


_FALLBACK = {byte: _fallback_char(byte) for byte in range(256)}
# Where the fallback was used, per thread: (start, end, replacement) of each bad sequence.
_REPAIRED = threading.local()


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode each undecodable byte as cp1252 (or Latin-1 where cp1252 has no character)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    replacement = "".join(_FALLBACK[byte] for byte in bad)
    log = getattr(_REPAIRED, "log", None)
    if log is not None:
        log.append((error.start, error.end, replacement))
    return replacement, error.end


codecs.register_error(_FALLBACK_ERRORS, _cp1252_fallback)


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file: where it is and how it is named in the outputs."""

    path: Path
    source_file: str


@dataclass(frozen=True, slots=True)
class TextChunk:
    """A run of whole lines of one input file, decoded (or a piece of one very long line)."""

    source_file: str
    text: str
    first_line: int  # 1-based line number of the chunk's first line
    first_offset: int  # byte offset of the chunk's first byte in the decompressed file
    bom_removed: bool  # the file started with a UTF-8 byte order mark, removed from `text`
    #: (line, extra) for every line that was not valid UTF-8: its decoded text is `extra`
    #: bytes longer in UTF-8 than the bytes in the file.
    repairs: tuple[tuple[int, int], ...]
    last: bool  # no more text follows in this file
    error: str | None = None  # set on the last chunk when the rest of the file was unreadable


def _matches(name: str) -> bool:
    return name.endswith((".txt", ".txt.gz"))


def discover_inputs(paths: tuple[Path, ...] | list[Path]) -> list[InputFile]:
    """Return the input files named by `paths`, folders expanded, in sorted path order."""
    found: list[InputFile] = []
    for given in paths:
        if given.is_dir():
            for child in given.rglob("*"):
                # A dangling link or other non-folder entry with a dump's name is kept, so
                # opening it fails loudly instead of the file being skipped in silence.
                if _matches(child.name) and not child.is_dir():
                    found.append(InputFile(child, child.relative_to(given).as_posix()))
        elif given.is_file():
            found.append(InputFile(given, given.as_posix()))
        elif given.exists():
            raise InputError(given, "not a regular file or folder")
        else:
            raise InputError(given, "no such file or folder")
    found.sort(key=lambda item: (item.source_file, str(item.path)))
    unique: list[InputFile] = []
    seen: set[Path] = set()
    for item in found:
        # The same file named twice (as a file and inside a folder) is read once.
        real = item.path.resolve()
        if real not in seen:
            seen.add(real)
            unique.append(item)
    return unique


class _CorruptError(Exception):
    """A compressed input turned out corrupt or truncated part-way through."""


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as exc:
        raise InputError(path, exc.strerror or str(exc)) from exc


def _read(handle: BinaryIO, path: Path, size: int) -> bytes:
    try:
        return handle.read(size)
    except OSError as exc:
        raise InputError(path, exc.strerror or str(exc)) from exc


# Blocks travel in a one-item list that the consumer empties: a generator keeps its locals
# alive while suspended, and a 16 MiB block held there would double the chunk's memory.
_Box = list[bytes]


def _plain_blocks(handle: BinaryIO, path: Path, size: int) -> Iterator[_Box]:
    while block := _read(handle, path, size):
        box = [block]
        del block
        yield box


def _gzip_blocks(handle: BinaryIO, path: Path, size: int) -> Iterator[_Box]:
    """Yield decompressed blocks of at most `size` bytes; raise `_CorruptError` where data breaks.

    zlib is driven directly (not `gzip.GzipFile`) so every byte decompressed before a
    corruption is handed out, and a bomb-like ratio never makes one block huge.
    """
    inflate = zlib.decompressobj(wbits=31)
    pending = b""
    member_open = False
    while True:
        if not pending:
            pending = _read(handle, path, size)
            if not pending:
                if member_open:
                    raise _CorruptError("compressed file ended before the end-of-stream marker")
                return
        try:
            out = inflate.decompress(pending, size)
        except zlib.error as exc:
            raise _CorruptError(f"not gzip data or corrupt: {exc}") from exc
        member_open = not inflate.eof
        if inflate.eof:
            # Another gzip member may follow (concatenated .gz files are valid gzip).
            pending = inflate.unused_data
            inflate = zlib.decompressobj(wbits=31)
        else:
            pending = inflate.unconsumed_tail
        if out:
            box = [out]
            del out
            yield box


def _blocks(item: InputFile, size: int) -> Iterator[_Box]:
    with _open(item.path) as handle:
        if item.path.name.endswith(".gz"):
            yield from _gzip_blocks(handle, item.path, size)
        else:
            yield from _plain_blocks(handle, item.path, size)


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


def _decode(data: bytes, first_line: int) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Return the text of `data` and the repairs made (none for valid UTF-8, the fast path)."""
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    _REPAIRED.log = []
    try:
        text = data.decode("utf-8", errors=_FALLBACK_ERRORS)
        log: list[tuple[int, int, str]] = _REPAIRED.log
    finally:
        _REPAIRED.log = None
    # Place each repair on its line, counting breaks between repairs without copying.
    extra: dict[int, int] = {}
    line, position = first_line, 0
    for start, end, replacement in log:
        line += _count_line_breaks(data, position, start)
        position = start
        extra[line] = extra.get(line, 0) + len(replacement.encode("utf-8")) - (end - start)
    return text, tuple(extra.items())


def _count_line_breaks(data: bytes, start: int = 0, end: int | None = None) -> int:
    """Count line breaks the way the parser does: \r\n, \n and a lone \r each end one line."""
    end = len(data) if end is None else end
    breaks = data.count(b"\n", start, end)
    if data.find(b"\r", start, end) >= 0:  # counting \r\n pairs is slow: only when needed
        breaks += data.count(b"\r", start, end) - data.count(b"\r\n", start, end)
    return breaks


def _cut(block: bytes) -> int:
    """Return how many leading bytes of `block` end on a line break (0 when none does)."""
    newline = block.rfind(b"\n")
    if newline >= 0:
        return newline + 1
    # Old Mac files have no \n: cut after a \r that is not the block's last byte, so a
    # \r\n pair is never split across chunks.
    carriage = block.rfind(b"\r", 0, len(block) - 1)
    return carriage + 1 if carriage >= 0 else 0


def _char_boundary(data: bytes, limit: int) -> int:
    """Return a cut at or below `limit` that does not split a UTF-8 sequence or a \r\n pair."""
    cut = limit
    # Step back over continuation bytes (10xxxxxx) to the start of a character.
    while cut > limit - 4 and cut > 0 and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    if cut > 0 and data[cut - 1] == 0x0D:
        cut -= 1
    return cut if cut > 0 else limit


def _line_blocks(
    blocks: Iterator[_Box], max_line_bytes: int
) -> Iterator[tuple[bytes, bool, str | None]]:
    """Yield (data, last, error): runs of whole lines, or pieces of a line too long to wait for.

    A partial last line waits in a list of pieces, so a long line costs one join, not one
    copy per block.
    """
    waiting: list[bytes] = []
    waiting_bytes = 0
    while True:
        error = None
        try:
            block = next(blocks, [b""]).pop()
        except _CorruptError as exc:
            block, error = b"", str(exc)
        if not block:
            yield b"".join(waiting), True, error
            return
        cut = _cut(block)
        if cut == 0:
            waiting.append(block)
            waiting_bytes += len(block)
            if waiting_bytes > max_line_bytes:
                line = b"".join(waiting)
                at = _char_boundary(line, max_line_bytes)
                waiting, waiting_bytes = [line[at:]], len(line) - at
                yield line[:at], False, None
            continue
        head = block[:cut] if cut < len(block) else block
        data = b"".join([*waiting, head]) if waiting else head
        waiting = [block[cut:]] if cut < len(block) else []
        waiting_bytes = len(block) - cut
        del block, head  # drop the block before handing out its lines: one copy in memory
        yield data, False, None
        del data


def read_chunks(
    item: InputFile, chunk_bytes: int, *, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[TextChunk]:
    """Yield the file's text in chunks of about `chunk_bytes`, each ending on a line break."""
    line, offset = 1, 0
    first = True
    for lines, last, error in _line_blocks(_blocks(item, chunk_bytes), max_line_bytes):
        bom = first and lines.startswith(_UTF8_BOM)
        data = lines[len(_UTF8_BOM) :] if bom else lines
        del lines
        if bom:
            offset += len(_UTF8_BOM)
        text, repairs = _decode(data, line)
        chunk = TextChunk(item.source_file, text, line, offset, bom, repairs, last, error)
        first = False
        line += _count_line_breaks(data)
        offset += len(data)
        # Only the decoded text lives on while the consumer works on it.
        del data, text
        yield chunk
        del chunk


def read_text(path: Path) -> str:
    """Return a whole input file's text, decoded the way the pipeline decodes it."""
    item = InputFile(path, path.as_posix())
    try:
        data = b"".join(box.pop() for box in _blocks(item, 1 << 20))
    except _CorruptError as exc:
        raise InputError(path, str(exc)) from exc
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    return _decode(data, 1)[0]
