"""Step Functions executions across a restart of the local cloud (an adaptation of moto's
interpreter, see ``moto_adapters``: moto keeps executions in memory only).

Saved: each execution's name, ARN, status, input, output, error and its whole event history.

Restored: an ended execution answers ``DescribeExecution``, ``ListExecutions`` and
``GetExecutionHistory`` as before the stop (``RestoredExecution``). An execution that was running
goes on under the same ARN (``ResumedExecution``): its history tells which top-level state it was
in and with what input; the interpreter starts again at that state with that input (a state
inside a Map or Parallel restarts its enclosing top-level state, whose finished items the step
results make idempotent), and its history is the saved one up to that state followed by the new
events. A task cut off mid-way runs again from its input; an approval gate opens again (the
approval function keeps the run waiting and stores the new task token). An execution that cannot
be resumed (its state machine is gone, its history names no state of the definition) ends
``FAILED`` with the error ``LocalCloud.NotResumed`` and its cause, and its status change event is
published so that the run ends with it.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.stepfunctions.parser.api import ExecutionStatus, GetExecutionHistoryOutput
from moto.stepfunctions.parser.asl.eval.states import States
from moto.stepfunctions.parser.backend.execution import Execution
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

log = logging.getLogger(__name__)

NOT_RESUMED = "LocalCloud.NotResumed"


@dataclass
class ResumePoint:
    state: str
    state_input: Any
    earlier_events: list[dict[str, Any]] = field(default_factory=list)


def resume_point(
    definition: dict[str, Any], execution_input: Any, events: list[dict[str, Any]]
) -> ResumePoint:
    """Where a running execution goes on: the top-level state it was in, with that state's input.

    State names are unique in a whole state machine, so a top-level state is recognised by name;
    the events of states inside a Map or Parallel fall between their parent's entry and exit."""
    states = definition["States"]
    entered: tuple[str, Any, int] | None = None  # name, input, index of its entry event
    exited: tuple[str, Any, int] | None = None
    for index, event in enumerate(events):
        kind = str(event.get("type", ""))
        if kind.endswith("StateEntered"):
            details = event.get("stateEnteredEventDetails", {})
            if details.get("name") in states:
                entered, exited = (details["name"], _json(details.get("input")), index), None
        elif kind.endswith("StateExited"):
            details = event.get("stateExitedEventDetails", {})
            if entered is not None and details.get("name") == entered[0]:
                exited, entered = (entered[0], _json(details.get("output")), entered[2]), None
    if entered is not None:  # cut off inside this state: it runs again from its input
        name, state_input, index = entered
        return ResumePoint(name, state_input, events[:index])
    if exited is not None:
        name, output, index = exited
        following = states[name].get("Next")
        if following:  # between two states: the next one starts with the output of the last one
            return ResumePoint(following, output, list(events))
        entry = events[index].get("stateEnteredEventDetails", {})
        return ResumePoint(name, _json(entry.get("input")), events[:index])  # a Choice, or the end
    return ResumePoint(definition["StartAt"], execution_input, events[:1])


def _json(text: Any) -> Any:
    return json.loads(text) if isinstance(text, str) and text else {}


# --- capture ---------------------------------------------------------------------------------
def _backend(account_id: str, region: str) -> Any:
    from moto.stepfunctions.responses import get_backend

    return get_backend(account_id, region)


def capture_executions(account_id: str, region: str) -> list[dict[str, Any]]:
    captured = []
    for state_machine in list(_backend(account_id, region).state_machines):
        for execution in list(state_machine.executions):
            try:
                captured.append(_capture(execution))
            except Exception:  # one not yet started (no worker): saved by the next snapshot
                log.debug("execution %s not saved this time", execution.exec_arn, exc_info=True)
    return captured


def _capture(execution: Any) -> dict[str, Any]:
    output = execution.output
    return {
        "arn": execution.exec_arn,
        "name": execution.name,
        "state_machine_arn": execution.state_machine_arn,
        "role_arn": execution.role_arn,
        "status": execution.status,
        "start_date": execution.start_date.isoformat(),
        "stop_date": execution.stop_date.isoformat() if execution.stop_date else None,
        "input": execution.execution_input,
        "output": output if output is None or isinstance(output, str) else json.dumps(output),
        "error": execution.error,
        "cause": execution.cause,
        "events": list(execution.to_history_output()["events"]),
    }


# --- restore ---------------------------------------------------------------------------------
def _events(saved: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event | {"timestamp": datetime.fromisoformat(event["timestamp"])} for event in saved]


class _NoWorkerEnvironment:
    """What moto's map-run and callback lookups read of an execution that no longer runs."""

    def __init__(self) -> None:
        from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor import (
            map_run_record,
        )
        from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackPoolManager

        self.env = self
        self.map_run_record_pool_manager = map_run_record.MapRunRecordPoolManager()
        self.callback_pool_manager = CallbackPoolManager(activity_store={})


def _as_saved(saved: dict[str, Any], state_machine: Any) -> dict[str, Any]:
    """moto's ``Execution`` arguments for the saved execution of ``state_machine``."""
    return {
        "name": saved["name"],
        "sm_type": state_machine.sm_type,
        "role_arn": saved["role_arn"],
        "exec_arn": saved["arn"],
        "account_id": state_machine.backend.account_id,
        "region_name": state_machine.backend.region_name,
        "state_machine": state_machine,
        "start_date": datetime.fromisoformat(saved["start_date"]),
        "cloud_watch_logging_session": None,
        "activity_store": {},
        "input_data": saved["input"] or "{}",
    }


