"""The offline provider: deterministic answers with no network and no keys.

Same prompt, same answer. Every response says ``provider: offline`` so nobody mistakes
it for a model's work. It can fail a named phase a given number of times (transient or
permanent) so that Retry and compensation can be seen working.
"""

from __future__ import annotations

import hashlib
import json

from orchestrator import errors
from orchestrator.models import TokenUsage
from orchestrator.providers.base import ModelRequest, ModelResponse, estimate_tokens

OFFLINE_MODEL = "offline-deterministic-1"

_VERBS = ("Define", "Compare", "Prototype", "Measure", "Document", "Validate", "Automate", "Review")
_NOUNS = (
    "the user journey",
    "the data model",
    "the failure modes",
    "the cost envelope",
    "the rollout plan",
    "the acceptance criteria",
    "the integration points",
    "the security boundaries",
)
_RISKS = (
    "scope grows faster than the schedule",
    "a dependency changes its interface",
    "load is higher than estimated",
    "requirements are ambiguous",
    "data quality is lower than assumed",
)


class OfflineProvider:
    name = "offline"

    def __init__(self, model: str = OFFLINE_MODEL) -> None:
        self.model = model

    def complete(self, request: ModelRequest) -> ModelResponse:
        self._maybe_fail(request)
        digest = hashlib.sha256(f"{request.system}\n{request.prompt}".encode()).digest()
        topic = _extract(request.prompt, "Topic: ")
        title = request.phase.replace("_", " ").title()
        deliverables = [
            f"{_VERBS[(digest[i] + i) % len(_VERBS)]} {_NOUNS[digest[i + 8] % len(_NOUNS)]}" for i in range(3)
        ]
        risks = [_RISKS[digest[20] % len(_RISKS)]]
        confidence = round(0.70 + (digest[31] % 26) / 100, 2)
        summary = f"[offline] {title} for '{topic[:120]}': {deliverables[0].lower()} first."
        answer = {
            "summary": summary[:280],
            "deliverables": deliverables,
            "risks": risks,
            "confidence": confidence,
        }
        text = json.dumps(answer)
        return ModelResponse(
            text=text,
            provider=self.name,
            model=self.model,
            usage=TokenUsage(
                input_tokens=estimate_tokens(request.system + request.prompt),
                output_tokens=estimate_tokens(text),
            ),
            cost_usd=0.0,
            offline=True,
        )

    @staticmethod
    def _maybe_fail(request: ModelRequest) -> None:
        failure = request.simulate_failure
        if failure is None or failure.phase != request.phase:
            return
        if failure.times is not None and request.attempt > failure.times:
            return
        error_type: type[errors.OrchestratorError] = getattr(errors, failure.error)
        limit = "every attempt" if failure.times is None else f"{failure.times} attempt(s)"
        raise error_type(
            f"offline provider: simulated {failure.error} in phase {request.phase!r} "
            f"(attempt {request.attempt}, failing {limit})"
        )


def _extract(prompt: str, prefix: str) -> str:
    for line in prompt.splitlines():
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    return ""
