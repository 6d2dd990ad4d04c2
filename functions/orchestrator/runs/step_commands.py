"""An agent step's side effects: each command runs once, written to the run's command log before
it runs and after, so compensation can undo it whatever happens to the function afterwards; a step
that finished after its run began compensating takes its own work back (the fence).
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from orchestrator.commands.executor import CommandExecutor, CommandSpec, fingerprint, undo_logged_command
from orchestrator.core import event_batch
from orchestrator.core.errors import RunCancelled
from orchestrator.core.ports import CommandLogRepository, RunRepository, StepResultRepository
from orchestrator.core.records import CommandRecord, CommandStatus, Run, RunStatus, utc_now
from orchestrator.runs.guards import ensure_moving_forward
from orchestrator.runs.step_context import StepContext

_COMMANDS: TypeAdapter[list[CommandSpec]] = TypeAdapter(list[CommandSpec])


class StepCommands:
    """Runs, logs and undoes a step's commands."""

    def __init__(
        self,
        *,
        runs: RunRepository,
        results: StepResultRepository,
        command_log: CommandLogRepository,
        executor: CommandExecutor,
    ) -> None:
        self.runs = runs
        self.results = results
        self.command_log = command_log
        self.executor = executor

    def execute(self, step: StepContext, specs: list[Any]) -> None:
        """Run each command once, logged before and after. An earlier attempt's identical completed
        command is kept; an earlier attempt's other or unfinished command is undone first."""
        run = step.run
        commands = _COMMANDS.validate_python([spec.model_dump() for spec in specs])
        if not commands and step.attempt == 1:
            return  # nothing to run, and no earlier attempt that could have logged any
        logged = {
            record.command_id: record
            for record in self.command_log.list_for_run(run.tenant_id, run.run_id)
            if record.result_key == step.key
        }
        wanted: dict[str, Any] = {f"{step.key}#{index:02d}": spec for index, spec in enumerate(commands)}
        for command_id, record in sorted(logged.items(), reverse=True):
            same = command_id in wanted and record.fingerprint == fingerprint(wanted[command_id])
            if record.status is not CommandStatus.UNDONE and not (
                same and record.status is CommandStatus.COMPLETED
            ):
                self.undo(record, run.correlation_id)
        for command_id, spec in wanted.items():
            previous = logged.get(command_id)
            if (
                previous is not None
                and previous.status is CommandStatus.COMPLETED
                and previous.fingerprint == fingerprint(spec)
            ):
                continue
            self.run_logged(step, run, command_id, spec)

    def run_logged(self, step: StepContext, run: Run, command_id: str, spec: Any) -> None:
        """One command: the run still moving forward, logged ``STARTED``, run, logged with its outcome."""
        ensure_moving_forward(self.runs.get(run.tenant_id, run.run_id, consistent=True))
        record = CommandRecord(
            tenant_id=run.tenant_id,
            run_id=run.run_id,
            command_id=command_id,
            result_key=step.key,
            kind=spec.kind,
            params=spec.logged_params(),
            fingerprint=fingerprint(spec),
            status=CommandStatus.STARTED,
            started_at=utc_now(),
        )
        self.command_log.start(record)
        outcome = self.executor.execute(spec, record, run.correlation_id)
        sequence = self.runs.next_sequence(run.tenant_id, run.run_id)
        self.command_log.complete(run.tenant_id, run.run_id, command_id, outcome, sequence, utc_now())
        event_batch.flush()  # a side effect's events go out now, not with a function stopped later

    def undo(self, record: CommandRecord, correlation_id: str) -> None:
        undo_logged_command(
            record, executor=self.executor, command_log=self.command_log, correlation_id=correlation_id
        )
        event_batch.flush()

    def fence(self, step: StepContext) -> None:
        """A step that finished after its run began compensating (a parallel branch or map item
        still in flight when another failed) takes its own work back: compensation may have
        looked at the log before this step completed."""
        run = self.runs.get(step.run.tenant_id, step.run.run_id, consistent=True)
        if run.status is RunStatus.RUNNING or run.status is RunStatus.AWAITING_APPROVAL:
            return
        for record in sorted(
            self.command_log.list_for_run(run.tenant_id, run.run_id), key=lambda r: r.command_id, reverse=True
        ):
            if record.result_key == step.key and record.status is not CommandStatus.UNDONE:
                self.undo(record, run.correlation_id)
        if self.results.mark_compensated(run.tenant_id, run.run_id, step.key, utc_now()):
            self.runs.add_compensated_step(run.tenant_id, run.run_id, step.key)
        raise RunCancelled(f"run {run.run_id} is {run.status.value}: step {step.key} took its work back")
