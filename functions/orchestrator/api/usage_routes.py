"""``/usage`` and ``/settings/budget``: what the tenant's model calls cost this month (tokens, calls,
cache hits, spend against the budget), and the hard monthly budget admins set."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import Field

from orchestrator.api.request_context import current_container
from orchestrator.api.route_table import admin_route, route
from orchestrator.api.schemas import json_answer
from orchestrator.api.security import current_caller
from orchestrator.core.records import RequestModel, utc_now
from orchestrator.tenancy.budgets import MAX_BUDGET_USD, Budget, MonthUsage, month_of, validate_month

router = Router()

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


class BudgetRequest(RequestModel):
    monthly_usd: float | None = Field(
        ge=0,
        le=MAX_BUDGET_USD,
        description="the monthly budget in USD (0 stops every model call); null: unlimited",
    )


@route(
    router,
    "GET",
    "/usage",
    role="viewer",
    answer=(HTTPStatus.OK, MonthUsage),
    statuses=(HTTPStatus.BAD_REQUEST, HTTPStatus.UNPROCESSABLE_ENTITY),
)
def get_usage(
    month: Annotated[
        str | None, Query(pattern=MONTH_PATTERN, description="YYYY-MM (UTC); absent: the current month")
    ] = None,
) -> Response[dict[str, Any]]:
    """The tenant's tokens, model calls, cache hits and cost in a month, with its budget, what steps
    running now hold of it and what is left."""
    chosen = validate_month(month) if month is not None else month_of(utc_now())
    usage = current_container().usage_ledger.month(current_caller().tenant_id, chosen)
    return json_answer(usage.model_dump(mode="json"))


@admin_route(router, "GET", "/settings/budget", answer=(HTTPStatus.OK, Budget))
def get_budget() -> Response[dict[str, Any]]:
    """The tenant's monthly budget (null: unlimited). Admins only."""
    return json_answer(
        current_container().usage_ledger.get_budget(current_caller().tenant_id).model_dump(mode="json")
    )


@admin_route(router, "PUT", "/settings/budget", answer=(HTTPStatus.OK, Budget), action="set_budget")
def put_budget(request: BudgetRequest) -> Response[dict[str, Any]]:
    """Set the tenant's hard monthly budget in USD (null: unlimited). It holds from the next model
    call: this month's spend and reservations count against the new amount. A run whose estimate
    does not fit is refused before it starts, a step whose call does not fit fails (402 /
    BudgetExceeded). Admins only."""
    caller = current_caller()
    budget = current_container().usage_ledger.set_budget(
        caller.tenant_id, request.monthly_usd, by=caller.subject
    )
    return json_answer(budget.model_dump(mode="json"))
