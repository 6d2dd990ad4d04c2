"""DynamoDB implementations of the repositories. Only GetItem/PutItem/UpdateItem/Query."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from orchestrator.aws_errors import domain_error
from orchestrator.constants import PK, SK, TTL_ATTRIBUTE
from orchestrator.errors import ConflictError, RepositoryError, RunNotFound
from orchestrator.ids import is_run_id
from orchestrator.models import (
    EventEnvelope,
    IdempotencyRecord,
    PhaseResult,
    PhaseStatus,
    Run,
    RunStatus,
    validate_tenant_id,
)
from orchestrator.repositories.keys import (
    decode_cursor,
    encode_cursor,
    from_item,
    run_partition,
    to_item,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table
else:
    Table = Any


def _table(name: str, resource: Any | None) -> Table:
    if resource is None:
        from orchestrator.aws import dynamodb_resource

        resource = dynamodb_resource()
    return resource.Table(name)


@contextmanager
def _errors(action: str, on_conditional: Callable[[], Exception] | None = None) -> Iterator[None]:
    """Turn SDK failures into domain errors: a failed condition into ``on_conditional()``."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ConditionalCheckFailedException" and on_conditional is not None:
            raise on_conditional() from exc
        raise domain_error(action, exc) from exc
    except BotoCoreError as exc:
        raise domain_error(action, exc) from exc


class DynamoRunRepository:
    """Runs: ``pk = <tenant>``, ``sk = <run id>`` (run ids sort by creation time)."""

    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._table = _table(table_name, resource)

    def create(self, run: Run) -> None:
        item = to_item(run.model_dump(mode="json")) | {PK: validate_tenant_id(run.tenant_id), SK: run.run_id}
        with _errors("create run", lambda: ConflictError(f"run {run.run_id} already exists")):
            self._table.put_item(
                Item=item,
                ConditionExpression="attribute_not_exists(#sk)",
                ExpressionAttributeNames={"#sk": SK},
            )

    def get(self, tenant_id: str, run_id: str) -> Run:
        if not is_run_id(run_id):  # also keeps oversized keys away from DynamoDB
            raise RunNotFound(f"run {run_id[:64]!r} not found (run ids are 26 lowercase letters and digits)")
        with _errors("get run"):
            response = self._table.get_item(Key={PK: validate_tenant_id(tenant_id), SK: run_id})
        if "Item" not in response:
            raise RunNotFound(f"run {run_id} not found")
        return Run.model_validate(from_item(response["Item"]))

    def list(self, tenant_id: str, limit: int, cursor: str | None) -> tuple[list[Run], str | None]:
        partition = validate_tenant_id(tenant_id)
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PK},
            "ExpressionAttributeValues": {":pk": partition},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        start = decode_cursor(cursor, partition)
        if start:
            kwargs["ExclusiveStartKey"] = start
        with _errors("list runs"):
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
        values = to_item({"status": status.value, **fields})
        names = {f"#{key}": key for key in values} | {"#sk": SK}
        expression = "SET " + ", ".join(f"#{key} = :{key}" for key in values)
        condition = "attribute_exists(#sk)"
        condition_values: dict[str, str] = {}
        if allowed_from is not None:
            condition_values = {f":from{i}": s.value for i, s in enumerate(sorted(allowed_from))}
            names["#status"] = "status"
            condition += f" AND #status IN ({', '.join(condition_values)})"
        try:
            with _errors("update run", _StatusConflict):
                response = self._table.update_item(
                    Key={PK: validate_tenant_id(tenant_id), SK: run_id},
                    UpdateExpression=expression,
                    ConditionExpression=condition,
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues={f":{key}": value for key, value in values.items()}
                    | condition_values,
                    ReturnValues="ALL_NEW",
                )
            return Run.model_validate(from_item(response["Attributes"]))
        except _StatusConflict:
            pass
        current = self.get(tenant_id, run_id)  # RunNotFound when it does not exist
        raise ConflictError(f"run {run_id} is {current.status.value}: cannot become {status.value}")

    def add_compensated_phase(self, tenant_id: str, run_id: str, phase: str) -> None:
        with _errors("record compensation", lambda: RunNotFound(f"run {run_id} not found")):
            self._table.update_item(
                Key={PK: validate_tenant_id(tenant_id), SK: run_id},
                UpdateExpression="SET #c = list_append(if_not_exists(#c, :empty), :phase)",
                ConditionExpression="attribute_exists(#sk)",
                ExpressionAttributeNames={"#c": "compensated_phases", "#sk": SK},
                ExpressionAttributeValues={":phase": [phase], ":empty": []},
            )


