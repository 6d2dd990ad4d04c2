"""The DynamoDB repositories against moto: tenancy, pagination, idempotency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orchestrator.errors import ConflictError, InvalidRequest, RunNotFound
from orchestrator.ids import new_run_id
from orchestrator.models import (
    EventEnvelope,
    PhaseResult,
    PhaseStatus,
    ResultMetadata,
    Run,
    RunStatus,
)
from orchestrator.repositories.dynamodb import (
    DynamoEventRepository,
    DynamoPhaseResultRepository,
    DynamoRunRepository,
)
from tests.integration.conftest import MotoAws


def _run(tenant: str, run_id: str | None = None) -> Run:
    return Run(
        tenant_id=tenant, run_id=run_id or new_run_id(), template="generic", topic="t", correlation_id="c"
    )


def _result(tenant: str, run_id: str, phase: str, status: PhaseStatus = PhaseStatus.SUCCEEDED) -> PhaseResult:
    now = datetime.now(UTC)
    return PhaseResult(
        tenant_id=tenant,
        run_id=run_id,
        phase=phase,
        status=status,
        data={"summary": "s", "deliverables": ["d"], "confidence": 0.8}
        if status is PhaseStatus.SUCCEEDED
        else None,
        summary="s",
        confidence_score=0.8,
        started_at=now,
        completed_at=now,
        metadata=ResultMetadata(agent=phase, attempts=1, provider="offline", model="m", prompt_version="v1"),
        cost_usd=0.0012,
    )


def test_a_run_is_only_visible_to_its_tenant(aws: MotoAws) -> None:
    runs = DynamoRunRepository(aws.tables["Runs"])
    run = _run("acme")
    runs.create(run)
    assert runs.get("acme", run.run_id).topic == "t"
    with pytest.raises(RunNotFound):
        runs.get("globex", run.run_id)
    with pytest.raises(RunNotFound):
        runs.update_status("globex", run.run_id, RunStatus.RUNNING)


def test_creating_the_same_run_twice_conflicts(aws: MotoAws) -> None:
    runs = DynamoRunRepository(aws.tables["Runs"])
    run = _run("acme")
    runs.create(run)
    with pytest.raises(ConflictError):
        runs.create(run)


def test_runs_list_newest_first_in_pages(aws: MotoAws) -> None:
    runs = DynamoRunRepository(aws.tables["Runs"])
    base = 1_700_000_000_000
    ids = [new_run_id(base + i * 1000) for i in range(5)]
    for run_id in ids:
        runs.create(_run("acme", run_id))
    runs.create(_run("globex"))
    first, cursor = runs.list("acme", 2, None)
    second, cursor2 = runs.list("acme", 2, cursor)
    third, cursor3 = runs.list("acme", 2, cursor2)
    listed = [r.run_id for r in first + second + third]
    assert listed == list(reversed(ids))
    assert cursor3 is None or runs.list("acme", 2, cursor3)[0] == []
    with pytest.raises(InvalidRequest):
        runs.list("globex", 2, cursor)  # a cursor of another tenant is refused


def test_status_updates_and_compensation_list(aws: MotoAws) -> None:
    runs = DynamoRunRepository(aws.tables["Runs"])
    run = _run("acme")
    runs.create(run)
    updated = runs.update_status(
        "acme", run.run_id, RunStatus.COMPENSATING, error={"name": "X", "message": "m"}
    )
    assert updated.status is RunStatus.COMPENSATING and updated.error == {"name": "X", "message": "m"}
    runs.add_compensated_phase("acme", run.run_id, "research")
    runs.add_compensated_phase("acme", run.run_id, "ideation")
    assert runs.get("acme", run.run_id).compensated_phases == ["research", "ideation"]


def test_phase_results_attempts_and_compensation(aws: MotoAws) -> None:
    results = DynamoPhaseResultRepository(aws.tables["PhaseResults"])
    assert [results.next_attempt("acme", "r1", "design") for _ in range(3)] == [1, 2, 3]
    assert results.get("acme", "r1", "design") is None  # only counted attempts so far
    results.save(_result("acme", "r1", "design"))
    results.save(_result("acme", "r1", "ideation"))
    stored = results.get("acme", "r1", "design")
    assert stored is not None and stored.cost_usd == pytest.approx(0.0012) and stored.data
    assert results.list_for_run("globex", "r1") == []
    assert results.mark_compensated("acme", "r1", "design", datetime.now(UTC)) is True
    again = results.mark_compensated("acme", "r1", "design", datetime.now(UTC))
    assert again is False
    compensated = results.get("acme", "r1", "design")
    assert (
        compensated is not None and compensated.status is PhaseStatus.COMPENSATED and compensated.data is None
    )
    results.save(_result("acme", "r1", "review", PhaseStatus.FAILED))
    assert results.mark_compensated("acme", "r1", "review", datetime.now(UTC)) is False


def test_events_are_stored_once_in_time_order(aws: MotoAws) -> None:
    events = DynamoEventRepository(aws.tables["Events"])
    start = datetime.now(UTC)
    envelopes = [
        EventEnvelope(
            event_type=f"E{i}",
            correlation_id="c",
            tenant_id="acme",
            run_id="r1",
            timestamp=start + timedelta(seconds=i),
        )
        for i in range(3)
    ]
    for envelope in reversed(envelopes):
        assert events.append(envelope) is True
    assert events.append(envelopes[0]) is False  # redelivered
    listed, cursor = events.list_for_run("acme", "r1", 10, None)
    assert [e.event_type for e in listed] == ["E0", "E1", "E2"] and cursor is None
    assert events.list_for_run("globex", "r1", 10, None)[0] == []


def test_status_changes_can_be_conditional(aws: MotoAws) -> None:
    runs = DynamoRunRepository(aws.tables["Runs"])
    run = _run("acme")
    runs.create(run)
    runs.update_status("acme", run.run_id, RunStatus.RUNNING, allowed_from=[RunStatus.PENDING])
    with pytest.raises(ConflictError, match="is RUNNING: cannot become SUCCEEDED"):
        runs.update_status("acme", run.run_id, RunStatus.SUCCEEDED, allowed_from=[RunStatus.PENDING])
    assert runs.get("acme", run.run_id).status is RunStatus.RUNNING
    with pytest.raises(RunNotFound):
        runs.update_status("acme", new_run_id(), RunStatus.SUCCEEDED, allowed_from=[RunStatus.RUNNING])
