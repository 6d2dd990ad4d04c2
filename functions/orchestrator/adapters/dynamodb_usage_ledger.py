"""``UsageLedger`` on the Usage table (the key layout is in ``orchestrator.tenancy.budgets``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from orchestrator.adapters.dynamodb_keys import from_item
from orchestrator.adapters.dynamodb_table import (
    Condition,
    ConditionFailed,
    conditional_update,
    domain_errors,
    exists,
    open_table,
)
from orchestrator.core.constants import PK, SK
from orchestrator.core.errors import ConflictError
from orchestrator.core.records import TokenUsage, utc_now, validate_tenant_id
from orchestrator.tenancy.budgets import (
    ATTEMPTS,
    BUDGET_KEY,
    MONTH_PREFIX,
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


class _Lost(Exception):
    """A conditional write lost a race (or its item does not exist yet)."""


class DynamoUsageLedger:
    """``UsageLedger`` on the Usage table (key layout: ``orchestrator.tenancy.budgets``)."""

    def __init__(
        self, table_name: str, resource: Any | None = None, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._table = open_table(table_name, resource)
        self._clock = clock

    # --- the budget setting ------------------------------------------------------------------
    def get_budget(self, tenant_id: str) -> Budget:
        return budget_of(self._budget_item(validate_tenant_id(tenant_id)))

    def set_budget(self, tenant_id: str, monthly_usd: float | None, by: str) -> Budget:
        partition = validate_tenant_id(tenant_id)
        budget_micro = validate_budget_usd(monthly_usd)
        for _ in range(ATTEMPTS):
            current = self._budget_item(partition)
            version = int(current["version"]) if current else 0
            item: dict[str, Any] = {
                PK: partition,
                SK: BUDGET_KEY,
                "version": version + 1,
                "updated_by": by,
                "updated_at": self._clock().isoformat(),
            }
            if budget_micro is not None:
                item["budget_micro"] = budget_micro
            condition: dict[str, Any] = (
                {"ConditionExpression": "#v = :v", "ExpressionAttributeValues": {":v": version}}
                if current
                else {"ConditionExpression": "attribute_not_exists(#v)"}
            )
            try:
                with domain_errors("set budget", _Lost):
                    self._table.put_item(Item=item, ExpressionAttributeNames={"#v": "version"}, **condition)
            except _Lost:
                continue  # changed since it was read: read it again
            self._apply_budget(partition, month_of(self._clock()), budget_micro, version + 1)
            return budget_of(item)
        raise ConflictError("the budget was changed by someone else at the same time: try again")

    def _apply_budget(self, partition: str, month: str, budget_micro: int | None, version: int) -> None:
        """Brings the month to budget ``version``: ``available`` moves by the budgets' difference.
        A month already at this version or a newer one is left alone."""
        for _ in range(ATTEMPTS):
            item = self._month_item(partition, month)
            if item is None:
                if self._create_month(partition, month, budget_micro, version):
                    return
                continue
            seen = int(item.get("budget_version", 0))
            if seen >= version:
                return
            names = {"#avail": "available", "#bv": "budget_version", "#b": "budget_micro"}
            values: dict[str, Any] = {
                ":diff": (budget_micro or 0) - (budget_micro_of(item) or 0),
                ":v": version,
                ":seen": seen,
            }
            sets = ["#avail = #avail + :diff", "#bv = :v"]
            if budget_micro is not None:
                sets.append("#b = :b")
                values[":b"] = budget_micro
            if not threshold_reached(int(item.get("spent", 0)), budget_micro):
                sets.append("#t = :false")  # a raised budget is reported again once its threshold is passed
                names["#t"] = "threshold_notified"
                values[":false"] = False
            expression = "SET " + ", ".join(sets) + (" REMOVE #b" if budget_micro is None else "")
            try:
                with domain_errors("adjust the month to the budget", _Lost):
                    self._table.update_item(
                        Key={PK: partition, SK: MONTH_PREFIX + month},
                        UpdateExpression=expression,
                        ConditionExpression="#bv = :seen",
                        ExpressionAttributeNames=names,
                        ExpressionAttributeValues=values,
                    )
                return
            except _Lost:
                continue
        raise ConflictError(f"the budget of {month} kept changing underneath: try again")

    # --- reservations --------------------------------------------------------------------------
    def reserve(self, tenant_id: str, month: str, amount_micro: int) -> None:
        partition = validate_tenant_id(tenant_id)
        validate_month(month)
        if check_amount("amount_micro", amount_micro) == 0:
            return  # nothing to hold (a call with no known price)
        for _ in range(ATTEMPTS):
            try:
                with domain_errors("reserve budget", _Lost):
                    self._table.update_item(
                        Key={PK: partition, SK: MONTH_PREFIX + month},
                        UpdateExpression="SET #avail = #avail - :a ADD #res :a",
                        ConditionExpression="attribute_exists(#sk) AND "
                        "(attribute_not_exists(#b) OR #avail >= :a)",
                        ExpressionAttributeNames={
                            "#avail": "available",
                            "#res": "reserved",
                            "#sk": SK,
                            "#b": "budget_micro",
                        },
                        ExpressionAttributeValues={":a": amount_micro},
                    )
                return
            except _Lost:
                pass
            item = self._month_item(partition, month)
            if item is None:
                self._create_month_from_budget(partition, month)  # then reserve again
                continue
            limit = budget_micro_of(item)
            if limit is not None and int(item["available"]) < amount_micro:
                raise budget_exceeded(month, amount_micro, int(item["available"]), limit)
            # the month changed between the two calls (a release, a raised budget): try again
        raise ConflictError(f"the budget of {month} kept changing underneath the reservation: try again")

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
        partition = validate_tenant_id(tenant_id)
        validate_month(month)
        check_amount("reserved_micro", reserved_micro)
        check_amount("actual_micro", actual_micro)
        counts = {name: int(getattr(usage, name)) for name in TOKEN_COUNTERS}
        counts |= {"model_calls": int(model_calls), "cache_hits": 1 if cache_hit else 0, "steps": 1}
        names = {f"#{name}": name for name in counts}
        names |= {"#avail": "available", "#res": "reserved", "#spent": "spent", "#sk": SK}
        values: dict[str, Any] = {f":{name}": value for name, value in counts.items()}
        values |= {
            ":delta": reserved_micro - actual_micro,
            ":unreserve": -reserved_micro,
            ":actual": actual_micro,
        }
        adds = ", ".join(f"#{name} :{name}" for name in counts)
        expression = f"SET #avail = #avail + :delta ADD #res :unreserve, #spent :actual, {adds}"
        key = {PK: partition, SK: MONTH_PREFIX + month}
        for attempt in range(2):
            try:
                with domain_errors("reconcile usage", _Lost):
                    response = self._table.update_item(
                        Key=key,
                        UpdateExpression=expression,
                        ConditionExpression="attribute_exists(#sk)",
                        ExpressionAttributeNames=names,
                        ExpressionAttributeValues=values,
                        ReturnValues="ALL_NEW",
                    )
                return self._notify_threshold(partition, month, from_item(response["Attributes"]))
            except _Lost:
                if attempt == 0:
                    self._create_month_from_budget(partition, month)  # a step that reserved nothing
        raise ConflictError(f"the usage of {month} could not be recorded: try again")

    def add_infrastructure(self, tenant_id: str, month: str, amount_micro: int) -> None:
        partition = validate_tenant_id(tenant_id)
        validate_month(month)
        check_amount("amount_micro", amount_micro)
        for attempt in range(2):
            try:
                with domain_errors("record a run's AWS cost", _Lost):
                    self._table.update_item(
                        Key={PK: partition, SK: MONTH_PREFIX + month},
                        UpdateExpression="ADD #infra :a, #runs :one",
                        ConditionExpression="attribute_exists(#sk)",
                        ExpressionAttributeNames={
                            "#infra": "infrastructure_micro",
                            "#runs": "infrastructure_runs",
                            "#sk": SK,
                        },
                        ExpressionAttributeValues={":a": amount_micro, ":one": 1},
                    )
                return
            except _Lost:
                if attempt == 0:
                    self._create_month_from_budget(partition, month)
        raise ConflictError(f"the AWS cost of a run in {month} could not be recorded: try again")

    def release(self, tenant_id: str, month: str, reserved_micro: int) -> None:
        partition = validate_tenant_id(tenant_id)
        validate_month(month)
        if check_amount("reserved_micro", reserved_micro) == 0:
            return
        try:
            with domain_errors("release budget", _Lost):
                self._table.update_item(
                    Key={PK: partition, SK: MONTH_PREFIX + month},
                    UpdateExpression="SET #avail = #avail + :r ADD #res :unreserve",
                    ConditionExpression="attribute_exists(#sk)",
                    ExpressionAttributeNames={"#avail": "available", "#res": "reserved", "#sk": SK},
                    ExpressionAttributeValues={":r": reserved_micro, ":unreserve": -reserved_micro},
                )
        except _Lost:
            pass  # a month without counters has nothing reserved

    def _notify_threshold(self, partition: str, month: str, item: dict[str, Any]) -> ThresholdCrossed | None:
        limit, spent = budget_micro_of(item), int(item.get("spent", 0))
        if limit is None or item.get("threshold_notified") or not threshold_reached(spent, limit):
            return None
        not_yet = Condition(
            "#threshold_notified = :false", {"#threshold_notified": "threshold_notified"}, {":false": False}
        )
        try:
            conditional_update(
                self._table,
                {PK: partition, SK: MONTH_PREFIX + month},
                action="mark the budget threshold",
                set_fields={"threshold_notified": True},
                condition=exists(SK) & not_yet,
            )
        except ConditionFailed:
            return None  # another step reported it
        return crossing(month, spent, limit)

    # --- views ---------------------------------------------------------------------------------
    def month(self, tenant_id: str, month: str) -> MonthUsage:
        partition = validate_tenant_id(tenant_id)
        validate_month(month)
        item = self._month_item(partition, month)
        if item is not None:
            return month_view(month, item, None)
        return month_view(month, None, budget_micro_of(self._budget_item(partition)))

    def available_micro(self, tenant_id: str, month: str) -> int | None:
        partition = validate_tenant_id(tenant_id)
        validate_month(month)
        item = self._month_item(partition, month)
        if item is None:
            return budget_micro_of(self._budget_item(partition))
        return int(item["available"]) if budget_micro_of(item) is not None else None

    # --- items ---------------------------------------------------------------------------------
    def _budget_item(self, partition: str) -> dict[str, Any] | None:
        with domain_errors("read budget"):
            item = self._table.get_item(Key={PK: partition, SK: BUDGET_KEY}, ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def _month_item(self, partition: str, month: str) -> dict[str, Any] | None:
        with domain_errors("read usage"):
            item = self._table.get_item(
                Key={PK: partition, SK: MONTH_PREFIX + month}, ConsistentRead=True
            ).get("Item")
        return from_item(item) if item else None

    def _create_month_from_budget(self, partition: str, month: str) -> None:
        budget = self._budget_item(partition)
        self._create_month(partition, month, budget_micro_of(budget), int(budget["version"]) if budget else 0)

    def _create_month(self, partition: str, month: str, budget_micro: int | None, version: int) -> bool:
        """Creates the month's counters unless they exist; whether this call created them."""
        item = {PK: partition, SK: MONTH_PREFIX + month} | new_month_item(budget_micro, version)
        try:
            with domain_errors("start the month's usage", _Lost):
                self._table.put_item(
                    Item=item,
                    ConditionExpression="attribute_not_exists(#sk)",
                    ExpressionAttributeNames={"#sk": SK},
                )
        except _Lost:
            return False
        return True
