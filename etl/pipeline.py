"""The runner: wires the stages, counts every record, checks conservation, publishes.

Per batch (one chunk of one input file): extract -> exact dedup -> near dedup -> enrich ->
validate -> write. Only the dedup state crosses batches. Nothing is published until every
file is written and the counts add up: records read = articles + duplicates + rejects.
"""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from etl import __version__
from etl.config import RunConfig
from etl.dedup import NearDuplicateIndex, SeenArticles, drop_exact_duplicates, drop_near_duplicates
from etl.errors import IntegrityError, OutputError, RejectRateError
from etl.extract import ExtractedBatch, extract_batches
from etl.load import Generation, JsonlWriter, ParquetTableWriter, digest_file, publish, to_arrow
from etl.sources import InputFile, discover_inputs, file_digest
from etl.tagging import Gazetteer, load_gazetteer
from etl.transform import enrich
from etl.validate import validate_batch
from schemas import arrow
from schemas.records import Manifest, ManifestInput, ManifestOutput

__all__ = ["OUTPUT_NAMES", "RunResult", "run"]

ARTICLES_PARQUET = "articles.parquet"
ARTICLES_JSONL = "articles.jsonl"
ENTITIES_PARQUET = "entities.parquet"
DUPLICATES_PARQUET = "duplicates.parquet"
NEAR_KEPT_PARQUET = "near_duplicates_kept.parquet"
REJECTS_JSONL = "rejects.jsonl"
MANIFEST_JSON = "manifest.json"

#: Every name a run publishes in the output folder.
OUTPUT_NAMES = (
    ARTICLES_PARQUET,
    ARTICLES_JSONL,
    ENTITIES_PARQUET,
    DUPLICATES_PARQUET,
    NEAR_KEPT_PARQUET,
    REJECTS_JSONL,
    MANIFEST_JSON,
)


@dataclass(slots=True)
class RunResult:
    """What a run did: its counts, its manifest, and where it published."""

    counts: dict[str, int]
    manifest: Manifest
    out: Path
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class _Tally:
    read: int = 0
    articles: int = 0
    entities: int = 0
    exact: int = 0
    near: int = 0
    near_kept: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def counts(self) -> dict[str, int]:
        rejects = sum(self.rejects.values())
        counts = {
            "records_read": self.read,
            "articles": self.articles,
            "duplicates": self.exact + self.near,
            "duplicates_exact": self.exact,
            "duplicates_near": self.near,
            "near_duplicates_kept": self.near_kept,
            "rejects": rejects,
            "entities": self.entities,
        }
        counts.update({f"rejects.{reason}": n for reason, n in sorted(self.rejects.items())})
        return counts


class _Clock:
    """Adds the time spent in each stage to a tally."""

    def __init__(self, tally: _Tally) -> None:
        self._tally = tally
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self._tally.seconds[stage] += now - self._last
        self._last = now


def _timed_batches(
    files: list[InputFile], config: RunConfig, clock: _Clock
) -> Iterator[ExtractedBatch]:
    for batch in extract_batches(files, config.chunk_bytes):
        clock.lap("extract")
        yield batch


def _metadata(gazetteer: Gazetteer) -> dict[str, str]:
    return {
        "schema_version": arrow.SCHEMA_VERSION,
        "gazetteer_version": gazetteer.version,
        "tool_version": __version__,
    }


def run(config: RunConfig) -> RunResult:
    """Run the pipeline on `config.inputs`, publish into `config.out`, and return what it did."""
    started = time.perf_counter()
    files = discover_inputs(config.inputs)
    gazetteer = load_gazetteer()
    out = config.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(out, exc.strerror or str(exc)) from exc
    if not os.access(out, os.W_OK):
        raise OutputError(out, "permission denied")

    run_id = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.getpid()}"
    generation = Generation.create(out, run_id)
    try:
        tally = _write_generation(files, config, gazetteer, generation)
        manifest = _manifest(files, generation, tally, gazetteer, started)
        generation.write_json(MANIFEST_JSON, manifest.model_dump(mode="json"))
        publish(generation, OUTPUT_NAMES)
    except BaseException:
        generation.discard()
        raise
    return RunResult(tally.counts(), manifest, out, dict(manifest.timings))


