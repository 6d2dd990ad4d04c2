"""Running one agent step of a run (one map item at a time inside a map).

``check the run -> gather what the agent reads -> render its prompt -> call the model ->
validate against the agent's schema -> verdict -> side-effect commands -> store -> publish``.

Failures raise domain errors whose names the state machine's Retry and Catch match; a
failed attempt is recorded (no output kept). Every side effect goes through the command
log first, so compensation can undo it whatever happens to this function afterwards.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from orchestrator.agents import (
    ALL_EARLIER,
    Agent,
    AgentContext,
    AgentServices,
    EarlierOutput,
    RenderedPrompt,
    get_agent,
)
from orchestrator.commands.executor import CommandExecutor, CommandSpec, fingerprint, undo_logged_command
from orchestrator.core import constants
from orchestrator.core.errors import (
    InvalidRequest,
    ModelOutputInvalid,
    NotFound,
    OrchestratorError,
    RunCancelled,
    RunRejected,
)
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
    ResultMetadata,
    Run,
    RunStatus,
    StepResult,
    StepStatus,
    StepSummary,
    StepTaskInput,
    result_key,
    utc_now,
)
from orchestrator.llm.gateway import CallTally, ModelGateway, ModelOutcome, StepCall
from orchestrator.providers import ModelProvider, ModelRequest, ModelResponse
from orchestrator.providers.offline import raise_simulated_failure
from orchestrator.runs.guards import ensure_moving_forward, run_data_prefix
from orchestrator.templates.graph import Placement, Template, get_template

if TYPE_CHECKING:
    from orchestrator.core.vectors import VectorStore
    from orchestrator.llm.prompts import PromptLibrary

ProviderFactory = Callable[[str | None], ModelProvider]
"""Returns the provider for a run's option (None = the deployment's default)."""

TOOL_PROVIDER = constants.TOOL_PROVIDER

__all__ = ["TOOL_PROVIDER", "AgentRunner", "ensure_moving_forward", "run_data_prefix"]

_COMMANDS: TypeAdapter[list[CommandSpec]] = TypeAdapter(list[CommandSpec])


@dataclass
class StepContext:
    run: Run
    template: Template
    placement: Placement
    agent: Agent
    key: str
    item: int | None
    attempt: int
    started_at: datetime
    tally: CallTally = field(default_factory=CallTally)
    outcome: ModelOutcome | None = None


class AgentRunner:
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
    ) -> None:
        self.runs = runs
        self.results = results
        self.command_log = command_log
        self.workspace = workspace
        self.publisher = publisher
        self.provider_factory = provider_factory
        self.vectors = vectors
        self.fetch = fetch
        self.executor = CommandExecutor(workspace, publisher, vectors)
        self.agent_type = agent_type  # the function's own agent type: a task for another is refused
        self.gateway = gateway or _gateway_over(provider_factory)
        self.prompts = prompts

    # --- the template method --------------------------------------------------------------
    def run(self, task: StepTaskInput) -> StepSummary:
        step = self.load(task)
        clock = time.perf_counter()
        try:
            agent_context = self.gather(step)
            facts = step.agent.work(agent_context, self.services(step))
            if facts:
                agent_context = replace(agent_context, facts=facts)
            if step.agent.uses_model:
                prompt = self.render(step, agent_context)
            else:  # a tool agent has no prompt to render
                prompt = RenderedPrompt(system="", user="", version=step.agent.prompt_version)
            if step.agent.uses_model:
                step.outcome = self.call_model(step, prompt, step.agent.offline_answer(agent_context))
                response, output = step.outcome.response, step.outcome.output
            else:
                response, output = self.compute(step, agent_context)
            output, corrections = step.agent.finalize(output, agent_context)
            if corrections:
                agent_context = replace(agent_context, corrections=corrections)
        except OrchestratorError as exc:
            self.record_failure(step, exc, int((time.perf_counter() - clock) * 1000))
            raise
        finally:
            self.count_calls(step)
        reason = step.agent.verdict(output, agent_context)
        if reason:
            self.store(
                step,
                prompt,
                response,
                output,
                clock,
                status=StepStatus.REJECTED,
                context=agent_context,
                reason=reason,
            )
            raise RunRejected(f"{step.agent.title} rejected the run: {reason}"[:1000])
        try:
            self.execute_commands(step, step.agent.commands(output, agent_context))
        except OrchestratorError as exc:
            self.record_failure(step, exc, int((time.perf_counter() - clock) * 1000))
            raise
        result = self.store(
            step, prompt, response, output, clock, status=StepStatus.SUCCEEDED, context=agent_context
        )
        self.publish_completed(step, result)
        self.fence(step)
        return StepSummary(
            step=result.step,
            item=result.item,
            status=result.status,
            summary=result.summary,
            attempts=result.metadata.attempts,
            provider=result.metadata.provider,
        )

    # --- steps ----------------------------------------------------------------------------
    def load(self, task: StepTaskInput) -> StepContext:
        run = self.runs.get(task.tenant_id, task.run_id, consistent=True)
        template = get_template(run.template)
        try:
            placement = template.placement(task.step)
            declaration = template.agent_step(task.step)
        except KeyError as exc:
            raise InvalidRequest(str(exc)) from None
        if self.agent_type and declaration.agent != self.agent_type:
            raise InvalidRequest(
                f"step {task.step!r} runs agent {declaration.agent!r}, not {self.agent_type!r}"
            )
        if (placement.map is None) != (task.item is None):
            raise InvalidRequest(f"step {task.step!r}: an item index is needed inside a map, and only there")
        ensure_moving_forward(run)
        key = result_key(task.step, task.item)
        attempt = self.results.next_attempt(task.tenant_id, task.run_id, key)
        return StepContext(
            run, template, placement, get_agent(declaration.agent), key, task.item, attempt, utc_now()
        )

    def gather(self, step: StepContext) -> AgentContext:
        """What this agent reads: earlier outputs of the agent types it declares, and its item."""
        run, agent = step.run, step.agent
        earlier = {p.step.name: p for p in step.template.earlier_agent_steps(step.placement.step.name)}
        wanted_all = ALL_EARLIER in agent.reads
        found: list[tuple[int, int, EarlierOutput]] = []
        for result in self.results.list_for_run(run.tenant_id, run.run_id):
            placement = earlier.get(result.step)
            if placement is None or result.status is not StepStatus.SUCCEEDED:
                continue
            if placement.map is not None and placement.map is step.placement.map and result.item != step.item:
                continue  # an earlier step of another item of the same map
            agent_type = getattr(placement.step, "agent", "")
            if not wanted_all and agent_type not in agent.reads:
                continue
            data = None if wanted_all else self.load_data(result)
            output = EarlierOutput(
                step=result.key,
                agent=agent_type,
                summary=result.summary,
                data=data,
                item=result.item,
                tokens=result.token_usage.total_tokens,
                cost_usd=result.cost_usd,
                provider=result.metadata.provider,
                model=result.metadata.model,
            )
            found.append((placement.order, result.item or 0, output))
        item_value = None
        if step.item is not None and step.placement.map is not None:
            item_value = self.map_item(
                run, step.placement.map.source_step, step.placement.map.source_field, step.item
            )
        return AgentContext(
            tenant_id=run.tenant_id,
            run_id=run.run_id,
            topic=run.topic,
            step=step.key,
            step_title=step.placement.step.label,
            item_index=step.item,
            item=item_value,
            inputs=run.inputs,
            earlier=[output for _, _, output in sorted(found, key=lambda entry: entry[:2])],
        )

    def map_item(self, run: Run, source_step: str, field: str, index: int) -> Any:
        source = self.results.get(run.tenant_id, run.run_id, source_step)
        data = self.load_data(source) if source else None
        items = (data or {}).get(field)
        if not isinstance(items, list) or index >= len(items):
            raise InvalidRequest(f"item {index} of {source_step}.{field} does not exist")
        return items[index]

    def load_data(self, result: StepResult) -> dict[str, Any] | None:
        if result.data is not None or not result.data_ref:
            return result.data
        loaded: dict[str, Any] = json.loads(self.workspace.get(result.data_ref))
        return loaded

    def services(self, step: StepContext) -> AgentServices:
        run = step.run
        return AgentServices(
            workspace=self.workspace,
            provider_factory=lambda: self.provider_factory(run.options.provider),
            vectors=self.vectors,
            fetch=self.fetch,
            run_data_prefix=run_data_prefix(run.tenant_id, run.run_id),
        )

    def compute(self, step: StepContext, context: AgentContext) -> tuple[ModelResponse, BaseModel]:
        """A tool agent's output, computed in code (no model is called)."""
        raise_simulated_failure(
            step.run.options.simulate_failure, step.placement.step.name, step.item, step.attempt
        )
        try:
            output = step.agent.compute(context)
        except ValidationError as exc:
            raise ModelOutputInvalid(
                f"{step.agent.agent_type} computed an invalid output: {exc}"[:2000]
            ) from exc
        return ModelResponse(text="", provider=TOOL_PROVIDER, model=""), output

    def render(self, step: StepContext, context: AgentContext) -> RenderedPrompt:
        """The prompt version the run pinned for this agent type (the tenant's, else the shipped one)."""
        if self.prompts is None:
            return step.agent.render(context)
        run, agent_type = step.run, step.agent.agent_type
        pinned = run.prompt_versions.get(agent_type)
        try:
            version = (
                self.prompts.version(run.tenant_id, agent_type, pinned)
                if pinned is not None
                else self.prompts.active(run.tenant_id, agent_type)
            )
        except NotFound:  # pinned to a shipped version a newer deployment no longer has
            version = self.prompts.shipped(agent_type, run.tenant_id)
        system, user = self.prompts.render(version, step.agent.prompt_values(context))
        return RenderedPrompt(system=system, user=user, version=version.label)

    def call_model(
        self, step: StepContext, prompt: RenderedPrompt, offline_answer: dict[str, Any] | None = None
    ) -> ModelOutcome:
        options = step.run.options
        request = ModelRequest(
            system=prompt.system,
            prompt=prompt.user,
            phase=step.placement.step.name,
            item=step.item,
            attempt=step.attempt,
            title=step.agent.title,
            schema=step.agent.output_schema(),
            schema_name=step.agent.agent_type,
            agent=step.agent.agent_type,
            prompt_version=prompt.version,
            max_tokens=step.agent.max_output_tokens,
            simulate_failure=options.simulate_failure,
            latency_ms=options.offline.latency_ms,
            list_items=options.offline.list_items,
            offline_answer=offline_answer,
        )
        return self.gateway.answer(
            StepCall(
                tenant_id=step.run.tenant_id,
                run_id=step.run.run_id,
                correlation_id=step.run.correlation_id,
                template=step.run.template,
                step=step.placement.step.name,
                key=step.key,
                agent_type=step.agent.agent_type,
                complexity=step.agent.complexity,
                output_model=step.agent.output_model,
                request=request,
                run_provider=options.provider,
                use_cache=options.use_cache,
            ),
            step.tally,
        )

    def count_calls(self, step: StepContext) -> None:
        """The run's counters: provider calls (failed attempts and repairs too) and cache hits."""
        hits = 1 if step.outcome is not None and step.outcome.cache_hit else 0
        if step.tally.calls or hits:
            self.runs.count_model_calls(step.run.tenant_id, step.run.run_id, step.tally.calls, hits)

    def execute_commands(self, step: StepContext, specs: list[Any]) -> None:
        """Run each command once, logged before and after. An earlier attempt's identical completed
        command is kept; an earlier attempt's other or unfinished command is undone first."""
        run = step.run
        commands = _COMMANDS.validate_python([spec.model_dump() for spec in specs])
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
                self.undo_command(record, run.correlation_id)
        for command_id, spec in wanted.items():
            previous = logged.get(command_id)
            if (
                previous is not None
                and previous.status is CommandStatus.COMPLETED
                and previous.fingerprint == fingerprint(spec)
            ):
                continue
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

    def undo_command(self, record: CommandRecord, correlation_id: str) -> None:
        undo_logged_command(
            record, executor=self.executor, command_log=self.command_log, correlation_id=correlation_id
        )

    def store(
        self,
        step: StepContext,
        prompt: RenderedPrompt,
        response: ModelResponse,
        output: BaseModel,
        clock: float,
        *,
        status: StepStatus,
        context: AgentContext,
        reason: str | None = None,
    ) -> StepResult:
        run = step.run
        warnings = []
        if response.offline:
            warnings.append("produced by the offline provider: deterministic text, not a model's answer")
        if response.provider == TOOL_PROVIDER:
            warnings.append("computed in code by a tool agent: no model was called")
        outcome = step.outcome
        if outcome is not None:
            warnings += outcome.warnings
        warnings += [*context.corrections, *step.agent.warnings(output, context)][:20]
        data: dict[str, Any] | None = output.model_dump(mode="json")
        data_ref = None
        if len(json.dumps(data)) > constants.MAX_INLINE_RESULT_BYTES:
            data_ref = f"{run_data_prefix(run.tenant_id, run.run_id)}results/{step.key}.json"
            self.workspace.put(
                data_ref, json.dumps(data).encode(), "application/json", {"orchestrator-run": run.run_id}
            )
            data = None
        result = StepResult(
            tenant_id=run.tenant_id,
            run_id=run.run_id,
            step=step.placement.step.name,
            item=step.item,
            status=status,
            data=data,
            data_ref=data_ref,
            summary=step.agent.summary(output)[: constants.MAX_SUMMARY_LENGTH],
            confidence_score=min(1.0, max(0.0, step.agent.confidence(output))),
            processing_time_ms=int((time.perf_counter() - clock) * 1000),
            started_at=step.started_at,
            completed_at=utc_now(),
            sequence=self.runs.next_sequence(run.tenant_id, run.run_id),
            metadata=ResultMetadata(
                agent=step.agent.agent_type,
                attempts=step.attempt,
                provider=response.provider,
                model=response.model,
                prompt_version=prompt.version,
                offline=response.offline,
                model_calls=outcome.model_calls if outcome is not None else 0,
                cache_hit=outcome.cache_hit if outcome is not None else False,
                fallback_from=outcome.fallback_from if outcome is not None else None,
                tier=outcome.tier if outcome is not None else None,
            ),
            errors=[f"RunRejected: {reason}"] if reason else [],
            warnings=warnings,
            token_usage=response.usage,
            cost_usd=response.cost_usd,
        )
        self.results.save(result)
        return result

    def publish_completed(self, step: StepContext, result: StepResult) -> None:
        self.publisher.publish(
            new_envelope(
                constants.PHASE_COMPLETED,
                step.run,
                phase=result.key,
                payload={
                    "step": result.step,
                    "item": result.item,
                    "agent": result.metadata.agent,
                    "summary": result.summary,
                    "attempts": result.metadata.attempts,
                    "provider": result.metadata.provider,
                    "model": result.metadata.model,
                    "processing_time_ms": result.processing_time_ms,
                    "tokens": result.token_usage.total_tokens,
                    "cost_usd": result.cost_usd,
                },
            )
        )

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
                self.undo_command(record, run.correlation_id)
        if self.results.mark_compensated(run.tenant_id, run.run_id, step.key, utc_now()):
            self.runs.add_compensated_step(run.tenant_id, run.run_id, step.key)
        raise RunCancelled(f"run {run.run_id} is {run.status.value}: step {step.key} took its work back")

    def record_failure(self, step: StepContext, exc: OrchestratorError, elapsed_ms: int) -> None:
        """Keep what went wrong (no output) and tell the bus; the state machine decides what follows."""
        run = step.run
        self.results.save(
            StepResult(
                tenant_id=run.tenant_id,
                run_id=run.run_id,
                step=step.placement.step.name,
                item=step.item,
                status=StepStatus.FAILED,
                started_at=step.started_at,
                completed_at=utc_now(),
                processing_time_ms=elapsed_ms,
                metadata=ResultMetadata(
                    agent=step.agent.agent_type,
                    attempts=step.attempt,
                    provider=run.options.provider or "default",
                    model="",
                    prompt_version=step.agent.prompt_version,
                    model_calls=step.tally.calls,
                ),
                errors=[f"{type(exc).__name__}: {exc}"[:2000]],
            )
        )
        self.publisher.publish(
            new_envelope(
                constants.PHASE_FAILED,
                run,
                phase=step.key,
                payload={
                    "attempt": step.attempt,
                    "error": type(exc).__name__,
                    "message": str(exc)[:1000],
                    "transient": exc.transient,
                },
            )
        )


def _gateway_over(provider_factory: ProviderFactory) -> ModelGateway:
    """A gateway with no tenant settings, cache, budget or circuits: the run's provider (or the
    deployment default the factory gives) answers every step (tests, simple wiring)."""
    from orchestrator.llm.model_settings import DeploymentModels

    return ModelGateway(
        providers=lambda provider, model, tenant_id, use_tenant_key: provider_factory(provider or None),
        deployment=DeploymentModels(provider="", model=None, served=frozenset()),
    )
