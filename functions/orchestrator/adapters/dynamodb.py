"""DynamoDB implementations of the repositories. Only GetItem/PutItem/UpdateItem/Query."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from orchestrator.adapters.dynamodb_keys import (
    decode_cursor,
    encode_cursor,
    from_item,
    run_partition,
    to_item,
)
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
from orchestrator.core.errors import ConflictError, RepositoryError, RunNotFound
from orchestrator.core.ids import is_run_id, run_id_range
from orchestrator.core.records import (
    LIVE_STEP_STATUSES,
    CommandRecord,
    CommandStatus,
    EventEnvelope,
    IdempotencyRecord,
    Run,
    RunFilter,
    RunStatus,
    StepResult,
    StepStatus,
    validate_tenant_id,
)


class DynamoRunRepository:
    """Runs: ``pk = <tenant>``, ``sk = <run id>`` (run ids sort by creation time)."""

    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._table = open_table(table_name, resource)

    def create(self, run: Run) -> None:
        item = to_item(run.model_dump(mode="json")) | {PK: validate_tenant_id(run.tenant_id), SK: run.run_id}
        with domain_errors("create run", lambda: ConflictError(f"run {run.run_id} already exists")):
            self._table.put_item(
                Item=item,
                ConditionExpression="attribute_not_exists(#sk)",
                ExpressionAttributeNames={"#sk": SK},
            )

    def get(self, tenant_id: str, run_id: str, *, consistent: bool = False) -> Run:
        if not is_run_id(run_id):  # also keeps oversized keys away from DynamoDB
            raise RunNotFound(f"run {run_id[:64]!r} not found (run ids are 26 lowercase letters and digits)")
        with domain_errors("get run"):
            response = self._table.get_item(
                Key={PK: validate_tenant_id(tenant_id), SK: run_id}, ConsistentRead=consistent
            )
        if "Item" not in response:
            raise RunNotFound(f"run {run_id} not found")
        return Run.model_validate(from_item(response["Item"]))

    def find(
        self, tenant_id: str, run_filter: RunFilter, limit: int, after: str | None
    ) -> tuple[list[Run], str | None]:
        partition = validate_tenant_id(tenant_id)
        low, high = run_id_range(run_filter)
        if after is not None and after >= high:
            return [], None
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :low AND :high",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK},
            "ExpressionAttributeValues": {":pk": partition, ":low": low, ":high": high},
            "ScanIndexForward": True,
            "Limit": limit,
        }
        if after is not None and after >= low:  # a start key outside the range is refused
            kwargs["ExclusiveStartKey"] = {PK: partition, SK: after}
        with domain_errors("find runs"):
            response = self._table.query(**kwargs)
        read = [Run.model_validate(from_item(item)) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return [run for run in read if run_filter.matches(run)], last[SK] if last else None

    def list(
        self, tenant_id: str, limit: int, cursor: str | None, status: RunStatus | None = None
    ) -> tuple[list[Run], str | None]:
        partition = validate_tenant_id(tenant_id)
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PK},
            "ExpressionAttributeValues": {":pk": partition},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if status is not None:
            kwargs["FilterExpression"] = "#status = :status"
            kwargs["ExpressionAttributeNames"]["#status"] = "status"
            kwargs["ExpressionAttributeValues"][":status"] = status.value
        start = decode_cursor(cursor, partition)
        if start:
            kwargs["ExclusiveStartKey"] = start
        with domain_errors("list runs"):
            response = self._table.query(**kwargs)
        runs = [Run.model_validate(from_item(item)) for item in response.get("Items", [])]
        return runs, encode_cursor(response.get("LastEvaluatedKey"))

    def update_status(
        self,
        tenant_id: str,
        run_id: str,
        status: RunStatus,
        *,
        allowed_from: Collection[RunStatus] | None = None,
        **fields: Any,
    ) -> Run:
        return self._update(
            tenant_id,
            run_id,
            {"status": status.value, **fields},
            allowed_from,
            lambda current: f"run {run_id} is {current.status.value}: cannot become {status.value}",
        )

    def update_fields(
        self, tenant_id: str, run_id: str, *, allowed_from: Collection[RunStatus], **fields: Any
    ) -> Run:
        return self._update(
            tenant_id, run_id, fields, allowed_from, lambda current: f"run {run_id} is {current.status.value}"
        )

    def claim(
        self,
        tenant_id: str,
        run_id: str,
        field: str,
        *,
        allowed_from: Collection[RunStatus],
        unless_listed: str | None = None,
        stale_before: str | None = None,
        **fields: Any,
    ) -> Run | None:
        if field not in fields:
            raise ValueError(f"a claim of {field!r} must set it")
        condition = self._statuses(allowed_from) & Condition(
            f"(attribute_not_exists(#{field})" + (f" OR #{field} < :claim_stale)" if stale_before else ")"),
            {f"#{field}": field},
            {":claim_stale": stale_before} if stale_before else {},
        )
        if unless_listed is not None:
            condition &= Condition(
                f"(attribute_not_exists(#{unless_listed}) OR size(#{unless_listed}) = :claim_none)",
                {f"#{unless_listed}": unless_listed},
                {":claim_none": 0},
            )
        try:
            attributes = conditional_update(
                self._table,
                {PK: validate_tenant_id(tenant_id), SK: run_id},
                action="claim run",
                set_fields=to_item(fields),
                condition=condition,
                returns="ALL_NEW",
            )
            return Run.model_validate(from_item(attributes))
        except ConditionFailed:
            pass
        current = self.get(tenant_id, run_id, consistent=True)  # RunNotFound when it does not exist
        if current.status not in allowed_from:
            raise ConflictError(f"run {run_id} is {current.status.value}")
        return None  # another caller's claim holds

    @staticmethod
    def _statuses(allowed_from: Collection[RunStatus]) -> Condition:
        statuses = {f":from{i}": s.value for i, s in enumerate(sorted(allowed_from))}
        return exists(SK) & Condition(f"#status IN ({', '.join(statuses)})", {"#status": "status"}, statuses)

    def _update(
        self,
        tenant_id: str,
        run_id: str,
        fields: dict[str, Any],
        allowed_from: Collection[RunStatus] | None,
        conflict: Callable[[Run], str],
    ) -> Run:
        """Sets the fields (None removes one) when the run exists and is in `allowed_from`."""
        condition = exists(SK) if allowed_from is None else self._statuses(allowed_from)
        try:
            attributes = conditional_update(
                self._table,
                {PK: validate_tenant_id(tenant_id), SK: run_id},
                action="update run",
                set_fields=to_item({key: value for key, value in fields.items() if value is not None}),
                remove=[key for key, value in fields.items() if value is None],
                condition=condition,
                returns="ALL_NEW",
            )
            return Run.model_validate(from_item(attributes))
        except ConditionFailed:
            pass
        current = self.get(tenant_id, run_id)  # RunNotFound when it does not exist
        raise ConflictError(conflict(current))

    def add_compensated_step(self, tenant_id: str, run_id: str, key: str) -> None:
        with domain_errors("record compensation", lambda: RunNotFound(f"run {run_id} not found")):
            self._table.update_item(
                Key={PK: validate_tenant_id(tenant_id), SK: run_id},
                UpdateExpression="SET #c = list_append(if_not_exists(#c, :empty), :key)",
                ConditionExpression="attribute_exists(#sk)",
                ExpressionAttributeNames={"#c": "compensated_steps", "#sk": SK},
                ExpressionAttributeValues={":key": [key], ":empty": []},
            )

    def next_sequence(self, tenant_id: str, run_id: str, *, model_calls: int = 0, cache_hits: int = 0) -> int:
        counters = {"model_calls": model_calls, "cache_hits": cache_hits} if model_calls or cache_hits else {}
        attributes = conditional_update(
            self._table,
            {PK: validate_tenant_id(tenant_id), SK: run_id},
            action="count completion",
            add={"completion_sequence": 1, **counters},
            condition=exists(SK),
            on_failed=lambda: RunNotFound(f"run {run_id} not found"),
            returns="UPDATED_NEW",
        )
        return int(attributes["completion_sequence"])

    def count_model_calls(self, tenant_id: str, run_id: str, calls: int, cache_hits: int) -> None:
        conditional_update(
            self._table,
            {PK: validate_tenant_id(tenant_id), SK: run_id},
            action="count model calls",
            add={"model_calls": calls, "cache_hits": cache_hits},
            condition=exists(SK),
            on_failed=lambda: RunNotFound(f"run {run_id} not found"),
        )


class DynamoStepResultRepository:
    """Step results: ``pk = <tenant>#<run>``, ``sk = <step>`` or ``<step>#<item>`` for map items."""

    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._table = open_table(table_name, resource)

    def next_attempt(self, tenant_id: str, run_id: str, key: str) -> int:
        attributes = conditional_update(
            self._table,
            {PK: run_partition(tenant_id, run_id), SK: key},
            action="count attempt",
            add={"attempts_started": 1},
            condition=None,
            returns="UPDATED_NEW",
        )
        return int(attributes["attempts_started"])

    def save(self, result: StepResult) -> None:
        key = {PK: run_partition(result.tenant_id, result.run_id), SK: result.key}
        item = to_item(result.model_dump(mode="json")) | key | {"attempts_started": result.metadata.attempts}
        with domain_errors("save step result"):
            self._table.put_item(Item=item)

    def start_attempt(self, result: StepResult) -> bool:
        attempt = result.metadata.attempts
        shown = result.model_dump(
            mode="json", include={"tenant_id", "run_id", "step", "item", "status", "started_at", "metadata"}
        )
        try:
            conditional_update(
                self._table,
                {PK: run_partition(result.tenant_id, result.run_id), SK: result.key},
                action="start step attempt",
                set_fields=to_item(shown) | {"attempts_started": attempt},
                remove=["completed_at"],
                condition=_attempt_may_write(attempt),
            )
        except ConditionFailed:
            return False
        return True

    def end_attempt(self, result: StepResult) -> bool:
        key = {PK: run_partition(result.tenant_id, result.run_id), SK: result.key}
        attempt = result.metadata.attempts
        item = to_item(result.model_dump(mode="json")) | key | {"attempts_started": attempt}
        condition = _attempt_may_write(attempt)
        try:
            with domain_errors("end step attempt", ConditionFailed):
                self._table.put_item(
                    Item=item,
                    ConditionExpression=condition.expression,
                    ExpressionAttributeNames=dict(condition.names),
                    ExpressionAttributeValues=dict(condition.values),
                )
        except ConditionFailed:
            return False
        return True

    def get(self, tenant_id: str, run_id: str, key: str) -> StepResult | None:
        with domain_errors("get step result"):
            response = self._table.get_item(
                Key={PK: run_partition(tenant_id, run_id), SK: key}, ConsistentRead=True
            )
        item = response.get("Item")
        if not item or "status" not in item:  # only an attempt counter so far
            return None
        return _step_result(item)

    def list_for_run(self, tenant_id: str, run_id: str) -> list[StepResult]:
        items = _query_all(self._table, run_partition(tenant_id, run_id), "list step results")
        return [_step_result(item) for item in items if "status" in item]

    def mark_compensated(self, tenant_id: str, run_id: str, key: str, at: datetime) -> bool:
        """Undo a succeeded step: its output leaves the view (kept as ``undone_data`` for a resumed
        run to reuse), an audit stub stays. False if nothing to undo."""
        condition = _status_in([StepStatus.SUCCEEDED, StepStatus.APPROVED, StepStatus.WAITING])
        try:
            with domain_errors("compensate step", ConditionFailed):
                self._table.update_item(
                    Key={PK: run_partition(tenant_id, run_id), SK: key},
                    UpdateExpression=(
                        "SET #status = :status, #compensated_at = :at, "
                        "#undone_data = if_not_exists(#data, :nothing) REMOVE #data, #task_token"
                    ),
                    ConditionExpression=condition.expression,
                    ExpressionAttributeNames={
                        "#compensated_at": "compensated_at",
                        "#undone_data": "undone_data",
                        "#data": "data",
                        "#task_token": _TOKEN,
                        **condition.names,
                    },
                    ExpressionAttributeValues={
                        ":status": StepStatus.COMPENSATED.value,
                        ":at": at.isoformat(),
                        ":nothing": None,
                        **condition.values,
                    },
                )
        except ConditionFailed:
            return False
        return True

    def open_gate(self, result: StepResult, task_token: str) -> None:
        key = {PK: run_partition(result.tenant_id, result.run_id), SK: result.key}
        item = to_item(result.model_dump(mode="json")) | key | {_TOKEN: task_token, "attempts_started": 1}
        with domain_errors("open approval gate"):
            self._table.put_item(Item=item)

    def gate_token(self, tenant_id: str, run_id: str, step: str) -> str | None:
        with domain_errors("read approval gate"):
            response = self._table.get_item(
                Key={PK: run_partition(tenant_id, run_id), SK: step},
                ConsistentRead=True,
                ProjectionExpression="#token",
                ExpressionAttributeNames={"#token": _TOKEN},
            )
        token = response.get("Item", {}).get(_TOKEN)
        return str(token) if token else None

    def rearm_gate(self, tenant_id: str, run_id: str, step: str, task_token: str) -> bool:
        try:
            conditional_update(
                self._table,
                {PK: run_partition(tenant_id, run_id), SK: step},
                action="re-arm approval gate",
                set_fields={_TOKEN: task_token},
                condition=_status_in([StepStatus.WAITING]),
            )
        except ConditionFailed:
            return False
        return True

    def decide_gate(
        self, tenant_id: str, run_id: str, step: str, status: StepStatus, decision: dict[str, Any]
    ) -> bool:
        try:
            conditional_update(
                self._table,
                {PK: run_partition(tenant_id, run_id), SK: step},
                action="decide approval gate",
                set_fields={
                    "status": status.value,
                    "decision": to_item(decision),
                    "completed_at": decision.get("decided_at", ""),
                },
                condition=_status_in([StepStatus.WAITING]),
            )
        except ConditionFailed:
            return False
        return True


