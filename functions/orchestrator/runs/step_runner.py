"""Running one agent step of a run (one map item at a time inside a map).

``check the run -> gather what the agent reads -> render its prompt -> call the model ->
validate against the agent's schema -> verdict -> side-effect commands -> store -> publish``.

Failures raise domain errors whose names the state machine's Retry and Catch match; a
failed attempt is recorded (no output kept). Every side effect goes through the command
log first, so compensation can undo it whatever happens to this function afterwards.

Each job has its own module: the step's context (``step_context``), the agent's answer
(``step_answers``), its commands (``step_commands``), its result and events (``step_results``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from orchestrator.commands.executor import CommandExecutor
from orchestrator.core.errors import OrchestratorError, RunRejected
from orchestrator.core.ports import (
    CommandLogRepository,
    EventPublisher,
    RunRepository,
    StepResultRepository,
    Workspace,
)
from orchestrator.core.records import StepResult, StepStatus, StepSummary, StepTaskInput
from orchestrator.llm.gateway import ModelGateway
from orchestrator.runs.guards import ensure_moving_forward, run_data_prefix
from orchestrator.runs.step_answers import TOOL_PROVIDER, ProviderFactory, StepAnswerer, gateway_over
from orchestrator.runs.step_commands import StepCommands
from orchestrator.runs.step_context import StepContext, StepContextLoader
from orchestrator.runs.step_results import StepRecorder, summarize

if TYPE_CHECKING:
    from orchestrator.core.aws_usage import AwsUsage
    from orchestrator.core.vectors import VectorStore
    from orchestrator.llm.prompts import PromptLibrary

__all__ = ["TOOL_PROVIDER", "AgentRunner", "ProviderFactory", "ensure_moving_forward", "run_data_prefix"]


class AgentRunner:
    """Coordinates one step: load its context, have its agent answer, judge, run its commands,
    store its result; a failed attempt is recorded before its error goes on to the state machine."""

    def __init__(
        self,
        *,
        runs: RunRepository,
        results: StepResultRepository,
        command_log: CommandLogRepository,
        workspace: Workspace,
        publisher: EventPublisher,
        provider_factory: ProviderFactory,
        agent_type: str | None = None,
        vectors: VectorStore | None = None,
        fetch: Callable[[str], bytes] | None = None,
        gateway: ModelGateway | None = None,
        prompts: PromptLibrary | None = None,
        usage: Callable[[], AwsUsage | None] | None = None,
    ) -> None:
        self.gateway = gateway or gateway_over(provider_factory)
        self.context = StepContextLoader(
            runs=runs, results=results, workspace=workspace, agent_type=agent_type
        )
        self.answerer = StepAnswerer(
            workspace=workspace,
            provider_factory=provider_factory,
            gateway=self.gateway,
            vectors=vectors,
            fetch=fetch,
            prompts=prompts,
        )
        executor = CommandExecutor(workspace, publisher, vectors)
        self.commands = StepCommands(runs=runs, results=results, command_log=command_log, executor=executor)
        self.recorder = StepRecorder(
            runs=runs, results=results, workspace=workspace, publisher=publisher, usage=usage
        )

    def run(self, task: StepTaskInput) -> StepSummary:
        step = self.context.load(task)
        self.recorder.record_start(step)
        try:
            return self._run(step)
        finally:  # the model calls of a step that stored no result (its result's write counts them)
            self.recorder.count_calls(step)

    def _run(self, step: StepContext) -> StepSummary:
        clock = time.perf_counter()
        try:
            source = self.context.reused_source(step)
            if source is not None:  # a resumed run: the earlier run's output, no model call
                answer = self.answerer.reuse(step, self.context.gather(step), source)
            else:  # a replayed run: the recorded output when the step asks what it asked then
                answer = self.answerer.answer(step, self.context.gather(step), self.context.recorded(step))
        except OrchestratorError as exc:
            self._fail(step, exc, clock)
            raise
        reason = step.agent.verdict(answer.output, answer.context)
        if reason:
            self.recorder.store(step, answer, clock, status=StepStatus.REJECTED, reason=reason)
            raise RunRejected(f"{step.agent.title} rejected the run: {reason}"[:1000])
        try:
            self.commands.execute(step, step.agent.commands(answer.output, answer.context))
        except OrchestratorError as exc:
            self._fail(step, exc, clock)
            raise
        result = self.recorder.store(step, answer, clock, status=StepStatus.SUCCEEDED)
        self.recorder.publish_completed(step, result)
        self.commands.fence(step)
        return summarize(result)

    def load_data(self, result: StepResult) -> dict[str, Any] | None:
        """A result's output (inline, or read from the workspace when it was too large)."""
        return self.context.load_data(result)

    def _fail(self, step: StepContext, exc: OrchestratorError, clock: float) -> None:
        self.recorder.count_calls(step)  # before the attempt's write, which counts the requests so far
        self.recorder.record_failure(step, exc, int((time.perf_counter() - clock) * 1000))
