"""Resuming a run that ended without succeeding: a *new* run, linked both ways to the old one.

The new run runs the same template's state machine from its first step, but every agent step
before the resume point (``from_step``) is in its reuse plan (``Run.reused_steps``): its step
function copies the old run's stored output instead of calling a model (no cost, marked
``reused_from``), and runs the step's side-effect commands again as commands of the new run, so
that its workspace, vectors and deployment stages look as if those steps had just run and a
new failure still undoes everything. A map's completed items of ``from_step`` are reused too;
its failed ones run again. Approval gates are never reused: a person decides again.

A resumed run is admitted like a new one (budget check on the steps it will run, the tenant's
concurrent-run slots and queue).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError

from orchestrator.agents import get_agent
from orchestrator.core import constants
from orchestrator.core.errors import (
    ConflictError,
    InvalidRequest,
    NotFound,
    RunNotActive,
)
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
    STEP_NAME_PATTERN,
    RequestModel,
    Run,
    RunOptions,
    RunRequest,
    RunStatus,
    StepResult,
    StepStatus,
    json_integer,
)
from orchestrator.runs.start import check_run_request, claim_run_id, start_run
from orchestrator.templates.graph import AgentStep, ParallelStep, Placement, Template, get_template

if TYPE_CHECKING:
    from orchestrator.llm.prompts import PromptLibrary
    from orchestrator.runs.planning import RunPlan, RunPlanner
    from orchestrator.tenancy.plans import TenantDirectory

RESUMABLE = frozenset(
    {RunStatus.COMPENSATED, RunStatus.REJECTED, RunStatus.CANCELLED, RunStatus.COMPENSATION_FAILED}
)


class ResumeRequest(RequestModel):
    """Body of ``POST /runs/{run_id}/resume`` (every field optional)."""

    from_step: str | None = Field(
        default=None,
        pattern=STEP_NAME_PATTERN,
        description="the step to run anew, and everything after it (default: the step that failed, "
        "was rejected or was cancelled)",
    )
    inputs: dict[str, Any] = Field(
        default_factory=dict, description="a patch of the run's inputs (validated against the template)"
    )
    options: RunOptions | None = Field(
        default=None, description="replace the original run's options (absent: the original's)"
    )
    prompt_versions: dict[str, Annotated[int, Field(ge=1), BeforeValidator(json_integer)]] = Field(
        default_factory=dict, description="agent type -> prompt version for the steps that run anew"
    )


def kept_output(result: StepResult) -> dict[str, Any] | None:
    """A result's output still on record: a succeeded step's, or the one an undone step had."""
    if result.status is StepStatus.SUCCEEDED:
        return result.data
    if result.status is StepStatus.COMPENSATED:
        return result.undone_data
    return None


def default_from_step(run: Run, template: Template, results: list[StepResult]) -> str:
    """The step that failed, was rejected or cancelled; else the first step with nothing to reuse."""
    if run.failed_step:
        return run.failed_step.split("#", 1)[0]
    kept = {result.step for result in results if kept_output(result) is not None}
    lost = {result.step for result in results if kept_output(result) is None}
    for placement in template.placements():
        if placement.step.kind in ("parallel", "map"):
            continue
        if placement.step.name not in kept or placement.step.name in lost:
            return placement.step.name
    raise RunNotActive(f"run {run.run_id} has a stored output for every step: there is nothing to resume")


def plan_reuse(template: Template, from_step: str, results: list[StepResult]) -> list[str]:
    """The result keys a run resumed at ``from_step`` copies: every agent step declared before it
    (each item of a map), and what completed of ``from_step``'s other items inside a map and of
    the other branches inside a parallel step."""
    names = [placement.step.name for placement in template.placements()]
    if from_step not in names:
        raise InvalidRequest(
            f"from_step {from_step!r} is not a step of template {template.name!r}; "
            f"its steps: {', '.join(names)}"
        )
    target = template.placement(from_step)
    reused: list[str] = []
    missing: list[str] = []
    for placement in template.placements():
        step = placement.step
        if not isinstance(step, AgentStep):
            continue
        own = [result for result in results if result.step == step.name]
        if placement.order < target.order and not _in_other_branch(placement, target):
            if placement.map is None and not own:
                missing.append(step.name)
            missing += [result.key for result in own if kept_output(result) is None]
            reused += [result.key for result in own if kept_output(result) is not None]
        elif (step.name == from_step and placement.map is not None) or _in_other_branch(placement, target):
            # what completed is reused, the rest runs again
            reused += [result.key for result in own if kept_output(result) is not None]
    if missing:
        raise InvalidRequest(
            f"cannot resume from {from_step!r}: {', '.join(missing)} before it left no output to reuse "
            "(it failed, never ran, or its output was too large to keep); resume from an earlier step"
        )
    _check_still_valid(template, reused, {result.key: result for result in results})
    return reused


def _in_other_branch(placement: Placement, target: Placement) -> bool:
    """Both inside one parallel step, in different branches (a completed branch is reused whatever
    its declaration order)."""
    return (
        isinstance(target.top, ParallelStep)
        and placement.top is target.top
        and target.branch is not None
        and placement.branch is not None
        and placement.branch != target.branch
    )


def _check_still_valid(template: Template, keys: list[str], by_key: dict[str, StepResult]) -> None:
    """Every output to reuse still fits its agent's schema (else the template changed incompatibly)."""
    for key in keys:
        result = by_key[key]
        agent = get_agent(template.agent_step(result.step).agent)
        try:
            agent.output_model.model_validate(kept_output(result))
        except ValidationError as exc:
            raise ConflictError(
                f"template {template.name!r} changed incompatibly since the run: the stored output of "
                f"{key} no longer fits agent {agent.agent_type!r} ({exc.error_count()} errors); "
                "start a new run instead"
            ) from None


