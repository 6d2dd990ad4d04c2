"""The real anthropic and openai SDKs, created by our providers, over a mocked HTTP transport.

What goes over the wire (forced tool / strict response format, cache breakpoints, the per-call
timeout), what comes back (native answer, normalised usage, price), how failures surface (named
domain errors, the provider's Retry-After) and that every call is exactly one HTTP request: the
SDKs never retry underneath the state machine's own retry loop."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from orchestrator.core.errors import (
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
from orchestrator.providers.base import estimate_tokens
from orchestrator.providers.openai_provider import DEFAULT_OPENAI_MODEL, OpenAIProvider
from orchestrator.providers.pricing import cost_usd

ANTHROPIC_KEY = "sk-ant-api03-secretsecretsecret"
ANTHROPIC_MODEL = "claude-sonnet-4-6"  # a current model: the SDK warns about deprecated ones
OPENAI_KEY = "sk-proj-secretsecretsecret"

SCHEMA: dict[str, Any] = {  # what pydantic makes of an agent's output model
    "type": "object",
    "title": "DesignAnswer",
    "properties": {
        "summary": {"type": "string", "title": "Summary", "minLength": 1},
        "risks": {"type": "array", "items": {"type": "string"}, "title": "Risks", "default": []},
        "owner": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None, "title": "Owner"},
    },
    "required": ["summary"],
}
REQUEST = ModelRequest(
    system="You are the Design agent.",
    prompt="Topic: bikes",
    phase="design",
    title="Design",
    max_tokens=321,
    schema=SCHEMA,
    schema_name="design_answer",
    timeout_seconds=12.5,
)
PLAIN = ModelRequest(system="You are terse.", prompt="Say hi", phase="chat", max_tokens=50)
ANSWER = {"summary": "ok", "risks": ["cost"], "owner": None}

Outcome = httpx2.Response | Exception | Callable[[httpx2.Request], httpx2.Response]


class Transport:
    """A mock HTTP transport that answers with ``outcome`` and records every request it saw."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        if isinstance(self.outcome, httpx2.Response):
            return self.outcome
        return self.outcome(request)

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))

    @property
    def body(self) -> dict[str, Any]:
        (request,) = self.requests
        parsed: dict[str, Any] = json.loads(request.content)
        return parsed


def anthropic_over(transport: Transport, model: str = ANTHROPIC_MODEL) -> AnthropicProvider:
    return AnthropicProvider(api_key=ANTHROPIC_KEY, model=model, http_client=transport.client())


def openai_over(transport: Transport, **kwargs: Any) -> OpenAIProvider:
    return OpenAIProvider(api_key=kwargs.pop("api_key", OPENAI_KEY), http_client=transport.client(), **kwargs)


def message(content: list[dict[str, Any]], usage: dict[str, Any] | None = None) -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": ANTHROPIC_MODEL,
            "content": content,
            "stop_reason": "tool_use",
            "stop_sequence": None,
            "usage": usage or {"input_tokens": 10, "output_tokens": 5},
        },
    )


def completion(
    content: str | None, usage: dict[str, Any] | None = None, refusal: str | None = None
) -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": DEFAULT_OPENAI_MODEL,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                }
            ],
            "usage": usage,
        },
    )


# --- Anthropic ------------------------------------------------------------------------------
def test_anthropic_answers_through_the_forced_tool_with_cache_usage_and_price() -> None:
    # Given Anthropic answers through the tool, reading and writing its prompt cache
    usage = {
        "input_tokens": 1000,
        "output_tokens": 500,
        "cache_read_input_tokens": 4000,
        "cache_creation_input_tokens": 2000,
    }
    tool_use = {"type": "tool_use", "id": "toolu_1", "name": "design_answer", "input": ANSWER}
    transport = Transport(message([tool_use], usage))

    # When the provider completes a request with a schema
    response = anthropic_over(transport).complete(REQUEST)

    # Then the tool input is the answer, in one HTTP call
    assert response.data == ANSWER
    assert json.loads(response.text) == ANSWER
    assert (response.provider, response.model, response.calls) == ("anthropic", ANTHROPIC_MODEL, 1)
    assert len(transport.requests) == 1
    # And usage is split into full-price, cache-read and cache-write tokens, priced accordingly
    assert response.usage == TokenUsage(
        input_tokens=1000, output_tokens=500, cached_input_tokens=4000, cache_write_tokens=2000
    )
    # claude-sonnet: $3 in, $15 out, $0.30 cache read, $3.75 cache write per million
    assert response.cost_usd == pytest.approx((3.0 * 1000 + 15.0 * 500 + 0.30 * 4000 + 3.75 * 2000) / 1e6)
    assert response.cost_usd == cost_usd("anthropic", ANTHROPIC_MODEL, response.usage)


