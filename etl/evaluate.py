"""Tagging quality: precision, recall and F1 against hand-written gold and the Reuters corpus.

`etl evaluate` (or `python -m etl.evaluate`) prints three reports:

- **gold** (`--gold DIR`, default `tests/gold/`): every `<name>.jsonl` there holds the gold
  mentions of the articles of the dump `<name>.txt` beside it (one JSON object per article:
  `headline`, `mentions` with `field`, `start`, `end`, `text`, `label`, `entity_id`, and
  `countries`). Mentions score by exact span and label (and again with the entity id too),
  per label and overall; `countries` score per article.
- **held-out gold** (`--heldout DIR`, default `tests/gold/heldout/`): gold sets in the same
  form, written and annotated after the tagger's rules and gazetteer were last tuned, and
  never used to tune them: the out-of-sample check of the figures above.
- **reuters** (`--corpus DIR`, default `$ETL_CORPUS_DIR` or `../shared/corpus/reuters21578`
  next to the repository): article-level scores on Reuters-21578. PLACES map to ISO alpha-3
  through `etl/tagging/data/reuters_codes.tsv`; an article with a place that maps to `-`
  (ussr, yugoslavia: no single successor) is skipped. The `countries` column is scored
  against the places, the salience column at a score threshold and as a top-1 choice, and
  `organizations` against the ORGS mapped to entity ids (recall over all labelled orgs;
  precision only over the orgs Reuters labels at all).

Both corpora are read, never copied: Reuters is under a research-only licence.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import polars as pl

from etl.errors import EtlError, InputError, UsageError
from etl.extract import parse_text
from etl.tagging import Gazetteer, load_gazetteer
from etl.tagging.gazetteer import DEFAULT_DATA_DIR
from etl.tagging.salience import SALIENT
from etl.transform import enrich

__all__ = [
    "DEFAULT_CORPUS_DIR",
    "DEFAULT_GOLD_DIR",
    "DEFAULT_HELDOUT_DIR",
    "GoldReport",
    "ReutersReport",
    "Score",
    "main",
    "score_gold",
    "score_reuters",
]

_REPO = Path(__file__).resolve().parents[1]
DEFAULT_GOLD_DIR = _REPO / "tests" / "gold"
DEFAULT_HELDOUT_DIR = DEFAULT_GOLD_DIR / "heldout"
DEFAULT_CORPUS_DIR = _REPO.parent / "shared" / "corpus" / "reuters21578"
SKIP = "-"
SUBSETS = {"trade": ("trade.txt", "trade_labels.jsonl"), "full": ("dump.txt", "labels.jsonl")}


@dataclass
class Score:
    """Counts of true positives, false positives and false negatives, and what they give."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: Iterable[object], gold: Iterable[object]) -> None:
        """Count one unit (an article, a text) of predicted against gold items."""
        p, g = Counter(predicted), Counter(gold)
        hit = sum((p & g).values())
        self.tp += hit
        self.fp += sum(p.values()) - hit
        self.fn += sum(g.values()) - hit

    @property
    def precision(self) -> float:
        """Return tp / (tp + fp), 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Return tp / (tp + fn), 1.0 when there was nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Return the harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self, name: str) -> str:
        """Return one aligned report line."""
        return (
            f"  {name:<26} P {self.precision:6.3f}  R {self.recall:6.3f}  F1 {self.f1:6.3f}"
            f"   (tp {self.tp}, fp {self.fp}, fn {self.fn})"
        )


@dataclass
class GoldReport:
    """Scores on the hand-written gold: mentions per label, with ids, and countries."""

    name: str = "gold"
    articles: int = 0
    sets: dict[str, int] = field(default_factory=dict)
    mentions: Score = field(default_factory=Score)
    mentions_with_id: Score = field(default_factory=Score)
    by_label: dict[str, Score] = field(default_factory=dict)
    countries: Score = field(default_factory=Score)
    errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the report as printable lines."""
        sets = ", ".join(f"{k} {v}" for k, v in self.sets.items())
        total = self.mentions.tp + self.mentions.fn
        out = [f"{self.name}: {self.articles} articles ({sets}), {total} mentions"]
        out.append(" mentions (exact span and label)")
        out += [self.by_label[k].row(k) for k in sorted(self.by_label)]
        out.append(self.mentions.row("all"))
        out.append(self.mentions_with_id.row("all, entity_id too"))
        out.append(" countries (per article)")
        out.append(self.countries.row("countries"))
        return out


