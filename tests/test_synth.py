"""The synthetic dump generator: deterministic, the requested size, and holding what it claims.

Every claim of `SynthStats` is checked by parsing the dump with the real Extract stage
(`etl.extract.extract_batches`), never by trusting the generator's own bookkeeping.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from etl.extract import extract_batches
from etl.sources import discover_inputs
from etl.synth import MESS_KINDS, DumpStream, SynthStats, generate, main, parse_size

# Rates above the defaults so that a dump of a few hundred records holds enough of each case.
RATES = {"exact_dup_rate": 0.05, "near_dup_rate": 0.05}


@dataclass(frozen=True)
class Parsed:
    records: pl.DataFrame
    rejects: pl.DataFrame


def make_dump(
    folder: Path, size: int = 400_000, *, name: str = "dump.txt", **options: object
) -> tuple[Path, SynthStats]:
    """Write a synthetic dump into `folder` and return its path and stats."""
    path = folder / name
    stats = generate(path, size, **{**RATES, **options})  # type: ignore[arg-type]
    return path, stats


def parse(path: Path) -> Parsed:
    """Parse a dump with the pipeline's own streaming Extract (small chunks, so carries happen)."""
    batches = list(extract_batches(discover_inputs((path,)), chunk_bytes=64 * 1024))
    return Parsed(pl.concat([b.records for b in batches]), pl.concat([b.rejects for b in batches]))


def shingles(text: str, k: int = 3) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


def jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    return len(a & b) / len(a | b)


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first, _ = make_dump(tmp_path, name="a.txt", seed=7, messiness=0.2)
    second, _ = make_dump(tmp_path, name="b.txt", seed=7, messiness=0.2)
    other, _ = make_dump(tmp_path, name="c.txt", seed=8, messiness=0.2)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


@pytest.mark.parametrize("size", [20_000, 250_000, 3_000_000])
def test_size_is_within_a_few_percent(tmp_path: Path, size: int) -> None:
    path, stats = make_dump(tmp_path, size)
    actual = path.stat().st_size
    assert stats.bytes == actual
    assert size <= actual <= size * 1.03


def test_a_smaller_clean_dump_is_a_prefix_of_a_larger_one(tmp_path: Path) -> None:
    small, _ = make_dump(tmp_path, 60_000, name="small.txt", seed=6)
    large, _ = make_dump(tmp_path, 200_000, name="large.txt", seed=6)
    assert large.read_bytes().startswith(small.read_bytes())


def test_stream_yields_the_same_bytes_as_the_file(tmp_path: Path) -> None:
    path, stats = make_dump(tmp_path, 2_500_000, seed=3)
    stream = DumpStream(2_500_000, seed=3, exact_dup_rate=0.05, near_dup_rate=0.05)
    blocks = list(stream)
    assert len(blocks) > 1  # streamed in bounded blocks, not built in one piece
    assert b"".join(blocks) == path.read_bytes()
    assert stream.stats.records == stats.records


def test_record_and_exact_duplicate_counts_hold_when_parsed(tmp_path: Path) -> None:
    path, stats = make_dump(tmp_path, seed=11)
    parsed = parse(path)
    assert parsed.rejects.height == stats.rejects == 0
    assert parsed.records.height == stats.records
    repeats = parsed.records.height - parsed.records["article_id"].n_unique()
    assert stats.exact_duplicates > 0
    assert repeats == stats.exact_duplicates
    assert parsed.records["headline_repeats"].to_list() == [2] * stats.records


def test_near_duplicates_and_shared_headlines_are_present(tmp_path: Path) -> None:
    path, stats = make_dump(tmp_path, seed=5, shared_headline_rate=0.05)
    records = parse(path).records.unique("article_id", keep="first", maintain_order=True)
    near = shared = 0
    earlier: dict[str, list[set[tuple[str, ...]]]] = {}
    for headline, body in records.select("headline", "body").iter_rows():
        words = shingles(body)
        similar = [jaccard(words, seen) for seen in earlier.get(headline, [])]
        if any(score >= 0.8 for score in similar):
            near += 1
        elif similar:
            shared += 1
        earlier.setdefault(headline, []).append(words)
    assert stats.near_duplicates > 0
    assert near == stats.near_duplicates
    # Template headlines can also collide by chance, so at least the planted ones are there.
    assert stats.shared_headlines > 0
    assert shared >= stats.shared_headlines
    assert records.height - near == stats.articles


