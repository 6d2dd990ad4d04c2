"""``POST /runs/bulk/resume`` and ``POST /runs/bulk/cancel`` through the API function on moto: admins
only, a dry run that starts nothing, resumes admitted like new runs (a full queue stops the request
with a cursor to go on), each run and the request audited with who asked."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from infra.local.tokens import LocalSigningKey
from orchestrator.core.ids import new_run_id
from orchestrator.core.records import Run, RunStatus, utc_now
from orchestrator.runs.bulk import (
    RESUME_CLAIM_SECONDS,
    BulkCaller,
    BulkCancelRequest,
    BulkResumeRequest,
    ResumeServices,
    bulk_cancel,
    bulk_resume,
    claim_resume,
)
from tests.integration.conftest import MotoAws, onboard
from tests.integration.test_api_handler import call
from tests.integration.test_api_resume import REUSED, save_undone_steps
from tests.integration.test_run_queue import _started_run_ids


def _failed_at_development(api: Any, tenant_id: str, template: str = "generic") -> str:
    """A stored run that failed for good at development, its first three steps undone."""
    run = Run(
        tenant_id=tenant_id,
        run_id=new_run_id(),
        template=template,
        topic="a todo app",
        status=RunStatus.COMPENSATED,
        failed_step="development",
        correlation_id="corr-failed",
    )
    api.container.runs.create(run)
    save_undone_steps(api.container.step_results, tenant_id, run.run_id)
    return run.run_id


def _actions(aws: MotoAws) -> list[dict[str, Any]]:
    return [m["detail"] for m in aws.published() if m["detail-type"] == "USER_ACTION"]


def test_a_bulk_resume_lists_first_then_resumes_through_the_queue_until_it_is_full(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey
) -> None:
    # Given a tenant allowed one run in progress and one waiting, with three generic runs failed at
    # development (besides a data_science run that failed and a generic run that succeeded)
    onboard("incident", max_concurrent_runs=1, max_queued_runs=1)
    admin = signing_key.mint(tenant_id="incident", role="admin", subject="ops")
    failed = [_failed_at_development(api, "incident") for _ in range(2)]
    _failed_at_development(api, "incident", template="data_science")
    succeeded = _failed_at_development(api, "incident")
    api.container.runs.update_status("incident", succeeded, RunStatus.SUCCEEDED)
    failed.append(_failed_at_development(api, "incident"))
    body: dict[str, Any] = {"filter": {"template": "generic"}, "options": {}}
    # When an admin asks for a dry run
    status, dry, _ = call(api, "POST", "/runs/bulk/resume", token=admin, body=body | {"dry_run": True})
    # Then it lists the three runs with what each would reuse, and starts nothing
    assert status == 200, dry
    assert [(r["run_id"], r["outcome"], r["from_step"]) for r in dry["runs"]] == [
        (run_id, "would_resume", "development") for run_id in failed
    ]
    assert dry["runs"][0]["reused_steps"] == REUSED and dry["filter"]["status"]
    assert _started_run_ids() == []
    # When it resumes them
    status, done, _ = call(api, "POST", "/runs/bulk/resume", token=admin, body=body)
    # Then the first takes the slot, the second waits in the queue, and the full queue stops the third
    assert status == 200, done
    assert [(r["outcome"], r.get("new_status")) for r in done["runs"]] == [
        ("resumed", "PENDING"),
        ("resumed", "QUEUED"),
        ("not_attempted", None),
    ]
    assert done["stopped"]["limit"] == "max_queued_runs" and done["stopped"]["retry_after_seconds"] >= 1
    assert done["next_cursor"] == failed[1], "the next request starts with the run not attempted"
    new_runs = [r["new_run_id"] for r in done["runs"][:2]]
    assert _started_run_ids() == new_runs[:1]
    # And each resumed run and the request are audited, naming the admin and the operation
    actions = _actions(aws)
    per_run = [a for a in actions if a["payload"].get("bulk_id") == done["bulk_id"] and a["run_id"] != "-"]
    assert [(a["run_id"], a["payload"]["action"], a["payload"]["caller"]) for a in per_run] == [
        (run_id, "resume", "ops") for run_id in new_runs
    ]
    (request,) = [
        a for a in actions if a["payload"]["action"] == "bulk_resume" and not a["payload"]["dry_run"]
    ]
    assert request["run_id"] == "-" and request["payload"]["caller"] == "ops"
    assert [r["outcome"] for r in request["payload"]["runs"]] == ["resumed", "resumed", "not_attempted"]
    # And asked again, the two resumed are skipped and the third is still refused by the full queue
    again = call(api, "POST", "/runs/bulk/resume", token=admin, body=body)[1]
    assert [r["outcome"] for r in again["runs"]] == ["skipped", "skipped", "not_attempted"]


def test_bulk_operations_are_for_admins_and_refuse_a_status_they_cannot_apply_to(
    api: Any, signing_key: LocalSigningKey
) -> None:
    user = signing_key.mint(tenant_id="acme", role="user")
    admin = signing_key.mint(tenant_id="acme", role="admin")
    assert call(api, "POST", "/runs/bulk/cancel", token=user, body={"filter": {}})[0] == 403
    status, answer, _ = call(
        api, "POST", "/runs/bulk/resume", token=admin, body={"filter": {"status": ["SUCCEEDED"]}}
    )
    assert status == 400 and "a run that is SUCCEEDED cannot be resumed" in answer["message"]
    status, answer, _ = call(
        api, "POST", "/runs/bulk/cancel", token=admin, body={"filter": {"started_after": "yesterday"}}
    )
    assert status == 422 and [d["location"] for d in answer["details"]] == ["body.filter.started_after"]


def test_a_bulk_cancel_stops_the_runs_of_a_template_and_leaves_the_others(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey
) -> None:
    user = signing_key.mint(tenant_id="acme", role="user")
    admin = signing_key.mint(tenant_id="acme", role="admin", subject="ops")
    started = [
        call(api, "POST", "/runs", token=user, body={"template": template, "topic": "t"})[1]["run_id"]
        for template in ("generic", "data_science", "generic")
    ]
    later = utc_now()
    last = call(api, "POST", "/runs", token=user, body={"template": "generic", "topic": "t"})[1]["run_id"]
    # a time range: only the run requested since
    since = {"filter": {"template": "generic", "started_after": later.isoformat()}, "dry_run": True}
    dry = call(api, "POST", "/runs/bulk/cancel", token=admin, body=since)[1]
    assert [(r["run_id"], r["outcome"]) for r in dry["runs"]] == [(last, "would_cancel")]
    before = {"filter": {"template": "generic", "started_before": later.isoformat()}}
    status, answer, _ = call(api, "POST", "/runs/bulk/cancel", token=admin, body=before)
    assert status == 200, answer
    assert [(r["run_id"], r["outcome"]) for r in answer["runs"]] == [
        (started[0], "cancel_requested"),
        (started[2], "cancel_requested"),
    ]
    runs = api.container.runs
    assert [runs.get("acme", run_id).cancel_requested_by for run_id in [*started, last]] == [
        "ops",
        None,
        "ops",
        None,
    ]
    cancels = [a for a in _actions(aws) if a["payload"]["action"] == "cancel"]
    assert [(a["run_id"], a["payload"]["bulk_id"]) for a in cancels] == [
        (run_id, answer["bulk_id"]) for run_id in (started[0], started[2])
    ]


class _ReadTogether:
    """The runs repository, except that each request's read of the matching runs waits until every
    request has read them: the requests then act on what they all read at the same moment."""

    def __init__(self, runs: Any, barrier: threading.Barrier) -> None:
        self._runs, self._barrier = runs, barrier

    def find(self, *args: Any, **kwargs: Any) -> Any:
        found = self._runs.find(*args, **kwargs)
        self._barrier.wait(timeout=30)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._runs, name)


def _at_once(*requests: Callable[[], dict[str, Any]]) -> list[dict[str, Any]]:
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return [future.result(timeout=120) for future in [pool.submit(request) for request in requests]]


def _bulk_caller(subject: str) -> BulkCaller:
    return BulkCaller("incident", subject, "admin", f"corr-{subject}")


@pytest.mark.usefixtures("one_dynamodb_request_at_a_time")  # each request atomic, as on DynamoDB
def test_two_bulk_resumes_at_the_same_moment_resume_each_run_once(api: Any, aws: MotoAws) -> None:
    # Given two generic runs failed at development, and two admins asking to resume them at the same
    # moment (both requests read the runs before either resumes one)
    onboard("incident", max_concurrent_runs=10, max_queued_runs=10)
    failed = [_failed_at_development(api, "incident") for _ in range(2)]
    container = api.container
    runs = _ReadTogether(container.runs, threading.Barrier(2))
    services = ResumeServices(starter=container.starter, tenants=container.tenants)
    request = BulkResumeRequest.model_validate({"filter": {"template": "generic"}, "options": {}})

    def resume_as(subject: str) -> Callable[[], dict[str, Any]]:
        return lambda: bulk_resume(
            _bulk_caller(subject),
            request,
            runs=runs,
            results=container.step_results,
            publisher=container.publisher,
            services=services,
        )

    # When both resume
    answers = _at_once(resume_as("ops-1"), resume_as("ops-2"))
    # Then each run is resumed once: by one request, skipped by the other
    for run_id in failed:
        outcomes = sorted(next(r["outcome"] for r in a["runs"] if r["run_id"] == run_id) for a in answers)
        assert outcomes == ["resumed", "skipped"], run_id
    started = _started_run_ids()
    assert len(started) == 2 and len(set(started)) == 2
    assert [len(container.runs.get("incident", run_id).resumed_by) for run_id in failed] == [1, 1]
    resumes = [a for a in _actions(aws) if a["payload"]["action"] == "resume"]
    assert sorted(a["payload"]["resumed_from"] for a in resumes) == sorted(failed)


def test_a_resume_claim_is_won_once_and_given_back_when_the_resume_fails(api: Any) -> None:
    # Given a failed run
    run_id = _failed_at_development(api, "incident")
    runs = api.container.runs
    # When two bulk resumes claim it, Then the first holds it and the second is told why not
    assert claim_resume(runs, "incident", run_id, "bulk-1") is None
    assert claim_resume(runs, "incident", run_id, "bulk-2") == "another bulk resume is resuming it"
    # And a claim older than a request can live is taken over (the request that held it died)
    stale = (utc_now() - timedelta(seconds=RESUME_CLAIM_SECONDS + 1)).isoformat()
    runs.update_fields("incident", run_id, allowed_from=[RunStatus.COMPENSATED], resume_claimed_at=stale)
    assert claim_resume(runs, "incident", run_id, "bulk-3") is None
    # And once the run lists a run resuming it, no bulk resume claims it
    runs.update_fields(
        "incident", run_id, allowed_from=[RunStatus.COMPENSATED], resume_claimed_at=None, resumed_by=["r2"]
    )
    assert claim_resume(runs, "incident", run_id, "bulk-4") == "resumed already by r2"


@pytest.mark.usefixtures("one_dynamodb_request_at_a_time")  # each request atomic, as on DynamoDB
def test_two_bulk_cancels_at_the_same_moment_cancel_each_run_once(api: Any, aws: MotoAws) -> None:
    # Given two running runs, and two admins cancelling every run at the same moment
    container = api.container
    running = []
    for _ in range(2):
        run = Run(
            tenant_id="incident",
            run_id=new_run_id(),
            template="generic",
            topic="t",
            status=RunStatus.RUNNING,
            correlation_id="c",
        )
        container.runs.create(run)
        running.append(run.run_id)
    runs = _ReadTogether(container.runs, threading.Barrier(2))
    request = BulkCancelRequest.model_validate({"filter": {}})

    def cancel_as(subject: str) -> Callable[[], dict[str, Any]]:
        return lambda: bulk_cancel(
            _bulk_caller(subject),
            request,
            runs=runs,
            results=container.step_results,
            tokens=container.task_tokens,
            publisher=container.publisher,
        )

    # When both cancel
    answers = _at_once(cancel_as("ops-1"), cancel_as("ops-2"))
    # Then each run's cancel is asked by one request and skipped by the other, which names who asked
    for run_id in running:
        entries = [next(r for r in a["runs"] if r["run_id"] == run_id) for a in answers]
        assert sorted(e["outcome"] for e in entries) == ["cancel_requested", "skipped"], run_id
        asked_by = container.runs.get("incident", run_id).cancel_requested_by
        skipped = next(e for e in entries if e["outcome"] == "skipped")
        assert skipped["message"].startswith(f"{asked_by} asked to cancel it at ")
    cancels = [a for a in _actions(aws) if a["payload"]["action"] == "cancel"]
    assert sorted(a["run_id"] for a in cancels) == sorted(running)