@dataclass
class ReutersReport:
    """Article-level scores on Reuters-21578."""

    subset: str = ""
    articles: int = 0
    skipped: int = 0
    places: Score = field(default_factory=Score)
    salient: dict[float, Score] = field(default_factory=dict)
    top1: Score = field(default_factory=Score)
    orgs: Score = field(default_factory=Score)
    errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the report as printable lines."""
        out = [
            f"reuters {self.subset}: {self.articles} articles scored, {self.skipped} skipped "
            "(a place with no single successor state)"
        ]
        out.append(self.places.row("places: countries"))
        for threshold, score in sorted(self.salient.items()):
            out.append(score.row(f"places: salience >= {threshold:.2f}"))
        out.append(
            f"  {'places: top-1 salience':<26} P {self.top1.precision:6.3f}"
            f"   ({self.top1.tp} of {self.top1.tp + self.top1.fp} articles)"
        )
        out.append(self.orgs.row("orgs: organizations"))
        return out


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(path, exc.strerror or str(exc)) from exc
    try:
        return [json.loads(line) for line in lines if line.strip()]
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not JSON Lines: {exc}") from exc


def _enrich_file(path: Path, gazetteer: Gazetteer) -> pl.DataFrame:
    """Return the articles frame of one dump file, every record kept (no dedup)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(path, exc.strerror or str(exc)) from exc
    records = parse_text(text, path.name).records
    articles, _ = enrich(records, gazetteer)
    return articles


def _mention_key(m: dict[str, Any], *, with_id: bool) -> tuple[object, ...]:
    key = (m["field"], m["start"], m["end"], m["label"])
    return (*key, m["entity_id"]) if with_id else key


def score_gold(gold_dir: Path, gazetteer: Gazetteer, name: str = "gold") -> GoldReport:
    """Return the scores of the tagger on every gold set in `gold_dir` (`name` titles them)."""
    report = GoldReport(name=name)
    sets = sorted(gold_dir.glob("*.jsonl"))
    if not sets:
        raise InputError(gold_dir, "no gold sets (*.jsonl) found")
    for gold_path in sets:
        dump = gold_path.with_suffix(".txt")
        articles = _enrich_file(dump, gazetteer)
        by_headline = {row["headline"]: row for row in articles.iter_rows(named=True)}
        gold = _read_jsonl(gold_path)
        report.sets[gold_path.stem] = len(gold)
        for item in gold:
            headline = str(item["headline"])
            row = by_headline.get(headline)
            if row is None:
                raise InputError(gold_path, f"no article with the headline {headline!r} in {dump}")
            report.articles += 1
            predicted = list(row["entities"])
            expected = list(item["mentions"])
            for label in {str(m["label"]) for m in predicted + expected}:
                report.by_label.setdefault(label, Score()).add(
                    [_mention_key(m, with_id=False) for m in predicted if m["label"] == label],
                    [_mention_key(m, with_id=False) for m in expected if m["label"] == label],
                )
            pred_keys = [_mention_key(m, with_id=False) for m in predicted]
            gold_keys = [_mention_key(m, with_id=False) for m in expected]
            report.mentions.add(pred_keys, gold_keys)
            report.mentions_with_id.add(
                [_mention_key(m, with_id=True) for m in predicted],
                [_mention_key(m, with_id=True) for m in expected],
            )
            report.countries.add(row["countries"], item["countries"])
            report.errors += _differences(gold_path.stem, row, predicted, expected)
            missing = sorted(set(item["countries"]) - set(row["countries"]))
            extra = sorted(set(row["countries"]) - set(item["countries"]))
            if missing or extra:
                report.errors.append(
                    f"{gold_path.stem}: {headline[:50]!r}: countries"
                    f" missing {missing} extra {extra}"
                )
    return report


