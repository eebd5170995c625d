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
from contextlib import ExitStack, contextmanager
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
    near_signatures,
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


class _Timer:
    """Sums the seconds spent in each stage, across threads (the manifest's `timings`).

    Stages run side by side on several threads, so the sums can exceed the wall time: they
    say where the work goes, `total` says how long the run took.
    """

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._lock = threading.Lock()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the enclosed block as part of stage `name`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - started
            with self._lock:
                self.seconds[name] += spent


@dataclass(slots=True)
class _Tally:
    read: int = 0
    articles: int = 0
    entities: int = 0
    exact: int = 0
    near: int = 0
    near_kept: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    timer: _Timer = field(default_factory=_Timer)

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


def _enrich_and_validate(
    records: pl.DataFrame, gazetteer: Gazetteer, timer: _Timer
) -> ValidatedBatch:
    """Return the batch tagged and validated (a pure function of the batch: runs on a worker)."""
    with timer.stage("transform"):
        articles, entities = enrich(records, gazetteer)
    with timer.stage("validate"):
        return validate_batch(articles, entities)


def _signatures(records: pl.DataFrame, timer: _Timer) -> pl.DataFrame:
    """Return the near-duplicate signatures of a batch (batch-local: runs on a worker)."""
    with timer.stage("signatures"):
        return near_signatures(records)


def _aligned(records: pl.DataFrame, signatures: pl.DataFrame) -> pl.DataFrame:
    """Return the signatures of `records`, row for row.

    They were computed for the batch before exact dedup; an exact duplicate has its first
    copy's text, hence the same signature, so the first row per id serves every row.
    """
    first = signatures.unique("article_id", keep="first", maintain_order=True)
    return records.select("article_id").join(
        first, on="article_id", how="left", maintain_order="left"
    )


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A parsed batch whose near-duplicate signatures are being computed ahead."""

    batch: ExtractedBatch
    signatures: Future[pl.DataFrame] | None


class _Sinks:
    """The open writers of one generation: every table, written in input order."""

    def __init__(self, stack: ExitStack, generation: Generation, metadata: dict[str, str]) -> None:
        self.articles = stack.enter_context(generation.parquet(ARTICLES, metadata))
        self.entities = stack.enter_context(generation.parquet(ENTITIES, metadata))
        self.duplicates = stack.enter_context(generation.parquet(DUPLICATES, metadata))
        self.near_kept = stack.enter_context(generation.parquet(NEAR_KEPT, metadata))
        self.articles_jsonl = stack.enter_context(generation.jsonl(ARTICLES_JSONL))
        self.rejects = stack.enter_context(generation.jsonl(REJECTS))

    def write(self, job: _Job, tally: _Tally) -> None:
        """Write one batch, once its transform is done (on the writer thread, in input order)."""
        checked = job.result()
        with tally.timer.stage("load"):
            self._write(job, checked, tally)

    def _write(self, job: _Job, checked: ValidatedBatch, tally: _Tally) -> None:
        _count_rejects(tally, job.batch.rejects)
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


class _Dedup:
    """Exact then near dedup of each batch, in input order, against everything kept before."""

    def __init__(self, config: RunConfig, state: RunState, tally: _Tally) -> None:
        self.config = config
        self.tally = tally
        self.seen = SeenArticles()
        for frame in state.articles.frames():  # a slice at a time: the history can be long
            self.seen.add(frame.get_column("article_id").cast(pl.String))
        self._seen_before = len(self.seen)
        self.near_index = (
            NearDuplicateIndex.from_frames(state.near_index.frames(), config.near_threshold)
            if state.near_index is not None
            else NearDuplicateIndex(config.near_threshold)
        )
        self._near_before = len(self.near_index)

    def __call__(self, item: _Parsed) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """Return the batch's kept records, its dropped duplicates, and near duplicates kept."""
        batch, tally = item.batch, self.tally
        tally.read += batch.records.height + batch.rejects.height
        with tally.timer.stage("dedup"):
            exact = drop_exact_duplicates(batch.records, self.seen)
            kept = exact.kept
            duplicates = [exact.duplicates]
            near_kept = _EMPTY_DUPLICATES
            tally.exact += exact.duplicates.height
            if item.signatures is not None:
                near = drop_near_duplicates(
                    kept,
                    self.near_index,
                    keep=self.config.keep_near_duplicates,
                    signatures=_aligned(kept, item.signatures.result()),
                )
                kept = near.kept
                duplicates.append(near.duplicates)
                near_kept = near.near_kept
                tally.near += near.duplicates.height
                tally.near_kept += near.near_kept.height
        # Input order (a batch is one file's), whatever the batch edges: deterministic bytes.
        return kept, pl.concat(duplicates).sort("source_offset"), near_kept

    def new_ids(self) -> Iterator[pl.DataFrame]:
        """Yield the ids this run kept (the incremental state): all after the state's own."""
        return self.seen.id_frames(start=self._seen_before)

    def new_index_rows(self) -> Iterator[pl.DataFrame]:
        """Yield the near-duplicate index rows this run added (the incremental state)."""
        return self.near_index.frames(start=self._near_before)


