"""What webhooks are made of: endpoints (with their signing secrets), deliveries (with their
attempts), the event types an endpoint may ask for, and the retry schedule."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field

from orchestrator.core import constants
from orchestrator.core.ids import new_run_id, run_id_for_event
from orchestrator.core.records import DomainModel, EventEnvelope, utc_now
from orchestrator.core.settings import MAX_RETRIES, retry_delays

RUN_ENDED_EVENT_TYPES = (
    constants.ORCHESTRATION_COMPLETED,  # SUCCEEDED
    constants.ORCHESTRATION_COMPENSATED,  # COMPENSATED
    constants.ORCHESTRATION_REJECTED,  # REJECTED
    constants.ORCHESTRATION_CANCELLED,  # CANCELLED
    constants.COMPENSATION_FAILED,  # COMPENSATION_FAILED
)
"""The events that end a run (their payload's ``status`` is the run's final status)."""
WEBHOOK_EVENT_TYPES = (
    constants.ORCHESTRATION_QUEUED,
    constants.ORCHESTRATION_STARTED,
    constants.APPROVAL_REQUESTED,
    constants.ERROR_OCCURRED,
    *RUN_ENDED_EVENT_TYPES,
    constants.BUDGET_THRESHOLD_REACHED,
    constants.WEBHOOK_ENDPOINT_DISABLED,
)
"""What an endpoint may subscribe to: a run's milestones, the tenant's budget, its webhooks."""
MAX_ENDPOINTS = 10  # per tenant
MAX_ATTEMPTS_KEPT = 20  # the newest attempts a delivery's log keeps
RESPONSE_EXCERPT_CHARS = 1024  # of an endpoint's answer, in the delivery log
DELIVERY_RETENTION_DAYS = 30
DELETED_ENDPOINT_RETENTION_DAYS = 30
ENDPOINT_ID_PATTERN = r"^wh_[0-9a-hjkmnp-tv-z]{26}$"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix the specification gives secrets, not one

EndpointStatus = Literal["enabled", "disabled", "deleted"]
DeliveryStatus = Literal["pending", "retrying", "delivered", "dead_lettered"]


def new_endpoint_id() -> str:
    return f"wh_{new_run_id()}"


class SigningSecret(DomainModel):
    value: str
    created_at: datetime
    expires_at: datetime | None = None  # a rotated-out secret signs until then


class WebhookEndpoint(DomainModel):
    tenant_id: str
    endpoint_id: str
    url: str
    event_types: list[str]
    description: str | None = None
    status: EndpointStatus = "enabled"
    created_at: datetime = Field(default_factory=utc_now)
    created_by: str
    updated_at: datetime = Field(default_factory=utc_now)
    secrets: list[SigningSecret]  # newest first
    dead_letters_in_a_row: int = 0
    disabled_at: datetime | None = None
    disabled_reason: str | None = None

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets a delivery made at ``now`` is signed with: the current one, and a rotated-out
        one until its grace period ends."""
        return [s.value for s in self.secrets if s.expires_at is None or s.expires_at > now]

    def wants(self, event_type: str) -> bool:
        return self.status == "enabled" and event_type in self.event_types


class DeliveryAttempt(DomainModel):
    attempt: int
    at: datetime
    duration_ms: int
    status_code: int | None = None  # None: no answer (refused, timed out, connection failed)
    error: str | None = None


class WebhookDelivery(DomainModel):
    tenant_id: str
    endpoint_id: str
    delivery_id: str
    """Time-sortable and the same for every attempt (and every redelivery of the bus event): the
    ``webhook-id`` header, a receiver's idempotency key."""
    event_id: str
    event_type: str
    run_id: str
    body: str
    """What every attempt sends, fixed when the delivery is made (the signature covers it)."""
    status: DeliveryStatus = "pending"
    created_at: datetime = Field(default_factory=utc_now)
    attempts: list[DeliveryAttempt] = Field(default_factory=list)
    attempt_count: int = 0
    last_status_code: int | None = None
    last_response: str | None = None
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    dead_lettered_at: datetime | None = None
    dead_letter_reason: str | None = None

    @property
    def final(self) -> bool:
        return self.status in ("delivered", "dead_lettered")


def webhook_body(envelope: EventEnvelope) -> str:
    """The body of a delivery, as the specification recommends: ``type``, ``timestamp`` (when the
    event happened) and ``data``: the event's envelope (ids, phase, payload). Minified JSON."""
    envelope_json = envelope.model_dump(mode="json")
    data = {key: envelope_json[key] for key in ("event_id", "tenant_id", "run_id", "correlation_id")}
    data |= {"phase": envelope_json["phase"], "payload": envelope_json["payload"]}
    return json.dumps(
        {"type": envelope.event_type, "timestamp": envelope_json["timestamp"], "data": data},
        separators=(",", ":"),
    )


def new_delivery(endpoint: WebhookEndpoint, envelope: EventEnvelope) -> WebhookDelivery:
    event_ms = int(envelope.timestamp.timestamp() * 1000)
    return WebhookDelivery(
        tenant_id=endpoint.tenant_id,
        endpoint_id=endpoint.endpoint_id,
        # one id per event and endpoint, the same however often the bus delivers the event
        delivery_id=run_id_for_event(f"{envelope.event_id}/{endpoint.endpoint_id}", event_ms),
        event_id=envelope.event_id,
        event_type=envelope.event_type,
        run_id=envelope.run_id,
        body=webhook_body(envelope),
    )


@dataclass(frozen=True)
class RetrySchedule:
    """Seconds to wait before each retry of a failed delivery; past the last, the delivery is
    dead-lettered. Each wait gets +-10% jitter (so retries of many deliveries do not arrive as one
    wave); a ``Retry-After`` the endpoint answered lengthens a wait (at most to an hour)."""

    delays: tuple[int, ...]

    MAX_RETRIES = MAX_RETRIES
    MAX_RETRY_AFTER = 3600

    @classmethod
    def parse(cls, text: str) -> RetrySchedule:
        return cls(retry_delays(text))

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1

    def delay_after(
        self, attempts_made: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> int | None:
        """Seconds before the next attempt once ``attempts_made`` have failed; None: no more."""
        if attempts_made > len(self.delays):
            return None
        base = self.delays[attempts_made - 1]
        jittered = base * (rng or random).uniform(0.9, 1.1)
        if retry_after is not None:
            jittered = max(jittered, min(retry_after, self.MAX_RETRY_AFTER))
        return max(0, round(jittered))


def in_days(days: int, now: datetime | None = None) -> int:
    """Epoch seconds ``days`` from now (a DynamoDB TTL)."""
    return int(((now or utc_now()) + timedelta(days=days)).timestamp())


def public_view(endpoint: WebhookEndpoint, now: datetime | None = None) -> dict[str, Any]:
    """An endpoint as the API shows it: never its secrets (shown once, when made or rotated)."""
    now = now or utc_now()
    view = endpoint.model_dump(mode="json", exclude={"secrets", "tenant_id"})
    current = endpoint.secrets[0] if endpoint.secrets else None
    view["secret_created_at"] = current.created_at.isoformat() if current else None
    grace = [s.expires_at for s in endpoint.secrets[1:] if s.expires_at is not None and s.expires_at > now]
    view["previous_secret_expires_at"] = max(grace).isoformat() if grace else None
    return view