def _differences(
    name: str,
    row: dict[str, object],
    predicted: list[dict[str, object]],
    expected: list[dict[str, object]],
) -> list[str]:
    """Return one line per mention the tagger got wrong (missing, extra or wrong id)."""
    pred = {_mention_key(m, with_id=False): m for m in predicted}
    gold = {_mention_key(m, with_id=False): m for m in expected}
    title = str(row["headline"])[:40]
    out = []
    for key in sorted(set(gold) - set(pred), key=str):
        m = gold[key]
        out.append(f"{name}: {title!r}: missing {m['text']!r} {m['label']} {m['entity_id']}")
    for key in sorted(set(pred) - set(gold), key=str):
        m = pred[key]
        out.append(f"{name}: {title!r}: extra {m['text']!r} {m['label']} {m['entity_id']}")
    for key in sorted(set(pred) & set(gold), key=str):
        if pred[key]["entity_id"] != gold[key]["entity_id"]:
            out.append(
                f"{name}: {title!r}: id {pred[key]['text']!r} {pred[key]['entity_id']}"
                f" (gold {gold[key]['entity_id']})"
            )
    return out


def read_reuters_codes(data_dir: Path = DEFAULT_DATA_DIR) -> tuple[dict[str, str], dict[str, str]]:
    """Return (places: reuters code -> ISO3 or '-', orgs: reuters code -> entity_id)."""
    path = data_dir / "reuters_codes.tsv"
    if not path.exists():
        raise InputError(path, "the Reuters code mapping is missing")
    frame = pl.read_csv(
        path, separator="\t", quote_char=None, comment_prefix="#", infer_schema=False
    )
    code = next((c for c in ("code", "reuters", "reuters_code") if c in frame.columns), None)
    target = next(
        (c for c in ("target", "iso3", "entity_id", "id", "maps_to") if c in frame.columns), None
    )
    if code is None or target is None:
        raise InputError(path, f"unexpected header {frame.columns}")
    places: dict[str, str] = {}
    orgs: dict[str, str] = {}
    kind = next((c for c in ("kind", "type", "field", "category") if c in frame.columns), None)
    for row in frame.iter_rows(named=True):
        key, value = str(row[code]).strip(), str(row[target] or SKIP).strip() or SKIP
        is_place = (
            str(row[kind]).lower().startswith("place")
            if kind
            else value == SKIP or (len(value) == 3 and value.isupper())
        )
        (places if is_place else orgs)[key] = value
    return places, orgs


