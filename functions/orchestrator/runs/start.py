"""Starting runs and reading them back (used by the API and by event-triggered starts)."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from orchestrator.core import constants
from orchestrator.core.aws_usage import DEFAULT_AWS_PRICES, AwsPrices
from orchestrator.core.errors import (
    ConflictError,
    IdempotencyKeyReused,
    InputsInvalid,
    InvalidRequest,
    RepositoryError,
)
from orchestrator.core.ids import new_run_id
from orchestrator.core.observability import logger
from orchestrator.core.ports import (
    EventPublisher,
    EventRepository,
    ExecutionStarter,
    IdempotencyRepository,
    RunRepository,
    StepResultRepository,
    Workspace,
)
from orchestrator.core.records import (
    EventEnvelope,
    IdempotencyRecord,
    Run,
    RunRequest,
    RunStatus,
    SimulatedFailure,
    StepResult,
    result_key,
    utc_now,
)
from orchestrator.ingestion.uploads import ARCHIVE_URL_SUFFIX, check_uploads_exist
from orchestrator.providers import known_providers
from orchestrator.runs.aws_costs import UsageSoFar, infrastructure_view, with_start_usage
from orchestrator.runs.launch import execution_input, record_failed_start
from orchestrator.runs.queue import Admission, admit, promote_due, queue_run
from orchestrator.templates.graph import AgentStep, ApprovalStep, MapStep, ParallelStep, Step, get_template

if TYPE_CHECKING:
    from orchestrator.runs.planning import RunPlan, RunPlanner
    from orchestrator.tenancy.plans import TenantDirectory


def check_inputs(request: RunRequest) -> dict[str, Any]:
    """The request's ``inputs`` validated against its template's inputs model (defaults filled in).

    Raises ``InputsInvalid`` (422) with one detail per field, located as ``body.inputs.<field>``."""
    model = get_template(request.template).inputs_model
    if model is None:
        if request.inputs:
            names = ", ".join(sorted(request.inputs))
            raise InputsInvalid(
                f"template {request.template!r} takes no inputs (got: {names})",
                [{"location": "body.inputs", "message": f"template {request.template!r} takes no inputs"}],
            )
        return {}
    try:
        return model.model_validate(request.inputs).model_dump(mode="json")
    except ValidationError as exc:
        details = [
            {
                "location": ".".join(["body", "inputs", *(str(part) for part in error["loc"])]),
                "message": error["msg"],
                "type": error["type"],
            }
            for error in exc.errors()
        ]
        summary = "; ".join(f"{d['location']}: {d['message']}" for d in details)
        raise InputsInvalid(
            f"inputs of template {request.template!r} are invalid: {summary}", details
        ) from None


def check_run_request(
    request: RunRequest, allowed_providers: Collection[str] | None = None
) -> dict[str, Any]:
    """What the request's schema cannot say: a known template, inputs its template takes, a
    provider this deployment serves, a simulated failure naming one of the template's steps.
    Raises a 4xx domain error; returns the validated inputs."""
    inputs = check_inputs(request)  # unknown template -> TemplateNotFound
    provider = request.options.provider
    if provider is not None and provider not in known_providers():
        raise InvalidRequest(
            f"unknown provider {provider!r}; known providers: {', '.join(known_providers())}"
        )
    if provider is not None and allowed_providers is not None and provider not in allowed_providers:
        available = ", ".join(sorted(allowed_providers))
        raise InvalidRequest(
            f"provider {provider!r} is not configured in this deployment; available: {available}"
        )
    if request.options.simulate_failure is not None:
        _check_simulated_failure(request.template, request.options.simulate_failure)
    return inputs


def check_sources(
    tenant_id: str,
    inputs: dict[str, Any],
    uploads: Workspace | None,
    archive_hosts: Collection[tuple[str, int]] | None,
) -> None:
    """Where the run's inputs take their files from, checked before anything is stored (400 naming
    the input): each upload exists for the tenant (with ``uploads``), each archive URL is one the
    fetch would try (with ``archive_hosts``, the private hosts it may reach)."""
    if uploads is not None:
        check_uploads_exist(tenant_id, inputs, uploads)
    if archive_hosts is not None and any(name.endswith(ARCHIVE_URL_SUFFIX) for name in inputs):
        from orchestrator.ingestion.fetch import check_archive_url_inputs  # only such runs load it

        check_archive_url_inputs(inputs, allowed_hosts=archive_hosts)


def start_run(
    *,
    tenant_id: str,
    request: RunRequest,
    correlation_id: str,
    runs: RunRepository,
    starter: ExecutionStarter,
    publisher: EventPublisher,
    created_by: str | None = None,
    run_id: str | None = None,
    allowed_providers: Collection[str] | None = None,
    uploads: Workspace | None = None,
    planner: RunPlanner | None = None,
    plan: RunPlan | None = None,
    tenants: TenantDirectory | None = None,
    archive_hosts: Collection[tuple[str, int]] | None = None,
    link: dict[str, Any] | None = None,
    usage: UsageSoFar | None = None,
) -> Run:
    """Record a run and start its state machine. Starting the same run id twice starts it once.

    ``allowed_providers``: the providers this deployment can serve (offline and its default);
    a run asking for another one is refused before anything is stored. ``uploads``: where the
    uploads its inputs name must exist (for this tenant). ``planner``: pins the run's prompt
    versions and refuses a run the tenant's budget cannot afford (``BudgetExceeded``); ``plan``:
    what a planner already decided for this request. ``tenants``: the run takes one of its tenant's
    concurrent-run slots before it is stored and gives it back when it ends; when none is free (or
    older runs wait) it is stored ``QUEUED`` and starts when a slot frees (``runs.queue``):
    ``TenantLimitReached`` only when the tenant's queue is full, ``TenantNotActive`` when the tenant
    is disabled. ``archive_hosts``: the private hosts an archive fetch may reach; given, an archive
    URL input the fetch would refuse (plain http, a private address, ...) is a 400 naming it.
    ``link``: what a resumed run carries besides the request (``resumed_from``, ``from_step``,
    ``reused_steps``). ``usage``: this invocation's AWS requests so far, kept on the run's record.
    """
    inputs = check_run_request(request, allowed_providers)
    check_sources(tenant_id, inputs, uploads, archive_hosts)
    if plan is None and planner is not None:
        plan = planner.plan(tenant_id, request, inputs)
    run = _new_run(tenant_id, run_id or new_run_id(), request, inputs, correlation_id, created_by, plan)
    run = run.model_copy(update=link) if link else run
    if run_id is not None and tenants is not None:  # a retried start of a run that may have ended
        earlier = _existing_run(runs, tenant_id, run_id)
        if earlier is not None and earlier.status is not RunStatus.PENDING:
            return earlier  # started, ended or queued by an earlier try
    admission = admit(tenants, tenant_id, run.run_id) if tenants is not None else None
    if admission is Admission.QUEUED and tenants is not None:
        return queue_run(
            run,
            forget_on_failure=run_id is None,
            tenants=tenants,
            runs=runs,
            starter=starter,
            publisher=publisher,
        )
    took_slot = admission is Admission.SLOT
    try:
        runs.create(with_start_usage(run, usage))
    except ConflictError:
        run = runs.get(tenant_id, run.run_id)
        if run.status is not RunStatus.PENDING:
            if took_slot and tenants is not None and run.status.is_final:
                tenants.release_run_slot(tenant_id, run.run_id)
            return run  # already started: a redelivered request
    except Exception:
        if took_slot and tenants is not None and run_id is None:
            tenants.release_run_slot(tenant_id, run.run_id)  # nothing stored: the slot is free again
        raise
    try:
        starter.start(run.template, run.run_id, execution_input(run))
    except ConflictError:
        return run  # already started: a redelivered request
    except RepositoryError as exc:
        if run_id is not None:
            raise  # the caller retries with the same run id (redelivered event): it stays PENDING
        _fail_start(run, exc, runs=runs, starter=starter, publisher=publisher, tenants=tenants)
        raise
    except Exception as exc:
        _fail_start(run, exc, runs=runs, starter=starter, publisher=publisher, tenants=tenants)
        raise
    return run


def _new_run(
    tenant_id: str,
    run_id: str,
    request: RunRequest,
    inputs: dict[str, Any],
    correlation_id: str,
    created_by: str | None,
    plan: RunPlan | None,
) -> Run:
    return Run(
        tenant_id=tenant_id,
        run_id=run_id,
        template=request.template,
        topic=request.topic,
        inputs=inputs,
        options=request.options,
        correlation_id=correlation_id,
        created_by=created_by,
        prompt_versions=plan.prompt_versions if plan is not None else {},
        shipped_prompts=plan.shipped_prompts if plan is not None else [],
        tenant_models=plan.tenant_models if plan is not None else None,
        estimated_cost_usd=plan.estimated_cost_usd if plan is not None else None,
    )


def _fail_start(
    run: Run,
    exc: Exception,
    *,
    runs: RunRepository,
    starter: ExecutionStarter,
    publisher: EventPublisher,
    tenants: TenantDirectory | None,
) -> None:
    """The run ends ``FAILED_TO_START``; the slot it gave back goes to its tenant's oldest queued run."""
    record_failed_start(runs, publisher, run, exc, tenants)
    if tenants is None:
        return
    try:
        promote_due(run.tenant_id, tenants=tenants, runs=runs, starter=starter, publisher=publisher)
    except Exception:  # the next start or end of the tenant makes the pass again
        logger.exception("promotion pass failed after a failed start")


