"""Provider circuits: Powertools' breaker logic on an in-memory store, with a controlled clock."""

from __future__ import annotations

import threading
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from aws_lambda_powertools.utilities.circuit_breaker import base as powertools_base
from aws_lambda_powertools.utilities.circuit_breaker.persistence import base as powertools_persistence

from orchestrator.core.errors import (
    CircuitOpen,
    ModelOutputInvalid,
    ProviderNotConfigured,
    ProviderRequestRejected,
    ProviderThrottled,
    ProviderTimeout,
    ProviderUnavailable,
)
from orchestrator.llm.circuits import ProviderCircuits
from tests.fakes import circuits as fake_circuits
from tests.fakes.circuits import InMemoryCircuitStore, SharedCircuitTable

from .circuit_calls import Provider, fail


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """One clock for us, Powertools and the fake store (Powertools reads datetime.now())."""
    clock = Clock()
    fake_dt = SimpleNamespace(datetime=SimpleNamespace(now=lambda: datetime.fromtimestamp(clock.now)))
    for module in (powertools_base, powertools_persistence, fake_circuits):
        monkeypatch.setattr(module, "dt", fake_dt)
    return clock


@pytest.fixture
def table() -> SharedCircuitTable:
    return SharedCircuitTable()


def instance(table: SharedCircuitTable, clock: Clock, **options: Any) -> ProviderCircuits:
    """One function instance: its own store object (and state cache) on the shared table."""
    settings: dict[str, Any] = {"failure_threshold": 3, "open_seconds": 30, "state_cache_seconds": 0}
    return ProviderCircuits(InMemoryCircuitStore(table), clock=clock, **(settings | options))


def test_a_healthy_provider_is_called_and_its_answer_returned(
    clock: Clock, table: SharedCircuitTable
) -> None:
    circuits = instance(table, clock)
    provider = Provider()
    assert circuits.call("anthropic", provider) == "answer"
    assert provider.calls == 1
    assert not circuits.is_open("anthropic")


@pytest.mark.parametrize(
    "error", [ProviderUnavailable("503"), ProviderTimeout("slow"), ProviderThrottled("429", retry_after=2)]
)
def test_transient_failures_in_a_row_open_the_circuit_and_then_the_provider_is_not_called(
    clock: Clock, table: SharedCircuitTable, error: Exception
) -> None:
    # Given a provider failing for a passing reason, one failure short of the threshold
    circuits = instance(table, clock)
    fail(circuits, "anthropic", error, 2)
    assert not circuits.is_open("anthropic")
    # When it fails once more
    fail(circuits, "anthropic", error, 1)
    # Then its circuit is open: the next call is refused without reaching the provider
    assert circuits.is_open("anthropic")
    provider = Provider()
    with pytest.raises(CircuitOpen, match="the anthropic circuit is open"):
        circuits.call("anthropic", provider)
    assert provider.calls == 0
    # and other providers are not affected
    assert circuits.call("openai", Provider()) == "answer"


def test_the_circuit_one_instance_opens_is_open_for_every_other(
    clock: Clock, table: SharedCircuitTable
) -> None:
    # Given two function instances sharing the table
    first, second = instance(table, clock), instance(table, clock)
    assert not second.is_open("anthropic")
    # When the provider fails repeatedly through the first
    fail(first, "anthropic", ProviderUnavailable("503"), 3)
    # Then the second refuses to call it too
    assert second.is_open("anthropic")
    provider = Provider()
    with pytest.raises(CircuitOpen):
        second.call("anthropic", provider)
    assert provider.calls == 0


@pytest.mark.parametrize(
    "error", [ProviderRequestRejected("400"), ModelOutputInvalid("bad json"), ProviderNotConfigured("no key")]
)
def test_permanent_errors_pass_through_and_never_open_the_circuit(
    clock: Clock, table: SharedCircuitTable, error: Exception
) -> None:
    circuits = instance(table, clock)
    for _ in range(10):
        with pytest.raises(type(error)) as raised:
            circuits.call("anthropic", Provider(error))
        assert raised.value is error
    assert not circuits.is_open("anthropic")
    # and they do not add to a streak of transient failures either
    fail(circuits, "anthropic", ProviderUnavailable("503"), 2)
    fail(circuits, "anthropic", ProviderRequestRejected("400"), 1)
    assert not circuits.is_open("anthropic")


def test_a_success_ends_a_streak_of_failures(clock: Clock, table: SharedCircuitTable) -> None:
    circuits = instance(table, clock)
    fail(circuits, "anthropic", ProviderTimeout("slow"), 2)
    circuits.call("anthropic", Provider())
    fail(circuits, "anthropic", ProviderTimeout("slow"), 2)
    assert not circuits.is_open("anthropic")


