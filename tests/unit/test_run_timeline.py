"""A run's timeline: the execution history (states, map items, retries, the catch, compensation), the
step results and the run's events, merged into one list ordered by time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from orchestrator.core import constants
from orchestrator.core.errors import RunNotFound
from orchestrator.core.events import new_envelope
from orchestrator.core.records import (
    ResultMetadata,
    Run,
    RunStatus,
    StepResult,
    StepStatus,
    TokenUsage,
)
from orchestrator.runs.timeline import build_timeline, get_run_timeline
from tests.fakes.run_data import InMemoryEventRepository, InMemoryRunRepository, InMemoryStepResultRepository

T0 = datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)
RUN_ID = "01jzzzzzzzzzzzzzzzzzzzzzz5"
ARN = f"arn:aws:states:us-east-1:123456789012:execution:AiOrchestrator-generic:{RUN_ID}"


def at(ms: int) -> datetime:
    return T0 + timedelta(milliseconds=ms)


class History:
    """A Step Functions history as GetExecutionHistory answers it: ids, links, timestamps, details."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(self, ms: int, kind: str, previous: int, **details: Any) -> int:
        event = {"id": len(self.events) + 1, "previousEventId": previous, "timestamp": at(ms), "type": kind}
        self.events.append(event | details)
        return int(event["id"])

    def entered(self, ms: int, kind: str, name: str, previous: int) -> int:
        return self.add(ms, f"{kind}StateEntered", previous, stateEnteredEventDetails={"name": name})

    def exited(self, ms: int, kind: str, name: str, previous: int) -> int:
        return self.add(ms, f"{kind}StateExited", previous, stateExitedEventDetails={"name": name})

    def failed(self, ms: int, previous: int, error: str, message: str) -> int:
        cause = json.dumps({"errorType": error, "errorMessage": message})
        return self.add(ms, "TaskFailed", previous, taskFailedEventDetails={"error": error, "cause": cause})


def throttled_then_failed_history() -> list[dict[str, Any]]:
    """Ideation is throttled once (retried 1 s later) and succeeds; a map runs two items; design
    fails for good, is caught, and compensation undoes the run."""
    h = History()
    start = h.add(0, "ExecutionStarted", 0)
    ideation = h.entered(10, "Task", "Ideation", start)
    scheduled = h.add(11, "TaskScheduled", ideation)
    failed = h.failed(200, h.add(12, "TaskStarted", scheduled), "ProviderThrottled", "429 from the provider")
    retried = h.add(1200, "TaskScheduled", failed)
    done = h.add(1500, "TaskSucceeded", h.add(1201, "TaskStarted", retried))
    left = h.exited(1510, "Task", "Ideation", done)
    tasks = h.entered(1520, "Map", "Execute tasks", left)
    first = h.add(
        1521,
        "MapIterationStarted",
        tasks,
        mapIterationStartedEventDetails={"name": "Execute tasks", "index": 0},
    )
    second = h.add(
        1522,
        "MapIterationStarted",
        tasks,
        mapIterationStartedEventDetails={"name": "Execute tasks", "index": 1},
    )
    in_first = h.exited(1900, "Task", "Execute task", h.entered(1530, "Task", "Execute task", first))
    in_second = h.exited(1700, "Task", "Execute task", h.entered(1531, "Task", "Execute task", second))
    end_second = h.add(
        1701,
        "MapIterationSucceeded",
        in_second,
        mapIterationSucceededEventDetails={"name": "Execute tasks", "index": 1},
    )
    end_first = h.add(
        1901,
        "MapIterationSucceeded",
        in_first,
        mapIterationSucceededEventDetails={"name": "Execute tasks", "index": 0},
    )
    mapped = h.exited(1902, "Map", "Execute tasks", end_first)
    del end_second
    design = h.entered(1910, "Task", "Design", mapped)
    broke = h.failed(2000, h.add(1911, "TaskScheduled", design), "SimulatedPhaseFailure", "design broke")
    caught = h.exited(2001, "Task", "Design", broke)
    record = h.entered(2002, "Task", f"{constants.CATCH_STATE_PREFIX}Design", caught)
    undo = h.entered(
        2100,
        "Task",
        "Undo completed work",
        h.exited(2050, "Task", f"{constants.CATCH_STATE_PREFIX}Design", record),
    )
    h.add(2400, "ExecutionFailed", h.exited(2300, "Task", "Undo completed work", undo))
    return h.events


def result(step: str, started_ms: int, ended_ms: int | None, status: StepStatus, **extra: Any) -> StepResult:
    return StepResult(
        tenant_id="acme",
        run_id=RUN_ID,
        step=step,
        status=status,
        started_at=at(started_ms),
        completed_at=at(ended_ms) if ended_ms is not None else None,
        metadata=ResultMetadata(
            agent=step, attempts=2, provider="anthropic", model="claude-haiku-5-5", prompt_version="v3"
        ),
        token_usage=TokenUsage(input_tokens=900, output_tokens=300),
        cost_usd=0.0021,
        confidence_score=0.82,
        **extra,
    )


def the_run() -> Run:
    return Run(
        tenant_id="acme",
        run_id=RUN_ID,
        template="generic",
        topic="t",
        correlation_id="corr",
        status=RunStatus.COMPENSATED,
        execution_arn=ARN,
    )


