"""`etl validate DIR`: re-check published outputs against their manifest and schemas.

Everything is read through the generation `DIR/current` resolves to at the start, so a run
publishing meanwhile cannot make the check mix two generations. The checks, each reporting
every problem it finds (with a few examples where rows are concerned):

- layout: `current` resolves; every top-level name is a link into it; no link dangles; the
  files on disk are exactly the manifest's `outputs`;
- integrity: each file's bytes and sha256 match the manifest, and its row count too;
- schemas: each Parquet file has exactly the Arrow schema of `schemas.arrow` and the
  manifest's `schema_version` and gazetteer version in its key-value metadata;
- rows (skipped by `--quick`): pandera frame models on every Parquet row group, article ids
  unique across parts, mentions pointing at their text; every `articles.jsonl` line through
  the published JSON Schema (generated from the pydantic model `Article`, and at least as
  strict: see `_check_article_lines`) and equal to its Parquet row; every `rejects.jsonl`
  line through the pydantic model;
- counts: records read = articles + duplicates + rejects (this run's counts and the totals
  over every part), and the rows of each table equal to the totals;
- state: every input of the manifest and every article is in the incremental state.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa
import pyarrow.json as pa_json
import pyarrow.parquet as pq
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json

from etl.errors import InputError
from etl.load import (
    ARTICLES,
    ARTICLES_JSONL,
    CURRENT_LINK,
    DUPLICATES,
    ENTITIES,
    MANIFEST_JSON,
    NEAR_KEPT,
    REJECTS,
    TABLES,
    Table,
    digest_file,
)
from etl.state import SEEN_ARTICLES, SEEN_INPUTS
from etl.validate import schema_errors
from schemas import ARTICLES_JSON_SCHEMA_PATH, arrow
from schemas.frames import ArticleFrame, DuplicateFrame, EntityFrame
from schemas.records import Manifest, Reject

if TYPE_CHECKING:
    import jsonschema_rs

__all__ = ["Problem", "Report", "verify"]

#: Examples given per failing check; the count is always complete.
EXAMPLES = 3
_FRAME_MODELS: dict[str, type[ArticleFrame] | type[EntityFrame] | type[DuplicateFrame]] = {
    ARTICLES.folder: ArticleFrame,
    ENTITIES.folder: EntityFrame,
    DUPLICATES.folder: DuplicateFrame,
    NEAR_KEPT.folder: DuplicateFrame,
}
_JSON_BLOCK_BYTES = 4 << 20  # JSON Lines read per block when compared with their Parquet twin
_TWIN_BATCH_ROWS = 2_048  # articles read at a time from that twin
_TEXT_SLICE_BYTES = 256 << 20  # article text held at once by the mention check


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the outputs: where (a path under DIR) and what."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass(slots=True)
class Report:
    """What `verify` checked and every problem it found."""

    out: Path
    generation: str | None = None
    files: int = 0
    rows_checked: bool = True
    totals: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when no problem was found."""
        return not self.problems

    def add(self, where: str, what: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(where, what))


def verify(out: Path, *, rows: bool = True) -> Report:
    """Return the report of checking the published outputs of `out` (rows too, if `rows`)."""
    if not out.is_dir():
        raise InputError(out, "no such folder" if not out.exists() else "not a folder")
    report = Report(out, rows_checked=rows)
    current = out / CURRENT_LINK
    if not current.is_symlink():
        report.add(
            CURRENT_LINK, "missing: no run has published here (or this is not an output folder)"
        )
        return report
    generation = (out / Path(current.readlink())).resolve()
    report.generation = generation.name
    if not generation.is_dir():
        report.add(CURRENT_LINK, f"points at {generation.name}, which does not exist")
        return report
    manifest = _manifest(generation, report)
    if manifest is None:
        return report
    _check_links(out, generation, report)
    files = _check_files(generation, manifest, report)
    report.files = len(files)
    _check_tables(generation, manifest, files, report)
    _check_counts(manifest, files, report)
    if rows:
        _check_rows(generation, files, report)
        _check_state(generation, manifest, files, report)
    return report


