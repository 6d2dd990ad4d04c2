"""``/runs``: start, list, show, decide at a gate, cancel, and the audit trail of a run."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from orchestrator.api.request_context import current_container
from orchestrator.api.route_table import CURSOR, NEXT_CURSOR, link, route
from orchestrator.api.schemas import (
    ApprovalAnswer,
    CancelAnswer,
    EventList,
    RunAccepted,
    RunList,
    RunTimeline,
    RunView,
)
from orchestrator.api.security import current_caller, current_correlation_id
from orchestrator.core import constants
from orchestrator.core.observability import logger
from orchestrator.core.records import Run, RunRequest, RunStatus
from orchestrator.runs import control as run_control
from orchestrator.runs.control import ApprovalDecision
from orchestrator.runs.queue import queue_positions
from orchestrator.runs.start import get_run_view, list_run_events, start_run, start_run_once
from orchestrator.runs.timeline import get_run_timeline

router = Router()

RUN_ID = "$response.body#/run_id"
SAME_RUN = "$request.path.run_id"
RUN_LINKS = {
    "GetRun": link("GET", "/runs/{run_id}", run_id=RUN_ID),
    "GetRunEvents": link("GET", "/runs/{run_id}/events", run_id=RUN_ID),
    "GetRunTimeline": link("GET", "/runs/{run_id}/timeline", run_id=RUN_ID),
    "DecideApproval": link("POST", "/runs/{run_id}/approval", run_id=RUN_ID),
    "CancelRun": link("POST", "/runs/{run_id}/cancel", run_id=RUN_ID),
}
"""What a client does with a run it started (schemathesis' stateful phase follows these)."""


@route(
    router,
    "POST",
    "/runs",
    role="user",
    answer=(HTTPStatus.ACCEPTED, RunAccepted),
    statuses=(HTTPStatus.BAD_REQUEST, HTTPStatus.PAYMENT_REQUIRED, HTTPStatus.NOT_FOUND),
    action="start_run",
    audit_success=True,
    links=RUN_LINKS,
)
def create_run(request: RunRequest) -> Response[dict[str, Any]]:
    caller = current_caller()
    container = current_container()
    common: dict[str, Any] = {
        "tenant_id": caller.tenant_id,
        "request": request,
        "correlation_id": current_correlation_id(),
        "runs": container.runs,
        "starter": container.starter,
        "publisher": container.publisher,
        "created_by": caller.subject,
        "allowed_providers": container.settings.available_providers,
        "uploads": container.workspace,
        "archive_hosts": container.settings.fetch_allowed_hosts,
        "planner": container.planner,
        "tenants": container.tenants,
        "usage": container.aws_usage_so_far,
    }
    key = router.current_event.headers.get(constants.IDEMPOTENCY_HEADER)
    replayed = False
    if key is None:
        run = start_run(**common)
    else:
        run, replayed = start_run_once(idempotency_key=key, records=container.idempotency, **common)
    logger.info(
        "run accepted", extra={"run_id": run.run_id, "tenant_id": caller.tenant_id, "replayed": replayed}
    )
    return accepted_run(run, caller.tenant_id, headers={"idempotent-replayed": "true"} if replayed else {})


def accepted_run(
    run: Run, tenant_id: str, *, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Response[dict[str, Any]]:
    """``202``: the run accepted (``PENDING``, or ``QUEUED`` with its place), where to follow it."""
    answer: dict[str, Any] = {
        "run_id": run.run_id,
        "status": run.status.value,
        "template": run.template,
        "correlation_id": run.correlation_id,
        "links": {"self": f"/runs/{run.run_id}", "events": f"/runs/{run.run_id}/events"},
    } | (body or {})
    if run.status is RunStatus.QUEUED:  # past the concurrent-run limit: it waits for a slot
        answer["queue_position"] = current_container().tenants.queue_position(tenant_id, run.run_id)
    location = {constants.CORRELATION_HEADER: run.correlation_id, "Location": f"/runs/{run.run_id}"}
    return Response(
        status_code=HTTPStatus.ACCEPTED,
        content_type="application/json",
        body=answer,
        headers=location | (headers or {}),
    )


@route(
    router,
    "GET",
    "/runs",
    role="viewer",
    answer=(HTTPStatus.OK, RunList),
    statuses=(HTTPStatus.BAD_REQUEST, HTTPStatus.UNPROCESSABLE_ENTITY),
    links={"NextPage": link("GET", "/runs", cursor=NEXT_CURSOR)},
)
def list_runs(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048, description=CURSOR)] = None,
    status: Annotated[RunStatus | None, Query(description="only runs in this status")] = None,
) -> dict[str, Any]:
    """The tenant's runs, newest first. With ``status``, a page may hold fewer than ``limit``
    runs: follow ``next_cursor`` until it is null."""
    tenant_id = current_caller().tenant_id
    runs, next_cursor = current_container().runs.list(tenant_id, limit, cursor, status)
    queued = any(run.status is RunStatus.QUEUED for run in runs)
    places = queue_positions(current_container().tenants, tenant_id) if queued else {}
    fields = {"run_id", "template", "topic", "status", "created_at", "finished_at"}
    return {
        "runs": [
            run.model_dump(mode="json", include=fields)
            | ({"queue_position": places.get(run.run_id)} if run.status is RunStatus.QUEUED else {})
            for run in runs
        ],
        "next_cursor": next_cursor,
    }


