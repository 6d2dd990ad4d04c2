"""What the domain needs from storage. DynamoDB implements it; tests hand in fakes."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, Protocol

from orchestrator.models import EventEnvelope, IdempotencyRecord, PhaseResult, Run, RunStatus


class RunRepository(Protocol):
    def create(self, run: Run) -> None: ...

    def get(self, tenant_id: str, run_id: str) -> Run: ...

    def list(self, tenant_id: str, limit: int, cursor: str | None) -> tuple[list[Run], str | None]: ...

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

    def add_compensated_phase(self, tenant_id: str, run_id: str, phase: str) -> None: ...


class PhaseResultRepository(Protocol):
    def next_attempt(self, tenant_id: str, run_id: str, phase: str) -> int: ...

    def save(self, result: PhaseResult) -> None: ...

    def get(self, tenant_id: str, run_id: str, phase: str) -> PhaseResult | None: ...

    def list_for_run(self, tenant_id: str, run_id: str) -> list[PhaseResult]: ...

    def mark_compensated(self, tenant_id: str, run_id: str, phase: str, at: datetime) -> bool: ...


class EventRepository(Protocol):
    def append(self, event: EventEnvelope) -> bool: ...

    def list_for_run(
        self, tenant_id: str, run_id: str, limit: int, cursor: str | None
    ) -> tuple[list[EventEnvelope], str | None]: ...


class IdempotencyRepository(Protocol):
    def claim(self, record: IdempotencyRecord) -> IdempotencyRecord:
        """Store the record unless the tenant's key exists already; return the stored one."""
        ...