def _manifest(generation: Path, report: Report) -> Manifest | None:
    path = generation / MANIFEST_JSON
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except OSError as exc:
        report.add(MANIFEST_JSON, f"unreadable: {exc.strerror or exc}")
    except ValidationError as exc:
        for error in exc.errors()[:EXAMPLES]:
            where = ".".join(str(part) for part in error["loc"]) or "<document>"
            report.add(MANIFEST_JSON, f"{where}: {error['msg']}")
    return None


def _check_links(out: Path, generation: Path, report: Report) -> None:
    """Every name of the generation is linked from DIR through `current`; no link dangles."""
    names = {entry.name for entry in generation.iterdir()}
    for name in sorted(names):
        link = out / name
        expected = f"{CURRENT_LINK}/{name}"
        if not link.is_symlink():
            report.add(name, f"not a link to {expected}: readers would not see this run's file")
        elif str(link.readlink()) != expected:
            report.add(name, f"links to {link.readlink()}, not {expected}")
    for entry in sorted(out.iterdir()):
        if entry.is_symlink() and entry.name != CURRENT_LINK and entry.name not in names:
            report.add(entry.name, f"link to {entry.readlink()} that the published run lacks")


def _check_files(generation: Path, manifest: Manifest, report: Report) -> dict[str, int]:
    """Check every listed file's bytes, sha256 and rows; return the rows of the good ones."""
    listed = {entry.path: entry for entry in manifest.outputs}
    on_disk = {
        path.relative_to(generation).as_posix()
        for path in generation.rglob("*")
        if path.is_file() and path.name != MANIFEST_JSON
    }
    for extra in sorted(on_disk - set(listed)):
        report.add(extra, "on disk but not in the manifest")
    good: dict[str, int] = {}
    inodes: dict[tuple[int, int], str] = {}
    for path, entry in sorted(listed.items(), key=lambda item: ("/" not in item[0], item[0])):
        target = generation / path
        if path not in on_disk:
            report.add(path, "in the manifest but missing")
            continue
        stat = target.stat()
        twin = inodes.setdefault((stat.st_dev, stat.st_ino), path)
        if twin != path and listed[twin] == entry.model_copy(update={"path": twin}):
            good[path] = good.get(twin, entry.rows)  # a one-file name linked to its part
            continue
        size, sha = digest_file(target)
        if size != entry.bytes:
            report.add(path, f"{size} bytes, the manifest says {entry.bytes}")
        elif sha != entry.sha256:
            report.add(path, "sha256 differs from the manifest: the file changed")
        try:
            count = _row_count(target)
        except (OSError, pa.ArrowException) as exc:
            report.add(path, f"unreadable: {exc}")
            continue
        if path.endswith(".jsonl") and size and not _ends_with_newline(target):
            report.add(path, "last line has no newline: the file was cut short")
        if count != entry.rows:
            report.add(path, f"{count} rows, the manifest says {entry.rows}")
        good[path] = count
    return good


def _row_count(path: Path) -> int:
    """Return the rows of a Parquet file (its footer) or the lines of a JSON Lines file."""
    if path.suffix == ".parquet":
        return int(pq.ParquetFile(path).metadata.num_rows)
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")  # a last line without its newline still counts


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, 2)
        return handle.read(1) == b"\n"


def _parts(files: dict[str, int], table: Table) -> list[str]:
    prefix = f"{table.folder}/part-"
    suffix = f".{table.format}"
    return sorted(p for p in files if p.startswith(prefix) and p.endswith(suffix))