def _write_generation(
    files: list[InputFile], config: RunConfig, gazetteer: Gazetteer, generation: Generation
) -> _Tally:
    tally = _Tally()
    clock = _Clock(tally)
    seen = SeenArticles()
    near_index = NearDuplicateIndex(config.near_threshold)
    metadata = _metadata(gazetteer)
    with ExitStack() as stack:
        articles_pq = stack.enter_context(
            ParquetTableWriter(generation.file(ARTICLES_PARQUET), arrow.ARTICLES, metadata)
        )
        entities_pq = stack.enter_context(
            ParquetTableWriter(generation.file(ENTITIES_PARQUET), arrow.ENTITIES, metadata)
        )
        duplicates_pq = stack.enter_context(
            ParquetTableWriter(generation.file(DUPLICATES_PARQUET), arrow.DUPLICATES, metadata)
        )
        near_kept_pq = stack.enter_context(
            ParquetTableWriter(generation.file(NEAR_KEPT_PARQUET), arrow.DUPLICATES, metadata)
        )
        articles_jsonl = stack.enter_context(JsonlWriter(generation.file(ARTICLES_JSONL)))
        rejects_jsonl = stack.enter_context(JsonlWriter(generation.file(REJECTS_JSONL)))

        for batch in _timed_batches(files, config, clock):
            tally.read += batch.records.height + batch.rejects.height
            _count_rejects(tally, batch.rejects)
            rejects_jsonl.write(batch.rejects)

            exact = drop_exact_duplicates(batch.records, seen)
            kept = exact.kept
            duplicates = [exact.duplicates]
            tally.exact += exact.duplicates.height
            if config.near_duplicates:
                near = drop_near_duplicates(kept, near_index, keep=config.keep_near_duplicates)
                kept = near.kept
                duplicates.append(near.duplicates)
                tally.near += near.duplicates.height
                tally.near_kept += near.near_kept.height
                near_kept_pq.write(to_arrow(near.near_kept, arrow.DUPLICATES))
            duplicates_pq.write(to_arrow(pl.concat(duplicates), arrow.DUPLICATES))
            clock.lap("dedup")

            articles, entities = enrich(kept, gazetteer)
            clock.lap("transform")
            checked = validate_batch(articles, entities)
            _count_rejects(tally, checked.rejects)
            rejects_jsonl.write(checked.rejects)
            clock.lap("validate")

            articles_pq.write(to_arrow(checked.articles, arrow.ARTICLES))
            articles_jsonl.write(checked.articles.select(arrow.ARTICLES.names))
            entities_pq.write(to_arrow(checked.entities, arrow.ENTITIES))
            tally.articles += checked.articles.height
            tally.entities += checked.entities.height
            clock.lap("load")

    counts = tally.counts()
    accounted = counts["articles"] + counts["duplicates"] + counts["rejects"]
    if accounted != counts["records_read"]:
        raise IntegrityError(
            "conservation",
            f"records read {counts['records_read']} != articles {counts['articles']}"
            f" + duplicates {counts['duplicates']} + rejects {counts['rejects']}",
        )
    if (
        counts["records_read"]
        and counts["rejects"] / counts["records_read"] > config.max_reject_rate
    ):
        raise RejectRateError(counts["rejects"], counts["records_read"], config.max_reject_rate)
    return tally


def _count_rejects(tally: _Tally, rejects: pl.DataFrame) -> None:
    if rejects.height:
        for reason, n in rejects.group_by("reason").len().iter_rows():
            tally.rejects[str(reason)] += int(n)


def _manifest(
    files: list[InputFile],
    generation: Generation,
    tally: _Tally,
    gazetteer: Gazetteer,
    started: float,
) -> Manifest:
    inputs = []
    for item in files:
        size, sha = file_digest(item.path)
        inputs.append(ManifestInput(path=item.path.as_posix(), bytes=size, sha256=sha))
    rows = {
        ARTICLES_PARQUET: tally.articles,
        ARTICLES_JSONL: tally.articles,
        ENTITIES_PARQUET: tally.entities,
        DUPLICATES_PARQUET: tally.exact + tally.near,
        NEAR_KEPT_PARQUET: tally.near_kept,
        REJECTS_JSONL: sum(tally.rejects.values()),
    }
    outputs = []
    for name, count in rows.items():
        size, sha = digest_file(generation.file(name))
        outputs.append(ManifestOutput(path=name, rows=count, bytes=size, sha256=sha))
    timings = {stage: round(seconds, 4) for stage, seconds in sorted(tally.seconds.items())}
    timings["total"] = round(time.perf_counter() - started, 4)
    return Manifest(
        schema_version=arrow.SCHEMA_VERSION,
        tool_version=__version__,
        gazetteer_version=gazetteer.version,
        inputs=inputs,
        outputs=outputs,
        counts=tally.counts(),
        timings=timings,
        finished_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