def test_anthropic_request_forces_the_answer_tool_and_marks_the_stable_prefix_cacheable() -> None:
    transport = Transport(
        message([{"type": "tool_use", "id": "t", "name": "design_answer", "input": ANSWER}])
    )

    anthropic_over(transport, model="claude-haiku-4-5").complete(REQUEST)

    body = transport.body
    assert body["model"] == "claude-haiku-4-5"
    assert body["max_tokens"] == 321
    assert body["messages"] == [{"role": "user", "content": REQUEST.prompt}]
    # the system prompt is a cacheable block
    assert body["system"] == [
        {"type": "text", "text": REQUEST.system, "cache_control": {"type": "ephemeral"}}
    ]
    # the schema is the one tool, forced, and cacheable too
    (tool,) = body["tools"]
    assert tool["name"] == "design_answer"
    assert tool["input_schema"] == SCHEMA
    assert tool["cache_control"] == {"type": "ephemeral"}
    assert "Design" in tool["description"]
    assert body["tool_choice"] == {"type": "tool", "name": "design_answer"}
    assert "temperature" not in body  # the model's default unless the agent chose one
    # the call carries its own timeout
    request = transport.requests[0]
    assert request.extensions["timeout"]["read"] == 12.5
    assert request.headers["authorization"] == f"Bearer {ANTHROPIC_KEY}"


def test_anthropic_sends_a_chosen_temperature() -> None:
    transport = Transport(message([{"type": "text", "text": "hi"}]))
    anthropic_over(transport).complete(
        ModelRequest(system="s", prompt="p", phase="x", temperature=0.2, timeout_seconds=3.0)
    )
    assert transport.body["temperature"] == 0.2
    assert transport.requests[0].extensions["timeout"]["read"] == 3.0


def test_anthropic_without_a_schema_answers_plain_text() -> None:
    # Given Anthropic answers in two text blocks (and a stray tool call)
    transport = Transport(
        message(
            [
                {"type": "text", "text": "hello "},
                {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {}},
                {"type": "text", "text": "world"},
            ]
        )
    )

    # When a request without a schema is completed
    response = anthropic_over(transport).complete(PLAIN)

    # Then no tool was offered, the text blocks are joined and there is no structured answer
    assert "tools" not in transport.body and "tool_choice" not in transport.body
    assert (response.text, response.data) == ("hello world", None)
    assert response.usage == TokenUsage(input_tokens=10, output_tokens=5)


def test_anthropic_answer_without_the_tool_call_has_no_data_and_keeps_the_text() -> None:
    # Given the model answered in prose instead of calling the answer tool
    transport = Transport(message([{"type": "text", "text": "Here is my design: ..."}]))

    # When the provider completes a request with a schema
    response = anthropic_over(transport).complete(REQUEST)

    # Then there is no structured answer; the text is what the caller repairs from
    assert response.data is None
    assert response.text == "Here is my design: ..."
    assert len(transport.requests) == 1


# --- OpenAI ---------------------------------------------------------------------------------
def test_openai_answers_with_the_strict_schema_and_reads_back_cached_tokens() -> None:
    # Given OpenAI answers the strict schema, with part of the prompt read from its cache
    usage = {
        "prompt_tokens": 3000,
        "completion_tokens": 500,
        "total_tokens": 3500,
        "prompt_tokens_details": {"cached_tokens": 2048},
    }
    transport = Transport(completion(json.dumps(ANSWER), usage))

    # When the provider completes a request with a schema
    response = openai_over(transport).complete(REQUEST)

    # Then the content is the answer, in one HTTP call
    assert response.data == {"summary": "ok", "risks": ["cost"], "owner": None}
    assert (response.provider, response.model, response.calls) == ("openai", DEFAULT_OPENAI_MODEL, 1)
    assert len(transport.requests) == 1
    # And the cached part of the prompt is counted apart from the full-price part
    assert response.usage == TokenUsage(input_tokens=952, output_tokens=500, cached_input_tokens=2048)
    # gpt-4o-mini: $0.15 in, $0.60 out, $0.075 cached per million
    assert response.cost_usd == pytest.approx((0.15 * 952 + 0.60 * 500 + 0.075 * 2048) / 1e6, abs=1e-6)
    assert response.cost_usd == cost_usd("openai", DEFAULT_OPENAI_MODEL, response.usage)