def _existing_run(runs: RunRepository, tenant_id: str, run_id: str) -> Run | None:
    from orchestrator.core.errors import RunNotFound

    try:
        return runs.get(tenant_id, run_id, consistent=True)
    except RunNotFound:
        return None


IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,128}$")


def start_run_once(
    *,
    idempotency_key: str,
    records: IdempotencyRepository,
    tenant_id: str,
    request: RunRequest,
    correlation_id: str,
    runs: RunRepository,
    starter: ExecutionStarter,
    publisher: EventPublisher,
    created_by: str | None = None,
    allowed_providers: Collection[str] | None = None,
    uploads: Workspace | None = None,
    planner: RunPlanner | None = None,
    tenants: TenantDirectory | None = None,
    archive_hosts: Collection[tuple[str, int]] | None = None,
    usage: UsageSoFar | None = None,
) -> tuple[Run, bool]:
    """``start_run`` for a request carrying an ``Idempotency-Key``: the same key and body start
    one run however often they are sent (for 24 hours); the same key with another body is refused.

    Returns the run and whether this was a replay of an earlier request.
    """
    if not IDEMPOTENCY_KEY_PATTERN.match(idempotency_key):
        raise InvalidRequest("Idempotency-Key must be 1-128 visible ASCII characters")
    inputs = check_run_request(request, allowed_providers)  # a refused request does not claim the key
    check_sources(tenant_id, inputs, uploads, archive_hosts)
    # an unaffordable request does not claim the key either
    plan = planner.plan(tenant_id, request, inputs) if planner is not None else None
    request_hash = hashlib.sha256(request.model_dump_json().encode()).hexdigest()
    run_id, replayed = claim_run_id(
        records, tenant_id=tenant_id, key=idempotency_key, request_hash=request_hash
    )
    run = start_run(
        tenant_id=tenant_id,
        request=request,
        correlation_id=correlation_id,
        runs=runs,
        starter=starter,
        publisher=publisher,
        created_by=created_by,
        run_id=run_id,  # a retry after a passing failure starts the same run
        usage=usage,
        allowed_providers=allowed_providers,
        uploads=uploads,
        plan=plan,  # planned once, above
        tenants=tenants,
        archive_hosts=archive_hosts,
    )
    return run, replayed


