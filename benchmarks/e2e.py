"""End-to-end benchmark of issue 6: `etl run` against the naive job, plus the tagging shoot-out.

For each size (default 100MB and 1GB) a deterministic synthetic dump is generated under the
work folder, then `python -m etl run DUMP --out DIR` and the naive job
(`python -m benchmarks.naive`) each run `--repeat` times, interleaved so machine noise hits
both alike, each in a fresh child process. Wall time, MB/s of input, records/s and the peak
RSS of the child (the larger of psutil polling of its process tree and the kernel's
`ru_maxrss` from `wait4`) are recorded; medians are reported against the targets. The tagging
comparison runs the toolkit's tagger, pyahocorasick and spaCy's PhraseMatcher over the same
texts (the headlines and bodies of a synthetic dump). `--profile` writes a pyinstrument
profile of one `etl run` and prints the pipeline's own per-stage timings.

Run: `python -m benchmarks.e2e` (or `python benchmarks/e2e.py`); quick check:
`python -m benchmarks.e2e --sizes 20MB,100MB --repeat 1`. The work folder
(default /tmp/etl-bench) is deleted at the end unless --keep.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script (`python benchmarks/e2e.py`): make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil

from etl.synth import generate, parse_size

REPO = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
MB = 1_000_000

TARGET_MB_S = 100.0
TARGET_RATIO = 2.5
TARGET_RSS_MIB = 600.0
TARGET_RSS_FLAT = 1.20
TARGET_LINEAR = 11.0


@dataclass(frozen=True, slots=True)
class Measure:
    """One run of one implementation on one input."""

    seconds: float
    peak_rss_mib: float
    records: int
    articles: int


@dataclass(slots=True)
class SizeResult:
    """Every run on one input size, with medians."""

    label: str
    input_bytes: int
    records: int
    generate_seconds: float
    etl: list[Measure] = field(default_factory=list)
    naive: list[Measure] = field(default_factory=list)

    def median(self, which: str, attr: str) -> float:
        """Return the median of `attr` over the runs of `which` (etl or naive)."""
        runs: list[Measure] = getattr(self, which)
        return statistics.median(getattr(m, attr) for m in runs) if runs else float("nan")

    def mb_s(self, which: str) -> float:
        """Return the median throughput of `which` in MB/s of input (10**6 bytes)."""
        return self.input_bytes / MB / self.median(which, "seconds")

    def records_s(self, which: str) -> float:
        """Return the median throughput of `which` in records per second."""
        return self.records / self.median(which, "seconds")


def _tree_rss(process: psutil.Process) -> int:
    """Return the summed RSS of a process and its descendants (0 once it is gone)."""
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def measure(command: Sequence[str], log: Path) -> tuple[float, float]:
    """Run `command` as a child; return its wall seconds and peak RSS in MiB (fails loudly).

    The peak is the larger of the summed RSS of the child's process tree, polled every 20 ms
    (catches worker processes running side by side), and the kernel's high-water mark of the
    child from `wait4` (catches a spike between two polls).
    """
    started = time.perf_counter()
    with log.open("wb") as sink:
        child = subprocess.Popen(list(command), cwd=REPO, stdout=sink, stderr=subprocess.STDOUT)
        watched = psutil.Process(child.pid)
        peak = 0
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _tree_rss(watched))
            time.sleep(0.02)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if child.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(command)} exited {child.returncode}:\n{tail}")
    kernel_peak = usage.ru_maxrss * 1024  # KiB on Linux
    return seconds, max(peak, kernel_peak) / MIB


def run_etl(dump: Path, out: Path) -> Measure:
    """Run `etl run` on `dump` in a fresh interpreter and return what it measured."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "etl", "run", str(dump), "--out", str(out)]
    seconds, rss = measure(command, out.with_suffix(".log"))
    counts = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]
    return Measure(seconds, rss, counts["records_read"], counts["articles"])


