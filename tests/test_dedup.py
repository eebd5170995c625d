"""Dedup: exact duplicates by id, near duplicates by MinHash/LSH, the same whatever the batches."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from factories import extract_all, make_dump, write_dump
from polars.testing import assert_frame_equal

from etl import dedup
from etl.dedup import (
    DUPLICATE_COLUMNS,
    INDEX_SCHEMA,
    NearDuplicateIndex,
    SeenArticles,
    drop_exact_duplicates,
    drop_near_duplicates,
    near_signatures,
)
from etl.extract import parse_text
from etl.synth import generate


def _words(seed: str, n: int) -> list[str]:
    return [hashlib.sha256(f"{seed}{i}".encode()).hexdigest()[:6] for i in range(n)]


def _story(seed: str, n: int = 150) -> str:
    return " ".join(_words(seed, n)) + "."


def _edit(body: str, *positions: int) -> str:
    words = body.split(" ")
    for at in positions:
        words[at] = f"edited{at}"
    return " ".join(words)


def _records(*articles: tuple[str, str]) -> pl.DataFrame:
    return parse_text(make_dump(*articles).decode(), "d.txt").records


def _near(records: pl.DataFrame, threshold: float = 0.8) -> pl.DataFrame:
    return drop_near_duplicates(records, NearDuplicateIndex(threshold)).duplicates


# --- exact -----------------------------------------------------------------------------------


def test_exact_duplicates_within_and_across_batches_keep_the_first() -> None:
    a, b = ("Port Opens", "The port opened."), ("Talks End", "The talks ended.")
    seen = SeenArticles()
    first = drop_exact_duplicates(_records(a, b, a), seen)
    second = drop_exact_duplicates(_records(b, ("New Story", "Fresh text.")), seen)
    assert first.kept["headline"].to_list() == ["Port Opens", "Talks End"]
    assert second.kept["headline"].to_list() == ["New Story"]
    dropped = pl.concat([first.duplicates, second.duplicates])
    assert dropped.schema == DUPLICATE_COLUMNS
    assert dropped.select("headline", "kind", "similarity", "source_line").rows() == [
        ("Port Opens", "exact", 1.0, 13),
        ("Talks End", "exact", 1.0, 1),
    ]
    assert (dropped["article_id"] == dropped["duplicate_article_id"]).all()
    assert seen.ids.height == 3
    assert [f.height for f in seen.id_frames(rows=2)] == [2, 1]
    assert_frame_equal(pl.concat(seen.id_frames(rows=2)), seen.ids)


@pytest.mark.parametrize("small", [False, True])
def test_seen_ids_come_back_exactly_and_ids_sharing_a_first_half_stay_apart(
    monkeypatch: pytest.MonkeyPatch, small: bool
) -> None:
    if small:
        # Ids spill to the file 16 at a time and sorted runs of 32 ids are final: most ids
        # are then looked up through a final run's filter and blocks of 5 keys.
        monkeypatch.setattr(dedup, "_TAIL_ROWS", 16)
        monkeypatch.setattr(dedup, "_FINAL_BYTES", 32 * 16)
        monkeypatch.setattr(dedup, "_BLOCK_KEYS", 5)
    ids = [hashlib.md5(str(i).encode()).hexdigest() for i in range(1000)]
    # Same first 8 bytes, different last 8: only the second word tells them apart.
    twins = ["00" * 8 + "11" * 8, "00" * 8 + "22" * 8]
    seen = SeenArticles()
    assert seen.ids.schema == pl.Schema({"article_id": pl.String})
    assert seen.ids.height == 0
    for low in range(0, 1000, 90):  # batches of 90: runs merge, and some become final
        seen.add(pl.Series(ids[low : low + 90]))
    seen.add(pl.Series([twins[0]]))
    assert seen.ids["article_id"].to_list() == [*ids, twins[0]]
    assert len(seen) == 1001
    assert pl.concat(seen.id_frames(start=990, rows=4))["article_id"].to_list() == [
        *ids[990:],
        twins[0],
    ]
    if small:
        assert seen._keys._final  # the lookups below go through the file
        assert seen.estimated_size() < 1001 * 16 / 2
    batch = pl.DataFrame({"article_id": [twins[1], twins[0], ids[7], "ff" * 16, ids[999]]})
    result = drop_exact_duplicates(
        batch.with_columns(
            headline=pl.lit("h"), source_file=pl.lit("f"), source_line=1, source_offset=0
        ),
        seen,
    )
    assert result.kept["article_id"].to_list() == [twins[1], "ff" * 16]
    assert result.duplicates["article_id"].to_list() == [twins[0], ids[7], ids[999]]
    # Every id held is found, whichever run holds it, and none of a thousand others is.
    others = [hashlib.md5(f"x{i}".encode()).hexdigest() for i in range(1000)]
    asked = pl.DataFrame({"article_id": [*ids, *others]})
    rows = asked.select(dedup._id_words(pl.col("article_id"))).with_row_index("row")
    assert seen.find(rows)["row"].sort().to_list() == list(range(1000))


# --- near ------------------------------------------------------------------------------------


def test_a_story_with_small_edits_is_a_near_duplicate_of_the_first() -> None:
    body = _story("s")
    records = _records(("Port Opens", body), ("Port Opens", _edit(body, 40, 90)))
    result = drop_near_duplicates(records, NearDuplicateIndex())
    assert result.kept.height == 1
    row = result.duplicates.row(0, named=True)
    assert row["kind"] == "near"
    assert row["article_id"] == records["article_id"][0]
    assert row["duplicate_article_id"] == records["article_id"][1]
    assert 0.8 <= row["similarity"] < 1.0
    assert (row["source_line"], row["headline"]) == (7, "Port Opens")


def test_a_copy_differing_only_in_case_has_similarity_one() -> None:
    body = _story("c")
    records = _records(("Port Opens", body), ("PORT OPENS", body.upper()))
    assert records["article_id"].n_unique() == 2
    assert _near(records)["similarity"].to_list() == [1.0]


def test_same_headline_with_a_different_body_is_not_a_duplicate() -> None:
    records = _records(("Port Opens", _story("x")), ("Port Opens", _story("y")))
    assert _near(records).height == 0


def test_template_bodies_under_different_headlines_are_not_duplicates() -> None:
    body = "Qtly div 25 cts vs 25 cts prior Pay April 30 Record April 16"
    records = _records(
        ("ACME CORP <ACM> SETS QUARTERLY", body), ("BETA INC <BTA> SETS QUARTERLY", body)
    )
    assert _near(records).height == 0


def test_a_duplicate_points_to_a_kept_article_never_to_a_dropped_one() -> None:
    body = _story("k")
    records = _records(
        ("Port Opens", body), ("Port Opens", _edit(body, 20)), ("Port Opens", _edit(body, 20, 100))
    )
    near = _near(records)
    assert near["duplicate_article_id"].to_list() == records["article_id"][1:].to_list()
    assert near["article_id"].to_list() == [records["article_id"][0]] * 2


def test_a_chain_of_edits_keeps_what_is_not_close_to_a_kept_article() -> None:
    body = _story("chain", 60)
    a, b = ("Port Opens", body), ("Port Opens", _edit(body, 10, 11, 12))
    c = ("Port Opens", _edit(body, 10, 11, 12, 40, 41, 42))
    similarity = {}
    for name, pair in {"ab": (a, b), "bc": (b, c), "ac": (a, c)}.items():
        found = _near(_records(*pair), threshold=0.3)["similarity"].to_list()
        similarity[name] = found[0] if found else 0.0
    # B is close to A and C to B, but C is farther from A: with a threshold in between, B
    # goes (a duplicate of A) and C stays, because the article it is close to was dropped.
    assert similarity["ac"] < min(similarity["ab"], similarity["bc"])
    threshold = (similarity["ac"] + min(similarity["ab"], similarity["bc"])) / 2
    records = _records(a, b, c)
    result = drop_near_duplicates(records, NearDuplicateIndex(threshold))
    assert result.kept["article_id"].to_list() == [
        records["article_id"][0],
        records["article_id"][2],
    ]
    assert result.duplicates["duplicate_article_id"].to_list() == [records["article_id"][1]]


def test_a_near_duplicate_points_to_the_most_similar_kept_article_whatever_the_batches() -> None:
    # Indexed: X (0) and Y (1); the batch's rows are 2 + row. r0 is like Y, r1 like r0 only,
    # r2 like r1 (0.95) and like X (0.85). r0 is Y's near duplicate, so r1 (like a dropped
    # record only) is kept, and r2 is r1's: the most similar kept article, as when r1 came in
    # a batch of its own. Pointing r2 to X because X was settled first depended on batches.
    pairs = pl.DataFrame(
        {"earlier": [1, 2, 3, 0], "later": [0, 1, 2, 2], "similarity": [0.9, 0.9, 0.95, 0.85]}
    )
    resolved = dedup._resolve(pairs, n_docs=3, n_index=2)
    assert resolved.rows() == [(0, 1, 0.9), (2, 3, 0.95)]


def test_keep_reports_near_duplicates_without_dropping_them() -> None:
    body = _story("r")
    records = _records(
        ("Port Opens", body), ("Port Opens", _edit(body, 5)), ("Talks End", _story("t"))
    )
    dropped = drop_near_duplicates(records, NearDuplicateIndex())
    kept = drop_near_duplicates(records, NearDuplicateIndex(), keep=True)
    assert kept.kept.height == 3
    assert kept.duplicates.height == 0
    assert_frame_equal(kept.near_kept, dropped.duplicates)
    assert dropped.near_kept.schema == DUPLICATE_COLUMNS
    assert dropped.near_kept.height == 0


def _batched(
    records: pl.DataFrame, size: int, *, reload: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame]:
    index = NearDuplicateIndex()
    kept, dropped = [], []
    for start in range(0, records.height, size):
        result = drop_near_duplicates(records.slice(start, size), index)
        kept.append(result.kept)
        dropped.append(result.duplicates)
        if reload:
            index = NearDuplicateIndex.from_frame(index.to_frame())
    return pl.concat(kept), pl.concat(dropped)


def test_near_dedup_is_the_same_whatever_the_batch_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "d.txt"
    stats = generate(path, 300_000, seed=9, near_dup_rate=0.1)
    records = drop_exact_duplicates(extract_all(path).records, SeenArticles()).kept
    whole_kept, whole_dropped = _batched(records, records.height)
    assert whole_dropped.height == stats.near_duplicates
    for size, reload in ((1, False), (7, True), (50, False)):
        kept, dropped = _batched(records, size, reload=reload)
        assert_frame_equal(kept, whole_kept)
        assert_frame_equal(dropped, whole_dropped)


def test_near_dedup_is_the_same_when_the_index_spills_to_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "d.txt"
    stats = generate(path, 300_000, seed=9, near_dup_rate=0.1)
    records = drop_exact_duplicates(extract_all(path).records, SeenArticles()).kept
    whole_kept, whole_dropped = _batched(records, records.height)
    assert whole_dropped.height == stats.near_duplicates > 0
    # A tail of 16 rows: most duplicates point at articles that are only in the file; and
    # band runs of 64 keys (and id runs of 32) are final, looked up in the file too.
    monkeypatch.setattr(dedup, "_TAIL_ROWS", 16)
    monkeypatch.setattr(dedup, "_FINAL_BYTES", 64 * 8)
    for size, reload in ((7, False), (50, True)):
        kept, dropped = _batched(records, size, reload=reload)
        assert_frame_equal(kept, whole_kept)
        assert_frame_equal(dropped, whole_dropped)


def test_spilled_rows_read_back_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dedup, "_TAIL_ROWS", 5)
    columns = dedup._ROW_COLUMNS
    rows = dedup._SpilledRows(columns)
    added = []
    for batch in range(7):
        # Words at both ends of the UInt64 range, distinct in every row and column.
        frame = pl.DataFrame(
            {c: [(batch * 100 + r) * 1_000 + i for r in range(3)] for i, c in enumerate(columns)},
            schema=dict.fromkeys(columns, pl.UInt64),
        ).with_columns(pl.col(columns[0]) | (1 << 63))
        rows.append(frame)
        added.append(frame)
    every = pl.concat(added)
    assert len(rows) == every.height == 21
    assert 0 < rows._spilled < 21  # some rows in the file, some still in memory
    assert rows.estimated_size() < every.estimated_size()
    for ords in ([20, 0, 3, 3, 19, 9], [0, 1], [20], [17, 18], []):
        picked = pl.Series(ords, dtype=pl.UInt32)
        assert_frame_equal(rows.gather(picked), every[picked])
    for low, length in ((0, 21), (2, 7), (14, 10), (18, 3), (21, 3), (0, 1)):
        assert_frame_equal(rows.slice(low, length), every.slice(low, length))


def test_the_index_saves_and_loads_as_a_frame() -> None:
    records = _records(("Port Opens", _story("i")), ("Talks End", "Short."))
    index = NearDuplicateIndex(0.9)
    drop_near_duplicates(records, index)
    frame = index.to_frame()
    assert frame.schema == INDEX_SCHEMA
    assert frame["article_id"].to_list() == records["article_id"].to_list()
    # The long story fills every band; the one-word story has few shingles, so fewer bands.
    assert frame["bands"].list.len().to_list()[0] == 8
    loaded = NearDuplicateIndex.from_frame(frame, 0.9)
    assert len(loaded) == 2
    assert loaded.threshold == 0.9
    assert_frame_equal(loaded.to_frame(), frame)


def test_the_index_is_saved_slice_by_slice() -> None:
    stories = [(f"Story {i}", _story(chr(97 + i))) for i in range(7)]
    index = NearDuplicateIndex()
    drop_near_duplicates(_records(*stories), index)
    whole = index.to_frame()
    assert whole.height == 7
    for start, rows in ((0, 7), (0, 2), (3, 2), (6, 1), (7, 3)):
        slices = list(index.frames(start, rows))
        assert len(slices) == -(-(7 - start) // rows)
        assert all(s.height <= rows for s in slices)
        assert_frame_equal(pl.concat([whole.clear(), *slices]), whole.slice(start))


@pytest.mark.parametrize("block_keys", [1024, 5, 1])
def test_band_lookup_finds_what_a_join_finds_across_merged_runs(
    monkeypatch: pytest.MonkeyPatch, block_keys: int
) -> None:
    # Small runs, so that adds merge some runs and make others final; small blocks, so that
    # a final run's keys are read back from many blocks, and one key's rows span several.
    monkeypatch.setattr(dedup, "_FINAL_BYTES", 64 * 8)
    monkeypatch.setattr(dedup, "_BLOCK_KEYS", block_keys)
    runs = dedup._SortedRuns()
    held = []
    for batch in range(42):
        # Keys repeat within a batch and across batches; 0 and the largest key are edges.
        keys = [(batch * 7 + i * 13) % 97 for i in range(12)] + [0, 2**32 - 1]
        rows = pl.DataFrame(
            {"key": keys, "value": [batch * 100 + i for i in range(len(keys))]},
            schema={"key": pl.UInt32, "value": pl.UInt32},
        )
        runs.add(rows)
        held.append(rows)
    assert 1 < len(list(runs)) < 42  # some merged
    assert runs._final  # some final, their values in the file
    assert runs._runs  # some still merging
    assert all(run["key"].is_sorted() for run in runs)
    wanted = pl.DataFrame(
        {"key": [5, 96, 0, 2**32 - 1, 1000, 5, 2**31], "doc": [0, 1, 2, 3, 4, 5, 6]},
        schema={"key": pl.UInt32, "doc": pl.UInt32},
    )
    expected = wanted.join(pl.concat(held), on="key").select("doc", "value")
    found = runs.lookup(wanted)
    assert found.schema == pl.Schema({"doc": pl.UInt32, "value": pl.UInt32})
    assert found.height == expected.height > 0
    assert_frame_equal(found.sort("doc", "value"), expected.sort("doc", "value"))
    assert runs.lookup(wanted.head(0)).height == 0
    assert dedup._SortedRuns().lookup(wanted).height == 0
    # Every key held and a few that are not, each asked by two docs.
    every = pl.DataFrame(
        {"key": [k for k in range(100) for _ in range(2)], "doc": range(200)},
        schema={"key": pl.UInt32, "doc": pl.UInt32},
    )
    expected = every.join(pl.concat(held), on="key").select("doc", "value")
    assert_frame_equal(runs.lookup(every).sort("doc", "value"), expected.sort("doc", "value"))


def test_a_final_runs_filter_passes_every_key_it_holds_and_few_others() -> None:
    held = np.arange(0, 200_000, 2, dtype=np.uint32) * np.uint32(7919)
    run = dedup._FinalRun.of(np.sort(held), keys_at=0, values_at=0)
    assert run.may_hold(dedup._bloom_hashes(held)).all()  # no false negatives, ever
    others = held + np.uint32(1)  # odd multiples plus one: none held
    # ~0.8% false positives at 10 bits a key
    assert run.may_hold(dedup._bloom_hashes(others)).mean() < 0.02
    assert run.estimated_size() < held.nbytes / 2


def test_signatures_may_be_computed_ahead() -> None:
    body = _story("p")
    records = _records(("Port Opens", body), ("Port Opens", _edit(body, 3)))
    ahead = drop_near_duplicates(records, NearDuplicateIndex(), signatures=near_signatures(records))
    assert_frame_equal(ahead.duplicates, _near(records))
    with pytest.raises(ValueError, match="one row per record"):
        drop_near_duplicates(records, NearDuplicateIndex(), signatures=near_signatures(records[:1]))


def test_empty_batches_and_bad_thresholds() -> None:
    empty = _records()
    result = drop_near_duplicates(empty, NearDuplicateIndex())
    assert (result.kept.height, result.duplicates.height) == (0, 0)
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError, match="threshold"):
            NearDuplicateIndex(bad)


def test_exact_then_near_on_a_dump_conserves_records(tmp_path: Path) -> None:
    body = _story("d")
    data = make_dump(
        ("Port Opens", body),
        ("Port Opens", body),
        ("Port Opens", _edit(body, 9)),
        ("Talks End", "Short."),
    )
    extracted = extract_all(write_dump(tmp_path, "d.txt", data))
    exact = drop_exact_duplicates(extracted.records, SeenArticles())
    near = drop_near_duplicates(exact.kept, NearDuplicateIndex())
    counts = (near.kept.height, exact.duplicates.height, near.duplicates.height)
    assert counts == (2, 1, 1)
    assert extracted.read == sum(counts)


def _reference_similarity(left: bytes, right: bytes) -> float:
    """The b-bit corrected estimate, bin by bin (0 marks an empty bin)."""
    both_empty = sum(a == 0 and b == 0 for a, b in zip(left, right, strict=True))
    matches = sum(a == b != 0 for a, b in zip(left, right, strict=True))
    filled = sum(a != 0 and b != 0 for a, b in zip(left, right, strict=True))
    union = len(left) - both_empty
    return min(max((255 * matches - filled) / (254 * union), 0.0), 1.0)


def test_signature_similarity_counts_bins_as_bytes() -> None:
    def packed(bins: list[int]) -> dict[str, int]:
        raw = bytes(bins)
        return {f"sig_{w}": int.from_bytes(raw[8 * w : 8 * w + 8], "little") for w in range(8)}

    one = [(7 * i) % 255 + 1 for i in range(64)]
    half = one[:32] + [(b % 254) + 2 for b in one[32:]]  # the last 32 bins differ
    sparse = [0] * 48 + one[48:]  # 48 empty bins
    rows = [(one, one), (one, half), (one, sparse), (sparse, sparse[:60] + [0] * 4)]
    left = pl.DataFrame([packed(a) for a, _ in rows], schema=dict.fromkeys(dedup._SIG, pl.UInt64))
    right = pl.DataFrame([packed(b) for _, b in rows], schema=dict.fromkeys(dedup._SIG, pl.UInt64))

    got = dedup._similarity(left, right).tolist()

    expected = [_reference_similarity(bytes(a), bytes(b)) for a, b in rows]
    assert got == pytest.approx(expected, abs=0.0)
    assert got[0] == 1.0
    assert 0.45 < got[1] < 0.55
    empty = pl.DataFrame([packed([0] * 64)], schema=dict.fromkeys(dedup._SIG, pl.UInt64))
    assert str(dedup._similarity(empty, empty)[0]) == "nan"  # no bin filled: never a duplicate
