"""The `etl` command: parses arguments, runs one subcommand, maps errors to exit statuses.

This is the only place that catches `EtlError`: it prints one line on stderr and returns the
error's exit status (documented in docs/CLI.md). `main(argv)` returns the status, so tests call
it directly.

Exit statuses: 0 success; 1 an error the toolkit has no better code for; 2 usage error;
3 unreadable input; 4 unwritable output (or locked); 5 reject rate above --max-reject-rate;
6 integrity (a guarantee failed, nothing published; or `etl validate` found problems);
70 internal error (a bug: please report); 130 interrupted (Ctrl-C); 143 terminated (SIGTERM).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import NoReturn

from etl import __version__
from etl.config import (
    DEFAULT_CHUNK_BYTES,
    DEFAULT_INPUT,
    DEFAULT_OUTPUT,
    DEFAULT_WORKERS,
    RunConfig,
)
from etl.errors import EtlError, IntegrityError, UsageError
from etl.runtime import hand_back_large_blocks, without_pandas

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "console",
    "fraction",
    "main",
]

EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug, not a user mistake
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM


class _Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so that a run discards its generation."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, raised rather than printed with usage."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def fraction(text: str) -> float:
    """Return `text` as a number from 0 to 1 (an argparse type; `etl synth` uses it too)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text}")
    return value


def _megabytes(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text}")
    return int(value * 1024 * 1024)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def _run(args: argparse.Namespace) -> int:
    # Heavy imports (polars, pandera, the gazetteer) only for the command that needs them.
    from etl.pipeline import run  # noqa: PLC0415

    config = RunConfig(
        inputs=tuple(args.inputs) or (DEFAULT_INPUT,),
        out=args.out,
        chunk_bytes=args.chunk_bytes,
        workers=args.workers,
        near_duplicates=not args.no_near_duplicates,
        keep_near_duplicates=args.keep_near_duplicates,
        near_threshold=args.near_threshold,
        minor_towns=args.minor_towns,
        incremental=args.incremental,
        wait_for_lock=args.wait,
        max_reject_rate=args.max_reject_rate,
    )
    result = run(config)
    if not result.published:
        print(
            f"etl run: no new input ({result.skipped_inputs} input(s) already processed); "
            f"nothing to do, outputs in {result.out} unchanged"
        )
        return 0
    counts = result.counts
    seen = f", {result.skipped_inputs} input(s) already seen" if result.skipped_inputs else ""
    print(
        f"etl run: {result.new_inputs} input(s){seen}; "
        f"{counts['records_read']} records read -> {counts['articles']} articles, "
        f"{counts['duplicates']} duplicates, {counts['rejects']} rejects, "
        f"{counts['entities']} entity mentions; outputs in {result.out}"
    )
    return 0


def _validate(args: argparse.Namespace) -> int:
    from etl.verify import verify  # noqa: PLC0415 - heavy imports only when validating

    out: Path = args.dir
    report = verify(out, rows=not args.quick)
    for problem in report.problems:
        print(f"problem: {problem}")
    if not report.ok:
        raise IntegrityError("validate", f"{len(report.problems)} problem(s) in {out}")
    depth = "files, counts and schemas" if args.quick else "files, counts, schemas and rows"
    totals = report.totals
    print(
        f"etl validate: {out} is consistent ({report.generation}, {report.files} files; "
        f"{depth} checked; {totals.get('articles', 0)} articles, "
        f"{totals.get('entities', 0)} mentions)"
    )
    return 0


