"""The tenants table on moto: onboarding, status, a plan's request rate per minute, its
concurrent-run slots, taken and given back atomically however many starts race, and its queue of
runs waiting for a slot, promoted once each however many promotions race."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from infra.admin.tenants import list_tenants
from orchestrator.adapters.dynamodb_tenants import DynamoTenantDirectory
from orchestrator.core.errors import ConflictError
from orchestrator.tenancy.plans import (
    RATE_WINDOW_SECONDS,
    Promotion,
    Tenant,
    TenantLimitReached,
    TenantNotActive,
    TenantStatus,
)
from tests.integration.conftest import MotoAws


def _directory(aws: MotoAws) -> DynamoTenantDirectory:
    return DynamoTenantDirectory(aws.tables["Tenants"])


def _tenant(tenant_id: str, *, rpm: int = 100, runs: int = 5) -> Tenant:
    return Tenant(
        tenant_id=tenant_id,
        plan="standard",
        requests_per_minute=rpm,
        max_concurrent_runs=runs,
        created_at="2026-01-01T00:00:00+00:00",
        created_by="operator",
    )


def test_a_tenant_is_onboarded_once_and_disabled_by_name(aws: MotoAws) -> None:
    directory = _directory(aws)
    directory.create(_tenant("acme"))
    directory.create(_tenant("acme-corp"))
    with pytest.raises(ConflictError):
        directory.create(_tenant("acme", rpm=1))
    assert directory.get("acme").requests_per_minute == 100  # type: ignore[union-attr]
    assert directory.get("acm") is None  # a prefix is another (unknown) tenant

    disabled = directory.set_status("acme", TenantStatus.DISABLED, by="operator")
    assert disabled.status is TenantStatus.DISABLED and disabled.disabled_by == "operator"
    assert directory.get("acme-corp").is_active  # type: ignore[union-attr]
    with pytest.raises(TenantNotActive):
        directory.set_status("nobody", TenantStatus.DISABLED, by="operator")
    assert {t.tenant_id: t.status for t in list_tenants(directory.table)} == {
        "acme": TenantStatus.DISABLED,
        "acme-corp": TenantStatus.ACTIVE,
    }


def test_requests_past_the_plans_rate_are_refused_until_the_next_minute(aws: MotoAws) -> None:
    directory = _directory(aws)
    capped, other = directory.create(_tenant("capped", rpm=3)), directory.create(_tenant("other", rpm=3))
    now = 1_800_000_000.0 + 20  # 20 s into a window
    for _ in range(3):
        directory.admit_request(capped, now)
    with pytest.raises(TenantLimitReached) as refused:
        directory.admit_request(capped, now + 5)
    assert refused.value.limit == "requests_per_minute"
    assert refused.value.retry_after_seconds == RATE_WINDOW_SECONDS - 25
    directory.admit_request(other, now + 5)  # another tenant has its own count
    directory.admit_request(capped, now + RATE_WINDOW_SECONDS)  # the next window starts afresh


def test_twenty_racing_starts_never_hold_more_slots_than_the_plan(
    aws: MotoAws, one_dynamodb_request_at_a_time: None
) -> None:
    directory = _directory(aws)
    directory.create(_tenant("racer", runs=5))

    def start(i: int) -> str:
        try:
            return "slot" if directory.acquire_run_slot("racer", f"run-{i:02d}") else "held"
        except TenantLimitReached as exc:
            assert exc.limit == "max_concurrent_runs" and exc.retry_after_seconds >= 1
            return "refused"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(start, range(20)))
    assert outcomes.count("slot") == 5 and outcomes.count("refused") == 15
    holders = directory.active_run_ids("racer")
    assert len(holders) == 5 and directory.get("racer").active_runs == 5  # type: ignore[union-attr]

    # a retried start of a run that holds a slot takes no second one
    assert directory.acquire_run_slot("racer", holders[0]) is False
    # a slot given back is free for another run, once: a second release changes nothing
    assert directory.release_run_slot("racer", holders[0]) is True
    assert directory.release_run_slot("racer", holders[0]) is False
    assert directory.get("racer").active_runs == 4  # type: ignore[union-attr]
    assert directory.acquire_run_slot("racer", "run-late") is True
    with pytest.raises(TenantLimitReached):
        directory.acquire_run_slot("racer", "run-later")


def test_a_disabled_or_unknown_tenant_gets_no_run_slot(aws: MotoAws) -> None:
    directory = _directory(aws)
    directory.create(_tenant("gone"))
    directory.set_status("gone", TenantStatus.DISABLED, by="operator")
    with pytest.raises(TenantNotActive):
        directory.acquire_run_slot("gone", "run-1")
    with pytest.raises(TenantNotActive):
        directory.acquire_run_slot("never-onboarded", "run-1")
    assert directory.active_run_ids("gone") == []


def test_the_queue_is_oldest_first_capped_and_a_newcomer_never_overtakes_it(aws: MotoAws) -> None:
    # Given a tenant allowed 1 run in progress and 3 waiting, its slot taken
    directory = _directory(aws)
    directory.create(_tenant("busy", runs=1))
    assert directory.acquire_run_slot("busy", "run-00")
    # When 3 runs queue (one of them twice: a retried start)
    assert [directory.enqueue_run("busy", f"run-0{i}", cap=3) for i in (1, 2, 3)] == [True] * 3
    assert directory.enqueue_run("busy", "run-02", cap=3) is False
    # Then they wait oldest first, each knows its place, and a 4th is refused: the cap
    assert [q.run_id for q in directory.queued_runs("busy")] == ["run-01", "run-02", "run-03"]
    assert [directory.queue_position("busy", f"run-0{i}") for i in (1, 2, 3, 4)] == [1, 2, 3, None]
    with pytest.raises(TenantLimitReached) as full:
        directory.enqueue_run("busy", "run-04", cap=3)
    assert full.value.limit == "max_queued_runs" and full.value.retry_after_seconds >= 1
    # When the slot frees, a newcomer does not take it from the runs waiting
    assert directory.release_run_slot("busy", "run-00")
    with pytest.raises(TenantLimitReached):
        directory.acquire_run_slot("busy", "run-05")
    # Then the oldest waiting run gets it, once, and the next waits for the next slot
    assert directory.promote_queued_run("busy", "run-01") is Promotion.PROMOTED
    assert directory.promote_queued_run("busy", "run-01") is Promotion.GONE
    assert directory.promote_queued_run("busy", "run-02") is Promotion.NO_SLOT
    assert directory.active_run_ids("busy") == ["run-01"]
    # And a run taken out of the queue frees its place, once
    assert directory.dequeue_run("busy", "run-03") is True
    assert directory.dequeue_run("busy", "run-03") is False
    tenant = directory.get("busy")
    assert tenant is not None and (tenant.active_runs, tenant.queued_runs) == (1, 1)
    assert directory.queue_position("busy", "run-02") == 1


def test_twenty_racing_promotions_fill_the_free_slots_once_each(
    aws: MotoAws, one_dynamodb_request_at_a_time: None
) -> None:
    # Given 3 free slots of 5 and 8 runs waiting
    directory = _directory(aws)
    directory.create(_tenant("drain", runs=5))
    assert directory.acquire_run_slot("drain", "run-a") and directory.acquire_run_slot("drain", "run-b")
    for i in range(8):
        directory.enqueue_run("drain", f"run-q{i}", cap=100)

    # When 20 promotions race, each for one of the waiting runs
    def promote(i: int) -> tuple[str, Promotion]:
        run_id = f"run-q{i % 8}"
        return run_id, directory.promote_queued_run("drain", run_id)

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(promote, range(20)))

    # Then exactly 3 runs were promoted, each once, and the limit holds
    promoted = [run_id for run_id, outcome in outcomes if outcome is Promotion.PROMOTED]
    assert len(promoted) == len(set(promoted)) == 3
    assert sorted(directory.active_run_ids("drain")) == sorted(["run-a", "run-b", *promoted])
    tenant = directory.get("drain")
    assert tenant is not None and (tenant.active_runs, tenant.queued_runs) == (5, 5)
    assert len(directory.queued_runs("drain")) == 5
