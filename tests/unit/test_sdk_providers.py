"""The parts of the SDK providers below the wire: SDK exceptions -> domain errors, Retry-After,
keeping keys out of messages, pydantic schema -> OpenAI strict schema, prices, injected clients.

(The providers over a mocked HTTP transport are in test_provider_http_transport.py.)"""

from __future__ import annotations

import copy
import email.utils
from collections.abc import Callable
from enum import StrEnum
from types import ModuleType, SimpleNamespace
from typing import Any, Literal

import anthropic
import httpx2
import openai
import pytest
from anthropic.types import Message
from pydantic import BaseModel, Field, ValidationError

from orchestrator.core.errors import (
    ModelOutputInvalid,
    OrchestratorError,
    ProviderNotConfigured,
    ProviderRequestRejected,
    ProviderThrottled,
    ProviderTimeout,
    ProviderUnavailable,
)
from orchestrator.core.records import TokenUsage
from orchestrator.providers import ModelRequest
from orchestrator.providers.anthropic_provider import AnthropicProvider
from orchestrator.providers.json_schema import drop_added_nulls, is_strict_expressible, strict_json_schema
from orchestrator.providers.pricing import cost_usd
from orchestrator.providers.sdk_errors import redact, retry_after_seconds, to_domain_error


# --- SDK errors become domain errors ------------------------------------------------------
def _request(sdk: ModuleType) -> httpx2.Request:
    host = "api.openai.com" if sdk is openai else "api.anthropic.com"
    return httpx2.Request("POST", f"https://{host}/v1/messages")


def _status_error(
    cls_name: str, status: int, headers: dict[str, str] | None = None
) -> Callable[..., Exception]:
    def build(sdk: ModuleType) -> Exception:
        cls = getattr(sdk, cls_name)
        response = httpx2.Response(status, request=_request(sdk), headers=headers)
        return cls(f"HTTP {status}", response=response, body=None)

    return build


ERROR_CASES: list[tuple[str, Callable[[ModuleType], Exception], type[OrchestratorError]]] = [
    ("timeout", lambda sdk: sdk.APITimeoutError(request=_request(sdk)), ProviderTimeout),
    ("connection", lambda sdk: sdk.APIConnectionError(request=_request(sdk)), ProviderUnavailable),
    ("rate limit 429", _status_error("RateLimitError", 429), ProviderThrottled),
    ("bare status 429", _status_error("APIStatusError", 429), ProviderThrottled),
    ("request timeout 408", _status_error("APIStatusError", 408), ProviderTimeout),
    ("conflict 409", _status_error("ConflictError", 409), ProviderUnavailable),
    ("server error 500", _status_error("InternalServerError", 500), ProviderUnavailable),
    ("unavailable 503", _status_error("InternalServerError", 503), ProviderUnavailable),
    ("auth 401", _status_error("AuthenticationError", 401), ProviderNotConfigured),
    ("forbidden 403", _status_error("PermissionDeniedError", 403), ProviderNotConfigured),
    ("unknown model 404", _status_error("NotFoundError", 404), ProviderNotConfigured),
    ("bad request 400", _status_error("BadRequestError", 400), ProviderRequestRejected),
    ("too large 413", _status_error("APIStatusError", 413), ProviderRequestRejected),
    ("unprocessable 422", _status_error("UnprocessableEntityError", 422), ProviderRequestRejected),
]


@pytest.mark.parametrize("sdk", [openai, anthropic], ids=["openai", "anthropic"])
@pytest.mark.parametrize(
    ("build", "expected"),
    [(build, expected) for _, build, expected in ERROR_CASES],
    ids=[c[0] for c in ERROR_CASES],
)
def test_sdk_errors_become_domain_errors(
    sdk: ModuleType, build: Callable[[ModuleType], Exception], expected: type[OrchestratorError]
) -> None:
    # Given a real SDK exception
    sdk_error = build(sdk)

    # When it is mapped
    mapped = to_domain_error(sdk, sdk_error, "prov")

    # Then the state machine sees the domain error it retries (or not) by name
    assert type(mapped) is expected
    assert str(mapped).startswith(f"prov: {type(sdk_error).__name__}")


def test_anthropic_overloaded_529_is_transient() -> None:
    mapped = to_domain_error(anthropic, _status_error("OverloadedError", 529)(anthropic), "anthropic")
    assert isinstance(mapped, ProviderUnavailable)
    assert mapped.transient


def test_a_rejected_request_is_permanent() -> None:
    mapped = to_domain_error(openai, _status_error("BadRequestError", 400)(openai), "openai")
    assert isinstance(mapped, ProviderRequestRejected)
    assert not mapped.transient