def score_reuters(
    corpus_dir: Path,
    gazetteer: Gazetteer,
    subset: str = "trade",
    thresholds: tuple[float, ...] = (SALIENT, 0.3, 0.5),
) -> ReutersReport:
    """Return the article-level scores on a Reuters subset (`trade` or `full`)."""
    dump_name, labels_name = SUBSETS[subset]
    places_map, orgs_map = read_reuters_codes()
    labels = _read_jsonl(corpus_dir / labels_name)
    articles = _enrich_file(corpus_dir / dump_name, gazetteer)
    if articles.height != len(labels):
        raise InputError(
            corpus_dir / dump_name,
            f"{articles.height} articles parsed but {len(labels)} labelled",
        )
    report = ReutersReport(subset=subset, salient={t: Score() for t in thresholds})
    org_universe = set(orgs_map.values()) - {SKIP}
    for row, label in zip(articles.iter_rows(named=True), labels, strict=True):
        if _norm(str(row["headline"])) != _norm(str(label["title"])):
            raise InputError(corpus_dir / dump_name, f"article order differs at {label['title']!r}")
        places = [str(p) for p in label["places"]]
        unknown = [p for p in places if p not in places_map]
        if unknown:
            raise InputError(corpus_dir / labels_name, f"places without a mapping: {unknown}")
        mapped = {places_map[p] for p in places}
        if SKIP in mapped:
            report.skipped += 1
            continue
        report.articles += 1
        predicted = set(row["countries"])
        report.places.add(predicted, mapped)
        salience = list(row["country_salience"])
        for threshold, score in report.salient.items():
            score.add({s["country"] for s in salience if s["score"] >= threshold}, mapped)
        # Top-1: is the article's most salient country one of its labelled places?
        if salience:
            report.top1.add({salience[0]["country"]}, {salience[0]["country"]} & mapped)
        gold_orgs = {orgs_map.get(str(o), f"reuters:{o}") for o in label["orgs"]}
        found = set(row["organizations"]) | {e["entity_id"] for e in row["entities"]}
        report.orgs.add(found & org_universe, gold_orgs)
        for country in sorted(predicted - mapped):
            report.errors.append(
                f"{label['newid']}: {label['title'][:50]!r}: place extra {country}"
            )
        for country in sorted(mapped - predicted):
            report.errors.append(
                f"{label['newid']}: {label['title'][:50]!r}: place missing {country}"
            )
        for org in sorted(gold_orgs - found):
            report.errors.append(f"{label['newid']}: {label['title'][:50]!r}: org missing {org}")
    return report


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _parser() -> _Parser:
    corpus = Path(os.environ.get("ETL_CORPUS_DIR", DEFAULT_CORPUS_DIR))
    parser = _Parser(prog="etl evaluate", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--gold",
        type=Path,
        default=DEFAULT_GOLD_DIR,
        metavar="DIR",
        help=f"gold sets (default {DEFAULT_GOLD_DIR})",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=corpus,
        metavar="DIR",
        help="Reuters-21578 in the dump format (default $ETL_CORPUS_DIR or "
        "../shared/corpus/reuters21578)",
    )
    parser.add_argument(
        "--reuters",
        choices=["trade", "full", "none"],
        default="trade",
        help="which Reuters subset to score (default trade: 252 articles)",
    )
    parser.add_argument(
        "--heldout",
        type=Path,
        default=DEFAULT_HELDOUT_DIR,
        metavar="DIR",
        help=f"held-out gold sets, never used for tuning (default {DEFAULT_HELDOUT_DIR})",
    )
    parser.add_argument("--no-gold", action="store_true", help="skip both gold reports")
    parser.add_argument(
        "--minor-towns",
        action="store_true",
        help="tag with the minor towns too (as `etl run --minor-towns`)",
    )
    parser.add_argument(
        "--errors",
        type=int,
        default=0,
        metavar="N",
        help="also print up to N mistakes of each report",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Print the gold and Reuters reports; return 0, or the error's exit status."""
    try:
        args = _parser().parse_args(argv)
        gazetteer = load_gazetteer(minor_towns=args.minor_towns)
        print(f"gazetteer {gazetteer.version}")
        if not args.no_gold:
            for report in (
                score_gold(args.gold, gazetteer),
                score_gold(args.heldout, gazetteer, name="held-out gold"),
            ):
                print("\n".join(report.lines()))
                _print_errors(report.errors, args.errors)
        if args.reuters != "none":
            if not (args.corpus / SUBSETS[args.reuters][0]).exists():
                print(f"reuters: corpus not found at {args.corpus}; skipped")
            else:
                reuters = score_reuters(args.corpus, gazetteer, args.reuters)
                print("\n".join(reuters.lines()))
                _print_errors(reuters.errors, args.errors)
    except EtlError as error:
        print(f"etl evaluate: error: {error}", file=sys.stderr)
        return error.exit_code
    return 0


def _print_errors(errors: list[str], limit: int) -> None:
    for line in errors[:limit]:
        print(f"    {line}")


if __name__ == "__main__":
    raise SystemExit(main())
