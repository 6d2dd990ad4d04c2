"""Precision and recall of the safety check's rules in code on the labelled sets:
``bench/safety_cases.jsonl``, the held-out ``bench/safety_cases_holdout.jsonl``, the batches the
rules were tuned on, ``bench/safety_cases_tuning.jsonl``, and the blind and independent sets below.

Each case is one request text labelled ``harmful`` (with the category it breaks) or ``benign``
(with the category it looks like, or ``none``): about half are benign look-alikes ("how do antivirus
tools detect keyloggers", "history of the atomic bomb", "suicide prevention hotline resources").

``safety_cases.jsonl`` comes in slices, by when they were written against the rules:

- ``dev`` (166): written first, from the categories; the rules were then written with them in view;
- ``holdout`` (45): written with ``dev``, never used to change a rule (one plural, "14 year olds",
  was fixed as a class of spelling after it showed up missed);
- ``fresh`` (42) and ``fresh2`` (42): each written after the rules of its time and measured once
  (recall 0.23 and 0.21, precision 0.50 and 0.83), then the rules were widened by vocabulary class;
  both count as seen since;
- ``unseen`` (42): written last and measured once with the keyword rules (recall 0.14, precision
  1.00); no rule has been changed for one of its cases since, and its texts were not read when the
  rules were rewritten around intent frames. It is the most independent measure here: what the
  rules do on phrasing nobody fitted them to.

``safety_cases_holdout.jsonl`` (181 cases, 101 harmful, 80 benign look-alikes, every category of
the rules) was written and committed before the rules were rewritten around intent frames, and no
rule was changed after reading one of its misses. Each case names how it is phrased (``style``):
``plain``, ``paraphrase``, ``indirect`` (asking for someone else, an instruction hidden in a
document), ``roleplay`` (a character, a story, a game) or ``obfuscated`` (leetspeak, spaced
letters, Cyrillic look-alikes), and for benign ones the framing (``defence``, ``history``,
``fiction``, ``tech``, ``everyday``...). With the keyword rules: precision 0.923, recall 0.475.
It was written by the same hand as the rules, minutes before them: its recall overstates what the
rules do on phrasing written by others (compare ``unseen``).

``safety_cases_tuning.jsonl`` holds what the rules were widened against, by class of phrasing
(never by copying a text): ``tune1`` to ``tune8`` (32 to 43 harmful each, with their benign
look-alikes), each written after the rules of its time and measured once before widening them
(recall 0.28, 0.17, 0.31, 0.21, 0.26, 0.10, 0.53 and 0.72; three false positives in 188 benign), and
``tune9`` to ``tune17`` (44 to 92 harmful each, with 15 to 53 benign look-alikes: slang, other
languages, wrappers, indirect and euphemistic asks), each written after the rules of its time and
measured once before widening them (recall 0.651, 0.630, 0.524, 0.500, 0.397, 0.578, 0.597,
0.464 and 0.364, the last in other languages and leetspeak; precision 0.90 to 1.00), ``tune18``
(30 harmful doxxing, injection and harassment phrasings, 61 technical and everyday look-alikes,
written after the first intent families: the rules before them scored precision 0.690, recall 0.667
on it, the first intent families recall 0.667 too; five of its look-alikes are still refused by
older rules), and
``ordinary`` (135 everyday requests that use the categories' words: "kill a process", "blow up my
Instagram"). Batches 2 to 6 were written knowing the rules, to find what they
miss: their first recall is lower than that of text written without that aim.

``safety_cases_holdout.jsonl`` also holds a ``late`` slice (102 cases, 60 harmful), written after
the sixth widening in the same five phrasings, without aiming at the rules' gaps, and measured once
before any later change: precision 0.957, recall 0.750. No rule was changed after reading one of
its misses.

A refusal is a positive: precision = harmful refused / all refused, recall = harmful refused / all
harmful. Per category, a case counts for its labelled category and a refusal must name it.
Only the code layer is measured: it is deterministic and offline (no moderation endpoint here).
The rules read English only (two ``fresh2`` cases are German and Spanish).

``safety_cases_blind.jsonl`` (134 cases, 70 harmful over the ten categories of the rules, 64 benign
look-alikes) was written and committed before the rules were widened beyond their English wording
(other languages, slang, masked spellings, per-category lexicons and concepts), in the phrasings
of the held-out set plus slang and other languages (``multilingual``), and measured before that
change: precision 0.930, recall 0.757. No rule was changed after reading one of its misses; the
rules were widened on ``safety_cases_tuning.jsonl`` (``tune9`` to ``tune17``) only.

``safety_cases_independent.jsonl`` (200 cases, 110 harmful over nine categories, 90 benign
look-alikes and near-twins) was written by someone who never read the rules or any other set, from
how people phrase such requests (direct, euphemistic, fiction and role-play wrappers, slang and
typos, other languages, obfuscated spellings, instructions hidden in documents). It was measured
before the widening above (precision 0.947, recall 0.655) and after it (0.954, 0.754), without
changing a rule; then it became a **tuning set**: the intent families (``wider_intents``) were
written on its misses, by family rather than by phrase, so its figures since (1.000, 1.000) say
what the rules were fitted to, not how they generalise. Per category, a refusal naming another
category counts as a miss.

``safety_cases_independent2.jsonl`` (250 cases, 140 harmful over nine categories, 110 benign
look-alikes, help-seeking texts among them; each with its writer's ``note``) was written by someone
else who never read the rules or any set, while the intent families were being written, and
committed and measured once after the rules were final: precision 0.922, recall 0.671 (the rules
before the intent families: 0.911, 0.657). Then it became a **tuning set**: the second widening by
intent family (``families_*``) was written on its misses and false positives, by family rather than
by phrase, so its figures since (1.000, 1.000) say what the rules were fitted to.

``safety_cases_independent3.jsonl`` (250 cases, 146 harmful over nine categories, 104 benign
look-alikes and help-seeking texts; each with its writer's ``note``) was written by a third hand who
never read the rules or any set, while the second widening was written, and committed and measured
once after the rules were final: precision 0.865, recall 0.616, category named 0.589 (the rules before
the second widening: 0.849, 0.575). No rule has been changed since it was read.

``safety_cases_independent4.jsonl`` (320 cases, 190 harmful over nine categories, 130 benign
look-alikes, each with its phrasing ``style`` and its writer's ``note``) was written by a fourth hand
who read neither the rules, the model nor any set, while the model was built; with the final model:
the rules alone 0.929 / 0.621, the rules and the model 0.872 / 0.895. Neither the rules, the model
nor its threshold was trained or tuned on it.

``safety_cases_independent5.jsonl`` (320 cases, 180 harmful over nine categories, 140 hard benign
look-alikes) was written by a fifth hand who read neither the rules, the model nor any set, while
the model's contrasts were written, and measured once when the model was final: the rules alone
0.866 / 0.683, the rules and the model 0.832 / 0.906 (0.786 / 0.917 with the model before the
contrasts). Nothing was trained or tuned on it.

``safety_training_contrasts.jsonl`` (``contrasts``: 401 benign look-alikes by kind and 155 harmful
requests in the styles the model missed, written for the model from the categories and never from
the unseen sets) is training data of the model only: no rule was written on it. ``contrasts2`` and
``contrasts3`` were each measured on the model trained with the batches before them, then added.

Each set is also measured with the learned model beside the rules (``orchestrator.safety.model``,
trained by ``safety_train.py`` on every set but ``independent3``, ``4`` and ``5``): the rules'
categories where they refuse, else the model's where its probability is above the threshold. On
those two that is the committed model; on every other set it is the model trained on the other four
of five folds of the training data (``safety_train.cross_validated``), so no case is scored by a
model that learned it (``--rules-only`` leaves the model out).

    .venv/bin/python bench/safety_eval.py [--json] [--set NAME] [--split unseen|...] [--rules-only]

It prints a table per set (with recall by phrasing for the held-out set), the line of the rules and
the model together, the time the rules take per text (microseconds, a whole pass over the set) and
a cold worker's CPU for the rules alone and with the model, then (``--json``) one JSON line with the
same numbers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "functions"), str(REPO / "bench")]

from orchestrator.safety.lexicon import check_text  # noqa: E402
from orchestrator.safety.model import features, judge, likeliest_category, weights  # noqa: E402

CASES = REPO / "bench" / "safety_cases.jsonl"
HOLDOUT = REPO / "bench" / "safety_cases_holdout.jsonl"
TUNING = REPO / "bench" / "safety_cases_tuning.jsonl"
BLIND = REPO / "bench" / "safety_cases_blind.jsonl"
INDEPENDENT = REPO / "bench" / "safety_cases_independent.jsonl"
INDEPENDENT2 = REPO / "bench" / "safety_cases_independent2.jsonl"
INDEPENDENT3 = REPO / "bench" / "safety_cases_independent3.jsonl"
INDEPENDENT4 = REPO / "bench" / "safety_cases_independent4.jsonl"
INDEPENDENT5 = REPO / "bench" / "safety_cases_independent5.jsonl"
CONTRASTS = REPO / "bench" / "safety_training_contrasts.jsonl"
SETS = {
    "cases": CASES,
    "holdout": HOLDOUT,
    "tuning": TUNING,
    "blind": BLIND,
    "independent": INDEPENDENT,
    "independent2": INDEPENDENT2,
    "independent3": INDEPENDENT3,
    "independent4": INDEPENDENT4,
    "independent5": INDEPENDENT5,
    "contrasts": CONTRASTS,
}


@dataclass(frozen=True)
class Case:
    id: str
    label: str
    category: str
    split: str
    text: str
    style: str = ""
    """How the held-out set's case is phrased (``plain``, ``paraphrase``, ``roleplay``...) or framed."""
    note: str = ""
    """Why its writer labelled it so (the second independent set)."""


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


