"""The safety check of free text: a policy taxonomy, rules in code (the floor, always applied) and
the configured provider's moderation (OpenAI's moderation endpoint, a Bedrock guardrail).

``SafetyScreen(moderators).check([(where, text), ...])`` -> a ``Verdict`` naming the categories
broken and the layer that decided, never the text (``screen``); ``rules.check_text`` is the code
layer alone; ``moderation`` holds the providers' adapters.
"""

from __future__ import annotations

from orchestrator.safety.screen import (
    CODE_LAYER,
    Finding,
    ModerationFlag,
    Moderator,
    SafetyScreen,
    Verdict,
    request_texts,
    strings_in,
)
from orchestrator.safety.taxonomy import Category, support_line

__all__ = [
    "CODE_LAYER",
    "Category",
    "Finding",
    "ModerationFlag",
    "Moderator",
    "SafetyScreen",
    "Verdict",
    "request_texts",
    "strings_in",
    "support_line",
]
