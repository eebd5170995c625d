"""Tagging quality against the hand-written gold and the Reuters corpus, and `etl evaluate`."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pytest

from etl.evaluate import (
    DEFAULT_GOLD_DIR,
    DEFAULT_HELDOUT_DIR,
    GoldReport,
    Score,
    main,
    score_gold,
    score_reuters,
)
from etl.extract import parse_text
from etl.tagging import load_gazetteer
from etl.tagging.salience import SALIENT

CORPUS = Path(
    os.environ.get(
        "ETL_CORPUS_DIR",
        Path(__file__).resolve().parents[2] / "shared" / "corpus" / "reuters21578",
    )
)
LABELS = {"ORG", "COUNTRY", "LOCATION", "PROGRAMME", "INSTRUMENT"}


@cache
def _gold_report() -> GoldReport:
    return score_gold(DEFAULT_GOLD_DIR, load_gazetteer())


def test_score_counts_and_ratios() -> None:
    score = Score()
    score.add(["a", "b", "b"], ["b", "c"])
    assert (score.tp, score.fp, score.fn) == (1, 2, 1)
    assert score.precision == pytest.approx(1 / 3)
    assert score.recall == 0.5
    assert score.f1 == pytest.approx(0.4)
    assert Score().precision == Score().recall == 1.0


@cache
def _heldout_report() -> GoldReport:
    return score_gold(DEFAULT_HELDOUT_DIR, load_gazetteer(), name="held-out gold")


# Every gold set on disk, tuning and held-out: a set moved or added is checked without an edit.
_GOLD_SETS = sorted(
    str(path.relative_to(DEFAULT_GOLD_DIR).with_suffix(""))
    for path in DEFAULT_GOLD_DIR.rglob("*.jsonl")
)


@pytest.mark.parametrize("name", _GOLD_SETS, ids=_GOLD_SETS)
def test_gold_mentions_point_at_their_text(name: str) -> None:
    dump = DEFAULT_GOLD_DIR / f"{name}.txt"
    records = parse_text(dump.read_text(encoding="utf-8"), dump.name).records
    by_headline = {r["headline"]: r for r in records.iter_rows(named=True)}
    lines = (DEFAULT_GOLD_DIR / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    gold = [json.loads(line) for line in lines]
    assert len(gold) == records.height
    for item in gold:
        row = by_headline[item["headline"]]
        for m in item["mentions"]:
            assert row[m["field"]][m["start"] : m["end"]] == m["text"]
            assert m["label"] in LABELS
        assert item["countries"] == sorted(set(item["countries"]))


def test_gold_covers_the_sample_and_twenty_written_articles() -> None:
    report = _gold_report()
    assert report.sets["sample"] == 10
    assert report.sets["written"] >= 20


def test_gold_mention_f1_and_country_f1_meet_the_targets() -> None:
    report = _gold_report()
    assert report.mentions.f1 >= 0.95, "\n".join(report.lines())
    assert report.countries.f1 >= 0.98, "\n".join(report.lines())


def test_heldout_gold_is_apart_from_the_tuning_gold() -> None:
    # Out of sample only while no tuning set holds its articles.
    tuning = {h for path in DEFAULT_GOLD_DIR.glob("*.jsonl") for h in _headlines(path)}
    heldout = {h for path in DEFAULT_HELDOUT_DIR.glob("*.jsonl") for h in _headlines(path)}
    assert len(heldout) >= 10
    assert not tuning & heldout
    assert _heldout_report().sets == {"heldout": len(heldout)}
    # The reserve sets, measured but never read, wait to replace the held-out set.
    reserve = [_headlines(path) for path in sorted((DEFAULT_GOLD_DIR / "reserve").glob("*.jsonl"))]
    assert len(reserve) >= 2
    assert all(len(headlines) == 10 for headlines in reserve)
    every = [h for headlines in reserve for h in headlines]
    assert len(set(every)) == len(every)
    assert not set(every) & (tuning | heldout)


def test_heldout_scores_stay_at_least_at_their_first_measurement() -> None:
    # Thirty-sixth set written blind by a helper session that never saw the tagger (set 35, the
    # next in turn, stays in reserve: see docs/TAGGING.md), first measured on 98b533e (gazetteer
    # 2026.11.19): mention F1 0.892, country F1 0.980 (25 of 25, one extra); 0.945 (0.980) on
    # 2026.11.59, never read. The sets used since to tune are tests/gold/written2 to written35
    # (written35 was the thirty-fourth held-out set).
    # A floor against regressions, not a target: docs/TAGGING.md says what the misses are.
    report = _heldout_report()
    assert report.mentions.f1 >= 0.892, "\n".join(report.lines())
    assert report.countries.f1 >= 0.980, "\n".join(report.lines())


def _headlines(path: Path) -> set[str]:
    return {json.loads(line)["headline"] for line in path.read_text(encoding="utf-8").splitlines()}


def test_evaluate_prints_per_label_scores(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--reuters", "none"]) == 0
    out = capsys.readouterr().out
    for label in LABELS:
        assert f"  {label} " in out
    assert "countries" in out
    assert "\nheld-out gold: 10 articles (heldout 10)" in out


def test_evaluate_missing_gold_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--gold", str(tmp_path / "none"), "--reuters", "none"]) == 3
    assert "no gold sets" in capsys.readouterr().err


def test_evaluate_bad_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--reuters", "everything"]) == 2
    assert capsys.readouterr().err.startswith("etl evaluate: error:")


@pytest.mark.corpus
@pytest.mark.slow
def test_reuters_trade_places_and_orgs_meet_the_targets() -> None:
    if not (CORPUS / "trade.txt").exists():
        pytest.skip(f"Reuters corpus not found at {CORPUS}")
    report = score_reuters(CORPUS, load_gazetteer(), "trade")
    salient = report.salient[SALIENT]
    assert report.articles + report.skipped == 252
    assert salient.recall >= 0.92, "\n".join(report.lines())
    assert salient.precision >= 0.70, "\n".join(report.lines())
    assert report.orgs.recall >= 0.95, "\n".join(report.lines())
    assert report.top1.precision >= 0.95, "\n".join(report.lines())
