"""Undoing a run's work (saga compensation), driven by what really completed.

The run's completion order is one atomic counter: every side-effect command and every
step result gets the next number when it completes, whichever branch or map item it
belongs to. Compensation undoes, newest first, every command that may have run (completed,
or started with an unknown outcome) and every stored step output, across all parallel
branches and map items, then deletes the run's own data (large outputs, manifests).

The state machine calls ``undo_round`` in a bounded loop: each round works until its time
budget is spent and says how much is left, so a run with thousands of map items is undone
in several short invocations and the execution history stays small. Every undo is
idempotent and recorded, so a retried or repeated round changes nothing twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import Field

from orchestrator.commands.executor import CommandExecutor, undo_logged_command
from orchestrator.core import constants
from orchestrator.core.events import new_envelope
from orchestrator.core.ports import (
    CommandLogRepository,
    EventPublisher,
    RunRepository,
    StepResultRepository,
    Workspace,
)
from orchestrator.core.records import (
    CommandRecord,
    CommandStatus,
    RunReference,
    StepResult,
    StepStatus,
    utc_now,
)
from orchestrator.runs.guards import run_data_prefix

if TYPE_CHECKING:
    from orchestrator.core.vectors import VectorStore

UNDOABLE_RESULTS = frozenset({StepStatus.SUCCEEDED, StepStatus.APPROVED, StepStatus.WAITING})
MAX_ROUNDS = 50
"""The state machine's loop bound: 50 rounds of a function's time budget each."""


class UndoTaskInput(RunReference):
    rounds: int = Field(default=0, ge=0)


@dataclass(frozen=True)
class _Unit:
    sequence: float
    command: CommandRecord | None = None
    result: StepResult | None = None


def pending_units(results: list[StepResult], commands: list[CommandRecord]) -> list[_Unit]:
    """What is left to undo, newest completion first (in-flight commands before everything)."""
    units = [
        _Unit(float(c.sequence) if c.sequence is not None else float("inf"), command=c)
        for c in commands
        if c.status is not CommandStatus.UNDONE
    ]
    units += [_Unit(float(r.sequence or 0), result=r) for r in results if r.status in UNDOABLE_RESULTS]
    return sorted(units, key=lambda unit: unit.sequence, reverse=True)


def undo_round(
    task: UndoTaskInput,
    *,
    runs: RunRepository,
    results: StepResultRepository,
    command_log: CommandLogRepository,
    workspace: Workspace,
    publisher: EventPublisher,
    time_budget_seconds: float,
    vectors: VectorStore | None = None,
) -> dict[str, Any]:
    deadline = time.monotonic() + time_budget_seconds
    executor = CommandExecutor(workspace, publisher, vectors)
    units = pending_units(
        results.list_for_run(task.tenant_id, task.run_id),
        command_log.list_for_run(task.tenant_id, task.run_id),
    )
    undone = 0
    for unit in units:
        if time.monotonic() > deadline:
            break
        if unit.command is not None:
            undo_logged_command(
                unit.command, executor=executor, command_log=command_log, correlation_id=task.correlation_id
            )
        elif unit.result is not None:
            _undo_result(unit.result, task, runs, results, publisher)
        undone += 1
    remaining = len(units) - undone
    if remaining == 0:
        _delete_run_data(task, workspace)
    return {"remaining": remaining, "undone": undone, "rounds": task.rounds + 1}


def _undo_result(
    result: StepResult,
    task: UndoTaskInput,
    runs: RunRepository,
    results: StepResultRepository,
    publisher: EventPublisher,
) -> None:
    if results.mark_compensated(task.tenant_id, task.run_id, result.key, utc_now()):
        publisher.publish(
            new_envelope(
                constants.PHASE_COMPENSATED,
                task,
                phase=result.key,
                payload={"undone": True, "step": result.step, "item": result.item},
            )
        )
        runs.add_compensated_step(task.tenant_id, task.run_id, result.key)


def _delete_run_data(task: UndoTaskInput, workspace: Workspace) -> None:
    """The run's own objects (large outputs, manifests): every version, so nothing remains."""
    for key, version, _ in workspace.versions(run_data_prefix(task.tenant_id, task.run_id)):
        workspace.delete_version(key, version)
