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
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from moto.stepfunctions.parser.api import ExecutionStatus, GetExecutionHistoryOutput
from moto.stepfunctions.parser.asl.eval.states import States
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
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
    states, known = definition["States"], _state_names(definition)
    entered: tuple[str, Any, int] | None = None  # name, input, index of its entry event
    exited: tuple[str, Any, int] | None = None
    for index, event in enumerate(events):
        kind = str(event.get("type", ""))
        if kind.endswith("StateEntered"):
            details = event.get("stateEnteredEventDetails", {})
            if details.get("name") not in known:
                raise LookupError(f"state {details.get('name')!r} is no longer in the state machine")
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


def _state_names(definition: dict[str, Any]) -> set[str]:
    """Every state's name, those of Map iterations and Parallel branches included."""
    names = set()
    for name, state in definition.get("States", {}).items():
        names.add(name)
        for nested in (state.get("ItemProcessor"), state.get("Iterator"), *state.get("Branches", [])):
            if nested:
                names |= _state_names(nested)
    return names


def _json(text: Any) -> Any:
    return json.loads(text) if isinstance(text, str) and text else {}


# --- capture ---------------------------------------------------------------------------------
def _backend(account_id: str, region: str) -> Any:
    from moto.stepfunctions.responses import get_backend

    return get_backend(account_id, region)


class ExecutionRecorder:
    """Each execution as JSON text; an ended one is encoded once (it no longer changes), so a
    snapshot of many finished runs costs little more than one of the running ones.

    An execution ended ``SLIM_AFTER_SECONDS`` ago is then kept as what it is to its readers: moto
    keeps the whole interpreter of every execution it ever ran (its program, its contexts, each
    state's input and output), the local cloud's largest holding after a burst; it gives way to a
    ``RestoredExecution`` of what was saved (status, input, output, error, history), which answers
    ``DescribeExecution``, ``ListExecutions`` and ``GetExecutionHistory`` as a restart would, and
    holds that text compressed: the recorder keeps no copy of it."""

    def __init__(self, account_id: str, region: str, default: Callable[[Any], Any]) -> None:
        self._account_id, self._region, self._default = account_id, region, default
        self._ended: dict[str, str] = {}

    def _executions(self) -> Iterator[tuple[Any, Any]]:
        for state_machine in list(_backend(self._account_id, self._region).state_machines):
            for execution in list(state_machine.executions):
                yield state_machine, execution

    def capture(self) -> list[str | RestoredExecution]:
        """Each execution's JSON text, or the ``RestoredExecution`` that holds it (compressed: read
        back by ``texts`` as the snapshot is written, one at a time)."""
        captured: list[str | RestoredExecution] = []
        for state_machine, execution in self._executions():
            if isinstance(execution, RestoredExecution):  # held as saved: its text is its own
                captured.append(execution)
                continue
            text = self._ended.get(execution.exec_arn)
            if text is None:
                try:
                    record = _capture(execution)
                except Exception:  # one not yet started (no worker): saved by the next snapshot
                    log.debug("execution %s not saved this time", execution.exec_arn, exc_info=True)
                    continue
                text = json.dumps(record, sort_keys=True, separators=(",", ":"), default=self._default)
                if record["status"] != "RUNNING":
                    self._ended[execution.exec_arn] = text
            elif _ended_long_ago(execution):
                _keep_as_saved(state_machine, execution, text)
                del self._ended[execution.exec_arn]
            captured.append(text)
        return captured

    def progress(self) -> tuple[int, int]:
        """(executions, events of those not yet recorded as ended): it changes whenever an
        execution starts, moves on or ends, a request or not (a Pass, Choice or Wait state moves on
        without one)."""
        executions = events = 0
        for _, execution in self._executions():
            executions += 1
            if isinstance(execution, RestoredExecution) or execution.exec_arn in self._ended:
                continue
            events += _events_recorded(execution)
        return executions, events

    def slim(self) -> None:
        """What ``capture`` does to an execution that ended ``SLIM_AFTER_SECONDS`` ago, without
        capturing the others (when nothing is to be saved)."""
        if not self._ended:
            return
        for state_machine, execution in self._executions():
            if isinstance(execution, RestoredExecution):
                continue
            text = self._ended.get(execution.exec_arn)
            if text is not None and _ended_long_ago(execution):
                _keep_as_saved(state_machine, execution, text)
                del self._ended[execution.exec_arn]


def _events_recorded(execution: Any) -> int:
    """How many events the interpreter of ``execution`` recorded (0 before it started), without
    the copy of its history that ``to_history_output`` makes."""
    manager = getattr(getattr(execution.exec_worker, "env", None), "event_manager", None)
    return len(getattr(manager, "_history_event_list", ()))


def texts(captured: Iterable[str | RestoredExecution]) -> Iterator[str]:
    """The JSON texts of what ``ExecutionRecorder.capture`` found, each read when it is needed."""
    for entry in captured:
        yield entry if isinstance(entry, str) else entry.saved_text()


