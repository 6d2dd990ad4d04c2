"""A learned layer beside the rules: a linear classifier over hashed word and character n-grams of the
normalised text, for harmful requests worded in ways no rule was written for.

Two models share one set of features (``features``): the words of ``normalize(text).words``, their
pairs, and the character 4-grams of the text as words (so a misspelling still shares most of its
grams with the word). Each feature is hashed (CRC-32) into ``BUCKETS`` buckets; a text is the set of
its buckets, each weighing ``1 / sqrt(count)``.

- **harm**: a logistic regression, harmful against benign; ``harm(text)`` is its probability.
- **category**: a multinomial naive Bayes over the harmful texts, the category a harmful text most
  likely breaks (over ``CATEGORY_BUCKETS``, the features' hashes folded further).

The weights are data (``model_weights.bin``, written by ``bench/safety_train.py`` from the labelled
sets, a fixed seed and no randomness elsewhere), read the first time a text is screened, not at
import: importing this module costs a worker nothing until it screens.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from array import array
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from orchestrator.safety.normalize import Normalized, normalize
from orchestrator.safety.taxonomy import Category

BUCKETS = 1 << 18
CATEGORY_BUCKETS = 1 << 15
CHAR_GRAM = 4
MIN_WORDS = 3
"""Shorter texts are left to the rules: a word or two (``GET``, ``admin``, ``--all``) is a name, not
a request, and gives the model too little to weigh."""
MAX_CHARS = 4000
"""The model reads a text's first characters (a request's free text is at most a few KiB)."""
WEIGHTS = Path(__file__).with_name("model_weights.bin")
MAGIC = b"SFM1"
CATEGORIES: tuple[Category, ...] = (
    Category.VIOLENCE_WEAPONS,
    Category.MALWARE_INTRUSION,
    Category.FRAUD_PHISHING,
    Category.SELF_HARM,
    Category.SEXUAL_MINORS,
    Category.HATE_HARASSMENT,
    Category.ILLEGAL_DRUGS,
    Category.PRIVACY_DOXXING,
    Category.PROMPT_INJECTION,
    Category.DESTRUCTIVE_OPERATIONS,
)
"""The categories the model names, in the order of its category weights."""


def feature_names(text: str, normalized: Normalized | None = None) -> list[str]:
    """The n-grams the models read (before hashing): words, word pairs and character 4-grams.
    ``normalized``: ``normalize(text)`` when the caller has it already, for a text of at most
    ``MAX_CHARS`` characters (the model reads a longer text's first ``MAX_CHARS`` only)."""
    if normalized is None or len(text) > MAX_CHARS:
        normalized = normalize(text[:MAX_CHARS])
    words = normalized.words.split()
    names = [f"w {w}" for w in words]
    names += [f"b {a} {b}" for a, b in pairwise(words)]
    padded = f" {' '.join(words)} "
    names += [f"c{padded[i : i + CHAR_GRAM]}" for i in range(len(padded) - CHAR_GRAM + 1)]
    return names


def features(text: str) -> dict[int, float]:
    """The buckets of ``text``'s n-grams, each weighing ``1 / sqrt(distinct buckets)``."""
    return _buckets(feature_names(text))


def _buckets(names: list[str]) -> dict[int, float]:
    buckets = {zlib.crc32(name.encode()) % BUCKETS for name in names}
    if not buckets:
        return {}
    weight = 1.0 / math.sqrt(len(buckets))
    return dict.fromkeys(sorted(buckets), weight)


@dataclass(frozen=True)
class Weights:
    """The two models as stored: quantised to integers, with the scale that restores them."""

    threshold: float
    """The harm probability above which a text is refused (chosen by cross-validation)."""
    harm_bias: float
    harm_scale: float
    harm: array[int]  # 'h', BUCKETS
    category_priors: tuple[float, ...]
    category_scale: float
    category: array[int]  # 'h', CATEGORY_BUCKETS * len(CATEGORIES), bucket-major

    def encode(self) -> bytes:
        header = struct.pack(
            "<4sIIdddd",
            MAGIC,
            BUCKETS,
            CATEGORY_BUCKETS,
            self.threshold,
            self.harm_bias,
            self.harm_scale,
            self.category_scale,
        ) + struct.pack(f"<{len(CATEGORIES)}d", *self.category_priors)
        body = _little_endian(self.harm).tobytes() + _little_endian(self.category).tobytes()
        return header + zlib.compress(body, 9)

    @classmethod
    def decode(cls, data: bytes) -> Weights:
        head = struct.calcsize("<4sIIdddd")
        magic, buckets, category_buckets, threshold, bias, scale, category_scale = struct.unpack(
            "<4sIIdddd", data[:head]
        )
        if (magic, buckets, category_buckets) != (MAGIC, BUCKETS, CATEGORY_BUCKETS):
            raise ValueError("the model's weights were written for other features")
        priors_size = struct.calcsize(f"<{len(CATEGORIES)}d")
        priors = struct.unpack(f"<{len(CATEGORIES)}d", data[head : head + priors_size])
        body = array("h", zlib.decompress(data[head + priors_size :]))
        body = _little_endian(body)
        harm, category = body[:BUCKETS], body[BUCKETS:]
        if len(category) != CATEGORY_BUCKETS * len(CATEGORIES):
            raise ValueError("the model's weights are cut short")
        return cls(threshold, bias, scale, harm, priors, category_scale, category)


def _little_endian(values: array[int]) -> array[int]:
    if sys.byteorder == "little":
        return values
    swapped = array(values.typecode, values)
    swapped.byteswap()
    return swapped


@lru_cache(maxsize=1)
def weights() -> Weights:
    """The committed weights, read once per worker, the first time a text is screened."""
    return Weights.decode(WEIGHTS.read_bytes())


@dataclass(frozen=True)
class Judgement:
    probability: float
    """How likely the model finds the text harmful (0 to 1)."""
    category: Category | None
    """The category it most likely breaks, named only when it refuses the text (half the model's
    work per text: ``likeliest_category`` for the rest)."""
    refused: bool


def harm_probability(buckets: dict[int, float], model: Weights) -> float:
    scale, table = model.harm_scale, model.harm
    logit = model.harm_bias + sum(table[b] * v for b, v in buckets.items()) * scale
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))


def likeliest_category(buckets: dict[int, float], model: Weights) -> Category:
    width, table = len(CATEGORIES), model.category
    totals = list(model.category_priors)
    for bucket in buckets:
        base = (bucket % CATEGORY_BUCKETS) * width
        for index in range(width):
            totals[index] += table[base + index] * model.category_scale
    return CATEGORIES[max(range(width), key=totals.__getitem__)]


def judge(text: str, model: Weights | None = None, normalized: Normalized | None = None) -> Judgement:
    """The model's view of one text: its harm probability, likeliest category and verdict (a text of
    fewer than ``MIN_WORDS`` words is not weighed: probability 0). ``normalized``: as for
    ``feature_names``."""
    names = feature_names(text, normalized)
    if sum(1 for name in names if name.startswith("w ")) < MIN_WORDS:
        return Judgement(0.0, None, refused=False)
    model = model or weights()
    buckets = _buckets(names)
    probability = harm_probability(buckets, model)
    refused = probability > model.threshold
    return Judgement(probability, likeliest_category(buckets, model) if refused else None, refused)
