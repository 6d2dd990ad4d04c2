"""Delivering events to webhook endpoints: made once per event and endpoint, retried on the
schedule, dead-lettered with the last answer, endpoints disabled when they keep failing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook

from orchestrator.core import constants
from orchestrator.core.records import EventEnvelope
from orchestrator.webhooks.delivery import Deliverer, dispatch
from orchestrator.webhooks.endpoints import create_endpoint, rotate_secret
from orchestrator.webhooks.model import RetrySchedule, WebhookEndpoint
from orchestrator.webhooks.transport import TargetPolicy
from tests.fakes.run_data import RecordingPublisher
from tests.fakes.webhooks import InMemoryWebhookStore, RecordingRetries, ScriptedReceiver


def _public(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


PUBLIC = TargetPolicy(resolver=_public)


def _endpoint(store: InMemoryWebhookStore, types: list[str] | None = None) -> tuple[WebhookEndpoint, str]:
    return create_endpoint(
        store,
        tenant_id="acme",
        url="https://hooks.acme.example/orchestrator",
        event_types=types or [constants.APPROVAL_REQUESTED, constants.ORCHESTRATION_COMPLETED],
        description=None,
        created_by="alice",
        policy=PUBLIC,
    )


def _event(event_type: str = constants.APPROVAL_REQUESTED, tenant: str = "acme") -> EventEnvelope:
    return EventEnvelope(event_type=event_type, correlation_id="c", tenant_id=tenant, run_id="r1")


def _deliverer(
    store: InMemoryWebhookStore, receiver: ScriptedReceiver, schedule: str = "5,300", disable_after: int = 2
) -> tuple[Deliverer, RecordingPublisher]:
    publisher = RecordingPublisher()
    return (
        Deliverer(store, receiver, publisher, RetrySchedule.parse(schedule), disable_after=disable_after),
        publisher,
    )


def test_an_event_reaches_each_subscribed_endpoint_signed_and_once_however_often_the_bus_repeats_it() -> None:
    # Given two endpoints of acme, one wanting approvals, and one of globex
    store = InMemoryWebhookStore()
    wanted, secret = _endpoint(store)
    _endpoint(store, [constants.ORCHESTRATION_COMPLETED])
    receiver = ScriptedReceiver([200])
    deliverer, _ = _deliverer(store, receiver)
    retries = RecordingRetries()
    event = _event()
    # When the bus hands the approval event over twice
    for _ in range(2):
        dispatch(
            event, deliverer=deliverer, retries=retries, time_left_ms=lambda: 60_000, attempt_needs_ms=20_000
        )
    # Then the subscribed endpoint got it once, verifiable with its secret, and nothing was scheduled
    assert len(receiver.requests) == 1
    url, body, headers = receiver.requests[0]
    assert url == wanted.url
    assert Webhook(secret).verify(body, headers)["type"] == constants.APPROVAL_REQUESTED
    assert retries.scheduled == {}
    (delivery,) = store.deliveries("acme", wanted.endpoint_id, limit=10, cursor=None)[0]
    assert delivery.status == "delivered" and delivery.attempt_count == 1 and delivery.last_status_code == 200


def test_a_failing_endpoint_is_retried_on_the_schedule_then_dead_lettered_with_its_last_answer() -> None:
    store = InMemoryWebhookStore()
    endpoint, _ = _endpoint(store)
    receiver = ScriptedReceiver([500])
    deliverer, _ = _deliverer(store, receiver, schedule="5,300", disable_after=5)
    retries = RecordingRetries()
    # When the first attempt fails, the retry is scheduled about 5 s later (+-10%)
    dispatch(
        _event(), deliverer=deliverer, retries=retries, time_left_ms=lambda: 60_000, attempt_needs_ms=20_000
    )
    ((name, delay),) = retries.scheduled.items()
    assert 4 <= delay <= 6
    delivery_id = name.split("-", 1)[1]
    # And the next attempts follow the schedule until it is exhausted
    second = deliverer.attempt("acme", endpoint.endpoint_id, delivery_id)
    assert not second.done and 270 <= (second.delay_seconds or 0) <= 330
    third = deliverer.attempt("acme", endpoint.endpoint_id, delivery_id)
    assert third.done and third.status == "dead_lettered"
    # Then the log holds every attempt and the last answer; the endpoint is still enabled (1 < 5)
    delivery = store.delivery("acme", endpoint.endpoint_id, delivery_id)
    assert delivery is not None
    assert [a.status_code for a in delivery.attempts] == [500, 500, 500]
    assert delivery.last_response == "answer 500" and delivery.dead_lettered_at is not None
    assert "3 attempts" in (delivery.dead_letter_reason or "")
    assert store.endpoint("acme", endpoint.endpoint_id).status == "enabled"  # type: ignore[union-attr]
    # And an attempt after the end sends nothing more
    assert deliverer.attempt("acme", endpoint.endpoint_id, delivery_id).done
    assert len(receiver.requests) == 3


def test_an_endpoint_dead_lettered_again_and_again_is_disabled_and_the_tenant_told_once() -> None:
    store = InMemoryWebhookStore()
    endpoint, _ = _endpoint(store)
    deliverer, publisher = _deliverer(store, ScriptedReceiver([503]), schedule="", disable_after=2)
    retries = RecordingRetries()
    for _ in range(3):
        dispatch(
            _event(), deliverer=deliverer, retries=retries, time_left_ms=lambda: 60_000, attempt_needs_ms=1
        )
    disabled = store.endpoints("acme")[0]
    assert disabled.status == "disabled" and "2 deliveries in a row" in (disabled.disabled_reason or "")
    (told,) = publisher.of_type(constants.WEBHOOK_ENDPOINT_DISABLED)
    assert told.tenant_id == "acme" and told.payload["endpoint_id"] == endpoint.endpoint_id
    # the third event found the endpoint disabled: no delivery made for it
    assert len(store.deliveries("acme", endpoint.endpoint_id, limit=10, cursor=None)[0]) == 2


def test_a_success_between_dead_letters_starts_the_count_again() -> None:
    store = InMemoryWebhookStore()
    endpoint, _ = _endpoint(store)
    receiver = ScriptedReceiver([500, 200, 500, 500])
    deliverer, publisher = _deliverer(store, receiver, schedule="", disable_after=2)
    for _ in range(3):
        dispatch(
            _event(),
            deliverer=deliverer,
            retries=RecordingRetries(),
            time_left_ms=lambda: 9,
            attempt_needs_ms=1,
        )
    assert store.endpoint("acme", endpoint.endpoint_id).dead_letters_in_a_row == 1  # type: ignore[union-attr]
    assert publisher.of_type(constants.WEBHOOK_ENDPOINT_DISABLED) == []


def test_410_gone_disables_the_endpoint_at_once() -> None:
    store = InMemoryWebhookStore()
    endpoint, _ = _endpoint(store)
    deliverer, publisher = _deliverer(store, ScriptedReceiver([410]))
    dispatch(
        _event(), deliverer=deliverer, retries=RecordingRetries(), time_left_ms=lambda: 9, attempt_needs_ms=1
    )
    assert store.endpoint("acme", endpoint.endpoint_id).status == "disabled"  # type: ignore[union-attr]
    assert len(publisher.of_type(constants.WEBHOOK_ENDPOINT_DISABLED)) == 1


def test_without_time_for_an_attempt_the_first_attempt_is_scheduled_at_once() -> None:
    store = InMemoryWebhookStore()
    _endpoint(store)
    receiver = ScriptedReceiver([200])
    deliverer, _ = _deliverer(store, receiver)
    retries = RecordingRetries()
    dispatch(
        _event(), deliverer=deliverer, retries=retries, time_left_ms=lambda: 1_000, attempt_needs_ms=20_000
    )
    assert receiver.requests == [] and list(retries.scheduled.values()) == [0]


def test_a_retry_signs_with_both_secrets_during_a_rotation_and_with_the_new_one_after() -> None:
    store = InMemoryWebhookStore()
    endpoint, old = _endpoint(store)
    receiver = ScriptedReceiver([500, 200])
    deliverer, _ = _deliverer(store, receiver)
    retries = RecordingRetries()
    dispatch(_event(), deliverer=deliverer, retries=retries, time_left_ms=lambda: 60_000, attempt_needs_ms=1)
    # When the secret is rotated before the retry
    _, new = rotate_secret(store, "acme", endpoint.endpoint_id, grace_seconds=3600)
    delivery_id = next(iter(retries.scheduled)).split("-", 1)[1]
    assert deliverer.attempt("acme", endpoint.endpoint_id, delivery_id).status == "delivered"
    # Then the retry verifies with either secret
    _, body, headers = receiver.requests[-1]
    Webhook(new).verify(body, headers)
    Webhook(old).verify(body, headers)
    # And once the grace period is over only the new secret signs
    later = datetime.now(UTC) + timedelta(hours=2)
    assert store.endpoint("acme", endpoint.endpoint_id).signing_secrets(later) == [new]  # type: ignore[union-attr]


def test_a_delivery_waiting_for_its_endpoint_that_was_deleted_is_dead_lettered_without_a_request() -> None:
    store = InMemoryWebhookStore()
    endpoint, _ = _endpoint(store)
    receiver = ScriptedReceiver([500])
    deliverer, _ = _deliverer(store, receiver)
    retries = RecordingRetries()
    dispatch(_event(), deliverer=deliverer, retries=retries, time_left_ms=lambda: 60_000, attempt_needs_ms=1)
    store.update_endpoint("acme", endpoint.endpoint_id, status="deleted")
    delivery_id = next(iter(retries.scheduled)).split("-", 1)[1]
    outcome = deliverer.attempt("acme", endpoint.endpoint_id, delivery_id)
    assert outcome.status == "dead_lettered" and len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("text", "error"),
    [("5,x", "'x' is not a whole number"), ("-1", "'-1'"), (",".join(["1"] * 21), "at most 20")],
)
def test_a_malformed_schedule_is_refused_naming_the_entry(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        RetrySchedule.parse(text)


def test_the_default_schedule_retries_for_hours_with_jitter_and_honours_retry_after() -> None:
    schedule = RetrySchedule.parse(constants.DEFAULT_WEBHOOK_RETRY_SCHEDULE)
    assert sum(schedule.delays) / 3600 > 24 and schedule.max_attempts == 8
    rng = random.Random(7)
    delays = [schedule.delay_after(2, rng=rng) or 0 for _ in range(50)]  # 5 minutes +-10%
    assert min(delays) >= 270 and max(delays) <= 330 and len(set(delays)) > 10
    assert schedule.delay_after(1, retry_after=120, rng=rng) == 120
    assert schedule.delay_after(1, retry_after=99_999, rng=rng) == RetrySchedule.MAX_RETRY_AFTER
    assert schedule.delay_after(8) is None


class _SealingBox:
    """Seals by reversing and tagging with the tenant and endpoint (a stand-in for KMS)."""

    def seal(self, tenant_id: str, endpoint_id: str, secret: str) -> str:
        return f"sealed:{tenant_id}:{endpoint_id}:{secret[::-1]}"

    def open(self, tenant_id: str, endpoint_id: str, sealed: str) -> str:
        prefix = f"sealed:{tenant_id}:{endpoint_id}:"
        assert sealed.startswith(prefix), "opened for another tenant or endpoint"
        return sealed.removeprefix(prefix)[::-1]


def test_secrets_are_kept_sealed_and_opened_only_to_sign() -> None:
    store, box = InMemoryWebhookStore(), _SealingBox()
    endpoint, secret = create_endpoint(
        store,
        tenant_id="acme",
        url="https://hooks.acme.example/x",
        event_types=[constants.APPROVAL_REQUESTED],
        description=None,
        created_by="alice",
        policy=PUBLIC,
        box=box,
    )
    _, rotated = rotate_secret(store, "acme", endpoint.endpoint_id, grace_seconds=60, box=box)
    kept = store.endpoint("acme", endpoint.endpoint_id)
    assert kept is not None and secret not in str(kept.model_dump()) and rotated not in str(kept.model_dump())
    receiver = ScriptedReceiver([200])
    deliverer = Deliverer(store, receiver, RecordingPublisher(), RetrySchedule.parse(""), box=box)
    dispatch(
        _event(), deliverer=deliverer, retries=RecordingRetries(), time_left_ms=lambda: 9, attempt_needs_ms=1
    )
    _, body, headers = receiver.requests[0]
    Webhook(secret).verify(body, headers)
    Webhook(rotated).verify(body, headers)
