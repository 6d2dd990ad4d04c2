"""The usage ledger's rules on the in-memory ledger (the contract every ledger holds, in
tests/unit/usage_ledger_contract.py), its months, and many steps reserving at once."""

from __future__ import annotations

import pytest

from orchestrator.core.errors import InvalidRequest
from orchestrator.tenancy.budgets import month_of, validate_month
from tests.fakes.usage_ledger import InMemoryUsageLedger
from tests.unit.usage_ledger_contract import (
    MONTH,
    NOW,
    UsageLedgerContract,
    reserve_and_spend_at_once,
    spend_at_once,
    usd,
)


@pytest.fixture
def ledger() -> InMemoryUsageLedger:
    return InMemoryUsageLedger(clock=lambda: NOW)


class TestInMemoryUsageLedger(UsageLedgerContract):
    """The contract, on the in-memory ledger."""


def test_months_are_named_and_checked_as_yyyy_mm() -> None:
    assert month_of(NOW) == MONTH
    assert validate_month("2026-01") == "2026-01"
    for bad in ("2026-13", "2026-1", "26-12", "2026-12-01", "", "2026/12"):
        with pytest.raises(InvalidRequest, match="use YYYY-MM"):
            validate_month(bad)


def test_many_concurrent_reconciles_report_the_threshold_exactly_once(ledger: InMemoryUsageLedger) -> None:
    # Given a 10 USD budget and 40 steps of 0.5 USD finishing at once (20 USD in all)
    ledger.set_budget("acme", 10.0, by="admin-1")
    results = spend_at_once([ledger] * 40, usd(0.5))
    # Then exactly one of them reports the threshold
    assert len([r for r in results if r is not None]) == 1
    assert ledger.month("acme", MONTH).cost_usd == 20


def test_concurrent_reservations_never_exceed_the_budget(ledger: InMemoryUsageLedger) -> None:
    # Given a 1 USD budget and 20 steps estimated at 0.15 USD each (6 fit)
    ledger.set_budget("acme", 1.0, by="admin-1")
    # When they all reserve and spend at once
    outcomes = reserve_and_spend_at_once([ledger] * 20, usd(0.15))
    # Then exactly 6 ran and the spend stays within the budget
    assert outcomes.count(True) == 6
    assert ledger.month("acme", MONTH).cost_usd == pytest.approx(0.9)
