"""In-memory stand-ins for storage, the event bus, Step Functions and model providers.

The repositories follow ``orchestrator/repositories/dynamodb.py`` closely: items are kept
in the same serialised form (``to_item``/``from_item``), keys are built the same way (so a
bad tenant id fails the same way), and every conditional write has the same outcome
(``RunNotFound``, ``ConflictError``, ``False`` for nothing to undo or a duplicate event).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from orchestrator.adapters.dynamodb_keys import (
    decode_cursor,
    encode_cursor,
    from_item,
    run_partition,
    to_item,
)
from orchestrator.core.constants import PK, SK
from orchestrator.core.errors import ConflictError, RepositoryError, RunNotFound
from orchestrator.core.ids import run_id_range
from orchestrator.core.records import (
    CommandRecord,
    CommandStatus,
    EventEnvelope,
    IdempotencyRecord,
    Run,
    RunFilter,
    RunStatus,
    StepResult,
    StepStatus,
    TokenUsage,
    validate_tenant_id,
)
from orchestrator.providers import ModelRequest, ModelResponse

Item = dict[str, Any]


def _page(
    partition: str, sort_keys: Iterable[str], limit: int, cursor: str | None, *, descending: bool
) -> tuple[list[str], str | None]:
    """One Query page: like DynamoDB, a page that reaches ``limit`` carries a LastEvaluatedKey."""
    start = decode_cursor(cursor, partition)
    ordered = sorted(sort_keys, reverse=descending)
    if start:
        after = start[SK]
        ordered = [key for key in ordered if (key < after if descending else key > after)]
    page = ordered[:limit]
    last_key = {PK: partition, SK: page[-1]} if page and len(page) == limit else None
    return page, encode_cursor(last_key)


class InMemoryRunRepository:
    """Runs keyed by ``(tenant, run id)``; one tenant never sees another's runs."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Item] = {}
        self._claims = threading.Lock()

    def _key(self, tenant_id: str, run_id: str) -> tuple[str, str]:
        return validate_tenant_id(tenant_id), run_id

    def create(self, run: Run) -> None:
        key = self._key(run.tenant_id, run.run_id)
        if key in self.items:
            raise ConflictError(f"run {run.run_id} already exists")
        self.items[key] = to_item(run.model_dump(mode="json"))

    def get(self, tenant_id: str, run_id: str, *, consistent: bool = False) -> Run:
        item = self.items.get(self._key(tenant_id, run_id))
        if item is None:
            raise RunNotFound(f"run {run_id} not found")
        return Run.model_validate(from_item(item))

    def find(
        self, tenant_id: str, run_filter: RunFilter, limit: int, after: str | None
    ) -> tuple[list[Run], str | None]:
        partition = validate_tenant_id(tenant_id)
        low, high = run_id_range(run_filter)
        in_range = sorted(
            run_id
            for tenant, run_id in self.items
            if tenant == partition and low <= run_id <= high and (after is None or run_id > after)
        )
        page = in_range[:limit]  # like DynamoDB: a page that reaches the limit names its last key
        read = [self.get(tenant_id, run_id) for run_id in page]
        return [run for run in read if run_filter.matches(run)], page[-1] if len(page) == limit else None

    def list(
        self, tenant_id: str, limit: int, cursor: str | None, status: RunStatus | None = None
    ) -> tuple[list[Run], str | None]:
        partition = validate_tenant_id(tenant_id)
        run_ids = [run_id for tenant, run_id in self.items if tenant == partition]
        page, next_cursor = _page(partition, run_ids, limit, cursor, descending=True)
        if status is not None:  # as DynamoDB's filter: applied to the page read
            page = [run_id for run_id in page if self.items[(partition, run_id)]["status"] == status.value]
        return [self.get(tenant_id, run_id) for run_id in page], next_cursor

    def update_status(
        self,
        tenant_id: str,
        run_id: str,
        status: RunStatus,
        *,
        allowed_from: Collection[RunStatus] | None = None,
        **fields: Any,
    ) -> Run:
        item = self.items.get(self._key(tenant_id, run_id))
        if item is None:
            raise RunNotFound(f"run {run_id} not found")
        if allowed_from is not None and RunStatus(item["status"]) not in allowed_from:
            raise ConflictError(f"run {run_id} is {item['status']}: cannot become {status.value}")
        removed = [key for key, value in fields.items() if value is None]  # None removes an attribute
        item.update(to_item({"status": status.value, **fields}))
        for key in removed:
            item.pop(key, None)
        return Run.model_validate(from_item(item))

    def update_fields(
        self, tenant_id: str, run_id: str, *, allowed_from: Collection[RunStatus], **fields: Any
    ) -> Run:
        item = self.items.get(self._key(tenant_id, run_id))
        if item is None:
            raise RunNotFound(f"run {run_id} not found")
        if RunStatus(item["status"]) not in allowed_from:
            raise ConflictError(f"run {run_id} is {item['status']}")
        item.update(to_item({k: v for k, v in fields.items() if v is not None}))
        for key in [k for k, v in fields.items() if v is None]:
            item.pop(key, None)
        return Run.model_validate(from_item(item))

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
        with self._claims:  # one conditional write: the check and the write are one step
            item = self.items.get(self._key(tenant_id, run_id))
            if item is None:
                raise RunNotFound(f"run {run_id} not found")
            if RunStatus(item["status"]) not in allowed_from:
                raise ConflictError(f"run {run_id} is {item['status']}")
            held = field in item and (stale_before is None or item[field] >= stale_before)
            if held or (unless_listed is not None and item.get(unless_listed)):
                return None
            item.update(to_item(fields))
            return Run.model_validate(from_item(item))

    def add_compensated_step(self, tenant_id: str, run_id: str, key: str) -> None:
        item = self.items.get(self._key(tenant_id, run_id))
        if item is None:
            raise RunNotFound(f"run {run_id} not found")
        item["compensated_steps"] = [*item.get("compensated_steps", []), key]

    def next_sequence(self, tenant_id: str, run_id: str, *, model_calls: int = 0, cache_hits: int = 0) -> int:
        item = self.items.get(self._key(tenant_id, run_id))
        if item is None:
            raise RunNotFound(f"run {run_id} not found")
        if model_calls or cache_hits:
            self.count_model_calls(tenant_id, run_id, model_calls, cache_hits)
        item["completion_sequence"] = int(item.get("completion_sequence", 0)) + 1
        return int(item["completion_sequence"])

    def count_model_calls(self, tenant_id: str, run_id: str, calls: int, cache_hits: int) -> None:
        item = self.items.get(self._key(tenant_id, run_id))
        if item is None:
            raise RunNotFound(f"run {run_id} not found")
        item["model_calls"] = int(item.get("model_calls", 0)) + calls
        item["cache_hits"] = int(item.get("cache_hits", 0)) + cache_hits


