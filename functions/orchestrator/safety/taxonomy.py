"""The policy's categories: what a request may not ask this product to do.

Each layer of the safety check (the rules in code, a provider's moderation) reports in these
categories, so a refusal names one of them whichever layer decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Category(StrEnum):
    VIOLENCE_WEAPONS = "violence_weapons"
    MALWARE_INTRUSION = "malware_intrusion"
    FRAUD_PHISHING = "fraud_phishing"
    SELF_HARM = "self_harm"
    SEXUAL_MINORS = "sexual_minors"
    SEXUAL_CONTENT = "sexual_content"
    HATE_HARASSMENT = "hate_harassment"
    ILLEGAL_DRUGS = "illegal_drugs"
    PRIVACY_DOXXING = "privacy_doxxing"
    PROMPT_INJECTION = "prompt_injection"
    DESTRUCTIVE_OPERATIONS = "destructive_operations"
    OTHER_ILLICIT = "other_illicit"

    @property
    def description(self) -> str:
        return TITLES[self]


TITLES: dict[Category, str] = {
    Category.VIOLENCE_WEAPONS: "violence and weapons (explosives, firearms, attacks on people)",
    Category.MALWARE_INTRUSION: "malware and intrusion into systems or accounts",
    Category.FRAUD_PHISHING: "fraud, scams and phishing",
    Category.SELF_HARM: "self-harm and suicide methods",
    Category.SEXUAL_MINORS: "sexual content involving minors",
    Category.SEXUAL_CONTENT: "explicit sexual content",
    Category.HATE_HARASSMENT: "hate, harassment and threats",
    Category.ILLEGAL_DRUGS: "making, buying or trafficking illegal drugs",
    Category.PRIVACY_DOXXING: "exposing or tracking private people (doxxing, covert surveillance)",
    Category.PROMPT_INJECTION: "prompt injection: overriding the agents' instructions",
    Category.DESTRUCTIVE_OPERATIONS: "destructive operations on data or infrastructure",
    Category.OTHER_ILLICIT: "other illicit activity",
}

SUPPORT: dict[Category, str] = {
    Category.SELF_HARM: (
        "If you are thinking about suicide or self-harm, you can talk to someone now: call or text 988 "
        "in the US, call 116 123 (Samaritans) in the UK and Ireland, or find a line near you at "
        "https://findahelpline.com"
    ),
}
"""Where a refusal of these categories points the person who asked: help, never their words."""


def support_line(categories: Iterable[str]) -> str:
    """The help a refusal of ``categories`` points to ("" when none of them has any)."""
    return " ".join(dict.fromkeys(SUPPORT[Category(c)] for c in categories if c in SUPPORT))


CODE_RULE_CATEGORIES = tuple(
    c for c in Category if c not in (Category.SEXUAL_CONTENT, Category.OTHER_ILLICIT)
)
"""The categories the rules in code cover; the other two come from a provider's moderation only."""
