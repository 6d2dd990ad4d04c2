"""A step's live states in DynamoDB (and in the in-memory fake, which must agree): an attempt shows
RUNNING, a failed one RETRYING or FAILED, and no late write ever takes a finished step back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from orchestrator.adapters.dynamodb import DynamoStepResultRepository
from orchestrator.core.ports import StepResultRepository
from orchestrator.core.records import ResultMetadata, StepResult, StepStatus
from tests.fakes.run_data import InMemoryStepResultRepository
from tests.integration.conftest import MotoAws

RUN = "01jzzzzzzzzzzzzzzzzzzzzzz7"


def attempt(
    status: StepStatus, number: int, *, item: int | None = None, error: str | None = None
) -> StepResult:
    now = datetime.now(UTC)
    return StepResult(
        tenant_id="acme",
        run_id=RUN,
        step="design",
        item=item,
        status=status,
        started_at=now,
        completed_at=now if status in (StepStatus.SUCCEEDED, StepStatus.FAILED) else None,
        metadata=ResultMetadata(
            agent="design", attempts=number, provider="offline", model="", prompt_version="v1"
        ),
        last_error={"name": error, "message": f"{error} on attempt {number}"} if error else None,
        errors=[f"{error}: on attempt {number}"] if error else [],
    )


@pytest.fixture(params=["dynamodb", "in-memory"])
def results(request: pytest.FixtureRequest) -> StepResultRepository:
    if request.param == "in-memory":
        return InMemoryStepResultRepository()
    aws: MotoAws = request.getfixturevalue("aws")
    return DynamoStepResultRepository(aws.tables["StepResults"])


def status_of(results: StepResultRepository, key: str = "design") -> tuple[str, int, dict[str, str] | None]:
    stored = results.get("acme", RUN, key)
    assert stored is not None
    return stored.status.value, stored.metadata.attempts, stored.last_error


def test_an_attempt_runs_then_is_due_again_with_its_error_then_succeeds(
    results: StepResultRepository,
) -> None:
    # Given attempt 1 started
    assert results.start_attempt(attempt(StepStatus.RUNNING, 1)) is True
    assert status_of(results) == ("RUNNING", 1, None)
    running = results.get("acme", RUN, "design")
    assert running is not None and running.completed_at is None
    # When it fails with an error the state machine retries
    assert results.end_attempt(attempt(StepStatus.RETRYING, 1, error="ProviderThrottled")) is True
    retrying = status_of(results)
    assert retrying[:2] == ("RETRYING", 1) and retrying[2] is not None
    assert retrying[2]["name"] == "ProviderThrottled"
    # Then attempt 2 shows RUNNING, the last error still visible, and its success replaces it all
    assert results.start_attempt(attempt(StepStatus.RUNNING, 2)) is True
    assert status_of(results)[:2] == ("RUNNING", 2)
    assert status_of(results)[2] == {"name": "ProviderThrottled", "message": "ProviderThrottled on attempt 1"}
    results.save(attempt(StepStatus.SUCCEEDED, 2))
    assert status_of(results) == ("SUCCEEDED", 2, None)
    assert [r.status for r in results.list_for_run("acme", RUN)] == [StepStatus.SUCCEEDED]


@pytest.mark.parametrize(
    "finished", [StepStatus.SUCCEEDED, StepStatus.REJECTED, StepStatus.COMPENSATED, StepStatus.WAITING]
)
def test_a_late_write_never_takes_a_finished_step_back(
    results: StepResultRepository, finished: StepStatus
) -> None:
    # Given a step that has finished after two attempts
    results.start_attempt(attempt(StepStatus.RUNNING, 2))
    results.save(attempt(StepStatus.SUCCEEDED, 2).model_copy(update={"status": finished}))
    # When a late RUNNING, RETRYING or FAILED write of any attempt arrives
    late: list[Callable[[], bool]] = [
        lambda: results.start_attempt(attempt(StepStatus.RUNNING, 3)),
        lambda: results.start_attempt(attempt(StepStatus.RUNNING, 1)),
        lambda: results.end_attempt(attempt(StepStatus.RETRYING, 3, error="ProviderTimeout")),
        lambda: results.end_attempt(attempt(StepStatus.FAILED, 2, error="ModelOutputInvalid")),
    ]
    # Then none is written and the step keeps its status
    assert [write() for write in late] == [False] * 4
    assert status_of(results) == (finished.value, 2, None)


def test_an_older_attempts_write_does_not_replace_a_newer_ones(results: StepResultRepository) -> None:
    results.start_attempt(attempt(StepStatus.RUNNING, 1))
    results.end_attempt(attempt(StepStatus.RETRYING, 1, error="ProviderUnavailable"))
    results.start_attempt(attempt(StepStatus.RUNNING, 2))
    # attempt 1's duplicate start and a stale failure of it are refused; attempt 2 stays RUNNING
    assert results.start_attempt(attempt(StepStatus.RUNNING, 1)) is False
    assert results.end_attempt(attempt(StepStatus.FAILED, 1, error="ProviderUnavailable")) is False
    assert status_of(results)[:2] == ("RUNNING", 2)
    # a failed step may be run again by a later attempt (FAILED is not a finished result)
    assert results.end_attempt(attempt(StepStatus.FAILED, 2, error="ModelOutputInvalid")) is True
    assert results.start_attempt(attempt(StepStatus.RUNNING, 3)) is True


def test_map_items_have_live_states_of_their_own(results: StepResultRepository) -> None:
    results.start_attempt(attempt(StepStatus.RUNNING, 1, item=0))
    results.start_attempt(attempt(StepStatus.RUNNING, 1, item=1))
    results.end_attempt(attempt(StepStatus.RETRYING, 1, item=1, error="ProviderThrottled"))
    assert status_of(results, "design#0000")[:2] == ("RUNNING", 1)
    assert status_of(results, "design#0001")[:2] == ("RETRYING", 1)
    assert results.get("acme", RUN, "design") is None