UNDOABLE = {StepStatus.SUCCEEDED.value, StepStatus.APPROVED.value, StepStatus.WAITING.value}


class InMemoryStepResultRepository:
    """Step results keyed by ``(<tenant>#<run>, step[#item])``, with the attempt counter and gates."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Item] = {}

    def next_attempt(self, tenant_id: str, run_id: str, key: str) -> int:
        item = self.items.setdefault((run_partition(tenant_id, run_id), key), {})
        item["attempts_started"] = int(item.get("attempts_started", 0)) + 1
        return int(item["attempts_started"])

    def save(self, result: StepResult) -> None:
        key = (run_partition(result.tenant_id, result.run_id), result.key)
        self.items[key] = to_item(result.model_dump(mode="json")) | {
            "attempts_started": result.metadata.attempts
        }

    def start_attempt(self, result: StepResult) -> bool:
        key = (run_partition(result.tenant_id, result.run_id), result.key)
        attempt = result.metadata.attempts
        if not _attempt_may_write(self.items.get(key), attempt):
            return False
        shown = result.model_dump(
            mode="json", include={"tenant_id", "run_id", "step", "item", "status", "started_at", "metadata"}
        )
        item = self.items.setdefault(key, {})
        item.update(to_item(shown) | {"attempts_started": attempt})
        item.pop("completed_at", None)
        return True

    def end_attempt(self, result: StepResult) -> bool:
        key = (run_partition(result.tenant_id, result.run_id), result.key)
        if not _attempt_may_write(self.items.get(key), result.metadata.attempts):
            return False
        self.save(result)
        return True

    def get(self, tenant_id: str, run_id: str, key: str) -> StepResult | None:
        item = self.items.get((run_partition(tenant_id, run_id), key))
        if not item or "status" not in item:  # only an attempt counter so far
            return None
        return _step_result(item)

    def list_for_run(self, tenant_id: str, run_id: str) -> list[StepResult]:
        partition = run_partition(tenant_id, run_id)
        keys = sorted(key for part, key in self.items if part == partition)
        items = [self.items[(partition, key)] for key in keys]
        return [_step_result(item) for item in items if "status" in item]

    def mark_compensated(self, tenant_id: str, run_id: str, key: str, at: datetime) -> bool:
        item = self.items.get((run_partition(tenant_id, run_id), key))
        if not item or item.get("status") not in UNDOABLE:
            return False
        item["status"] = StepStatus.COMPENSATED.value
        item["compensated_at"] = at.isoformat()
        item["undone_data"] = item.pop("data", None)
        item.pop("task_token", None)
        return True

    def open_gate(self, result: StepResult, task_token: str) -> None:
        key = (run_partition(result.tenant_id, result.run_id), result.key)
        self.items[key] = to_item(result.model_dump(mode="json")) | {
            "task_token": task_token,
            "attempts_started": 1,
        }

    def gate_token(self, tenant_id: str, run_id: str, step: str) -> str | None:
        token = self.items.get((run_partition(tenant_id, run_id), step), {}).get("task_token")
        return str(token) if token else None

    def rearm_gate(self, tenant_id: str, run_id: str, step: str, task_token: str) -> bool:
        item = self.items.get((run_partition(tenant_id, run_id), step))
        if not item or item.get("status") != StepStatus.WAITING.value:
            return False
        item["task_token"] = task_token
        return True

    def decide_gate(
        self, tenant_id: str, run_id: str, step: str, status: StepStatus, decision: dict[str, Any]
    ) -> bool:
        item = self.items.get((run_partition(tenant_id, run_id), step))
        if not item or item.get("status") != StepStatus.WAITING.value:
            return False
        item.update(
            to_item({"status": status.value, "decision": decision, "completed_at": decision["decided_at"]})
        )
        return True


def _attempt_may_write(item: Item | None, attempt: int) -> bool:
    """As DynamoDB's condition: the step has not finished and no later attempt wrote it."""
    if not item:
        return True
    live = "status" not in item or StepStatus(item["status"]).is_live
    return live and int(item.get("attempts_started", 0)) <= attempt