@route(
    router,
    "GET",
    "/runs/<run_id>",
    role="viewer",
    answer=(HTTPStatus.OK, RunView),
    statuses=(HTTPStatus.NOT_FOUND,),
)
def get_run(run_id: str) -> dict[str, Any]:
    tenant_id = current_caller().tenant_id
    container = current_container()
    view = get_run_view(
        tenant_id,
        run_id,
        container.runs,
        container.step_results,
        container.prices.aws,
        container.function_memory,
    )
    if view["status"] == RunStatus.QUEUED:  # where it waits for a slot (1: next to start)
        view["queue_position"] = current_container().tenants.queue_position(tenant_id, run_id)
    return view


@route(
    router,
    "POST",
    "/runs/<run_id>/approval",
    role="user",
    answer=(HTTPStatus.OK, ApprovalAnswer),
    statuses=(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT),
    action="approval",
)
def decide_approval(run_id: str, decision: ApprovalDecision) -> dict[str, Any]:
    """Approve or reject the gate a run waits at (roles the gate allows; viewers never)."""
    caller = current_caller()
    run = run_control.decide(
        caller.tenant_id,
        run_id,
        decision,
        caller_subject=caller.subject,
        caller_role=caller.role,
        runs=current_container().runs,
        results=current_container().step_results,
        tokens=current_container().task_tokens,
        publisher=current_container().publisher,
    )
    return {"run_id": run.run_id, "status": run.status.value, "decision": decision.decision}


@route(
    router,
    "POST",
    "/runs/<run_id>/cancel",
    role="user",
    answer=(HTTPStatus.ACCEPTED, CancelAnswer),
    statuses=(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT),
    action="cancel",
)
def cancel_run(run_id: str) -> Response[dict[str, Any]]:
    """Stop a run: its next step (or its open gate, at once) ends it; what it did is undone. A
    queued run leaves its queue and is ``CANCELLED`` at once, never started."""
    caller = current_caller()
    run = run_control.cancel(
        caller.tenant_id,
        run_id,
        caller_subject=caller.subject,
        runs=current_container().runs,
        results=current_container().step_results,
        tokens=current_container().task_tokens,
        publisher=current_container().publisher,
        tenants=current_container().tenants,
    )
    return Response(
        status_code=HTTPStatus.ACCEPTED,
        content_type="application/json",
        body={"run_id": run.run_id, "status": run.status.value, "cancel_requested": True},
    )


@route(
    router,
    "GET",
    "/runs/<run_id>/events",
    role="viewer",
    answer=(HTTPStatus.OK, EventList),
    statuses=(HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY),
    links={"NextPage": link("GET", "/runs/{run_id}/events", run_id=SAME_RUN, cursor=NEXT_CURSOR)},
)
def get_run_events(
    run_id: str,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    cursor: Annotated[str | None, Query(max_length=2048, description=CURSOR)] = None,
) -> dict[str, Any]:
    events, next_cursor = list_run_events(
        current_caller().tenant_id,
        run_id,
        current_container().runs,
        current_container().events,
        limit,
        cursor,
    )
    return {"events": [event.model_dump(mode="json") for event in events], "next_cursor": next_cursor}


@route(
    router,
    "GET",
    "/runs/<run_id>/timeline",
    role="viewer",
    answer=(HTTPStatus.OK, RunTimeline),
    statuses=(HTTPStatus.NOT_FOUND,),
)
def get_timeline(run_id: str) -> dict[str, Any]:
    """The run's execution history (states entered and exited, map items, retries, the catch and
    compensation), its step results and its events, in one list ordered by time."""
    container = current_container()
    return get_run_timeline(
        current_caller().tenant_id,
        run_id,
        runs=container.runs,
        results=container.step_results,
        events=container.events,
        history=container.execution_history,
    )
