"""Webhook endpoints and their delivery logs in DynamoDB (the ``Webhooks`` table).

- an endpoint: ``pk = <tenant>``, ``sk = endpoint#<endpoint id>``; a deleted one keeps its item
  (status ``deleted``, unseen by every read) until the TTL removes it, so no function needs
  ``DeleteItem``;
- a delivery: ``pk = <tenant>#<endpoint id>``, ``sk = <delivery id>`` (time-sortable: a query
  backwards lists the newest first), expiring ``DELIVERY_RETENTION_DAYS`` after it was made.
"""

from __future__ import annotations

from typing import Any

from orchestrator.adapters.dynamodb_keys import DELIMITER, from_item, to_item
from orchestrator.adapters.dynamodb_table import (
    Condition,
    ConditionFailed,
    Table,
    conditional_update,
    domain_errors,
    exists,
    open_table,
    query_page,
)
from orchestrator.core.constants import PK, SK, TTL_ATTRIBUTE
from orchestrator.core.errors import ConflictError
from orchestrator.core.records import validate_tenant_id
from orchestrator.webhooks.model import (
    DELETED_ENDPOINT_RETENTION_DAYS,
    DELIVERY_RETENTION_DAYS,
    WebhookDelivery,
    WebhookEndpoint,
    in_days,
)

ENDPOINT_PREFIX = "endpoint#"


def _endpoint_key(tenant_id: str, endpoint_id: str) -> dict[str, str]:
    return {PK: validate_tenant_id(tenant_id), SK: f"{ENDPOINT_PREFIX}{endpoint_id}"}


def _delivery_partition(tenant_id: str, endpoint_id: str) -> str:
    return f"{validate_tenant_id(tenant_id)}{DELIMITER}{endpoint_id}"


class DynamoWebhookStore:
    """``WebhookStore`` over the Webhooks table (GetItem, Query, PutItem, UpdateItem)."""

    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._table: Table = open_table(table_name, resource)

    # --- endpoints ---------------------------------------------------------------------------
    def add_endpoint(self, endpoint: WebhookEndpoint) -> None:
        item = to_item(endpoint.model_dump(mode="json")) | _endpoint_key(
            endpoint.tenant_id, endpoint.endpoint_id
        )
        with domain_errors("add webhook endpoint", lambda: ConflictError("the endpoint exists already")):
            self._table.put_item(
                Item=item,
                ConditionExpression="attribute_not_exists(#sk)",
                ExpressionAttributeNames={"#sk": SK},
            )

    def endpoints(self, tenant_id: str) -> list[WebhookEndpoint]:
        with domain_errors("list webhook endpoints"):
            response = self._table.query(
                KeyConditionExpression="#pk = :pk AND begins_with(#sk, :prefix)",
                ExpressionAttributeNames={"#pk": PK, "#sk": SK},
                ExpressionAttributeValues={":pk": validate_tenant_id(tenant_id), ":prefix": ENDPOINT_PREFIX},
                ConsistentRead=True,
            )
        found = [WebhookEndpoint.model_validate(from_item(item)) for item in response.get("Items", [])]
        return sorted((e for e in found if e.status != "deleted"), key=lambda e: e.created_at)

    def endpoint(self, tenant_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        with domain_errors("get webhook endpoint"):
            response = self._table.get_item(Key=_endpoint_key(tenant_id, endpoint_id), ConsistentRead=True)
        item = response.get("Item")
        endpoint = WebhookEndpoint.model_validate(from_item(item)) if item else None
        return endpoint if endpoint is not None and endpoint.status != "deleted" else None

    def update_endpoint(
        self, tenant_id: str, endpoint_id: str, *, only_if_status: str | None = None, **fields: Any
    ) -> WebhookEndpoint | None:
        condition = exists(SK) & Condition(
            "#status <> :deleted", {"#status": "status"}, {":deleted": "deleted"}
        )
        if only_if_status is not None:
            condition = condition & Condition(
                "#status = :only", {"#status": "status"}, {":only": only_if_status}
            )
        values = to_item(fields)
        if fields.get("status") == "deleted":
            values[TTL_ATTRIBUTE] = in_days(DELETED_ENDPOINT_RETENTION_DAYS)
        try:
            item = conditional_update(
                self._table,
                _endpoint_key(tenant_id, endpoint_id),
                action="update webhook endpoint",
                condition=condition,
                set_fields=values,
                returns="ALL_NEW",
            )
        except ConditionFailed:
            return None
        return WebhookEndpoint.model_validate(from_item(item))

    def count_dead_letter(self, tenant_id: str, endpoint_id: str) -> int:
        try:
            item = conditional_update(
                self._table,
                _endpoint_key(tenant_id, endpoint_id),
                action="count a dead-lettered webhook delivery",
                condition=exists(SK),
                add={"dead_letters_in_a_row": 1},
                returns="UPDATED_NEW",
            )
        except ConditionFailed:
            return 0
        return int(item.get("dead_letters_in_a_row", 0))

    # --- deliveries --------------------------------------------------------------------------
    def _delivery_item(self, delivery: WebhookDelivery) -> dict[str, Any]:
        return to_item(delivery.model_dump(mode="json")) | {
            PK: _delivery_partition(delivery.tenant_id, delivery.endpoint_id),
            SK: delivery.delivery_id,
            TTL_ATTRIBUTE: in_days(DELIVERY_RETENTION_DAYS, delivery.created_at),
        }

    def add_delivery(self, delivery: WebhookDelivery) -> WebhookDelivery:
        try:
            with domain_errors("add webhook delivery", lambda: ConflictError("delivery exists")):
                self._table.put_item(
                    Item=self._delivery_item(delivery),
                    ConditionExpression="attribute_not_exists(#sk)",
                    ExpressionAttributeNames={"#sk": SK},
                )
        except ConflictError:
            stored = self.delivery(delivery.tenant_id, delivery.endpoint_id, delivery.delivery_id)
            return stored or delivery
        return delivery

    def delivery(self, tenant_id: str, endpoint_id: str, delivery_id: str) -> WebhookDelivery | None:
        with domain_errors("get webhook delivery"):
            response = self._table.get_item(
                Key={PK: _delivery_partition(tenant_id, endpoint_id), SK: delivery_id}, ConsistentRead=True
            )
        item = response.get("Item")
        return WebhookDelivery.model_validate(from_item(item)) if item else None

    def save_delivery(self, delivery: WebhookDelivery) -> None:
        with domain_errors("save webhook delivery"):
            self._table.put_item(Item=self._delivery_item(delivery))

    def deliveries(
        self, tenant_id: str, endpoint_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[WebhookDelivery], str | None]:
        items, next_cursor = query_page(
            self._table,
            _delivery_partition(tenant_id, endpoint_id),
            limit=limit,
            cursor=cursor,
            action="list webhook deliveries",
            newest_first=True,
        )
        return [WebhookDelivery.model_validate(from_item(item)) for item in items], next_cursor
