"""The rules in code: the floor of the safety check, applied to every text whatever else is configured.

A category's rules weigh three kinds of signals in a normalised text (``normalize``):

- ``harm``: what is dangerous (a keylogger, a pipe bomb, a minor named next to sexual content);
- ``ask``: the request to make, obtain or do it (``how to``, ``write a``, ``where can I buy``),
  including the ways of asking to evade (``undetectable``, ``without her knowing``);
- ``benign``: the framings of defence, care and study (``how do ... detect``, ``history of``,
  ``prevention``, ``hotline``, ``report``).

A category's ``concepts`` (who is harmed, by what means, to what end, hidden how) count as harm
too when a text names several of them together, worded however it likes (``CONCEPT_WEIGHTS``).

A text breaks a category when one of its harm signals matched and ``harm + ask - benign``
reaches ``THRESHOLD``. A harm signal of weight 2 is enough alone (a text that asks to
``ignore previous instructions``); one of weight 1 needs an ask (``keylogger`` in "how do antivirus
tools detect keyloggers" is not refused, in "write a keylogger" it is). An evasion ask cancels the
benign framing: "evade antivirus detection" is not about detection. Only the signals' names
are reported, never the text they matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from orchestrator.safety.gates import candidates, register, search
from orchestrator.safety.normalize import Normalized
from orchestrator.safety.taxonomy import Category

THRESHOLD = 2.0
CONCEPT_WEIGHTS = (0.0, 0.0, 0.0, 1.0, 2.0)
"""The harm weight of naming 0, 1, 2, 3 and 4 or more of a category's concepts together."""


@dataclass(frozen=True)
class Signal:
    """A named, weighed pattern. Its pieces (its alternatives) are compiled on first use, and only
    for a text that passes a piece's gate (``gates``): what a worker pays for the rules at its first
    screen is the pieces that text can match."""

    name: str
    weight: float
    source: str
    """The whole pattern (its pieces, any of which matching is a match)."""
    also_source: str | None = None
    """A second pattern the text must match too (a minor and sexual content; a group and a slur)."""
    unless_source: str | None = None
    """A pattern the text must not match (a plea for help that also asks for a method is no plea)."""
    folded: bool = False
    """Matched against the folded text (punctuation kept: ``rm -rf /``) instead of its words."""
    evasion: bool = False
    """An ask to evade detection or consent: the benign framings no longer count."""
    alternatives: tuple[str, ...] = ()
    """The alternatives it was written with (``source`` is them as whole words)."""
    pieces: frozenset[int] = frozenset()
    """The ids of its pieces, the alternatives cut at their top-level ``|`` (``gates.register``)."""

    @cached_property
    def also(self) -> re.Pattern[str] | None:
        return re.compile(self.also_source) if self.also_source is not None else None

    @cached_property
    def unless(self) -> re.Pattern[str] | None:
        return re.compile(self.unless_source) if self.unless_source is not None else None

    def matches(self, view: str) -> bool:
        """Whether one of its pieces matches ``view`` (only those ``view`` passes the gate of)."""
        return any(search(piece, view) for piece in sorted(self.pieces & candidates(view)))

    def found(self, text: Normalized) -> bool:
        views = (text.folded,) if self.folded else (text.words, *text.variants)
        return any(
            self.matches(view)
            and (self.also is None or self.also.search(view))
            and (self.unless is None or not self.unless.search(view))
            for view in views
        )


_STARTS = r"(?:(?<!\w)|(?=\W))"
_ENDS = r"(?:(?<=\W)|(?!\w))"
"""Word edges where the pattern has a word character at its edge; none where it has punctuation
(``</system>`` matches before a word, ``[system]`` after a bracket)."""


def words(*alternatives: str) -> str:
    """A pattern matching any of ``alternatives`` as whole words (regex syntax inside each)."""
    return _STARTS + "(?:" + "|".join(alternatives) + ")" + _ENDS


def signal(name: str, weight: float, *alternatives: str, **options: object) -> Signal:
    also, unless = options.pop("also", None), options.pop("unless", None)
    return Signal(
        name,
        weight,
        words(*alternatives),
        also_source=words(*also) if isinstance(also, tuple) else None,
        unless_source=words(*unless) if isinstance(unless, tuple) else None,
        alternatives=alternatives,
        pieces=register(alternatives, words),
        **options,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class CategoryRules:
    category: Category
    harm: tuple[Signal, ...]
    ask: tuple[Signal, ...] = ()
    benign: tuple[Signal, ...] = ()
    shared: bool = True
    """The shared asks and benign framings apply too."""
    concept_weights: tuple[float, ...] = CONCEPT_WEIGHTS
    concepts: tuple[Signal, ...] = ()
    """The category's concepts (a target, a means, an outcome, concealment): the more of them a text
    names together, the more it weighs as harm (``CONCEPT_WEIGHTS``), however it words them."""


@dataclass(frozen=True)
class Wider:
    """Signals a category's rules gain beyond the English wording they were written with (``widening``)."""

    harm: tuple[Signal, ...] = ()
    ask: tuple[Signal, ...] = ()
    benign: tuple[Signal, ...] = ()


@dataclass(frozen=True)
class Score:
    category: Category
    harm: float
    ask: float
    benign: float
    signals: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total(self) -> float:
        return self.harm + self.ask - self.benign

    @property
    def broken(self) -> bool:
        return self.harm > 0 and self.total >= THRESHOLD


def _strongest(signals: tuple[Signal, ...], text: Normalized) -> tuple[float, list[Signal]]:
    found = [s for s in signals if s.found(text)]
    return max((s.weight for s in found), default=0.0), found


def score(
    rules: CategoryRules, text: Normalized, shared_ask: tuple[Signal, ...], shared_benign: tuple[Signal, ...]
) -> Score:
    harm, harms = _strongest(rules.harm, text)
    concepts = [s for s in rules.concepts if s.found(text)] if rules.concepts else []
    weight = rules.concept_weights[min(len(concepts), len(rules.concept_weights) - 1)]
    if weight:
        harm = max(harm, weight)
        harms += concepts
    if not harms:
        return Score(rules.category, 0.0, 0.0, 0.0)
    asks_of = rules.ask + (shared_ask if rules.shared else ())
    ask, asks = _strongest(asks_of, text)
    benign, benigns = _strongest(rules.benign + (shared_benign if rules.shared else ()), text)
    if any(s.evasion for s in asks):
        benign, benigns = 0.0, []
    names = tuple(dict.fromkeys(s.name for s in (*harms, *asks, *benigns)))
    return Score(rules.category, harm, ask, benign, names)