def test_openai_request_carries_the_strict_response_format_and_the_call_timeout() -> None:
    transport = Transport(completion("{}", {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}))

    openai_over(transport, model="gpt-4.1").complete(REQUEST)

    body = transport.body
    assert body["model"] == "gpt-4.1"
    assert body["max_tokens"] == 321
    assert body["messages"] == [
        {"role": "system", "content": REQUEST.system},
        {"role": "user", "content": REQUEST.prompt},
    ]
    assert "temperature" not in body
    response_format = body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "design_answer"
    assert response_format["json_schema"]["strict"] is True
    # strict mode: every property required, no extra ones, optional ones nullable, no titles/bounds
    schema = response_format["json_schema"]["schema"]
    assert schema == {
        "type": "object",
        "properties": {
            "summary": {"type": "string"},
            "risks": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]},
            "owner": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["summary", "risks", "owner"],
        "additionalProperties": False,
    }
    request = transport.requests[0]
    assert request.extensions["timeout"]["read"] == 12.5
    assert request.headers["authorization"] == f"Bearer {OPENAI_KEY}"


def test_openai_null_for_an_optional_field_gives_way_to_its_default() -> None:
    # Given strict mode made the model write null for a field whose type does not allow it
    answer = {"summary": "ok", "risks": None, "owner": None}
    transport = Transport(completion(json.dumps(answer), {"prompt_tokens": 1, "completion_tokens": 1}))

    # When the provider completes the request
    response = openai_over(transport).complete(REQUEST)

    # Then that null is dropped (the default applies); a null the schema allows stays
    assert response.data == {"summary": "ok", "owner": None}


@pytest.mark.parametrize(
    "content", ['{"summary": "ok", "ris', "Sure! Here is the design.", "[1, 2]"], ids=["cut", "prose", "list"]
)
def test_openai_content_that_is_not_a_json_object_has_no_data_and_keeps_the_text(content: str) -> None:
    transport = Transport(completion(content, {"prompt_tokens": 1, "completion_tokens": 1}))

    response = openai_over(transport).complete(REQUEST)

    assert response.data is None
    assert response.text == content
    assert len(transport.requests) == 1


def test_openai_refusal_has_no_data_and_says_why() -> None:
    transport = Transport(completion(None, {"prompt_tokens": 1, "completion_tokens": 1}, refusal="I can't."))

    response = openai_over(transport).complete(REQUEST)

    assert (response.data, response.text) == (None, "I can't.")


def test_openai_without_a_schema_answers_plain_text_without_a_response_format() -> None:
    transport = Transport(completion("hi", {"prompt_tokens": 7, "completion_tokens": 1, "total_tokens": 8}))

    response = openai_over(transport).complete(PLAIN)

    assert "response_format" not in transport.body
    assert (response.text, response.data) == ("hi", None)
    assert response.usage == TokenUsage(input_tokens=7, output_tokens=1)


def test_openai_free_form_map_is_sent_as_a_non_strict_guide() -> None:
    # Given an answer schema with a free-form map, which strict mode would force empty
    schema = {
        "type": "object",
        "properties": {"counts": {"type": "object", "additionalProperties": {"type": "integer"}}},
        "required": ["counts"],
    }
    transport = Transport(completion('{"counts": {"py": 3}}', {"prompt_tokens": 1, "completion_tokens": 1}))

    # When the provider completes it
    response = openai_over(transport).complete(ModelRequest(system="s", prompt="p", phase="x", schema=schema))

    # Then the schema goes as it is, not strict, and the map comes back whole
    json_schema = transport.body["response_format"]["json_schema"]
    assert json_schema["strict"] is False and json_schema["schema"] == schema
    assert response.data == {"counts": {"py": 3}}


def test_openai_compatible_server_without_usage_gets_estimates_and_no_cost() -> None:
    # Given a local OpenAI-compatible server that reports no usage
    transport = Transport(completion("x" * 400, None))
    provider = openai_over(
        transport,
        api_key="not-needed",
        model="gpt-4o",
        base_url="http://localhost:8000/v1",
        name="openai_compatible",
    )

    # When it answers
    response = provider.complete(PLAIN)

    # Then it was asked at its own URL, tokens are estimated, and a local model costs nothing
    assert str(transport.requests[0].url) == "http://localhost:8000/v1/chat/completions"
    assert response.provider == "openai_compatible"
    assert response.usage.output_tokens == estimate_tokens("x" * 400) == 100
    assert response.usage.input_tokens == estimate_tokens(PLAIN.system + PLAIN.prompt)
    assert response.cost_usd == 0.0


# --- failures: one HTTP request each, a named domain error ----------------------------------
def _error(status: int, headers: dict[str, str] | None = None, text: str = "no") -> httpx2.Response:
    return httpx2.Response(status, json={"error": {"type": "error", "message": text}}, headers=headers)


IN_30_SECONDS = "<an HTTP date 30 s from now>"  # made when the test runs, not when it is collected


