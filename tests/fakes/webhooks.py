"""In-memory stand-ins for the webhook store, the retry scheduler and the HTTP transport."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orchestrator.webhooks.model import WebhookDelivery, WebhookEndpoint
from orchestrator.webhooks.transport import Answer


class InMemoryWebhookStore:
    """``WebhookStore`` as the DynamoDB one behaves (deleted endpoints unseen, deliveries made once)."""

    def __init__(self) -> None:
        self.endpoints_by_key: dict[tuple[str, str], WebhookEndpoint] = {}
        self.deliveries_by_key: dict[tuple[str, str, str], WebhookDelivery] = {}

    def add_endpoint(self, endpoint: WebhookEndpoint) -> None:
        self.endpoints_by_key[(endpoint.tenant_id, endpoint.endpoint_id)] = endpoint.model_copy(deep=True)

    def endpoints(self, tenant_id: str) -> list[WebhookEndpoint]:
        found = [e for (t, _), e in self.endpoints_by_key.items() if t == tenant_id and e.status != "deleted"]
        return [e.model_copy(deep=True) for e in sorted(found, key=lambda e: e.created_at)]

    def endpoint(self, tenant_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        found = self.endpoints_by_key.get((tenant_id, endpoint_id))
        return found.model_copy(deep=True) if found is not None and found.status != "deleted" else None

    def update_endpoint(
        self, tenant_id: str, endpoint_id: str, *, only_if_status: str | None = None, **fields: Any
    ) -> WebhookEndpoint | None:
        found = self.endpoint(tenant_id, endpoint_id)
        if found is None or (only_if_status is not None and found.status != only_if_status):
            return None
        updated = WebhookEndpoint.model_validate(found.model_dump(mode="json") | fields)
        self.endpoints_by_key[(tenant_id, endpoint_id)] = updated
        return updated.model_copy(deep=True)

    def count_dead_letter(self, tenant_id: str, endpoint_id: str) -> int:
        found = self.endpoints_by_key.get((tenant_id, endpoint_id))
        if found is None:
            return 0
        found.dead_letters_in_a_row += 1
        return found.dead_letters_in_a_row

    def add_delivery(self, delivery: WebhookDelivery) -> WebhookDelivery:
        key = (delivery.tenant_id, delivery.endpoint_id, delivery.delivery_id)
        self.deliveries_by_key.setdefault(key, delivery.model_copy(deep=True))
        return self.deliveries_by_key[key].model_copy(deep=True)

    def delivery(self, tenant_id: str, endpoint_id: str, delivery_id: str) -> WebhookDelivery | None:
        found = self.deliveries_by_key.get((tenant_id, endpoint_id, delivery_id))
        return found.model_copy(deep=True) if found else None

    def save_delivery(self, delivery: WebhookDelivery) -> None:
        key = (delivery.tenant_id, delivery.endpoint_id, delivery.delivery_id)
        self.deliveries_by_key[key] = delivery.model_copy(deep=True)

    def deliveries(
        self, tenant_id: str, endpoint_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[WebhookDelivery], str | None]:
        found = [d for (t, e, _), d in self.deliveries_by_key.items() if (t, e) == (tenant_id, endpoint_id)]
        ordered = sorted(found, key=lambda d: d.delivery_id, reverse=True)
        start = int(cursor or 0)
        page = ordered[start : start + limit]
        more = start + limit < len(ordered)
        return [d.model_copy(deep=True) for d in page], str(start + limit) if more else None


@dataclass
class RecordingRetries:
    """Remembers what was scheduled (once per delivery, as the named executions are)."""

    scheduled: dict[str, int] = field(default_factory=dict)

    def schedule(self, delivery: WebhookDelivery, delay_seconds: int) -> None:
        self.scheduled.setdefault(f"{delivery.endpoint_id}-{delivery.delivery_id}", delay_seconds)


@dataclass
class ScriptedReceiver:
    """Answers each POST with the next scripted status (the last one repeats); keeps every request."""

    statuses: list[int] = field(default_factory=lambda: [200])
    requests: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)
    retry_after: float | None = None

    def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        self.requests.append((url, body, dict(headers)))
        status = self.statuses[min(len(self.requests), len(self.statuses)) - 1]
        return Answer(status, f"answer {status}", None, 3, self.retry_after)