def _check_tables(
    generation: Path, manifest: Manifest, files: dict[str, int], report: Report
) -> None:
    """Check each table's parts, one-file name, schemas and key-value metadata."""
    declared = (manifest.model_extra or {}).get("tables", {})
    for table in TABLES:
        parts = _parts(files, table)
        if not parts:
            report.add(table.folder, "no part: the table is missing")
        entry = declared.get(table.file) if isinstance(declared, dict) else None
        if isinstance(entry, dict) and entry.get("parts") != parts:
            report.add(
                table.folder, f"parts {parts} differ from the manifest's {entry.get('parts')}"
            )
        single = generation / table.file
        if len(parts) == 1 and not single.is_file():
            report.add(table.file, "missing although the table is one part")
        elif len(parts) == 1 and single.stat().st_ino != (generation / parts[0]).stat().st_ino:
            if digest_file(single) != digest_file(generation / parts[0]):
                report.add(table.file, f"differs from {parts[0]}")
        elif len(parts) > 1 and single.exists():
            report.add(table.file, f"present although the table has {len(parts)} parts")
        if table.schema is None:
            continue
        for path in parts:  # a one-file name is its part's twin, checked above
            if path not in files:
                continue
            _check_parquet_schema(generation / path, path, table.schema, manifest, report)


def _check_parquet_schema(
    path: Path, where: str, schema: pa.Schema, manifest: Manifest, report: Report
) -> None:
    written = pq.read_schema(path)
    if written.remove_metadata() != schema:
        report.add(where, "Arrow schema differs from schemas.arrow")
    metadata = written.metadata or {}
    expected = {
        b"schema_version": manifest.schema_version,
        b"gazetteer_version": manifest.gazetteer_version,
    }
    for key, value in expected.items():
        found = metadata.get(key, b"<missing>").decode()
        if found != value:
            report.add(where, f"{key.decode()} {found} in the file, {value} in the manifest")


def _check_counts(manifest: Manifest, files: dict[str, int], report: Report) -> None:
    """Conservation of the run's counts and of the totals, and table rows against the totals."""
    report.totals = dict(manifest.totals)
    for name, counts in (("counts", manifest.counts), ("totals", report.totals)):
        try:
            read = counts["records_read"]
            accounted = counts["articles"] + counts["duplicates"] + counts["rejects"]
        except KeyError as missing:
            report.add(MANIFEST_JSON, f"{name} lacks {missing}")
            continue
        if read != accounted:
            report.add(
                MANIFEST_JSON,
                f"{name}: records_read {read} != articles + duplicates + rejects {accounted}",
            )
    expected = {
        ARTICLES: "articles",
        ARTICLES_JSONL: "articles",
        ENTITIES: "entities",
        DUPLICATES: "duplicates",
        NEAR_KEPT: "near_duplicates_kept",
        REJECTS: "rejects",
    }
    for table, key in expected.items():
        rows = sum(files[p] for p in _parts(files, table))
        want = report.totals.get(key)
        if want is not None and rows != want:
            report.add(table.folder, f"{rows} rows in its parts, the manifest totals say {want}")


# --------------------------------------------------------------------------- row checks


def _check_rows(generation: Path, files: dict[str, int], report: Report) -> None:
    """Run the row checks: the JSON lines' on a thread, beside the rest.

    The line checks are Python holding the GIL (parsing, the JSON Schema's verdicts), the
    others polars and pyarrow kernels that release it, so the two share the cores: 9.95 ->
    8.62 s on a 100 MB output, 89.5 -> 83.1 s on 1 GB (less than the line checks' share,
    as the Parquet checks use both cores already). Their problems are reported after the
    others', in the same order whatever the timing. Whatever stops the main thread (an
    error, Ctrl-C, SIGTERM) stops the line checks at their next line, rather than leaving
    the command waiting for them.
    """
    lines = Report(report.out)
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="etl-validate-lines") as pool:
        checked = pool.submit(_check_all_lines, generation, files, lines, stop)
        try:
            _check_parquet_rows(generation, files, report)
            checked.result()
        finally:
            stop.set()
    report.problems.extend(lines.problems)


def _check_all_lines(
    generation: Path, files: dict[str, int], report: Report, stop: threading.Event
) -> None:
    """Check every line of the JSON Lines parts: articles with the JSON Schema, rejects."""
    for path in _parts(files, ARTICLES_JSONL):
        _check_article_lines(generation / path, path, report, stop)
    for path in _parts(files, REJECTS):
        _check_lines(generation / path, path, Reject, report, stop)


