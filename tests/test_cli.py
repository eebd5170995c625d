"""The `etl` command: exit statuses, one-line errors, the run / validate summaries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from output_helpers import tree_bytes

from etl import pipeline, verify
from etl.cli import EXIT_INTERNAL, main
from etl.lock import OutputLock

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "raw" / "000_2da8245de02aa76e.txt"


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    """Return stderr, asserting it is exactly one line and no traceback."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("etl: ")
    assert "Traceback" not in err
    return err


@pytest.fixture
def published(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    assert main(["run", str(SAMPLE), "--out", str(out)]) == 0
    return out


def test_run_succeeds_and_summarises(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(SAMPLE), "--out", str(tmp_path / "out")]) == 0
    said = capsys.readouterr()
    assert "10 records read -> 10 articles, 0 duplicates, 0 rejects" in said.out
    assert said.err == ""


@pytest.mark.parametrize(
    ("argv", "status", "words"),
    [
        (["run", "--no-such-option"], 2, "unrecognized arguments"),
        (["frobnicate"], 2, "invalid choice"),
        ([], 2, "required"),
        (["run", "--max-reject-rate", "2"], 2, "between 0 and 1"),
        (["run", "does/not/exist.txt"], 3, "no such file or folder"),
    ],
)
def test_user_mistakes_are_one_line_with_their_status(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    status: int,
    words: str,
) -> None:
    out = ["--out", str(tmp_path / "out")] if argv[:1] == ["run"] else []
    assert main([*argv, *out]) == status
    assert words in _one_line_error(capsys)