def run_naive(dump: Path, out: Path) -> Measure:
    """Run the naive job on `dump` in a fresh interpreter and return what it measured."""
    shutil.rmtree(out, ignore_errors=True)
    counts_file = out.with_suffix(".json")
    command = [
        sys.executable,
        "-c",
        "import json, sys; from pathlib import Path; from benchmarks.naive import run_naive; "
        "json.dump(run_naive([Path(sys.argv[1])], Path(sys.argv[2])), open(sys.argv[3], 'w'))",
        str(dump),
        str(out),
        str(counts_file),
    ]
    seconds, rss = measure(command, out.with_suffix(".log"))
    counts = json.loads(counts_file.read_text(encoding="utf-8"))
    return Measure(seconds, rss, counts["records_read"], counts["articles"])


# ---------------------------------------------------------------------------------------------
# Tagging comparison
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TagResult:
    """One tagger over the comparison texts."""

    name: str
    seconds: float
    mentions: int
    text_mb: float

    @property
    def mb_s(self) -> float:
        """Return the throughput in MB of text per second."""
        return self.text_mb / self.seconds


def _best_of(repeat: int, work: Callable[[], int]) -> tuple[float, int]:
    """Return the fastest of `repeat` timings of `work` and its result."""
    best, result = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def compare_taggers(dump: Path, repeat: int) -> list[TagResult]:
    """Time the toolkit's tagger, pyahocorasick and spaCy's PhraseMatcher on the same texts.

    The texts are the headlines and bodies Extract parses from `dump`. The baselines get the
    toolkit's own pattern list (every surface form the gazetteer expands to), so the matchers
    search for the same strings; pyahocorasick also runs with only the aliases and demonyms
    of gazetteer.tsv, as the naive job does.
    """
    import polars as pl

    from benchmarks.naive import Entry, build_automaton, find_mentions, load_aliases
    from benchmarks.spacy_tagger import SpacyTagger
    from etl.extract import extract_batches
    from etl.sources import discover_inputs
    from etl.tagging import load_gazetteer, tag
    from etl.tagging.matcher import scan

    records = pl.concat([b.records for b in extract_batches(discover_inputs((dump,)), 16 * MIB)])
    texts = records["headline"].to_list() + records["body"].to_list()
    docs = list(range(records.height))
    frame = pl.DataFrame(
        {
            "doc": docs + docs,
            "field": ["headline"] * records.height + ["body"] * records.height,
            "text": texts,
        },
        schema={"doc": pl.UInt32, "field": pl.String, "text": pl.String},
    )
    text_mb = sum(len(t.encode()) for t in texts) / MB
    gazetteer = load_gazetteer()
    same = {
        pattern: Entry(entity_id or pattern, "", pattern, "")
        for pattern, entity_id in gazetteer.patterns.select("pattern", "entity_id").iter_rows()
    }
    aliases = load_aliases()
    n_same, n_aliases = len(same), len(aliases)

    def full() -> int:
        return int(tag(frame, gazetteer).mentions.height)

    def matcher() -> int:
        # The automaton built once, as the pipeline and pyahocorasick below have theirs.
        return int(scan(frame, gazetteer.automaton).height)

    def aho(automaton: Any) -> Callable[[], int]:
        return lambda: sum(len(find_mentions(automaton, text)) for text in texts)

    spacy_tagger = SpacyTagger(same)
    runs: list[tuple[str, Callable[[], int]]] = [
        (f"etl tag(): matcher + rules + themes ({n_same} patterns)", full),
        (f"etl matcher scan() only ({n_same} patterns)", matcher),
        (f"pyahocorasick + word boundaries ({n_same} patterns)", aho(build_automaton(same))),
        (
            f"pyahocorasick + word boundaries (gazetteer.tsv: {n_aliases} aliases)",
            aho(build_automaton(aliases)),
        ),
        (
            f"spaCy PhraseMatcher, tokenizer only ({n_same} patterns)",
            lambda: spacy_tagger.count(texts),
        ),
    ]
    results = []
    for name, work in runs:
        seconds, found = _best_of(repeat, work)
        results.append(TagResult(name, seconds, found, text_mb))
        print(f"[tagging] {name}: {text_mb / seconds:.1f} MB/s, {found:,} mentions", flush=True)
    return results


# ---------------------------------------------------------------------------------------------
# Profile
# ---------------------------------------------------------------------------------------------