def test_failures_further_apart_than_the_window_do_not_add_up(
    clock: Clock, table: SharedCircuitTable
) -> None:
    # Given two failures, then a minute and more without calls
    circuits = instance(table, clock, failure_window_seconds=60)
    fail(circuits, "anthropic", ProviderUnavailable("503"), 2)
    clock.now += 61
    # When it fails again, the old failures no longer count
    fail(circuits, "anthropic", ProviderUnavailable("503"), 1)
    assert not circuits.is_open("anthropic")
    # Then failures within the window do
    clock.now += 10
    fail(circuits, "anthropic", ProviderUnavailable("503"), 2)
    assert circuits.is_open("anthropic")


def test_after_open_seconds_one_probe_goes_through_and_its_success_closes_the_circuit(
    clock: Clock, table: SharedCircuitTable
) -> None:
    # Given an open circuit, shared by two instances
    first, second = instance(table, clock), instance(table, clock)
    fail(first, "anthropic", ProviderUnavailable("503"), 3)
    clock.now += 29
    assert second.is_open("anthropic")
    # When its open time is up
    clock.now += 1
    assert not second.is_open("anthropic")  # the next call may probe
    provider = Provider()
    # Then a call reaches the provider, and its success closes the circuit for both
    assert second.call("anthropic", provider) == "answer"
    assert provider.calls == 1
    assert not first.is_open("anthropic")
    assert first.call("anthropic", Provider()) == "answer"


def test_a_failed_probe_opens_the_circuit_again(clock: Clock, table: SharedCircuitTable) -> None:
    circuits = instance(table, clock)
    fail(circuits, "anthropic", ProviderUnavailable("503"), 3)
    clock.now += 30
    # one transient failure of the probe is enough: the circuit is open for another 30 s
    fail(circuits, "anthropic", ProviderTimeout("slow"), 1)
    assert circuits.is_open("anthropic")
    clock.now += 29
    assert circuits.is_open("anthropic")
    clock.now += 1
    assert circuits.call("anthropic", Provider()) == "answer"


def test_while_one_caller_probes_the_others_are_refused(clock: Clock, table: SharedCircuitTable) -> None:
    # Given an open circuit whose time is up
    first, second = instance(table, clock), instance(table, clock)
    fail(first, "anthropic", ProviderUnavailable("503"), 3)
    clock.now += 30
    seen: dict[str, Any] = {}

    def other_instance_meanwhile() -> None:
        seen["is_open"] = second.is_open("anthropic")
        try:
            second.call("anthropic", Provider())
        except CircuitOpen as exc:
            seen["refused"] = exc

    def probe() -> str:
        thread = threading.Thread(target=other_instance_meanwhile)
        thread.start()
        thread.join()
        return "answer"

    # When one caller's probe is under way, another instance asks
    assert first.call("anthropic", probe) == "answer"
    # Then that one is refused (one probe at a time); the probe's success closed the circuit
    assert seen["is_open"] is True and isinstance(seen["refused"], CircuitOpen)
    assert not second.is_open("anthropic")


def test_a_circuit_forced_open_refuses_calls_for_that_long_then_half_opens(
    clock: Clock, table: SharedCircuitTable
) -> None:
    first, second = instance(table, clock), instance(table, clock)
    first.force_open("anthropic", 90)
    assert second.is_open("anthropic")
    with pytest.raises(CircuitOpen):
        second.call("anthropic", Provider())
    clock.now += 89
    assert second.is_open("anthropic")
    clock.now += 1
    assert second.call("anthropic", Provider()) == "answer"
    assert not first.is_open("anthropic")
    with pytest.raises(ValueError, match="1 to 3600 seconds"):
        first.force_open("anthropic", 0)


def test_an_unreachable_circuit_table_does_not_fail_the_model_call(
    clock: Clock, table: SharedCircuitTable, caplog: pytest.LogCaptureFixture
) -> None:
    # Given the table is down
    circuits = instance(table, clock)
    table.down = True
    # When a call is made, and the provider then keeps failing
    assert circuits.call("anthropic", Provider()) == "answer"
    fail(circuits, "anthropic", ProviderUnavailable("503"), 5)
    # Then the provider is called every time (fail open) and the breaker's problem is logged
    assert not circuits.is_open("anthropic")
    assert circuits.call("anthropic", Provider()) == "answer"
    assert "circuit" in caplog.text.lower()


def test_a_probe_election_that_cannot_be_written_still_calls_the_provider(
    clock: Clock, table: SharedCircuitTable, caplog: pytest.LogCaptureFixture
) -> None:
    # Given an instance that has read an open circuit (and caches it) whose time is then up
    circuits = instance(table, clock, state_cache_seconds=60)
    fail(circuits, "anthropic", ProviderUnavailable("503"), 3)
    clock.now += 30
    # When the table goes down before the probe is elected
    table.down = True
    provider = Provider()
    # Then the provider is called anyway, and the failure logged
    assert circuits.call("anthropic", provider) == "answer"
    assert provider.calls == 1
    assert "calling the provider without its circuit" in caplog.text
