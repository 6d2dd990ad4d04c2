"""Bedrock through the Converse API: the request (forced tool, cache point), the native answer,
usage and price, error mapping, and exactly one HTTP attempt per call (no retries in boto3).

Answers and service errors come from botocore's Stubber; the attempt count, timeouts and
transport faults from a ``before-send`` hook on the provider's own client (the last step before
the HTTP request would leave the machine), so boto3's retry handler runs as in production."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.stub import ANY, Stubber

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
from orchestrator.providers.bedrock_provider import (
    DEFAULT_BEDROCK_MODEL,
    BedrockProvider,
    supports_prompt_caching,
)
from orchestrator.providers.pricing import cost_usd

SCHEMA = {
    "type": "object",
    "title": "Design",
    "properties": {"summary": {"type": "string"}, "risks": {"type": "array", "items": {"type": "string"}}},
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
    timeout_seconds=12.0,
)
ANSWER = {"summary": "ok", "risks": ["cost"]}


def _runtime_client() -> Any:
    return boto3.client("bedrock-runtime", region_name="us-east-1")


def _converse_response(
    content: list[dict[str, Any]], usage: dict[str, int] | None = None, stop: str = "tool_use"
) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": usage or {"inputTokens": 10, "outputTokens": 5, "totalTokens": 15},
        "metrics": {"latencyMs": 120},
    }


def _tool_use(answer: dict[str, Any], name: str = "design_answer") -> dict[str, Any]:
    return {"toolUse": {"toolUseId": "tooluse_1", "name": name, "input": answer}}


# --- the request and the answer (Stubber) -------------------------------------------------
def test_structured_answer_usage_and_price_come_back_from_the_tool_call() -> None:
    # Given Bedrock answers through the forced tool, with prompt-cache reads and writes
    client = _runtime_client()
    usage = {
        "inputTokens": 1000,
        "outputTokens": 500,
        "totalTokens": 5500,
        "cacheReadInputTokens": 3000,
        "cacheWriteInputTokens": 1000,
    }
    expected_request = {
        "modelId": DEFAULT_BEDROCK_MODEL,
        "system": [{"text": REQUEST.system}, {"cachePoint": {"type": "default"}}],
        "messages": [{"role": "user", "content": [{"text": REQUEST.prompt}]}],
        "inferenceConfig": {"maxTokens": 321},
        "toolConfig": {
            "tools": [
                {
                    "toolSpec": {
                        "name": "design_answer",
                        "description": ANY,
                        "inputSchema": {"json": SCHEMA},
                    }
                }
            ],
            "toolChoice": {"tool": {"name": "design_answer"}},
        },
    }
    with Stubber(client) as stubber:
        stubber.add_response("converse", _converse_response([_tool_use(ANSWER)], usage), expected_request)

        # When the provider completes a request with a schema
        response = BedrockProvider(client=client).complete(REQUEST)

        # Then exactly that request went out (forced tool, cache point after the system prompt)
        stubber.assert_no_pending_responses()

    # And the tool input is the answer, with normalised usage and its price
    assert response.data == ANSWER
    assert json.loads(response.text) == ANSWER
    assert (response.provider, response.model, response.calls) == ("bedrock", DEFAULT_BEDROCK_MODEL, 1)
    assert response.usage == TokenUsage(
        input_tokens=1000, output_tokens=500, cached_input_tokens=3000, cache_write_tokens=1000
    )
    # Claude Sonnet on Bedrock: $3 in, $15 out, $0.30 cache read, $3.75 cache write per million
    assert response.cost_usd == pytest.approx((3.0 * 1000 + 15.0 * 500 + 0.30 * 3000 + 3.75 * 1000) / 1e6)
    assert response.cost_usd == cost_usd("bedrock", DEFAULT_BEDROCK_MODEL, response.usage)


def test_the_tool_description_names_the_step() -> None:
    arguments = BedrockProvider()._arguments(REQUEST)
    description = arguments["toolConfig"]["tools"][0]["toolSpec"]["description"]
    assert "Design" in description and "exactly once" in description


def test_a_temperature_is_sent_only_when_set() -> None:
    # Given one request with a temperature and one without
    provider = BedrockProvider()

    # Then the inference configuration carries it only when it was set
    assert provider._arguments(REQUEST)["inferenceConfig"] == {"maxTokens": 321}
    warm = ModelRequest(system="s", prompt="p", phase="x", max_tokens=50, temperature=0.3)
    assert provider._arguments(warm)["inferenceConfig"] == {"maxTokens": 50, "temperature": 0.3}


def test_a_model_without_prompt_caching_or_forced_tools_gets_neither() -> None:
    # Given a model Bedrock cannot cache prompts for nor force a tool on
    arguments = BedrockProvider(model="meta.llama3-1-70b-instruct-v1:0")._arguments(REQUEST)

    # Then the system prompt has no cache point and the tool is offered, not forced
    assert arguments["system"] == [{"text": REQUEST.system}]
    assert "toolChoice" not in arguments["toolConfig"]
    assert arguments["toolConfig"]["tools"][0]["toolSpec"]["name"] == "design_answer"


def test_without_a_schema_the_answer_is_plain_text() -> None:
    client = _runtime_client()
    plain = ModelRequest(system="s", prompt="p", phase="x")
    with Stubber(client) as stubber:
        stubber.add_response(
            "converse", _converse_response([{"text": "hello "}, {"text": "world"}], stop="end_turn")
        )
        response = BedrockProvider(client=client).complete(plain)
    assert (response.text, response.data) == ("hello world", None)


@pytest.mark.parametrize(
    "content",
    [
        [{"text": "I think the design is fine."}],  # answered in prose
        [_tool_use(ANSWER, name="some_other_tool"), {"text": "I think the design is fine."}],
    ],
    ids=["no tool call", "another tool"],
)
def test_an_answer_outside_the_tool_has_no_data_and_keeps_the_text(content: list[dict[str, Any]]) -> None:
    # Given the model did not call the answer tool
    client = _runtime_client()
    with Stubber(client) as stubber:
        stubber.add_response("converse", _converse_response(content, stop="end_turn"))

        # When the provider completes the request
        response = BedrockProvider(client=client).complete(REQUEST)

    # Then there is no structured answer, and the text is what the caller repairs from
    assert response.data is None
    assert response.text == "I think the design is fine."


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ThrottlingException", 429, ProviderThrottled),
        ("ServiceUnavailableException", 503, ProviderUnavailable),
        ("InternalServerException", 500, ProviderUnavailable),
        ("ModelNotReadyException", 429, ProviderUnavailable),
        ("ModelErrorException", 424, ProviderUnavailable),
        ("ModelTimeoutException", 408, ProviderTimeout),
        ("ValidationException", 400, ProviderRequestRejected),
        ("AccessDeniedException", 403, ProviderNotConfigured),
        ("ResourceNotFoundException", 404, ProviderNotConfigured),
        ("UnrecognizedClientException", 403, ProviderNotConfigured),
    ],
)
def test_service_errors_become_domain_errors(
    code: str, status: int, expected: type[OrchestratorError]
) -> None:
    # Given Bedrock refuses the call with a service error
    client = _runtime_client()
    with Stubber(client) as stubber:
        stubber.add_client_error("converse", service_error_code=code, http_status_code=status)

        # When the provider is called
        with pytest.raises(OrchestratorError) as raised:
            BedrockProvider(client=client).complete(REQUEST)

    # Then the state machine sees the error it retries (or not) by name
    assert type(raised.value) is expected
    assert str(raised.value).startswith("bedrock: ") and f"({code})" in str(raised.value)


# --- one HTTP attempt per call (the provider's own client, before-send hook) ----------------
class _Body(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.read()


class Transport:
    """Answers every HTTP request the client is about to send, and counts them."""

    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome
        self.requests: list[AWSPreparedRequest] = []

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        self.requests.append(request)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        status, headers, body = self.outcome
        return AWSResponse(request.url, status, headers, _Body(json.dumps(body).encode()))


def _provider_over(transport: Transport, timeout: float = REQUEST.timeout_seconds) -> BedrockProvider:
    provider = BedrockProvider(region="us-east-1")
    provider.client_for(timeout).meta.events.register("before-send.bedrock-runtime.Converse", transport)
    return provider


def _error(code: str, status: int) -> tuple[int, dict[str, str], dict[str, str]]:
    return status, {"x-amzn-ErrorType": f"{code}:http://internal.amazon.com/"}, {"message": f"{code} says no"}


def test_a_success_over_http_is_one_request_carrying_the_tool_and_cache_point() -> None:
    # Given Bedrock answers over HTTP
    transport = Transport(
        (200, {"content-type": "application/json"}, _converse_response([_tool_use(ANSWER)]))
    )

    # When the provider completes a request
    response = _provider_over(transport).complete(REQUEST)

    # Then one Converse request went out, with the forced tool and the cache point
    (sent,) = transport.requests
    body = json.loads(sent.body or b"{}")
    assert sent.url.endswith(f"/model/{DEFAULT_BEDROCK_MODEL.replace(':', '%3A')}/converse")
    assert body["toolConfig"]["toolChoice"] == {"tool": {"name": "design_answer"}}
    assert body["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"] == {"json": SCHEMA}
    assert body["system"][-1] == {"cachePoint": {"type": "default"}}
    assert response.data == ANSWER


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (_error("ThrottlingException", 429), ProviderThrottled),
        (_error("ServiceUnavailableException", 503), ProviderUnavailable),
        (_error("ValidationException", 400), ProviderRequestRejected),
        (_error("AccessDeniedException", 403), ProviderNotConfigured),
        (ReadTimeoutError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"), ProviderTimeout),
        (
            EndpointConnectionError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"),
            ProviderUnavailable,
        ),
    ],
    ids=[
        "throttled 429",
        "unavailable 503",
        "validation 400",
        "access denied 403",
        "read timeout",
        "no route",
    ],
)
def test_a_failing_call_is_one_http_request_and_a_named_domain_error(
    outcome: Any, expected: type[OrchestratorError]
) -> None:
    # Given Bedrock fails the call (boto3 would retry all but the last two by default)
    transport = Transport(outcome)

    # When the provider is called
    with pytest.raises(OrchestratorError) as raised:
        _provider_over(transport).complete(REQUEST)

    # Then the domain error names the failure, and boto3 made exactly one attempt
    assert type(raised.value) is expected
    assert len(transport.requests) == 1
    if expected is ProviderThrottled:
        assert isinstance(raised.value, ProviderThrottled) and raised.value.retry_after is None


def test_the_client_makes_one_attempt_and_reads_for_the_request_timeout() -> None:
    # Given a provider that creates its own client
    provider = BedrockProvider(region="eu-west-1")

    # When clients for two timeouts are asked for
    short, again, long = provider.client_for(12.0), provider.client_for(12.0), provider.client_for(30.0)

    # Then each timeout has one cached client: one attempt, 5 s to connect, the timeout to read
    assert short is again and short is not long
    assert short.meta.config.retries == {"total_max_attempts": 1, "mode": "standard"}
    assert (short.meta.config.connect_timeout, short.meta.config.read_timeout) == (5, 12.0)
    assert long.meta.config.read_timeout == 30.0
    assert short.meta.region_name == "eu-west-1"


def test_missing_credentials_are_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given no AWS credentials anywhere (and no instance metadata to ask)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # no credentials remembered from earlier tests
    transport = Transport((200, {}, {}))

    # When the provider is called
    with pytest.raises(ProviderNotConfigured, match="NoCredentialsError"):
        _provider_over(transport).complete(REQUEST)

    # Then nothing was sent
    assert transport.requests == []


@pytest.mark.parametrize(
    ("model_id", "caches"),
    [
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", True),
        ("anthropic.claude-3-7-sonnet-20250219-v1:0", True),
        ("eu.anthropic.claude-3-5-haiku-20241022-v1:0", True),
        ("global.anthropic.claude-opus-4-1-20250805-v1:0", True),
        ("amazon.nova-pro-v1:0", True),
        ("us.amazon.nova-lite-v1:0", True),
        ("anthropic.claude-3-haiku-20240307-v1:0", False),
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", False),
        ("meta.llama3-1-70b-instruct-v1:0", False),
        ("mistral.mistral-large-2407-v1:0", False),
        ("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc", False),
    ],
)
def test_cache_points_go_only_to_models_that_cache_prompts(model_id: str, caches: bool) -> None:
    assert supports_prompt_caching(model_id) is caches
    system = BedrockProvider(model=model_id)._arguments(REQUEST)["system"]
    assert ({"cachePoint": {"type": "default"}} in system) is caches