def _check_parquet_rows(generation: Path, files: dict[str, int], report: Report) -> None:
    """Check the Parquet rows, and each articles.jsonl part against its Parquet twin."""
    for table in (ARTICLES, ENTITIES, DUPLICATES, NEAR_KEPT):
        for path in _parts(files, table):
            _check_frames(generation / path, path, _FRAME_MODELS[table.folder], report)
    article_parts = _parts(files, ARTICLES)
    if article_parts:
        ids = pl.concat(
            [pl.read_parquet(generation / p, columns=["article_id"]) for p in article_parts]
        )
        repeated = ids.filter(pl.col("article_id").is_duplicated())["article_id"].unique()
        if repeated.len():
            report.add(
                ARTICLES.folder,
                f"{repeated.len()} article_id(s) in more than one row, e.g. "
                f"{repeated.sort().head(EXAMPLES).to_list()}",
            )
    _check_mentions(generation, files, report)
    for path in _parts(files, ARTICLES_JSONL):
        parquet = f"{ARTICLES.folder}/{Path(path).stem}.parquet"
        if parquet in files:
            _compare_with_parquet(generation, path, parquet, report)
        else:
            report.add(path, "no Parquet part of the same run to compare with")


def _check_frames(
    path: Path,
    where: str,
    model: type[ArticleFrame] | type[EntityFrame] | type[DuplicateFrame],
    report: Report,
) -> None:
    """Validate a Parquet file with its pandera model, row group by row group.

    A row group is what the writer held at once (2,048 articles, 32,768 mentions): batches of
    65,536 articles with their mention lists peaked at 623 MiB more on a 100 MB output.
    """
    failures: list[pl.DataFrame] = []
    parquet = pq.ParquetFile(path)
    for group in range(parquet.num_row_groups):
        frame = pl.from_arrow(parquet.read_row_group(group))
        assert isinstance(frame, pl.DataFrame)
        errors = schema_errors(model, frame)
        if errors is not None:
            failures.append(
                errors.failure_cases.select(
                    check=pl.concat_str(
                        [pl.col("column").fill_null("<frame>"), pl.lit(": "), pl.col("check")]
                    ).cast(pl.String),
                    case=pl.col("failure_case").cast(pl.String).fill_null("null"),
                )
            )
    if not failures:
        return
    summary = (
        pl.concat(failures)
        .group_by("check", maintain_order=True)
        .agg(pl.len().alias("n"), pl.col("case").head(EXAMPLES))
    )
    for check, n, cases in summary.iter_rows():
        shown = [case if len(case) <= 80 else case[:77] + "..." for case in cases]
        report.add(where, f"{n} row(s) fail the {model.__name__} check {check!r}, e.g. {shown}")


def _check_mentions(generation: Path, files: dict[str, int], report: Report) -> None:
    """Each run's mentions point at text of that run's articles: article[field][start:end]."""
    articles = {Path(p).stem: p for p in _parts(files, ARTICLES)}
    for path in _parts(files, ENTITIES):
        source = articles.get(Path(path).stem)
        mentions = pl.scan_parquet(generation / path).select(
            "article_id", "field", "start", "end", "text"
        )
        if source is None:
            if files[path]:
                report.add(path, "mentions without an articles part of the same run")
            continue
        texts = pl.scan_parquet(generation / source)
        # One field at a time, each mention joined to that field's text alone: choosing the
        # field per mention (when/then) would copy the article's text once per mention (as
        # in `etl.validate._span_failures`). A field other than the headline reads the body.
        # The join holds the texts it reads: big parts are checked a slice of ids at a time.
        in_headline = pl.col("field") == "headline"
        slices = _text_slices(generation / source)
        bad = pl.concat(
            [
                mentions.filter(which & in_slice)
                .join(
                    texts.filter(in_slice).select("article_id", full=field),
                    on="article_id",
                    how="left",
                )
                .select(
                    "article_id",
                    "text",
                    orphan=pl.col("full").is_null(),
                    actual=pl.col("full").str.slice(
                        pl.col("start"), pl.col("end") - pl.col("start")
                    ),
                )
                .filter(pl.col("orphan") | (pl.col("actual") != pl.col("text")))
                .collect()
                for in_slice in (
                    pl.col("article_id").hash() % slices == k if slices > 1 else pl.lit(True)
                    for k in range(slices)
                )
                for which, field in ((in_headline, "headline"), (~in_headline, "body"))
            ]
        )
        orphans = bad.filter(pl.col("orphan"))
        if orphans.height:
            report.add(
                path,
                f"{orphans.height} mention(s) of articles not in {source}, e.g. "
                f"{orphans['article_id'].head(EXAMPLES).to_list()}",
            )
        wrong = bad.filter(~pl.col("orphan"))
        if wrong.height:
            report.add(
                path,
                f"{wrong.height} mention(s) whose offsets do not give their text, e.g. "
                f"{wrong['text'].head(EXAMPLES).to_list()}",
            )


