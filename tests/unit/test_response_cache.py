"""The response cache: what makes two requests the same question, and how invalidation works."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from orchestrator.adapters.dynamodb_response_cache import MAX_ANSWER_BYTES
from orchestrator.core.errors import InvalidRequest
from orchestrator.core.records import TokenUsage
from orchestrator.llm.response_cache import CachedAnswer, cache_key
from orchestrator.providers.base import ModelRequest, ModelResponse
from tests.fakes.response_cache import InMemoryResponseCache

REQUEST = ModelRequest(
    system="You are a planner.",
    prompt="Plan the launch.",
    phase="plan",
    schema={"type": "object", "properties": {"steps": {"type": "array"}}},
    schema_name="plan",
    agent="planner",
    prompt_version="v2",
    temperature=0.2,
    max_tokens=800,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def answer(text: str = "the plan", **overrides: Any) -> CachedAnswer:
    fields: dict[str, Any] = {
        "text": text,
        "data": {"steps": ["a", "b"]},
        "usage": TokenUsage(input_tokens=120, output_tokens=40),
        "provider": "anthropic",
        "model": "claude-x",
        "cost_usd": 0.0021,
        "agent": "planner",
        "prompt_version": "v2",
        "created_at": datetime(2025, 1, 2, tzinfo=UTC),
    }
    return CachedAnswer(**(fields | overrides))


def ask(cache: InMemoryResponseCache, tenant: str, request: ModelRequest = REQUEST) -> CachedAnswer | None:
    """What a model step does: the current generation, then the key, then the lookup."""
    generation = cache.generation(tenant, request.agent, request.prompt_version)
    return cache.get(tenant, cache_key("anthropic", "claude-x", request, generation))


def remember(cache: InMemoryResponseCache, tenant: str, request: ModelRequest = REQUEST) -> None:
    generation = cache.generation(tenant, request.agent, request.prompt_version)
    key = cache_key("anthropic", "claude-x", request, generation)
    cache.put(tenant, key, answer(prompt_version=request.prompt_version), ttl_seconds=3600)


@pytest.mark.parametrize(
    "change",
    [
        {"system": "You are a reviewer."},
        {"prompt": "Plan the launch!"},
        {"prompt_version": "v3"},
        {"schema": {"type": "object", "properties": {"steps": {"type": "string"}}}},
        {"schema": None},
        {"schema_name": "answer"},
        {"temperature": 0.3},
        {"temperature": None},
        {"max_tokens": 801},
    ],
    ids=lambda change: next(iter(change)),
)
def test_every_part_that_shapes_the_answer_changes_the_key(change: dict[str, Any]) -> None:
    # Given the key of a request
    before = cache_key("anthropic", "claude-x", REQUEST, "a0.p0")
    # When one part that shapes the answer changes
    after = cache_key("anthropic", "claude-x", dataclasses.replace(REQUEST, **change), "a0.p0")
    # Then the key is another one
    assert after != before


def test_provider_model_and_generation_change_the_key_and_the_asking_step_does_not() -> None:
    base = cache_key("anthropic", "claude-x", REQUEST, "a0.p0")
    assert cache_key("openai", "claude-x", REQUEST, "a0.p0") != base
    assert cache_key("anthropic", "claude-y", REQUEST, "a0.p0") != base
    assert cache_key("anthropic", "claude-x", REQUEST, "a1.p0") != base
    # the same question from another step, attempt or map item is the same question
    other_asker = dataclasses.replace(REQUEST, phase="other", attempt=3, item=7, timeout_seconds=5)
    assert cache_key("anthropic", "claude-x", other_asker, "a0.p0") == base
    assert len(base) == 64 and int(base, 16) >= 0


def test_schema_key_order_does_not_change_the_key() -> None:
    reordered = dataclasses.replace(
        REQUEST, schema={"properties": {"steps": {"type": "array"}}, "type": "object"}
    )
    assert cache_key("anthropic", "claude-x", reordered, "g") == cache_key(
        "anthropic", "claude-x", REQUEST, "g"
    )


def test_a_cached_answer_is_served_again_as_a_response_that_cost_nothing() -> None:
    # Given an answer cached for a tenant
    cache = InMemoryResponseCache(Clock())
    remember(cache, "acme")
    # When the same question is asked again
    hit = ask(cache, "acme")
    # Then the first answer comes back, and as a response it made no call and cost nothing
    assert hit == answer()
    response = hit.to_response()
    assert (response.text, response.data, response.calls, response.cost_usd) == (
        "the plan",
        {"steps": ["a", "b"]},
        0,
        0.0,
    )
    assert response.usage == TokenUsage()


def test_an_answer_is_cached_from_a_provider_response() -> None:
    response = ModelResponse(
        text="t",
        provider="openai",
        model="gpt-x",
        usage=TokenUsage(input_tokens=3),
        cost_usd=0.5,
        data={"a": 1},
    )
    at = datetime(2025, 5, 1, tzinfo=UTC)
    cached = CachedAnswer.of(response, agent="planner", prompt_version="v1", at=at)
    assert (cached.text, cached.data, cached.usage.input_tokens, cached.cost_usd, cached.created_at) == (
        "t",
        {"a": 1},
        3,
        0.5,
        at,
    )


def test_invalidating_an_agent_forgets_every_prompt_version_of_it_only() -> None:
    # Given answers of two prompt versions of the planner, and one of another agent
    cache = InMemoryResponseCache(Clock())
    v3 = dataclasses.replace(REQUEST, prompt_version="v3")
    writer = dataclasses.replace(REQUEST, agent="writer")
    for request in (REQUEST, v3, writer):
        remember(cache, "acme", request)
    # When the planner's cache is invalidated
    generation = cache.invalidate("acme", "planner", None)
    # Then neither planner version is served any more; the writer's answer still is
    assert generation == "a1"
    assert ask(cache, "acme") is None
    assert ask(cache, "acme", v3) is None
    assert ask(cache, "acme", writer) is not None
    assert cache.generation("acme", "planner", "v2") == "a1.p0"


def test_invalidating_one_prompt_version_keeps_the_others() -> None:
    # Given answers of prompt versions v2 and v3
    cache = InMemoryResponseCache(Clock())
    v3 = dataclasses.replace(REQUEST, prompt_version="v3")
    remember(cache, "acme")
    remember(cache, "acme", v3)
    # When only v2 is invalidated (twice)
    cache.invalidate("acme", "planner", "v2")
    generation = cache.invalidate("acme", "planner", "v2")
    # Then v2 is a miss, v3 still a hit; a new v2 answer is cached under the new generation
    assert generation == "a0.p2"
    assert ask(cache, "acme") is None
    assert ask(cache, "acme", v3) is not None
    remember(cache, "acme")
    assert ask(cache, "acme") is not None


def test_an_invalidation_is_the_tenants_own() -> None:
    cache = InMemoryResponseCache(Clock())
    remember(cache, "acme")
    remember(cache, "globex")
    cache.invalidate("globex", "planner", None)
    assert ask(cache, "acme") is not None
    assert ask(cache, "globex") is None


def test_an_expired_answer_is_a_miss() -> None:
    # Given an answer cached for an hour
    clock = Clock()
    cache = InMemoryResponseCache(clock)
    remember(cache, "acme")
    # When the hour has passed (the item may still be in the table: TTL deletes lazily)
    clock.now += 3599
    assert ask(cache, "acme") is not None
    clock.now += 1
    # Then it is not served
    assert ask(cache, "acme") is None


def test_nothing_is_cached_with_a_ttl_of_zero_or_when_the_answer_is_too_large() -> None:
    cache = InMemoryResponseCache(Clock())
    key = cache_key("anthropic", "claude-x", REQUEST, "a0.p0")
    cache.put("acme", key, answer(), ttl_seconds=0)
    assert cache.get("acme", key) is None
    cache.put("acme", key, answer("x" * (MAX_ANSWER_BYTES + 1)), ttl_seconds=60)
    assert cache.get("acme", key) is None


@pytest.mark.parametrize(
    ("agent", "version", "message"),
    [
        ("Planner", "v1", "agent 'Planner' is not an agent name"),
        ("planner#v1", "v1", "is not an agent name"),
        ("planner", "1", "prompt version '1' is not a prompt version"),
        ("planner", "v1#x", "is not a prompt version"),
    ],
)
def test_agent_names_and_prompt_versions_that_could_break_a_key_are_refused(
    agent: str, version: str, message: str
) -> None:
    cache = InMemoryResponseCache(Clock())
    with pytest.raises(InvalidRequest, match=message):
        cache.generation("acme", agent, version)
    with pytest.raises(InvalidRequest, match=message):
        cache.invalidate("acme", agent, version)
