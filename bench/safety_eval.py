"""Precision and recall of the safety check's rules in code on ``bench/safety_cases.jsonl``.

Each case is one request text labelled ``harmful`` (with the category it breaks) or ``benign``
(with the category it looks like, or ``none``): about half are benign look-alikes ("how do antivirus
tools detect keyloggers", "history of the atomic bomb", "suicide prevention hotline resources").
The cases come in slices, by when they were written against the rules:

- ``dev`` (166): written first, from the categories; the rules were then written with them in view;
- ``holdout`` (45): written with ``dev``, never used to change a rule (one plural, "14 year olds",
  was fixed as a class of spelling after it showed up missed);
- ``fresh`` (42) and ``fresh2`` (42): each written after the rules of its time and measured once
  (recall 0.23 and 0.21, precision 0.50 and 0.83), then the rules were widened by vocabulary class;
  both count as seen since;
- ``unseen`` (42): written last and measured once; no rule was changed after it. Its numbers are
  what the rules do on phrasing nobody fitted them to (recall 0.14, precision 1.00): the rules are
  a floor for plain and disguised asks, not a classifier of paraphrase, which is what a provider's
  moderation layer is for. They read English only (two ``fresh2`` cases are German and Spanish).

A refusal is a positive: precision = harmful refused / all refused, recall = harmful refused / all
harmful. Per category, a case counts for its labelled category and a refusal must name it.
Only the code layer is measured: it is deterministic and offline (no moderation endpoint here).

    .venv/bin/python bench/safety_eval.py [--json] [--split dev|holdout|fresh]

It prints a table, then (``--json``) one JSON line with the same numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "functions")]

from orchestrator.safety.lexicon import check_text  # noqa: E402

CASES = REPO / "bench" / "safety_cases.jsonl"


@dataclass(frozen=True)
class Case:
    id: str
    label: str
    category: str
    split: str
    text: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    refused: tuple[str, ...]  # the categories the rules named


def load_cases(path: Path = CASES) -> list[Case]:
    return [
        Case(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def evaluate(cases: Iterable[Case]) -> list[Outcome]:
    return [Outcome(case, tuple(s.category.value for s in check_text(case.text))) for case in cases]


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def metrics(outcomes: list[Outcome]) -> dict[str, Any]:
    """Overall and per-category precision and recall, with the counts behind them."""
    harmful = [o for o in outcomes if o.case.label == "harmful"]
    refused = [o for o in outcomes if o.refused]
    true_positives = sum(1 for o in refused if o.case.label == "harmful")
    named_right = sum(1 for o in harmful if o.case.category in o.refused)
    categories = sorted({o.case.category for o in harmful})
    per_category = {}
    for category in categories:
        labelled = [o for o in harmful if o.case.category == category]
        named = [o for o in outcomes if category in o.refused]
        hits = sum(1 for o in named if o.case.label == "harmful" and o.case.category == category)
        per_category[category] = {
            "harmful": len(labelled),
            "refused_as_it": sum(1 for o in labelled if category in o.refused),
            "recall": _ratio(sum(1 for o in labelled if category in o.refused), len(labelled)),
            "precision": _ratio(hits, len(named)),
            "benign_lookalikes": sum(
                1 for o in outcomes if o.case.label == "benign" and o.case.category == category
            ),
        }
    return {
        "cases": len(outcomes),
        "harmful": len(harmful),
        "benign": len(outcomes) - len(harmful),
        "refused": len(refused),
        "precision": _ratio(true_positives, len(refused)),
        "recall": _ratio(true_positives, len(harmful)),
        "category_named": _ratio(named_right, len(harmful)),
        "false_positives": [o.case.id for o in refused if o.case.label == "benign"],
        "false_negatives": [o.case.id for o in harmful if not o.refused],
        "per_category": per_category,
    }


def report(outcomes: list[Outcome]) -> dict[str, Any]:
    splits = sorted({o.case.split for o in outcomes})
    return {
        "all": metrics(outcomes),
        "splits": {split: metrics([o for o in outcomes if o.case.split == split]) for split in splits},
    }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_table(result: dict[str, Any]) -> None:
    overall = result["all"]
    print(
        f"safety rules in code: {overall['cases']} cases ({overall['harmful']} harmful, "
        f"{overall['benign']} benign)"
    )
    print(f"{'slice':<10} {'cases':>5} {'precision':>9} {'recall':>7} {'category':>8}  misses")
    for name, m in [("all", overall), *result["splits"].items()]:
        misses = ", ".join(m["false_negatives"] + m["false_positives"]) or "-"
        print(
            f"{name:<10} {m['cases']:>5} {_fmt(m['precision']):>9} {_fmt(m['recall']):>7} "
            f"{_fmt(m['category_named']):>8}  {misses}"
        )
    print(f"\n{'category':<24} {'harmful':>7} {'recall':>7} {'precision':>9} {'look-alikes':>11}")
    for category, m in overall["per_category"].items():
        print(
            f"{category:<24} {m['harmful']:>7} {_fmt(m['recall']):>7} {_fmt(m['precision']):>9} "
            f"{m['benign_lookalikes']:>11}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="also print the numbers as one JSON line")
    parser.add_argument(
        "--split", choices=("dev", "holdout", "fresh", "fresh2", "unseen"), help="only this slice"
    )
    args = parser.parse_args(argv)
    cases = [c for c in load_cases() if args.split is None or c.split == args.split]
    result = report(evaluate(cases))
    print_table(result)
    if args.json:
        print(json.dumps(result, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
