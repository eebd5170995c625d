"""Factories for tiny dump inputs, shared by the tests of every stage.

Three functions, kept small and stable:

- `make_dump(*articles, ...)` renders (headline, body) pairs in the dump format of CONTRACT
  section 1 and returns the bytes; the options cover the file-level variants (line ends, BOM,
  final newline, how often the headline appears). Record-level mess is written inline by the
  tests that need it, where it is visible.
- `write_dump(folder, name, data)` writes bytes to a file (gzip-compressed for `*.gz`).
- `extract_all(*paths, chunk_bytes=...)` runs the real sources + Extract stages over inputs
  and returns every record and reject.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl.extract import RECORD_SCHEMA, REJECT_SCHEMA, extract_batches
from etl.sources import discover_inputs

__all__ = ["Extracted", "extract_all", "make_dump", "write_dump"]


def make_dump(
    *articles: tuple[str, str],
    repeats: int = 2,
    newline: str = "\n",
    bom: bool = False,
    final_newline: bool = True,
) -> bytes:
    """Return a dump of `articles` ((headline, body) pairs; body paragraphs split by a blank line).

    Each article is its headline `repeats` times, then its body, each block followed by one
    blank line, as in a well-formed dump. `newline` is the line end used throughout.
    """
    blocks: list[str] = []
    for headline, body in articles:
        blocks.extend([headline] * repeats)
        blocks.extend(body.split("\n\n"))
    text = "".join(f"{block}\n\n" for block in blocks)
    if not final_newline:
        text = text.rstrip("\n")
    data = text.replace("\n", newline).encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def write_dump(folder: Path, name: str, data: bytes) -> Path:
    """Write `data` to `folder / name` (gzip-compressed for a .gz name) and return the path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
    return path


@dataclass(frozen=True)
class Extracted:
    """Every record and reject Extract produced, in input order."""

    records: pl.DataFrame
    rejects: pl.DataFrame

    @property
    def read(self) -> int:
        """Records read at the extract level: articles plus rejects."""
        return self.records.height + self.rejects.height


def extract_all(*paths: Path, chunk_bytes: int = 1 << 16, **options: int) -> Extracted:
    """Return the records and rejects of `paths` parsed by sources + Extract in chunks."""
    batches = list(extract_batches(discover_inputs(paths), chunk_bytes, **options))
    empty_records = pl.DataFrame(schema=RECORD_SCHEMA)
    empty_rejects = pl.DataFrame(schema=REJECT_SCHEMA)
    return Extracted(
        pl.concat([empty_records, *(b.records for b in batches)]),
        pl.concat([empty_rejects, *(b.rejects for b in batches)]),
    )
