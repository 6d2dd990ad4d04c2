"""The response cache on the ModelCache table (moto), and the in-memory fake held to the same contract."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from orchestrator.adapters.dynamodb_response_cache import MAX_ANSWER_BYTES, DynamoResponseCache
from orchestrator.core.constants import PK, SK, TTL_ATTRIBUTE
from orchestrator.core.errors import InvalidRequest
from orchestrator.core.records import TokenUsage
from orchestrator.llm.response_cache import CachedAnswer, cache_key
from orchestrator.providers.base import ModelRequest
from tests.fakes.response_cache import InMemoryResponseCache
from tests.integration.conftest import MotoAws

REQUEST = ModelRequest(
    system="sys", prompt="Summarise the call.", phase="summary", agent="sales_call_reporter"
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def answer(text: str = "Résumé: the buyer wants a pilot ✓") -> CachedAnswer:
    return CachedAnswer(
        text=text,
        data={"next_steps": ["pilot"], "score": 0.75, "nested": {"ok": True, "none": None}},
        usage=TokenUsage(
            input_tokens=1500, output_tokens=300, cached_input_tokens=1000, cache_write_tokens=20
        ),
        provider="anthropic",
        model="claude-x",
        cost_usd=0.004321,
        agent="sales_call_reporter",
        prompt_version="v1",
        created_at=datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC),
    )


def raw_item(aws: MotoAws, tenant: str, sort_key: str) -> dict[str, Any] | None:
    table = boto3.resource("dynamodb").Table(aws.tables["ModelCache"])
    item: dict[str, Any] | None = table.get_item(Key={PK: tenant, SK: sort_key}).get("Item")
    return item


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dynamo_cache(aws: MotoAws, clock: Clock) -> DynamoResponseCache:
    return DynamoResponseCache(aws.tables["ModelCache"], clock=clock)


@pytest.fixture(params=["dynamodb", "in-memory fake"])
def any_cache(request: pytest.FixtureRequest, clock: Clock) -> Iterator[Any]:
    if request.param == "dynamodb":
        yield request.getfixturevalue("dynamo_cache")
    else:
        yield InMemoryResponseCache(clock)


def key_for(cache: Any, tenant: str, request: ModelRequest = REQUEST) -> str:
    return cache_key(
        "anthropic", "claude-x", request, cache.generation(tenant, request.agent, request.prompt_version)
    )


def test_an_answer_round_trips_exactly(any_cache: Any) -> None:
    # Given an answer with non-ASCII text, floats, nested data and every token count
    key = key_for(any_cache, "acme")
    # When it is cached and read back
    any_cache.put("acme", key, answer(), ttl_seconds=600)
    # Then it is the same answer
    assert any_cache.get("acme", key) == answer()


def test_an_answer_past_its_ttl_is_a_miss_though_still_in_the_table(
    aws: MotoAws, dynamo_cache: DynamoResponseCache, clock: Clock
) -> None:
    # Given an answer cached for 10 minutes
    key = key_for(dynamo_cache, "acme")
    dynamo_cache.put("acme", key, answer(), ttl_seconds=600)
    stored = raw_item(aws, "acme", f"answer#{key}")
    assert stored is not None and int(stored[TTL_ATTRIBUTE]) == int(clock.now) + 600
    # When 10 minutes have passed and DynamoDB has not deleted it yet
    clock.now += 599
    assert dynamo_cache.get("acme", key) is not None
    clock.now += 1
    # Then it is not served
    assert raw_item(aws, "acme", f"answer#{key}") is not None
    assert dynamo_cache.get("acme", key) is None


def test_an_oversized_answer_is_skipped_quietly_without_logging_its_text(
    aws: MotoAws, dynamo_cache: DynamoResponseCache, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # Given an answer larger than an item can hold
    key = key_for(dynamo_cache, "acme")
    big = answer("confidential-" * (MAX_ANSWER_BYTES // 13 + 1))
    # When it is cached
    dynamo_cache.put("acme", key, big, ttl_seconds=600)
    # Then nothing is stored, no error is raised and the log does not carry its text
    assert raw_item(aws, "acme", f"answer#{key}") is None
    assert dynamo_cache.get("acme", key) is None
    assert "too large to cache" in caplog.text
    assert "confidential-" not in caplog.text and all(
        "confidential-" not in str(vars(record)) for record in caplog.records
    )


def test_an_answer_just_under_the_limit_is_cached(dynamo_cache: DynamoResponseCache) -> None:
    # (a JSON string is stored as given: a few hundred KB fit in one item)
    key = key_for(dynamo_cache, "acme")
    large = answer("x" * (MAX_ANSWER_BYTES - 1000))
    dynamo_cache.put("acme", key, large, ttl_seconds=600)
    assert dynamo_cache.get("acme", key) == large


def test_a_tenant_cannot_read_another_tenants_answer(aws: MotoAws, any_cache: Any) -> None:
    # Given an answer cached for acme
    key = key_for(any_cache, "acme")
    any_cache.put("acme", key, answer(), ttl_seconds=600)
    # When globex asks with the very same key
    # Then it gets nothing: the answer lives in acme's partition only
    assert any_cache.get("globex", key) is None
    assert any_cache.get("acme", key) is not None
    if isinstance(any_cache, DynamoResponseCache):
        assert raw_item(aws, "acme", f"answer#{key}") is not None
        assert raw_item(aws, "globex", f"answer#{key}") is None


def test_invalidation_by_agent_and_by_version_changes_the_generation(aws: MotoAws, any_cache: Any) -> None:
    # Given a cached answer under the first generation
    assert any_cache.generation("acme", "sales_call_reporter", "v1") == "a0.p0"
    key = key_for(any_cache, "acme")
    any_cache.put("acme", key, answer(), ttl_seconds=600)
    # When the version, then the whole agent, is invalidated
    assert any_cache.invalidate("acme", "sales_call_reporter", "v1") == "a0.p1"
    assert any_cache.invalidate("acme", "sales_call_reporter", None) == "a1"
    assert any_cache.invalidate("acme", "sales_call_reporter", "v1") == "a1.p2"
    # Then the request's key changes, and under it there is no answer; other versions and
    # tenants keep their generation
    assert any_cache.generation("acme", "sales_call_reporter", "v1") == "a1.p2"
    assert any_cache.generation("acme", "sales_call_reporter", "v2") == "a1.p0"
    assert any_cache.generation("globex", "sales_call_reporter", "v1") == "a0.p0"
    assert key_for(any_cache, "acme") != key
    assert any_cache.get("acme", key_for(any_cache, "acme")) is None
    if isinstance(any_cache, DynamoResponseCache):  # the counters' items, and no TTL on them
        agent_item = raw_item(aws, "acme", "generation#sales_call_reporter")
        version_item = raw_item(aws, "acme", "generation#sales_call_reporter#v1")
        assert agent_item is not None and version_item is not None
        assert (agent_item["counter"], version_item["counter"]) == (1, 2)
        assert TTL_ATTRIBUTE not in agent_item and TTL_ATTRIBUTE not in version_item


def test_a_generation_is_its_own_two_counters_among_many(any_cache: Any) -> None:
    # Given counters of versions that sort around v2 ("v1" < "v10" < "v2" < "v3"), and of an agent
    # whose name extends this one's
    for version, bumps in (("v1", 1), ("v10", 3), ("v2", 2), ("v3", 5)):
        for _ in range(bumps):
            any_cache.invalidate("acme", "sales_call", version)
    any_cache.invalidate("acme", "sales_call_reporter", None)
    any_cache.invalidate("acme", "sales_call", None)
    # Then each version's generation is the agent's counter and its own, nothing else
    assert any_cache.generation("acme", "sales_call", "v2") == "a1.p2"
    assert any_cache.generation("acme", "sales_call", "v10") == "a1.p3"
    assert any_cache.generation("acme", "sales_call", "v4") == "a1.p0"
    assert any_cache.generation("acme", "sales_call_reporter", "v2") == "a1.p0"


def test_bad_tenant_ids_and_keys_are_refused_before_any_call(any_cache: Any) -> None:
    with pytest.raises(ValueError, match="tenant id"):
        any_cache.get("Acme#x", "0" * 64)
    with pytest.raises(InvalidRequest, match="64 lowercase hex"):
        any_cache.get("acme", "answer#../other")
    with pytest.raises(InvalidRequest, match="not an agent name"):
        any_cache.invalidate("acme", "", None)
