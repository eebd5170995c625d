"""Runs that die or fail never damage the published outputs: kills, signals, full disks, modes."""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from output_helpers import consistency_problems, tree_bytes

from etl.cli import EXIT_TERMINATED, main
from etl.load import GENERATIONS_DIR
from etl.synth import generate
from etl.verify import verify

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "raw" / "000_2da8245de02aa76e.txt"
NOBODY = 65534


def _etl(*args: str) -> subprocess.Popen[str]:
    """Start `python -m etl ARGS` in the repository."""
    return subprocess.Popen(
        [sys.executable, "-m", "etl", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def _finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def _leftovers(out: Path) -> list[str]:
    """Return staged links and generation folders beyond the published one and one older."""
    staged = [p.name for p in out.iterdir() if ".tmp-" in p.name]
    generations = sorted(p.name for p in (out / GENERATIONS_DIR).iterdir())
    return staged + (generations if len(generations) > 2 else [])


@pytest.fixture(scope="module")
def big_dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("big")
    generate(folder / "a.txt", 1_200_000, seed=5)
    generate(folder / "b.txt", 600_000, seed=6)
    return folder


#: When to kill, as fractions of the time an uninterrupted run takes to reach its commit point
#: (the swap of `current`): spread over the whole run (imports, parsing, writing), dense
#: around the commit point (manifest, fsyncs, swap, clean-up), and after it.
KILL_MOMENTS = (0.1, 0.25, 0.4, 0.55, 0.7, 0.8, 0.87, 0.92, 0.96, 0.99, 1.01, 1.04, 1.08, 1.15)
KILL_MOMENTS_AFTER = (1.3, 2.0)


def _published_generation(out: Path) -> str:
    return str((out / "current").readlink())


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_a_consistent_readable_folder(
    big_dump: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = ["--out", str(out), "--chunk-mb", "0.2"]
    code, _, err = _finish(_etl("run", str(big_dump / "a.txt"), *args))
    assert code == 0, err
    # An uninterrupted run over both files times the runs that will be killed: when does it
    # swap `current`?
    first = _published_generation(out)
    started = time.monotonic()
    timed = _etl("run", str(big_dump), *args)
    while _published_generation(out) == first and timed.poll() is None:
        time.sleep(0.005)
    commit = time.monotonic() - started
    code, _, err = _finish(timed)
    assert code == 0, err

    outcomes = {"previous kept": 0, "new published": 0}
    for fraction in (*KILL_MOMENTS, *KILL_MOMENTS_AFTER):
        before = _published_generation(out)
        process = _etl("run", str(big_dump), *args)
        time.sleep(commit * fraction)
        process.send_signal(signal.SIGKILL)
        _finish(process)
        problems = consistency_problems(out)
        assert problems == [], f"inconsistent after a kill at {fraction:.2f} of a run: {problems}"
        kept = _published_generation(out) == before
        outcomes["previous kept" if kept else "new published"] += 1
    # Both sides of the commit point were hit.
    assert outcomes["previous kept"] >= 4, outcomes
    assert outcomes["new published"] >= 1, outcomes

    # The next run cleans what the killed ones left, and everything checks out.
    code, _, err = _finish(_etl("run", str(big_dump), *args))
    assert code == 0, err
    assert _leftovers(out) == []
    assert verify(out).problems == []


@pytest.mark.slow
def test_sigterm_discards_the_run_and_keeps_the_previous_outputs(
    big_dump: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(SAMPLE), "--out", str(out)]) == 0
    before = tree_bytes(out)
    process = _etl("run", str(big_dump), "--out", str(out), "--chunk-mb", "0.25")
    # Signal once the run is writing its generation (not after a guessed delay): it is then
    # past start-up and before its commit point, however fast or loaded the machine is.
    started = out / GENERATIONS_DIR / "g-000002"
    deadline = time.monotonic() + 60
    while not started.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert started.exists(), "the run never started writing"
    process.send_signal(signal.SIGTERM)
    code, _, err = _finish(process)
    assert code == EXIT_TERMINATED, err
    assert err.strip().count("\n") == 0
    assert "terminated" in err
    assert tree_bytes(out) == before
    assert sorted(p.name for p in (out / GENERATIONS_DIR).iterdir()) == ["g-000001"]


# --------------------------------------------------------------------------- disk full


def _fail_writes_in(
    monkeypatch: pytest.MonkeyPatch, folder: Path, error: int, after_bytes: int
) -> None:
    """Make the real `os.write` fail with `error` once `after_bytes` went to files in `folder`."""
    real_write = os.write
    total = 0

    def write(fd: int, data: bytes) -> int:
        nonlocal total
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(folder)):
            total += len(data)
            if total > after_bytes:
                raise OSError(error, os.strerror(error))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)


