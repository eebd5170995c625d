"""The runner: wires the stages, counts every record, checks conservation, publishes.

Per batch (one chunk of one input file): extract -> exact dedup -> near dedup -> enrich ->
validate -> write. Only the dedup state crosses batches. Nothing is published until every
file is written and the counts add up: records read = articles + duplicates + rejects.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from etl import __version__
from etl.config import RunConfig
from etl.dedup import (
    DUPLICATE_COLUMNS,
    NearDuplicateIndex,
    SeenArticles,
    drop_exact_duplicates,
    drop_near_duplicates,
)
from etl.errors import IntegrityError, RejectRateError
from etl.extract import ExtractedBatch, extract_batches
from etl.load import (
    ARTICLES,
    ARTICLES_JSONL,
    DUPLICATES,
    ENTITIES,
    MANIFEST_JSON,
    NEAR_KEPT,
    REJECTS,
    TABLES,
    Generation,
    Published,
    Table,
    Written,
    prepare_output,
    publish,
    published,
    recover,
    to_arrow,
)
from etl.lock import OutputLock
from etl.sources import discover_inputs, file_digest
from etl.state import (
    STATE_TABLES,
    RunState,
    SeenInput,
    check_compatible,
    new_articles,
    read_state,
    unseen_inputs,
    write_state,
)
from etl.tagging import Gazetteer, load_gazetteer
from etl.transform import enrich
from etl.validate import ValidatedBatch, validate_batch
from schemas import arrow
from schemas.records import Manifest, ManifestInput, ManifestOutput, ManifestRun, ManifestTable

__all__ = ["OUTPUT_NAMES", "RunResult", "run"]

#: The one-file names of a full run's outputs (see etl.load for the folders of parts).
OUTPUT_NAMES = (*(table.file for table in TABLES), MANIFEST_JSON)


@dataclass(slots=True)
class RunResult:
    """What a run did: its counts, its manifest, and where it published.

    `published` is False when an incremental run found no new input and changed nothing;
    `manifest` is then the one already published.
    """

    counts: dict[str, int]
    manifest: Manifest
    out: Path
    timings: dict[str, float] = field(default_factory=dict)
    published: bool = True
    new_inputs: int = 0
    skipped_inputs: int = 0


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


@dataclass(frozen=True, slots=True)
class _Job:
    """A deduplicated batch whose transform runs on a worker thread."""

    batch: ExtractedBatch
    duplicates: pl.DataFrame
    near_kept: pl.DataFrame
    future: Future[ValidatedBatch]

    def result(self) -> ValidatedBatch:
        return self.future.result()


_EMPTY_DUPLICATES = pl.DataFrame(schema=DUPLICATE_COLUMNS)


def _enrich_and_validate(records: pl.DataFrame, gazetteer: Gazetteer) -> ValidatedBatch:
    """Return the batch tagged and validated (a pure function of the batch: runs on a worker)."""
    articles, entities = enrich(records, gazetteer)
    return validate_batch(articles, entities)


class _Sinks:
    """The open writers of one generation: every table, written in input order."""

    def __init__(self, stack: ExitStack, generation: Generation, metadata: dict[str, str]) -> None:
        self.articles = stack.enter_context(generation.parquet(ARTICLES, metadata))
        self.entities = stack.enter_context(generation.parquet(ENTITIES, metadata))
        self.duplicates = stack.enter_context(generation.parquet(DUPLICATES, metadata))
        self.near_kept = stack.enter_context(generation.parquet(NEAR_KEPT, metadata))
        self.articles_jsonl = stack.enter_context(generation.jsonl(ARTICLES_JSONL))
        self.rejects = stack.enter_context(generation.jsonl(REJECTS))

    def write(self, job: _Job, tally: _Tally, clock: _Clock) -> None:
        """Write one batch, once its transform is done."""
        checked = job.result()
        clock.lap("wait")
        self.rejects.write(job.batch.rejects)
        _count_rejects(tally, checked.rejects)
        self.rejects.write(checked.rejects)
        self.duplicates.write(to_arrow(job.duplicates, arrow.DUPLICATES))
        self.near_kept.write(to_arrow(job.near_kept, arrow.DUPLICATES))
        self.articles.write(to_arrow(checked.articles, arrow.ARTICLES))
        self.articles_jsonl.write(checked.articles.select(arrow.ARTICLES.names))
        self.entities.write(to_arrow(checked.entities, arrow.ENTITIES))
        tally.articles += checked.articles.height
        tally.entities += checked.entities.height
        clock.lap("load")

    def close(self) -> dict[Table, Written]:
        """Finish every file and return what each holds."""
        return {
            ARTICLES: self.articles.close(),
            ARTICLES_JSONL: self.articles_jsonl.close(),
            ENTITIES: self.entities.close(),
            DUPLICATES: self.duplicates.close(),
            NEAR_KEPT: self.near_kept.close(),
            REJECTS: self.rejects.close(),
        }


_DONE = object()


def _prefetched(batches: Iterator[ExtractedBatch], stack: ExitStack) -> Iterator[ExtractedBatch]:
    """Yield `batches`, parsed one ahead on a reader thread so reading overlaps the rest.

    Polars releases the GIL while it parses, so the reader really runs beside the transform.
    An error in the reader is raised here, in the caller's thread.
    """
    ahead: queue.Queue[object] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def read() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        ahead.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ahead.put(_DONE)
        except BaseException as error:  # handed to the consumer, raised there
            ahead.put(error)

    reader = threading.Thread(target=read, name="etl-extract", daemon=True)
    reader.start()

    def shutdown() -> None:
        stop.set()
        reader.join()

    stack.callback(shutdown)
    while True:
        item = ahead.get()
        if item is _DONE:
            return
        if isinstance(item, BaseException):
            raise item
        yield item  # type: ignore[misc]


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
    out = prepare_output(config.out)
    with OutputLock(out, wait=config.wait_for_lock):
        recover(out)  # what a killed run left behind
        previous = published(out) if config.incremental else None
        state = read_state(previous) if previous is not None else RunState.empty()
        inputs = [SeenInput(item, *file_digest(item.path)) for item in files]
        todo = unseen_inputs(state, inputs) if previous is not None else inputs
        if previous is not None and not todo:
            return RunResult(
                {}, previous.manifest, out, published=False, skipped_inputs=len(inputs)
            )
        if previous is not None:
            check_compatible(previous, arrow.SCHEMA_VERSION, gazetteer.version)
        generation = Generation.create(out)
        try:
            if previous is not None:
                generation.adopt(previous, _earlier_parts(previous))
            tally = _write_generation(todo, config, gazetteer, generation, state)
            generation.publish_single_files(TABLES)
            manifest = _manifest(
                todo,
                generation=generation,
                tally=tally,
                gazetteer=gazetteer,
                started=started,
                previous=previous,
                incremental=config.incremental,
            )
            generation.write_json(MANIFEST_JSON, manifest.model_dump(mode="json"))
            publish(generation)
        except BaseException:
            generation.discard()
            raise
    return RunResult(
        tally.counts(),
        manifest,
        out,
        dict(manifest.timings),
        new_inputs=len(todo),
        skipped_inputs=len(inputs) - len(todo),
    )


def _earlier_parts(previous: Published) -> list[str]:
    """Return the parts (of every table and state table) of the published generation."""
    return [
        path
        for path in previous.outputs()
        if any(path.startswith(f"{table.folder}/part-") for table in (*TABLES, *STATE_TABLES))
    ]


def _write_generation(
    inputs: list[SeenInput],
    config: RunConfig,
    gazetteer: Gazetteer,
    generation: Generation,
    state: RunState,
) -> _Tally:
    tally = _Tally()
    clock = _Clock(tally)
    seen = SeenArticles()
    seen.add(state.articles["article_id"])
    near_index = (
        NearDuplicateIndex.from_frame(state.near_index, config.near_threshold)
        if state.near_index is not None
        else NearDuplicateIndex(config.near_threshold)
    )
    near_before = len(near_index)
    files = [item.file for item in inputs]
    with ExitStack() as stack:
        sinks = _Sinks(stack, generation, _metadata(gazetteer))
        workers = stack.enter_context(ThreadPoolExecutor(config.workers, "etl-transform"))
        in_flight: deque[_Job] = deque()
        for batch in _prefetched(extract_batches(files, config.chunk_bytes), stack):
            clock.lap("extract")
            tally.read += batch.records.height + batch.rejects.height
            _count_rejects(tally, batch.rejects)

            # Dedup runs here, in input order: it is the only stage with state across batches.
            exact = drop_exact_duplicates(batch.records, seen)
            kept = exact.kept
            duplicates = [exact.duplicates]
            near_kept = _EMPTY_DUPLICATES
            tally.exact += exact.duplicates.height
            if config.near_duplicates:
                near = drop_near_duplicates(kept, near_index, keep=config.keep_near_duplicates)
                kept = near.kept
                duplicates.append(near.duplicates)
                near_kept = near.near_kept
                tally.near += near.duplicates.height
                tally.near_kept += near.near_kept.height
            clock.lap("dedup")

            future = workers.submit(_enrich_and_validate, kept, gazetteer)
            in_flight.append(_Job(batch, pl.concat(duplicates), near_kept, future))
            # Bounded: at most `workers` batches in transform, so memory stays flat.
            while len(in_flight) > config.workers:
                sinks.write(in_flight.popleft(), tally, clock)
        while in_flight:
            sinks.write(in_flight.popleft(), tally, clock)
    writers = sinks.close()
    _check(tally, config, writers)
    for table, part in writers.items():
        generation.add_part(table, part)
    near_rows = near_index.to_frame().slice(near_before) if config.near_duplicates else None
    write_state(generation, inputs, new_articles(state, seen.ids), near_rows, _metadata(gazetteer))
    clock.lap("load")
    return tally


def _check(tally: _Tally, config: RunConfig, parts: dict[Table, Written]) -> None:
    """Raise unless the counts add up, the reject rate is allowed, and every part has its rows."""
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
    expected = {
        ARTICLES: counts["articles"],
        ARTICLES_JSONL: counts["articles"],
        ENTITIES: counts["entities"],
        DUPLICATES: counts["duplicates"],
        NEAR_KEPT: counts["near_duplicates_kept"],
        REJECTS: counts["rejects"],
    }
    for table, part in parts.items():
        if part.rows != expected[table]:
            raise IntegrityError(
                "load", f"{part.path} has {part.rows} rows, the counts say {expected[table]}"
            )


def _count_rejects(tally: _Tally, rejects: pl.DataFrame) -> None:
    if rejects.height:
        for reason, n in rejects.group_by("reason").len().iter_rows():
            tally.rejects[str(reason)] += int(n)


def _manifest(
    inputs: list[SeenInput],
    *,
    generation: Generation,
    tally: _Tally,
    gazetteer: Gazetteer,
    started: float,
    previous: Published | None,
    incremental: bool,
) -> Manifest:
    """Return the manifest of `generation`: this run's counts, and the totals of every part."""
    counts = tally.counts()
    listed = [
        ManifestInput(path=i.file.path.as_posix(), bytes=i.bytes, sha256=i.sha256) for i in inputs
    ]
    totals = Counter(counts)
    runs: list[ManifestRun] = []
    if previous is not None:
        listed = [*previous.manifest.inputs, *listed]
        totals.update(previous.manifest.totals)
        runs = list(previous.manifest.runs)
    finished_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    runs.append(
        ManifestRun(
            generation=generation.number,
            mode="incremental" if incremental else "full",
            inputs=[i.file.path.as_posix() for i in inputs],
            counts=counts,
            finished_at=finished_at,
        )
    )
    tables = {
        table.file: ManifestTable(
            glob=table.glob,
            parts=generation.parts(table),
            rows=sum(generation.files[p].rows for p in generation.parts(table)),
            file=table.file if table.file in generation.files else None,
        )
        for table in TABLES
    }
    timings = {stage: round(seconds, 4) for stage, seconds in sorted(tally.seconds.items())}
    timings["total"] = round(time.perf_counter() - started, 4)
    return Manifest(
        schema_version=arrow.SCHEMA_VERSION,
        tool_version=__version__,
        gazetteer_version=gazetteer.version,
        inputs=listed,
        outputs=[
            ManifestOutput(path=w.path, rows=w.rows, bytes=w.bytes, sha256=w.sha256)
            for w in generation.outputs()
        ],
        counts=counts,
        timings=timings,
        finished_at=finished_at,
        generation=generation.number,
        previous_generation=previous.number if previous is not None else None,
        totals=dict(sorted(totals.items())),
        tables=tables,
        runs=runs,
    )