def test_messiness_produces_each_flagged_case(tmp_path: Path) -> None:
    path, stats = make_dump(tmp_path, 600_000, seed=2, messiness=0.4)
    parsed = parse(path)
    flags = parsed.records.select(pl.col("flags").explode()).to_series().value_counts()
    count = dict(zip(flags["flags"].to_list(), flags["count"].to_list(), strict=True))
    messy = stats.messy
    assert set(MESS_KINDS) <= set(messy), f"a kind of mess never occurred: {messy}"
    assert count["line_endings_normalised"] == messy["crlf"]
    assert count["headline_not_doubled"] == messy["headline_once"]
    assert count["headline_repeated"] == messy["headline_thrice"]
    # A spacing-only variant always gets whitespace_normalised; docs/CONTRACT.md also calls it
    # a headline_variant, which Extract may or may not add: both readings are accepted here.
    assert count["headline_variant"] in {
        messy["headline_case"],
        messy["headline_case"] + messy["headline_spacing"],
    }
    assert count["control_chars_removed"] == messy["control_chars"]
    assert count["encoding_repaired"] == messy["invalid_utf8"]
    assert count["whitespace_normalised"] == (
        messy["trailing_whitespace"] + messy["blank_line_run"] + messy["headline_spacing"]
    )
    reasons = parsed.rejects["reason"].value_counts()
    assert dict(zip(reasons["reason"], reasons["count"], strict=True)) == {
        "headline_without_body": messy["headline_without_body"],
        "body_without_headline": 1,
    }
    assert parsed.records.height + parsed.rejects.height == stats.records
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert not raw.endswith(b"\n")


def test_messiness_never_changes_the_articles(tmp_path: Path) -> None:
    messy, _ = make_dump(tmp_path, 300_000, name="messy.txt", seed=4, messiness=0.5)
    clean, _ = make_dump(tmp_path, 450_000, name="clean.txt", seed=4)
    messy_ids = parse(messy).records["article_id"].to_list()
    clean_ids = parse(clean).records["article_id"].to_list()
    assert len(messy_ids) > 100
    assert messy_ids == clean_ids[: len(messy_ids)]


def test_gzip_holds_the_same_dump(tmp_path: Path) -> None:
    plain, _ = make_dump(tmp_path, name="d.txt", seed=9)
    packed, stats = make_dump(tmp_path, name="d.txt.gz", seed=9, gzip=True)
    again, _ = make_dump(tmp_path, name="e.txt.gz", seed=9, gzip=True)
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()
    assert packed.read_bytes() == again.read_bytes()
    assert stats.bytes == plain.stat().st_size
    assert parse(packed).records.height == stats.records


def test_articles_look_like_trade_news(tmp_path: Path) -> None:
    path, _ = make_dump(tmp_path, 300_000, seed=1)
    records = parse(path).records
    text = path.read_text(encoding="utf-8")
    assert records["word_count"].min() >= 110  # type: ignore[operator]
    assert records["word_count"].max() <= 270  # type: ignore[operator]
    paragraphs = records["body"].str.count_matches("\n\n") + 1
    assert set(paragraphs.unique().to_list()) == {1, 2, 3}
    # Acronyms defined in the text, organizations, programmes, instruments, non-ASCII names.
    assert re.search(r"the World Customs Organization \(WCO\)", text)
    assert re.search(r"[A-Z][a-z]+ Revenue Authority \([A-Z]{3}\)", text)
    for needle in ("Trade Facilitation Agreement", "AEO", "Single Window", "Kyoto Convention"):
        assert needle in text
    assert any(name in text for name in ("Côte d'Ivoire", "Türkiye", "São Paulo"))


def test_cli_writes_the_dump_and_prints_its_stats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli.txt"
    status = main(["--size", "50KB", "--out", str(out), "--seed", "3", "--messiness", "0.1"])
    printed = json.loads(capsys.readouterr().out)
    assert status == 0
    assert printed["bytes"] == out.stat().st_size >= 50_000
    assert printed["records"] > 0
    assert out.read_bytes() == stream_bytes(50_000, seed=3, messiness=0.1)


def stream_bytes(size: int, *, seed: int, messiness: float) -> bytes:
    return b"".join(DumpStream(size, seed=seed, messiness=messiness))


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["--size", "12XB", "--out", "x.txt"], 2),
        (["--size", "1MB"], 2),
        (["--size", "1MB", "--out", "x.txt", "--messiness", "2"], 2),
    ],
)
def test_cli_usage_errors_are_one_line(
    argv: list[str], status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == status
    err = capsys.readouterr().err
    assert err.startswith("etl synth: error:")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2000", 2000), ("100MB", 10**8), ("1GB", 10**9), ("1.5 MB", 1_500_000), ("4KiB", 4096)],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "MB", "-3MB", "0", "12 parsecs"])
def test_parse_size_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="size"):
        parse_size(text)
