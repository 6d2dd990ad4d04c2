"""``POST /runs/{run_id}/resume``: a new run that takes over where an ended run stopped; and
``GET /runs/{run_id}/lineage``: where each of a run's results came from."""

from __future__ import annotations

from dataclasses import asdict
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from orchestrator.api.request_context import current_container
from orchestrator.api.route_table import route
from orchestrator.api.runs_routes import accepted_run
from orchestrator.api.schemas import ResumeAccepted, RunLineage
from orchestrator.api.security import current_caller, current_correlation_id
from orchestrator.core import constants
from orchestrator.core.observability import logger
from orchestrator.runs.lineage import get_lineage
from orchestrator.runs.resume import ResumeRequest, resume_run

router = Router()


def linked_run_arguments(on: Router) -> dict[str, Any]:
    """What starting a run from an ended one (resume, replay) takes from the request (its caller,
    correlation id and ``Idempotency-Key``) and from the container."""
    caller = current_caller()
    container = current_container()
    key = on.current_event.headers.get(constants.IDEMPOTENCY_HEADER)
    return {
        "tenant_id": caller.tenant_id,
        "correlation_id": current_correlation_id(),
        "runs": container.runs,
        "results": container.step_results,
        "starter": container.starter,
        "publisher": container.publisher,
        "created_by": caller.subject,
        "allowed_providers": container.settings.available_providers,
        "uploads": container.workspace,
        "planner": container.planner,
        "prompts": container.prompts_if_configured,
        "tenants": container.tenants,
        "idempotency": (key, container.idempotency) if key is not None else None,
    }


@route(
    router,
    "POST",
    "/runs/<run_id>/resume",
    role="user",
    answer=(HTTPStatus.ACCEPTED, ResumeAccepted),
    statuses=(HTTPStatus.PAYMENT_REQUIRED, HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT),
    action="resume",
    audit_success=True,
)
def resume(run_id: str, request: ResumeRequest) -> Response[dict[str, Any]]:
    """Resume a run that ended ``COMPENSATED``, ``REJECTED``, ``CANCELLED`` or ``COMPENSATION_FAILED``:
    a new run reuses the stored results of every step before ``from_step`` (no model call, no cost)
    and runs ``from_step`` and everything after it; admitted like a new run (budget, queue)."""
    caller = current_caller()
    resumed = resume_run(run_id=run_id, request=request, **linked_run_arguments(router))
    run, plan = resumed.run, resumed.plan
    logger.info(
        "run resumed", extra={"run_id": run.run_id, "resumed_from": run_id, "replayed": resumed.replayed}
    )
    estimate = plan.steps if plan is not None else []
    return accepted_run(
        run,
        caller.tenant_id,
        body={
            "resumed_from": run_id,
            "from_step": run.from_step,
            "reused_steps": run.reused_steps,
            "estimated_cost_usd": plan.estimated_cost_usd if plan is not None else None,
            "estimate": [asdict(step) for step in estimate],
        },
        headers={"idempotent-replayed": "true"} if resumed.replayed else {},
    )


@route(
    router,
    "GET",
    "/runs/<run_id>/lineage",
    role="viewer",
    answer=(HTTPStatus.OK, RunLineage),
    statuses=(HTTPStatus.NOT_FOUND,),
)
def lineage(run_id: str) -> dict[str, Any]:
    """For every step result: prompt version, provider, model (and fallback), cache or reuse source,
    tokens and cost, the commands it ran with their object versions and the events it published;
    for a resumed run, the chain of runs it came from and each reused result's origin."""
    container = current_container()
    return get_lineage(
        current_caller().tenant_id,
        run_id,
        runs=container.runs,
        results=container.step_results,
        commands=container.command_log,
        events=container.events,
    )
