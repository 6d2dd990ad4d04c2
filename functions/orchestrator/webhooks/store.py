"""Where webhook endpoints and their delivery logs are kept (one tenant's at a time)."""

from __future__ import annotations

from typing import Any, Protocol

from orchestrator.webhooks.model import WebhookDelivery, WebhookEndpoint


class SecretBox(Protocol):
    """Keeps signing secrets sealed at rest (bound to their tenant and endpoint)."""

    def seal(self, tenant_id: str, endpoint_id: str, secret: str) -> str: ...

    def open(self, tenant_id: str, endpoint_id: str, sealed: str) -> str: ...


class UnsealedBox:
    """Secrets kept as they are (a deployment without a secrets key; tests)."""

    def seal(self, tenant_id: str, endpoint_id: str, secret: str) -> str:
        return secret

    def open(self, tenant_id: str, endpoint_id: str, sealed: str) -> str:
        return sealed


class WebhookStore(Protocol):
    def add_endpoint(self, endpoint: WebhookEndpoint) -> None: ...

    def endpoints(self, tenant_id: str) -> list[WebhookEndpoint]:
        """The tenant's endpoints that are not deleted, oldest first."""
        ...

    def endpoint(self, tenant_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        """None: no such endpoint of this tenant (or it was deleted)."""
        ...

    def update_endpoint(
        self, tenant_id: str, endpoint_id: str, *, only_if_status: str | None = None, **fields: Any
    ) -> WebhookEndpoint | None:
        """Set ``fields`` on an endpoint that is not deleted (and has ``only_if_status``, when
        given); None when there is no such endpoint (or its status is another)."""
        ...

    def count_dead_letter(self, tenant_id: str, endpoint_id: str) -> int:
        """One more delivery dead-lettered in a row: the new count."""
        ...

    def add_delivery(self, delivery: WebhookDelivery) -> WebhookDelivery:
        """Keep a new delivery; when one with its id exists (the bus delivered the event again),
        the stored one, unchanged."""
        ...

    def delivery(self, tenant_id: str, endpoint_id: str, delivery_id: str) -> WebhookDelivery | None: ...

    def save_delivery(self, delivery: WebhookDelivery) -> None: ...

    def deliveries(
        self, tenant_id: str, endpoint_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[WebhookDelivery], str | None]:
        """Newest first, a page at a time."""
        ...
