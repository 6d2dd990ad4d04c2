"""Plans and limits of tenants, the request-rate window and who counts as active."""

from __future__ import annotations

import pydantic
import pytest

from orchestrator.tenancy.plans import (
    PLANS,
    RATE_WINDOW_SECONDS,
    Tenant,
    TenantNotActive,
    TenantStatus,
    check_active,
    limits_for,
    rate_window,
)


def test_a_plan_gives_its_limits_and_an_override_replaces_one_of_them() -> None:
    assert limits_for("free") == PLANS["free"]
    custom = limits_for("free", max_concurrent_runs=7)
    assert custom.max_concurrent_runs == 7
    assert custom.requests_per_minute == PLANS["free"].requests_per_minute
    with pytest.raises(ValueError, match="unknown plan 'gold'; plans: free, standard, enterprise"):
        limits_for("gold")
    with pytest.raises(pydantic.ValidationError):
        limits_for("free", requests_per_minute=-1)


def test_the_rate_window_is_the_minute_and_says_how_long_is_left() -> None:
    start, left = rate_window(1_800_000_017.5)
    assert start % RATE_WINDOW_SECONDS == 0 and start <= 1_800_000_017.5 < start + RATE_WINDOW_SECONDS
    assert left == 43  # rounded up: a client that waits this long is in the next window
    assert rate_window(float(start))[1] == RATE_WINDOW_SECONDS


def test_only_an_onboarded_active_tenant_is_served() -> None:
    tenant = Tenant(
        tenant_id="acme", requests_per_minute=1, max_concurrent_runs=1, created_at="t", created_by="op"
    )
    assert check_active("acme", tenant) is tenant
    with pytest.raises(TenantNotActive, match="not onboarded"):
        check_active("acme-corp", None)
    with pytest.raises(TenantNotActive, match="disabled"):
        check_active("acme", tenant.model_copy(update={"status": TenantStatus.DISABLED}))


def test_a_tenant_id_with_a_trailing_newline_is_not_a_tenant_id() -> None:
    from orchestrator.core.records import validate_tenant_id

    assert validate_tenant_id("acme") == "acme"
    for wrong in ("acme\n", "acme#1", "Acme", "a"):
        with pytest.raises(ValueError):
            validate_tenant_id(wrong)


def test_every_plan_caps_its_queue_and_a_record_from_before_queues_gets_its_plans_cap() -> None:
    assert [PLANS[name].max_queued_runs for name in ("free", "standard", "enterprise")] == [10, 100, 1000]
    assert limits_for("free", max_queued_runs=0).max_queued_runs == 0  # none wait: 429 at the limit
    assert limits_for("free", max_concurrent_runs=7).max_queued_runs == 10
    with pytest.raises(pydantic.ValidationError):
        limits_for("free", max_queued_runs=-1)
    old = Tenant.model_validate(
        {"tenant_id": "acme", "plan": "free", "requests_per_minute": 1, "max_concurrent_runs": 1}
        | {"created_at": "t", "created_by": "op"}
    )
    assert (old.max_queued_runs, old.queued_runs) == (10, 0)
