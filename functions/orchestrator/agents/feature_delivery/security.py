"""The security reviewer's deterministic scan: rules run over the code before any model looks at it."""

from __future__ import annotations

import re
from typing import Literal

from orchestrator.agents.feature_delivery.schemas import Finding, SourceFile

SECURITY_RULES: list[tuple[str, Literal["low", "medium", "high", "critical"], re.Pattern[str], str, str]] = [
    (
        "code-execution",
        "critical",
        re.compile(r"\b(eval|exec)\s*\("),
        "dynamic code execution",
        "never evaluate text; parse it",
    ),
    (
        "shell-injection",
        "critical",
        re.compile(r"shell\s*=\s*True|os\.system\s*\("),
        "command run through a shell",
        "pass an argument list, shell=False",
    ),
    (
        "hardcoded-secret",
        "high",
        re.compile(r"(?i)(password|secret|api_key|token)\s*=\s*['\"][^'\"]{6,}['\"]"),
        "secret in the source code",
        "read it from the secret store at run time",
    ),
    (
        "sql-injection",
        "high",
        re.compile(
            r"(?i)(execute|query)\s*\(\s*f?['\"].*(select|insert|update|delete).*(\{|%s?['\"]\s*%|\+)"
        ),
        "SQL built from strings",
        "use bound parameters",
    ),
    (
        "tls-disabled",
        "high",
        re.compile(r"verify\s*=\s*False"),
        "TLS certificate checks disabled",
        "keep certificate verification on",
    ),
    (
        "weak-hash",
        "medium",
        re.compile(r"hashlib\.(md5|sha1)\s*\("),
        "weak hash function",
        "use SHA-256 or a password hash (scrypt, argon2)",
    ),
    (
        "debug-enabled",
        "low",
        re.compile(r"(?i)debug\s*=\s*True"),
        "debug mode enabled",
        "turn debugging off outside development",
    ),
]


def scan_source(files: list[SourceFile]) -> list[Finding]:
    """Findings of the deterministic security rules over the given files (line by line)."""
    findings: list[Finding] = []
    for source in files:
        for number, text in enumerate(source.content.splitlines(), start=1):
            for rule, severity, pattern, issue, recommendation in SECURITY_RULES:
                if pattern.search(text):
                    findings.append(
                        Finding(
                            severity=severity,
                            file=source.path,
                            line=number,
                            rule=rule,
                            issue=f"{issue}: {text.strip()[:200]}",
                            recommendation=recommendation,
                        )
                    )
    return findings[:50]
