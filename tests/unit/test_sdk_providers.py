"""OpenAI and Anthropic providers with an injected client: answers, usage, cost, error mapping."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType, SimpleNamespace
from typing import Any

import anthropic
import httpx2
import openai
import pytest
from anthropic.types import Message
from openai.types.chat import ChatCompletion

from orchestrator.errors import (
    ModelOutputInvalid,
    OrchestratorError,
    ProviderNotConfigured,
    ProviderThrottled,
    ProviderTimeout,
    ProviderUnavailable,
)
from orchestrator.models import TokenUsage
from orchestrator.providers import ModelRequest
from orchestrator.providers.anthropic_provider import DEFAULT_ANTHROPIC_MODEL, AnthropicProvider
from orchestrator.providers.base import estimate_tokens
from orchestrator.providers.openai_provider import DEFAULT_OPENAI_MODEL, OpenAIProvider
from orchestrator.providers.pricing import cost_usd
from orchestrator.providers.sdk_errors import to_domain_error

REQUEST = ModelRequest(
    system="You are the Design agent.", prompt="Topic: bikes", phase="design", max_tokens=321
)


# --- fake SDK clients --------------------------------------------------------------------
class FakeOpenAIClient:
    """``client.chat.completions.create(**kwargs)`` returning a real ChatCompletion, or raising."""

    def __init__(
        self, *, text: str | None = "{}", usage: dict[str, int] | None = None, error: Exception | None = None
    ):
        self.calls: list[dict[str, Any]] = []
        self._text, self._usage, self._error = text, usage, error
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=self._create))

    def _create(self, **kwargs: Any) -> ChatCompletion:
        self.calls.append(kwargs)
        if self._error is not None:
            raise self._error
        return ChatCompletion.model_validate(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": kwargs["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": self._text},
                    }
                ],
                "usage": self._usage,
            }
        )


class FakeAnthropicClient:
    """``client.messages.create(**kwargs)`` returning a real Message, or raising."""

    def __init__(self, *, blocks: list[dict[str, Any]] | None = None, error: Exception | None = None):
        self.calls: list[dict[str, Any]] = []
        self._blocks = blocks if blocks is not None else [{"type": "text", "text": "{}"}]
        self._error = error
        self.messages = SimpleNamespace(create=self._create)

    def _create(self, **kwargs: Any) -> Message:
        self.calls.append(kwargs)
        if self._error is not None:
            raise self._error
        return Message.model_validate(
            {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": kwargs["model"],
                "content": self._blocks,
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": 1000, "output_tokens": 500},
            }
        )


# --- answers, usage and cost -------------------------------------------------------------
def test_openai_answer_and_usage_are_mapped() -> None:
    # Given an OpenAI client that answers with known usage
    client = FakeOpenAIClient(
        text='{"summary": "ok"}',
        usage={"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500},
    )
    provider = OpenAIProvider(api_key="sk-test", client=client)

    # When the provider completes a request
    response = provider.complete(REQUEST)

    # Then the answer, usage and an estimated cost come back
    assert response.text == '{"summary": "ok"}'
    assert (response.provider, response.model) == ("openai", DEFAULT_OPENAI_MODEL)
    assert response.usage == TokenUsage(input_tokens=1000, output_tokens=500)
    assert response.offline is False
    # gpt-4o-mini: $0.15 in / $0.60 out per million tokens
    assert response.cost_usd == pytest.approx(0.00045)
    assert response.cost_usd == cost_usd("openai", DEFAULT_OPENAI_MODEL, response.usage)


def test_openai_request_carries_system_prompt_user_prompt_and_limits() -> None:
    client = FakeOpenAIClient(usage={"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2})
    OpenAIProvider(api_key="sk-test", model="gpt-4.1", client=client).complete(REQUEST)

    (call,) = client.calls
    assert call["model"] == "gpt-4.1"
    assert call["max_tokens"] == 321
    assert call["messages"] == [
        {"role": "system", "content": REQUEST.system},
        {"role": "user", "content": REQUEST.prompt},
    ]


def test_openai_compatible_server_without_usage_gets_estimates_and_no_cost() -> None:
    # Given a local OpenAI-compatible server that reports no usage
    client = FakeOpenAIClient(text="x" * 400, usage=None)
    provider = OpenAIProvider(
        api_key="any",
        model="gpt-4o",
        base_url="http://localhost:8000/v1",
        name="openai_compatible",
        client=client,
    )

    # When it answers
    response = provider.complete(REQUEST)

    # Then tokens are estimated, and a local model costs nothing even with a priced name
    assert response.provider == "openai_compatible"
    assert response.usage.output_tokens == estimate_tokens("x" * 400) == 100
    assert response.usage.input_tokens == estimate_tokens(REQUEST.system + REQUEST.prompt)
    assert response.cost_usd == 0.0


def test_openai_empty_content_becomes_empty_text() -> None:
    client = FakeOpenAIClient(
        text=None, usage={"prompt_tokens": 1, "completion_tokens": 0, "total_tokens": 1}
    )
    assert OpenAIProvider(api_key="k", client=client).complete(REQUEST).text == ""


def test_anthropic_answer_and_usage_are_mapped() -> None:
    # Given an Anthropic client whose answer comes in two text blocks
    client = FakeAnthropicClient(
        blocks=[{"type": "text", "text": '{"summary": '}, {"type": "text", "text": '"ok"}'}]
    )
    provider = AnthropicProvider(api_key="sk-ant-test", client=client)

    # When the provider completes a request
    response = provider.complete(REQUEST)

    # Then the blocks are joined and usage and cost come back
    assert response.text == '{"summary": "ok"}'
    assert (response.provider, response.model) == ("anthropic", DEFAULT_ANTHROPIC_MODEL)
    assert response.usage == TokenUsage(input_tokens=1000, output_tokens=500)
    # claude-sonnet: $3 in / $15 out per million tokens
    assert response.cost_usd == pytest.approx(0.0105)


def test_anthropic_request_carries_system_prompt_user_prompt_and_limits() -> None:
    client = FakeAnthropicClient()
    AnthropicProvider(api_key="k", model="claude-haiku-4-5", client=client).complete(REQUEST)

    (call,) = client.calls
    assert call == {
        "model": "claude-haiku-4-5",
        "max_tokens": 321,
        "system": REQUEST.system,
        "messages": [{"role": "user", "content": REQUEST.prompt}],
    }


def test_anthropic_non_text_blocks_are_ignored() -> None:
    client = FakeAnthropicClient(
        blocks=[
            {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {}},
            {"type": "text", "text": "answer"},
        ]
    )
    assert AnthropicProvider(api_key="k", client=client).complete(REQUEST).text == "answer"


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("claude-opus-4-1", (15.0 * 1000 + 75.0 * 500) / 1e6),
        ("claude-haiku-4-5", (1.0 * 1000 + 5.0 * 500) / 1e6),
        ("gpt-4o-2024-08-06", (2.5 * 1000 + 10.0 * 500) / 1e6),
        ("gpt-4o-mini-2024-07-18", (0.15 * 1000 + 0.60 * 500) / 1e6),
        ("gpt-4.1-mini", (0.40 * 1000 + 1.60 * 500) / 1e6),
        ("gpt-4.1", (2.0 * 1000 + 8.0 * 500) / 1e6),
        ("llama3", 0.0),
    ],
)
def test_cost_uses_the_longest_matching_price(model: str, expected: float) -> None:
    assert cost_usd(
        model.split("/")[0] if "/" in model else "anthropic" if model.startswith("claude") else "openai",
        model.split("/")[-1],
        TokenUsage(input_tokens=1000, output_tokens=500),
    ) == pytest.approx(expected)


# --- SDK errors become domain errors ------------------------------------------------------
def _request(sdk: ModuleType) -> httpx2.Request:
    host = "api.openai.com" if sdk is openai else "api.anthropic.com"
    return httpx2.Request("POST", f"https://{host}/v1/messages")


def _status_error(cls_name: str, status: int) -> Callable[[ModuleType], Exception]:
    def build(sdk: ModuleType) -> Exception:
        cls = getattr(sdk, cls_name)
        response = httpx2.Response(status, request=_request(sdk))
        return cls(f"HTTP {status}", response=response, body=None)  # type: ignore[no-any-return]

    return build


ERROR_CASES: list[tuple[str, Callable[[ModuleType], Exception], type[OrchestratorError]]] = [
    ("timeout", lambda sdk: sdk.APITimeoutError(request=_request(sdk)), ProviderTimeout),
    ("connection", lambda sdk: sdk.APIConnectionError(request=_request(sdk)), ProviderUnavailable),
    ("rate limit 429", _status_error("RateLimitError", 429), ProviderThrottled),
    ("bare status 429", _status_error("APIStatusError", 429), ProviderThrottled),
    ("server error 500", _status_error("InternalServerError", 500), ProviderUnavailable),
    ("unavailable 503", _status_error("InternalServerError", 503), ProviderUnavailable),
    ("auth 401", _status_error("AuthenticationError", 401), ProviderNotConfigured),
    ("forbidden 403", _status_error("PermissionDeniedError", 403), ProviderNotConfigured),
    ("bad request 400", _status_error("BadRequestError", 400), ModelOutputInvalid),
]


def _provider_for(sdk: ModuleType, error: Exception) -> OpenAIProvider | AnthropicProvider:
    if sdk is openai:
        return OpenAIProvider(api_key="k", client=FakeOpenAIClient(error=error))
    return AnthropicProvider(api_key="k", client=FakeAnthropicClient(error=error))


@pytest.mark.parametrize("sdk", [openai, anthropic], ids=["openai", "anthropic"])
@pytest.mark.parametrize(
    ("build", "expected"),
    [(build, expected) for _, build, expected in ERROR_CASES],
    ids=[c[0] for c in ERROR_CASES],
)
def test_sdk_errors_become_domain_errors(
    sdk: ModuleType, build: Callable[[ModuleType], Exception], expected: type[OrchestratorError]
) -> None:
    # Given a provider whose SDK call fails with a real SDK exception
    sdk_error = build(sdk)
    provider = _provider_for(sdk, sdk_error)

    # When the provider is called
    with pytest.raises(OrchestratorError) as raised:
        provider.complete(REQUEST)

    # Then the state machine sees the domain error it retries (or not) by name
    assert type(raised.value) is expected
    assert raised.value.__cause__ is sdk_error
    assert str(raised.value).startswith(f"{provider.name}: {type(sdk_error).__name__}")


def test_anthropic_overloaded_is_transient() -> None:
    error = _status_error("OverloadedError", 529)(anthropic)
    mapped = to_domain_error(anthropic, error, "anthropic")
    assert isinstance(mapped, ProviderUnavailable)
    assert mapped.transient


@pytest.mark.parametrize("sdk", [openai, anthropic], ids=["openai", "anthropic"])
def test_http_408_request_timeout_is_retried(sdk: ModuleType) -> None:
    # Given the provider answered 408 Request Timeout
    error = _status_error("APIStatusError", 408)(sdk)

    # When it is mapped
    mapped = to_domain_error(sdk, error, sdk.__name__)

    # Then it is a transient timeout the state machine retries
    assert isinstance(mapped, ProviderTimeout)
    assert mapped.transient


@pytest.mark.parametrize("sdk", [openai, anthropic], ids=["openai", "anthropic"])
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (409, ProviderUnavailable),
        (404, ProviderNotConfigured),
        (401, ProviderNotConfigured),
        (400, ModelOutputInvalid),
    ],
)
def test_other_statuses_map_to_what_the_caller_can_do(sdk: ModuleType, status: int, expected: type) -> None:
    mapped = to_domain_error(sdk, _status_error("APIStatusError", status)(sdk), sdk.__name__)
    assert type(mapped) is expected