def claim_run_id(
    records: IdempotencyRepository, *, tenant_id: str, key: str, request_hash: str
) -> tuple[str, bool]:
    """The run id an ``Idempotency-Key`` stands for (claimed now, or by an earlier request with the
    same body: then True); the same key with another body is ``IdempotencyKeyReused``."""
    if not IDEMPOTENCY_KEY_PATTERN.match(key):
        raise InvalidRequest("Idempotency-Key must be 1-128 visible ASCII characters")
    candidate = new_run_id()
    record = records.claim(
        IdempotencyRecord(
            tenant_id=tenant_id,
            key=key,
            run_id=candidate,
            request_hash=request_hash,
            expires_at=int(time.time()) + constants.IDEMPOTENCY_TTL_SECONDS,
        )
    )
    if record.request_hash != request_hash:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {key!r} was used for a different request (run {record.run_id})"
        )
    return record.run_id, record.run_id != candidate


def console_url(execution_arn: str | None) -> str | None:
    """Link to the execution in the Step Functions console."""
    if not execution_arn:
        return None
    region = execution_arn.split(":")[3]
    return f"https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/{execution_arn}"


def _check_simulated_failure(template_name: str, failure: SimulatedFailure) -> None:
    template = get_template(template_name)
    names = [step.name for step in template.agent_steps()]
    if failure.step not in names:
        raise InvalidRequest(
            f"options.simulate_failure.step {failure.step!r} is not an agent step of template "
            f"{template_name!r}; its agent steps: {', '.join(names)}"
        )
    if failure.item is not None and template.placement(failure.step).map is None:
        raise InvalidRequest(
            f"options.simulate_failure.item: step {failure.step!r} is not inside a map, it has no items"
        )