SLIM_AFTER_SECONDS = 10.0
"""How long after its end an execution keeps its interpreter (its last events and status change
are long written by then)."""


def _ended_long_ago(execution: Any) -> bool:
    ended = execution.stop_date
    if ended is None:
        return False
    ended = ended if ended.tzinfo else ended.replace(tzinfo=UTC)
    return bool((datetime.now(UTC) - ended).total_seconds() > SLIM_AFTER_SECONDS)


def _keep_as_saved(state_machine: Any, execution: Any, text: str) -> None:
    """Put the saved form of the ended ``execution`` in its place (moto only appends executions)."""
    slim = RestoredExecution(json.loads(text), state_machine, text)
    executions = state_machine.executions
    for index, held in enumerate(executions):
        if held is execution:
            executions[index] = slim
            return


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
    """An execution that had ended before the stop (or cannot go on), or ended a while ago:
    read-only, as saved. Its saved form (``text``: ``saved`` as JSON) is held compressed, its
    history read back from it when asked for: the one copy of the execution this process holds
    (the state saver writes ``saved_text``)."""

    def __init__(self, saved: dict[str, Any], state_machine: Any, text: str | None = None) -> None:
        super().__init__(**_as_saved(saved, state_machine))
        if text is None:
            text = json.dumps(saved, sort_keys=True, separators=(",", ":"))
        self._saved = zlib.compress(text.encode())
        self.exec_status = ExecutionStatus(saved["status"])
        self.stop_date = datetime.fromisoformat(saved["stop_date"]) if saved["stop_date"] else None
        self.output = saved["output"]
        self.error = saved["error"]
        self.cause = saved["cause"]
        self.exec_worker: Any = _NoWorkerEnvironment()

    def saved_text(self) -> str:
        return zlib.decompress(self._saved).decode()

    def to_history_output(self) -> Any:
        events: list[Any] = _events(json.loads(self.saved_text())["events"])
        return GetExecutionHistoryOutput(events=events)

    def stop(self, *_: Any, **__: Any) -> None:
        """Stopping an execution that has ended changes nothing."""


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
        AmazonStateLanguageParser.parse(machine.definition)  # refused here, not in the interpreter
        super().__init__(**_as_saved(saved, machine))
        self.resumed_at = point.state
        self._earlier: list[Any] = _events([_serializable(e) for e in point.earlier_events])
        self._state_input = point.state_input

    def _get_start_execution_worker(self) -> ExecutionWorker:
        plain = super()._get_start_execution_worker()
        if not self._earlier:  # cut off before its first event: it starts over, as it would have
            return plain
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
        if entry["status"] != "RUNNING":
            if machine is None:
                log.warning("execution %s is not restored: its state machine is gone", entry["name"])
                continue
            machine.executions.append(RestoredExecution(entry, machine))
            report.ended += 1
            continue
        try:
            if machine is None:
                raise LookupError(f"state machine {entry['state_machine_arn']} is no longer deployed")
            point = resume_point(json.loads(machine.definition), _json(entry["input"]), entry["events"])
            execution: Any = ResumedExecution(entry, machine, point)
        except Exception as exc:  # any reason ends the execution, and its run, with that reason
            ended = _not_resumed(entry, machine, f"{type(exc).__name__}: {exc}")
            report.not_resumed.append((entry["name"], ended.cause))
            publish_end(ended)
            continue
        machine.executions.append(execution)
        execution.start()
        report.resumed.append((entry["name"], point.state))
    return report


def _not_resumed(entry: dict[str, Any], machine: Any, reason: str) -> Any:
    """The saved execution ended FAILED (``LocalCloud.NotResumed``), in its state machine's list
    when that is still deployed."""
    now = datetime.now(tz=UTC)
    cause = f"the local cloud stopped while this execution ran and could not resume it ({reason})"
    if machine is None:  # only its status change event tells of it
        return SimpleNamespace(
            exec_arn=entry["arn"],
            state_machine_arn=entry["state_machine_arn"],
            name=entry["name"],
            exec_status=ExecutionStatus.FAILED,
            start_date=datetime.fromisoformat(entry["start_date"]),
            stop_date=now,
            execution_input=entry["input"],
            output=None,
            error=NOT_RESUMED,
            cause=cause,
        )
    ended = entry | {"status": "FAILED", "stop_date": now.isoformat(), "error": NOT_RESUMED, "cause": cause}
    last = max((event["id"] for event in entry["events"]), default=0)
    failed = {
        "timestamp": now.isoformat(),
        "type": "ExecutionFailed",
        "id": last + 1,
        "previousEventId": last,
        "executionFailedEventDetails": {"error": NOT_RESUMED, "cause": cause},
    }
    execution = RestoredExecution(ended | {"events": [*entry["events"], failed]}, machine)
    machine.executions.append(execution)
    return execution