FAILURES: list[tuple[str, Callable[[], Outcome], type[OrchestratorError]]] = [
    ("429", lambda: _error(429), ProviderThrottled),
    ("503", lambda: _error(503), ProviderUnavailable),
    ("500", lambda: _error(500), ProviderUnavailable),
    ("409", lambda: _error(409), ProviderUnavailable),
    ("400", lambda: _error(400, text="prompt is too long"), ProviderRequestRejected),
    ("413", lambda: _error(413), ProviderRequestRejected),
    ("422", lambda: _error(422), ProviderRequestRejected),
    ("401", lambda: _error(401), ProviderNotConfigured),
    ("403", lambda: _error(403), ProviderNotConfigured),
    ("404", lambda: _error(404, text="model: nope"), ProviderNotConfigured),
    ("read timeout", lambda: httpx2.ReadTimeout("timed out"), ProviderTimeout),
    ("connect timeout", lambda: httpx2.ConnectTimeout("timed out"), ProviderTimeout),
    ("connection refused", lambda: httpx2.ConnectError("refused"), ProviderUnavailable),
]
PROVIDERS: dict[str, Callable[[Transport], AnthropicProvider | OpenAIProvider]] = {
    "anthropic": anthropic_over,
    "openai": openai_over,
}


@pytest.mark.parametrize("provider_name", list(PROVIDERS))
@pytest.mark.parametrize(
    ("build", "expected"), [(b, e) for _, b, e in FAILURES], ids=[name for name, _, _ in FAILURES]
)
def test_a_failing_call_is_one_http_request_and_a_named_domain_error(
    provider_name: str, build: Callable[[], Outcome], expected: type[OrchestratorError]
) -> None:
    # Given the provider's API fails the call (the SDKs would retry most of these by default)
    transport = Transport(build())

    # When the provider is called
    with pytest.raises(OrchestratorError) as raised:
        PROVIDERS[provider_name](transport).complete(REQUEST)

    # Then the state machine sees the error it retries (or not) by name, after exactly one request
    assert type(raised.value) is expected
    assert len(transport.requests) == 1
    assert str(raised.value).startswith(f"{provider_name}: ")


def test_anthropic_overloaded_529_is_one_request_and_transient() -> None:
    transport = Transport(_error(529, text="Overloaded"))

    with pytest.raises(ProviderUnavailable) as raised:
        anthropic_over(transport).complete(REQUEST)

    assert raised.value.transient
    assert len(transport.requests) == 1


@pytest.mark.parametrize("provider_name", list(PROVIDERS))
@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "2.5"}, 2.5),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after": IN_30_SECONDS}, 30.0),
        ({}, None),
    ],
    ids=["seconds", "fractional", "milliseconds first", "http date", "absent"],
)
def test_throttling_carries_the_wait_the_provider_asked_for(
    provider_name: str, headers: dict[str, str], expected: float | None
) -> None:
    # Given the API throttles the call and says how long to wait
    if headers.get("retry-after") == IN_30_SECONDS:
        headers = {"retry-after": email.utils.formatdate(time.time() + 30, usegmt=True)}
    transport = Transport(_error(429, headers=headers, text="rate limited"))

    # When the provider is called
    with pytest.raises(ProviderThrottled) as raised:
        PROVIDERS[provider_name](transport).complete(REQUEST)

    # Then the error carries that wait (for the state machine's backoff), after one request
    if expected is None:
        assert raised.value.retry_after is None
    else:
        date = "GMT" in headers.get("retry-after", "")  # whole seconds, and the clock moves on
        assert raised.value.retry_after == pytest.approx(expected, abs=2.0 if date else 1e-9)
    assert len(transport.requests) == 1


@pytest.mark.parametrize("provider_name", list(PROVIDERS))
def test_error_messages_never_contain_the_api_key(provider_name: str) -> None:
    # Given the API echoes the key it was sent in its error
    key = ANTHROPIC_KEY if provider_name == "anthropic" else OPENAI_KEY
    transport = Transport(_error(401, text=f"Incorrect API key provided: {key}"))

    # When the provider is called
    with pytest.raises(ProviderNotConfigured) as raised:
        PROVIDERS[provider_name](transport).complete(REQUEST)

    # Then the error (which ends up in the run's events and logs) does not carry the key
    assert key not in str(raised.value)
    assert "secretsecret" not in str(raised.value)
    assert "401" in str(raised.value)


def test_openai_embeddings_still_work_over_the_provider_client() -> None:
    def answer(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        data = [
            {"object": "embedding", "index": i, "embedding": [1.0, 0.0]} for i in range(len(body["input"]))
        ]
        return httpx2.Response(
            200, json={"object": "list", "data": data, "model": body["model"], "usage": {}}
        )

    transport = Transport(answer)

    vectors, model = openai_over(transport).embed(["a", "b"], 2)

    assert vectors == [[1.0, 0.0], [1.0, 0.0]] and model == "text-embedding-3-small"
    assert len(transport.requests) == 1
