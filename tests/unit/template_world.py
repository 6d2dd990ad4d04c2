"""Run a whole template in memory: the real agents and runner, fakes for every AWS resource.

``TemplateWorld`` walks a template's step graph the way its state machine does (sequences in
order, parallel branches, one item sequence per element of a map, approval gates approved)
and, when a step fails for good or rejects the run, undoes everything with the real
compensation (``undo_round``), as the state machine's Catch would. It counts model calls per
step, so a test can prove that no model was called after a rejection, and it can compare the
workspace (and vectors) with how they were before the run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from orchestrator.core.errors import OrchestratorError, RunRejected
from orchestrator.core.records import (
    CommandStatus,
    Run,
    RunOptions,
    RunStatus,
    StepResult,
    StepTaskInput,
    result_key,
)
from orchestrator.providers.base import ModelProvider, ModelRequest, ModelResponse
from orchestrator.providers.offline import OfflineProvider
from orchestrator.runs.compensation import UndoTaskInput, undo_round
from orchestrator.runs.step_runner import AgentRunner
from orchestrator.templates.graph import (
    AgentStep,
    ApprovalStep,
    MapStep,
    ParallelStep,
    Template,
    get_template,
)
from tests.fakes.run_data import (
    InMemoryCommandLog,
    InMemoryRunRepository,
    InMemoryStepResultRepository,
    InMemoryWorkspace,
    RecordingPublisher,
)

TENANT = "acme"
RUN_ID = "01jzzzzzzzzzzzzzzzzzzzzzz9"


class CountingProvider:
    """Wraps a provider and counts its calls per step (``step`` or ``step#item``)."""

    def __init__(self, inner: ModelProvider) -> None:
        self.inner = inner
        self.name = inner.name
        self.calls: list[str] = []

    def complete(self, request: ModelRequest) -> ModelResponse:
        self.calls.append(result_key(request.phase, request.item))
        return self.inner.complete(request)

    def __getattr__(self, name: str) -> Any:  # embeddings and other provider abilities pass through
        return getattr(self.inner, name)


@dataclass
class Outcome:
    status: RunStatus
    error: OrchestratorError | None = None
    failed_step: str | None = None
    order: list[str] = field(default_factory=list)  # result keys in the order they ran


class TemplateWorld:
    def __init__(
        self,
        template: str,
        *,
        topic: str = "an online shop for handmade furniture",
        inputs: dict[str, Any] | None = None,
        options: dict[str, Any] | None = None,
        provider: ModelProvider | None = None,
        vectors: Any = None,
        fetch: Callable[[str], bytes] | None = None,
        workspace: InMemoryWorkspace | None = None,
        run_id: str = RUN_ID,
        gateway: Callable[[Callable[..., ModelProvider]], Any] | None = None,
        prompt_versions: dict[str, int] | None = None,
        prompts: Any = None,
    ) -> None:
        self.run_id = run_id
        self.template: Template = get_template(template)
        self.runs = InMemoryRunRepository()
        self.results = InMemoryStepResultRepository()
        self.command_log = InMemoryCommandLog()
        self.workspace = workspace or InMemoryWorkspace()
        self.publisher = RecordingPublisher()
        self.vectors = vectors
        self.provider = CountingProvider(provider or OfflineProvider())
        self.runs.create(
            Run(
                tenant_id=TENANT,
                run_id=run_id,
                template=template,
                topic=topic,
                inputs=self._inputs(inputs or {}),
                correlation_id="corr",
                options=RunOptions.model_validate(options or {}),
                prompt_versions=prompt_versions or {},
            )
        )
        self.runner = AgentRunner(
            runs=self.runs,
            results=self.results,
            command_log=self.command_log,
            workspace=self.workspace,
            publisher=self.publisher,
            provider_factory=lambda name: self.provider,
            vectors=vectors,
            fetch=fetch,
            # ``gateway``: builds the run's model gateway around a provider source (the counting provider)
            gateway=gateway(lambda *args: self.provider) if gateway is not None else None,
            prompts=prompts,
        )
        self.before = self.workspace.snapshot()
        self.vectors_before = _vector_snapshot(vectors)

    def _inputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        model = self.template.inputs_model
        return model.model_validate(inputs).model_dump(mode="json") if model is not None else inputs

    # --- running -----------------------------------------------------------------------------
    def run(self) -> Outcome:
        """The whole run, then (after a permanent failure or a rejection) its compensation."""
        self.runs.update_status(TENANT, self.run_id, RunStatus.RUNNING)
        outcome = Outcome(RunStatus.SUCCEEDED)
        try:
            self._sequence(self.template.steps, outcome)
        except OrchestratorError as exc:
            outcome.error = exc
            outcome.status = RunStatus.REJECTED if isinstance(exc, RunRejected) else RunStatus.COMPENSATED
            self.undo()
            self.runs.update_status(TENANT, self.run_id, outcome.status)
            return outcome
        self.runs.update_status(TENANT, self.run_id, RunStatus.SUCCEEDED)
        return outcome

    def _sequence(self, steps: list[Any], outcome: Outcome, item: int | None = None) -> None:
        for step in steps:
            if isinstance(step, AgentStep):
                self._agent(step.name, item, outcome)
            elif isinstance(step, ParallelStep):
                for branch in step.branches.values():
                    self._sequence(branch, outcome, item)
            elif isinstance(step, MapStep):
                for index in range(len(self.items_of(step))):
                    self._sequence(step.steps, outcome, index)
            elif isinstance(step, ApprovalStep):
                continue  # approved (gates are tested on their own)

    def _agent(self, step: str, item: int | None, outcome: Outcome) -> None:
        outcome.failed_step = step
        attempts = 0
        while True:
            attempts += 1
            try:
                self.runner.run(
                    StepTaskInput(
                        tenant_id=TENANT,
                        run_id=self.run_id,
                        correlation_id="corr",
                        template=self.template.name,
                        step=step,
                        item=item,
                    )
                )
                break
            except OrchestratorError as exc:
                if not exc.transient:
                    raise
                # the state machine retries transient errors; so does this walk (bounded like its Retry)
                if attempts > self.template.retry.max_attempts:
                    raise
        outcome.failed_step = None
        outcome.order.append(result_key(step, item))

    def items_of(self, step: MapStep) -> list[Any]:
        source = self.output(step.source_step)
        items = source.get(step.source_field) if source else None
        return items if isinstance(items, list) else []

    def undo(self) -> None:
        self.runs.update_status(TENANT, self.run_id, RunStatus.COMPENSATING)
        while True:
            done = undo_round(
                UndoTaskInput(
                    tenant_id=TENANT, run_id=self.run_id, correlation_id="corr", template=self.template.name
                ),
                runs=self.runs,
                results=self.results,
                command_log=self.command_log,
                workspace=self.workspace,
                publisher=self.publisher,
                time_budget_seconds=60,
                vectors=self.vectors,
            )
            if done["remaining"] == 0:
                return

    # --- looking at it ---------------------------------------------------------------------
    def result(self, step: str, item: int | None = None) -> StepResult:
        found = self.results.get(TENANT, self.run_id, result_key(step, item))
        assert found is not None, f"step {result_key(step, item)} has no result"
        return found

    def output(self, step: str, item: int | None = None) -> dict[str, Any] | None:
        found = self.results.get(TENANT, self.run_id, result_key(step, item))
        if found is None:
            return None
        return self.runner.load_data(found)

    def artifact(self, path: str) -> str:
        return self.workspace.get(f"{TENANT}/{path}").decode("utf-8")

    def side_effect_steps(self) -> list[str]:
        """Agent steps that logged at least one command (in the order they ran)."""
        seen: dict[str, None] = {}
        for record in sorted(
            self.command_log.list_for_run(TENANT, self.run_id), key=lambda r: r.sequence or 0
        ):
            seen.setdefault(record.result_key.split("#", 1)[0], None)
        return list(seen)

    def everything_undone(self) -> bool:
        """The workspace (and vectors) exactly as before, every logged command undone."""
        commands = self.command_log.list_for_run(TENANT, self.run_id)
        return (
            self.workspace.snapshot() == self.before
            and all(c.status is CommandStatus.UNDONE for c in commands)
            and _vector_snapshot(self.vectors) == self.vectors_before
        )

    def model_calls_after(self, step: str) -> list[str]:
        """Model calls made by steps that ran after ``step`` (its own calls excluded)."""
        calls = self.provider.calls
        own = [i for i, key in enumerate(calls) if key.split("#", 1)[0] == step]
        return calls[own[-1] + 1 :] if own else []


def _vector_snapshot(vectors: Any) -> Any:
    """Every index and the keys in it (an in-memory store), to compare before and after a run."""
    if vectors is None or not hasattr(vectors, "indexes"):
        return None
    return {name: sorted(index.vectors) for name, index in vectors.indexes.items()}


def assert_each_side_effect_step_undone(make_world: Callable[[dict[str, Any]], TemplateWorld]) -> list[str]:
    """Fail every side-effecting step in turn (for good) and check that the run was undone to the
    state before it: workspace, vectors and command log. Returns the steps it failed."""
    probe = make_world({})
    assert probe.run().status is RunStatus.SUCCEEDED
    steps = probe.side_effect_steps()
    assert steps, "the template has no side effects to undo"
    for step in steps:
        world = make_world({"simulate_failure": {"step": step}})
        outcome = world.run()
        assert outcome.status is RunStatus.COMPENSATED, (step, outcome)
        assert outcome.failed_step == step, (step, outcome)
        assert world.command_log.list_for_run(TENANT, world.run_id) or steps.index(step) == 0, step
        assert world.everything_undone(), f"failing {step!r} left side effects behind"
    return steps
