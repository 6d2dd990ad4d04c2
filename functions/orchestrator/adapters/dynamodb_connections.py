"""WebSocket connections: ``pk = <tenant>``, ``sk = connection#<connection id>``, with the runs the
connection subscribed to (a string set; ``*``: every run) and a TTL (``expires_at``)."""

from __future__ import annotations

from typing import Any

from orchestrator.adapters.dynamodb_keys import DELIMITER, from_item, to_item
from orchestrator.adapters.dynamodb_table import domain_errors, open_table
from orchestrator.core.constants import PK, SK
from orchestrator.core.errors import ConnectionGone
from orchestrator.core.records import ALL_RUNS, Connection, validate_tenant_id

CONNECTION_PREFIX = f"connection{DELIMITER}"


class DynamoConnectionRepository:
    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._table = open_table(table_name, resource)

    @staticmethod
    def _key(tenant_id: str, connection_id: str) -> dict[str, str]:
        return {PK: validate_tenant_id(tenant_id), SK: f"{CONNECTION_PREFIX}{connection_id}"}

    def add(self, connection: Connection) -> None:
        data = connection.model_dump(mode="json", exclude={"subscriptions"})
        item = to_item(data) | self._key(connection.tenant_id, connection.connection_id)
        if connection.subscriptions:
            item["subscriptions"] = set(connection.subscriptions)
        with domain_errors("record a connection"):
            self._table.put_item(Item=item)

    def subscribe(self, tenant_id: str, connection_id: str, run_id: str | None) -> None:
        def gone() -> ConnectionGone:
            return ConnectionGone(f"connection {connection_id!r} is not open")

        with domain_errors("subscribe a connection", gone):
            self._table.update_item(
                Key=self._key(tenant_id, connection_id),
                UpdateExpression="ADD #subscriptions :run",
                ConditionExpression="attribute_exists(#pk)",
                ExpressionAttributeNames={"#subscriptions": "subscriptions", "#pk": PK},
                ExpressionAttributeValues={":run": {run_id if run_id is not None else ALL_RUNS}},
            )

    def remove(self, tenant_id: str, connection_id: str) -> None:
        with domain_errors("forget a connection"):
            self._table.delete_item(Key=self._key(tenant_id, connection_id))

    def subscribed(self, tenant_id: str, run_id: str) -> list[Connection]:
        from boto3.dynamodb.conditions import Attr

        return self._query(
            tenant_id, Attr("subscriptions").contains(run_id) | Attr("subscriptions").contains(ALL_RUNS)
        )

    def subscribers(self, tenant_id: str) -> list[Connection]:
        from boto3.dynamodb.conditions import Attr

        return self._query(tenant_id, Attr("subscriptions").exists())

    def _query(self, tenant_id: str, condition: Any) -> list[Connection]:
        """The tenant's connections that pass ``condition`` (a filter on the tenant's partition)."""
        from boto3.dynamodb.conditions import Key

        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key(PK).eq(validate_tenant_id(tenant_id))
            & Key(SK).begins_with(CONNECTION_PREFIX),
            "FilterExpression": condition,
        }
        found: list[Connection] = []
        while True:
            with domain_errors("read the subscribed connections"):
                page = self._table.query(**kwargs)
            for item in page.get("Items", []):
                subscriptions = frozenset(item.pop("subscriptions", set()))
                found.append(Connection.model_validate(from_item(item) | {"subscriptions": subscriptions}))
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
