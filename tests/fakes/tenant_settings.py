"""An in-memory ``TenantSettingsStore`` with the DynamoDB store's item form and conditional writes
(revision + 1 per write; ``ConflictError`` when the expected revision is not the stored one)."""

from __future__ import annotations

import threading
from typing import Any

from orchestrator.adapters.dynamodb_model_settings import (
    MODELS_SK,
    models_conflict,
    settings_item,
    stored_from_item,
)
from orchestrator.core.records import utc_now, validate_tenant_id
from orchestrator.llm.model_settings import StoredModelSettings, TenantModelSettings


class InMemoryTenantSettings:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.writes = 0
        self._lock = threading.Lock()  # a conditional write is atomic, as in DynamoDB

    def get_models(self, tenant_id: str) -> StoredModelSettings | None:
        item = self.items.get((validate_tenant_id(tenant_id), MODELS_SK))
        return stored_from_item(item) if item else None

    def put_models(
        self, tenant_id: str, settings: TenantModelSettings, by: str, expected_revision: int | None
    ) -> StoredModelSettings:
        key = (validate_tenant_id(tenant_id), MODELS_SK)
        with self._lock:
            current = self.items.get(key)
            revision = int(current["revision"]) if current else 0
            if expected_revision is not None and expected_revision != revision:
                raise models_conflict(tenant_id, expected_revision)
            item = {
                "settings": settings_item(settings),
                "updated_by": by,
                "updated_at": utc_now().isoformat(),
                "revision": revision + 1,
            }
            self.items[key] = item
            self.writes += 1
        return stored_from_item(item)
