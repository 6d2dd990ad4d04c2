"""The usage ledger on the Usage table (moto), and the in-memory fake held to the same contract.

The key test: many steps reserving at once against one budget never spend more than it holds."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from orchestrator.constants import MICRO_USD, PK, SK
from orchestrator.errors import BudgetExceeded, InvalidRequest
from orchestrator.models import TokenUsage
from orchestrator.repositories.usage_ledger import (
    DynamoUsageLedger,
    MonthUsage,
    ThresholdCrossed,
    UsageLedger,
)
from tests.integration.conftest import MotoAws
from tests.unit.fake_usage_ledger import InMemoryUsageLedger

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
MONTH = "2026-12"
USAGE = TokenUsage(input_tokens=1000, output_tokens=200, cached_input_tokens=300, cache_write_tokens=50)


def usd(amount: float) -> int:
    return round(amount * MICRO_USD)


def raw_item(aws: MotoAws, tenant: str, sort_key: str) -> dict[str, Any] | None:
    table = boto3.resource("dynamodb").Table(aws.tables["Usage"])
    item: dict[str, Any] | None = table.get_item(Key={PK: tenant, SK: sort_key}).get("Item")
    return item


@pytest.fixture(params=["dynamodb", "in-memory"])
def ledger(request: pytest.FixtureRequest, aws: MotoAws) -> UsageLedger:
    if request.param == "dynamodb":
        return DynamoUsageLedger(aws.tables["Usage"], clock=lambda: NOW)
    return InMemoryUsageLedger(clock=lambda: NOW)


@pytest.fixture
def dynamo_ledger(aws: MotoAws, monkeypatch: pytest.MonkeyPatch) -> Callable[[], DynamoUsageLedger]:
    """A fresh ledger with its own boto3 resource each call: one per concurrent step, like separate Lambdas.

    DynamoDB applies each single-item request atomically (a condition is checked and the write made
    as one step); that is the only guarantee the ledger relies on. moto checks a condition and then
    writes with no lock, so concurrent threads could both pass ``available >= :a`` (seen: 7 of 6
    affordable steps ran). One lock around each moto DynamoDB request restores the atomicity."""
    from moto.dynamodb.responses import DynamoHandler

    one_request_at_a_time = threading.Lock()
    call_action = DynamoHandler.call_action

    def atomic(self: DynamoHandler) -> Any:
        with one_request_at_a_time:
            return call_action(self)

    monkeypatch.setattr(DynamoHandler, "call_action", atomic)
    session = boto3.session.Session()  # resources are made on the test's thread: sessions are not thread-safe
    return lambda: DynamoUsageLedger(aws.tables["Usage"], session.resource("dynamodb"), clock=lambda: NOW)


# --- the contract, on both ---------------------------------------------------------------------
def test_within_budget_a_reservation_holds_part_of_it(ledger: UsageLedger) -> None:
    # Given a budget of 10 USD
    ledger.set_budget("acme", 10.0, by="admin-1")
    # When a step reserves 3 USD
    ledger.reserve("acme", MONTH, usd(3))
    # Then 7 USD remain
    assert ledger.available_micro("acme", MONTH) == usd(7)
    view = ledger.month("acme", MONTH)
    assert (view.budget_usd, view.reserved_usd, view.remaining_usd) == (10, 3, 7)


def test_over_budget_a_reservation_is_refused_and_changes_nothing(ledger: UsageLedger) -> None:
    # Given 10 USD of which 8 are reserved
    ledger.set_budget("acme", 10.0, by="admin-1")
    ledger.reserve("acme", MONTH, usd(8))
    before = ledger.month("acme", MONTH)
    # When a step needs 2.5 USD
    with pytest.raises(BudgetExceeded) as refused:
        ledger.reserve("acme", MONTH, usd(2.5))
    # Then it is told what it needed and what is left; nothing moved
    assert str(refused.value) == (
        "the tenant's monthly budget cannot afford this: needed $2.500000, remaining $2.000000 "
        "of the monthly budget $10.00 for month 2026-12"
    )
    assert ledger.month("acme", MONTH) == before


def test_reconcile_turns_the_reservation_into_the_actual_cost(ledger: UsageLedger) -> None:
    ledger.set_budget("acme", 10.0, by="admin-1")
    ledger.reserve("acme", MONTH, usd(3))
    # When the step cost 1.2 USD in 2 calls, and another step was a cache hit
    assert ledger.reconcile("acme", MONTH, usd(3), usd(1.2), USAGE, 2, False) is None
    ledger.reconcile("acme", MONTH, 0, 0, TokenUsage(), 0, True)
    # Then the month shows it all
    assert ledger.month("acme", MONTH) == MonthUsage(
        month=MONTH,
        input_tokens=1000,
        output_tokens=200,
        cached_input_tokens=300,
        cache_write_tokens=50,
        total_tokens=1550,
        cost_usd=1.2,
        model_calls=2,
        cache_hits=1,
        steps=2,
        budget_usd=10,
        reserved_usd=0,
        remaining_usd=8.8,
        threshold_notified=False,
    )


def test_release_restores_the_reservation(ledger: UsageLedger) -> None:
    ledger.set_budget("acme", 2.0, by="admin-1")
    ledger.reserve("acme", MONTH, usd(2))
    ledger.release("acme", MONTH, usd(2))
    assert ledger.available_micro("acme", MONTH) == usd(2)
    assert ledger.month("acme", MONTH).reserved_usd == 0
    ledger.release("acme", "2027-03", usd(1))  # a month without counters: nothing to give back
    assert ledger.month("acme", "2027-03").reserved_usd == 0


def test_an_overspend_is_kept_and_blocks_further_reservations(ledger: UsageLedger) -> None:
    ledger.set_budget("acme", 1.0, by="admin-1")
    ledger.reserve("acme", MONTH, usd(1))
    ledger.reconcile("acme", MONTH, usd(1), usd(1.1), USAGE, 1, False)
    assert ledger.available_micro("acme", MONTH) == -usd(0.1)
    assert ledger.month("acme", MONTH).remaining_usd == 0
    with pytest.raises(BudgetExceeded, match=r"remaining \$0\.000000"):
        ledger.reserve("acme", MONTH, 1)


def test_without_a_budget_reservations_are_tracked_only(ledger: UsageLedger) -> None:
    ledger.reserve("acme", MONTH, usd(5000))
    assert ledger.available_micro("acme", MONTH) is None
    assert ledger.month("acme", MONTH).reserved_usd == 5000
    assert ledger.reconcile("acme", MONTH, usd(5000), usd(10), USAGE, 1, False) is None
    assert ledger.month("acme", MONTH).cost_usd == 10


def test_the_threshold_is_reported_once(ledger: UsageLedger) -> None:
    ledger.set_budget("acme", 10.0, by="admin-1")
    assert ledger.reconcile("acme", MONTH, 0, usd(7), USAGE, 1, False) is None
    crossed = ledger.reconcile("acme", MONTH, 0, usd(1.5), USAGE, 1, False)
    assert crossed == ThresholdCrossed(month=MONTH, budget_usd=10, spent_usd=8.5, fraction=0.85)
    assert ledger.reconcile("acme", MONTH, 0, usd(1), USAGE, 1, False) is None
    assert ledger.month("acme", MONTH).threshold_notified is True


def test_changing_the_budget_mid_month_moves_what_is_available(ledger: UsageLedger) -> None:
    # Given 10 USD with 3 spent and 2 reserved (5 available)
    ledger.set_budget("acme", 10.0, by="admin-1")
    ledger.reserve("acme", MONTH, usd(3))
    ledger.reconcile("acme", MONTH, usd(3), usd(3), USAGE, 1, False)
    ledger.reserve("acme", MONTH, usd(2))
    assert ledger.available_micro("acme", MONTH) == usd(5)
    # When it is lowered to 6, raised to 20 and removed
    budget = ledger.set_budget("acme", 6.0, by="admin-2")
    assert (budget.monthly_usd, budget.updated_by, budget.updated_at) == (6, "admin-2", NOW)
    assert ledger.get_budget("acme") == budget
    assert ledger.available_micro("acme", MONTH) == usd(1)
    with pytest.raises(BudgetExceeded, match=r"of the monthly budget \$6\.00"):
        ledger.reserve("acme", MONTH, usd(1.5))
    ledger.set_budget("acme", 20.0, by="admin-2")
    assert ledger.month("acme", MONTH).remaining_usd == 15
    ledger.set_budget("acme", None, by="admin-2")
    # Then what is left followed every change
    assert ledger.available_micro("acme", MONTH) is None
    ledger.reserve("acme", MONTH, usd(1000))


def test_a_month_with_nothing_shows_zeros(ledger: UsageLedger) -> None:
    ledger.set_budget("acme", 25.0, by="admin-1")
    assert ledger.month("acme", "2027-01") == MonthUsage(month="2027-01", budget_usd=25, remaining_usd=25)
    assert ledger.month("globex", MONTH) == MonthUsage(month=MONTH)
    assert ledger.get_budget("globex").monthly_usd is None


def test_bad_months_and_budgets_are_refused(ledger: UsageLedger) -> None:
    with pytest.raises(InvalidRequest, match="use YYYY-MM"):
        ledger.month("acme", "2026-13")
    with pytest.raises(InvalidRequest, match="use YYYY-MM"):
        ledger.reserve("acme", "12-2026", 1)
    with pytest.raises(InvalidRequest, match="monthly_usd"):
        ledger.set_budget("acme", -5.0, by="admin-1")
    with pytest.raises(ValueError, match="tenant id"):
        ledger.reserve("ACME#x", MONTH, 1)


# --- DynamoDB specifics ------------------------------------------------------------------------
def test_money_is_stored_as_integer_micro_dollars(aws: MotoAws, dynamo_ledger: Any) -> None:
    ledger = dynamo_ledger()
    ledger.set_budget("acme", 0.3, by="admin-1")
    for _ in range(3):
        ledger.reserve("acme", MONTH, usd(0.1))
        ledger.reconcile("acme", MONTH, usd(0.1), usd(0.1), USAGE, 1, False)
    item = raw_item(aws, "acme", "month#2026-12")
    assert item is not None
    assert (item["spent"], item["reserved"], item["available"], item["budget_micro"]) == (
        300_000,
        0,
        0,
        300_000,
    )
    assert raw_item(aws, "acme", "budget") == {
        PK: "acme",
        SK: "budget",
        "budget_micro": 300_000,
        "version": 1,
        "updated_by": "admin-1",
        "updated_at": NOW.isoformat(),
    }
    with pytest.raises(BudgetExceeded):  # 0.1 + 0.1 + 0.1 is exactly the budget: not a cent of drift
        ledger.reserve("acme", MONTH, 1)


def test_a_budget_change_moves_only_the_current_month(aws: MotoAws, dynamo_ledger: Any) -> None:
    # Given December counters under a 10 USD budget, and a function whose clock says January
    other = DynamoUsageLedger(aws.tables["Usage"], clock=lambda: datetime(2027, 1, 1, tzinfo=UTC))
    ledger = dynamo_ledger()
    ledger.set_budget("acme", 10.0, by="admin-1")
    ledger.reserve("acme", MONTH, usd(1))
    other.set_budget("acme", 4.0, by="admin-2")  # its current month is January: December is not touched
    assert ledger.available_micro("acme", MONTH) == usd(9)
    # When the December clock sets the budget again
    ledger.set_budget("acme", 5.0, by="admin-1")
    # Then December follows the newest budget (from 10 by -5), January kept the one it started with
    assert ledger.available_micro("acme", MONTH) == usd(4)
    assert ledger.available_micro("acme", "2027-01") == usd(4)


def test_twenty_concurrent_steps_never_spend_more_than_the_budget(dynamo_ledger: Any) -> None:
    # Given a 1 USD budget, and 20 steps estimated at 0.15 USD each: 6 of them fit
    dynamo_ledger().set_budget("acme", 1.0, by="admin-1")
    estimate, actual = usd(0.15), usd(0.12)
    start, reserved = threading.Barrier(20), threading.Barrier(20)

    ledgers = [dynamo_ledger() for _ in range(20)]

    def step(ledger: DynamoUsageLedger) -> bool:
        start.wait()
        try:
            ledger.reserve("acme", MONTH, estimate)
            held = True
        except BudgetExceeded:
            held = False
        reserved.wait()  # every reservation is decided before any step reconciles
        if held:
            ledger.reconcile("acme", MONTH, estimate, actual, USAGE, 1, False)
        return held

    # When they all reserve at once, then reconcile at a lower actual cost
    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(step, ledgers))
    # Then exactly the affordable 6 ran, and the spend stayed within the budget
    view = dynamo_ledger().month("acme", MONTH)
    assert outcomes.count(True) == 6
    assert view.steps == 6 and view.model_calls == 6
    assert view.cost_usd == pytest.approx(0.72) and view.cost_usd <= 1.0
    assert view.reserved_usd == 0 and view.remaining_usd == pytest.approx(0.28)


def test_concurrent_steps_reserving_and_reconciling_interleaved_stay_within_budget(
    dynamo_ledger: Any,
) -> None:
    # Given a 1 USD budget and 20 steps each reserving and then spending exactly 0.15 USD
    dynamo_ledger().set_budget("acme", 1.0, by="admin-1")
    start = threading.Barrier(20)

    ledgers = [dynamo_ledger() for _ in range(20)]

    def step(ledger: DynamoUsageLedger) -> bool:
        start.wait()
        try:
            ledger.reserve("acme", MONTH, usd(0.15))
        except BudgetExceeded:
            return False
        ledger.reconcile("acme", MONTH, usd(0.15), usd(0.15), USAGE, 1, False)
        return True

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(step, ledgers))
    # Then whatever the order, 6 ran and 0.90 was spent
    assert outcomes.count(True) == 6
    assert dynamo_ledger().month("acme", MONTH).cost_usd == pytest.approx(0.9)


def test_concurrent_reconciles_report_the_threshold_exactly_once(dynamo_ledger: Any) -> None:
    # Given a 10 USD budget and 30 steps of 0.5 USD finishing at once (15 USD: the threshold is 8)
    dynamo_ledger().set_budget("acme", 10.0, by="admin-1")
    start = threading.Barrier(30)

    ledgers = [dynamo_ledger() for _ in range(30)]

    def step(ledger: DynamoUsageLedger) -> ThresholdCrossed | None:
        start.wait()
        result: ThresholdCrossed | None = ledger.reconcile("acme", MONTH, 0, usd(0.5), USAGE, 1, False)
        return result

    with ThreadPoolExecutor(max_workers=30) as pool:
        results = list(pool.map(step, ledgers))
    # Then exactly one step reports it, and with a spend at or past 8 USD
    reported = [r for r in results if r is not None]
    assert len(reported) == 1
    assert 8 <= reported[0].spent_usd <= 15
    assert dynamo_ledger().month("acme", MONTH).cost_usd == 15
