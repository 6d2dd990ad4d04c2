"""The provider interface every model backend implements."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from orchestrator.core.records import SimulatedFailure, TokenUsage


@dataclass(frozen=True)
class ModelRequest:
    system: str
    prompt: str
    phase: str  # the step asking (its name)
    attempt: int = 1
    max_tokens: int = 1024
    simulate_failure: SimulatedFailure | None = None
    item: int | None = None  # the map item asking, if any
    title: str = ""  # the agent's title
    schema: dict[str, Any] | None = None  # the JSON schema the answer must match
    latency_ms: int = 0  # offline provider: simulated latency
    list_items: int | None = None  # offline provider: length of the lists it produces
    offline_answer: dict[str, Any] | None = None  # offline provider: the agent's deterministic answer
    schema_name: str = "answer"  # the name the schema goes to the model under (tool / response format)
    agent: str = ""  # the agent type asking
    prompt_version: str = "v1"  # the prompt version rendered (part of replay and cache keys)
    temperature: float | None = None  # None: the provider's default
    timeout_seconds: float = 45.0  # one HTTP call's limit, well under the function's timeout


@dataclass(frozen=True)
class ModelResponse:
    text: str
    provider: str
    model: str
    usage: TokenUsage = field(default_factory=TokenUsage)
    cost_usd: float = 0.0
    offline: bool = False
    data: dict[str, Any] | None = None  # the structured answer, when the provider returned one natively
    calls: int = 1  # HTTP calls this answer took (1: no retry underneath)


class ModelProvider(Protocol):
    name: str

    def complete(self, request: ModelRequest) -> ModelResponse:
        """Return the model's answer or raise a domain error (transient or permanent)."""
        ...


def request_digest(provider: str, model: str, request: ModelRequest, **extra: str) -> str:
    """SHA-256 (hex) of the canonical JSON of what shapes a model's answer: provider, model, prompt
    version, system text, prompt, schema and parameters (plus ``extra``). Not part of it: the step,
    attempt, item, run, timeout and the offline provider's knobs, so a retry, or the same question
    from another step or run, is the same question (the replay cassette's and the response cache's
    keys)."""
    asked = {
        "provider": provider,
        "model": model,
        "prompt_version": request.prompt_version,
        "system": request.system,
        "prompt": request.prompt,
        "schema": request.schema,
        "schema_name": request.schema_name,
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
        **extra,
    }
    canonical = json.dumps(asked, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


CHARS_PER_TOKEN = 4


def estimate_tokens(text: str) -> int:
    """Rough token count (4 characters a token) for providers that report none."""
    return max(1, len(text) // CHARS_PER_TOKEN)