@pytest.mark.parametrize("sdk", [openai, anthropic], ids=["openai", "anthropic"])
def test_a_throttled_error_carries_retry_after(sdk: ModuleType) -> None:
    error = _status_error("RateLimitError", 429, {"retry-after": "12"})(sdk)
    mapped = to_domain_error(sdk, error, "p")
    assert isinstance(mapped, ProviderThrottled) and mapped.retry_after == 12.0


def test_an_injected_client_is_used_and_its_errors_are_mapped() -> None:
    # Given an Anthropic provider with an injected client that fails
    error = anthropic.APITimeoutError(request=_request(anthropic))

    def create(**_: Any) -> Message:
        raise error

    provider = AnthropicProvider(api_key="k", client=SimpleNamespace(messages=SimpleNamespace(create=create)))

    # When it is called
    with pytest.raises(ProviderTimeout) as raised:
        provider.complete(ModelRequest(system="s", prompt="p", phase="x"))

    # Then the SDK error is the cause of the domain error
    assert raised.value.__cause__ is error


# --- Retry-After and keys ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "junk", "retry-after": "4"}, 4.0),
        ({"retry-after": email.utils.formatdate(1_000_060, usegmt=True)}, 60.0),
        ({"retry-after": email.utils.formatdate(999_000, usegmt=True)}, 0.0),  # in the past
        ({"retry-after": "-5"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_in_every_documented_form(
    headers: dict[str, str], expected: float | None
) -> None:
    assert retry_after_seconds(httpx2.Headers(headers), now=1_000_000) == expected


def test_retry_after_without_headers_is_unknown() -> None:
    assert retry_after_seconds(None) is None


def test_redact_removes_the_key_and_anything_shaped_like_one() -> None:
    text = "bad key sk-live-123 and sk-proj-AbCdEf123456 and key-abcdef0123"
    cleaned = redact(text, secret="sk-live-123")
    assert "sk-live-123" not in cleaned and "AbCdEf123456" not in cleaned and "abcdef0123" not in cleaned
    assert cleaned.startswith("bad key [redacted]")
    assert len(redact("x" * 5000)) <= 500


# --- pydantic schema -> OpenAI strict schema -------------------------------------------------
class Severity(StrEnum):
    low = "low"
    high = "high"


class Risk(BaseModel):
    title: str = Field(description="What could go wrong", min_length=3, max_length=80)
    severity: Severity = Severity.low
    likelihood: float = Field(default=0.5, ge=0, le=1)


class Design(BaseModel):
    kind: Literal["design"] = "design"
    summary: str
    risks: list[Risk] = Field(default_factory=list, max_length=10)
    main_risk: Risk | None = None
    owner: str | None = None
    contact: str = Field(default="", json_schema_extra={"format": "email"})
    pair: tuple[str, int] | None = None


def _objects(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found += _objects(value)
    elif isinstance(node, list):
        for value in node:
            found += _objects(value)
    return found


def _keys(node: Any) -> set[str]:
    """The schema keywords used anywhere in ``node`` (property and definition names aside)."""
    keys: set[str] = set()
    if isinstance(node, list):
        for value in node:
            keys |= _keys(value)
    elif isinstance(node, dict):
        for key, value in node.items():
            keys.add(key)
            named = key in ("properties", "$defs") and isinstance(value, dict)
            for sub in value.values() if named else [value]:
                keys |= _keys(sub)
    return keys


def test_strict_schema_requires_every_property_and_forbids_extra_ones() -> None:
    # Given an agent's output model with optional, nested, enum and defaulted fields
    original = Design.model_json_schema()
    before = copy.deepcopy(original)

    # When it is converted for strict mode
    strict = strict_json_schema(original)

    # Then every object (the root and each definition) lists all its properties as required
    objects = _objects(strict)
    assert len(objects) == 2  # Design and Risk
    for node in objects:
        assert node["additionalProperties"] is False
        assert node["required"] == list(node["properties"])
    # And the input schema is left as it was
    assert original == before


def test_strict_schema_keeps_structure_and_drops_what_strict_mode_refuses() -> None:
    strict = strict_json_schema(Design.model_json_schema())

    # only the keywords strict mode accepts remain
    assert _keys(strict) <= {
        "type",
        "properties",
        "required",
        "items",
        "anyOf",
        "enum",
        "const",
        "$ref",
        "$defs",
        "description",
        "additionalProperties",
    }
    properties = strict["properties"]
    assert properties["summary"] == {"type": "string"}  # required: not nullable
    assert properties["kind"] == {"anyOf": [{"const": "design", "type": "string"}, {"type": "null"}]}
    assert properties["owner"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}  # already nullable
    assert properties["risks"] == {
        "anyOf": [{"type": "array", "items": {"$ref": "#/$defs/Risk"}}, {"type": "null"}]
    }
    assert properties["main_risk"] == {"anyOf": [{"$ref": "#/$defs/Risk"}, {"type": "null"}]}
    # a tuple becomes an array of the union of its item types
    assert {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}} in properties[
        "pair"
    ]["anyOf"]
    risk = strict["$defs"]["Risk"]
    assert risk["properties"]["title"] == {"type": "string", "description": "What could go wrong"}
    assert risk["properties"]["severity"]["anyOf"][0] == {"$ref": "#/$defs/Severity"}
    assert strict["$defs"]["Severity"] == {"type": "string", "enum": ["low", "high"]}


def test_strict_schema_folds_oneof_and_allof() -> None:
    schema = {
        "type": "object",
        "properties": {
            "shape": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "inner": {"allOf": [{"$ref": "#/$defs/Inner"}], "description": "the inner part"},
        },
        "required": ["shape", "inner"],
        "$defs": {"Inner": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}},
    }
    strict = strict_json_schema(schema)
    assert strict["properties"]["shape"] == {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    assert strict["properties"]["inner"] == {"$ref": "#/$defs/Inner"}  # strict mode: no siblings of $ref
    assert strict["$defs"]["Inner"]["additionalProperties"] is False


def test_free_form_maps_are_not_strict_expressible() -> None:
    class Counts(BaseModel):
        by_language: dict[str, int]

    class Anything(BaseModel):
        payload: dict[str, Any] = {}

    assert is_strict_expressible(Design.model_json_schema())
    assert not is_strict_expressible(Counts.model_json_schema())
    assert not is_strict_expressible(Anything.model_json_schema())


def test_nulls_strict_mode_added_are_dropped_so_defaults_apply() -> None:
    # Given a strict-mode answer with null for every optional field it had no value for
    schema = Design.model_json_schema()
    answer = {
        "kind": None,
        "summary": "ok",
        "risks": [{"title": "cost", "severity": None, "likelihood": None}],
        "main_risk": None,
        "owner": None,
        "contact": None,
        "pair": None,
    }
    # (as it stands, the answer does not validate)
    with pytest.raises(ValidationError):
        Design.model_validate(answer)

    # When the added nulls are dropped
    cleaned = drop_added_nulls(answer, schema)

    # Then the nulls the schema allows stay, the others give way to the defaults, and it validates
    assert cleaned == {
        "summary": "ok",
        "risks": [{"title": "cost"}],
        "main_risk": None,
        "owner": None,
        "pair": None,
    }
    design = Design.model_validate(cleaned)
    assert design.kind == "design" and design.risks[0].severity is Severity.low and design.contact == ""


def test_a_null_for_a_required_field_is_kept_for_validation_to_report() -> None:
    assert drop_added_nulls({"summary": None}, Design.model_json_schema()) == {"summary": None}
    assert drop_added_nulls({"a": 1}, None) == {"a": 1}


# --- prices ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("provider", "model", "expected"),
    [
        ("anthropic", "claude-opus-4-1", (15.0 * 1000 + 75.0 * 500) / 1e6),
        ("anthropic", "claude-haiku-4-5", (1.0 * 1000 + 5.0 * 500) / 1e6),
        ("openai", "gpt-4o-2024-08-06", (2.5 * 1000 + 10.0 * 500) / 1e6),
        ("openai", "gpt-4o-mini-2024-07-18", (0.15 * 1000 + 0.60 * 500) / 1e6),
        ("openai", "gpt-4.1-mini", (0.40 * 1000 + 1.60 * 500) / 1e6),
        ("openai", "gpt-4.1", (2.0 * 1000 + 8.0 * 500) / 1e6),
        ("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", (3.0 * 1000 + 15.0 * 500) / 1e6),
        ("openai_compatible", "llama3", 0.0),
    ],
)
def test_cost_uses_the_longest_matching_price(provider: str, model: str, expected: float) -> None:
    assert cost_usd(provider, model, TokenUsage(input_tokens=1000, output_tokens=500)) == pytest.approx(
        expected
    )


def test_other_sdk_failures_are_invalid_output() -> None:
    error = openai.APIResponseValidationError(
        response=httpx2.Response(200, request=_request(openai)), body=None, message="bad body"
    )
    assert isinstance(to_domain_error(openai, error, "openai"), ModelOutputInvalid)
