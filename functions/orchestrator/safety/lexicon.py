"""Every category's rules, in the order they are checked (see ``rules`` for how they are weighed;
``vocabulary`` and ``frames`` for the terms and intent frames they share)."""

from __future__ import annotations

from orchestrator.safety.frames import SHARED_ASK, SHARED_BENIGN
from orchestrator.safety.normalize import Normalized, normalize
from orchestrator.safety.rules import CategoryRules, Score, score
from orchestrator.safety.rules_illicit import DRUGS, FRAUD
from orchestrator.safety.rules_people import HATE, PRIVACY, SEXUAL_MINORS
from orchestrator.safety.rules_systems import DESTRUCTIVE, INJECTION, MALWARE
from orchestrator.safety.rules_violence import SELF_HARM, VIOLENCE
from orchestrator.safety.widening import (
    MORE_ASK,
    MORE_EVASION,
    OTHER_LANGUAGES_ASK,
    OTHER_LANGUAGES_EVASION,
    widened,
)

CATEGORY_RULES: tuple[CategoryRules, ...] = tuple(
    widened(rules)
    for rules in (
        VIOLENCE,
        MALWARE,
        FRAUD,
        SELF_HARM,
        SEXUAL_MINORS,
        HATE,
        DRUGS,
        PRIVACY,
        INJECTION,
        DESTRUCTIVE,
    )
)
ASK = (*SHARED_ASK, MORE_ASK, MORE_EVASION, OTHER_LANGUAGES_ASK, OTHER_LANGUAGES_EVASION)

__all__ = ["CATEGORY_RULES", "SHARED_ASK", "SHARED_BENIGN", "check_normalized", "check_text"]


def check_text(text: str) -> list[Score]:
    """The categories ``text`` breaks, each with its score and the names of the signals that decided."""
    return check_normalized(normalize(text))


def check_normalized(normalized: Normalized) -> list[Score]:
    """``check_text`` of a text already normalised (the screen hands the same reading to the model)."""
    scores = (score(rules, normalized, ASK, SHARED_BENIGN) for rules in CATEGORY_RULES)
    return [s for s in scores if s.broken]