_TOKEN = "task_token"  # noqa: S105 - an attribute name; the token never leaves the backend


class DynamoCommandLogRepository:
    """The command log: ``pk = <tenant>#<run>``, ``sk = <command id>`` (``<result key>#<index>``)."""

    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._table = open_table(table_name, resource)

    def get(self, tenant_id: str, run_id: str, command_id: str) -> CommandRecord | None:
        with domain_errors("get command"):
            response = self._table.get_item(
                Key={PK: run_partition(tenant_id, run_id), SK: command_id}, ConsistentRead=True
            )
        item = response.get("Item")
        return CommandRecord.model_validate(from_item(item)) if item else None

    def start(self, record: CommandRecord) -> None:
        key = {PK: run_partition(record.tenant_id, record.run_id), SK: record.command_id}
        with domain_errors("log command start"):
            self._table.put_item(Item=to_item(record.model_dump(mode="json")) | key)

    def complete(
        self,
        tenant_id: str,
        run_id: str,
        command_id: str,
        outcome: dict[str, Any],
        sequence: int,
        at: datetime,
    ) -> None:
        conditional_update(
            self._table,
            {PK: run_partition(tenant_id, run_id), SK: command_id},
            action="log command completion",
            set_fields={
                "status": CommandStatus.COMPLETED.value,
                "outcome": to_item(outcome),
                "sequence": sequence,
                "completed_at": at.isoformat(),
            },
            condition=_status_in([CommandStatus.STARTED]),
            on_failed=lambda: ConflictError(f"command {command_id} is not running"),
        )

    def mark_undone(
        self, tenant_id: str, run_id: str, command_id: str, undo_outcome: dict[str, Any], at: datetime
    ) -> bool:
        try:
            conditional_update(
                self._table,
                {PK: run_partition(tenant_id, run_id), SK: command_id},
                action="log command undo",
                set_fields={
                    "status": CommandStatus.UNDONE.value,
                    "undo_outcome": to_item(undo_outcome),
                    "undone_at": at.isoformat(),
                },
                condition=_status_in([CommandStatus.STARTED, CommandStatus.COMPLETED]),
            )
        except ConditionFailed:
            return False
        return True

    def list_for_run(self, tenant_id: str, run_id: str) -> list[CommandRecord]:
        items = _query_all(self._table, run_partition(tenant_id, run_id), "list commands")
        return [CommandRecord.model_validate(from_item(item)) for item in items]