def _text_slices(articles: Path) -> int:
    """Return into how many slices of ids a part's mentions are checked (`_TEXT_SLICE_BYTES`)."""
    metadata = pq.ParquetFile(articles).metadata
    names = {"headline", "body"}
    text_bytes = sum(
        column.total_uncompressed_size
        for group in range(metadata.num_row_groups)
        for column in (metadata.row_group(group).column(i) for i in range(metadata.num_columns))
        if column.path_in_schema in names
    )
    return max(1, -(-int(text_bytes) // _TEXT_SLICE_BYTES))


def _lines(path: Path, stop: threading.Event | None = None) -> Iterator[tuple[int, bytes]]:
    """Yield (number, line) of a JSON Lines file, until its end or until `stop` is set."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if stop is not None and stop.is_set():
                return
            yield number, line.rstrip(b"\n")


def _check_lines(
    path: Path,
    where: str,
    model: type[BaseModel],
    report: Report,
    stop: threading.Event | None = None,
) -> None:
    """Validate every line of a JSON Lines file with a pydantic model."""
    bad: list[str] = []
    for number, line in _lines(path, stop):
        try:
            model.model_validate_json(line)
        except ValidationError as exc:
            first = exc.errors()[0]
            bad.append(f"line {number}: {'.'.join(map(str, first['loc']))} {first['msg']}")
    if bad:
        report.add(where, f"{len(bad)} line(s) fail {model.__name__}, e.g. {bad[:EXAMPLES]}")


def _json_schema_validator() -> jsonschema_rs.Validator:
    """Return a validator for the published JSON Schema of an `articles.jsonl` line.

    jsonschema-rs (compiled, draft 2020-12 from the schema's `$schema`) judges ~97,000 lines a
    second on the benchmark machine, where the `jsonschema` package judged ~600 (1,158 on
    the faster machine, with the schema's references inlined) and took 95% of
    `etl validate`'s time. The tests hold its verdicts to the reference implementation's.
    They can differ only where Python's `re` differs from the ECMA regexes JSON Schema
    specifies: the reference lets a pattern's `$` match before a final newline (`"FRA\n"`),
    jsonschema-rs does not, which is stricter and what the specification says.
    """
    import jsonschema_rs  # noqa: PLC0415 - only `etl validate` needs it

    schema = json.loads(ARTICLES_JSON_SCHEMA_PATH.read_text(encoding="utf-8"))
    # Formats as annotations, as draft 2020-12 and the reference implementation have them.
    return jsonschema_rs.validator_for(schema, validate_formats=False)


def _check_article_lines(
    file: Path, path: str, report: Report, stop: threading.Event | None = None
) -> None:
    """Check a part of articles.jsonl line by line (`path` names it in the report).

    Each line goes through the published JSON Schema alone, not also through the pydantic
    model `Article` it is generated from (a test keeps the two the same): the schema rejects
    every line the model rejects, and more (the model's lax mode takes `"5"` for 5 and `1`
    for true; a test holds the schema to that on broken lines), while building the model's
    ~20 nested instances a line took ~60% of `etl validate`'s time.

    Lines are parsed with pydantic-core's `from_json` (jiter): ~27 us a line against ~47 for
    `json.loads`, with the same values, NaN and duplicate keys included. It is stricter in
    one way: a lone surrogate escape (`"\\ud800"`), which no UTF-8 text and so no Parquet
    row can hold, is not JSON to it.
    """
    validator = _json_schema_validator()
    bad: list[str] = []
    for number, line in _lines(file, stop):
        try:
            document = from_json(line)
        except ValueError as exc:
            bad.append(f"line {number}: not JSON ({exc})")
            continue
        if validator.is_valid(document):  # the fast path: a verdict, no errors built
            continue
        for error in validator.iter_errors(document):
            where = "/".join(str(part) for part in error.instance_path) or "<line>"
            bad.append(f"line {number}: {where}: {error.message}")
    if bad:
        report.add(path, f"{len(bad)} JSON Schema violation(s), e.g. {bad[:EXAMPLES]}")


def _compare_with_parquet(generation: Path, path: str, parquet: str, report: Report) -> None:
    """Compare a part of articles.jsonl with its Parquet twin, one block at a time.

    Both read whole held the articles twice in Arrow (with their mention lists): a 7 GB
    peak on the output of a 1 GB dump. Blocks of JSON lines are compared with the same rows
    of the Parquet file, read in step.
    """
    twin = pq.ParquetFile(generation / parquet)
    parquet_rows = twin.metadata.num_rows
    batches = twin.iter_batches(batch_size=_TWIN_BATCH_ROWS)
    held = pa.Table.from_batches([], schema=arrow.ARTICLES)
    rows = 0
    differing: set[str] = set()
    try:
        reader = pa_json.open_json(
            generation / path,
            read_options=pa_json.ReadOptions(block_size=_JSON_BLOCK_BYTES),
            parse_options=pa_json.ParseOptions(
                explicit_schema=arrow.ARTICLES, unexpected_field_behavior="error"
            ),
        )
        for batch in reader:
            lines = pa.Table.from_batches([batch]).cast(arrow.ARTICLES)
            rows += lines.num_rows
            while held.num_rows < lines.num_rows:
                following = next(batches, None)
                if following is None:
                    break
                held = pa.concat_tables([held, pa.Table.from_batches([following])])
            same = held.slice(0, lines.num_rows).cast(arrow.ARTICLES)
            held = held.slice(lines.num_rows)
            if same.num_rows == lines.num_rows and not lines.equals(same):
                differing.update(n for n in arrow.ARTICLES.names if not lines[n].equals(same[n]))
    except (pa.ArrowException, OSError) as exc:
        report.add(path, f"cannot be read as the articles schema: {exc}")
        return
    if rows != parquet_rows:
        report.add(path, f"{rows} rows, {parquet} has {parquet_rows}")
    elif differing:
        names = [name for name in arrow.ARTICLES.names if name in differing]
        report.add(path, f"rows differ from {parquet} in {names}")


def _check_state(
    generation: Path, manifest: Manifest, files: dict[str, int], report: Report
) -> None:
    """Every input of the manifest and every article is remembered by the state."""
    seen_inputs = _parts(files, SEEN_INPUTS)
    seen_articles = _parts(files, SEEN_ARTICLES)
    if not seen_inputs or not seen_articles:
        report.add("state", "no incremental state")
        return
    shas = pl.concat([pl.read_parquet(generation / p, columns=["sha256"]) for p in seen_inputs])
    missing = {i.sha256 for i in manifest.inputs} - set(shas["sha256"].to_list())
    if missing:
        report.add(SEEN_INPUTS.folder, f"{len(missing)} input(s) of the manifest not recorded")
    known = pl.concat(
        [pl.read_parquet(generation / p, columns=["article_id"]) for p in seen_articles]
    )
    for path in _parts(files, ARTICLES):
        ids = pl.read_parquet(generation / path, columns=["article_id"])
        unknown = ids.join(known, on="article_id", how="anti")
        if unknown.height:
            report.add(path, f"{unknown.height} article(s) missing from {SEEN_ARTICLES.folder}")
