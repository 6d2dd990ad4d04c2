"""``/webhooks``: a tenant's admins register endpoints that receive its runs' lifecycle events,
signed as Standard Webhooks (https://www.standardwebhooks.com); list them (never their secrets),
rotate a secret, delete one, and read an endpoint's delivery log. Another tenant's endpoint is
not found (404)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from orchestrator.api.request_context import current_container
from orchestrator.api.route_table import CURSOR, NEXT_CURSOR, admin_route, link
from orchestrator.api.schemas import json_answer
from orchestrator.api.security import current_caller
from orchestrator.core.records import RequestModel
from orchestrator.webhooks import endpoints as webhook_endpoints
from orchestrator.webhooks.model import ENDPOINT_ID_PATTERN, WEBHOOK_EVENT_TYPES, public_view

router = Router()

EventType = Annotated[str, Field(json_schema_extra={"enum": list(WEBHOOK_EVENT_TYPES)})]
EndpointId = Annotated[str, Path(pattern=ENDPOINT_ID_PATTERN, description="a webhook endpoint of the tenant")]


class NewWebhookRequest(RequestModel):
    url: str = Field(min_length=8, max_length=2048, description="https URL the deliveries are POSTed to")
    event_types: list[EventType] = Field(
        min_length=1,
        max_length=len(WEBHOOK_EVENT_TYPES),
        description="the event types to receive: " + ", ".join(WEBHOOK_EVENT_TYPES),
    )
    description: str | None = Field(default=None, max_length=200)

    @field_validator("event_types")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in WEBHOOK_EVENT_TYPES]
        if unknown:
            raise ValueError(
                f"unknown event type(s) {', '.join(unknown)}; known: {', '.join(WEBHOOK_EVENT_TYPES)}"
            )
        return value


class WebhookView(BaseModel):
    """A webhook endpoint (its secret is shown only when it is made or rotated)."""

    model_config = ConfigDict(extra="allow")

    endpoint_id: str
    url: str
    event_types: list[str]
    description: str | None = None
    status: str = Field(description="enabled, disabled (its deliveries kept failing) or deleted")
    created_at: str
    created_by: str
    updated_at: str
    dead_letters_in_a_row: int
    disabled_at: str | None = None
    disabled_reason: str | None = None
    secret_created_at: str | None = None
    previous_secret_expires_at: str | None = Field(
        default=None, description="after a rotation: until when the old secret still signs too"
    )


class WebhookWithSecret(WebhookView):
    """The endpoint and its signing secret (``whsec_...``): shown this once, keep it."""

    secret: str


class WebhookList(BaseModel):
    webhooks: list[WebhookView]


class DeliveryList(BaseModel):
    """An endpoint's deliveries, newest first: attempts, status codes, the last answer (its first
    KiB), the next attempt, dead letters."""

    deliveries: list[dict[str, Any]]
    next_cursor: str | None = None


@admin_route(
    router,
    "POST",
    "/webhooks",
    answer=(HTTPStatus.CREATED, WebhookWithSecret),
    statuses=(HTTPStatus.CONFLICT,),
    action="create_webhook",
)
def create_webhook(request: NewWebhookRequest) -> Response[dict[str, Any]]:
    """Register an endpoint for the given event types: the answer holds its secret, shown once.
    The URL must be https and reach a public address (400 naming ``body.url`` otherwise)."""
    caller, container = current_caller(), current_container()
    endpoint, secret = webhook_endpoints.create_endpoint(
        container.webhooks,
        tenant_id=caller.tenant_id,
        url=request.url,
        event_types=request.event_types,
        description=request.description,
        created_by=caller.subject,
        policy=container.webhook_policy,
        box=container.webhook_secrets,
    )
    return json_answer(public_view(endpoint) | {"secret": secret}, HTTPStatus.CREATED)


@admin_route(router, "GET", "/webhooks", answer=(HTTPStatus.OK, WebhookList))
def list_webhooks() -> Response[dict[str, Any]]:
    """The tenant's endpoints (enabled and disabled), without their secrets."""
    found = current_container().webhooks.endpoints(current_caller().tenant_id)
    return json_answer({"webhooks": [public_view(endpoint) for endpoint in found]})


@admin_route(
    router,
    "DELETE",
    "/webhooks/<endpoint_id>",
    answer=(HTTPStatus.OK, WebhookView),
    statuses=(HTTPStatus.NOT_FOUND,),
    action="delete_webhook",
)
def delete_webhook(endpoint_id: EndpointId) -> Response[dict[str, Any]]:
    """No more deliveries to the endpoint (those waiting for a retry are dead-lettered)."""
    deleted = webhook_endpoints.delete_endpoint(
        current_container().webhooks, current_caller().tenant_id, endpoint_id
    )
    return json_answer(public_view(deleted))


@admin_route(
    router,
    "POST",
    "/webhooks/<endpoint_id>/rotate",
    answer=(HTTPStatus.OK, WebhookWithSecret),
    statuses=(HTTPStatus.NOT_FOUND,),
    action="rotate_webhook_secret",
)
def rotate_webhook_secret(endpoint_id: EndpointId) -> Response[dict[str, Any]]:
    """A new secret, shown once; until ``previous_secret_expires_at`` every delivery carries a
    signature by each secret (space-separated), so a receiver may switch at any time in between."""
    container = current_container()
    endpoint, secret = webhook_endpoints.rotate_secret(
        container.webhooks,
        current_caller().tenant_id,
        endpoint_id,
        grace_seconds=container.settings.webhook_rotation_grace_seconds,
        box=container.webhook_secrets,
    )
    return json_answer(public_view(endpoint) | {"secret": secret})


@admin_route(
    router,
    "GET",
    "/webhooks/<endpoint_id>/deliveries",
    answer=(HTTPStatus.OK, DeliveryList),
    statuses=(HTTPStatus.NOT_FOUND, HTTPStatus.BAD_REQUEST, HTTPStatus.UNPROCESSABLE_ENTITY),
    links={
        "NextPage": link(
            "GET",
            "/webhooks/{endpoint_id}/deliveries",
            endpoint_id="$request.path.endpoint_id",
            cursor=NEXT_CURSOR,
        )
    },
)
def list_deliveries(
    endpoint_id: EndpointId,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048, description=CURSOR)] = None,
) -> Response[dict[str, Any]]:
    """The endpoint's delivery log, newest first; pass ``next_cursor`` back for the next page."""
    container, tenant_id = current_container(), current_caller().tenant_id
    webhook_endpoints.existing(container.webhooks, tenant_id, endpoint_id)
    found, next_cursor = container.webhooks.deliveries(tenant_id, endpoint_id, limit=limit, cursor=cursor)
    views = [d.model_dump(mode="json", exclude={"tenant_id", "body"}) for d in found]
    return json_answer({"deliveries": views, "next_cursor": next_cursor})