def _py_spy() -> str | None:
    """Return the py-spy executable (beside this interpreter, or on PATH), if installed."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


# A sample whose stack passes through one of these is a thread waiting for another one.
_WAIT_FILES = ("queue.py", "threading.py", "concurrent/futures/_base.py")
_WAIT_CALLS = {"get", "put", "wait", "result", "join", "acquire"}


def _waits(frame: str) -> bool:
    where, _, name = frame.partition(":")
    return where.endswith(_WAIT_FILES) and name.rsplit(".", 1)[-1] in _WAIT_CALLS


def _frames(stack: str) -> tuple[str, list[str]]:
    """Split one py-spy raw stack into its thread name and its frames (`file:function`)."""
    parts = stack.split(";")
    at = next((i for i, part in enumerate(parts) if part.startswith("thread (")), -1)
    thread = parts[at].split(": ", 1)[-1] if at >= 0 else "?"
    frames = []
    for frame in parts[at + 1 :]:
        name, _, where = frame.rpartition(" (")
        frames.append(f"{where.rsplit(':', 1)[0]}:{name}")
    return thread, frames


def summarise_py_spy(raw: Path, rate: int) -> list[str]:
    """Return wall seconds per thread and per toolkit function from a py-spy raw profile.

    Samples include idle ones, so a Python thread waiting on polars or pyarrow (which work in
    native threads) is charged to the frame that called them: these are thread-seconds of
    wall time, and threads running side by side add up to more than the run's wall time. A
    thread waiting for another one (a queue, a future, a lock) is counted apart, as waiting.
    """
    busy: dict[str, int] = {}
    waiting: dict[str, int] = {}
    functions: dict[str, int] = {}
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        thread, frames = _frames(stack)
        toolkit = {f for f in frames if f.startswith(("etl/", "schemas/"))}
        if not toolkit:
            continue  # an idle worker or the interpreter's own start-up
        if any(_waits(f) for f in frames):
            waiting[thread] = waiting.get(thread, 0) + count
            continue
        busy[thread] = busy.get(thread, 0) + count
        for frame in toolkit:
            functions[frame] = functions.get(frame, 0) + count
    lines = ["Thread-seconds in toolkit code per thread, working / waiting for another thread:"]
    for thread in sorted(busy.keys() | waiting.keys(), key=lambda t: -busy.get(t, 0)):
        work, wait = busy.get(thread, 0) / rate, waiting.get(thread, 0) / rate
        lines.append(f"  {thread:<32} {work:8.2f} / {wait:.2f}")
    lines.append("Toolkit functions by inclusive working thread-seconds (all threads):")
    for frame, count in sorted(functions.items(), key=lambda kv: -kv[1])[:30]:
        lines.append(f"  {frame:<56} {count / rate:8.2f}")
    return lines


def _pyinstrument_summary(dump: Path, out: Path, keep: Path) -> list[str]:
    """Profile the main thread with pyinstrument; return the heaviest toolkit functions."""
    import pstats

    pyinstrument = [sys.executable, "-m", "pyinstrument"]
    session = keep / "profile.pyisession"
    subprocess.run(
        [*pyinstrument, "--interval", "0.002", "-r", "pyisession", "-o", str(session),
         "-m", "etl", "run", str(dump), "--out", str(out)],
        cwd=REPO, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for renderer, name in (
        ("text", "profile.txt"),
        ("html", "profile.html"),
        ("pstats", "p.pstats"),
    ):
        subprocess.run(
            [*pyinstrument, "--load", str(session), "-r", renderer, "-o", str(keep / name)],
            cwd=REPO, check=True,
        )  # fmt: skip
    stats = pstats.Stats(str(keep / "p.pstats"))
    own = [
        (cumulative, f"{Path(file).name}:{name}")
        for (file, _, name), (_, _, _, cumulative, _) in stats.stats.items()  # type: ignore[attr-defined]
        if "/etl/" in file and not file.endswith(("cli.py", "__main__.py"))
    ]
    lines = ["Toolkit functions by cumulative wall time (pyinstrument, main thread only):"]
    lines += [f"  {name:<48} {seconds:8.2f}" for seconds, name in sorted(own, reverse=True)[:25]]
    lines.append(f"Call tree: {keep / 'profile.txt'}, {keep / 'profile.html'}")
    return lines


def profile(dump: Path, work: Path, keep: Path, rate: int = 100) -> str:
    """Profile one `etl run` on `dump`; return where the time went.

    With py-spy installed every thread is sampled (the pipeline reads, tags and writes on
    several), and `profile.raw` (collapsed stacks, for flamegraph tools) is kept in `keep`;
    otherwise pyinstrument profiles the main thread. The pipeline's own per-stage timings
    from the manifest come first.
    """
    out = work / "out-profile"
    shutil.rmtree(out, ignore_errors=True)
    keep.mkdir(parents=True, exist_ok=True)
    spy = _py_spy()
    if spy:
        raw = keep / "profile.raw"
        subprocess.run(
            [spy, "record", "--rate", str(rate), "--format", "raw", "--threads", "--idle",
             "-o", str(raw), "--", sys.executable, "-m", "etl", "run", str(dump),
             "--out", str(out)],
            cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        details = [*summarise_py_spy(raw, rate), f"Collapsed stacks: {raw}"]
    else:
        details = _pyinstrument_summary(dump, out, keep)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    timings: dict[str, float] = manifest.get("timings", {})
    lines = ["Per-stage timings of the profiled run (manifest `timings`, seconds):"]
    lines += [
        f"  {stage:<28} {seconds:8.2f}"
        for stage, seconds in sorted(timings.items(), key=lambda kv: -kv[1])
    ]
    return "\n".join([*lines, *details])


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """Return what the figures were measured on: CPU, cores, memory, versions, date."""
    import polars as pl
    import pyarrow as pa

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory_gib": f"{psutil.virtual_memory().total / 2**30:.1f}",
        "python": platform.python_version(),
        "polars": pl.__version__,
        "pyarrow": pa.__version__,
        "polars_threads": str(pl.thread_pool_size()),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _figure(value: float, spec: str, unit: str = "") -> str:
    """Return `value` formatted, or `not run` for the median of no runs (`--no-naive`)."""
    return "not run" if math.isnan(value) else f"{value:{spec}}{unit}"


def _size_table(sizes: list[SizeResult]) -> list[str]:
    lines = [
        "| input | records | etl s (median) | etl MB/s | etl records/s | naive s | naive MB/s "
        "| speed-up | etl peak RSS MiB | naive peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in sizes:
        lines.append(
            f"| {s.label} | {s.records:,} | {s.median('etl', 'seconds'):.2f} "
            f"| {s.mb_s('etl'):.1f} | {s.records_s('etl'):,.0f} "
            f"| {_figure(s.median('naive', 'seconds'), '.2f')} | {_figure(s.mb_s('naive'), '.1f')} "
            f"| {_figure(s.mb_s('etl') / s.mb_s('naive'), '.2f', 'x')} "
            f"| {s.median('etl', 'peak_rss_mib'):.0f} "
            f"| {_figure(s.median('naive', 'peak_rss_mib'), '.0f')} |"
        )
    return lines


def _targets(sizes: list[SizeResult]) -> list[str]:
    big, small = sizes[-1], sizes[0]
    ratio = big.mb_s("etl") / big.mb_s("naive")
    rss_big = big.median("etl", "peak_rss_mib")
    lines = [
        "| target (issue 6) | measured | verdict |",
        "|---|---|---|",
        f"| etl >= {TARGET_MB_S:.0f} MB/s on {big.label} | {big.mb_s('etl'):.1f} MB/s "
        f"| {_verdict(big.mb_s('etl') >= TARGET_MB_S)} |",
        f"| etl >= {TARGET_RATIO}x naive on {big.label} | {_figure(ratio, '.2f', 'x')} "
        f"| {'not measured' if math.isnan(ratio) else _verdict(ratio >= TARGET_RATIO)} |",
        f"| peak RSS <= {TARGET_RSS_MIB:.0f} MiB on {big.label} | {rss_big:.0f} MiB "
        f"| {_verdict(rss_big <= TARGET_RSS_MIB)} |",
    ]
    if len(sizes) > 1:
        rss_small = small.median("etl", "peak_rss_mib")
        flat = rss_big / rss_small
        time_ratio = big.median("etl", "seconds") / small.median("etl", "seconds")
        size_ratio = big.input_bytes / small.input_bytes
        # 11x the time for 10x the input, scaled to the sizes actually run.
        limit = TARGET_LINEAR * size_ratio / 10
        lines += [
            f"| RSS flat: {big.label} within {TARGET_RSS_FLAT - 1:.0%} of {small.label} "
            f"| {rss_small:.0f} -> {rss_big:.0f} MiB ({flat - 1:+.0%}) "
            f"| {_verdict(flat <= TARGET_RSS_FLAT)} |",
            f"| time {big.label} / {small.label} <= {limit:.1f}x (11x per 10x input) "
            f"| {time_ratio:.2f}x for {size_ratio:.1f}x input | {_verdict(time_ratio <= limit)} |",
        ]
    return lines


def _tag_table(tags: list[TagResult]) -> list[str]:
    ours = tags[0].mb_s
    lines = [
        "| tagger (same texts) | MB/s of text | mentions | speed vs etl tag() |",
        "|---|---|---|---|",
    ]
    lines += [f"| {t.name} | {t.mb_s:.1f} | {t.mentions:,} | {t.mb_s / ours:.2f}x |" for t in tags]
    return lines


def report(sizes: list[SizeResult], tags: list[TagResult]) -> str:
    """Return the issue-6 tables: throughput, ratios, memory, linearity, tagging."""
    parts = []
    if sizes:
        parts += [*_size_table(sizes), "", *_targets(sizes), ""]
    if tags:
        parts += _tag_table(tags)
    return "\n".join(parts)


def _label(size: int) -> str:
    return f"{size / 10**9:g}GB" if size >= 10**9 else f"{size / 10**6:g}MB"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/e2e.py", description=__doc__)
    parser.add_argument("--sizes", default="100MB,1GB", help="comma-separated dump sizes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per implementation and size")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/etl-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--messiness", type=float, default=0.0)
    parser.add_argument("--no-naive", action="store_true", help="skip the naive job")
    parser.add_argument("--no-tagging", action="store_true", help="skip the tagger comparison")
    parser.add_argument("--tagging-size", default="20MB", help="dump size for the taggers")
    parser.add_argument("--profile", action="store_true", help="profile one run (smallest size)")
    parser.add_argument(
        "--profile-dir",
        type=Path,
        default=Path("/tmp/etl-bench-profile"),
        help="where --profile leaves its files (kept after the run)",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    return parser.parse_args(argv)


def bench_size(size: int, args: argparse.Namespace, *, profiled: bool) -> SizeResult:
    """Generate one dump, run both implementations on it `--repeat` times, clean up."""
    work: Path = args.workdir
    label = _label(size)
    dump = work / f"dump-{label}.txt"
    started = time.perf_counter()
    stats = generate(dump, size, seed=args.seed, messiness=args.messiness)
    result = SizeResult(label, stats.bytes, stats.records, time.perf_counter() - started)
    print(f"[{label}] generated {stats.records:,} records in {result.generate_seconds:.1f}s")
    for attempt in range(args.repeat):
        # Interleaved, so that noise from other work on the machine hits both alike.
        result.etl.append(run_etl(dump, work / f"out-{label}-etl"))
        print(f"[{label}] etl   #{attempt + 1}: {result.etl[-1]}", flush=True)
        if not args.no_naive:
            result.naive.append(run_naive(dump, work / f"out-{label}-naive"))
            print(f"[{label}] naive #{attempt + 1}: {result.naive[-1]}", flush=True)
    if profiled:
        print(profile(dump, work, args.profile_dir), flush=True)
    for name in (f"out-{label}-etl", f"out-{label}-naive", "out-profile"):
        shutil.rmtree(work / name, ignore_errors=True)
    dump.unlink()
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the end-to-end benchmark and print the issue-6 tables; return the exit status."""
    args = _arguments(argv)
    sizes = sorted(parse_size(s) for s in args.sizes.split(",") if s.strip())
    work: Path = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    print("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()), flush=True)
    results: list[SizeResult] = []
    tags: list[TagResult] = []
    try:
        for size in sizes:
            results.append(bench_size(size, args, profiled=args.profile and size == sizes[0]))
        if not args.no_tagging:
            dump = work / "dump-tagging.txt"
            generate(dump, parse_size(args.tagging_size), seed=args.seed + 1)
            tags = compare_taggers(dump, max(args.repeat, 1))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(report(results, tags))
    if args.json:
        figures = {
            "machine": info,
            "sizes": [asdict(r) for r in results],
            "tagging": [{**asdict(t), "mb_s": t.mb_s} for t in tags],
        }
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