class DynamoPhaseResultRepository:
    """Phase results: ``pk = <tenant>#<run>``, ``sk = <phase>``."""

    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._table = _table(table_name, resource)

    def next_attempt(self, tenant_id: str, run_id: str, phase: str) -> int:
        with _errors("count attempt"):
            response = self._table.update_item(
                Key={PK: run_partition(tenant_id, run_id), SK: phase},
                UpdateExpression="ADD #a :one",
                ExpressionAttributeNames={"#a": "attempts_started"},
                ExpressionAttributeValues={":one": 1},
                ReturnValues="UPDATED_NEW",
            )
        return int(response["Attributes"]["attempts_started"])

    def save(self, result: PhaseResult) -> None:
        key = {PK: run_partition(result.tenant_id, result.run_id), SK: result.phase}
        item = to_item(result.model_dump(mode="json")) | key | {"attempts_started": result.metadata.attempts}
        with _errors("save phase result"):
            self._table.put_item(Item=item)

    def get(self, tenant_id: str, run_id: str, phase: str) -> PhaseResult | None:
        with _errors("get phase result"):
            response = self._table.get_item(Key={PK: run_partition(tenant_id, run_id), SK: phase})
        item = response.get("Item")
        if not item or "status" not in item:  # only an attempt counter so far
            return None
        return _phase_result(item)

    def list_for_run(self, tenant_id: str, run_id: str) -> list[PhaseResult]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PK},
            "ExpressionAttributeValues": {":pk": run_partition(tenant_id, run_id)},
        }
        with _errors("list phase results"):
            while True:
                response = self._table.query(**kwargs)
                items.extend(response.get("Items", []))
                if "LastEvaluatedKey" not in response:
                    break
                kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return [_phase_result(item) for item in items if "status" in item]

    def mark_compensated(self, tenant_id: str, run_id: str, phase: str, at: datetime) -> bool:
        """Undo a succeeded phase: drop its output, keep an audit stub. False if nothing to undo."""
        try:
            with _errors("compensate phase", _NothingToUndo):
                self._table.update_item(
                    Key={PK: run_partition(tenant_id, run_id), SK: phase},
                    UpdateExpression="SET #s = :compensated, #at = :at REMOVE #data",
                    ConditionExpression="#s = :succeeded",
                    ExpressionAttributeNames={"#s": "status", "#at": "compensated_at", "#data": "data"},
                    ExpressionAttributeValues={
                        ":compensated": PhaseStatus.COMPENSATED.value,
                        ":succeeded": PhaseStatus.SUCCEEDED.value,
                        ":at": at.isoformat(),
                    },
                )
        except _NothingToUndo:
            return False
        return True


class _NothingToUndo(Exception):
    pass


class _StatusConflict(Exception):
    pass


def _phase_result(item: dict[str, Any]) -> PhaseResult:
    data = from_item(item)
    data.pop("attempts_started", None)
    return PhaseResult.model_validate(data)


class DynamoEventRepository:
    """Audit events: ``pk = <tenant>#<run>``, ``sk = <timestamp>#<event id>`` (time order)."""

    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._table = _table(table_name, resource)

    def append(self, event: EventEnvelope) -> bool:
        """Store an event once; a redelivered event (same id) is ignored and returns False."""
        key = {
            PK: run_partition(event.tenant_id, event.run_id),
            SK: f"{event.timestamp.isoformat()}#{event.event_id}",
        }
        item = to_item(event.model_dump(mode="json")) | key
        try:
            with _errors("append event", lambda: ConflictError("duplicate event")):
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
        partition = run_partition(tenant_id, run_id)
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PK},
            "ExpressionAttributeValues": {":pk": partition},
            "Limit": limit,
        }
        start = decode_cursor(cursor, partition)
        if start:
            kwargs["ExclusiveStartKey"] = start
        with _errors("list events"):
            response = self._table.query(**kwargs)
        events = [EventEnvelope.model_validate(from_item(item)) for item in response.get("Items", [])]
        return events, encode_cursor(response.get("LastEvaluatedKey"))


class DynamoIdempotencyRepository:
    """Idempotency keys: ``pk = <tenant>``, ``sk = <key>``, expiring through the TTL attribute."""

    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._table = _table(table_name, resource)

    def claim(self, record: IdempotencyRecord) -> IdempotencyRecord:
        key = {PK: validate_tenant_id(record.tenant_id), SK: record.key}
        item = to_item(record.model_dump(mode="json")) | key
        try:
            with _errors("claim idempotency key", lambda: ConflictError("key exists")):
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
        with _errors("read idempotency key"):
            response = self._table.get_item(Key=key, ConsistentRead=True)
        if "Item" not in response:  # expired and removed in between: the caller may retry
            raise RepositoryError(f"idempotency key {record.key!r} changed underneath, retry")
        return IdempotencyRecord.model_validate(from_item(response["Item"]))