def _timed(batches: Iterator[ExtractedBatch], timer: _Timer) -> Iterator[ExtractedBatch]:
    """Yield `batches`, timing the work of producing each as stage `extract`."""
    while True:
        with timer.stage("extract"):
            batch = next(batches, None)
        if batch is None:
            return
        yield batch


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
    gazetteer = load_gazetteer(minor_towns=config.minor_towns)
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
    timer = tally.timer
    dedup = _Dedup(config, state, tally)
    files = [item.file for item in inputs]
    # Threads: a reader parses ahead; a pool computes signatures and runs enrich + validate;
    # this thread deduplicates in input order (the only cross-batch state); one writer thread
    # writes in input order. Queues between them are bounded, so memory stays flat.
    with ExitStack() as stack:
        sinks = _Sinks(stack, generation, _metadata(gazetteer))
        pool = ThreadPoolExecutor(config.workers, "etl-worker")
        stack.callback(pool.shutdown, wait=True, cancel_futures=True)
        writer = ThreadPoolExecutor(1, "etl-writer")
        stack.callback(writer.shutdown, wait=True, cancel_futures=True)
        parsed: deque[_Parsed] = deque()
        writes: deque[Future[None]] = deque()

        def hand_on(item: _Parsed) -> None:
            kept, dropped, near_kept = dedup(item)
            future = pool.submit(_enrich_and_validate, kept, gazetteer, timer)
            writes.append(
                writer.submit(sinks.write, _Job(item.batch, dropped, near_kept, future), tally)
            )
            # One batch fewer in flight than workers (at least one, so a single worker still
            # overlaps this thread): the next batch's dedup and signatures keep the second core
            # busy. On 1 GB the peak fell 18 MiB (566 against 584 MiB, medians of 5 alternated
            # runs) for the same time (143.0 against 143.2 s).
            while len(writes) >= max(2, config.workers):
                writes.popleft().result()  # raises what went wrong on a worker

        for batch in _prefetched(_timed(extract_batches(files, config.chunk_bytes), timer), stack):
            signatures = (
                pool.submit(_signatures, batch.records, timer) if config.near_duplicates else None
            )
            parsed.append(_Parsed(batch, signatures))
            if len(parsed) > 1:  # one batch's signatures are always computing ahead
                hand_on(parsed.popleft())
        while parsed:
            hand_on(parsed.popleft())
        while writes:
            writes.popleft().result()
    writers = sinks.close()
    _check(tally, config, writers)
    for table, part in writers.items():
        generation.add_part(table, part)
    near_rows = dedup.new_index_rows() if config.near_duplicates else None
    with timer.stage("load"):
        write_state(
            generation,
            inputs,
            dedup.new_ids(),
            near_rows,
            _metadata(gazetteer),
        )
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
    timings = {stage: round(sec, 4) for stage, sec in sorted(tally.timer.seconds.items())}
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
