"""Provider circuits on the Circuits table (moto): two ``ProviderCircuits`` are two function
instances sharing it. Powertools reads the wall clock, so the open time is 1 s and tests wait."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from orchestrator.adapters.dynamodb_circuits import circuit_persistence
from orchestrator.core.constants import PK, SK, TTL_ATTRIBUTE
from orchestrator.core.errors import (
    CircuitOpen,
    ProviderRequestRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from orchestrator.llm.circuits import PARTITION, ProviderCircuits
from tests.integration.conftest import MotoAws
from tests.unit.circuit_calls import Provider, fail


def instance(aws: MotoAws, **options: Any) -> ProviderCircuits:
    settings: dict[str, Any] = {"failure_threshold": 2, "open_seconds": 1, "state_cache_seconds": 0}
    persistence = circuit_persistence(aws.tables["Circuits"], boto3.client("dynamodb"))
    return ProviderCircuits(persistence, **settings | options)


def stored(aws: MotoAws, provider: str) -> dict[str, Any] | None:
    table = boto3.resource("dynamodb").Table(aws.tables["Circuits"])
    item: dict[str, Any] | None = table.get_item(
        Key={PK: PARTITION, SK: f"provider#{provider}"}, ConsistentRead=True
    ).get("Item")
    return item


def wait_until_closed_for_calls(circuits: ProviderCircuits, provider: str, limit: float = 3.0) -> None:
    deadline = time.monotonic() + limit
    while circuits.is_open(provider):
        assert time.monotonic() < deadline, "the circuit did not reach its probe time"
        time.sleep(0.05)


def test_failures_through_one_instance_open_the_circuit_for_the_other(aws: MotoAws) -> None:
    # Given two function instances
    first, second = instance(aws), instance(aws)
    # When the provider fails repeatedly through the first
    fail(first, "anthropic", ProviderUnavailable("503"), 2)
    # Then the second refuses to call it, and the shared state is in the table
    assert second.is_open("anthropic")
    provider = Provider()
    with pytest.raises(CircuitOpen, match="the anthropic circuit is open"):
        second.call("anthropic", provider)
    assert provider.calls == 0
    item = stored(aws, "anthropic")
    assert item is not None and item["state"] == "OPEN"
    assert int(item[TTL_ATTRIBUTE]) > time.time()  # an abandoned circuit expires
    assert not second.is_open("openai")


def test_permanent_errors_never_open_the_circuit(aws: MotoAws) -> None:
    first, second = instance(aws), instance(aws)
    fail(first, "anthropic", ProviderRequestRejected("400: prompt too long"), 5)
    assert not second.is_open("anthropic")
    assert second.call("anthropic", Provider()) == "answer"
    assert stored(aws, "anthropic") is None  # the healthy path writes nothing


def test_after_the_open_time_a_probe_success_closes_it_for_everyone(aws: MotoAws) -> None:
    # Given a circuit opened through the first instance
    first, second = instance(aws), instance(aws)
    fail(first, "anthropic", ProviderTimeout("slow"), 2)
    with pytest.raises(CircuitOpen):
        second.call("anthropic", Provider())
    # When its open time is up, the second instance's call probes the provider and succeeds
    wait_until_closed_for_calls(second, "anthropic")
    provider = Provider()
    assert second.call("anthropic", provider) == "answer"
    # Then the circuit is closed for both
    assert provider.calls == 1
    item = stored(aws, "anthropic")
    assert item is not None and item["state"] == "CLOSED"
    assert not first.is_open("anthropic")
    assert first.call("anthropic", Provider()) == "answer"


def test_a_failed_probe_opens_it_again(aws: MotoAws) -> None:
    # open for 3 s: the stored open time has whole seconds, so a 1 s window can be over in a few ms
    first, second = instance(aws, open_seconds=3), instance(aws, open_seconds=3)
    fail(first, "anthropic", ProviderUnavailable("503"), 2)
    opened_at = int(stored(aws, "anthropic")["opened_at"])  # type: ignore[index]
    wait_until_closed_for_calls(second, "anthropic", limit=5.0)
    fail(second, "anthropic", ProviderUnavailable("503"), 1)
    item = stored(aws, "anthropic")
    assert item is not None and item["state"] == "OPEN" and int(item["opened_at"]) >= opened_at
    assert "half_open_owner" not in item
    with pytest.raises(CircuitOpen):
        first.call("anthropic", Provider())


def test_a_forced_open_circuit_shows_the_fallback_path(aws: MotoAws) -> None:
    first, second = instance(aws), instance(aws)
    first.force_open("openai", 2)
    assert second.is_open("openai")
    with pytest.raises(CircuitOpen):
        second.call("openai", Provider())
    wait_until_closed_for_calls(second, "openai", limit=4.0)
    assert second.call("openai", Provider()) == "answer"
    assert not first.is_open("openai")


def test_without_its_table_the_breaker_fails_open(aws: MotoAws) -> None:
    # Given a breaker whose table does not exist (misconfigured, or DynamoDB unreachable)
    circuits = ProviderCircuits(
        circuit_persistence("no-such-table"), failure_threshold=1, state_cache_seconds=0
    )
    # When calls fail and succeed
    fail(circuits, "anthropic", ProviderUnavailable("503"), 3)
    provider = Provider()
    # Then every call still reaches the provider
    assert circuits.call("anthropic", provider) == "answer"
    assert provider.calls == 1
    assert not circuits.is_open("anthropic")
