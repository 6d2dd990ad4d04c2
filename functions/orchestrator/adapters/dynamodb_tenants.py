"""The tenants table: ``pk = <tenant>`` and

- ``sk = profile``: status, plan, limits, ``active_runs`` (the slots held) and ``queued_runs``;
- ``sk = rate#<window start>``: the requests counted in one minute (expires after two);
- ``sk = run#<run id>``: a concurrent-run slot, held from a run's start until it ends;
- ``sk = queue#<run id>``: a run waiting for a slot (run ids sort by creation: oldest first);
- ``sk = user#<name>``: a user an operator onboarded (disabled with the tenant).

A slot or a queue entry and the profile's counters change together in one transaction, so a run's
slot is taken and given back exactly once however often a start or an end is retried, and a queued
run moves to a slot once however many promotions race (the queue entry's delete is conditional).
A slot is taken directly only while nobody waits: a newcomer never overtakes the queue. Only the operator's
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
    Promotion,
    QueuedRun,
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
QUEUE_PREFIX = "queue#"
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
            "max_queued_runs": limits.max_queued_runs,
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
            self._put_new(
                {
                    PK: tenant_id,
                    SK: f"{SLOT_PREFIX}{run_id}",
                    "acquired_at": utc_now().isoformat(),
                }
            ),
            {
                "Update": {
                    "TableName": self._name,
                    "Key": {PK: tenant_id, SK: PROFILE_SK},
                    "UpdateExpression": "SET #active = if_not_exists(#active, :zero) + :one",
                    "ConditionExpression": "#status = :active AND "
                    "(attribute_not_exists(#active) OR #active < #max) AND "
                    "(attribute_not_exists(#queued) OR #queued = :zero)",  # nobody waits ahead
                    "ExpressionAttributeNames": {
                        "#active": "active_runs",
                        "#status": "status",
                        "#max": "max_concurrent_runs",
                        "#queued": "queued_runs",
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
            f"tenant {tenant_id!r} has {tenant.active_runs} runs in progress (the limit of its plan, "
            f"{tenant.plan}: {tenant.max_concurrent_runs}) and {tenant.queued_runs} waiting",
            limit="max_concurrent_runs",
            retry_after_seconds=RUN_SLOT_RETRY_AFTER_SECONDS,
        )

    def release_run_slot(self, tenant_id: str, run_id: str) -> bool:
        return self._take_out(tenant_id, f"{SLOT_PREFIX}{run_id}", "active_runs", "give back a run slot")

    def active_run_ids(self, tenant_id: str) -> list[str]:
        return self._sort_keys(tenant_id, SLOT_PREFIX, "list a tenant's runs in progress")

    def enqueue_run(self, tenant_id: str, run_id: str, *, cap: int) -> bool:
        tenant_id = validate_tenant_id(tenant_id)
        entry = self._put_new({PK: tenant_id, SK: f"{QUEUE_PREFIX}{run_id}", "queued_at": str(time.time())})
        counter = {
            "Update": {
                "TableName": self._name,
                "Key": {PK: tenant_id, SK: PROFILE_SK},
                "UpdateExpression": "SET #queued = if_not_exists(#queued, :zero) + :one",
                "ConditionExpression": "#status = :active AND "
                "(attribute_not_exists(#queued) OR #queued < :cap)",
                "ExpressionAttributeNames": {"#queued": "queued_runs", "#status": "status"},
                "ExpressionAttributeValues": {
                    ":zero": 0,
                    ":one": 1,
                    ":cap": cap,
                    ":active": TenantStatus.ACTIVE.value,
                },
            }
        }
        failed = self._transact([entry, counter], "queue a run")
        if failed is None:
            return True
        if failed == 0:
            return False  # queued before (a retried start)
        tenant = check_active(tenant_id, self.get(tenant_id))
        raise TenantLimitReached(
            f"tenant {tenant_id!r} has {tenant.active_runs} runs in progress and {tenant.queued_runs} "
            f"waiting, the limits of its plan ({tenant.plan}: {tenant.max_concurrent_runs} and "
            f"{cap}); start it when one of them has started",
            limit="max_queued_runs",
            retry_after_seconds=RUN_SLOT_RETRY_AFTER_SECONDS,
        )

    def queued_runs(self, tenant_id: str, limit: int | None = None) -> list[QueuedRun]:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK},
            "ExpressionAttributeValues": {":pk": validate_tenant_id(tenant_id), ":prefix": QUEUE_PREFIX},
            "ConsistentRead": True,
        }
        if limit is not None:
            kwargs["Limit"] = limit
        return [
            QueuedRun(str(item[SK]).removeprefix(QUEUE_PREFIX), float(item.get("queued_at", 0)))
            for item in self._query(kwargs, "list a tenant's queued runs", limit)
        ]

    def queue_position(self, tenant_id: str, run_id: str) -> int | None:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :first AND :this",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK},
            "ExpressionAttributeValues": {
                ":pk": validate_tenant_id(tenant_id),
                ":first": QUEUE_PREFIX,
                ":this": f"{QUEUE_PREFIX}{run_id}",
            },
            "ProjectionExpression": "#sk",
            "ConsistentRead": True,
        }
        keys = [str(item[SK]) for item in self._query(kwargs, "find a queued run's place")]
        return len(keys) if keys and keys[-1] == f"{QUEUE_PREFIX}{run_id}" else None

    def promote_queued_run(self, tenant_id: str, run_id: str) -> Promotion:
        tenant_id = validate_tenant_id(tenant_id)
        entry = self._delete_existing({PK: tenant_id, SK: f"{QUEUE_PREFIX}{run_id}"})
        slot = self._put_new(
            {PK: tenant_id, SK: f"{SLOT_PREFIX}{run_id}", "acquired_at": utc_now().isoformat()}
        )
        counters = {
            "Update": {
                "TableName": self._name,
                "Key": {PK: tenant_id, SK: PROFILE_SK},
                "UpdateExpression": "SET #active = if_not_exists(#active, :zero) + :one, "
                "#queued = #queued - :one",
                "ConditionExpression": "#status = :active AND #queued > :zero AND "
                "(attribute_not_exists(#active) OR #active < #max)",
                "ExpressionAttributeNames": {
                    "#active": "active_runs",
                    "#queued": "queued_runs",
                    "#status": "status",
                    "#max": "max_concurrent_runs",
                },
                "ExpressionAttributeValues": {":zero": 0, ":one": 1, ":active": TenantStatus.ACTIVE.value},
            }
        }
        failed = self._transact([entry, slot, counters], "start a queued run")
        if failed is None:
            return Promotion.PROMOTED
        if failed == 0:
            return Promotion.GONE
        if failed == 1:  # it holds a slot already: the entry is a leftover
            self.dequeue_run(tenant_id, run_id)
            return Promotion.GONE
        return Promotion.NO_SLOT

    def dequeue_run(self, tenant_id: str, run_id: str) -> bool:
        return self._take_out(
            tenant_id, f"{QUEUE_PREFIX}{run_id}", "queued_runs", "take a run out of the queue"
        )

    def _take_out(self, tenant_id: str, sort_key: str, counter: str, action: str) -> bool:
        """Delete the item and count it out of the profile's ``counter``, exactly once however often
        this is called: True when deleted now."""
        tenant_id = validate_tenant_id(tenant_id)
        item = self._delete_existing({PK: tenant_id, SK: sort_key})
        count = {
            "Update": {
                "TableName": self._name,
                "Key": {PK: tenant_id, SK: PROFILE_SK},
                "UpdateExpression": "SET #counter = #counter - :one",
                "ConditionExpression": "#counter > :zero",
                "ExpressionAttributeNames": {"#counter": counter},
                "ExpressionAttributeValues": {":zero": 0, ":one": 1},
            }
        }
        failed = self._transact([item, count], action)
        if failed is None:
            return True
        if failed == 0:
            return False  # taken out before
        # the counter says none is held although this one was: delete the item alone
        return self._transact([item], action) is None

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
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK},
            "ExpressionAttributeValues": {":pk": validate_tenant_id(tenant_id), ":prefix": prefix},
            "ConsistentRead": True,
        }
        return [str(item[SK]).removeprefix(prefix) for item in self._query(kwargs, action)]

    def _query(self, kwargs: dict[str, Any], action: str, limit: int | None = None) -> list[dict[str, Any]]:
        """Every item the query finds (``limit``: at most that many), page after page."""
        items: list[dict[str, Any]] = []
        while True:
            with domain_errors(action):
                page = self._table.query(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page or (limit is not None and len(items) >= limit):
                return items[:limit] if limit is not None else items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _put_new(self, item: dict[str, Any]) -> dict[str, Any]:
        """A transaction's put of an item that must not exist yet."""
        return {
            "Put": {
                "TableName": self._name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": PK},
            }
        }

    def _delete_existing(self, key: dict[str, Any]) -> dict[str, Any]:
        """A transaction's delete of an item that must exist."""
        return {
            "Delete": {
                "TableName": self._name,
                "Key": key,
                "ConditionExpression": "attribute_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": PK},
            }
        }

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