Prediction = tuple[float, str]
"""The learned model's harm probability and likeliest category for one text."""


def with_model(
    outcomes: Iterable[Outcome], threshold: float, predictions: dict[str, Prediction] | None = None
) -> list[Outcome]:
    """The code layer's verdicts, the rules then the learned model: the rules' categories where they
    refuse, else the model's category where its probability is above ``threshold``. The model's
    view of a case is the committed model's, or where ``predictions`` (keyed by case id) has one,
    that of a model trained without the case (cross-validated)."""
    combined = []
    for outcome in outcomes:
        if outcome.refused:
            combined.append(outcome)
            continue
        if predictions is not None and outcome.case.id in predictions:
            probability, category = predictions[outcome.case.id]
        else:
            judged = judge(outcome.case.text)
            probability, named = judged.probability, judged.category
            if named is None and probability > threshold:  # the model names a category it refuses
                named = likeliest_category(features(outcome.case.text), weights())
            category = named.value if named else ""
        combined.append(Outcome(outcome.case, (category,) if probability > threshold else ()))
    return combined


def cross_validated_predictions(folds: int = 5) -> dict[str, dict[str, Prediction]]:
    """Per training set (by file name), every case's prediction by the model trained on the other
    folds of all the training data (``safety_train``): never the model scoring its own training data."""
    import safety_train

    by_key = safety_train.cross_validated(safety_train.training_examples(), folds)
    predictions: dict[str, dict[str, Prediction]] = {}
    for key, prediction in by_key.items():
        source, case_id = key.split(":", 1)
        predictions.setdefault(source, {})[case_id] = prediction
    return predictions


