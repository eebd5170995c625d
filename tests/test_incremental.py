"""`etl run --incremental`: only new inputs are processed, deduplicated against earlier runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from output_helpers import consistency_problems, tree_bytes
from polars.testing import assert_frame_equal

from etl import state
from etl.cli import main
from etl.config import RunConfig
from etl.errors import IntegrityError
from etl.pipeline import RunResult, run
from etl.state import SEEN_ARTICLES, SEEN_INPUTS
from etl.verify import verify

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw" / "000_2da8245de02aa76e.txt"


def _articles() -> list[tuple[str, str]]:
    """Return the sample's (headline, body) pairs."""
    blocks = [b.strip() for b in SAMPLE.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    return [(blocks[i], blocks[i + 2]) for i in range(0, len(blocks), 3)]


def make_dump(*articles: tuple[str, str]) -> str:
    """Return a well-formed dump of `articles` (headline, body)."""
    return "".join(f"{h}\n\n{h}\n\n{b}\n\n" for h, b in articles)


def _incremental(inputs: Path, out: Path) -> RunResult:
    return run(RunConfig(inputs=(inputs,), out=out, incremental=True))


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    inputs = tmp_path / "in"
    inputs.mkdir()
    sample = _articles()
    (inputs / "day1.txt").write_text(make_dump(*sample[:6]), encoding="utf-8")
    return inputs, tmp_path / "out"


def test_a_new_file_alone_is_processed(folders: tuple[Path, Path]) -> None:
    inputs, out = folders
    first = _incremental(inputs, out)
    assert first.counts["articles"] == 6
    (inputs / "day2.txt").write_text(make_dump(*_articles()[6:]), encoding="utf-8")

    second = _incremental(inputs, out)

    assert (second.new_inputs, second.skipped_inputs) == (1, 1)
    assert second.counts["records_read"] == 4  # day2 only
    assert second.counts["articles"] == 4
    assert second.manifest.totals["articles"] == 10
    assert [r.inputs for r in second.manifest.runs] == [
        [(inputs / "day1.txt").as_posix()],
        [(inputs / "day2.txt").as_posix()],
    ]
    articles = pl.read_parquet(out / "articles" / "*.parquet")
    assert articles["headline"].to_list() == [h for h, _ in _articles()]
    assert articles["source_file"].to_list() == ["day1.txt"] * 6 + ["day2.txt"] * 4
    seen = pl.read_parquet(out / SEEN_INPUTS.folder / "*.parquet")
    assert seen["source_file"].to_list() == ["day1.txt", "day2.txt"]
    assert seen["generation"].to_list() == [1, 2]
    assert verify(out).problems == []


def test_an_old_article_in_a_new_file_is_a_duplicate(folders: tuple[Path, Path]) -> None:
    inputs, out = folders
    sample = _articles()
    _incremental(inputs, out)
    old = pl.read_parquet(out / "articles.parquet").filter(pl.col("headline") == sample[2][0])
    (inputs / "day2.txt").write_text(make_dump(sample[8], sample[2]), encoding="utf-8")

    second = _incremental(inputs, out)

    assert second.counts["records_read"] == 2
    assert second.counts["articles"] == 1
    assert second.counts["duplicates_exact"] == 1
    duplicates = pl.read_parquet(out / "duplicates" / "*.parquet")
    assert duplicates.select("article_id", "kind", "source_file").rows() == [
        (old["article_id"].item(), "exact", "day2.txt")
    ]
    ids = pl.read_parquet(out / "articles" / "*.parquet")["article_id"]
    assert ids.is_unique().all()
    assert ids.len() == 7
    assert pl.read_parquet(out / SEEN_ARTICLES.folder / "*.parquet").height == 7


def test_a_near_copy_of_an_old_article_in_a_new_file_is_a_near_duplicate(
    folders: tuple[Path, Path],
) -> None:
    inputs, out = folders
    headline, body = _articles()[3]
    _incremental(inputs, out)
    words = body.split(" ")
    edited = " ".join([*words[:5], "reportedly", *words[5:]])  # one word more
    (inputs / "day2.txt").write_text(make_dump((headline, edited)), encoding="utf-8")

    second = _incremental(inputs, out)

    assert second.counts["duplicates_near"] == 1
    assert second.counts["articles"] == 0
    near = pl.read_parquet(out / "duplicates" / "*.parquet").filter(pl.col("kind") == "near")
    kept = pl.read_parquet(out / "articles" / "*.parquet").filter(pl.col("headline") == headline)
    assert near["article_id"].to_list() == kept["article_id"].to_list()


def test_no_new_input_does_nothing_and_says_so(
    folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    inputs, out = folders
    _incremental(inputs, out)
    before = tree_bytes(out)
    generation = (out / "current").readlink()
    # The same content under another name is not new either: inputs are known by sha256.
    shutil.copy(inputs / "day1.txt", inputs / "day1-copy.txt")
    capsys.readouterr()

    code = main(["run", str(inputs), "--out", str(out), "--incremental"])

    assert code == 0
    said = capsys.readouterr().out
    assert "no new input" in said
    assert "2 input(s) already processed" in said
    assert tree_bytes(out) == before
    assert (out / "current").readlink() == generation


def test_a_full_run_starts_the_parts_over(folders: tuple[Path, Path]) -> None:
    inputs, out = folders
    _incremental(inputs, out)
    (inputs / "day2.txt").write_text(make_dump(*_articles()[6:]), encoding="utf-8")
    _incremental(inputs, out)
    assert not (out / "articles.parquet").exists()  # two parts: no one-file name

    result = run(RunConfig(inputs=(inputs,), out=out))

    assert [p.name for p in (out / "articles").iterdir()] == ["part-000003.parquet"]
    assert pl.read_parquet(out / "articles.parquet").height == 10
    assert [r.generation for r in result.manifest.runs] == [3]
    assert result.manifest.totals == result.counts
    assert consistency_problems(out) == []
    # ... and an incremental run after it builds on it.
    assert _incremental(inputs, out).published is False


def test_incremental_state_is_published_with_the_outputs(folders: tuple[Path, Path]) -> None:
    inputs, out = folders
    _incremental(inputs, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"] for entry in manifest["outputs"]}
    assert {
        "state/seen_inputs/part-000001.parquet",
        "state/seen_articles/part-000001.parquet",
        "state/near_index/part-000001.parquet",
    } <= listed
    assert (out / "state").resolve().parent == (out / "current").resolve()


def test_new_parts_must_match_the_published_gazetteer(
    folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    inputs, out = folders
    _incremental(inputs, out)
    manifest_path = (out / "current").resolve() / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["gazetteer_version"] = "1999.1.0"  # as if an older gazetteer had tagged them
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    (inputs / "day2.txt").write_text(make_dump(*_articles()[6:]), encoding="utf-8")
    before = tree_bytes(out)
    capsys.readouterr()

    assert main(["run", str(inputs), "--out", str(out), "--incremental"]) == 6
    err = capsys.readouterr().err
    assert "gazetteer 1999.1.0" in err
    assert "run a full 'etl run'" in err
    assert tree_bytes(out) == before
    assert main(["run", str(inputs), "--out", str(out)]) == 0  # a full run rebuilds


def test_the_state_read_a_few_rows_at_a_time_finds_the_same_duplicates(
    folders: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The state is streamed into the dedup structures: slices of 2 rows, over 2 parts, must
    # find exactly what whole reads find.
    inputs, out = folders
    sample = _articles()
    headline, body = sample[3]
    words = body.split(" ")
    near = (headline, " ".join([*words[:5], "reportedly", *words[5:]]))
    days = [
        make_dump(*sample[6:9]),  # day 2: new articles only (a second state part)
        make_dump(sample[1], near, sample[7], *sample[9:]),  # day 3: old, near, old, new
    ]

    def history(out: Path) -> list[RunResult]:
        for name in ("day2.txt", "day3.txt"):
            (inputs / name).unlink(missing_ok=True)
        results = [_incremental(inputs, out)]
        for name, dump in zip(("day2.txt", "day3.txt"), days, strict=True):
            (inputs / name).write_text(dump, encoding="utf-8")
            results.append(_incremental(inputs, out))
        return results

    whole = history(out)
    monkeypatch.setattr(state, "STATE_SLICE_ROWS", 2)
    sliced = history(out.with_name("sliced"))

    last = sliced[-1].counts
    assert (last["duplicates_exact"], last["duplicates_near"]) == (2, 1)
    assert [r.counts for r in sliced] == [r.counts for r in whole]
    for table in ("duplicates", "articles", SEEN_ARTICLES.folder):
        assert_frame_equal(
            pl.read_parquet(out.with_name("sliced") / table / "*.parquet"),
            pl.read_parquet(out / table / "*.parquet"),
        )


def test_an_unreadable_state_part_is_a_clear_error(folders: tuple[Path, Path]) -> None:
    inputs, out = folders
    _incremental(inputs, out)
    part = next((out / SEEN_ARTICLES.folder).glob("part-*.parquet"))
    data = part.read_bytes()
    part.unlink()  # the published file is a hard link: replace it, do not write through it
    part.write_bytes(data[: len(data) // 2])
    (inputs / "day2.txt").write_text(make_dump(*_articles()[6:8]), encoding="utf-8")

    with pytest.raises(IntegrityError, match="state/seen_articles unreadable: Parquet"):
        _incremental(inputs, out)
