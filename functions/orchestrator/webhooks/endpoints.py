"""A tenant's admins manage its webhook endpoints: register one (its URL checked against the
deployment's target policy now, and again at every attempt), list them, rotate a secret (the old
one keeps signing during a grace period, beside the new one), delete one."""

from __future__ import annotations

from datetime import datetime, timedelta

from orchestrator.core.errors import (
    ConflictError,
    InputsInvalid,
    NotFound,
    SourceFetchFailed,
    SourceFetchRefused,
)
from orchestrator.core.records import utc_now
from orchestrator.webhooks.model import (
    MAX_ENDPOINTS,
    SigningSecret,
    WebhookEndpoint,
    new_endpoint_id,
)
from orchestrator.webhooks.signing import new_secret
from orchestrator.webhooks.store import SecretBox, UnsealedBox, WebhookStore
from orchestrator.webhooks.transport import TargetPolicy


class WebhookUrlRefused(InputsInvalid):
    """The URL is not one this deployment delivers to (400, naming ``body.url`` and why)."""

    def http_body(self) -> dict[str, object]:
        return {"error": type(self).__name__, "message": str(self), "details": self.details}


def check_target_url(url: str, policy: TargetPolicy) -> None:
    """Refuse a URL no delivery could reach: not https (plain http only where allowed), credentials
    in it, or a host resolving to a private, loopback, link-local... address. A host that does not
    resolve now is accepted (its DNS may come later); every attempt checks again."""
    try:
        policy.check(url)
    except SourceFetchRefused as exc:
        message = f"body.url: {exc}"
        raise WebhookUrlRefused(message, [{"location": "body.url", "message": str(exc)}]) from exc
    except SourceFetchFailed:
        return


def create_endpoint(
    store: WebhookStore,
    *,
    tenant_id: str,
    url: str,
    event_types: list[str],
    description: str | None,
    created_by: str,
    policy: TargetPolicy,
    box: SecretBox | None = None,
) -> tuple[WebhookEndpoint, str]:
    """A new enabled endpoint and its secret (the only time the secret is shown; kept sealed)."""
    check_target_url(url, policy)
    if len(store.endpoints(tenant_id)) >= MAX_ENDPOINTS:
        raise ConflictError(f"a tenant has at most {MAX_ENDPOINTS} webhook endpoints: delete one first")
    secret = new_secret()
    now = utc_now()
    endpoint_id = new_endpoint_id()
    sealed = (box or UnsealedBox()).seal(tenant_id, endpoint_id, secret)
    endpoint = WebhookEndpoint(
        tenant_id=tenant_id,
        endpoint_id=endpoint_id,
        url=url,
        event_types=sorted(set(event_types)),
        description=description,
        created_at=now,
        updated_at=now,
        created_by=created_by,
        secrets=[SigningSecret(value=sealed, created_at=now)],
    )
    store.add_endpoint(endpoint)
    return endpoint, secret


def existing(store: WebhookStore, tenant_id: str, endpoint_id: str) -> WebhookEndpoint:
    endpoint = store.endpoint(tenant_id, endpoint_id)
    if endpoint is None:
        raise NotFound(f"webhook endpoint {endpoint_id!r} not found")
    return endpoint


def rotate_secret(
    store: WebhookStore,
    tenant_id: str,
    endpoint_id: str,
    *,
    grace_seconds: int,
    now: datetime | None = None,
    box: SecretBox | None = None,
) -> tuple[WebhookEndpoint, str]:
    """A new current secret; the one it replaces signs beside it for ``grace_seconds`` more (secrets
    rotated out before and past their grace are dropped)."""
    endpoint = existing(store, tenant_id, endpoint_id)
    now = now or utc_now()
    secret = new_secret()
    current = endpoint.secrets[0]
    retired = current.model_copy(update={"expires_at": now + timedelta(seconds=grace_seconds)})
    still_valid = [s for s in endpoint.secrets[1:] if s.expires_at is not None and s.expires_at > now]
    sealed = (box or UnsealedBox()).seal(tenant_id, endpoint_id, secret)
    secrets = [SigningSecret(value=sealed, created_at=now), retired, *still_valid]
    updated = store.update_endpoint(
        tenant_id,
        endpoint_id,
        secrets=[s.model_dump(mode="json") for s in secrets if grace_seconds or s is not retired],
        updated_at=now.isoformat(),
    )
    if updated is None:
        raise NotFound(f"webhook endpoint {endpoint_id!r} not found")
    return updated, secret


def delete_endpoint(store: WebhookStore, tenant_id: str, endpoint_id: str) -> WebhookEndpoint:
    """No more deliveries to it (those waiting for a retry are dead-lettered at their next attempt);
    its delivery log is no longer served and expires with it."""
    existing(store, tenant_id, endpoint_id)
    deleted = store.update_endpoint(
        tenant_id, endpoint_id, status="deleted", updated_at=utc_now().isoformat()
    )
    if deleted is None:
        raise NotFound(f"webhook endpoint {endpoint_id!r} not found")
    return deleted
