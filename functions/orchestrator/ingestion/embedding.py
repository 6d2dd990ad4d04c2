"""A local, deterministic text embedding by feature hashing, for searching repository chunks.

No model and no network: ``hashing_embedding`` turns a text into a fixed-length vector that is
the same on every machine and in every process (``hashlib``, never Python's salted ``hash()``).

Features: the words of the text, identifiers split into their words (``parse_config_file`` and
``parseConfigFile`` both give parse, config, file), lower-cased, with common English words and
Python keywords dropped (they say little about what a piece of code does); the character
trigrams of each word, its boundaries marked, and the first five letters of longer words, so
that "configuration" and "config" share features. Each feature adds ``weight * (1 + log(count))``
(sublinear term frequency; a word weighs 1, its prefix 0.5 and each trigram 0.3) at a hashed
position with a hashed sign, and the vector is L2-normalised.
"""

from __future__ import annotations

import hashlib
import keyword
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

DEFAULT_DIMENSION = 256
WORD_WEIGHT = 1.0
PREFIX_WEIGHT = 0.5
TRIGRAM_WEIGHT = 0.3
PREFIX_LENGTH = 5

_STOP_WORDS_TEXT = """
a an and are as at be by can do does for from has have how in into is it its of on or that the
this to was what when where which who why will with
self cls def str int float bool dict list object none true false exc
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split()) | {word.lower() for word in keyword.kwlist}

_IDENTIFIER = re.compile(r"[A-Za-z0-9]+")
_WORD_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

T = TypeVar("T")


def tokenize(text: str) -> list[str]:
    """Lower-cased words of ``text``, identifiers split at ``_`` and at case changes, stop
    words dropped: ``"parseConfigFile(the_path)"`` -> ``["parse", "config", "file", "path"]``."""
    words: list[str] = []
    for identifier in _IDENTIFIER.findall(text):
        words.extend(part.lower() for part in _WORD_PART.findall(identifier))
    return [word for word in words if word not in STOP_WORDS]


def features(text: str) -> dict[str, float]:
    """The text's features (``w:`` word, ``p:`` prefix, ``t:`` trigram), each with its weight
    times its sublinear term frequency."""
    counts: Counter[str] = Counter()
    for word in tokenize(text):
        counts[f"w:{word}"] += 1
        if len(word) > PREFIX_LENGTH:
            counts[f"p:{word[:PREFIX_LENGTH]}"] += 1
        marked = f"<{word}>"
        for index in range(len(marked) - 2):
            counts[f"t:{marked[index : index + 3]}"] += 1
    weights = {"w": WORD_WEIGHT, "p": PREFIX_WEIGHT, "t": TRIGRAM_WEIGHT}
    return {feature: weights[feature[0]] * (1.0 + math.log(count)) for feature, count in counts.items()}


def hashing_embedding(text: str, dimension: int = DEFAULT_DIMENSION) -> list[float]:
    """The text as an L2-normalised vector of ``dimension`` floats (all zeros for a text with
    no words); the same text always gives the same vector."""
    if dimension < 1:
        raise ValueError("dimension must be at least 1")
    vector = [0.0] * dimension
    for feature, weight in features(text).items():
        digest = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
        vector[(digest >> 1) % dimension] += weight if digest & 1 else -weight
    norm = math.sqrt(sum(value * value for value in vector))
    return [value / norm for value in vector] if norm else vector


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors of the same length (0.0 when either is all zeros)."""
    if len(a) != len(b):
        raise ValueError(f"vectors of different lengths: {len(a)} and {len(b)}")
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norms if norms else 0.0


def rank(
    query: str, items: Iterable[T], text_of: Callable[[T], str], dimension: int = DEFAULT_DIMENSION
) -> list[tuple[T, float]]:
    """``items`` by decreasing similarity of their text to ``query`` (ties keep their order)."""
    wanted = hashing_embedding(query, dimension)
    scored = [(item, cosine(wanted, hashing_embedding(text_of(item), dimension))) for item in items]
    return sorted(scored, key=lambda pair: -pair[1])
