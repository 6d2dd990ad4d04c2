"""Prompt versions in DynamoDB: ``pk = <tenant>#<agent type>``, ``sk = <version, six digits>`` for an
immutable version and ``sk = ACTIVE`` for the active pointer (digits sort before letters, so a Query
between the lowest and the highest number reads the versions only)."""

from __future__ import annotations

import re
from typing import Any

from orchestrator.adapters.dynamodb_keys import DELIMITER, from_item, to_item
from orchestrator.adapters.dynamodb_table import Table, domain_errors, open_table
from orchestrator.core.constants import PK, SK
from orchestrator.core.errors import ConflictError
from orchestrator.core.records import validate_tenant_id
from orchestrator.llm.prompts import (
    AGENT_TYPE_PATTERN,
    MAX_VERSION,
    ActivePointer,
    PromptSummary,
    PromptVersion,
)

ACTIVE_SK = "ACTIVE"
_AGENT_TYPE = re.compile(AGENT_TYPE_PATTERN)
_FIRST, _LAST = f"{1:06d}", f"{MAX_VERSION:06d}"
_POINTER_FIELDS = ("agent", "version", "previous", "updated_by", "updated_at", "revision")


def prompt_partition(tenant_id: str, agent: str) -> str:
    if not _AGENT_TYPE.match(agent or ""):
        raise ValueError(f"agent type {agent[:64]!r} is invalid: lowercase letters, digits and '_'")
    return f"{validate_tenant_id(tenant_id)}{DELIMITER}{agent}"


def version_key(version: int) -> str:
    if not 1 <= version <= MAX_VERSION:
        raise ValueError(f"prompt version {version} is out of range 1..{MAX_VERSION}")
    return f"{version:06d}"


class DynamoPromptStore:
    """``PromptStore`` over one DynamoDB table (GetItem, PutItem and Query only)."""

    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._table: Table = open_table(table_name, resource)

    def list_versions(self, tenant_id: str, agent: str) -> list[PromptVersion]:
        items = self._query(prompt_partition(tenant_id, agent), versions_only=True)
        return [PromptVersion.model_validate(from_item(item)) for item in items]

    def get_version(self, tenant_id: str, agent: str, version: int) -> PromptVersion | None:
        with domain_errors("get prompt version"):
            response = self._table.get_item(
                Key={PK: prompt_partition(tenant_id, agent), SK: version_key(version)}, ConsistentRead=True
            )
        item = response.get("Item")
        return PromptVersion.model_validate(from_item(item)) if item else None

    def create_version(self, version: PromptVersion) -> None:
        partition = prompt_partition(version.tenant_id, version.agent)
        item = to_item(version.model_dump(mode="json", exclude={"shipped"})) | {
            PK: partition,
            SK: version_key(version.version),
        }
        conflict = ConflictError(
            f"prompt version {version.version} of agent {version.agent} exists: versions are immutable"
        )
        with domain_errors("create prompt version", lambda: conflict):
            self._table.put_item(
                Item=item,
                ConditionExpression="attribute_not_exists(#sk)",
                ExpressionAttributeNames={"#sk": SK},
            )

    def summary(self, tenant_id: str, agent: str) -> PromptSummary:
        names = {f"#{name}": name for name in (SK, *_POINTER_FIELDS)}
        items = self._query(
            prompt_partition(tenant_id, agent),
            versions_only=False,
            ProjectionExpression=", ".join(names),
            ExpressionAttributeNames=names,
        )
        active = None
        numbers = []
        for item in items:
            if item[SK] == ACTIVE_SK:
                active = ActivePointer.model_validate(from_item(item))
            else:
                numbers.append(int(item[SK]))
        return PromptSummary(active=active, numbers=sorted(numbers))

    def get_active(self, tenant_id: str, agent: str) -> ActivePointer | None:
        with domain_errors("get active prompt"):
            response = self._table.get_item(
                Key={PK: prompt_partition(tenant_id, agent), SK: ACTIVE_SK}, ConsistentRead=True
            )
        item = response.get("Item")
        return ActivePointer.model_validate(from_item(item)) if item else None

    def set_active(
        self, tenant_id: str, agent: str, pointer: ActivePointer, expected_revision: int | None
    ) -> None:
        if pointer.agent != agent:
            raise ValueError(f"the pointer is agent {pointer.agent}'s, not {agent}'s")
        item = to_item(pointer.model_dump(mode="json")) | {
            PK: prompt_partition(tenant_id, agent),
            SK: ACTIVE_SK,
        }
        condition: dict[str, Any]
        if expected_revision is None:
            condition = {
                "ConditionExpression": "attribute_not_exists(#sk)",
                "ExpressionAttributeNames": {"#sk": SK},
            }
        else:
            condition = {
                "ConditionExpression": "#revision = :expected",
                "ExpressionAttributeNames": {"#revision": "revision"},
                "ExpressionAttributeValues": {":expected": expected_revision},
            }
        conflict = ConflictError(
            f"the active prompt of agent {agent} changed meanwhile: read it again and retry"
        )
        with domain_errors("set active prompt", lambda: conflict):
            self._table.put_item(Item=item, **condition)

    def _query(self, partition: str, *, versions_only: bool, **extra: Any) -> list[dict[str, Any]]:
        names = {"#pk": PK, "#sk": SK} | extra.pop("ExpressionAttributeNames", {})
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk"
            + (" AND #sk BETWEEN :first AND :last" if versions_only else ""),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {":pk": partition}
            | ({":first": _FIRST, ":last": _LAST} if versions_only else {}),
            "ConsistentRead": True,
            **extra,
        }
        items: list[dict[str, Any]] = []
        with domain_errors("list prompt versions"):
            while True:
                response = self._table.query(**kwargs)
                items.extend(response.get("Items", []))
                if "LastEvaluatedKey" not in response:
                    return items
                kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
