"""Whole agent steps through the gateway and the REAL anthropic and openai SDKs over a mocked HTTP
transport: how each outcome ends and how many HTTP requests one step made (never multiplied)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from orchestrator.core.records import RunStatus
from orchestrator.providers.anthropic_provider import AnthropicProvider
from orchestrator.providers.base import ModelProvider
from orchestrator.providers.openai_provider import OpenAIProvider

from .template_world import TemplateWorld
from .test_model_gateway import gateway_factory
from .test_provider_http_transport import Transport, completion, message

GOOD = {"summary": "A plan.", "deliverables": ["a deliverable"], "risks": [], "confidence": 0.8}
STEP = "ideation"  # the generic template's first step


def anthropic_answer(data: dict[str, Any] | None) -> Callable[[httpx2.Request], httpx2.Response]:
    def respond(request: httpx2.Request) -> httpx2.Response:
        if data is None:  # the model wrote prose instead of calling the tool
            return message([{"type": "text", "text": "Here is my plan: do it."}])
        tool = json.loads(request.content)["tool_choice"]["name"]  # the step's own answer tool
        return message(
            [{"type": "tool_use", "id": "toolu_1", "name": tool, "input": data}],
            {"input_tokens": 900, "output_tokens": 120, "cache_read_input_tokens": 600},
        )

    return respond


def openai_answer(data: dict[str, Any] | None) -> Callable[[httpx2.Request], httpx2.Response]:
    text = json.dumps(data) if data is not None else "not json"
    return lambda request: completion(text, {"prompt_tokens": 900, "completion_tokens": 120})


PROVIDERS: dict[
    str, tuple[Callable[[httpx2.Client], ModelProvider], Callable[[dict[str, Any] | None], Any]]
] = {
    "anthropic": (
        lambda http: AnthropicProvider(api_key="k", model="claude-sonnet-5-5", http_client=http),
        anthropic_answer,
    ),
    "openai": (lambda http: OpenAIProvider(api_key="k", model="gpt-4.1", http_client=http), openai_answer),
}


def first_step_only(
    outcomes: list[httpx2.Response | Exception], answer: Callable[..., httpx2.Response]
) -> Callable[[httpx2.Request], httpx2.Response]:
    """The first requests get ``outcomes`` in order, every later one a good answer."""
    queue = list(outcomes)

    def respond(request: httpx2.Request) -> httpx2.Response:
        if queue:
            outcome = queue.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome if isinstance(outcome, httpx2.Response) else outcome(request)
        return answer(GOOD)(request)

    return respond


def run(name: str, outcomes: list[Any], **gateway: Any) -> tuple[TemplateWorld, Transport]:
    build, answer = PROVIDERS[name]
    transport = Transport(first_step_only([o(answer) if callable(o) else o for o in outcomes], answer))
    provider = build(transport.client())
    world = TemplateWorld("generic", gateway=gateway_factory(providers=lambda *a: provider, **gateway))
    world.run()
    return world, transport


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_success_is_one_request_with_usage_and_cost(name: str) -> None:
    world, transport = run(name, [])
    assert world.runs.get("acme", world.run_id).status is RunStatus.SUCCEEDED
    assert len(transport.requests) == len(world.template.agent_steps())  # one request a step
    result = world.result(STEP)
    assert result.metadata.model_calls == 1 and result.cost_usd > 0
    assert result.token_usage.output_tokens == 120


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_an_invalid_structured_answer_is_repaired_in_exactly_two_requests(name: str) -> None:
    world, transport = run(name, [lambda answer: answer(None)])
    result = world.result(STEP)
    assert result.status.value == "SUCCEEDED" and result.metadata.model_calls == 2
    steps = len(world.template.agent_steps())
    assert len(transport.requests) == steps + 1


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_twice_invalid_is_model_output_invalid_after_two_requests(name: str) -> None:
    world, transport = run(name, [lambda answer: answer(None), lambda answer: answer(None)])
    assert world.runs.get("acme", world.run_id).status is RunStatus.COMPENSATED
    assert "ModelOutputInvalid" in world.result(STEP).errors[0]
    assert len(transport.requests) == 2


@pytest.mark.parametrize(
    ("status", "headers", "error", "retried"),
    [
        (429, {"retry-after": "30"}, "ProviderThrottled", True),
        (503, {}, "ProviderUnavailable", True),
        (400, {}, "ProviderRequestRejected", False),
        (401, {}, "ProviderNotConfigured", False),
    ],
)
@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_each_failure_is_one_request_per_attempt(
    name: str, status: int, headers: dict[str, str], error: str, retried: bool
) -> None:
    # Given the provider fails the step's first request
    failure = httpx2.Response(status, headers=headers, json={"error": {"type": "x", "message": "no"}})
    world, transport = run(name, [failure])
    # Then the attempt made exactly one request; a transient failure is retried by the state
    # machine (one more attempt, one more request), a permanent one ends the run
    result = world.result(STEP)
    if retried:
        assert result.status.value == "SUCCEEDED" and result.metadata.attempts == 2
        assert len(transport.requests) == len(world.template.agent_steps()) + 1
    else:
        assert result.status.value == "FAILED" and error in result.errors[0]
        assert len(transport.requests) == 1


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_a_read_timeout_is_one_request_and_retried(name: str) -> None:
    world, transport = run(name, [httpx2.ReadTimeout("slow")])
    assert world.result(STEP).metadata.attempts == 2
    assert len(transport.requests) == len(world.template.agent_steps()) + 1


def test_a_short_retry_after_is_waited_in_the_function_in_two_requests() -> None:
    slept: list[float] = []
    throttled = httpx2.Response(
        429,
        headers={"retry-after": "2"},
        json={"error": {"type": "rate_limit_error", "message": "slow down"}},
    )
    world, transport = run("anthropic", [throttled], remaining_ms=lambda: 110_000, sleep=slept.append)
    result = world.result(STEP)
    assert slept == [2.0] and result.metadata.attempts == 1 and result.metadata.model_calls == 2
    assert len(transport.requests) == len(world.template.agent_steps()) + 1
