"""Delivering a lifecycle event to a tenant's webhook endpoints: one delivery per subscribed
endpoint and event (made once, however often the bus hands the event over), attempted at once,
then retried on the schedule until the endpoint answers 2xx; past the schedule, dead-lettered
with the last answer kept. An endpoint whose deliveries are dead-lettered ``disable_after`` times in
a row (none delivered between), or that answers ``410 Gone``, is disabled, and
``WEBHOOK_ENDPOINT_DISABLED`` tells the tenant (its audit trail, its other endpoints)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from orchestrator.core import constants
from orchestrator.core.events import RunIds, new_envelope
from orchestrator.core.ports import EventPublisher
from orchestrator.core.records import EventEnvelope, new_id, utc_now
from orchestrator.webhooks.model import (
    MAX_ATTEMPTS_KEPT,
    DeliveryAttempt,
    RetrySchedule,
    WebhookDelivery,
    WebhookEndpoint,
    new_delivery,
)
from orchestrator.webhooks.signing import signed_headers
from orchestrator.webhooks.store import SecretBox, UnsealedBox, WebhookStore
from orchestrator.webhooks.transport import Answer

Send = Callable[[str, bytes, Mapping[str, str]], Answer]
"""POST a body with headers to a URL once (``transport.post`` with the deployment's policy)."""


@dataclass(frozen=True)
class Outcome:
    done: bool
    status: str
    delay_seconds: int | None = None  # when not done: seconds until the next attempt


@dataclass
class Deliverer:
    store: WebhookStore
    send: Send
    publisher: EventPublisher
    schedule: RetrySchedule
    disable_after: int = constants.DEFAULT_WEBHOOK_DISABLE_AFTER
    clock: Callable[[], datetime] = field(default=utc_now)
    box: SecretBox = field(default_factory=UnsealedBox)

    def deliveries_for(self, envelope: EventEnvelope) -> list[WebhookDelivery]:
        """The event's delivery to each enabled endpoint of its tenant that asked for its type,
        still to be made (one the bus handed over before and that was made is left alone)."""
        found = []
        for endpoint in self.store.endpoints(envelope.tenant_id):
            if endpoint.wants(envelope.event_type):
                stored = self.store.add_delivery(new_delivery(endpoint, envelope))
                if not stored.final:
                    found.append(stored)
        return found

    def attempt(self, tenant_id: str, endpoint_id: str, delivery_id: str) -> Outcome:
        """One attempt of a delivery, signed now with the endpoint's secrets in force."""
        delivery = self.store.delivery(tenant_id, endpoint_id, delivery_id)
        if delivery is None or delivery.final:
            return Outcome(True, delivery.status if delivery else "missing")
        endpoint = self.store.endpoint(tenant_id, endpoint_id)
        if endpoint is None or endpoint.status != "enabled":
            why = f"the endpoint is {endpoint.status if endpoint else 'deleted'}: not attempted"
            return self._dead_letter(delivery, why, count=False)
        now = self.clock()
        secrets = [self.box.open(tenant_id, endpoint_id, s) for s in endpoint.signing_secrets(now)]
        headers = signed_headers(secrets, delivery.delivery_id, int(now.timestamp()), delivery.body)
        answer = self.send(endpoint.url, delivery.body.encode(), headers)
        self._record(delivery, answer, now)
        if answer.ok:
            return self._delivered(delivery, endpoint, now)
        if answer.status_code == 410:  # the receiver wants no more: stop now, as the specification says
            outcome = self._dead_letter(delivery, "the endpoint answered 410 Gone", count=False)
            self._disable(endpoint, "it answered 410 Gone")
            return outcome
        delay = self.schedule.delay_after(delivery.attempt_count, answer.retry_after)
        if delay is None:
            return self._dead_letter(delivery, f"no 2xx answer in {delivery.attempt_count} attempts")
        delivery.status = "retrying"
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        self.store.save_delivery(delivery)
        return Outcome(False, "retrying", delay)

    def _record(self, delivery: WebhookDelivery, answer: Answer, at: datetime) -> None:
        delivery.attempt_count += 1
        attempt = DeliveryAttempt(
            attempt=delivery.attempt_count,
            at=at,
            duration_ms=answer.duration_ms,
            status_code=answer.status_code,
            error=answer.error,
        )
        delivery.attempts = [*delivery.attempts, attempt][-MAX_ATTEMPTS_KEPT:]
        delivery.last_status_code = answer.status_code
        delivery.last_response = answer.excerpt
        delivery.last_error = answer.error
        delivery.next_attempt_at = None

    def _delivered(self, delivery: WebhookDelivery, endpoint: WebhookEndpoint, now: datetime) -> Outcome:
        delivery.status = "delivered"
        delivery.delivered_at = now
        self.store.save_delivery(delivery)
        if endpoint.dead_letters_in_a_row:
            self.store.update_endpoint(endpoint.tenant_id, endpoint.endpoint_id, dead_letters_in_a_row=0)
        return Outcome(True, "delivered")

    def _dead_letter(self, delivery: WebhookDelivery, reason: str, *, count: bool = True) -> Outcome:
        delivery.status = "dead_lettered"
        delivery.dead_lettered_at = self.clock()
        delivery.dead_letter_reason = reason
        delivery.next_attempt_at = None
        self.store.save_delivery(delivery)
        if count:
            in_a_row = self.store.count_dead_letter(delivery.tenant_id, delivery.endpoint_id)
            endpoint = self.store.endpoint(delivery.tenant_id, delivery.endpoint_id)
            if in_a_row >= self.disable_after and endpoint is not None:
                self._disable(endpoint, f"{in_a_row} deliveries in a row were dead-lettered")
        return Outcome(True, "dead_lettered")

    def _disable(self, endpoint: WebhookEndpoint, reason: str) -> None:
        """Disable the endpoint (once: a second caller finds it disabled) and tell the tenant."""
        disabled = self.store.update_endpoint(
            endpoint.tenant_id,
            endpoint.endpoint_id,
            only_if_status="enabled",
            status="disabled",
            disabled_at=self.clock().isoformat(),
            disabled_reason=reason,
        )
        if disabled is None:
            return
        from orchestrator.core.operator_metrics import webhook_endpoint_disabled

        webhook_endpoint_disabled(tenant_id=endpoint.tenant_id)
        self.publisher.publish(
            new_envelope(
                constants.WEBHOOK_ENDPOINT_DISABLED,
                RunIds(tenant_id=endpoint.tenant_id, run_id=constants.NO_RUN, correlation_id=new_id()),
                payload={"endpoint_id": endpoint.endpoint_id, "url": endpoint.url, "reason": reason},
            )
        )


class Retries(Protocol):
    """Where a delivery's next attempt is scheduled (the retry state machine: a Wait, then one
    attempt, as long as the schedule lasts)."""

    def schedule(self, delivery: WebhookDelivery, delay_seconds: int) -> None: ...


def dispatch(
    envelope: EventEnvelope,
    *,
    deliverer: Deliverer,
    retries: Retries,
    time_left_ms: Callable[[], int],
    attempt_needs_ms: int,
) -> dict[str, str]:
    """Deliver ``envelope`` to every endpoint that asked for it: each delivery attempted now while
    this invocation has time for one more attempt, its retries (or its first attempt, past that
    time) scheduled. A delivery the bus handed over before resumes where it was."""
    statuses: dict[str, str] = {}
    now = deliverer.clock()
    for delivery in deliverer.deliveries_for(envelope):
        if delivery.attempt_count == 0 and time_left_ms() > attempt_needs_ms:
            outcome = deliverer.attempt(delivery.tenant_id, delivery.endpoint_id, delivery.delivery_id)
            statuses[delivery.endpoint_id] = outcome.status
            if outcome.done:
                continue
            delay = outcome.delay_seconds or 0
        else:
            due = delivery.next_attempt_at
            delay = max(0, int((due - now).total_seconds())) if due else 0
            statuses[delivery.endpoint_id] = "scheduled"
        retries.schedule(delivery, delay)
    return statuses
