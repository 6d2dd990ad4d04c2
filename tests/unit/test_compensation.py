"""Compensation undoes what really completed, newest first, across steps and map items."""

from __future__ import annotations

from orchestrator.core.records import CommandStatus, Run, RunOptions, RunStatus, StepStatus, StepTaskInput
from orchestrator.providers.offline import OfflineProvider
from orchestrator.runs.compensation import UndoTaskInput, pending_units, undo_round
from orchestrator.runs.step_runner import AgentRunner
from tests.fakes.run_data import (
    InMemoryCommandLog,
    InMemoryRunRepository,
    InMemoryStepResultRepository,
    InMemoryWorkspace,
    RecordingPublisher,
)

TENANT, RUN = "acme", "01jzzzzzzzzzzzzzzzzzzzzzz2"
REFERENCE = {"tenant_id": TENANT, "run_id": RUN, "correlation_id": "corr", "template": "graph_showcase"}


class World:
    """A running graph_showcase run and everything its agents touch, in memory."""

    def __init__(self, options: dict[str, object] | None = None) -> None:
        self.runs = InMemoryRunRepository()
        self.results = InMemoryStepResultRepository()
        self.command_log = InMemoryCommandLog()
        self.workspace = InMemoryWorkspace()
        self.publisher = RecordingPublisher()
        self.runs.create(
            Run(
                tenant_id=TENANT,
                run_id=RUN,
                template="graph_showcase",
                topic="a meal planner",
                correlation_id="corr",
                options=RunOptions.model_validate(options or {"offline": {"list_items": 3}}),
            )
        )
        self.runs.update_status(TENANT, RUN, RunStatus.RUNNING)
        self.runner = AgentRunner(
            runs=self.runs,
            results=self.results,
            command_log=self.command_log,
            workspace=self.workspace,
            publisher=self.publisher,
            provider_factory=lambda name: OfflineProvider(),
        )

    def run(self, step: str, item: int | None = None) -> None:
        self.runner.run(StepTaskInput.model_validate(REFERENCE | {"step": step, "item": item}))

    def undo(self, budget: float = 60.0) -> dict[str, object]:
        self.runs.update_status(TENANT, RUN, RunStatus.COMPENSATING)
        return undo_round(
            UndoTaskInput.model_validate(REFERENCE),
            runs=self.runs,
            results=self.results,
            command_log=self.command_log,
            workspace=self.workspace,
            publisher=self.publisher,
            time_budget_seconds=budget,
        )


def _run_through_the_map(world: World) -> None:
    for step in ("intake", "risks", "plan"):
        world.run(step)
    for item in (2, 0, 1):  # items complete in any order
        world.run("execute_task", item)


def test_every_completed_step_and_item_is_undone_newest_first_and_the_workspace_restored() -> None:
    world = World()
    before = world.workspace.snapshot()
    # Given a run that wrote three task artifacts (items completing 2, 0, 1) and then failed
    _run_through_the_map(world)
    written = [r for r in world.command_log.list_for_run(TENANT, RUN) if r.kind == "write_artifact"]
    assert len(written) == 3 and world.workspace.snapshot() != before

    # When compensation runs
    outcome = world.undo()

    # Then every command and result is undone, in reverse completion order
    assert outcome["remaining"] == 0
    undone = [e.phase for e in world.publisher.of_type("PHASE_COMPENSATED")]
    assert undone == [
        "execute_task#0001",
        "execute_task#0000",
        "execute_task#0002",
        "plan",
        "risks",
        "intake",
    ]
    assert all(r.status is CommandStatus.UNDONE for r in world.command_log.list_for_run(TENANT, RUN))
    assert {r.status for r in world.results.list_for_run(TENANT, RUN)} == {StepStatus.COMPENSATED}
    # And the workspace is exactly as before the run (its own run data included)
    assert world.workspace.snapshot() == before
    assert world.runs.get(TENANT, RUN).compensated_steps == undone


def test_undo_is_idempotent_a_second_round_changes_nothing() -> None:
    world = World()
    _run_through_the_map(world)
    world.undo()
    events, snapshot = list(world.publisher.events), world.workspace.snapshot()

    again = world.undo()

    assert again == {"remaining": 0, "undone": 0, "rounds": 1}
    assert world.publisher.events == events and world.workspace.snapshot() == snapshot


def test_a_command_left_started_is_undone_before_everything_that_completed() -> None:
    world = World()
    _run_through_the_map(world)
    # Given a command whose function died after logging it as started (outcome unknown)
    completed = world.command_log.list_for_run(TENANT, RUN)[0]
    world.command_log.start(
        completed.model_copy(
            update={"command_id": "execute_task#0009#00", "status": CommandStatus.STARTED, "sequence": None}
        )
    )
    units = pending_units(
        world.results.list_for_run(TENANT, RUN), world.command_log.list_for_run(TENANT, RUN)
    )
    assert units[0].command is not None and units[0].command.command_id == "execute_task#0009#00"
    # When compensation runs, it is recorded as undone like the others
    assert world.undo()["remaining"] == 0
    assert world.command_log.get(TENANT, RUN, "execute_task#0009#00").status is CommandStatus.UNDONE  # type: ignore[union-attr]


def test_a_round_out_of_time_says_how_much_is_left_and_the_next_round_finishes() -> None:
    world = World()
    _run_through_the_map(world)
    first = world.undo(budget=-1)  # no time at all: nothing is undone this round
    assert first["undone"] == 0 and first["remaining"] > 0
    assert world.undo()["remaining"] == 0
