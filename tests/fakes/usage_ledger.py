"""An in-memory ``UsageLedger`` behaving like ``DynamoUsageLedger``: the same month items
(``available`` = budget - spent - reserved), lazy months, budget versions, threshold flag and error
messages; thread-safe (one lock plays DynamoDB's per-item atomicity). Contract-tested against moto
in tests/integration/test_usage_ledger_dynamodb.py."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from orchestrator.core.records import TokenUsage, utc_now, validate_tenant_id
from orchestrator.tenancy.budgets import (
    TOKEN_COUNTERS,
    Budget,
    MonthUsage,
    ThresholdCrossed,
    budget_exceeded,
    budget_micro_of,
    budget_of,
    check_amount,
    crossing,
    month_of,
    month_view,
    new_month_item,
    threshold_reached,
    validate_budget_usd,
    validate_month,
)


class InMemoryUsageLedger:
    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self.clock = clock
        self.budgets: dict[str, dict[str, Any]] = {}  # tenant -> budget item
        self.months: dict[tuple[str, str], dict[str, Any]] = {}  # (tenant, YYYY-MM) -> month item
        self._lock = threading.Lock()

    def get_budget(self, tenant_id: str) -> Budget:
        with self._lock:
            return budget_of(self.budgets.get(validate_tenant_id(tenant_id)))

    def set_budget(self, tenant_id: str, monthly_usd: float | None, by: str) -> Budget:
        tenant = validate_tenant_id(tenant_id)
        budget_micro = validate_budget_usd(monthly_usd)
        with self._lock:
            version = int(self.budgets.get(tenant, {}).get("version", 0)) + 1
            item: dict[str, Any] = {
                "version": version,
                "updated_by": by,
                "updated_at": self.clock().isoformat(),
            }
            if budget_micro is not None:
                item["budget_micro"] = budget_micro
            self.budgets[tenant] = item
            month = self.months.get((tenant, month_of(self.clock())))
            if month is None:
                self.months[(tenant, month_of(self.clock()))] = new_month_item(budget_micro, version)
            elif int(month["budget_version"]) < version:
                month["available"] += (budget_micro or 0) - (budget_micro_of(month) or 0)
                month["budget_version"] = version
                month.pop("budget_micro", None)
                if budget_micro is not None:
                    month["budget_micro"] = budget_micro
                if not threshold_reached(month["spent"], budget_micro):
                    month["threshold_notified"] = False
            return budget_of(item)

    def reserve(self, tenant_id: str, month: str, amount_micro: int) -> None:
        tenant = validate_tenant_id(tenant_id)
        validate_month(month)
        if check_amount("amount_micro", amount_micro) == 0:
            return
        with self._lock:
            item = self._month(tenant, month)
            limit = budget_micro_of(item)
            if limit is not None and item["available"] < amount_micro:
                raise budget_exceeded(month, amount_micro, item["available"], limit)
            item["available"] -= amount_micro
            item["reserved"] += amount_micro

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
        tenant = validate_tenant_id(tenant_id)
        validate_month(month)
        check_amount("reserved_micro", reserved_micro)
        check_amount("actual_micro", actual_micro)
        with self._lock:
            item = self._month(tenant, month)
            item["available"] += reserved_micro - actual_micro
            item["reserved"] -= reserved_micro
            item["spent"] += actual_micro
            for name in TOKEN_COUNTERS:
                item[name] += int(getattr(usage, name))
            item["model_calls"] += int(model_calls)
            item["cache_hits"] += 1 if cache_hit else 0
            item["steps"] += 1
            limit = budget_micro_of(item)
            if limit is None or item["threshold_notified"] or not threshold_reached(item["spent"], limit):
                return None
            item["threshold_notified"] = True
            return crossing(month, item["spent"], limit)

    def add_infrastructure(self, tenant_id: str, month: str, amount_micro: int) -> None:
        tenant = validate_tenant_id(tenant_id)
        validate_month(month)
        check_amount("amount_micro", amount_micro)
        with self._lock:
            item = self._month(tenant, month)
            item["infrastructure_micro"] += amount_micro
            item["infrastructure_runs"] += 1

    def release(self, tenant_id: str, month: str, reserved_micro: int) -> None:
        tenant = validate_tenant_id(tenant_id)
        validate_month(month)
        if check_amount("reserved_micro", reserved_micro) == 0:
            return
        with self._lock:
            item = self.months.get((tenant, month))
            if item is None:
                return  # a month without counters has nothing reserved
            item["available"] += reserved_micro
            item["reserved"] -= reserved_micro

    def month(self, tenant_id: str, month: str) -> MonthUsage:
        tenant = validate_tenant_id(tenant_id)
        validate_month(month)
        with self._lock:
            item = self.months.get((tenant, month))
            if item is not None:
                return month_view(month, dict(item), None)
            return month_view(month, None, budget_micro_of(self.budgets.get(tenant)))

    def available_micro(self, tenant_id: str, month: str) -> int | None:
        tenant = validate_tenant_id(tenant_id)
        validate_month(month)
        with self._lock:
            item = self.months.get((tenant, month))
            if item is None:
                return budget_micro_of(self.budgets.get(tenant))
            return int(item["available"]) if budget_micro_of(item) is not None else None

    def _month(self, tenant: str, month: str) -> dict[str, Any]:
        """The month's counters, created from the budget setting when missing (lock held)."""
        item = self.months.get((tenant, month))
        if item is None:
            budget = self.budgets.get(tenant)
            item = new_month_item(budget_micro_of(budget), int(budget["version"]) if budget else 0)
            self.months[(tenant, month)] = item
        return item
