"""The usage ledger on the Usage table (moto): the contract the in-memory fake holds too, how money
and budgets are stored, and the key test: many steps reserving at once against one budget never
spend more than it holds."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from orchestrator.adapters.dynamodb_usage_ledger import DynamoUsageLedger
from orchestrator.core.constants import PK, SK
from orchestrator.core.errors import BudgetExceeded
from tests.integration.conftest import MotoAws
from tests.unit.usage_ledger_contract import (
    MONTH,
    NOW,
    USAGE,
    UsageLedgerContract,
    reserve_and_spend_at_once,
    spend_at_once,
    usd,
)


def raw_item(aws: MotoAws, tenant: str, sort_key: str) -> dict[str, Any] | None:
    table = boto3.resource("dynamodb").Table(aws.tables["Usage"])
    item: dict[str, Any] | None = table.get_item(Key={PK: tenant, SK: sort_key}).get("Item")
    return item


@pytest.fixture
def ledger(aws: MotoAws) -> DynamoUsageLedger:
    return DynamoUsageLedger(aws.tables["Usage"], clock=lambda: NOW)


@pytest.fixture
def dynamo_ledger(aws: MotoAws, one_dynamodb_request_at_a_time: None) -> Callable[[], DynamoUsageLedger]:
    """A fresh ledger with its own boto3 resource each call: one per concurrent step, like separate
    Lambdas. Each moto request is made atomic, as DynamoDB's are: the only guarantee the ledger
    relies on (without it, 7 of 6 affordable steps were seen to run)."""
    session = boto3.session.Session()  # resources are made on the test's thread: sessions are not thread-safe
    return lambda: DynamoUsageLedger(aws.tables["Usage"], session.resource("dynamodb"), clock=lambda: NOW)


class TestDynamoUsageLedger(UsageLedgerContract):
    """The contract every ledger holds (tests/unit/usage_ledger_contract.py), on the Usage table."""


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
    outcomes = reserve_and_spend_at_once([dynamo_ledger() for _ in range(20)], usd(0.15))
    # Then whatever the order, 6 ran and 0.90 was spent
    assert outcomes.count(True) == 6
    assert dynamo_ledger().month("acme", MONTH).cost_usd == pytest.approx(0.9)


def test_concurrent_reconciles_report_the_threshold_exactly_once(dynamo_ledger: Any) -> None:
    # Given a 10 USD budget and 30 steps of 0.5 USD finishing at once (15 USD: the threshold is 8)
    dynamo_ledger().set_budget("acme", 10.0, by="admin-1")
    results = spend_at_once([dynamo_ledger() for _ in range(30)], usd(0.5))
    # Then exactly one step reports it, and with a spend at or past 8 USD
    reported = [r for r in results if r is not None]
    assert len(reported) == 1
    assert 8 <= reported[0].spent_usd <= 15
    assert dynamo_ledger().month("acme", MONTH).cost_usd == 15
