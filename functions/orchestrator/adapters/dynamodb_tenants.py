"""The tenants table: ``pk = <tenant>`` and

- ``sk = profile``: status, plan, limits and ``active_runs`` (the slots held);
- ``sk = rate#<window start>``: the requests counted in one minute (expires after two);
- ``sk = run#<run id>``: a concurrent-run slot, held from a run's start until it ends;
- ``sk = user#<name>``: a user an operator onboarded (disabled with the tenant).

A slot and the profile's counter change together in one transaction, so a run's slot is taken and
given back exactly once however often a start or an end is retried. Only the operator's
``list`` scans (across tenants); the functions read and write items of one tenant.
"""

from __future__ import annotations

import random
import time
from typing import Any

from orchestrator.adapters.dynamodb_keys import from_item, to_item
from orchestrator.adapters.dynamodb_table import Table, conditional_update, domain_errors, exists, open_table
from orchestrator.core.constants import PK, SK, TTL_ATTRIBUTE
from orchestrator.core.errors import ConflictError, NotFound, RepositoryError
from orchestrator.core.records import utc_now, validate_tenant_id
from orchestrator.tenancy.plans import (
    RATE_WINDOW_SECONDS,
    RUN_SLOT_RETRY_AFTER_SECONDS,
    Tenant,
    TenantLimitReached,
    TenantLimits,
    TenantNotActive,
    TenantStatus,
    check_active,
    rate_window,
)

PROFILE_SK = "profile"
RATE_PREFIX = "rate#"
SLOT_PREFIX = "run#"
USER_PREFIX = "user#"
TRANSACTION_ATTEMPTS = 5


def tenant_from_item(item: dict[str, Any]) -> Tenant:
    return Tenant.model_validate(from_item(item) | {"tenant_id": item[PK]})


