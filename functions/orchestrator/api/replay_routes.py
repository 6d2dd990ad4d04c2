"""``POST /runs/{run_id}/replay``: a new run of a finished one with its answers frozen, only the steps
whose request changed calling the model; and ``GET /runs/{a}/diff/{b}``: what changed from one run
to another, step by step."""

from __future__ import annotations

from dataclasses import asdict
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from orchestrator.api.request_context import current_container
from orchestrator.api.resume_routes import linked_run_arguments
from orchestrator.api.route_table import link, route
from orchestrator.api.runs_routes import accepted_run
from orchestrator.api.schemas import ReplayAccepted, RunDiff
from orchestrator.api.security import current_caller
from orchestrator.core.observability import logger
from orchestrator.runs.replay import ReplayRequest, replay_run
from orchestrator.runs.run_diff import diff_runs

router = Router()


@route(
    router,
    "POST",
    "/runs/<run_id>/replay",
    role="user",
    answer=(HTTPStatus.ACCEPTED, ReplayAccepted),
    statuses=(HTTPStatus.PAYMENT_REQUIRED, HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT),
    action="replay",
    audit_success=True,
    links={
        "DiffWithOriginal": link(
            "GET", "/runs/{a}/diff/{b}", a="$response.body#/replayed_from", b="$response.body#/run_id"
        )
    },
)
def replay(run_id: str, request: ReplayRequest) -> Response[dict[str, Any]]:
    """Replay a finished run (``SUCCEEDED`` too) with other ``prompt_versions`` and/or ``inputs``: a
    new run in which every step whose rendered request is unchanged reuses the recorded answer (no
    model call, no cost) and only the steps whose request changed call the model; admitted like a
    new run (budget on the steps that may call a model, queue)."""
    caller = current_caller()
    replayed = replay_run(run_id=run_id, request=request, **linked_run_arguments(router))
    run, plan, expected = replayed.run, replayed.plan, replayed.forecast
    logger.info(
        "run replayed", extra={"run_id": run.run_id, "replayed_from": run_id, "replayed": replayed.replayed}
    )
    return accepted_run(
        run,
        caller.tenant_id,
        body={
            "replayed_from": run_id,
            "reused_steps": expected.reused_steps,
            "model_steps": expected.model_steps,
            "dependent_steps": expected.dependent_steps,
            "estimated_cost_usd": plan.estimated_cost_usd if plan is not None else None,
            "estimate": [asdict(step) for step in plan.steps] if plan is not None else [],
        },
        headers={"idempotent-replayed": "true"} if replayed.replayed else {},
    )


@route(
    router,
    "GET",
    "/runs/<a>/diff/<b>",
    role="viewer",
    answer=(HTTPStatus.OK, RunDiff),
    statuses=(HTTPStatus.NOT_FOUND,),
)
def diff(a: str, b: str) -> dict[str, Any]:
    """Runs ``a`` and ``b`` of the caller's tenant compared per step: prompt version, input, prompt,
    output fields, status, confidence, tokens and cost; unchanged steps are marked so."""
    container = current_container()
    return diff_runs(
        current_caller().tenant_id,
        a,
        b,
        runs=container.runs,
        results=container.step_results,
        workspace=container.workspace,
    )