def check_prompt_versions(
    tenant_id: str, template: Template, wanted: dict[str, int], prompts: PromptLibrary | None
) -> dict[str, int]:
    known = template.agent_types()
    for agent_type, version in wanted.items():
        if agent_type not in known:
            raise InvalidRequest(
                f"prompt_versions: template {template.name!r} has no agent {agent_type!r}; "
                f"its agents: {', '.join(known)}"
            )
        if prompts is not None:
            try:
                prompts.version(tenant_id, agent_type, version)
            except NotFound as exc:
                raise InvalidRequest(f"prompt_versions.{agent_type}: {exc}") from None
    return wanted


def prepare_resume(
    tenant_id: str,
    original: Run,
    request: ResumeRequest,
    results: list[StepResult],
    *,
    allowed_providers: Collection[str] | None = None,
    prompts: PromptLibrary | None = None,
) -> tuple[RunRequest, dict[str, Any], dict[str, Any]]:
    """What the new run asks for (``RunRequest``), its validated inputs and its link to the original
    (``resumed_from``, ``from_step``, ``reused_steps``, ``prompt_versions``); every refusal is raised
    here, before anything is stored."""
    if original.status not in RESUMABLE:
        allowed = ", ".join(sorted(status.value for status in RESUMABLE))
        raise RunNotActive(
            f"run {original.run_id} is {original.status.value}: "
            f"only a run that ended {allowed} can be resumed"
        )
    try:
        template = get_template(original.template)
    except InvalidRequest:
        raise ConflictError(
            f"template {original.template!r} no longer exists: run {original.run_id} cannot be resumed"
        ) from None
    from_step = request.from_step or default_from_step(original, template, results)
    reused = plan_reuse(template, from_step, results)
    run_request = RunRequest(
        template=original.template,
        topic=original.topic,
        inputs=original.inputs | request.inputs,
        options=request.options if request.options is not None else original.options,
    )
    inputs = check_run_request(run_request, allowed_providers)  # 400 naming a bad input, provider, step
    versions = check_prompt_versions(tenant_id, template, request.prompt_versions, prompts)
    link = {
        "resumed_from": original.run_id,
        "from_step": from_step,
        "reused_steps": reused,
        "prompt_versions": original.prompt_versions | versions,
    }
    return run_request, inputs, link


@dataclass(frozen=True)
class Resumption:
    run: Run
    plan: RunPlan | None
    replayed: bool = False  # a retried request with the same Idempotency-Key: the run it started then


def resume_run(
    *,
    tenant_id: str,
    run_id: str,
    request: ResumeRequest,
    correlation_id: str,
    runs: RunRepository,
    results: StepResultRepository,
    starter: ExecutionStarter,
    publisher: EventPublisher,
    created_by: str | None = None,
    allowed_providers: Collection[str] | None = None,
    uploads: Workspace | None = None,
    planner: RunPlanner | None = None,
    prompts: PromptLibrary | None = None,
    tenants: TenantDirectory | None = None,
    idempotency: tuple[str, IdempotencyRepository] | None = None,
) -> Resumption:
    """Start a new run that resumes ``run_id`` (``RunNotFound`` for another tenant's or an unknown
    run, ``RunNotActive`` unless it ended without succeeding, ``InvalidRequest`` for a bad
    ``from_step``, inputs or prompt version, ``BudgetExceeded`` when the steps it will run cannot be
    afforded). ``idempotency``: the request's ``Idempotency-Key`` and where keys are claimed: the
    same key and body resume once (a refused request claims nothing)."""
    original = runs.get(tenant_id, run_id, consistent=True)
    stored = results.list_for_run(tenant_id, run_id)
    run_request, inputs, link = prepare_resume(
        tenant_id, original, request, stored, allowed_providers=allowed_providers, prompts=prompts
    )
    plan = None
    if planner is not None:
        skip = {key.split("#", 1)[0] for key in link["reused_steps"] if "#" not in key}
        plan = planner.plan(tenant_id, run_request, inputs, skip=skip)
        link["prompt_versions"] = plan.prompt_versions | link["prompt_versions"]
    new_id, replayed = claim_new_run(tenant_id, f"resume {run_id}", request, idempotency)
    run = start_run(
        tenant_id=tenant_id,
        request=run_request,
        correlation_id=correlation_id,
        runs=runs,
        starter=starter,
        publisher=publisher,
        created_by=created_by,
        run_id=new_id,
        allowed_providers=allowed_providers,
        uploads=uploads,
        plan=plan,
        tenants=tenants,
        link=link,
    )
    if run.run_id not in original.resumed_by:
        runs.update_fields(
            tenant_id, run_id, allowed_from=RESUMABLE, resumed_by=[*original.resumed_by, run.run_id]
        )
        publisher.publish(
            new_envelope(
                constants.ORCHESTRATION_RESUMED,
                original,
                phase=run.from_step,
                payload={
                    "resumed_by": run.run_id,
                    "from_step": run.from_step,
                    "reused_steps": run.reused_steps,
                },
            )
        )
    return Resumption(run, plan, replayed)


def claim_new_run(
    tenant_id: str,
    what: str,
    request: RequestModel,
    idempotency: tuple[str, IdempotencyRepository] | None,
) -> tuple[str | None, bool]:
    """The new run's id claimed under the request's Idempotency-Key (None without one) for ``what``
    (``resume <run id>``) with this body, and whether an earlier request claimed it."""
    if idempotency is None:
        return None, False
    key, records = idempotency
    request_hash = hashlib.sha256(f"{what} {request.model_dump_json()}".encode()).hexdigest()
    return claim_run_id(records, tenant_id=tenant_id, key=key, request_hash=request_hash)