def microseconds_per_text(cases: list[Case]) -> float | None:
    """The rules' time per text over one pass of ``cases`` (after a first pass to warm them up)."""
    if not cases:
        return None
    evaluate(cases[:10])
    started = time.perf_counter()
    evaluate(cases)
    return round((time.perf_counter() - started) / len(cases) * 1e6, 1)


COLD_SCREEN = """
import sys, time
sys.path.insert(0, sys.argv[1])
import orchestrator.core.observability  # what every handler imports anyway (Powertools)
started = time.process_time()
if sys.argv[3] == "rules":
    from orchestrator.safety.lexicon import check_text as screen
else:
    from orchestrator.safety.screen import code_findings
    screen = lambda text: code_findings("topic", text)
imported = time.process_time()
screen(sys.argv[2])
print((imported - started) * 1000, (time.process_time() - imported) * 1000)
"""
FIRST_TEXT = "Summarize our Q3 sales report and draft an email to the team"


def cold_start_ms(runs: int = 3, layer: str = "rules") -> dict[str, float]:
    """What a cold worker pays for the rules (``layer="rules"``) or the whole code layer, the rules
    and the learned model (``"code"``): the CPU milliseconds of importing them and of its first
    screen (an everyday text, which the model reads too), each in a fresh interpreter; the median
    of ``runs``."""
    measured = []
    for _ in range(runs):
        ran = subprocess.run(
            [sys.executable, "-c", COLD_SCREEN, str(REPO / "functions"), FIRST_TEXT, layer],
            capture_output=True,
            text=True,
            check=True,
        )
        measured.append(tuple(float(x) for x in ran.stdout.split()))
    imports, firsts = sorted(m[0] for m in measured), sorted(m[1] for m in measured)
    middle = len(measured) // 2
    return {
        "import_ms": round(imports[middle], 1),
        "first_screen_ms": round(firsts[middle], 1),
        "total_ms": round(sorted(a + b for a, b in measured)[middle], 1),
    }


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
    """The numbers of one set: overall, by slice and, for the held-out set, by harmful phrasing."""
    splits = sorted({o.case.split for o in outcomes})
    styles = sorted({o.case.style for o in outcomes if o.case.style and o.case.label == "harmful"})
    return {
        "all": metrics(outcomes),
        "splits": {split: metrics([o for o in outcomes if o.case.split == split]) for split in splits},
        "styles": {style: _style_recall([o for o in outcomes if o.case.style == style]) for style in styles},
    }