def _step_result(item: Item) -> StepResult:
    data = from_item(item)
    data.pop("attempts_started", None)
    data.pop("task_token", None)
    return StepResult.model_validate(data)


class InMemoryCommandLog:
    """The command log per ``<tenant>#<run>``, with the same conditional transitions as DynamoDB."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Item] = {}

    def get(self, tenant_id: str, run_id: str, command_id: str) -> CommandRecord | None:
        item = self.items.get((run_partition(tenant_id, run_id), command_id))
        return CommandRecord.model_validate(from_item(item)) if item else None

    def start(self, record: CommandRecord) -> None:
        self.items[(run_partition(record.tenant_id, record.run_id), record.command_id)] = to_item(
            record.model_dump(mode="json")
        )

    def complete(
        self,
        tenant_id: str,
        run_id: str,
        command_id: str,
        outcome: dict[str, Any],
        sequence: int,
        at: datetime,
    ) -> None:
        item = self.items.get((run_partition(tenant_id, run_id), command_id))
        if not item or item["status"] != CommandStatus.STARTED.value:
            raise ConflictError(f"command {command_id} is not running")
        item.update(
            to_item(
                {
                    "status": CommandStatus.COMPLETED.value,
                    "outcome": outcome,
                    "sequence": sequence,
                    "completed_at": at.isoformat(),
                }
            )
        )

    def mark_undone(
        self, tenant_id: str, run_id: str, command_id: str, undo_outcome: dict[str, Any], at: datetime
    ) -> bool:
        item = self.items.get((run_partition(tenant_id, run_id), command_id))
        if not item or item["status"] == CommandStatus.UNDONE.value:
            return False
        item.update(
            to_item(
                {
                    "status": CommandStatus.UNDONE.value,
                    "undo_outcome": undo_outcome,
                    "undone_at": at.isoformat(),
                }
            )
        )
        return True

    def list_for_run(self, tenant_id: str, run_id: str) -> list[CommandRecord]:
        partition = run_partition(tenant_id, run_id)
        return [
            CommandRecord.model_validate(from_item(item))
            for (part, _), item in sorted(self.items.items())
            if part == partition
        ]


class InMemoryWorkspace:
    """A versioned bucket: every put is a new version; deleting a version makes the previous current."""

    def __init__(self) -> None:
        self.objects: dict[str, list[tuple[str, bytes, dict[str, str]]]] = {}
        self._counter = 0

    def put(self, key: str, body: bytes, content_type: str, metadata: dict[str, str]) -> str:
        self._counter += 1
        version = f"v{self._counter:06d}"
        self.objects.setdefault(key, []).append((version, body, dict(metadata)))
        return version

    def get(self, key: str) -> bytes:
        versions = self.objects.get(key)
        if not versions:
            raise RepositoryError(f"reading {key}: NoSuchKey")
        return versions[-1][1]

    def size(self, key: str) -> int | None:
        versions = self.objects.get(key)
        return len(versions[-1][1]) if versions else None

    def delete_version(self, key: str, version_id: str) -> None:
        remaining = [v for v in self.objects.get(key, []) if v[0] != version_id]
        if remaining:
            self.objects[key] = remaining
        else:
            self.objects.pop(key, None)

    def versions(self, prefix: str) -> list[tuple[str, str, dict[str, str]]]:
        return [
            (key, version, metadata)
            for key, versions in sorted(self.objects.items())
            if key.startswith(prefix)
            for version, _, metadata in versions
        ]

    def snapshot(self) -> dict[str, list[str]]:
        return {key: [v[0] for v in versions] for key, versions in self.objects.items()}


class InMemoryEventRepository:
    """Audit events per ``<tenant>#<run>``, sorted by ``<timestamp>#<event id>``.

    As in DynamoDB the sort key is the identity: a redelivered event (same id, same
    timestamp) is stored once and ``append`` returns False.
    """

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Item]] = {}

    def append(self, event: EventEnvelope) -> bool:
        partition = self.items.setdefault(run_partition(event.tenant_id, event.run_id), {})
        sort_key = f"{event.timestamp.isoformat()}#{event.event_id}"
        if sort_key in partition:
            return False
        partition[sort_key] = to_item(event.model_dump(mode="json"))
        return True

    def append_all(self, events: list[EventEnvelope]) -> None:
        for event in events:
            self.append(event)

    def list_for_run(
        self, tenant_id: str, run_id: str, limit: int, cursor: str | None
    ) -> tuple[list[EventEnvelope], str | None]:
        partition_key = run_partition(tenant_id, run_id)
        partition = self.items.get(partition_key, {})
        page, next_cursor = _page(partition_key, partition, limit, cursor, descending=False)
        return [EventEnvelope.model_validate(from_item(partition[key])) for key in page], next_cursor


class RecordingPublisher:
    """An event bus that keeps what was published, in order."""

    def __init__(self) -> None:
        self.events: list[EventEnvelope] = []

    def publish(self, event: EventEnvelope) -> None:
        json.loads(event.model_dump_json())  # the real publisher sends the envelope as JSON
        self.events.append(event)

    @property
    def types(self) -> list[str]:
        return [event.event_type for event in self.events]

    def of_type(self, event_type: str) -> list[EventEnvelope]:
        return [event for event in self.events if event.event_type == event_type]


class PublisherFailingOnce(RecordingPublisher):
    """A bus that is throttled once (the first publish raises), then works."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    def publish(self, event: EventEnvelope) -> None:
        if not self.failed:
            self.failed = True
            raise RepositoryError(f"publishing {event.event_type} failed: ThrottlingException")
        super().publish(event)