def test_an_output_path_that_is_a_file_is_exit_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder", encoding="utf-8")
    assert main(["run", str(SAMPLE), "--out", str(blocker)]) == 4
    assert "not a folder" in _one_line_error(capsys)
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_a_locked_output_folder_is_exit_4_at_once(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_bytes(published)
    capsys.readouterr()
    with OutputLock(published):
        assert main(["run", str(SAMPLE), "--out", str(published)]) == 4
    err = _one_line_error(capsys)
    assert "locked by another run" in err
    assert f"pid {os.getpid()}" in err
    assert tree_bytes(published) == before


def test_wait_queues_behind_the_run_holding_the_lock(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = OutputLock(published)
    holder.__enter__()
    timer = threading.Timer(0.5, holder.__exit__, args=(None, None, None))
    timer.start()
    started = time.monotonic()
    try:
        assert main(["run", str(SAMPLE), "--out", str(published), "--wait"]) == 0
    finally:
        timer.join()
    assert time.monotonic() - started >= 0.5
    assert "10 articles" in capsys.readouterr().out


def test_a_reject_rate_above_the_limit_is_exit_5_and_publishes_nothing(
    published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_bytes(published)
    bad = tmp_path / "bad.txt"
    # Paragraphs before any headline: rejected as body_without_headline.
    bad.write_text(
        "this is a body paragraph with no headline above it, ending in a period.\n\n"
        + SAMPLE.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["run", str(bad), "--out", str(published), "--max-reject-rate", "0"]) == 5
    assert "exceeds --max-reject-rate" in _one_line_error(capsys)
    assert tree_bytes(published) == before


def test_a_bug_is_one_line_and_exit_70(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(config: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(pipeline, "run", broken)
    monkeypatch.delenv("ETL_DEBUG", raising=False)
    assert main(["run", str(SAMPLE), "--out", str(tmp_path)]) == EXIT_INTERNAL
    err = _one_line_error(capsys)
    assert "internal error: ZeroDivisionError" in err
    assert "ETL_DEBUG=1" in err


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert main(["run", "--help"]) == 0
    said = capsys.readouterr().out
    assert "--incremental" in said
    assert "--wait" in said


def test_validate_passes_on_published_outputs(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["validate", str(published)]) == 0
    said = capsys.readouterr()
    assert "is consistent" in said.out
    assert "10 articles" in said.out
    assert said.err == ""


def test_validate_quick_skips_the_row_checks(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generation = (published / "current").resolve()
    capsys.readouterr()
    assert main(["validate", str(published), "--quick"]) == 0
    assert "files, counts and schemas checked" in capsys.readouterr().out
    with (generation / "articles.jsonl").open("r+b") as handle:
        handle.seek(20)
        handle.write(b"X")  # same size, different bytes
    assert main(["validate", str(published), "--quick"]) == 6
    assert "sha256 differs from the manifest" in capsys.readouterr().out


def test_validate_lists_every_problem_and_exits_6(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generation = (published / "current").resolve()
    jsonl = generation / "articles_jsonl" / "part-000001.jsonl"
    lines = jsonl.read_text(encoding="utf-8").splitlines(keepends=True)
    jsonl.write_text("".join(lines[:-1]), encoding="utf-8")  # one article lost
    (generation / "entities" / "part-000001.parquet").write_bytes(b"PAR1 garbage PAR1")
    (generation / "stray.txt").write_text("?", encoding="utf-8")
    capsys.readouterr()

    assert main(["validate", str(published)]) == 6

    said = capsys.readouterr()
    problems = [line for line in said.out.splitlines() if line.startswith("problem: ")]
    text = "\n".join(problems)
    assert "articles_jsonl/part-000001.jsonl: " in text
    assert "9 rows, the manifest says 10" in text
    assert "entities/part-000001.parquet: " in text
    assert "stray.txt: on disk but not in the manifest" in text
    assert "stray.txt: not a link" in text
    assert len(problems) >= 5
    assert said.err.count("\n") == 1
    assert f"problem(s) in {published}" in said.err


@pytest.mark.parametrize("sliced", [False, True])
def test_validate_checks_each_mention_against_its_field(
    published: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    sliced: bool,
) -> None:
    if sliced:  # the mentions checked against a few ids' texts at a time
        monkeypatch.setattr(verify, "_TEXT_SLICE_BYTES", 1 << 10)
        assert verify._text_slices((published / "articles.parquet").resolve()) > 2
    part = (published / "current").resolve() / "entities" / "part-000001.parquet"
    mentions = pl.read_parquet(part)
    row = pl.int_range(pl.len())
    in_headline = mentions.filter(pl.col("field") == "headline").height
    assert 0 < in_headline < mentions.height
    # One headline and one body mention moved by a character (the text no longer matches),
    # and one mention of an article that does not exist.
    first_of = [mentions["field"].to_list().index(field) for field in ("headline", "body")]
    moved = pl.when(row.is_in(first_of))
    broken = mentions.with_columns(
        start=moved.then(pl.col("start") + 1).otherwise("start"),
        end=moved.then(pl.col("end") + 1).otherwise("end"),
        article_id=pl.when(row == mentions.height - 1)
        .then(pl.lit("0" * 32))
        .otherwise("article_id"),
    )
    broken.write_parquet(part)
    capsys.readouterr()
    assert main(["validate", str(published)]) == 6
    said = capsys.readouterr().out
    assert "2 mention(s) whose offsets do not give their text" in said
    assert "1 mention(s) of articles not in articles/part-000001.parquet" in said


def test_validate_reports_rows_that_fail_a_frame_check(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    part = (published / "current").resolve() / "articles" / "part-000001.parquet"
    articles = pl.read_parquet(part)
    first = pl.int_range(pl.len()) == 0
    articles.with_columns(
        source_line=pl.when(first).then(0).otherwise("source_line").cast(pl.Int64)
    ).write_parquet(part)
    capsys.readouterr()
    assert main(["validate", str(published)]) == 6
    said = capsys.readouterr().out
    assert "1 row(s) fail the ArticleFrame check 'source_line: greater_than_or_equal_to(1)'" in said


@pytest.mark.parametrize("small_blocks", [False, True])
def test_validate_compares_json_lines_with_their_parquet_rows(
    published: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    small_blocks: bool,
) -> None:
    if small_blocks:  # many JSON blocks and Parquet batches, their edges not aligned
        monkeypatch.setattr(verify, "_JSON_BLOCK_BYTES", 1 << 14)
        monkeypatch.setattr(verify, "_TWIN_BATCH_ROWS", 3)
    capsys.readouterr()
    assert main(["validate", str(published)]) == 0
    jsonl = (published / "current").resolve() / "articles_jsonl" / "part-000001.jsonl"
    lines = jsonl.read_text(encoding="utf-8").splitlines(keepends=True)
    assert max(map(len, lines)) < 1 << 14 < sum(map(len, lines))
    # The eighth line's headline changed, still valid JSON and schema.
    document = json.loads(lines[7])
    document["headline"] = document["headline"] + " (corrected)"
    lines[7] = json.dumps(document, ensure_ascii=False) + "\n"
    jsonl.write_text("".join(lines), encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(published)]) == 6
    said = capsys.readouterr().out
    assert "rows differ from articles/part-000001.parquet in ['headline']" in said
    jsonl.write_text("".join(lines[:-1]), encoding="utf-8")
    assert main(["validate", str(published)]) == 6
    assert "9 rows, articles/part-000001.parquet has 10" in capsys.readouterr().out


def test_validate_names_each_json_schema_violation_by_line_and_path(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jsonl = (published / "current").resolve() / "articles_jsonl" / "part-000001.jsonl"
    lines = jsonl.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if json.loads(line)["entities"])
    document = json.loads(lines[number])
    document["entities"][0]["label"] = "PERSON"
    lines[number] = json.dumps(document, ensure_ascii=False) + "\n"
    jsonl.write_text("".join(lines), encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(published)]) == 6
    said = capsys.readouterr().out
    assert "1 JSON Schema violation(s), e.g. " in said
    assert f"line {number + 1}: entities/0/label: " in said


def test_validate_names_each_line_that_is_not_json(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jsonl = (published / "current").resolve() / "articles_jsonl" / "part-000001.jsonl"
    lines = jsonl.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1][:-20] + b"\n"  # cut short
    lines[3] = b'{"article_id": "\\ud800"}\n'  # a lone surrogate: no UTF-8 text holds one
    lines[4] = lines[4].replace(b'"', b"\xff", 1)  # not UTF-8
    jsonl.write_bytes(b"".join(lines))
    capsys.readouterr()
    assert main(["validate", str(published)]) == 6
    said = capsys.readouterr().out
    assert "3 JSON Schema violation(s), e.g. " in said
    for number in (2, 4, 5):
        assert f"line {number}: not JSON (" in said


def test_validate_stops_the_line_checks_when_the_parquet_checks_fail(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The line checks run on a thread: an error (or Ctrl-C) in the main thread's checks must
    # tell them to stop, not leave the command waiting for every line.
    started = threading.Event()
    told_to_stop: list[bool] = []
    real_lines = verify._check_all_lines

    def lines(
        generation: Path, files: dict[str, int], report: verify.Report, stop: threading.Event
    ) -> None:
        started.set()
        told_to_stop.append(stop.wait(timeout=30))
        real_lines(generation, files, report, stop)

    def parquet(generation: Path, files: dict[str, int], report: verify.Report) -> None:
        assert started.wait(timeout=30)
        raise KeyboardInterrupt

    monkeypatch.setattr(verify, "_check_all_lines", lines)
    monkeypatch.setattr(verify, "_check_parquet_rows", parquet)
    with pytest.raises(KeyboardInterrupt):
        verify.verify(published)
    assert told_to_stop == [True]


def test_a_stopped_line_check_reads_no_further(published: Path) -> None:
    jsonl = (published / "current").resolve() / "articles_jsonl" / "part-000001.jsonl"
    stop = threading.Event()
    read = []
    for number, _ in verify._lines(jsonl, stop):
        read.append(number)
        if number == 3:
            stop.set()
    assert read == [1, 2, 3]


def test_validate_a_missing_folder_is_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path / "nope")]) == 3
    assert "no such folder" in _one_line_error(capsys)


def test_validate_a_folder_without_outputs_is_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path)]) == 6
    assert "problem: current: missing" in capsys.readouterr().out


def test_the_installed_command_prints_one_line_for_a_missing_input(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "etl", "run", "missing.txt", "--out", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("etl: error: cannot read input missing.txt")
