"""The offline provider: deterministic, schema-valid answers with no network and no keys.

It answers for any agent's output schema (a JSON schema from pydantic): objects, lists
within their bounds, enums, numbers within their limits, strings built from the request's
topic, so that a planner really lists several tasks derived from the topic and a map
really fans out. Same prompt, same answer. Every response says ``provider: offline`` and
every summary starts with ``[offline]`` so nobody mistakes it for a model's work.

It can fail a named step (or one item of a map) a given number of times, transiently or
for good, and wait a configurable latency, so that Retry, compensation and concurrency
can be seen working.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from typing import Any

from orchestrator.core import errors
from orchestrator.core.records import SimulatedFailure, TokenUsage
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
_DEFAULT_LIST_MAX = 4
_EMPTY_LISTS = frozenset({"concerns", "violations", "errors", "blockers"})


class OfflineProvider:
    name = "offline"

    def __init__(self, model: str = OFFLINE_MODEL) -> None:
        self.model = model

    def complete(self, request: ModelRequest) -> ModelResponse:
        raise_simulated_failure(request.simulate_failure, request.phase, request.item, request.attempt)
        if request.latency_ms:
            time.sleep(request.latency_ms / 1000)
        answer = (
            request.offline_answer if request.offline_answer is not None else OfflineAnswer(request).build()
        )
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


def raise_simulated_failure(
    failure: SimulatedFailure | None, step: str, item: int | None, attempt: int
) -> None:
    """Raise the failure a run asked for (``options.simulate_failure``) when it names this step
    (and item), for as many attempts as it says. Tool agents, which call no model, use it too."""
    if failure is None or failure.step != step:
        return
    if failure.item is not None and failure.item != item:
        return
    if failure.times is not None and attempt > failure.times:
        return
    error_type: type[errors.OrchestratorError] = getattr(errors, failure.error)
    limit = "every attempt" if failure.times is None else f"{failure.times} attempt(s)"
    where = step if item is None else f"{step} item {item}"
    raise error_type(
        f"offline provider: simulated {failure.error} in step {where!r} (attempt {attempt}, failing {limit})"
    )


class OfflineAnswer:
    """One deterministic instance of the request's JSON schema."""

    def __init__(self, request: ModelRequest) -> None:
        self.request = request
        self.schema = request.schema or _LEGACY_SCHEMA
        self.defs: dict[str, Any] = self.schema.get("$defs", {})
        self.digest = hashlib.sha256(f"{request.system}\n{request.prompt}".encode()).digest()
        self.topic = _extract(request.prompt, "Topic: ") or "the request"
        self.phrases = _phrases(self.topic)
        self.title = request.title or request.phase.replace("_", " ").title()

    def build(self) -> dict[str, Any]:
        value = self._value(self.schema, "answer", 0)
        return value if isinstance(value, dict) else {"value": value}

    # --- one value per schema node ---------------------------------------------------------
    def _value(self, schema: dict[str, Any], name: str, index: int) -> Any:
        if "$ref" in schema:
            return self._value(self.defs[schema["$ref"].rsplit("/", 1)[-1]], name, index)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][self._byte(name, index) % len(schema["enum"])]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
                return self._value(options[0], name, index)
        kind = schema.get("type", "object")
        if kind == "object":
            properties = schema.get("properties", {})
            return {prop: self._property(sub, prop, index) for prop, sub in properties.items()}
        if kind == "array":
            return self._array(schema, name)
        if kind == "boolean":
            return bool(schema.get("default", True))
        if kind in ("integer", "number"):
            return self._number(schema, name, index, integer=kind == "integer")
        if kind == "string":
            return self._string(schema, name, index)
        return None

    def _property(self, schema: dict[str, Any], name: str, index: int) -> Any:
        if "default" in schema and schema.get("type") == "boolean":
            return schema["default"]
        return self._value(schema, name, index)

    def _array(self, schema: dict[str, Any], name: str) -> list[Any]:
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, _DEFAULT_LIST_MAX)))
        wanted = self.request.list_items
        if name in _EMPTY_LISTS:
            wanted = 0  # nothing concerning in a deterministic answer
        elif wanted is None:
            base = max(low, 1 if name in ("risks", "concerns", "constraints") else 3)
            wanted = base + self._byte(name, 0) % 3
        count = max(low, min(high, wanted))
        items = schema.get("items", {"type": "string"})
        return [self._value(items, name, i) for i in range(count)]

    def _number(self, schema: dict[str, Any], name: str, index: int, *, integer: bool) -> float | int:
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        high = schema.get("maximum", schema.get("exclusiveMaximum", low + 100))
        if name in ("confidence", "score") and low <= 0.7 and high >= 0.95:
            low, high = 0.70, 0.95
        span = high - low
        fraction = self._byte(name, index) / 255
        if integer:
            value = int(low + round(span * fraction))
            if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
                value += 1
            if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
                value -= 1
            return value
        result = round(low + span * (0.1 + 0.8 * fraction), 2)
        return min(max(result, low), high)

    def _string(self, schema: dict[str, Any], name: str, index: int) -> str:
        if schema.get("format") == "date-time":
            return "2026-01-01T00:00:00Z"
        verb = _VERBS[(self._byte(name, 0) + index) % len(_VERBS)]
        phrase = self.phrases[(self._byte("phrase", 0) + index) % len(self.phrases)]
        if name == "summary":
            text = f"[offline] {self.title} for '{self.topic[:120]}': {verb.lower()} {phrase} first."
        elif name in ("title", "name"):
            text = f"{verb} {phrase}"
        elif name in ("risk", "risks"):
            text = _RISKS[(self._byte(name, 0) + index) % len(_RISKS)]
        else:
            noun = _NOUNS[(self._byte(name, 0) + index) % len(_NOUNS)]
            text = f"{verb} {noun} of {phrase}"
        text = text[: int(schema.get("maxLength", 10_000))]
        pattern = schema.get("pattern")
        if pattern and not re.search(pattern, text):
            slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[: int(schema.get("maxLength", 60))]
            text = slug if re.search(pattern, slug) else text
        minimum = int(schema.get("minLength", 0))
        return text if len(text) >= minimum else text + "." * (minimum - len(text))

    def _byte(self, name: str, index: int) -> int:
        return hashlib.sha256(self.digest + f"{name}:{index}".encode()).digest()[0]


def _phrases(topic: str) -> list[str]:
    """Pieces of the topic to build items from: its clauses, else groups of its words."""
    parts = [p.strip(" .") for p in re.split(r",|;| and | then |\n", topic) if p.strip(" .")]
    parts = [re.sub(r"^(with|for|and|to|of|the)\s+", "", p, flags=re.IGNORECASE) for p in parts]
    if len(parts) < 3:
        words = topic.split()
        parts += [" ".join(words[i : i + 3]) for i in range(0, len(words), 3)]
    cleaned = list(dict.fromkeys(p[:80] for p in parts if p))
    return cleaned or ["the request"]


def _extract(prompt: str, prefix: str) -> str:
    for line in prompt.splitlines():
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    return ""


_LEGACY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "summary": {"type": "string", "maxLength": 280, "minLength": 1},
        "deliverables": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 20},
        "risks": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    },
}
"""Answer shape when a request carries no schema (the generic phases' ``PhaseOutput``)."""
