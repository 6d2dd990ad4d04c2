"""What the domain needs from storage. DynamoDB and S3 implement it; tests hand in fakes."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, Protocol

from orchestrator.core.records import (
    CommandRecord,
    Connection,
    EventEnvelope,
    IdempotencyRecord,
    Run,
    RunFilter,
    RunStatus,
    StepResult,
    StepStatus,
)


class RunRepository(Protocol):
    def create(self, run: Run) -> None: ...

    def get(self, tenant_id: str, run_id: str, *, consistent: bool = False) -> Run: ...

    def find(
        self, tenant_id: str, run_filter: RunFilter, limit: int, after: str | None
    ) -> tuple[list[Run], str | None]:
        """Oldest first, the runs created in the filter's time range (the query's key condition on
        the run id) after the run id ``after``, reading at most ``limit``; of those, the ones that
        fit the filter's template and statuses (a filter on the page read, as ``list``'s), and the
        run id to read on after (None: none left)."""
        ...

    def list(
        self, tenant_id: str, limit: int, cursor: str | None, status: RunStatus | None = None
    ) -> tuple[list[Run], str | None]:
        """Newest first; with ``status`` only runs in it (a page may then hold fewer than ``limit``:
        follow the cursor)."""
        ...

    def update_status(
        self,
        tenant_id: str,
        run_id: str,
        status: RunStatus,
        *,
        allowed_from: Collection[RunStatus] | None = None,
        **fields: Any,
    ) -> Run:
        """Set the status (and fields); with ``allowed_from``, only from one of those statuses,
        else ``ConflictError``. A missing run is ``RunNotFound``."""
        ...

    def update_fields(
        self, tenant_id: str, run_id: str, *, allowed_from: Collection[RunStatus], **fields: Any
    ) -> Run:
        """Set fields (None removes one) while the run is in one of ``allowed_from``,
        else ``ConflictError``."""
        ...

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
        """Set ``fields`` (``field`` among them) in one conditional write, only while the run is in
        ``allowed_from``, ``field`` is unset (or, with ``stale_before``, an ISO time before it) and
        the list ``unless_listed`` is empty: of callers racing for the same claim exactly one gets the
        run back, the others None. ``ConflictError`` if the run is no longer in ``allowed_from``."""
        ...

    def add_compensated_step(self, tenant_id: str, run_id: str, key: str) -> None: ...

    def next_sequence(self, tenant_id: str, run_id: str, *, model_calls: int = 0, cache_hits: int = 0) -> int:
        """The next number of the run's completion order (atomic, shared by all its functions);
        adds ``model_calls`` and ``cache_hits`` to the run's counters in the same write."""
        ...

    def count_model_calls(self, tenant_id: str, run_id: str, calls: int, cache_hits: int) -> None:
        """Add to the run's counters of provider calls and response cache hits (atomic)."""
        ...


class StepResultRepository(Protocol):
    def next_attempt(self, tenant_id: str, run_id: str, key: str) -> int: ...

    def save(self, result: StepResult) -> None: ...

    def start_attempt(self, result: StepResult) -> bool:
        """Show an attempt RUNNING (``result``: its status, ``started_at``, ``metadata.attempts``)
        unless the step has finished or a later attempt wrote it (one conditional update; the last
        error and earlier errors stay). False: nothing was written."""
        ...

    def end_attempt(self, result: StepResult) -> bool:
        """Store a failed attempt's result (RETRYING or FAILED) under the same condition as
        ``start_attempt``. False: nothing was written."""
        ...

    def get(self, tenant_id: str, run_id: str, key: str) -> StepResult | None: ...

    def list_for_run(self, tenant_id: str, run_id: str) -> list[StepResult]: ...

    def mark_compensated(self, tenant_id: str, run_id: str, key: str, at: datetime) -> bool:
        """SUCCEEDED (or a decided gate) -> COMPENSATED, output dropped; False if nothing to undo."""
        ...

    def open_gate(self, result: StepResult, task_token: str) -> None:
        """Store a WAITING approval gate with the task token that resumes the execution."""
        ...

    def gate_token(self, tenant_id: str, run_id: str, step: str) -> str | None: ...

    def rearm_gate(self, tenant_id: str, run_id: str, step: str, task_token: str) -> bool:
        """A WAITING gate waits on with a new task token (the old one expired); False if it was
        not waiting (decided meanwhile)."""
        ...

    def decide_gate(
        self, tenant_id: str, run_id: str, step: str, status: StepStatus, decision: dict[str, Any]
    ) -> bool:
        """WAITING -> ``status`` with the decision; False if the gate was not waiting."""
        ...


