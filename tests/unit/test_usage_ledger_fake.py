"""The usage ledger's rules on the in-memory ledger: hard budgets with reserve / reconcile / release,
the month's counters and the once-a-month threshold report."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from orchestrator.constants import MICRO_USD
from orchestrator.errors import BudgetExceeded, InvalidRequest
from orchestrator.models import TokenUsage
from orchestrator.repositories.usage_ledger import MonthUsage, ThresholdCrossed, month_of, validate_month
from tests.unit.fake_usage_ledger import InMemoryUsageLedger

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
MONTH = "2026-12"
USAGE = TokenUsage(input_tokens=1000, output_tokens=200, cached_input_tokens=300, cache_write_tokens=50)


def usd(amount: float) -> int:
    return round(amount * MICRO_USD)


@pytest.fixture
def ledger() -> InMemoryUsageLedger:
    return InMemoryUsageLedger(clock=lambda: NOW)


def test_months_are_named_and_checked_as_yyyy_mm() -> None:
    assert month_of(NOW) == MONTH
    assert validate_month("2026-01") == "2026-01"
    for bad in ("2026-13", "2026-1", "26-12", "2026-12-01", "", "2026/12"):
        with pytest.raises(InvalidRequest, match="use YYYY-MM"):
            validate_month(bad)


def test_without_a_budget_everything_is_affordable_and_counted(ledger: InMemoryUsageLedger) -> None:
    # Given a tenant that set no budget
    assert ledger.get_budget("acme").monthly_usd is None
    assert ledger.available_micro("acme", MONTH) is None
    # When a step reserves a lot and reconciles
    ledger.reserve("acme", MONTH, usd(5000))
    assert ledger.month("acme", MONTH).reserved_usd == 5000
    assert ledger.reconcile("acme", MONTH, usd(5000), usd(4.25), USAGE, 2, False) is None
    # Then the month shows the spend and tokens, with no budget and nothing remaining to compute
    view = ledger.month("acme", MONTH)
    assert (view.cost_usd, view.reserved_usd, view.budget_usd, view.remaining_usd) == (4.25, 0, None, None)
    assert view.total_tokens == 1550 and view.model_calls == 2 and view.steps == 1


def test_a_reservation_within_the_budget_holds_part_of_it(ledger: InMemoryUsageLedger) -> None:
    # Given a budget of 10 USD
    ledger.set_budget("acme", 10.0, by="admin-1")
    # When a step reserves 3 USD
    ledger.reserve("acme", MONTH, usd(3))
    # Then 7 USD remain to reserve
    assert ledger.available_micro("acme", MONTH) == usd(7)
    view = ledger.month("acme", MONTH)
    assert (view.budget_usd, view.reserved_usd, view.remaining_usd, view.cost_usd) == (10, 3, 7, 0)


def test_a_reservation_over_the_budget_is_refused_and_changes_nothing(ledger: InMemoryUsageLedger) -> None:
    # Given 10 USD of which 8 are reserved
    ledger.set_budget("acme", 10.0, by="admin-1")
    ledger.reserve("acme", MONTH, usd(8))
    before = ledger.month("acme", MONTH)
    # When a step needs 2.5 USD
    with pytest.raises(BudgetExceeded) as refused:
        ledger.reserve("acme", MONTH, usd(2.5))
    # Then the error says what was needed, what remains and of which budget; nothing moved
    assert str(refused.value) == (
        "the tenant's monthly budget cannot afford this: needed $2.500000, remaining $2.000000 "
        "of the monthly budget $10.00 for month 2026-12"
    )
    assert ledger.month("acme", MONTH) == before


def test_reconcile_moves_the_reservation_to_the_actual_cost_and_counts_tokens(
    ledger: InMemoryUsageLedger,
) -> None:
    # Given a 3 USD reservation under a 10 USD budget
    ledger.set_budget("acme", 10.0, by="admin-1")
    ledger.reserve("acme", MONTH, usd(3))
    # When the step actually cost 1.2 USD in 2 calls
    ledger.reconcile("acme", MONTH, usd(3), usd(1.2), USAGE, 2, False)
    # Then nothing stays reserved, 1.2 is spent and the difference is available again
    assert ledger.month("acme", MONTH) == MonthUsage(
        month=MONTH,
        input_tokens=1000,
        output_tokens=200,
        cached_input_tokens=300,
        cache_write_tokens=50,
        total_tokens=1550,
        cost_usd=1.2,
        model_calls=2,
        cache_hits=0,
        steps=1,
        budget_usd=10,
        reserved_usd=0,
        remaining_usd=8.8,
        threshold_notified=False,
    )
    # and a cache hit counts a step and a hit, at no cost
    ledger.reconcile("acme", MONTH, 0, 0, TokenUsage(), 0, True)
    assert (ledger.month("acme", MONTH).cache_hits, ledger.month("acme", MONTH).steps) == (1, 2)


def test_an_overspend_is_recorded_and_then_further_reservations_fail(ledger: InMemoryUsageLedger) -> None:
    # Given a step that reserved 1 USD of a 1 USD budget but actually cost 1.1
    ledger.set_budget("acme", 1.0, by="admin-1")
    ledger.reserve("acme", MONTH, usd(1))
    ledger.reconcile("acme", MONTH, usd(1), usd(1.1), USAGE, 1, False)
    # Then the overspend is kept, nothing remains, and the next reservation is refused
    view = ledger.month("acme", MONTH)
    assert (view.cost_usd, view.remaining_usd) == (1.1, 0)
    assert ledger.available_micro("acme", MONTH) == -usd(0.1)
    with pytest.raises(BudgetExceeded, match=r"remaining \$0\.000000"):
        ledger.reserve("acme", MONTH, 1)


def test_release_gives_a_reservation_back(ledger: InMemoryUsageLedger) -> None:
    # Given a reservation that takes the whole budget
    ledger.set_budget("acme", 2.0, by="admin-1")
    ledger.reserve("acme", MONTH, usd(2))
    with pytest.raises(BudgetExceeded):
        ledger.reserve("acme", MONTH, usd(1))
    # When its step fails and releases it
    ledger.release("acme", MONTH, usd(2))
    # Then the budget is whole again and can be reserved
    assert ledger.month("acme", MONTH).reserved_usd == 0
    ledger.reserve("acme", MONTH, usd(1))
    assert ledger.available_micro("acme", MONTH) == usd(1)


def test_the_threshold_is_reported_once_when_the_spend_passes_80_percent(ledger: InMemoryUsageLedger) -> None:
    # Given a 10 USD budget
    ledger.set_budget("acme", 10.0, by="admin-1")
    # When steps spend 7, then 1.5 (8.5: over 80%), then 1 more
    assert ledger.reconcile("acme", MONTH, 0, usd(7), USAGE, 1, False) is None
    crossed = ledger.reconcile("acme", MONTH, 0, usd(1.5), USAGE, 1, False)
    later = ledger.reconcile("acme", MONTH, 0, usd(1), USAGE, 1, False)
    # Then the step that crossed it is told, once, with the numbers
    assert crossed == ThresholdCrossed(month=MONTH, budget_usd=10, spent_usd=8.5, fraction=0.85)
    assert later is None
    assert ledger.month("acme", MONTH).threshold_notified is True


def test_many_concurrent_reconciles_report_the_threshold_exactly_once(ledger: InMemoryUsageLedger) -> None:
    # Given a 10 USD budget and 40 steps of 0.5 USD finishing at once (20 USD in all)
    ledger.set_budget("acme", 10.0, by="admin-1")
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(
            pool.map(lambda _: ledger.reconcile("acme", MONTH, 0, usd(0.5), USAGE, 1, False), range(40))
        )
    # Then exactly one of them reports the threshold
    assert len([r for r in results if r is not None]) == 1
    assert ledger.month("acme", MONTH).cost_usd == 20


def test_changing_the_budget_mid_month_moves_what_is_available(ledger: InMemoryUsageLedger) -> None:
    # Given 10 USD with 3 spent and 2 reserved (5 available)
    ledger.set_budget("acme", 10.0, by="admin-1")
    ledger.reserve("acme", MONTH, usd(5))
    ledger.reconcile("acme", MONTH, usd(3), usd(3), USAGE, 1, False)
    assert ledger.available_micro("acme", MONTH) == usd(5)
    # When the admin lowers it to 6, then raises it to 20, then removes it
    budget = ledger.set_budget("acme", 6.0, by="admin-2")
    assert (budget.monthly_usd, budget.updated_by, budget.updated_at) == (6, "admin-2", NOW)
    assert ledger.available_micro("acme", MONTH) == usd(1)
    ledger.set_budget("acme", 20.0, by="admin-2")
    assert ledger.month("acme", MONTH).remaining_usd == 15
    ledger.set_budget("acme", None, by="admin-2")
    # Then each time what is left follows the new budget, and no budget means unlimited
    assert ledger.available_micro("acme", MONTH) is None
    assert ledger.get_budget("acme").monthly_usd is None
    ledger.reserve("acme", MONTH, usd(1000))


def test_raising_the_budget_past_the_spend_lets_the_threshold_be_reported_again(
    ledger: InMemoryUsageLedger,
) -> None:
    # Given a month whose threshold was reported at 9 of 10 USD
    ledger.set_budget("acme", 10.0, by="admin-1")
    assert ledger.reconcile("acme", MONTH, 0, usd(9), USAGE, 1, False) is not None
    # When the budget is raised to 100 and spending reaches 80 of it
    ledger.set_budget("acme", 100.0, by="admin-1")
    assert ledger.month("acme", MONTH).threshold_notified is False
    crossed = ledger.reconcile("acme", MONTH, 0, usd(71), USAGE, 1, False)
    # Then the new threshold is reported
    assert crossed is not None and crossed.budget_usd == 100 and crossed.spent_usd == 80


def test_a_month_with_nothing_shows_zeros_under_the_current_budget(ledger: InMemoryUsageLedger) -> None:
    ledger.set_budget("acme", 25.0, by="admin-1")
    assert ledger.month("acme", "2027-01") == MonthUsage(month="2027-01", budget_usd=25, remaining_usd=25)
    assert ledger.month("globex", MONTH) == MonthUsage(month=MONTH)


def test_tenants_and_months_are_kept_apart(ledger: InMemoryUsageLedger) -> None:
    # Given acme's budget exhausted in December
    ledger.set_budget("acme", 1.0, by="admin-1")
    ledger.reserve("acme", MONTH, usd(1))
    # Then January and another tenant are untouched
    ledger.reserve("acme", "2027-01", usd(1))
    ledger.reserve("globex", MONTH, usd(100))
    assert ledger.month("globex", MONTH).budget_usd is None


@pytest.mark.parametrize("bad", [-1.0, 10_000_001.0, float("nan"), float("inf")])
def test_a_budget_out_of_range_is_refused(ledger: InMemoryUsageLedger, bad: float) -> None:
    with pytest.raises(InvalidRequest, match="monthly_usd must be a number from 0 to 10000000"):
        ledger.set_budget("acme", bad, by="admin-1")
    assert ledger.get_budget("acme").monthly_usd is None


def test_concurrent_reservations_never_exceed_the_budget(ledger: InMemoryUsageLedger) -> None:
    # Given a 1 USD budget and 20 steps estimated at 0.15 USD each (6 fit)
    ledger.set_budget("acme", 1.0, by="admin-1")
    barrier = threading.Barrier(20)

    def step(_: int) -> bool:
        barrier.wait()
        try:
            ledger.reserve("acme", MONTH, usd(0.15))
        except BudgetExceeded:
            return False
        ledger.reconcile("acme", MONTH, usd(0.15), usd(0.15), USAGE, 1, False)
        return True

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(step, range(20)))
    # Then exactly 6 ran and the spend stays within the budget
    assert outcomes.count(True) == 6
    assert ledger.month("acme", MONTH).cost_usd == pytest.approx(0.9)