class DynamoTenantDirectory:
    """``TenantDirectory`` over the Tenants table."""

    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._table: Table = open_table(table_name, resource)
        self._name = table_name

    @property
    def table(self) -> Table:
        """The boto3 Table (operator tooling lists tenants with it)."""
        return self._table

    def get(self, tenant_id: str) -> Tenant | None:
        with domain_errors("get tenant"):
            response = self._table.get_item(Key={PK: validate_tenant_id(tenant_id), SK: PROFILE_SK})
        item = response.get("Item")
        return tenant_from_item(item) if item else None

    def create(self, tenant: Tenant) -> Tenant:
        # disabled_subjects: a string set, made by the first ADD (DynamoDB stores no empty set)
        item = to_item(tenant.model_dump(mode="json", exclude={"tenant_id", "disabled_subjects"})) | {
            PK: validate_tenant_id(tenant.tenant_id),
            SK: PROFILE_SK,
        }
        with domain_errors(
            "create tenant", lambda: ConflictError(f"tenant {tenant.tenant_id} already exists")
        ):
            self._table.put_item(
                Item=item,
                ConditionExpression="attribute_not_exists(#pk)",
                ExpressionAttributeNames={"#pk": PK},
            )
        return tenant

    def set_status(self, tenant_id: str, status: TenantStatus, by: str) -> Tenant:
        now = utc_now().isoformat()
        changed = {"status": status.value, "updated_at": now}
        disabled = ["disabled_at", "disabled_by"]
        if status is TenantStatus.DISABLED:
            return self._update(
                tenant_id, "set tenant status", changed | {"disabled_at": now, "disabled_by": by}
            )
        return self._update(tenant_id, "set tenant status", changed, remove=disabled)

    def set_limits(self, tenant_id: str, plan: str, limits: TenantLimits, by: str) -> Tenant:
        changed = {
            "plan": plan,
            "requests_per_minute": limits.requests_per_minute,
            "max_concurrent_runs": limits.max_concurrent_runs,
            "updated_at": utc_now().isoformat(),
            "updated_by": by,
        }
        return self._update(tenant_id, "set tenant limits", changed)

    def _update(
        self,
        tenant_id: str,
        action: str,
        changed: dict[str, Any],
        *,
        add: dict[str, Any] | None = None,
        remove: list[str] | None = None,
    ) -> Tenant:
        """Update the tenant's profile; a tenant never onboarded is ``TenantNotActive``."""
        attributes = conditional_update(
            self._table,
            {PK: validate_tenant_id(tenant_id), SK: PROFILE_SK},
            action=action,
            set_fields=changed,
            add=add,
            remove=remove or [],
            condition=exists(PK),
            on_failed=lambda: TenantNotActive(f"tenant {tenant_id!r} is not onboarded"),
            returns="ALL_NEW",
        )
        return tenant_from_item(attributes)

    def admit_request(self, tenant: Tenant, now: float | None = None) -> None:
        start, seconds_left = rate_window(now)

        def full() -> TenantLimitReached:
            return TenantLimitReached(
                f"tenant {tenant.tenant_id!r} made {tenant.requests_per_minute} requests this minute, "
                f"the limit of its plan ({tenant.plan}); retry in {seconds_left} s",
                limit="requests_per_minute",
                retry_after_seconds=seconds_left,
            )

        with domain_errors("count a request", full):
            self._table.update_item(
                Key={PK: tenant.tenant_id, SK: f"{RATE_PREFIX}{start}"},
                UpdateExpression="ADD #hits :one SET #ttl = if_not_exists(#ttl, :expires)",
                ConditionExpression="attribute_not_exists(#hits) OR #hits < :limit",
                ExpressionAttributeNames={"#hits": "hits", "#ttl": TTL_ATTRIBUTE},
                ExpressionAttributeValues={
                    ":one": 1,
                    ":limit": tenant.requests_per_minute,
                    ":expires": start + 2 * RATE_WINDOW_SECONDS,
                },
            )

    def acquire_run_slot(self, tenant_id: str, run_id: str) -> bool:
        tenant_id = validate_tenant_id(tenant_id)
        items = [
            {
                "Put": {
                    "TableName": self._name,
                    "Item": {
                        PK: tenant_id,
                        SK: f"{SLOT_PREFIX}{run_id}",
                        "acquired_at": utc_now().isoformat(),
                    },
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": PK},
                }
            },
            {
                "Update": {
                    "TableName": self._name,
                    "Key": {PK: tenant_id, SK: PROFILE_SK},
                    "UpdateExpression": "SET #active = if_not_exists(#active, :zero) + :one",
                    "ConditionExpression": "#status = :active AND "
                    "(attribute_not_exists(#active) OR #active < #max)",
                    "ExpressionAttributeNames": {
                        "#active": "active_runs",
                        "#status": "status",
                        "#max": "max_concurrent_runs",
                    },
                    "ExpressionAttributeValues": {
                        ":zero": 0,
                        ":one": 1,
                        ":active": TenantStatus.ACTIVE.value,
                    },
                }
            },
        ]
        failed = self._transact(items, "take a run slot")
        if failed is None:
            return True
        if failed == 0:
            return False  # the run holds its slot already (a retried start)
        tenant = check_active(tenant_id, self.get(tenant_id))
        raise TenantLimitReached(
            f"tenant {tenant_id!r} has {tenant.active_runs} runs in progress, the limit of its plan "
            f"({tenant.plan}: {tenant.max_concurrent_runs}); start it when one has ended",
            limit="max_concurrent_runs",
            retry_after_seconds=RUN_SLOT_RETRY_AFTER_SECONDS,
        )

    def release_run_slot(self, tenant_id: str, run_id: str) -> bool:
        tenant_id = validate_tenant_id(tenant_id)
        slot = {
            "Delete": {
                "TableName": self._name,
                "Key": {PK: tenant_id, SK: f"{SLOT_PREFIX}{run_id}"},
                "ConditionExpression": "attribute_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": PK},
            }
        }
        counter = {
            "Update": {
                "TableName": self._name,
                "Key": {PK: tenant_id, SK: PROFILE_SK},
                "UpdateExpression": "SET #active = #active - :one",
                "ConditionExpression": "#active > :zero",
                "ExpressionAttributeNames": {"#active": "active_runs"},
                "ExpressionAttributeValues": {":zero": 0, ":one": 1},
            }
        }
        failed = self._transact([slot, counter], "give back a run slot")
        if failed is None:
            return True
        if failed == 0:
            return False  # given back before
        # the counter says no slot is held although this one was: take the slot alone
        return self._transact([slot], "give back a run slot") is None

    def active_run_ids(self, tenant_id: str) -> list[str]:
        return self._sort_keys(tenant_id, SLOT_PREFIX, "list a tenant's runs in progress")

    def add_user(self, tenant_id: str, username: str, *, role: str, by: str) -> None:
        with domain_errors("record a user"):
            self._table.put_item(
                Item={
                    PK: validate_tenant_id(tenant_id),
                    SK: f"{USER_PREFIX}{username}",
                    "role": role,
                    "created_at": utc_now().isoformat(),
                    "created_by": by,
                }
            )

    def usernames(self, tenant_id: str) -> list[str]:
        return self._sort_keys(tenant_id, USER_PREFIX, "list a tenant's users")

    def users(self, tenant_id: str) -> list[dict[str, Any]]:
        """The tenant's users as recorded here: username, role, enabled, created_at, created_by."""
        return [
            user
            for user in (self.user(tenant_id, name) for name in self.usernames(tenant_id))
            if user is not None
        ]

    def user(self, tenant_id: str, username: str) -> dict[str, Any] | None:
        with domain_errors("read a user"):
            item = self._table.get_item(
                Key={PK: validate_tenant_id(tenant_id), SK: f"{USER_PREFIX}{username}"}, ConsistentRead=True
            ).get("Item")
        if item is None:
            return None
        return {
            "username": username,
            "role": str(item.get("role", "")),
            "enabled": bool(item.get("enabled", True)),
            "created_at": str(item.get("created_at", "")),
            "created_by": str(item.get("created_by", "")),
        }

    def block_subject(self, tenant_id: str, subject: str, *, by: str) -> Tenant:
        """Refuse every token of ``subject`` from the next request on (the profile the API reads
        on each request carries it: no extra read)."""
        return self._update(
            tenant_id,
            "disable a user",
            {"updated_at": utc_now().isoformat(), "updated_by": by},
            add={"disabled_subjects": {subject}},
        )

    def set_user_enabled(self, tenant_id: str, username: str, enabled: bool, *, by: str) -> None:
        conditional_update(
            self._table,
            {PK: validate_tenant_id(tenant_id), SK: f"{USER_PREFIX}{username}"},
            action="update a user",
            set_fields={"enabled": enabled, "updated_at": utc_now().isoformat(), "updated_by": by},
            condition=exists(PK),
            on_failed=lambda: NotFound(f"user {username!r} not found"),
        )

    def _sort_keys(self, tenant_id: str, prefix: str, action: str) -> list[str]:
        names: list[str] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK},
            "ExpressionAttributeValues": {":pk": validate_tenant_id(tenant_id), ":prefix": prefix},
            "ConsistentRead": True,
        }
        while True:
            with domain_errors(action):
                page = self._table.query(**kwargs)
            names.extend(str(item[SK]).removeprefix(prefix) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return names
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _transact(self, items: list[dict[str, Any]], action: str) -> int | None:
        """Run the transaction: None when it committed, else the index of the first item whose
        condition failed. Conflicts with a concurrent transaction are retried with jittered backoff."""
        from botocore.exceptions import ClientError

        client = self._table.meta.client  # the resource's client: plain values, as the table takes them
        for attempt in range(TRANSACTION_ATTEMPTS):
            try:
                with domain_errors(action):
                    try:
                        client.transact_write_items(TransactItems=items)
                        return None
                    except ClientError as exc:
                        if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                            raise
                        reasons = [
                            str(r.get("Code", "None")) for r in exc.response.get("CancellationReasons", [])
                        ]
                        if "ConditionalCheckFailed" in reasons:
                            return reasons.index("ConditionalCheckFailed")
                        if "TransactionConflict" not in reasons or attempt == TRANSACTION_ATTEMPTS - 1:
                            raise
            except RepositoryError:
                if attempt == TRANSACTION_ATTEMPTS - 1:
                    raise
            time.sleep(random.uniform(0, 0.02 * 2**attempt))  # jitter, not cryptography
        raise RepositoryError(f"{action} failed: conflicting transactions")
