"""How a pattern's gate is derived from its syntax, and the table of gates rewritten (see ``gates``).

Run when the rules change (it reads every pattern the rules hold):

    cd functions && ../.venv/bin/python -m orchestrator.safety.gate_derivation

``required`` reads the parsed pattern: a sequence needs any one of its parts' needs (a literal run,
or a stretch of parts that match a small set of exact strings, or a group whose every alternative
needs something); it takes the most selective. Zero-width parts (word edges, lookarounds) match
the empty string, which only narrows where a match is: a text that contains none of the strings is
never matched. Only the parser of the standard library's ``re`` is used, never at run time.
"""

from __future__ import annotations

import json
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Callable, Iterable, Sequence
from itertools import product
from pathlib import Path
from typing import Any

from orchestrator.safety.gates import GRAM, TABLE, digest

MAX_EXACT = 256
"""The most exact strings a stretch of a pattern may stand for before it counts as open-ended."""

Node = tuple[Any, Any]


def _exact_item(op: Any, av: Any) -> set[str] | None:
    if op is sre.LITERAL:
        return {chr(av)}
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return {""}
    if op is sre.IN:
        if all(inner_op is sre.LITERAL for inner_op, _ in av):
            return {chr(code) for _, code in av}
        return None
    if op is sre.SUBPATTERN:
        _, add_flags, del_flags, inner = av
        return exact(inner) if not add_flags and not del_flags else None
    if op is sre.BRANCH:
        found = _every_branch(av[1], exact)
        return found if found is not None and len(found) <= MAX_EXACT else None
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high, inner = av
        strings = exact(inner)
        if strings is None or high > 2:
            return None
        repeated = {"".join(parts) for n in range(low, high + 1) for parts in product(strings, repeat=n)}
        return repeated if len(repeated) <= MAX_EXACT else None
    return None


def _every_branch(
    branches: Sequence[Sequence[Node]], of: Callable[[Sequence[Node]], set[str] | None]
) -> set[str] | None:
    """The strings of every branch together (None when one branch has none)."""
    found: set[str] = set()
    for branch in branches:
        strings = of(branch)
        if strings is None:
            return None
        found |= strings
    return found


def exact(items: Sequence[Node]) -> set[str] | None:
    """Every string ``items`` can match, when they are few (None: open-ended or too many)."""
    found = {""}
    for op, av in items:
        strings = _exact_item(op, av)
        if strings is None:
            return None
        found = {a + b for a in found for b in strings}
        if len(found) > MAX_EXACT:
            return None
    return found


def _required_item(op: Any, av: Any) -> set[str] | None:
    if op is sre.SUBPATTERN and not av[1] and not av[2]:
        return required(av[3])
    if op is sre.BRANCH:
        return _every_branch(av[1], required)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] >= 1:
        return required(av[2])
    return None


COMMON = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "get",
        "give",
        "have",
        "he",
        "help",
        "her",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "make",
        "me",
        "my",
        "need",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "please",
        "she",
        "show",
        "so",
        "tell",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "up",
        "us",
        "want",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
    }
)
"""Words nearly every request spells: a gate made of them lets nearly every text through."""


def _selectivity(strings: set[str]) -> tuple[int, int, int]:
    common = sum(1 for s in strings if s.strip(" '") in COMMON or len(s.strip()) < 3)
    return (-common, min(len(s.strip()) for s in strings), -len(strings))


def required(items: Sequence[Node]) -> set[str] | None:
    """Strings one of which every match of ``items`` contains (None: nothing is always there)."""
    candidates: list[set[str]] = []
    stretch: set[str] | None = {""}
    for op, av in items:
        strings = _exact_item(op, av)
        if strings is not None and stretch is not None:
            joined = {a + b for a in stretch for b in strings}
            if len(joined) <= MAX_EXACT:
                stretch = joined
                continue
        if stretch and "" not in stretch:
            candidates.append(stretch)
        stretch = strings if strings is not None else {""}
        if strings is None and (inner := _required_item(op, av)) and "" not in inner:
            candidates.append(inner)
    if stretch and "" not in stretch:
        candidates.append(stretch)
    return max(candidates, key=_selectivity) if candidates else None


def _gram(string: str) -> str:
    """A substring of ``string`` of at most ``GRAM`` characters, without a space where it can."""
    windows = [string[i : i + GRAM] for i in range(max(1, len(string) - GRAM + 1))]
    return next((w for w in windows if " " not in w), windows[0])


def gate(source: str) -> list[str] | None:
    strings = required(sre_parse.parse(source))
    return sorted({_gram(s) for s in strings}) if strings else None


def top_level(alternative: str) -> list[int]:
    """Where ``alternative`` is cut: each ``|`` outside groups and character classes."""
    cuts, depth, escaped, class_from = [], 0, False, -1
    for index, char in enumerate(alternative):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif class_from >= 0:  # inside [...]: a ] right after [ or [^ is a literal
            if char == "]" and index > class_from + (2 if alternative[class_from + 1] == "^" else 1):
                class_from = -1
        elif char == "[":
            class_from = index
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            cuts.append(index)
    return cuts


def alternatives() -> Iterable[str]:
    """Every alternative the rules were written with."""
    from orchestrator.safety.lexicon import ASK, CATEGORY_RULES, SHARED_BENIGN

    signals = [
        s for rules in CATEGORY_RULES for s in (*rules.harm, *rules.ask, *rules.benign, *rules.concepts)
    ]
    for signal in (*signals, *ASK, *SHARED_BENIGN):
        yield from signal.alternatives


def entry(alternative: str) -> list[object]:
    """Where an alternative is cut and each piece's gate."""
    cuts = top_level(alternative)
    bounds = [-1, *cuts, len(alternative)]
    return [cuts, [gate(alternative[bounds[i] + 1 : bounds[i + 1]]) for i in range(len(bounds) - 1)]]


def table() -> dict[str, list[object]]:
    return {digest(alternative): entry(alternative) for alternative in dict.fromkeys(alternatives())}


def write_table(path: Path = TABLE) -> int:
    entries = table()
    path.write_text(json.dumps(entries, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    return len(entries)


if __name__ == "__main__":
    print(f"{write_table()} alternatives written to {TABLE}")
