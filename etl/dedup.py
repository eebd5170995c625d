"""Deduplication: a stage of its own, run over the whole stream in input order.

Exact duplicates share an `article_id`; the first record by (source_file, source_line) is
kept and every later one is dropped to `duplicates.parquet`. `SeenArticles` is the only state
a run carries across batches (and, in incremental mode, across runs); it grows by 32 bytes
per article.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from schemas.records import DuplicateKind

__all__ = ["DUPLICATE_COLUMNS", "Deduplicated", "SeenArticles", "drop_exact_duplicates"]

DUPLICATE_COLUMNS = pl.Schema(
    {
        "article_id": pl.String,
        "duplicate_article_id": pl.String,
        "kind": pl.String,
        "similarity": pl.Float64,
        "headline": pl.String,
        "source_file": pl.String,
        "source_line": pl.Int64,
        "source_offset": pl.Int64,
    }
)


@dataclass(slots=True)
class SeenArticles:
    """The ids of every article kept so far (the dedup state carried across batches)."""

    ids: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema={"article_id": pl.String}))

    def add(self, article_ids: pl.Series) -> None:
        """Remember newly kept ids."""
        self.ids = pl.concat([self.ids, article_ids.to_frame("article_id")], rechunk=False)
        if self.ids.n_chunks() > 64:
            self.ids = self.ids.rechunk()


@dataclass(frozen=True, slots=True)
class Deduplicated:
    """A batch split into the records kept and the duplicates dropped."""

    kept: pl.DataFrame
    duplicates: pl.DataFrame  # DUPLICATE_COLUMNS


def drop_exact_duplicates(records: pl.DataFrame, seen: SeenArticles) -> Deduplicated:
    """Return the batch without records whose `article_id` was already kept (in it or earlier)."""
    first_in_batch = records.select(pl.col("article_id").is_first_distinct()).to_series()
    earlier = records.select(pl.col("article_id").is_in(seen.ids["article_id"].implode())).to_series()
    is_dup = ~first_in_batch | earlier
    kept = records.filter(~is_dup)
    dropped = records.filter(is_dup).select(
        article_id="article_id",
        duplicate_article_id="article_id",
        kind=pl.lit(DuplicateKind.EXACT.value),
        similarity=pl.lit(1.0),
        headline="headline",
        source_file="source_file",
        source_line="source_line",
        source_offset="source_offset",
    )
    seen.add(kept["article_id"])
    return Deduplicated(kept, dropped.cast(dict(DUPLICATE_COLUMNS)))  # type: ignore[arg-type]
