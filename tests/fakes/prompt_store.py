"""An in-memory ``PromptStore`` with the DynamoDB store's keys, serialised items and conditional writes
(``ConflictError`` for a version number that exists or a pointer changed meanwhile)."""

from __future__ import annotations

import threading
from typing import Any

from orchestrator.adapters.dynamodb_keys import from_item, to_item
from orchestrator.adapters.dynamodb_prompts import ACTIVE_SK, prompt_partition, version_key
from orchestrator.core.errors import ConflictError
from orchestrator.llm.prompts import ActivePointer, PromptSummary, PromptVersion


class InMemoryPromptStore:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.writes = 0
        self._lock = threading.Lock()  # a conditional write is atomic, as in DynamoDB

    def _partition(self, partition: str) -> list[tuple[str, dict[str, Any]]]:
        return sorted((sk, item) for (pk, sk), item in self.items.items() if pk == partition)

    def list_versions(self, tenant_id: str, agent: str) -> list[PromptVersion]:
        return [
            PromptVersion.model_validate(from_item(item))
            for sk, item in self._partition(prompt_partition(tenant_id, agent))
            if sk != ACTIVE_SK
        ]

    def get_version(self, tenant_id: str, agent: str, version: int) -> PromptVersion | None:
        item = self.items.get((prompt_partition(tenant_id, agent), version_key(version)))
        return PromptVersion.model_validate(from_item(item)) if item else None

    def create_version(self, version: PromptVersion) -> None:
        key = (prompt_partition(version.tenant_id, version.agent), version_key(version.version))
        with self._lock:
            if key in self.items:
                raise ConflictError(f"prompt version {version.version} of agent {version.agent} exists")
            self.items[key] = to_item(version.model_dump(mode="json", exclude={"shipped"}))
            self.writes += 1

    def summary(self, tenant_id: str, agent: str) -> PromptSummary:
        entries = self._partition(prompt_partition(tenant_id, agent))
        pointer = next((item for sk, item in entries if sk == ACTIVE_SK), None)
        return PromptSummary(
            active=ActivePointer.model_validate(from_item(pointer)) if pointer else None,
            numbers=[int(sk) for sk, _ in entries if sk != ACTIVE_SK],
        )

    def get_active(self, tenant_id: str, agent: str) -> ActivePointer | None:
        item = self.items.get((prompt_partition(tenant_id, agent), ACTIVE_SK))
        return ActivePointer.model_validate(from_item(item)) if item else None

    def set_active(
        self, tenant_id: str, agent: str, pointer: ActivePointer, expected_revision: int | None
    ) -> None:
        if pointer.agent != agent:
            raise ValueError(f"the pointer is agent {pointer.agent}'s, not {agent}'s")
        key = (prompt_partition(tenant_id, agent), ACTIVE_SK)
        with self._lock:
            current = self.items.get(key)
            stored_revision = None if current is None else int(current["revision"])
            if stored_revision != expected_revision:
                raise ConflictError(f"the active prompt of agent {agent} changed meanwhile")
            self.items[key] = to_item(pointer.model_dump(mode="json"))
            self.writes += 1