def _style_recall(outcomes: list[Outcome]) -> dict[str, Any]:
    harmful = [o for o in outcomes if o.case.label == "harmful"]
    return {
        "harmful": len(harmful),
        "recall": _ratio(sum(1 for o in harmful if o.refused), len(harmful)),
        "false_negatives": [o.case.id for o in harmful if not o.refused],
    }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_table(name: str, result: dict[str, Any]) -> None:
    overall = result["all"]
    print(
        f"{name}: {overall['cases']} cases ({overall['harmful']} harmful, {overall['benign']} benign), "
        f"the rules in code, {result.get('microseconds_per_text')} us per text"
    )
    print(f"{'slice':<10} {'cases':>5} {'precision':>9} {'recall':>7} {'category':>8}  misses")
    for slice_name, m in [("all", overall), *result["splits"].items()]:
        misses = ", ".join(m["false_negatives"] + m["false_positives"]) or "-"
        print(
            f"{slice_name:<10} {m['cases']:>5} {_fmt(m['precision']):>9} {_fmt(m['recall']):>7} "
            f"{_fmt(m['category_named']):>8}  {misses}"
        )
    if result["styles"]:
        print(f"\n{'harmful, phrased':<18} {'cases':>5} {'recall':>7}  misses")
        for style, m in result["styles"].items():
            misses = ", ".join(m["false_negatives"]) or "-"
            print(f"{style:<18} {m['harmful']:>5} {_fmt(m['recall']):>7}  {misses}")
    print(f"\n{'category':<24} {'harmful':>7} {'recall':>7} {'precision':>9} {'look-alikes':>11}")
    for category, m in overall["per_category"].items():
        print(
            f"{category:<24} {m['harmful']:>7} {_fmt(m['recall']):>7} {_fmt(m['precision']):>9} "
            f"{m['benign_lookalikes']:>11}"
        )
    print()


def print_combined(m: dict[str, Any]) -> None:
    misses = ", ".join(m["false_negatives"] + m["false_positives"]) or "-"
    print(
        f"rules + learned model ({m['model_view']}): precision {_fmt(m['precision'])}, recall "
        f"{_fmt(m['recall'])}, category {_fmt(m['category_named'])}; misses: {misses}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="also print the numbers as one JSON line")
    parser.add_argument("--set", choices=tuple(SETS), help="only this set (default: both)")
    parser.add_argument("--split", help="only this slice of the set(s) (dev, holdout, unseen, heldout...)")
    parser.add_argument(
        "--rules-only", action="store_true", help="leave the learned model out (no cross-validation)"
    )
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    import safety_train

    predictions = {} if args.rules_only else cross_validated_predictions()
    for name, path in SETS.items():
        if args.set not in (None, name):
            continue
        cases = [c for c in load_cases(path) if args.split is None or c.split == args.split]
        outcomes = evaluate(cases)
        results[name] = report(outcomes)
        results[name]["microseconds_per_text"] = microseconds_per_text(cases)
        print_table(f"{path.relative_to(REPO)}", results[name])
        if not args.rules_only:
            unseen = path.name not in (*safety_train.LABELLED, *safety_train.WRITTEN)
            combined = metrics(with_model(outcomes, safety_train.THRESHOLD, predictions.get(path.name)))
            combined["model_view"] = "committed model (unseen set)" if unseen else "cross-validated, 5 folds"
            results[name]["with_model"] = combined
            print_combined(combined)
    for layer, what in (("rules", "the rules"), ("code", "the rules and the learned model")):
        if layer == "code" and args.rules_only:
            continue
        cold = cold_start_ms(layer=layer)
        print(
            f"cold worker, {what}: importing {cold['import_ms']} ms, its first screen "
            f"{cold['first_screen_ms']} ms (CPU, together {cold['total_ms']} ms)"
        )
        results["cold_start" if layer == "rules" else "cold_start_with_model"] = cold
    if args.json:
        print(json.dumps(results, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
