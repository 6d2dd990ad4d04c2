"""``POST /runs/bulk/cancel`` and ``POST /runs/bulk/resume``: after an incident, admins cancel or
resume every run of the tenant that matches a filter, with a dry run that lists them first."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router

from orchestrator.api.request_context import current_container
from orchestrator.api.route_table import route
from orchestrator.api.schemas import BulkAnswer
from orchestrator.api.security import current_caller, current_correlation_id
from orchestrator.core.observability import logger
from orchestrator.runs.bulk import (
    BulkCaller,
    BulkCancelRequest,
    BulkResumeRequest,
    ResumeServices,
    bulk_cancel,
    bulk_resume,
)

router = Router()


def _caller() -> BulkCaller:
    caller = current_caller()
    return BulkCaller(caller.tenant_id, caller.subject, caller.role, current_correlation_id())


def _logged(answer: dict[str, Any]) -> dict[str, Any]:
    logger.info(
        "bulk operation",
        extra={key: answer[key] for key in ("bulk_id", "action", "dry_run", "matched", "counts")},
    )
    return answer


@route(
    router,
    "POST",
    "/runs/bulk/cancel",
    role="admin",
    answer=(HTTPStatus.OK, BulkAnswer),
    action="bulk_cancel",  # its successes are audited with their runs (``runs.bulk``)
)
def cancel_runs(request: BulkCancelRequest) -> dict[str, Any]:
    """Cancel every run of the tenant that matches ``filter`` and is still going (at most ``limit``
    per request, oldest first; ``next_cursor`` goes on); ``dry_run`` lists them and cancels none."""
    container = current_container()
    return _logged(
        bulk_cancel(
            _caller(),
            request,
            runs=container.runs,
            results=container.step_results,
            tokens=container.task_tokens,
            publisher=container.publisher,
            tenants=container.tenants,
        )
    )


@route(
    router,
    "POST",
    "/runs/bulk/resume",
    role="admin",
    answer=(HTTPStatus.OK, BulkAnswer),
    action="bulk_resume",  # its successes are audited with their runs (``runs.bulk``)
)
def resume_runs(request: BulkResumeRequest) -> dict[str, Any]:
    """Resume every run of the tenant that matches ``filter`` and ended without succeeding, as
    ``POST /runs/{run_id}/resume`` does with the same fields (each admitted like a new run: budget,
    concurrent runs, queue; a plan limit reached stops the request, ``next_cursor`` goes on later);
    ``dry_run`` checks each and starts none."""
    container = current_container()
    services = ResumeServices(
        starter=container.starter,
        allowed_providers=container.settings.available_providers,
        uploads=container.workspace,
        planner=container.planner,
        prompts=container.prompts_if_configured,
        tenants=container.tenants,
    )
    return _logged(
        bulk_resume(
            _caller(),
            request,
            runs=container.runs,
            results=container.step_results,
            publisher=container.publisher,
            services=services,
        )
    )
