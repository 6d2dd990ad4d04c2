"""Replaying a finished run with its model answers frozen: a *new* run, linked both ways to the old
one, in which every step that asks its model exactly what the old run's step asked reuses the
recorded answer (no model call, no cost, marked ``reused_from``) and only the steps whose request
changed call the model: another prompt version, other inputs reaching the prompt, another provider,
or an earlier step whose answer changed and that the step reads.

Each step decides when it runs: its rendered request's digest (``StepResult.prompt_hash``: provider,
model, prompt version, system and user text, schema, parameters) against the recorded one. Before
the run starts, a *forecast* from the template's reads says which steps will be reused, which will
call the model (their prompt version or provider changed; nothing reusable recorded), and which
depend on a change (they call the model only if what they read comes out different); the estimate
and the budget check cover the last two. A replay is admitted like a new run (budget, slots, queue).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Required, TypedDict

from pydantic import BeforeValidator, Field

from orchestrator.agents import ALL_EARLIER, get_agent
from orchestrator.core import constants
from orchestrator.core.errors import ConflictError, InvalidRequest, RunNotActive
from orchestrator.core.events import new_envelope
from orchestrator.core.ports import (
    EventPublisher,
    ExecutionStarter,
    IdempotencyRepository,
    RunRepository,
    StepResultRepository,
    Workspace,
)
from orchestrator.core.records import (
    FINAL_RUN_STATUSES,
    RequestModel,
    Run,
    RunOptions,
    RunRequest,
    RunStatus,
    StepResult,
    StepStatus,
    json_integer,
)
from orchestrator.runs.resume import check_prompt_versions, claim_new_run
from orchestrator.runs.start import check_run_request, start_run
from orchestrator.templates.graph import AgentStep, Placement, Template, get_template

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing's own from Python 3.12

    from orchestrator.llm.prompts import PromptLibrary
    from orchestrator.runs.planning import RunPlan, RunPlanner
    from orchestrator.tenancy.plans import TenantDirectory

REPLAYABLE = FINAL_RUN_STATUSES - {RunStatus.FAILED_TO_START}


class ReplayRequest(RequestModel):
    """Body of ``POST /runs/{run_id}/replay`` (every field optional; an empty body replays the run
    as it was: every step reused)."""

    prompt_versions: dict[str, Annotated[int, Field(ge=1), BeforeValidator(json_integer)]] = Field(
        default_factory=dict, description="agent type -> the prompt version its steps render"
    )
    inputs: dict[str, Any] = Field(
        default_factory=dict, description="a patch of the run's inputs (validated against the template)"
    )
    options: RunOptions | None = Field(
        default=None, description="replace the original run's options (absent: the original's)"
    )


@dataclass
class ReplayForecast:
    """What a replay is expected to do, per step, before it runs (each step decides when it runs)."""

    reused_steps: list[str] = field(default_factory=list)
    """Result keys (``step`` or ``step#item``) whose request nothing changes: reused."""
    model_steps: list[str] = field(default_factory=list)
    """Steps whose request changes for sure (prompt version, provider) or with nothing to reuse."""
    dependent_steps: list[str] = field(default_factory=list)
    """Steps that read the changed inputs or an answer that may change: reused if their request
    comes out the same, else they call the model."""


def has_output(result: StepResult) -> bool:
    """A recorded output a replay can reuse: a succeeded step's (inline or in the workspace), or
    the one an undone step had."""
    if result.status is StepStatus.SUCCEEDED:
        return result.data is not None or result.data_ref is not None
    return result.status is StepStatus.COMPENSATED and result.undone_data is not None


def forecast(
    template: Template,
    results: list[StepResult],
    versions: dict[str, int],
    *,
    inputs_changed: bool,
    provider_changed: bool,
) -> ReplayForecast:
    """Walk the template in order: a step's request changes when its prompt version or the provider
    does; it may change when it reads the inputs that changed, a step that may change, or a map
    item listed by such a step. Tool agents call no model, but pass a change on. What a step's own
    code finds when it runs (its facts) is not foreseen: a step whose facts depend on the run (a
    deployment's version) is forecast as reused and still calls the model."""
    by_step: dict[str, list[StepResult]] = {}
    for result in results:
        by_step.setdefault(result.step, []).append(result)
    plan = ReplayForecast()
    changed: set[str] = set()
    for placement in template.placements():
        step = placement.step
        if not isinstance(step, AgentStep):
            continue
        agent = get_agent(step.agent)
        own = by_step.get(step.name, [])
        upstream = inputs_changed or _reads_a_change(template, placement, changed)
        if not agent.uses_model:
            if upstream:
                changed.add(step.name)
            continue
        wanted = versions.get(step.agent)
        certain = (
            provider_changed
            or not own
            or any(not has_output(r) or r.prompt_hash is None for r in own)
            or (wanted is not None and any(r.metadata.prompt_version != f"v{wanted}" for r in own))
        )
        if certain:
            plan.model_steps.append(step.name)
        elif upstream:
            plan.dependent_steps.append(step.name)
        else:
            plan.reused_steps += sorted(r.key for r in own)
            continue
        changed.add(step.name)
    return plan


def _reads_a_change(template: Template, placement: Placement, changed: set[str]) -> bool:
    if placement.map is not None and placement.map.source_step in changed:
        return True
    reads = get_agent(placement.step.agent).reads if isinstance(placement.step, AgentStep) else ()
    return any(
        earlier.step.name in changed
        and (ALL_EARLIER in reads or getattr(earlier.step, "agent", None) in reads)
        for earlier in template.earlier_agent_steps(placement.step.name)
    )


def prepare_replay(
    tenant_id: str,
    original: Run,
    request: ReplayRequest,
    results: list[StepResult],
    *,
    allowed_providers: Collection[str] | None = None,
    prompts: PromptLibrary | None = None,
) -> tuple[RunRequest, dict[str, Any], dict[str, int], ReplayForecast]:
    """What the new run asks for, its validated inputs, its prompt versions (the original's, the
    requested ones over them) and the forecast; every refusal is raised here, before anything is
    stored."""
    if original.status not in REPLAYABLE:
        allowed = ", ".join(sorted(status.value for status in REPLAYABLE))
        raise RunNotActive(
            f"run {original.run_id} is {original.status.value}: "
            f"only a run that ended {allowed} can be replayed"
        )
    try:
        template = get_template(original.template)
    except InvalidRequest:
        raise ConflictError(
            f"template {original.template!r} no longer exists: run {original.run_id} cannot be replayed"
        ) from None
    options = request.options if request.options is not None else original.options
    run_request = RunRequest(
        template=original.template,
        topic=original.topic,
        inputs=original.inputs | request.inputs,
        options=options,
    )
    inputs = check_run_request(run_request, allowed_providers)  # 400 naming a bad input, provider, step
    wanted = check_prompt_versions(tenant_id, template, request.prompt_versions, prompts)
    pinned = prompts.pin(tenant_id, template.agent_types()) if prompts is not None else {}
    versions = pinned | original.prompt_versions | wanted
    plan = forecast(
        template,
        results,
        versions,
        inputs_changed=inputs != original.inputs,
        provider_changed=options.provider != original.options.provider,
    )
    return run_request, inputs, versions, plan


@dataclass(frozen=True)
class Replay:
    run: Run
    forecast: ReplayForecast
    plan: RunPlan | None
    replayed: bool = False  # a retried request with the same Idempotency-Key: the run it started then


class StartArguments(TypedDict, total=False):
    """What ``replay_run`` hands on to ``start_run`` as it is."""

    correlation_id: Required[str]
    starter: Required[ExecutionStarter]
    created_by: str | None
    uploads: Workspace | None
    tenants: TenantDirectory | None


def replay_run(
    *,
    tenant_id: str,
    run_id: str,
    request: ReplayRequest,
    runs: RunRepository,
    results: StepResultRepository,
    publisher: EventPublisher,
    allowed_providers: Collection[str] | None = None,
    planner: RunPlanner | None = None,
    prompts: PromptLibrary | None = None,
    idempotency: tuple[str, IdempotencyRepository] | None = None,
    **start: Unpack[StartArguments],
) -> Replay:
    """Start a new run that replays ``run_id`` (``RunNotFound`` for another tenant's or an unknown
    run, ``RunNotActive`` unless it has ended, ``InvalidRequest`` for bad inputs or prompt versions,
    ``BudgetExceeded`` when the steps that may call a model cannot be afforded). ``idempotency``: the
    request's ``Idempotency-Key`` and where keys are claimed (the same key and body replay once)."""
    original = runs.get(tenant_id, run_id, consistent=True)
    stored = results.list_for_run(tenant_id, run_id)
    run_request, inputs, versions, expected = prepare_replay(
        tenant_id, original, request, stored, allowed_providers=allowed_providers, prompts=prompts
    )
    plan = None
    if planner is not None:
        skip = {key for key in expected.reused_steps if "#" not in key}
        plan = planner.plan(tenant_id, run_request, inputs, skip=skip)
        versions = plan.prompt_versions | versions
    new_id, replayed = claim_new_run(tenant_id, f"replay {run_id}", request, idempotency)
    link = {"replayed_from": run_id, "reused_steps": expected.reused_steps, "prompt_versions": versions}
    run = start_run(
        tenant_id=tenant_id,
        request=run_request,
        runs=runs,
        publisher=publisher,
        run_id=new_id,
        allowed_providers=allowed_providers,
        plan=plan,
        link=link,
        **start,
    )
    if run.run_id not in original.replayed_by:
        runs.update_fields(
            tenant_id, run_id, allowed_from=REPLAYABLE, replayed_by=[*original.replayed_by, run.run_id]
        )
        payload = {"replayed_by": run.run_id, "prompt_versions": versions}
        publisher.publish(
            new_envelope(
                constants.ORCHESTRATION_REPLAYED,
                original,
                payload=payload
                | {
                    "reused_steps": expected.reused_steps,
                    "model_steps": expected.model_steps,
                    "dependent_steps": expected.dependent_steps,
                },
            )
        )
    return Replay(run, expected, plan, replayed)