class CommandLogRepository(Protocol):
    def get(self, tenant_id: str, run_id: str, command_id: str) -> CommandRecord | None: ...

    def start(self, record: CommandRecord) -> None:
        """Write the record as STARTED (before the command runs)."""
        ...

    def complete(
        self,
        tenant_id: str,
        run_id: str,
        command_id: str,
        outcome: dict[str, Any],
        sequence: int,
        at: datetime,
    ) -> None: ...

    def mark_undone(
        self, tenant_id: str, run_id: str, command_id: str, undo_outcome: dict[str, Any], at: datetime
    ) -> bool:
        """STARTED or COMPLETED -> UNDONE; False when it was undone already."""
        ...

    def list_for_run(self, tenant_id: str, run_id: str) -> list[CommandRecord]: ...


class EventRepository(Protocol):
    def append(self, event: EventEnvelope) -> bool: ...

    def append_all(self, events: list[EventEnvelope]) -> None:
        """Store each event once (in as few requests as the store allows)."""
        ...

    def list_for_run(
        self, tenant_id: str, run_id: str, limit: int, cursor: str | None
    ) -> tuple[list[EventEnvelope], str | None]: ...


class IdempotencyRepository(Protocol):
    def claim(self, record: IdempotencyRecord) -> IdempotencyRecord:
        """Store the record unless the tenant's key exists already; return the stored one."""
        ...


class Workspace(Protocol):
    """The tenants' versioned artifact store (S3 on AWS). Keys are full keys (tenant prefix included)."""

    def put(self, key: str, body: bytes, content_type: str, metadata: dict[str, str]) -> str:
        """Write a new version; return its version id."""
        ...

    def get(self, key: str) -> bytes: ...

    def size(self, key: str) -> int | None:
        """The current version's size in bytes, or None when the key does not exist."""
        ...

    def delete_version(self, key: str, version_id: str) -> None:
        """Permanently remove one version (no error when it is already gone)."""
        ...

    def versions(self, prefix: str) -> list[tuple[str, str, dict[str, str]]]:
        """Every version under a prefix: ``(key, version id, metadata)``."""
        ...


class EventPublisher(Protocol):
    def publish(self, event: EventEnvelope) -> None: ...


class TaskTokens(Protocol):
    def succeed(self, token: str, output: dict[str, Any]) -> None: ...

    def fail(self, token: str, error: str, cause: str) -> None: ...


class ExecutionStarter(Protocol):
    def start(self, template: str, run_id: str, state_input: dict[str, Any]) -> str:
        """Start the template's state machine with execution name = run id; return its ARN."""
        ...


class ExecutionHistory(Protocol):
    def events(self, execution_arn: str) -> list[dict[str, Any]] | None:
        """Every event of an execution's history, oldest first (all pages; no state payloads).
        None when Step Functions no longer has the execution (its history expired)."""
        ...


class ConnectionRepository(Protocol):
    """A tenant's WebSocket connections and what each subscribed to (``push/``)."""

    def add(self, connection: Connection) -> None: ...

    def subscribe(self, tenant_id: str, connection_id: str, run_id: str | None) -> None:
        """Add one run (None: every run of the tenant) to the connection's subscriptions;
        ``ConnectionGone`` when the connection is not (or no longer) the tenant's."""
        ...

    def remove(self, tenant_id: str, connection_id: str) -> None:
        """Forget the connection (no error when it is already gone)."""
        ...

    def subscribed(self, tenant_id: str, run_id: str) -> list[Connection]:
        """The tenant's connections subscribed to ``run_id`` or to every run."""
        ...

    def subscribers(self, tenant_id: str) -> list[Connection]:
        """The tenant's connections subscribed to any run (or to every run)."""
        ...


class ConnectionSender(Protocol):
    def post(self, connection_id: str, data: bytes) -> bool:
        """Send ``data`` to the client as one message; False when the connection is gone (410)."""
        ...
