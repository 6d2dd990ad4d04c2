"""Events published inside a batch go out together when it ends, ten entries a ``PutEvents`` call,
also when the work inside fails; outside a batch each goes out at once (moto's bus, an SQS tap)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import boto3
import pytest

from orchestrator.adapters.eventbridge import FLUSH_MARGIN_MS, EventBridgePublisher
from orchestrator.core import event_batch
from orchestrator.core.errors import OrchestratorError, ProviderThrottled
from orchestrator.core.events import new_envelope
from orchestrator.core.records import EventEnvelope
from tests.integration.conftest import MotoAws


class Counting:
    """The events client, counting its PutEvents calls."""

    def __init__(self) -> None:
        self.client = boto3.client("events")
        self.calls: list[int] = []

    def put_events(self, **kwargs: object) -> object:
        entries = kwargs["Entries"]
        assert isinstance(entries, list)
        answer = self.client.put_events(**kwargs)
        self.calls.append(len(entries))  # once answered: the events are on the bus
        return answer


@dataclass(frozen=True)
class Scope:
    tenant_id: str = "acme"
    run_id: str = "r-1"
    correlation_id: str = "c-1"


def _event(number: int) -> EventEnvelope:
    return new_envelope(
        "PHASE_STARTED",
        Scope(),
        phase=f"step-{number}",
        payload={"number": number},
    )


def test_a_batch_sends_its_events_together_in_order(aws: MotoAws) -> None:
    # Given a publisher on the bus
    events = Counting()
    publisher = EventBridgePublisher(aws.bus_name, events)
    # When twelve events are published inside a batch
    with publisher.batched():
        for number in range(12):
            publisher.publish(_event(number))
            assert event_batch.pending() == number + 1
        assert events.calls == []  # Then nothing went out before the batch ended
    # Then two calls carried them (ten, then two), every one delivered, in order
    assert events.calls == [10, 2]
    phases = [message["detail"]["phase"] for message in aws.published()]
    assert sorted(phases, key=lambda phase: int(phase.split("-")[1])) == [f"step-{n}" for n in range(12)]
    # and outside a batch an event goes out at once
    publisher.publish(_event(99))
    assert events.calls == [10, 2, 1] and event_batch.pending() == 0


def test_a_flush_sends_what_is_held_now(aws: MotoAws) -> None:
    events = Counting()
    publisher = EventBridgePublisher(aws.bus_name, events)
    with publisher.batched():
        publisher.publish(_event(1))
        publisher.publish(_event(2))
        # When the code flushes (after a side effect)
        event_batch.flush()
        # Then what was held went out at once, and what follows waits for the end
        assert events.calls == [2] and event_batch.pending() == 0
        publisher.publish(_event(3))
        event_batch.flush()
        event_batch.flush()  # nothing held: no call
        publisher.publish(_event(4))
    assert events.calls == [2, 1, 1]
    assert len(aws.published()) == 4


def test_a_failed_block_still_sends_its_events_and_its_error_goes_on(aws: MotoAws) -> None:
    events = Counting()
    publisher = EventBridgePublisher(aws.bus_name, events)
    # When the work inside a batch fails after publishing two events
    with pytest.raises(ProviderThrottled), publisher.batched():
        publisher.publish(_event(1))
        publisher.publish(_event(2))
        raise ProviderThrottled("429")
    # Then both went out in one call, and the block's own error reached the caller
    assert events.calls == [2]
    assert len(aws.published()) == 2


def test_a_batch_that_cannot_be_sent_fails_a_block_that_ended_normally_only(aws: MotoAws) -> None:
    publisher = EventBridgePublisher("no-such-bus", boto3.client("events"))
    # a block that ended normally: the sending error, naming the events
    with pytest.raises(OrchestratorError, match="publishing PHASE_STARTED"), publisher.batched():
        publisher.publish(_event(1))
    # a block that failed: its own error, not the sending one
    with pytest.raises(ProviderThrottled), publisher.batched():
        publisher.publish(_event(2))
        raise ProviderThrottled("429")


def _wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_held_events_go_out_before_the_functions_hard_timeout(aws: MotoAws) -> None:
    # Given a function with 2.1 s left: its held events are due 2 s before the hard timeout
    events = Counting()
    publisher = EventBridgePublisher(aws.bus_name, events)
    with publisher.batched(remaining_ms=lambda: FLUSH_MARGIN_MS + 100):
        publisher.publish(_event(1))
        publisher.publish(_event(2))
        # When the step is still busy at that moment (a slow model call, say)
        _wait_for(lambda: events.calls == [2])
        # Then what it held went out, without waiting for the end it may never reach
        assert events.calls == [2] and len(aws.published()) == 2
        # and what it publishes after goes out at once
        publisher.publish(_event(3))
        assert events.calls == [2, 1] and event_batch.pending() == 0
    assert events.calls == [2, 1]  # nothing left for the end


def test_a_block_that_ends_in_time_sends_its_events_once(aws: MotoAws) -> None:
    events = Counting()
    publisher = EventBridgePublisher(aws.bus_name, events)
    with publisher.batched(remaining_ms=lambda: FLUSH_MARGIN_MS + 300):
        publisher.publish(_event(1))
    time.sleep(0.6)  # past the deadline the timer would have had
    assert events.calls == [1]


def test_an_error_sending_at_the_deadline_is_logged_not_lost_silently(
    aws: MotoAws, caplog: pytest.LogCaptureFixture
) -> None:
    publisher = EventBridgePublisher("no-such-bus", boto3.client("events"))
    with publisher.batched(remaining_ms=lambda: FLUSH_MARGIN_MS + 200):
        publisher.publish(_event(1))  # held: sent (and failing) on the timer thread
        _wait_for(lambda: "not published" in caplog.text)
    assert "events held before the timeout were not published" in caplog.text
