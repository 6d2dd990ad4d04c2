"""What every ``UsageLedger`` does: hard budgets with reserve / reconcile / release, the month's
counters and the once-a-month threshold report. Held by the in-memory fake
(tests/unit/test_usage_ledger_fake.py) and by ``DynamoUsageLedger`` on moto
(tests/integration/test_usage_ledger_dynamodb.py): each subclasses ``UsageLedgerContract`` with a
``ledger`` fixture whose clock says ``NOW``."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from orchestrator.core.constants import MICRO_USD
from orchestrator.core.errors import BudgetExceeded, InvalidRequest
from orchestrator.core.records import TokenUsage
from orchestrator.tenancy.budgets import MonthUsage, ThresholdCrossed, UsageLedger

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
MONTH = "2026-12"
USAGE = TokenUsage(input_tokens=1000, output_tokens=200, cached_input_tokens=300, cache_write_tokens=50)


def usd(amount: float) -> int:
    return round(amount * MICRO_USD)


def reserve_and_spend_at_once(ledgers: Sequence[UsageLedger], amount: int) -> list[bool]:
    """One step a ledger, all starting together: each reserves ``amount`` and, if that was
    affordable, spends it. Whether each step ran."""
    start = threading.Barrier(len(ledgers))

    def step(ledger: UsageLedger) -> bool:
        start.wait()
        try:
            ledger.reserve("acme", MONTH, amount)
        except BudgetExceeded:
            return False
        ledger.reconcile("acme", MONTH, amount, amount, USAGE, 1, False)
        return True

    with ThreadPoolExecutor(max_workers=len(ledgers)) as pool:
        return list(pool.map(step, ledgers))


def spend_at_once(ledgers: Sequence[UsageLedger], amount: int) -> list[ThresholdCrossed | None]:
    """One step a ledger, all finishing together, each spending ``amount``: what each was told."""
    start = threading.Barrier(len(ledgers))

    def step(ledger: UsageLedger) -> ThresholdCrossed | None:
        start.wait()
        return ledger.reconcile("acme", MONTH, 0, amount, USAGE, 1, False)

    with ThreadPoolExecutor(max_workers=len(ledgers)) as pool:
        return list(pool.map(step, ledgers))


class UsageLedgerContract:
    def test_without_a_budget_everything_is_affordable_and_counted(self, ledger: UsageLedger) -> None:
        # Given a tenant that set no budget
        assert ledger.get_budget("acme").monthly_usd is None
        assert ledger.available_micro("acme", MONTH) is None
        # When a step reserves a lot and reconciles
        ledger.reserve("acme", MONTH, usd(5000))
        assert ledger.month("acme", MONTH).reserved_usd == 5000
        assert ledger.reconcile("acme", MONTH, usd(5000), usd(4.25), USAGE, 2, False) is None
        # Then the month shows the spend and tokens, with no budget and nothing remaining to compute
        view = ledger.month("acme", MONTH)
        assert (view.cost_usd, view.reserved_usd, view.budget_usd, view.remaining_usd) == (
            4.25,
            0,
            None,
            None,
        )
        assert view.total_tokens == 1550 and view.model_calls == 2 and view.steps == 1

    def test_a_reservation_within_the_budget_holds_part_of_it(self, ledger: UsageLedger) -> None:
        # Given a budget of 10 USD
        ledger.set_budget("acme", 10.0, by="admin-1")
        # When a step reserves 3 USD
        ledger.reserve("acme", MONTH, usd(3))
        # Then 7 USD remain to reserve
        assert ledger.available_micro("acme", MONTH) == usd(7)
        view = ledger.month("acme", MONTH)
        assert (view.budget_usd, view.reserved_usd, view.remaining_usd, view.cost_usd) == (10, 3, 7, 0)

    def test_a_reservation_over_the_budget_is_refused_and_changes_nothing(self, ledger: UsageLedger) -> None:
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
        self, ledger: UsageLedger
    ) -> None:
        # Given a 3 USD reservation under a 10 USD budget
        ledger.set_budget("acme", 10.0, by="admin-1")
        ledger.reserve("acme", MONTH, usd(3))
        # When the step actually cost 1.2 USD in 2 calls
        assert ledger.reconcile("acme", MONTH, usd(3), usd(1.2), USAGE, 2, False) is None
        # Then nothing stays reserved, 1.2 is spent and the difference is available again
        expected = MonthUsage(
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
        assert ledger.month("acme", MONTH) == expected
        # and a cache hit counts a step and a hit, at no cost
        ledger.reconcile("acme", MONTH, 0, 0, TokenUsage(), 0, True)
        assert ledger.month("acme", MONTH) == expected.model_copy(update={"cache_hits": 1, "steps": 2})

    def test_an_overspend_is_recorded_and_then_further_reservations_fail(self, ledger: UsageLedger) -> None:
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

    def test_release_gives_a_reservation_back(self, ledger: UsageLedger) -> None:
        # Given a reservation that takes the whole budget
        ledger.set_budget("acme", 2.0, by="admin-1")
        ledger.reserve("acme", MONTH, usd(2))
        with pytest.raises(BudgetExceeded):
            ledger.reserve("acme", MONTH, usd(1))
        # When its step fails and releases it
        ledger.release("acme", MONTH, usd(2))
        # Then the budget is whole again and can be reserved
        assert ledger.available_micro("acme", MONTH) == usd(2)
        assert ledger.month("acme", MONTH).reserved_usd == 0
        ledger.reserve("acme", MONTH, usd(1))
        assert ledger.available_micro("acme", MONTH) == usd(1)
        # and a month without counters has nothing to give back
        ledger.release("acme", "2027-03", usd(1))
        assert ledger.month("acme", "2027-03").reserved_usd == 0

    def test_the_threshold_is_reported_once_when_the_spend_passes_80_percent(
        self, ledger: UsageLedger
    ) -> None:
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

    def test_raising_the_budget_past_the_spend_lets_the_threshold_be_reported_again(
        self, ledger: UsageLedger
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

    def test_changing_the_budget_mid_month_moves_what_is_available(self, ledger: UsageLedger) -> None:
        # Given 10 USD with 3 spent and 2 reserved (5 available)
        ledger.set_budget("acme", 10.0, by="admin-1")
        ledger.reserve("acme", MONTH, usd(3))
        ledger.reconcile("acme", MONTH, usd(3), usd(3), USAGE, 1, False)
        ledger.reserve("acme", MONTH, usd(2))
        assert ledger.available_micro("acme", MONTH) == usd(5)
        # When the admin lowers it to 6, then raises it to 20, then removes it
        budget = ledger.set_budget("acme", 6.0, by="admin-2")
        assert (budget.monthly_usd, budget.updated_by, budget.updated_at) == (6, "admin-2", NOW)
        assert ledger.get_budget("acme") == budget
        assert ledger.available_micro("acme", MONTH) == usd(1)
        with pytest.raises(BudgetExceeded, match=r"of the monthly budget \$6\.00"):
            ledger.reserve("acme", MONTH, usd(1.5))
        ledger.set_budget("acme", 20.0, by="admin-2")
        assert ledger.month("acme", MONTH).remaining_usd == 15
        ledger.set_budget("acme", None, by="admin-2")
        # Then each time what is left follows the new budget, and no budget means unlimited
        assert ledger.available_micro("acme", MONTH) is None
        assert ledger.get_budget("acme").monthly_usd is None
        ledger.reserve("acme", MONTH, usd(1000))

    def test_a_month_with_nothing_shows_zeros_under_the_current_budget(self, ledger: UsageLedger) -> None:
        ledger.set_budget("acme", 25.0, by="admin-1")
        assert ledger.month("acme", "2027-01") == MonthUsage(month="2027-01", budget_usd=25, remaining_usd=25)
        assert ledger.month("globex", MONTH) == MonthUsage(month=MONTH)
        assert ledger.get_budget("globex").monthly_usd is None

    def test_tenants_and_months_are_kept_apart(self, ledger: UsageLedger) -> None:
        # Given acme's budget exhausted in December
        ledger.set_budget("acme", 1.0, by="admin-1")
        ledger.reserve("acme", MONTH, usd(1))
        # Then January and another tenant are untouched
        ledger.reserve("acme", "2027-01", usd(1))
        ledger.reserve("globex", MONTH, usd(100))
        assert ledger.month("globex", MONTH).budget_usd is None

    def test_a_budget_out_of_range_is_refused(self, ledger: UsageLedger) -> None:
        for bad in (-1.0, 10_000_001.0, float("nan"), float("inf")):
            with pytest.raises(InvalidRequest, match="monthly_usd must be a number from 0 to 10000000"):
                ledger.set_budget("acme", bad, by="admin-1")
        assert ledger.get_budget("acme").monthly_usd is None

    def test_bad_months_and_tenants_are_refused(self, ledger: UsageLedger) -> None:
        with pytest.raises(InvalidRequest, match="use YYYY-MM"):
            ledger.month("acme", "2026-13")
        with pytest.raises(InvalidRequest, match="use YYYY-MM"):
            ledger.reserve("acme", "12-2026", 1)
        with pytest.raises(ValueError, match="tenant id"):
            ledger.reserve("ACME#x", MONTH, 1)
