"""A deterministic policy screen for requests: prompt injection and out-of-policy asks.

It runs in code, before and regardless of any model: a model can be talked out of a rule,
this cannot. Request text is only ever matched, never followed.
"""

from __future__ import annotations

import re

_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "prompt injection: the request tries to override the agents' instructions",
        re.compile(
            r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules|prompts?|guidelines)\b"
            r"|\byou are now\b|\bsystem prompt\b|\bjailbreak\b|\bdeveloper mode\b",
            re.IGNORECASE | re.DOTALL,
        ),
    ),
    (
        "out of policy: malware, credential theft or attacks on systems",
        re.compile(
            r"\b(malware|ransomware|keylogger|botnet|phishing|credential (theft|stuffing)|"
            r"steal (passwords?|credentials|tokens?)|ddos)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "out of policy: destructive operations on data or infrastructure",
        re.compile(
            r"rm\s+-rf\s+/|\bdrop\s+(table|database)\b|\bdelete\s+(all|every)\s+(data|records|users|backups)\b"
            r"|\bwipe\s+(the\s+)?(disk|database|backups)\b",
            re.IGNORECASE,
        ),
    ),
]


def screen(text: str) -> list[str]:
    """The policy rules a text breaks (empty when it is acceptable)."""
    return [reason for reason, pattern in _RULES if pattern.search(text)]
