"""Train the safety screen's learned layer (``orchestrator.safety.model``) and write its weights.

What it learns from, every labelled set except the unseen one:

- ``safety_cases.jsonl``, ``safety_cases_holdout.jsonl``, ``safety_cases_tuning.jsonl``,
  ``safety_cases_blind.jsonl``, ``safety_cases_independent.jsonl``,
  ``safety_cases_independent2.jsonl`` (harmful with their category, benign look-alikes);
- ``safety_training_technical.jsonl``: benign technical text, what ``safety_technical_text.py``
  reads (the repository's string literals and the libraries' docstring paragraphs, of three
  words or more as the model reads words), so that code and docs about agents and prompts pass;
- ``safety_training_everyday.jsonl``: benign everyday requests (business, coding, writing tasks);
- ``safety_training_contrasts.jsonl``: contrasts written for the model from the categories, never
  from the unseen sets (``WRITTEN``): benign look-alikes by kind (``style``: help sought for someone
  else or for oneself, defence, care, history, policy, the analysis of a work of fiction, idioms,
  harm reduction, authorised testing, reporting) and harmful requests in the styles the model
  missed (indirect, embedded in data, other languages, euphemism). ``contrasts1`` was written
  first; ``contrasts2`` and ``contrasts3`` each after the model had learned the batches before it,
  measured on that model once, then added.

``safety_cases_independent3.jsonl`` and ``safety_cases_independent4.jsonl`` are never learned from:
they stay unseen, to measure on (their texts are read only to leave out the four that other sets
repeat).

Training is deterministic: a fixed seed orders the stochastic gradient steps, the arithmetic is
plain Python floats, the weights are quantised to 16-bit integers. Training twice on the same data
writes the same bytes (a test checks it). The threshold is chosen by cross-validation on the
training data (``--cv``), never on the unseen set, and kept in ``THRESHOLD``.

    .venv/bin/python bench/safety_train.py            # write functions/orchestrator/safety/model_weights.bin
    .venv/bin/python bench/safety_train.py --cv 5     # cross-validated curve of the threshold
    .venv/bin/python bench/safety_train.py --snapshot-technical   # rewrite the technical snapshot
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "functions"), str(REPO / "bench")]

from orchestrator.safety.model import (  # noqa: E402
    BUCKETS,
    CATEGORIES,
    CATEGORY_BUCKETS,
    MIN_WORDS,
    WEIGHTS,
    Weights,
    feature_names,
    features,
)

BENCH = REPO / "bench"
LABELLED = (
    "safety_cases.jsonl",
    "safety_cases_holdout.jsonl",
    "safety_cases_tuning.jsonl",
    "safety_cases_blind.jsonl",
    "safety_cases_independent.jsonl",
    "safety_cases_independent2.jsonl",
)
UNSEEN = (
    "safety_cases_independent3.jsonl",
    "safety_cases_independent4.jsonl",
    "safety_cases_independent5.jsonl",
)
"""The sets written by hands that never read the rules or the other sets, kept out of training."""
TECHNICAL = BENCH / "safety_training_technical.jsonl"
EVERYDAY = BENCH / "safety_training_everyday.jsonl"
WRITTEN = ("safety_training_contrasts.jsonl",)
"""Labelled contrasts written for the model (see above): learned from and cross-validated like the
labelled sets."""

SEED = 20261205
EPOCHS = 12
LEARNING_RATE = 4.0
L2 = 1e-5
TECHNICAL_WEIGHT = 1.0
"""What a technical text weighs against a labelled case."""
LOOKALIKE_WEIGHT = 2.0
"""What a labelled benign look-alike weighs against a harmful case or a technical text (the
technical texts are many and easy, the look-alikes are where the boundary is; chosen by
cross-validation with the labelled sets held out one at a time: 2 over 1 and 3)."""
AVERAGE = True
"""Keep the average of the weights over every step (less noisy than the last step's)."""
NB_SMOOTHING = 0.5
BENIGN_SHARE = 0.005
"""At most one in 200 benign technical or everyday texts refused by the model (cross-validated)."""
THRESHOLD = 0.72
"""Chosen by ``--cv``: see ``choose_threshold``."""


@dataclass(frozen=True)
class Example:
    id: str
    source: str
    text: str
    harmful: bool
    category: str
    weight: float = 1.0


def _jsonl(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def labelled_examples(names: Iterable[str] = LABELLED) -> list[Example]:
    return [
        Example(
            row["id"],
            name,
            row["text"],
            row["label"] == "harmful",
            row["category"],
            1.0 if row["label"] == "harmful" else LOOKALIKE_WEIGHT,
        )
        for name in names
        for row in _jsonl(BENCH / name)
    ]


def benign_examples() -> list[Example]:
    technical = [
        Example(row["id"], TECHNICAL.name, row["text"], False, "none", TECHNICAL_WEIGHT)
        for row in _jsonl(TECHNICAL)
    ]
    everyday = [Example(row["id"], EVERYDAY.name, row["text"], False, "none") for row in _jsonl(EVERYDAY)]
    return technical + everyday


def training_examples() -> list[Example]:
    """Every example but those whose text is also one of the unseen sets' (three benign cases of the
    third and one of the fourth repeat texts of ``safety_cases_independent.jsonl``): what the model
    is measured on, it never saw."""
    unseen = {row["text"] for name in UNSEEN for row in _jsonl(BENCH / name)}
    examples = labelled_examples() + labelled_examples(WRITTEN) + benign_examples()
    return [e for e in examples if e.text not in unseen]


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def train_harm(rows: Sequence[tuple[dict[int, float], bool, float]]) -> tuple[float, list[float]]:
    """Logistic regression by stochastic gradient descent, harmful against benign (the classes
    weighed equal), with an L2 penalty applied to the weights a step touches."""
    harmful = sum(w for _, y, w in rows if y)
    benign = sum(w for _, y, w in rows if not y)
    balance = {True: (harmful + benign) / (2 * harmful), False: (harmful + benign) / (2 * benign)}
    weights = [0.0] * BUCKETS
    moved = [0.0] * BUCKETS  # each step's change times its step number: the average, lazily
    bias = bias_moved = 0.0
    order = list(range(len(rows)))
    rng = random.Random(SEED)
    step = 0
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for index in order:
            x, y, w = rows[index]
            z = bias + sum(weights[k] * v for k, v in x.items())
            gradient = (_sigmoid(z) - (1.0 if y else 0.0)) * w * balance[y]
            rate = LEARNING_RATE / math.sqrt(1.0 + step / len(rows))
            step += 1
            for k, v in x.items():
                change = rate * (gradient * v + L2 * weights[k])
                weights[k] -= change
                moved[k] -= step * change
            bias -= rate * gradient
            bias_moved -= step * rate * gradient
    if not AVERAGE:
        return bias, weights
    return (
        ((step + 1) * bias - bias_moved) / step,
        [((step + 1) * w - m) / step for w, m in zip(weights, moved, strict=True)],
    )


def train_category(rows: Sequence[tuple[dict[int, float], str]]) -> tuple[list[float], list[float]]:
    """Multinomial naive Bayes over the harmful texts: per category, the log prior and the log
    probability of each (folded) bucket, smoothed."""
    width = len(CATEGORIES)
    names = [c.value for c in CATEGORIES]
    counts = [[0.0] * CATEGORY_BUCKETS for _ in names]
    documents = [0] * width
    for x, category in rows:
        if category not in names:
            continue
        c = names.index(category)
        documents[c] += 1
        for k in x:
            counts[c][k % CATEGORY_BUCKETS] += 1.0
    total = sum(documents)
    priors = [math.log((documents[c] + 1) / (total + width)) for c in range(width)]
    table = [0.0] * (CATEGORY_BUCKETS * width)
    for c in range(width):
        denominator = math.log(sum(counts[c]) + NB_SMOOTHING * CATEGORY_BUCKETS)
        for k in range(CATEGORY_BUCKETS):
            table[k * width + c] = math.log(counts[c][k] + NB_SMOOTHING) - denominator
    # what every category shares does not tell them apart: keep each bucket's difference to its mean
    for k in range(CATEGORY_BUCKETS):
        row = table[k * width : (k + 1) * width]
        mean = sum(row) / width
        table[k * width : (k + 1) * width] = [v - mean for v in row]
    return priors, table


def _quantise(values: Sequence[float]) -> tuple[float, array[int]]:
    largest = max((abs(v) for v in values), default=0.0) or 1.0
    scale = largest / 32767
    return scale, array("h", (round(v / scale) for v in values))


def train(examples: Sequence[Example], threshold: float = THRESHOLD) -> Weights:
    vectors = [features(e.text) for e in examples]
    bias, harm = train_harm([(x, e.harmful, e.weight) for x, e in zip(vectors, examples, strict=True)])
    priors, category = train_category(
        [(x, e.category) for x, e in zip(vectors, examples, strict=True) if e.harmful]
    )
    harm_scale, harm_q = _quantise(harm)
    category_scale, category_q = _quantise(category)
    return Weights(threshold, bias, harm_scale, harm_q, tuple(priors), category_scale, category_q)


def fold_of(example: Example, folds: int) -> int:
    return zlib.crc32(f"{example.source}:{example.id}".encode()) % folds


def cross_validated(examples: Sequence[Example], folds: int) -> dict[str, tuple[float, str]]:
    """Each example's harm probability and likeliest category from the model trained on the other
    folds, keyed ``source:id``."""
    from orchestrator.safety.model import harm_probability, likeliest_category

    predictions: dict[str, tuple[float, str]] = {}
    for fold in range(folds):
        held = [e for e in examples if fold_of(e, folds) == fold]
        model = train([e for e in examples if fold_of(e, folds) != fold])
        for e in held:
            x = features(e.text)
            predictions[f"{e.source}:{e.id}"] = (
                harm_probability(x, model),
                likeliest_category(x, model).value,
            )
        print(f"fold {fold + 1}/{folds}: {len(held)} held out", file=sys.stderr)
    return predictions


def curve(
    examples: Sequence[Example], predictions: dict[str, tuple[float, str]], thresholds: Iterable[float]
) -> list[dict[str, float]]:
    """Per threshold, the model alone's cross-validated precision and recall on the labelled cases,
    and the share of the benign technical and everyday texts it refuses."""
    rows = []
    for t in thresholds:
        labelled = [e for e in examples if e.source in (*LABELLED, *WRITTEN)]
        refused = [e for e in labelled if predictions[f"{e.source}:{e.id}"][0] > t]
        harmful = [e for e in labelled if e.harmful]
        hits = sum(1 for e in refused if e.harmful)
        other = [e for e in examples if e.source not in (*LABELLED, *WRITTEN)]
        other_refused = sum(1 for e in other if predictions[f"{e.source}:{e.id}"][0] > t)
        rows.append(
            {
                "threshold": round(t, 3),
                "precision": round(hits / len(refused), 4) if refused else 1.0,
                "recall": round(hits / len(harmful), 4),
                "other_benign_refused": round(other_refused / len(other), 4),
            }
        )
    return rows


def choose_threshold(rows: Sequence[dict[str, float]], benign_share: float = BENIGN_SHARE) -> float:
    """The lowest threshold at which the model alone, cross-validated, refuses at most
    ``benign_share`` of the benign technical and everyday texts (its refusals of them fall as the
    threshold rises)."""
    fitting = [r["threshold"] for r in rows if r["other_benign_refused"] <= benign_share]
    return min(fitting) if fitting else max(r["threshold"] for r in rows)


def snapshot_technical() -> int:
    """Rewrite the technical snapshot: every text of three words or more that
    ``safety_technical_text.py`` reads (as the model reads words: ``MIN_WORDS``), cut to 600
    characters."""
    from safety_technical_text import library_paragraphs, repository_literals

    rows, seen = [], set()
    for source, text in (*repository_literals(), *library_paragraphs()):
        text = text.strip()[:600]
        digest = zlib.crc32(text.encode())
        if text in seen or sum(1 for n in feature_names(text) if n.startswith("w ")) < MIN_WORDS:
            continue
        seen.add(text)
        rows.append({"id": f"t{digest:08x}", "source": source.split(":")[0], "text": text})
    TECHNICAL.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cv", type=int, metavar="K", help="cross-validate with K folds instead")
    parser.add_argument("--snapshot-technical", action="store_true", help="rewrite the technical texts")
    parser.add_argument("--out", type=Path, default=WEIGHTS, help="where to write the weights")
    args = parser.parse_args(argv)
    if args.snapshot_technical:
        print(f"{snapshot_technical()} technical texts written to {TECHNICAL.relative_to(REPO)}")
        return 0
    examples = training_examples()
    if args.cv:
        predictions = cross_validated(examples, args.cv)
        rows = curve(examples, predictions, [i / 100 for i in range(5, 100)])
        for row in rows:
            print(json.dumps(row))
        chosen = choose_threshold(rows)
        print(f"threshold (at most {BENIGN_SHARE:.1%} of benign technical texts refused): {chosen}")
        return 0
    data = train(examples).encode()
    args.out.write_bytes(data)
    print(f"{len(examples)} examples, {len(data)} bytes written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