def _delegate(module: str) -> Callable[[argparse.Namespace], int]:
    """Return a handler that passes the remaining arguments to `<module>.main(argv)`."""

    def handler(args: argparse.Namespace) -> int:
        from importlib import import_module  # noqa: PLC0415 - keeps `etl --help` fast

        entry: Callable[[list[str]], int] = import_module(module).main
        return entry(list(args.rest))

    return handler


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="etl", description="Trade and customs news dumps in, analytics tables out."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="parse, deduplicate, tag, validate and write the tables")
    run.add_argument(
        "inputs",
        nargs="*",
        type=Path,
        metavar="INPUT",
        help=f"dump files or folders (*.txt, *.txt.gz); default {DEFAULT_INPUT}/",
    )
    run.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUTPUT,
        metavar="DIR",
        help=f"output folder (default {DEFAULT_OUTPUT}/)",
    )
    run.add_argument(
        "--chunk-mb",
        dest="chunk_bytes",
        type=_megabytes,
        default=DEFAULT_CHUNK_BYTES,
        metavar="MB",
        help=f"input read per batch, bounds memory (default {DEFAULT_CHUNK_BYTES / 2**20:g})",
    )
    run.add_argument(
        "--workers",
        type=_positive_int,
        default=DEFAULT_WORKERS,
        metavar="N",
        help=f"batches transformed at once on threads (default {DEFAULT_WORKERS}, the cores)",
    )
    run.add_argument(
        "--no-near-duplicates", action="store_true", help="detect exact duplicates only"
    )
    run.add_argument(
        "--keep-near-duplicates",
        action="store_true",
        help="keep near duplicates as articles (they are still reported)",
    )
    run.add_argument(
        "--near-threshold",
        type=fraction,
        default=0.8,
        metavar="J",
        help="estimated Jaccard similarity from which a record is a near duplicate (default 0.8)",
    )
    run.add_argument(
        "--minor-towns",
        action="store_true",
        help="also read towns of 15,000 to 99,999 people, beside their country "
        "(more places found; ~30 MiB more memory, ~7%% slower tagging)",
    )
    run.add_argument(
        "--incremental",
        action="store_true",
        help="process only inputs not seen by an earlier run into DIR",
    )
    run.add_argument(
        "--wait",
        action="store_true",
        help="wait for another run on DIR to finish instead of failing",
    )
    run.add_argument(
        "--max-reject-rate",
        type=fraction,
        default=1.0,
        metavar="R",
        help="fail (exit 5) when more than this fraction of records is rejected",
    )
    run.set_defaults(handler=_run)

    validate = commands.add_parser(
        "validate", help="re-check published outputs against their manifest and schemas"
    )
    validate.add_argument(
        "dir",
        nargs="?",
        type=Path,
        default=DEFAULT_OUTPUT,
        metavar="DIR",
        help=f"output folder to check (default {DEFAULT_OUTPUT}/)",
    )
    validate.add_argument(
        "--quick",
        action="store_true",
        help="check files, checksums, counts and schemas only, not every row",
    )
    validate.set_defaults(handler=_validate)

    for name, module, summary in (
        ("evaluate", "etl.evaluate", "score the tagger against gold data and the Reuters corpus"),
        ("synth", "etl.synth", "write a deterministic synthetic dump (for benchmarks and tests)"),
    ):
        # No option prefix of its own: every argument, "--size" included, goes to the module.
        sub = commands.add_parser(name, help=summary, add_help=False, prefix_chars="\x00")
        sub.add_argument("rest", nargs=argparse.REMAINDER)
        sub.set_defaults(handler=_delegate(module))
    return parser


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def console() -> NoReturn:
    """The `etl` console script: `main` in a process of its own, which never loads pandas."""
    without_pandas()  # see etl.runtime: 50 MiB less memory
    hand_back_large_blocks()  # see etl.runtime: ~45 MiB less peak memory on 1 GB
    sys.exit(main())


def main(argv: Sequence[str] | None = None) -> int:
    """Run `etl` with `argv` (default: the process arguments) and return its exit status."""
    parser = _build_parser()
    # SIGTERM (a scheduler stopping the job) unwinds like Ctrl-C: the run discards its
    # unpublished generation and releases the lock. SIGKILL cannot be caught; the next run
    # cleans up after it.
    previous = (
        signal.signal(signal.SIGTERM, _terminate)
        if threading.current_thread() is threading.main_thread()
        else None
    )
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else 0
    except EtlError as error:
        print(f"etl: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("etl: interrupted; no partial output was published", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _Terminated:
        print("etl: terminated; no partial output was published", file=sys.stderr)
        return EXIT_TERMINATED
    except Exception as error:
        if os.environ.get("ETL_DEBUG"):
            raise
        print(
            f"etl: internal error: {type(error).__name__}: {error} "
            "(nothing was published; rerun with ETL_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