def test_the_timeline_merges_history_results_and_events_in_time_order() -> None:
    run = the_run()
    ideation = result("ideation", 1210, 1490, StepStatus.SUCCEEDED)
    started = new_envelope(constants.PHASE_STARTED, run, phase="ideation", payload={"attempt": 2}).model_copy(
        update={"timestamp": at(1205)}
    )

    timeline = build_timeline(run, [ideation], [started], throttled_then_failed_history())

    entries = timeline["entries"]
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    assert timeline["history"] == "complete" and timeline["truncated"] is False
    names = [(e["kind"], e["name"]) for e in entries]
    assert names[:3] == [("execution", "execution"), ("state", "Ideation"), ("retry", "Ideation")]
    # the retry lasts from the failure to the next attempt, and says why
    retry = entries[2]
    assert (retry["duration_ms"], retry["details"]) == (
        1000,
        {"error": "ProviderThrottled", "message": "429 from the provider"},
    )
    # the event and the step result sit where they happened, with what the step used and cost
    assert names.index(("event", constants.PHASE_STARTED)) < names.index(("step", "ideation"))
    step = entries[names.index(("step", "ideation"))]
    assert step["duration_ms"] == 280
    assert {k: step["details"][k] for k in ("status", "attempt", "provider", "model", "prompt_version")} == {
        "status": "SUCCEEDED",
        "attempt": 2,
        "provider": "anthropic",
        "model": "claude-haiku-5-5",
        "prompt_version": "v3",
    }
    assert step["details"]["tokens"]["total"] == 1200
    assert (step["details"]["cost_usd"], step["details"]["confidence"]) == (0.0021, 0.82)
    # the state took from entry to exit, the whole execution until it failed
    assert entries[1]["duration_ms"] == 1500
    assert entries[0]["duration_ms"] == 2400 and entries[0]["details"] == {"status": "FAILED"}


def test_map_items_failures_the_catch_and_compensation_are_told_apart() -> None:
    entries = build_timeline(the_run(), [], [], throttled_then_failed_history())["entries"]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_kind.setdefault(entry["kind"], []).append(entry)

    items = {e["details"]["index"]: e for e in by_kind["map_item"]}
    assert (items[0]["duration_ms"], items[1]["duration_ms"]) == (380, 179)
    assert all(e["details"]["status"] == "SUCCEEDED" for e in items.values())
    # each item's task is paired with its own exit, though both have the same state name
    executed = sorted(e["duration_ms"] for e in entries if e["name"] == "Execute task")
    assert executed == [169, 370]
    (failure,) = by_kind["task_failed"]
    assert (failure["name"], failure["details"]["error"], failure["ended_at"]) == (
        "Design",
        "SimulatedPhaseFailure",
        None,
    )
    (catch,) = by_kind["catch"]
    assert catch["name"] == f"{constants.CATCH_STATE_PREFIX}Design" and catch["duration_ms"] == 48
    assert [e["name"] for e in by_kind["compensation"]] == ["Undo completed work"]
    assert "Undo completed work" not in [e["name"] for e in by_kind["state"]]


def test_a_state_still_running_has_no_end() -> None:
    h = History()
    entered = h.entered(10, "Task", "Research", h.add(0, "ExecutionStarted", 0))
    h.add(11, "TaskScheduled", entered)
    entries = build_timeline(the_run(), [result("research", 12, None, StepStatus.RUNNING)], [], h.events)[
        "entries"
    ]
    execution, state, step = entries
    assert execution["details"] == {"status": "RUNNING"} and execution["ended_at"] is None
    assert (state["name"], state["ended_at"], state["details"]["exited"]) == ("Research", None, False)
    assert (step["details"]["status"], step["ended_at"], step["duration_ms"]) == ("RUNNING", None, None)


class FakeHistory:
    def __init__(self, events: list[dict[str, Any]] | None) -> None:
        self.history = events
        self.asked: list[str] = []

    def events(self, execution_arn: str) -> list[dict[str, Any]] | None:
        self.asked.append(execution_arn)
        return self.history


def test_a_tenant_gets_its_own_runs_timeline_only() -> None:
    runs, results, events = InMemoryRunRepository(), InMemoryStepResultRepository(), InMemoryEventRepository()
    runs.create(the_run())
    for n in range(250):  # more than one page of events
        events.append(
            new_envelope(constants.USER_ACTION, the_run(), payload={"n": n}).model_copy(
                update={"timestamp": at(n)}
            )
        )
    history = FakeHistory(throttled_then_failed_history())
    deps = {"runs": runs, "results": results, "events": events, "history": history}

    timeline = get_run_timeline("acme", RUN_ID, **deps)  # type: ignore[arg-type]
    assert history.asked == [ARN]
    assert sum(1 for e in timeline["entries"] if e["kind"] == "event") == 250

    with pytest.raises(RunNotFound):
        get_run_timeline("globex", RUN_ID, **deps)  # type: ignore[arg-type]
    assert history.asked == [ARN], "another tenant's run id reads no history"


def test_a_history_step_functions_no_longer_keeps_is_said_to_be_unavailable() -> None:
    timeline = build_timeline(the_run(), [], [], None)
    assert (timeline["history"], timeline["entries"]) == ("unavailable", [])
    not_started = build_timeline(the_run().model_copy(update={"execution_arn": None}), [], [], [])
    assert not_started["history"] == "not_started"


def test_times_in_another_time_zone_are_ordered_and_answered_in_utc() -> None:
    # boto3 gives history timestamps in the machine's time zone: 13:00:00.100+01:00 is 12:00:00.100Z
    h = History()
    h.add(100, "ExecutionStarted", 0)
    h.events[0]["timestamp"] = at(100).astimezone(timezone(timedelta(hours=1)))
    entries = build_timeline(the_run(), [result("ideation", 50, 60, StepStatus.SUCCEEDED)], [], h.events)[
        "entries"
    ]
    assert [e["kind"] for e in entries] == ["step", "execution"]
    assert entries[1]["at"] == "2026-12-04T12:00:00.100000+00:00"
