"""The safety check of free text: the rules in code, then the provider's moderation where there is one.

The code layer is the floor: the rules in code, and beside them a learned classifier (``model``)
asked about each text no rule refuses; they always run, and what they refuse stays refused. A
moderation layer (``moderation``) is asked only about texts the code layer lets through; when it
is absent or fails (timeout, 5xx, no key) the code layer's verdict stands and the failure is
logged, never raised.

A verdict names categories, layers and where in the request a text sits (``topic``,
``inputs.context``), never the text: a refusal repeats nothing of what was refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from orchestrator.core.observability import logger
from orchestrator.safety.lexicon import check_normalized
from orchestrator.safety.model import judge
from orchestrator.safety.normalize import normalize
from orchestrator.safety.taxonomy import Category, support_line

CODE_LAYER = "code_rules"
MODEL_SIGNAL = "learned_model"
"""The signal of a finding of the learned model (part of the code layer: deterministic, offline)."""
MAX_TEXTS = 200
MAX_TEXT_CHARS = 20_000
"""Longer texts are checked on their first characters (a request's free text is at most a few KiB)."""


@dataclass(frozen=True)
class ModerationFlag:
    """What a moderation layer flagged: our category, which text (None: the request as a whole)
    and the provider's own name for it."""

    category: Category
    index: int | None
    label: str


class Moderator(Protocol):
    layer: str

    def moderate(self, texts: Sequence[str]) -> list[ModerationFlag]:
        """What the provider flags in ``texts``; raises when it cannot tell (the screen logs it)."""
        ...


@dataclass(frozen=True)
class Finding:
    category: Category
    layer: str
    where: str
    signals: tuple[str, ...] = ()
    """The rules' signal names, or the provider's category names: never the text."""


@dataclass(frozen=True)
class Verdict:
    findings: tuple[Finding, ...] = ()
    layers: tuple[str, ...] = (CODE_LAYER,)
    """The layers that gave an answer."""
    failed: tuple[str, ...] = ()
    """``layer: error`` of each moderation layer that could not answer (the rules' verdict stood)."""
    screened: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.findings

    @property
    def categories(self) -> tuple[Category, ...]:
        return tuple(dict.fromkeys(f.category for f in self.findings))

    @property
    def deciding_layers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.layer for f in self.findings))

    def reason(self, outcome: str = "") -> str:
        """Why the request is refused, by category and layer, then ``outcome`` ("nothing was
        started") and, for a category that has one, where to find help ("" when it is not refused)."""
        if self.allowed:
            return ""
        parts = []
        for category in self.categories:
            found = [f for f in self.findings if f.category is category]
            layers = ", ".join(dict.fromkeys(f.layer for f in found))
            wheres = ", ".join(dict.fromkeys(f.where for f in found))
            parts.append(f"{category.value}: {category.description} (decided by {layers}; in {wheres})")
        said = "refused by the safety policy: " + "; ".join(parts) + (f"; {outcome}" if outcome else "")
        support = support_line(self.categories)
        return f"{said}. {support}" if support else said

    def audit(self) -> dict[str, Any]:
        """What the audit trail keeps of a verdict: categories, layers, places, failed layers."""
        return {
            "categories": [c.value for c in self.categories],
            "layers": list(self.deciding_layers),
            "where": list(dict.fromkeys(f.where for f in self.findings))[:20],
            "moderation_failed": list(self.failed),
        }


def code_findings(where: str, text: str) -> list[Finding]:
    """What the code layer finds in one text: the rules' categories, or when no rule fires, the
    learned model's category if it finds the text harmful (``model``, its weights read at the first
    call). The text is normalised once, for both."""
    text = text[:MAX_TEXT_CHARS]
    normalized = normalize(text)
    found = [Finding(s.category, CODE_LAYER, where, s.signals) for s in check_normalized(normalized)]
    if found:
        return found
    judged = judge(text, normalized=normalized)
    if not judged.refused or judged.category is None:
        return []
    return [Finding(judged.category, CODE_LAYER, where, (MODEL_SIGNAL,))]


class SafetyScreen:
    def __init__(self, moderators: Sequence[Moderator] = ()) -> None:
        self.moderators = tuple(moderators)

    def check(self, texts: Iterable[tuple[str, str]]) -> Verdict:
        """The verdict on ``(where, text)`` pairs: the rules on every text, then each moderation
        layer on the texts the rules let through."""
        pairs = [(where[:80], text[:MAX_TEXT_CHARS]) for where, text in texts if text.strip()][:MAX_TEXTS]
        findings = [finding for where, text in pairs for finding in code_findings(where, text)]
        layers, failed = [CODE_LAYER], []
        if not findings:
            for moderator in self.moderators:
                try:
                    flags = moderator.moderate([text for _, text in pairs]) if pairs else []
                except Exception as exc:
                    failed.append(f"{moderator.layer}: {type(exc).__name__}")
                    _log_failure(moderator.layer, exc)
                    continue
                layers.append(moderator.layer)
                findings += [
                    Finding(
                        flag.category,
                        moderator.layer,
                        pairs[flag.index][0]
                        if flag.index is not None and flag.index < len(pairs)
                        else "request",
                        (flag.label,),
                    )
                    for flag in flags
                ]
        return Verdict(
            tuple(findings), tuple(layers), tuple(failed), tuple(dict.fromkeys(w for w, _ in pairs))
        )


def _log_failure(layer: str, exc: Exception) -> None:
    logger.warning(
        "moderation failed; the code rules' verdict stands",
        extra={"layer": layer, "error": type(exc).__name__},
    )


def strings_in(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string inside a JSON value, with where it sits (``inputs.constraints[0]``)."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from strings_in(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from strings_in(inner, f"{where}[{index}]")


def request_texts(topic: str, inputs: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The free text of a run request: its topic and every string of its inputs."""
    return [("topic", topic), *strings_in(inputs or {}, "inputs")]


__all__ = ["CODE_LAYER", "Finding", "ModerationFlag", "Moderator", "SafetyScreen", "Verdict"]