class RestoredExecution(Execution):
    """An execution that had ended before the stop (or cannot go on): read-only, as saved."""

    def __init__(self, saved: dict[str, Any], state_machine: Any) -> None:
        super().__init__(**_as_saved(saved, state_machine))
        self.exec_status = ExecutionStatus(saved["status"])
        self.stop_date = datetime.fromisoformat(saved["stop_date"]) if saved["stop_date"] else None
        self.output = saved["output"]
        self.error = saved["error"]
        self.cause = saved["cause"]
        self.exec_worker: Any = _NoWorkerEnvironment()
        self._events: list[Any] = _events(saved["events"])

    def to_history_output(self) -> Any:
        return GetExecutionHistoryOutput(events=copy.deepcopy(self._events))


class _ResumedWorker(ExecutionWorker):
    """Runs the derived definition (``StartAt`` = the state to resume) with that state's input,
    in the context of the original execution (same ``$$.Execution``); no second ExecutionStarted."""

    def __init__(self, *args: Any, state_input: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._state_input = state_input

    def _execution_logic(self) -> None:
        program = self._get_evaluation_entrypoint()
        self.env = self._get_evaluation_environment()
        states: States = self.env.states
        states.reset(self._state_input)
        program.eval(self.env)
        self._execution_communication.terminated()


class ResumedExecution(Execution):
    """A running execution going on after a restart, under its own name and ARN."""

    def __init__(self, saved: dict[str, Any], state_machine: Any, point: ResumePoint) -> None:
        machine = copy.deepcopy(
            state_machine,
            {id(state_machine.executions): [], id(state_machine.backend): state_machine.backend},
        )
        definition = json.loads(machine.definition)
        machine.definition = json.dumps(definition | {"StartAt": point.state})
        super().__init__(**_as_saved(saved, machine))
        self.resumed_at = point.state
        self._earlier: list[Any] = _events([_serializable(e) for e in point.earlier_events])
        self._state_input = point.state_input

    def _get_start_execution_worker(self) -> ExecutionWorker:
        plain = super()._get_start_execution_worker()
        return _ResumedWorker(
            evaluation_details=plain._evaluation_details,
            exec_comm=plain._execution_communication,
            cloud_watch_logging_session=None,
            activity_store=self._activity_store,
            state_input=self._state_input,
        )

    def to_history_output(self) -> Any:
        env = self.exec_worker.env if self.exec_worker else None
        later: list[Any] = env.event_manager.get_event_history() if env is not None else []
        offset = max((event["id"] for event in self._earlier), default=0)
        renumbered = [
            event
            | {"id": event["id"] + offset, "previousEventId": (event.get("previousEventId") or 0) + offset}
            for event in later
        ]
        return GetExecutionHistoryOutput(events=copy.deepcopy(self._earlier) + renumbered)


def _serializable(event: dict[str, Any]) -> dict[str, Any]:
    timestamp = event["timestamp"]
    return event | {"timestamp": timestamp if isinstance(timestamp, str) else timestamp.isoformat()}


@dataclass
class RestoredExecutions:
    ended: int = 0
    resumed: list[tuple[str, str]] = field(default_factory=list)  # execution name, state
    not_resumed: list[tuple[str, str]] = field(default_factory=list)  # execution name, why


def restore_executions(
    account_id: str,
    region: str,
    saved: list[dict[str, Any]],
    publish_end: Callable[[Any], None],
) -> RestoredExecutions:
    """Put the saved executions back; those that were running go on (``publish_end`` is told of
    one that cannot, as Step Functions publishes an execution's end)."""
    backend = _backend(account_id, region)
    machines = {machine.arn: machine for machine in backend.state_machines}
    report = RestoredExecutions()
    for entry in saved:
        machine = machines.get(entry["state_machine_arn"])
        if machine is None:
            log.warning(
                "state machine %s is no longer deployed: execution %s is not restored",
                entry["state_machine_arn"],
                entry["name"],
            )
            continue
        if entry["status"] != "RUNNING":
            machine.executions.append(RestoredExecution(entry, machine))
            report.ended += 1
            continue
        try:
            point = resume_point(json.loads(machine.definition), _json(entry["input"]), entry["events"])
            execution: Any = ResumedExecution(entry, machine, point)
        except Exception as exc:
            execution = _not_resumed(entry, machine, f"{type(exc).__name__}: {exc}")
            machine.executions.append(execution)
            report.not_resumed.append((entry["name"], execution.cause))
            publish_end(execution)
            continue
        machine.executions.append(execution)
        execution.start()
        report.resumed.append((entry["name"], point.state))
    return report


def _not_resumed(entry: dict[str, Any], machine: Any, reason: str) -> RestoredExecution:
    now = datetime.now(tz=UTC)
    cause = f"the local cloud stopped while this execution ran and could not resume it ({reason})"
    ended = entry | {"status": "FAILED", "stop_date": now.isoformat(), "error": NOT_RESUMED, "cause": cause}
    last = max((event["id"] for event in entry["events"]), default=0)
    failed = {
        "timestamp": now.isoformat(),
        "type": "ExecutionFailed",
        "id": last + 1,
        "previousEventId": last,
        "executionFailedEventDetails": {"error": NOT_RESUMED, "cause": cause},
    }
    return RestoredExecution(ended | {"events": [*entry["events"], failed]}, machine)
