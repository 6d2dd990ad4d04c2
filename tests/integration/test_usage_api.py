"""``GET /usage`` and ``GET|PUT /settings/budget`` through the API function (gate, roles, declared
query parameters, validation) on the Usage table (moto)."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.core import constants
from orchestrator.core.errors import BudgetExceeded
from orchestrator.core.records import TokenUsage, utc_now
from orchestrator.tenancy.budgets import month_of
from tests.integration.api_calls import ApiClient

MICRO = constants.MICRO_USD
BUDGET = "/settings/budget"


def test_any_reader_sees_the_current_months_usage_of_their_tenant(api_client: ApiClient) -> None:
    # Given acme spent 1.25 USD this month in two calls, under a 10 USD budget
    ledger, month = api_client.api.container.usage_ledger, month_of(utc_now())
    ledger.set_budget("acme", 10.0, by="alice")
    ledger.reserve("acme", month, 2 * MICRO)
    usage = TokenUsage(input_tokens=1000, output_tokens=200, cached_input_tokens=300, cache_write_tokens=50)
    ledger.reconcile("acme", month, 2 * MICRO, 1_250_000, usage, 2, False)
    # and two runs ended whose AWS requests cost 300 and 120 micro-dollars
    ledger.add_infrastructure("acme", month, 300)
    ledger.add_infrastructure("acme", month, 120)
    # When a viewer of acme asks for the usage
    status, body, _ = api_client.call_as("viewer", "GET", "/usage")
    # Then they see this month's tokens, cost and budget, and the AWS cost beside the model cost
    assert status == 200
    assert body == {
        "month": month,
        "input_tokens": 1000,
        "output_tokens": 200,
        "cached_input_tokens": 300,
        "cache_write_tokens": 50,
        "total_tokens": 1550,
        "cost_usd": 1.25,
        "model_calls": 2,
        "cache_hits": 0,
        "steps": 1,
        "budget_usd": 10.0,
        "reserved_usd": 0.0,
        "remaining_usd": 8.75,
        "threshold_notified": False,
        "infrastructure_cost_usd": 0.00042,
        "infrastructure_runs": 2,
    }
    # and another tenant's user sees none of it
    status, other, _ = api_client.call_as("user", "GET", "/usage", tenant="globex")
    assert (status, other["cost_usd"], other["budget_usd"]) == (200, 0.0, None)


def test_a_past_month_is_chosen_with_the_month_parameter(api_client: ApiClient) -> None:
    api_client.api.container.usage_ledger.reconcile(
        "acme", "2025-03", 0, 500_000, TokenUsage(output_tokens=10), 1, False
    )
    status, body, _ = api_client.call_as("user", "GET", "/usage?month=2025-03")
    assert (status, body["month"], body["cost_usd"], body["output_tokens"]) == (200, "2025-03", 0.5, 10)
    status, body, _ = api_client.call_as("user", "GET", "/usage?month=2025-04")
    assert (status, body["cost_usd"], body["steps"]) == (200, 0.0, 0)


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "march", "2026-12-01", ""])
def test_a_bad_month_is_a_422_naming_the_parameter(api_client: ApiClient, month: str) -> None:
    status, body, _ = api_client.call_as("viewer", "GET", f"/usage?month={month}")
    assert status == 422
    assert [d["location"] for d in body["details"]] == ["query.month"]


def test_an_undeclared_query_parameter_is_refused(api_client: ApiClient) -> None:
    status, body, _ = api_client.call_as("admin", "GET", "/usage?tenant=globex")
    assert status == 422 and [d["location"] for d in body["details"]] == ["query.tenant"]


def test_an_admin_sets_and_reads_the_budget_and_the_usage_follows(api_client: ApiClient) -> None:
    # Given no budget yet
    assert api_client.call_as("admin", "GET", BUDGET)[:2] == (
        200,
        {"monthly_usd": None, "updated_by": None, "updated_at": None},
    )
    # When an admin sets 50 USD
    status, body, _ = api_client.call_as("admin", "PUT", BUDGET, {"monthly_usd": 50})
    # Then it is answered, stored with who set it, and this month's usage counts against it
    assert status == 200
    assert (body["monthly_usd"], body["updated_by"]) == (50.0, "alice") and body["updated_at"]
    assert api_client.call_as("admin", "GET", BUDGET)[:2] == (200, body)
    _, usage, _ = api_client.call_as("admin", "GET", "/usage")
    assert (usage["budget_usd"], usage["remaining_usd"]) == (50.0, 50.0)
    # and the ledger refuses a reservation it cannot afford
    with pytest.raises(BudgetExceeded, match=r"of the monthly budget \$50\.00"):
        api_client.api.container.usage_ledger.reserve("acme", month_of(utc_now()), 51 * MICRO)
    # When the admin removes the limit
    status, body, _ = api_client.call_as("admin", "PUT", BUDGET, {"monthly_usd": None})
    # Then the budget is unlimited again
    assert (status, body["monthly_usd"]) == (200, None)
    _, usage, _ = api_client.call_as("admin", "GET", "/usage")
    assert (usage["budget_usd"], usage["remaining_usd"]) == (None, None)
    api_client.api.container.usage_ledger.reserve("acme", month_of(utc_now()), 51 * MICRO)


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"monthly_usd": -1}, "body.monthly_usd"),
        ({"monthly_usd": 10_000_001}, "body.monthly_usd"),
        ({"monthly_usd": "50"}, "body.monthly_usd"),
        ({"monthly_usd": True}, "body.monthly_usd"),
        ({}, "body.monthly_usd"),
        ({"monthly_usd": 5, "tenant_id": "globex"}, "body.tenant_id"),
    ],
)
def test_a_bad_budget_is_a_422_naming_the_field_and_changes_nothing(
    api_client: ApiClient, body: Any, location: str
) -> None:
    status, answer, _ = api_client.call_as("admin", "PUT", BUDGET, body)
    assert status == 422, answer
    assert location in [d["location"] for d in answer["details"]]
    assert api_client.api.container.usage_ledger.get_budget("acme").monthly_usd is None
    assert api_client.api.container.usage_ledger.get_budget("globex").monthly_usd is None


@pytest.mark.parametrize(("role", "expected"), [("user", 403), ("viewer", 403), (None, 401)])
def test_only_admins_may_see_or_set_the_budget(
    api_client: ApiClient, role: str | None, expected: int
) -> None:
    # Given a tenant with a 20 USD budget, and a caller who is not an admin (or has no token)
    api_client.api.container.usage_ledger.set_budget("acme", 20.0, by="alice")
    # When they read or change it
    read, _, _ = api_client.call_as(role, "GET", BUDGET)
    write, _, _ = api_client.call_as(role, "PUT", BUDGET, {"monthly_usd": 1000})
    # Then they are refused and the budget stands
    assert (read, write) == (expected, expected)
    assert api_client.api.container.usage_ledger.get_budget("acme").monthly_usd == 20.0


def test_usage_needs_a_token(api_client: ApiClient) -> None:
    assert api_client.call_as(None, "GET", "/usage")[0] == 401


def test_the_openapi_document_carries_the_usage_and_budget_schemas(api_client: ApiClient) -> None:
    spec = api_client.openapi()
    assert set(spec["paths"]["/usage"]["get"]["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "422",
        "429",
        "503",
    }
    assert set(spec["paths"][BUDGET]) == {"get", "put"}
    schemas = spec["components"]["schemas"]
    assert {"MonthUsage", "Budget", "BudgetRequest"} <= set(schemas)
    assert schemas["BudgetRequest"]["required"] == ["monthly_usd"]