@dataclass(frozen=True)
class StartCall:
    template: str
    run_id: str
    state_input: dict[str, Any]


class FakeStarter:
    """Step Functions' StartExecution with execution name = run id.

    Starting the same name with the same input again returns the same ARN (as Step
    Functions does); another input for a used name raises ``ConflictError`` (what
    ``StepFunctionsStarter`` turns ``ExecutionAlreadyExists`` into). ``fail_with`` makes
    every later call raise the given exception.
    """

    def __init__(self, region: str = "eu-west-1", account: str = "123456789012") -> None:
        self.region = region
        self.account = account
        self.calls: list[StartCall] = []
        self.executions: dict[str, tuple[str, str]] = {}  # name -> (template, input JSON)
        self.error: BaseException | None = None

    def fail_with(self, error: BaseException | None) -> None:
        self.error = error

    def arn(self, template: str, run_id: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:execution:orchestrator-{template}:{run_id}"

    def start(self, template: str, run_id: str, state_input: dict[str, Any]) -> str:
        serialised = json.dumps(state_input, sort_keys=True)  # the real starter sends JSON
        self.calls.append(StartCall(template, run_id, json.loads(serialised)))
        if self.error is not None:
            raise self.error
        existing = self.executions.get(run_id)
        if existing is not None and existing != (template, serialised):
            raise ConflictError(f"run {run_id} already started")
        self.executions[run_id] = (template, serialised)
        return self.arn(template, run_id)


@dataclass
class ScriptedProvider:
    """A model provider that answers from a script: a text, an exception, or a function of the request."""

    answers: list[str | BaseException | Callable[[ModelRequest], str]] = field(default_factory=list)
    name: str = "scripted"
    model: str = "scripted-model-1"
    usage: TokenUsage = field(default_factory=lambda: TokenUsage(input_tokens=120, output_tokens=45))
    cost: float = 0.0012
    requests: list[ModelRequest] = field(default_factory=list)

    def complete(self, request: ModelRequest) -> ModelResponse:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        text = answer(request) if callable(answer) else answer
        return ModelResponse(
            text=text, provider=self.name, model=self.model, usage=self.usage, cost_usd=self.cost
        )


def phase_answer(summary: str = "A plan that works.", confidence: float = 0.8, **extra: Any) -> str:
    """A valid ``PhaseOutput`` JSON answer."""
    return json.dumps(
        {"summary": summary, "deliverables": ["a deliverable"], "risks": [], "confidence": confidence} | extra
    )


def given_run(
    runs: InMemoryRunRepository,
    *,
    tenant_id: str = "acme",
    run_id: str = "01jabcdefghjkmnpqrstvwxyz0",
    template: str = "generic",
    topic: str = "A bike-sharing app for a small town",
    correlation_id: str = "corr-123",
    **options: Any,
) -> Run:
    """A stored PENDING run (``options`` are ``RunOptions`` fields)."""
    run = Run(
        tenant_id=tenant_id,
        run_id=run_id,
        template=template,
        topic=topic,
        correlation_id=correlation_id,
        options=options,
    )
    runs.create(run)
    return run


class InMemoryIdempotencyRepository:
    """Idempotency keys per tenant; an expired record counts as absent (as the TTL condition)."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], IdempotencyRecord] = {}

    def claim(self, record: IdempotencyRecord) -> IdempotencyRecord:
        key = (validate_tenant_id(record.tenant_id), record.key)
        existing = self.records.get(key)
        if existing is not None and existing.expires_at >= time.time():
            return existing
        self.records[key] = record
        return record
