"""A run's timeline: one list, in time order, of what its execution history recorded (the execution,
states entered and exited, map items, failed attempts and their retries, the catch into compensation
and the compensation states), of its step results (status, attempt, provider, model, prompt version,
tokens, cost, confidence) and of its events.

Every entry has ``at`` (= ``started_at``), ``ended_at`` and ``duration_ms`` (both None for an instant
or for what has not ended), ``kind``, ``name``, ``source`` and ``details``. Pairs in the history are
found through its ``previousEventId`` links: a state's exit leads back to its entry, a map item's
end to its start, a failed attempt to the state it ran in, and a retry's new attempt follows the
failure it retries.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from orchestrator.core.constants import CATCH_STATE_PREFIX
from orchestrator.core.ports import EventRepository, ExecutionHistory, RunRepository, StepResultRepository
from orchestrator.core.records import EventEnvelope, Run, StepResult

MAX_EVENTS_READ = 5_000
"""A run's audit events read for its timeline (in pages of 200)."""
MAX_ENTRIES = 10_000
"""Entries a timeline answers with at most (the earliest; ``truncated`` says when more exist)."""

_FAILED_ATTEMPTS = frozenset(
    {
        "TaskFailed",
        "TaskTimedOut",
        "TaskSubmitFailed",
        "TaskStartFailed",
        "LambdaFunctionFailed",
        "LambdaFunctionTimedOut",
        "LambdaFunctionStartFailed",
    }
)
_SCHEDULED = frozenset({"TaskScheduled", "LambdaFunctionScheduled"})
_ITERATION_ENDS = {
    "MapIterationSucceeded": "SUCCEEDED",
    "MapIterationFailed": "FAILED",
    "MapIterationAborted": "ABORTED",
}
_EXECUTION_ENDS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionAborted": "ABORTED",
    "ExecutionTimedOut": "TIMED_OUT",
}
_SOURCE_ORDER = {"execution": 0, "step_result": 1, "event": 2}

Event = dict[str, Any]


