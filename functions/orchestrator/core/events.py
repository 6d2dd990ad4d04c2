"""Lifecycle events: the one way an envelope is made (published as the detail of a bus event).

``new_envelope`` fills what every event carries: a fresh event id, the time, and the run it
belongs to (tenant, run, correlation id), taken from anything that names them: a run, a task
input, a model call, a command's context, or ``RunIds`` when the three are at hand separately.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from orchestrator.core.records import EventEnvelope


class RunScope(Protocol):
    """Whatever names the run an event is about."""

    @property
    def tenant_id(self) -> str: ...

    @property
    def run_id(self) -> str: ...

    @property
    def correlation_id(self) -> str: ...


@dataclass(frozen=True)
class RunIds:
    """The three ids of a run's event, when no one object carries them all."""

    tenant_id: str
    run_id: str
    correlation_id: str


def new_envelope(
    event_type: str,
    scope: RunScope,
    *,
    phase: str | None = None,
    payload: dict[str, Any] | None = None,
) -> EventEnvelope:
    """The envelope of a new ``event_type`` event about ``scope``'s run (a new event id, now)."""
    return EventEnvelope(
        event_type=event_type,
        correlation_id=scope.correlation_id,
        tenant_id=scope.tenant_id,
        run_id=scope.run_id,
        phase=phase,
        payload=payload if payload is not None else {},
    )
