"""The usage ledger and hard monthly budgets (the Usage table).

Items of one tenant share its partition:

* ``pk = <tenant>``, ``sk = budget``: the budget setting. ``budget_micro`` (absent: unlimited),
  ``version`` (bumped on every change), ``updated_by``, ``updated_at``.
* ``pk = <tenant>``, ``sk = month#YYYY-MM``: the month's counters. ``spent``, ``reserved`` and
  ``available`` in integer micro-dollars (``constants.MICRO_USD``: no float drift), the four token
  counters, ``model_calls``, ``cache_hits``, ``steps``, ``threshold_notified``; and the budget in
  force for the month: ``budget_micro`` (absent: unlimited) with the ``budget_version`` it came from.

``available`` is always ``budget - spent - reserved`` (a missing budget counts as 0 there). DynamoDB
conditions cannot add, so this counter is what a reservation is checked against: reserving is ONE
conditional UpdateItem (``SET available = available - :a ADD reserved :a`` if ``available >= :a``),
so concurrent steps of one tenant can never reserve more than the budget holds. Reconciling moves
the reservation to ``spent`` at the actual cost; the actual may exceed the estimate (the overspend
is bounded by one step's estimate error), ``available`` then goes negative and later reservations
fail. A month item is created lazily, from the budget setting, by its first reservation or
reconciliation; changing the budget adjusts the current month's ``available`` by the difference
(the month remembers the budget version it follows, so racing changes converge on the newest).
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field

from orchestrator.core.constants import BUDGET_THRESHOLD_FRACTION, MICRO_USD
from orchestrator.core.errors import BudgetExceeded, InvalidRequest
from orchestrator.core.records import TokenUsage

BUDGET_KEY = "budget"
MONTH_PREFIX = "month#"
MAX_BUDGET_USD = 10_000_000.0
ATTEMPTS = 5  # optimistic retries of a write that raced another one
_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")

TOKEN_COUNTERS = ("input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens")
INFRASTRUCTURE_COUNTERS = ("infrastructure_micro", "infrastructure_runs")
"""What the month's ended runs cost in AWS charges (model tokens apart), and how many runs."""
COUNTERS = (
    "spent",
    "reserved",
    "available",
    *TOKEN_COUNTERS,
    "model_calls",
    "cache_hits",
    "steps",
    *INFRASTRUCTURE_COUNTERS,
)


# --- values ------------------------------------------------------------------------------------
def month_of(when: datetime) -> str:
    """The ledger month of a moment: ``"2026-12"``."""
    return when.strftime("%Y-%m")


def validate_month(month: str) -> str:
    if not isinstance(month, str) or not _MONTH.match(month):
        raise InvalidRequest(f"month {str(month)[:32]!r} is not valid: use YYYY-MM, e.g. 2026-12")
    return month


def validate_budget_usd(monthly_usd: float | None) -> int | None:
    """The budget in micro-dollars (None: unlimited); InvalidRequest when out of range."""
    if monthly_usd is None:
        return None
    if (
        isinstance(monthly_usd, bool)
        or not isinstance(monthly_usd, int | float)
        or not math.isfinite(monthly_usd)
        or not 0 <= monthly_usd <= MAX_BUDGET_USD
    ):
        raise InvalidRequest(
            f"monthly_usd must be a number from 0 to {MAX_BUDGET_USD:.0f} (or null: unlimited), "
            f"not {monthly_usd!r}"
        )
    return round(monthly_usd * MICRO_USD)