def run_view(
    run: Run,
    results: list[StepResult],
    prices: AwsPrices = DEFAULT_AWS_PRICES,
    memory: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """A run as the API shows it: status, its step graph with each step's (and item's) result,
    timings, tokens and cost, what its AWS requests cost (at ``prices``, the estimated invocations
    at the functions' ``memory`` sizes), and the console link."""
    template = get_template(run.template)
    by_key = {result.key: result for result in results}
    items_of: dict[str, list[StepResult]] = {}
    for result in results:
        if result.item is not None:
            items_of.setdefault(result.step, []).append(result)
    finished = run.finished_at or utc_now()
    duration_ms = int((finished - run.started_at).total_seconds() * 1000) if run.started_at else None
    agent_results = [r for r in results if r.metadata.agent != "approval"]
    return (
        run.model_dump(mode="json", exclude={"aws_usage", "shipped_prompts", "tenant_models"})
        | infrastructure_view(run, results, prices, memory)
        | {
            "steps": [_step_view(step, by_key, items_of) for step in template.steps],
            "duration_ms": duration_ms,
            "execution_console_url": console_url(run.execution_arn),
            "total_cost_usd": round(sum(r.cost_usd for r in agent_results), 6),
            "total_tokens": sum(r.token_usage.total_tokens for r in agent_results),
            "model_calls": run.model_calls,
            "cache_hits": run.cache_hits,
        }
    )


def _result_view(result: StepResult | None) -> dict[str, Any]:
    if result is None:
        return {"status": "NOT_STARTED"}
    view = result.model_dump(mode="json", exclude={"tenant_id", "run_id", "step", "undone_data"})
    return view | {"attempt": result.metadata.attempts}  # the latest attempt (RUNNING: the one running)


def _step_view(
    step: Step, by_key: dict[str, StepResult], items_of: dict[str, list[StepResult]]
) -> dict[str, Any]:
    view: dict[str, Any] = {"step": step.name, "title": step.label, "kind": step.kind}
    if isinstance(step, AgentStep):
        return view | {"agent": step.agent} | _result_view(by_key.get(step.name))
    if isinstance(step, ApprovalStep):
        return (
            view
            | {"roles": step.roles, "timeout_seconds": step.timeout_seconds}
            | _result_view(by_key.get(step.name))
        )
    if isinstance(step, ParallelStep):
        branches = {
            name: [_step_view(inner, by_key, items_of) for inner in inner_steps]
            for name, inner_steps in step.branches.items()
        }
        statuses = [s["status"] for inner in branches.values() for s in inner]
        return view | {"status": _group_status(statuses), "branches": branches}
    if not isinstance(step, MapStep):
        raise InvalidRequest(f"step {step.name!r} is not an agent, approval, parallel or map step")
    indexes = sorted(
        {r.item for inner in step.steps for r in items_of.get(inner.name, []) if r.item is not None}
    )
    items: list[dict[str, Any]] = [
        {
            "item": index,
            "steps": [
                {"step": inner.name, "title": inner.label, "agent": getattr(inner, "agent", None)}
                | _result_view(by_key.get(result_key(inner.name, index)))
                for inner in step.steps
            ],
        }
        for index in indexes
    ]
    statuses = [s["status"] for item in items for s in item["steps"]]
    return view | {
        "over": step.over,
        "max_concurrency": step.max_concurrency,
        "status": _group_status(statuses),
        "item_count": len(items),
        "items": items,
    }


def _group_status(statuses: list[str]) -> str:
    """A parallel's or map's status from its parts'."""
    if not statuses or all(s == "NOT_STARTED" for s in statuses):
        return "NOT_STARTED"
    for status in ("FAILED", "REJECTED"):
        if status in statuses:
            return status
    if all(s == "COMPENSATED" for s in statuses if s != "NOT_STARTED"):
        return "COMPENSATED"
    if all(s == "SUCCEEDED" for s in statuses):
        return "SUCCEEDED"
    return "RUNNING"


def get_run_view(
    tenant_id: str,
    run_id: str,
    runs: RunRepository,
    results: StepResultRepository,
    prices: AwsPrices = DEFAULT_AWS_PRICES,
    memory: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    run = runs.get(tenant_id, run_id)
    return run_view(run, results.list_for_run(tenant_id, run_id), prices, memory)


def list_run_events(
    tenant_id: str, run_id: str, runs: RunRepository, events: EventRepository, limit: int, cursor: str | None
) -> tuple[list[EventEnvelope], str | None]:
    runs.get(tenant_id, run_id)  # another tenant's run is a 404
    return events.list_for_run(tenant_id, run_id, limit, cursor)