def _query_all(table: Table, partition: str, action: str) -> list[dict[str, Any]]:
    """Every item of one partition (consistent, page by page)."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": PK},
        "ExpressionAttributeValues": {":pk": partition},
        "ConsistentRead": True,
    }
    with domain_errors(action):
        while True:
            response = table.query(**kwargs)
            items.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _status_in(statuses: list[StepStatus] | list[CommandStatus]) -> Condition:
    """The item's ``status`` is one of ``statuses`` (placeholders ``:<status in lowercase>``)."""
    values = {f":{status.value.lower()}": status.value for status in statuses}
    return Condition(f"#status IN ({', '.join(values)})", {"#status": "status"}, values)


def _attempt_may_write(attempt: int) -> Condition:
    """An attempt's live status may be written: the step has not finished (it is new, running, due
    for a retry or failed) and no later attempt has written it."""
    live = _status_in(sorted(LIVE_STEP_STATUSES))
    return Condition(
        f"(attribute_not_exists(#status) OR {live.expression}) AND "
        "(attribute_not_exists(#attempts_started) OR #attempts_started <= :attempt)",
        {**live.names, "#attempts_started": "attempts_started"},
        {**live.values, ":attempt": attempt},
    )


def _step_result(item: dict[str, Any]) -> StepResult:
    data = from_item(item)
    data.pop("attempts_started", None)
    data.pop(_TOKEN, None)
    return StepResult.model_validate(data)


