"""Bulk operations find a tenant's runs by template, statuses and time range, oldest first, through
the runs' key range (never reading another tenant's), a page at a time with a cursor to go on; a
dry run acts on nothing; a plan limit stops the request where it is."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from orchestrator.core.errors import InvalidRequest
from orchestrator.core.ids import new_run_id
from orchestrator.core.records import Run, RunFilter, RunStatus
from orchestrator.runs import bulk
from orchestrator.runs.bulk import (
    BulkCaller,
    BulkCancelRequest,
    act_on_each,
    applicable_filter,
    bulk_cancel,
    select_runs,
)
from orchestrator.tenancy.plans import TenantLimitReached
from tests.fakes.run_data import InMemoryRunRepository, InMemoryStepResultRepository, RecordingPublisher
from tests.fakes.task_tokens import FakeTaskTokens

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
CALLER = BulkCaller("acme", "ops-admin", "admin", "corr-bulk")


def _store(
    runs: InMemoryRunRepository, minute: int, template: str, status: RunStatus, tenant: str = "acme"
) -> Run:
    at = START + timedelta(minutes=minute)
    run = Run(
        tenant_id=tenant,
        run_id=new_run_id(int(at.timestamp() * 1000)),
        template=template,
        topic=f"run at minute {minute}",
        status=status,
        correlation_id=f"corr-{minute}",
        created_at=at,
    )
    runs.create(run)
    return run


def _filter(**fields: Any) -> RunFilter:
    return RunFilter.model_validate(fields)


def test_runs_are_selected_by_template_status_and_time_range_oldest_first() -> None:
    runs = InMemoryRunRepository()
    kept = [
        _store(runs, 1, "generic", RunStatus.RUNNING),
        _store(runs, 3, "generic", RunStatus.QUEUED),
    ]
    _store(runs, 0, "generic", RunStatus.RUNNING)  # before the range
    _store(runs, 2, "web_development", RunStatus.RUNNING)  # another template
    _store(runs, 4, "generic", RunStatus.SUCCEEDED)  # another status
    _store(runs, 9, "generic", RunStatus.RUNNING)  # after the range
    _store(runs, 2, "generic", RunStatus.RUNNING, tenant="globex")  # another tenant
    wanted = _filter(
        template="generic",
        status=["RUNNING", "QUEUED"],
        started_after=(START + timedelta(minutes=1)).isoformat(),
        started_before=(START + timedelta(minutes=9)).isoformat(),
    )
    found, cursor = select_runs("acme", wanted, 10, None, runs)
    assert [run.run_id for run in found] == [run.run_id for run in kept] and cursor is None


def test_a_sparse_filter_is_followed_page_after_page_with_a_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given 30 runs, one in five of the wanted template, read 4 at a time
    monkeypatch.setattr(bulk, "READ_PAGE", 4)
    runs = InMemoryRunRepository()
    stored = [
        _store(runs, minute, "generic" if minute % 5 == 0 else "data_science", RunStatus.RUNNING)
        for minute in range(30)
    ]
    wanted = _filter(template="generic")
    # When they are taken two at a time
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        found, cursor = select_runs("acme", wanted, 2, cursor, runs)
        seen += [run.run_id for run in found]
        if cursor is None:
            break
    # Then every matching run is seen once, oldest first
    assert seen == [run.run_id for run in stored if run.template == "generic"]


def test_statuses_default_to_those_the_action_applies_to_and_others_are_refused() -> None:
    default = applicable_filter(_filter(template="generic"), "cancelled", bulk.CANCELLABLE)
    assert set(default.status or []) == {
        RunStatus.QUEUED,
        RunStatus.PENDING,
        RunStatus.RUNNING,
        RunStatus.AWAITING_APPROVAL,
    }
    with pytest.raises(InvalidRequest, match="a run that is SUCCEEDED cannot be cancelled"):
        applicable_filter(_filter(status=["RUNNING", "SUCCEEDED"]), "cancelled", bulk.CANCELLABLE)
    empty = _filter(started_after="2026-12-02T00:00:00Z", started_before="2026-12-02T00:00:00Z")
    with pytest.raises(InvalidRequest, match=r"started_after \(2026-12-02T00:00:00\+00:00\) must be before"):
        applicable_filter(empty, "resumed", bulk.RESUMABLE)


def test_a_dry_run_cancels_nothing_and_the_cancel_audits_each_run_and_the_request() -> None:
    runs, results, publisher = InMemoryRunRepository(), InMemoryStepResultRepository(), RecordingPublisher()
    going = [_store(runs, minute, "generic", RunStatus.RUNNING) for minute in range(3)]
    _store(runs, 5, "generic", RunStatus.COMPENSATED)
    request = BulkCancelRequest.model_validate({"filter": {"template": "generic"}, "dry_run": True})
    dry = bulk_cancel(
        CALLER, request, runs=runs, results=results, tokens=FakeTaskTokens(), publisher=publisher
    )
    assert [entry["outcome"] for entry in dry["runs"]] == ["would_cancel"] * 3
    assert all(runs.get("acme", run.run_id).cancel_requested_at is None for run in going)
    assert [(e.run_id, e.payload["outcome"]) for e in publisher.events] == [("-", "dry_run")]

    request = BulkCancelRequest.model_validate({"filter": {"template": "generic"}, "limit": 2})
    done = bulk_cancel(
        CALLER, request, runs=runs, results=results, tokens=FakeTaskTokens(), publisher=publisher
    )
    assert [entry["outcome"] for entry in done["runs"]] == ["cancel_requested"] * 2
    assert done["next_cursor"] == going[1].run_id
    per_run = [e for e in publisher.events[1:] if e.run_id != "-"]
    assert [(e.run_id, e.payload["action"], e.payload["caller"], e.payload["bulk_id"]) for e in per_run] == [
        (run.run_id, "cancel", "ops-admin", done["bulk_id"]) for run in going[:2]
    ]
    (request_event,) = [e for e in publisher.events[1:] if e.run_id == "-"]
    assert request_event.payload["action"] == "bulk_cancel" and request_event.payload["caller"] == "ops-admin"
    assert [r["run_id"] for r in request_event.payload["runs"]] == [run.run_id for run in going[:2]]
    # And the next request goes on with the third; asked again, the first two are skipped
    rest = bulk_cancel(
        CALLER,
        BulkCancelRequest.model_validate({"filter": {"template": "generic"}, "cursor": done["next_cursor"]}),
        runs=runs,
        results=results,
        tokens=FakeTaskTokens(),
        publisher=publisher,
    )
    assert [(e["run_id"], e["outcome"]) for e in rest["runs"]] == [(going[2].run_id, "cancel_requested")]
    again = bulk_cancel(
        CALLER,
        BulkCancelRequest.model_validate({"filter": {}}),
        runs=runs,
        results=results,
        tokens=FakeTaskTokens(),
        publisher=publisher,
    )
    assert [entry["outcome"] for entry in again["runs"]] == ["skipped"] * 3


def test_a_plan_limit_stops_the_request_and_its_cursor_starts_with_the_first_run_left() -> None:
    runs = InMemoryRunRepository()
    matched = [_store(runs, minute, "generic", RunStatus.COMPENSATED) for minute in range(4)]
    attempts: list[str] = []

    def act(run: Run) -> dict[str, Any]:
        attempts.append(run.run_id)
        if len(attempts) == 3:
            raise TenantLimitReached("the queue is full", limit="max_queued_runs", retry_after_seconds=30)
        return {"run_id": run.run_id, "outcome": "resumed"}

    entries, cursor, stopped = act_on_each(matched, None, None, act, lambda run, exc: None)
    assert attempts == [run.run_id for run in matched[:3]]
    assert [entry["outcome"] for entry in entries] == ["resumed", "resumed", "not_attempted", "not_attempted"]
    assert cursor == matched[1].run_id
    assert (
        stopped is not None and stopped["limit"] == "max_queued_runs" and stopped["retry_after_seconds"] == 30
    )
    # stopped at the very first run: the cursor still says to go on from the start
    attempts.clear()
    attempts += ["x", "y"]
    _, cursor, _ = act_on_each(matched, None, None, act, lambda run, exc: None)
    assert cursor == bulk.FIRST_RUN_ID


def test_a_request_out_of_time_acts_on_no_more_runs_and_its_cursor_goes_on_with_them() -> None:
    runs = InMemoryRunRepository()
    matched = [_store(runs, minute, "generic", RunStatus.COMPENSATED) for minute in range(3)]
    acted: list[str] = []

    def act(run: Run) -> dict[str, Any]:
        acted.append(run.run_id)
        return {"run_id": run.run_id, "outcome": "resumed"}

    deadline = time.monotonic() + 60
    entries, cursor, stopped = act_on_each(matched, None, "later", act, lambda run, exc: None, deadline)
    assert acted == [run.run_id for run in matched] and cursor == "later" and stopped is None
    acted.clear()
    entries, cursor, stopped = act_on_each(matched, "before", None, act, lambda run, exc: None, deadline - 61)
    assert acted == [] and cursor == "before" and stopped is None
    assert [entry["outcome"] for entry in entries] == ["not_attempted"] * 3
    assert "the next request goes on with it" in entries[0]["message"]