def entry(
    kind: str,
    name: str,
    source: str,
    started: datetime,
    ended: datetime | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One timeline entry (``ended`` None: an instant, or not ended yet), its times in UTC."""
    started = started.astimezone(UTC)  # boto3 gives history timestamps in the machine's time zone
    ended = ended.astimezone(UTC) if ended is not None else None
    return {
        "at": started.isoformat(),
        "started_at": started.isoformat(),
        "ended_at": ended.isoformat() if ended is not None else None,
        "duration_ms": int((ended - started).total_seconds() * 1000) if ended is not None else None,
        "kind": kind,
        "name": name,
        "source": source,
        "details": details or {},
    }


def build_timeline(
    run: Run,
    results: Iterable[StepResult],
    events: Iterable[EventEnvelope],
    history: list[Event] | None,
) -> dict[str, Any]:
    """The run's timeline from its parts (``history`` None: Step Functions no longer has it)."""
    entries = (
        history_entries(history or []) + [result_entry(r) for r in results] + [event_entry(e) for e in events]
    )
    # stable: what one source says at one instant keeps its order
    entries.sort(key=lambda e: (datetime.fromisoformat(e["at"]), _SOURCE_ORDER[e["source"]]))
    if not run.execution_arn:
        availability = "not_started"
    else:
        availability = "unavailable" if history is None else "complete"
    return {
        "run_id": run.run_id,
        "status": run.status.value,
        "execution_arn": run.execution_arn,
        "history": availability,
        "truncated": len(entries) > MAX_ENTRIES,
        "entries": entries[:MAX_ENTRIES],
    }


def result_entry(result: StepResult) -> dict[str, Any]:
    meta, usage = result.metadata, result.token_usage
    details = {
        "status": result.status.value,
        "item": result.item,
        "attempt": meta.attempts,
        "agent": meta.agent,
        "provider": meta.provider,
        "model": meta.model,
        "prompt_version": meta.prompt_version,
        "tier": meta.tier,
        "cache_hit": meta.cache_hit,
        "tokens": {
            "input": usage.input_tokens,
            "output": usage.output_tokens,
            "cached_input": usage.cached_input_tokens,
            "total": usage.total_tokens,
        },
        "cost_usd": result.cost_usd,
        "confidence": result.confidence_score,
        "processing_time_ms": result.processing_time_ms,
        "last_error": result.last_error,
    }
    return entry("step", result.key, "step_result", result.started_at, result.completed_at, details)


def event_entry(event: EventEnvelope) -> dict[str, Any]:
    return entry(
        "event", event.event_type, "event", event.timestamp, details={"phase": event.phase} | event.payload
    )


def history_entries(history: list[Event]) -> list[dict[str, Any]]:
    """The execution, its states, map items, failed attempts and retries, from the history's events."""
    by_id = {event["id"]: event for event in history}
    followers: dict[int, list[Event]] = {}
    for event in history:
        followers.setdefault(event.get("previousEventId", 0), []).append(event)
    closed: dict[int, Event] = {}  # an entered state's (or a started map item's) id -> its end
    for event in history:
        start = _start_of(by_id, event)
        if start is not None:
            closed[start["id"]] = event
    entries: list[dict[str, Any]] = []
    compensating = False
    for event in history:
        kind = event["type"]
        name = _entered_name(event)
        if name is not None:
            compensating = compensating or name.startswith(CATCH_STATE_PREFIX)
            entries.append(_state_entry(event, name, closed.get(event["id"]), compensating))
        elif kind == "MapIterationStarted":
            entries.append(_iteration_entry(event, closed.get(event["id"])))
        elif kind in _FAILED_ATTEMPTS:
            entries.append(_failure_entry(by_id, event, followers.get(event["id"], [])))
        elif kind == "ExecutionStarted":
            end = next((e for e in history if e["type"] in _EXECUTION_ENDS), None)
            status = _EXECUTION_ENDS[end["type"]] if end is not None else "RUNNING"
            ended = end["timestamp"] if end is not None else None
            entries.append(
                entry("execution", "execution", "execution", event["timestamp"], ended, {"status": status})
            )
    return entries


def _start_of(by_id: dict[int, Event], event: Event) -> Event | None:
    """The entry of the state an exit leaves, or the start of the map item an iteration end ends."""
    kind = event["type"]
    if kind.endswith("StateExited"):
        name = event["stateExitedEventDetails"]["name"]
        return _back_to(by_id, event, lambda e: _entered_name(e) == name)
    if kind in _ITERATION_ENDS:
        index = _iteration(event, kind).get("index")
        return _back_to(
            by_id,
            event,
            lambda e: e["type"] == "MapIterationStarted" and _iteration(e, e["type"]).get("index") == index,
        )
    return None


def _entered_name(event: Event) -> str | None:
    if not event["type"].endswith("StateEntered"):
        return None
    return str(event["stateEnteredEventDetails"]["name"])


def _iteration(event: Event, kind: str) -> dict[str, Any]:
    key = kind[0].lower() + kind[1:] + "EventDetails"
    details: dict[str, Any] = event.get(key, {})
    return details


def _back_to(by_id: dict[int, Event], event: Event, wanted: Callable[[Event], bool]) -> Event | None:
    """The nearest earlier event on ``event``'s chain of ``previousEventId`` links that is ``wanted``."""
    current = by_id.get(event.get("previousEventId", 0))
    while current is not None:
        if wanted(current):
            return current
        current = by_id.get(current.get("previousEventId", 0))
    return None


def _state_entry(event: Event, name: str, end: Event | None, compensating: bool) -> dict[str, Any]:
    state_type = event["type"].removesuffix("StateEntered")
    kind = "compensation" if compensating else "state"
    if name.startswith(CATCH_STATE_PREFIX):
        kind = "catch"
    details = {"state_type": state_type, "exited": end is not None}
    return entry(kind, name, "execution", event["timestamp"], end["timestamp"] if end else None, details)


def _iteration_entry(event: Event, end: Event | None) -> dict[str, Any]:
    started = _iteration(event, "MapIterationStarted")
    status = _ITERATION_ENDS[end["type"]] if end is not None else "RUNNING"
    name = f"{started.get('name', 'map')} item {started.get('index')}"
    details = {"index": started.get("index"), "status": status}
    return entry(
        "map_item", name, "execution", event["timestamp"], end["timestamp"] if end else None, details
    )


def _failure_entry(by_id: dict[int, Event], event: Event, followers: list[Event]) -> dict[str, Any]:
    """A failed attempt: a ``retry`` lasting until the next attempt is scheduled, or ``task_failed``."""
    state = _back_to(by_id, event, lambda e: _entered_name(e) is not None)
    name = _entered_name(state) if state is not None else "unknown state"
    failure: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
    details = {"error": failure.get("error"), "message": _message(failure.get("cause"))}
    retry = next((e for e in followers if e["type"] in _SCHEDULED), None)
    if retry is not None:
        return entry("retry", str(name), "execution", event["timestamp"], retry["timestamp"], details)
    return entry("task_failed", str(name), "execution", event["timestamp"], details=details)


def _message(cause: Any) -> str | None:
    """A failure's message: a Lambda error payload's ``errorMessage``, else the cause as it is."""
    if not isinstance(cause, str):
        return None
    try:
        parsed = json.loads(cause)
    except json.JSONDecodeError:
        return cause[:1000]
    message = parsed.get("errorMessage", cause) if isinstance(parsed, dict) else cause
    return str(message)[:1000]


def get_run_timeline(
    tenant_id: str,
    run_id: str,
    *,
    runs: RunRepository,
    results: StepResultRepository,
    events: EventRepository,
    history: ExecutionHistory,
) -> dict[str, Any]:
    """The timeline of the tenant's run (another tenant's run id is ``RunNotFound``)."""
    run = runs.get(tenant_id, run_id)
    read: list[EventEnvelope] = []
    cursor: str | None = None
    while len(read) < MAX_EVENTS_READ:
        page, cursor = events.list_for_run(tenant_id, run_id, 200, cursor)
        read.extend(page)
        if cursor is None:
            break
    steps = results.list_for_run(tenant_id, run_id)
    executed = history.events(run.execution_arn) if run.execution_arn else []
    return build_timeline(run, steps, read[:MAX_EVENTS_READ], executed)
