"""Tenant settings in DynamoDB: ``pk = <tenant>``, ``sk = <what>``; the model settings are ``sk = models``.

Each write raises the item's revision by one in a single UpdateItem; a write that names the revision
it read fails with ``ConflictError`` when someone else wrote in between (0: nothing stored yet).
"""

from __future__ import annotations

from typing import Any

from orchestrator.adapters.dynamodb_keys import from_item, to_item
from orchestrator.adapters.dynamodb_table import (
    Condition,
    Table,
    conditional_update,
    domain_errors,
    open_table,
)
from orchestrator.core.constants import PK, SK
from orchestrator.core.errors import ConflictError
from orchestrator.core.records import utc_now, validate_tenant_id
from orchestrator.llm.model_settings import StoredModelSettings, TenantModelSettings

MODELS_SK = "models"


def models_conflict(tenant_id: str, expected_revision: int) -> ConflictError:
    return ConflictError(
        f"the model settings of tenant {tenant_id} were changed by someone else since revision "
        f"{expected_revision}: read them again (GET /settings/models) and retry"
    )


def settings_item(settings: TenantModelSettings) -> dict[str, Any]:
    """The stored form of the settings (unset fields left out)."""
    return to_item({"settings": settings.model_dump(mode="json", exclude_none=True)})["settings"]


def stored_from_item(item: dict[str, Any]) -> StoredModelSettings:
    return StoredModelSettings.model_validate(from_item(item))


class DynamoTenantSettings:
    """``TenantSettingsStore`` over the TenantSettings table (GetItem and UpdateItem only)."""

    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._table: Table = open_table(table_name, resource)

    def get_models(self, tenant_id: str) -> StoredModelSettings | None:
        with domain_errors("get model settings"):
            response = self._table.get_item(
                Key={PK: validate_tenant_id(tenant_id), SK: MODELS_SK}, ConsistentRead=True
            )
        item = response.get("Item")
        return stored_from_item(item) if item else None

    def put_models(
        self, tenant_id: str, settings: TenantModelSettings, by: str, expected_revision: int | None
    ) -> StoredModelSettings:
        condition: Condition | None = None  # no revision named: the last write wins
        if expected_revision == 0:
            condition = Condition("attribute_not_exists(#sk)", {"#sk": SK})
        elif expected_revision is not None:
            condition = Condition(
                "#revision = :expected", {"#revision": "revision"}, {":expected": expected_revision}
            )
        attributes = conditional_update(
            self._table,
            {PK: validate_tenant_id(tenant_id), SK: MODELS_SK},
            action="put model settings",
            set_fields={
                "settings": settings_item(settings),
                "updated_by": by,
                "updated_at": utc_now().isoformat(),
            },
            add={"revision": 1},
            condition=condition,
            on_failed=lambda: models_conflict(tenant_id, expected_revision or 0),
            returns="ALL_NEW",
        )
        return stored_from_item(attributes)