@pytest.mark.parametrize("after_bytes", [0, 3_000, 12_000, 25_000, 40_000])
def test_disk_full_during_writing_is_one_line_and_keeps_the_previous_outputs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    after_bytes: int,
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(SAMPLE), "--out", str(out)]) == 0
    before = tree_bytes(out)
    capsys.readouterr()
    # The sample's outputs are ~45 kB: the thresholds hit the Parquet files, the JSONL, the
    # state and the manifest.
    _fail_writes_in(monkeypatch, out / GENERATIONS_DIR, errno.ENOSPC, after_bytes)
    assert main(["run", str(SAMPLE), "--out", str(out), "--no-near-duplicates"]) == 4
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "No space left on device" in err
    assert "Traceback" not in err
    assert tree_bytes(out) == before
    assert consistency_problems(out) == []
    assert sorted(p.name for p in (out / GENERATIONS_DIR).iterdir()) == ["g-000001"]


@pytest.fixture
def tiny_tmpfs() -> Iterator[Path]:
    """Mount a 1 MiB tmpfs (a real, small file system) or skip where mounting is not allowed."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    point = Path(tempfile.mkdtemp(prefix="etl-tmpfs-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=True)
        point.rmdir()


def test_a_real_full_disk_is_one_line_and_keeps_the_previous_outputs(
    tiny_tmpfs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tiny_tmpfs / "out"
    assert main(["run", str(SAMPLE), "--out", str(out)]) == 0
    before = tree_bytes(out)
    # Leave ~20 kB free: less than one run's outputs.
    free = os.statvfs(tiny_tmpfs).f_bavail * os.statvfs(tiny_tmpfs).f_frsize
    (tiny_tmpfs / "ballast").write_bytes(b"\0" * (free - 20_000))
    capsys.readouterr()
    assert main(["run", str(SAMPLE), "--out", str(out)]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "No space left on device" in err
    assert tree_bytes(out) == before
    assert consistency_problems(out) == []
    (tiny_tmpfs / "ballast").unlink()
    assert main(["run", str(SAMPLE), "--out", str(out)]) == 0  # room again: works again


# --------------------------------------------------------------------------- permissions


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder every user can enter (pytest's tmp_path is private to its owner)."""
    folder = Path(tempfile.mkdtemp(prefix="etl-perm-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


@contextmanager
def _file_access_as_nobody() -> Iterator[None]:
    """Make file permission checks apply to this thread, also when it runs as root.

    Root bypasses file modes, so a chmod alone proves nothing there. Linux's setfsuid changes
    the user the kernel checks file access for (and drops root's override capabilities) for
    the calling thread only; the run then meets the kernel's own EACCES.
    """
    if os.geteuid() != 0:
        yield  # an ordinary user: file modes apply already
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.setfsgid(NOBODY)
    libc.setfsuid(NOBODY)
    try:
        if libc.setfsuid(-1) != NOBODY:  # -1 is invalid: the call only reports the current one
            pytest.skip("setfsuid is not available here")
        yield
    finally:
        libc.setfsuid(0)
        libc.setfsgid(0)


@pytest.mark.parametrize("locked", ["output folder", "generations folder"])
def test_a_permission_error_is_one_line_and_keeps_the_previous_outputs(
    shared_folder: Path, locked: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = shared_folder / "in.txt"
    shutil.copy(SAMPLE, sample)
    sample.chmod(0o644)
    out = shared_folder / "out"
    assert main(["run", str(sample), "--out", str(out)]) == 0
    before = tree_bytes(out)
    if locked == "generations folder":
        # The run may lock the folder, but not write a generation into it.
        out.chmod(0o777)
        (out / ".lock").chmod(0o666)
        (out / GENERATIONS_DIR).chmod(0o755)
    else:
        out.chmod(0o755)
    capsys.readouterr()
    with _file_access_as_nobody():
        code = main(["run", str(sample), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 4, err
    assert err.count("\n") == 1
    assert "Permission denied" in err
    assert "Traceback" not in err
    assert tree_bytes(out) == before
    assert consistency_problems(out) == []