class DynamoEventRepository:
    """Audit events: ``pk = <tenant>#<run>``, ``sk = <timestamp>#<event id>`` (time order).

    With ``retention_days`` > 0 every event carries the table's TTL attribute: DynamoDB deletes it
    that many days after it happened. 0 keeps events for good.
    """

    def __init__(self, table_name: str, resource: Any | None = None, *, retention_days: int = 0) -> None:
        if retention_days < 0:
            raise ValueError("retention_days must be 0 (keep) or more")
        self._table = open_table(table_name, resource)
        self._retention_seconds = retention_days * 24 * 3600

    def _item(self, event: EventEnvelope) -> dict[str, Any]:
        """The event's item: the same for every delivery of it (its TTL counts from its time)."""
        key = {
            PK: run_partition(event.tenant_id, event.run_id),
            SK: f"{event.timestamp.isoformat()}#{event.event_id}",
        }
        item = to_item(event.model_dump(mode="json")) | key
        if self._retention_seconds:
            item[TTL_ATTRIBUTE] = int(event.timestamp.timestamp()) + self._retention_seconds
        return item

    def append_all(self, events: list[EventEnvelope]) -> None:
        """Store events with ``BatchWriteItem`` (25 a request, what DynamoDB leaves unprocessed
        sent again): a redelivered event writes its identical item again, so each is stored once."""
        with (
            domain_errors("append events"),
            self._table.batch_writer(overwrite_by_pkeys=[PK, SK]) as batch,  # an event twice in one batch
        ):
            for event in events:
                batch.put_item(Item=self._item(event))

    def append(self, event: EventEnvelope) -> bool:
        """Store an event once; a redelivered event (same id) is ignored and returns False."""
        item = self._item(event)
        try:
            with domain_errors("append event", lambda: ConflictError("duplicate event")):
                self._table.put_item(
                    Item=item,
                    ConditionExpression="attribute_not_exists(#sk)",
                    ExpressionAttributeNames={"#sk": SK},
                )
        except ConflictError:
            return False
        return True

    def list_for_run(
        self, tenant_id: str, run_id: str, limit: int, cursor: str | None
    ) -> tuple[list[EventEnvelope], str | None]:
        items, next_cursor = query_page(
            self._table, run_partition(tenant_id, run_id), limit=limit, cursor=cursor, action="list events"
        )
        return [EventEnvelope.model_validate(from_item(item)) for item in items], next_cursor


class DynamoIdempotencyRepository:
    """Idempotency keys: ``pk = <tenant>``, ``sk = <key>``, expiring through the TTL attribute."""

    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._table = open_table(table_name, resource)

    def claim(self, record: IdempotencyRecord) -> IdempotencyRecord:
        key = {PK: validate_tenant_id(record.tenant_id), SK: record.key}
        item = to_item(record.model_dump(mode="json")) | key
        try:
            with domain_errors("claim idempotency key", lambda: ConflictError("key exists")):
                self._table.put_item(
                    Item=item,
                    # an expired record (TTL deletes lazily) counts as absent
                    ConditionExpression="attribute_not_exists(#sk) OR #exp < :now",
                    ExpressionAttributeNames={"#sk": SK, "#exp": TTL_ATTRIBUTE},
                    ExpressionAttributeValues={":now": int(time.time())},
                )
            return record
        except ConflictError:
            pass
        with domain_errors("read idempotency key"):
            response = self._table.get_item(Key=key, ConsistentRead=True)
        if "Item" not in response:  # expired and removed in between: the caller may retry
            raise RepositoryError(f"idempotency key {record.key!r} changed underneath, retry")
        return IdempotencyRecord.model_validate(from_item(response["Item"]))