def check_amount(name: str, amount: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError(f"{name} must be a non-negative integer of micro-dollars, not {amount!r}")
    return amount


def usd(micro: int | None) -> float | None:
    return None if micro is None else round(micro / MICRO_USD, 6)


def budget_exceeded(month: str, needed_micro: int, available_micro: int, budget_micro: int) -> BudgetExceeded:
    return BudgetExceeded(
        f"the tenant's monthly budget cannot afford this: needed ${needed_micro / MICRO_USD:.6f}, "
        f"remaining ${max(available_micro, 0) / MICRO_USD:.6f} of the monthly budget "
        f"${budget_micro / MICRO_USD:.2f} for month {month}"
    )


def threshold_reached(spent_micro: int, budget_micro: int | None) -> bool:
    """Whether a month's spend has passed ``BUDGET_THRESHOLD_FRACTION`` of its budget."""
    return (
        budget_micro is not None
        and spent_micro > 0
        and spent_micro >= BUDGET_THRESHOLD_FRACTION * budget_micro
    )


class Budget(BaseModel):
    monthly_usd: float | None = Field(description="the tenant's monthly budget in USD; null: unlimited")
    updated_by: str | None = None
    updated_at: datetime | None = None


class MonthUsage(BaseModel):
    month: str
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    total_tokens: int = 0
    cost_usd: float = Field(0.0, description="what the month's model calls cost")
    model_calls: int = 0
    cache_hits: int = 0
    steps: int = 0
    budget_usd: float | None = Field(None, description="the month's budget; null: unlimited")
    reserved_usd: float = Field(0.0, description="held by steps running now")
    remaining_usd: float | None = Field(None, description="what is left to reserve; null: unlimited")
    threshold_notified: bool = False
    infrastructure_cost_usd: float = Field(
        0.0, description="what the month's ended runs cost in AWS requests (model tokens apart)"
    )
    infrastructure_runs: int = Field(0, description="the runs whose AWS cost is counted here")


class ThresholdCrossed(BaseModel):
    """The month's spend passed ``BUDGET_THRESHOLD_FRACTION`` of its budget (reported once a month)."""

    month: str
    budget_usd: float
    spent_usd: float
    fraction: float


def month_view(month: str, item: dict[str, Any] | None, budget_micro: int | None) -> MonthUsage:
    """A month item's counters (or, when nothing happened yet, zeros under ``budget_micro``)."""
    if item is None:
        return MonthUsage(month=month, budget_usd=usd(budget_micro), remaining_usd=usd(budget_micro))
    counters = {name: int(item.get(name, 0)) for name in COUNTERS}
    limit = budget_micro_of(item)
    return MonthUsage(
        month=month,
        input_tokens=counters["input_tokens"],
        output_tokens=counters["output_tokens"],
        cached_input_tokens=counters["cached_input_tokens"],
        cache_write_tokens=counters["cache_write_tokens"],
        total_tokens=sum(counters[name] for name in TOKEN_COUNTERS),
        cost_usd=usd(counters["spent"]) or 0.0,
        model_calls=counters["model_calls"],
        cache_hits=counters["cache_hits"],
        steps=counters["steps"],
        budget_usd=usd(limit),
        reserved_usd=usd(counters["reserved"]) or 0.0,
        remaining_usd=None if limit is None else usd(max(counters["available"], 0)),
        threshold_notified=bool(item.get("threshold_notified", False)),
        infrastructure_cost_usd=counters["infrastructure_micro"] / MICRO_USD,
        infrastructure_runs=counters["infrastructure_runs"],
    )


def new_month_item(budget_micro: int | None, budget_version: int) -> dict[str, Any]:
    """A month's counters before anything was reserved or spent."""
    item: dict[str, Any] = dict.fromkeys(COUNTERS, 0)
    item |= {"available": budget_micro or 0, "budget_version": budget_version, "threshold_notified": False}
    if budget_micro is not None:
        item["budget_micro"] = budget_micro
    return item


def budget_micro_of(item: dict[str, Any] | None) -> int | None:
    """The budget of a budget item or a month item (None: unlimited)."""
    return int(item["budget_micro"]) if item and item.get("budget_micro") is not None else None


def budget_of(item: dict[str, Any] | None) -> Budget:
    if item is None:
        return Budget(monthly_usd=None)
    return Budget(
        monthly_usd=usd(budget_micro_of(item)),
        updated_by=item.get("updated_by"),
        updated_at=item.get("updated_at"),
    )


def crossing(month: str, spent_micro: int, budget_micro: int) -> ThresholdCrossed:
    return ThresholdCrossed(
        month=month,
        budget_usd=usd(budget_micro) or 0.0,
        spent_usd=usd(spent_micro) or 0.0,
        fraction=spent_micro / budget_micro if budget_micro else 1.0,
    )


class UsageLedger(Protocol):
    def get_budget(self, tenant_id: str) -> Budget: ...

    def set_budget(self, tenant_id: str, monthly_usd: float | None, by: str) -> Budget:
        """Sets the monthly budget (None: unlimited); the current month's ``available`` follows."""
        ...

    def reserve(self, tenant_id: str, month: str, amount_micro: int) -> None:
        """Holds ``amount_micro`` of the month's budget for a step; ``BudgetExceeded`` (nothing held)
        when it does not fit. Without a budget the reservation is only tracked."""
        ...

    def reconcile(
        self,
        tenant_id: str,
        month: str,
        reserved_micro: int,
        actual_micro: int,
        usage: TokenUsage,
        model_calls: int,
        cache_hit: bool,
    ) -> ThresholdCrossed | None:
        """A step ended: its reservation becomes its actual cost, its tokens and calls are counted.
        Answers ``ThresholdCrossed`` to exactly one caller: the first whose spend passed the threshold."""
        ...

    def add_infrastructure(self, tenant_id: str, month: str, amount_micro: int) -> None:
        """A run ended: what its AWS requests cost joins the month's."""

    def release(self, tenant_id: str, month: str, reserved_micro: int) -> None:
        """A failed or undone step gives its reservation back."""
        ...

    def month(self, tenant_id: str, month: str) -> MonthUsage: ...

    def available_micro(self, tenant_id: str, month: str) -> int | None:
        """What is left of the month's budget to reserve (None: no budget)."""
        ...
