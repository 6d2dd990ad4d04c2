"""A run can be followed live: a step is RUNNING with its attempt while its function works, RETRYING
with the error after an attempt the state machine will retry, and never goes back once finished."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.core import constants
from orchestrator.core.errors import ProviderThrottled, SimulatedPhaseFailure
from orchestrator.core.records import (
    ResultMetadata,
    Run,
    RunStatus,
    RunStatusTaskInput,
    StepResult,
    StepStatus,
    StepTaskInput,
    utc_now,
)
from orchestrator.providers.base import ModelRequest, ModelResponse
from orchestrator.providers.offline import OfflineProvider
from orchestrator.runs.start import run_view
from orchestrator.runs.status import record_status
from tests.unit.template_world import RUN_ID, TENANT, TemplateWorld


def task(
    step: str, retry_count: int | None, item: int | None = None, template: str = "generic"
) -> StepTaskInput:
    return StepTaskInput(
        tenant_id=TENANT,
        run_id=RUN_ID,
        correlation_id="corr",
        template=template,
        step=step,
        item=item,
        retry_count=retry_count,
    )


class WatchingProvider:
    """The offline provider, noting what a viewer of the run sees while each model call runs."""

    name = "offline"

    def __init__(self) -> None:
        self.inner = OfflineProvider()
        self.world: TemplateWorld | None = None
        self.seen: list[dict[str, Any]] = []

    def complete(self, request: ModelRequest) -> ModelResponse:
        assert self.world is not None
        run = self.world.runs.get(TENANT, RUN_ID)
        view = run_view(run, self.world.results.list_for_run(TENANT, RUN_ID))
        self.seen.append(next(step for step in view["steps"] if step["step"] == request.phase))
        return self.inner.complete(request)


def running(template: str, **kwargs: Any) -> TemplateWorld:
    """A run of ``template`` whose state machine has started it."""
    world = TemplateWorld(template, **kwargs)
    world.runs.update_status(TENANT, RUN_ID, RunStatus.RUNNING)
    return world


def events(world: TemplateWorld, event_type: str) -> list[dict[str, Any]]:
    return [e.payload for e in world.publisher.events if e.event_type == event_type]


def test_a_step_is_running_with_its_attempt_while_its_function_works() -> None:
    provider = WatchingProvider()
    world = running("generic", provider=provider)
    provider.world = world

    # When the state machine runs ideation's third attempt (two retries before it)
    world.runner.run(task("ideation", retry_count=2))

    # Then, while the model was called, the run view showed it RUNNING, attempt 3, since it started
    (seen,) = provider.seen
    assert (seen["status"], seen["attempt"], seen["completed_at"]) == ("RUNNING", 3, None)
    assert seen["started_at"] is not None and seen["last_error"] is None
    # And PHASE_STARTED said so on the bus before PHASE_COMPLETED
    assert events(world, constants.PHASE_STARTED) == [
        {"step": "ideation", "item": None, "agent": "ideation", "attempt": 3}
    ]
    kinds = [e.event_type for e in world.publisher.events]
    assert kinds.index(constants.PHASE_STARTED) < kinds.index(constants.PHASE_COMPLETED)
    assert world.result("ideation").status is StepStatus.SUCCEEDED
    assert world.result("ideation").metadata.attempts == 3


def test_a_throttled_attempt_leaves_the_step_retrying_with_its_error_until_the_next_one() -> None:
    world = running(
        "generic",
        options={"simulate_failure": {"step": "research", "times": 1, "error": "ProviderThrottled"}},
    )
    world.runner.run(task("ideation", retry_count=0))

    # When research's first attempt is throttled
    with pytest.raises(ProviderThrottled):
        world.runner.run(task("research", retry_count=0))

    # Then research shows RETRYING, attempt 1, with the error; not finished
    view = run_view(world.runs.get(TENANT, RUN_ID), world.results.list_for_run(TENANT, RUN_ID))
    research = next(step for step in view["steps"] if step["step"] == "research")
    assert (research["status"], research["attempt"], research["completed_at"]) == ("RETRYING", 1, None)
    assert research["last_error"]["name"] == "ProviderThrottled"
    assert "simulated ProviderThrottled" in research["last_error"]["message"]
    # And STEP_RETRYING (not PHASE_FAILED) tells the bus which attempt failed and how many may run
    (retrying,) = events(world, constants.STEP_RETRYING)
    assert retrying | {"message": ""} == {
        "step": "research",
        "item": None,
        "attempt": 1,
        "error": "ProviderThrottled",
        "message": "",
        "transient": True,
        "max_attempts": world.template.retry.max_attempts + 1,
    }
    assert events(world, constants.PHASE_FAILED) == []

    # When the state machine's retry runs (attempt 2), it succeeds
    world.runner.run(task("research", retry_count=1))
    assert world.result("research").status is StepStatus.SUCCEEDED
    assert world.result("research").metadata.attempts == 2
    assert [e["attempt"] for e in events(world, constants.PHASE_STARTED) if e["step"] == "research"] == [1, 2]


def test_a_retryable_error_on_the_last_attempt_ends_the_step_failed() -> None:
    world = running(
        "generic", options={"simulate_failure": {"step": "ideation", "error": "ProviderThrottled"}}
    )
    last_attempt = world.template.retry.max_attempts + 1

    with pytest.raises(ProviderThrottled):
        world.runner.run(task("ideation", retry_count=last_attempt - 1))

    failed = world.result("ideation")
    assert (failed.status, failed.metadata.attempts) == (StepStatus.FAILED, last_attempt)
    assert failed.completed_at is not None and failed.last_error is not None
    assert events(world, constants.STEP_RETRYING) == []
    assert [e["attempt"] for e in events(world, constants.PHASE_FAILED)] == [last_attempt]


def test_an_error_the_state_machine_does_not_retry_ends_the_step_failed_at_once() -> None:
    world = running("generic", options={"simulate_failure": {"step": "ideation"}})

    with pytest.raises(SimulatedPhaseFailure):
        world.runner.run(task("ideation", retry_count=0))

    failed = world.result("ideation")
    assert (failed.status, failed.metadata.attempts) == (StepStatus.FAILED, 1)
    assert failed.last_error == {
        "name": "SimulatedPhaseFailure",
        "message": failed.errors[0].split(": ", 1)[1],
    }
    assert events(world, constants.STEP_RETRYING) == []


def test_a_late_attempt_never_takes_a_succeeded_step_back_to_running() -> None:
    provider = WatchingProvider()
    world = running("generic", provider=provider)
    provider.world = world
    world.runner.run(task("ideation", retry_count=0))

    # When a duplicate invocation of the same attempt arrives after the step succeeded
    world.runner.run(task("ideation", retry_count=0))

    # Then the step never showed RUNNING again
    assert [seen["status"] for seen in provider.seen] == ["RUNNING", "SUCCEEDED"]
    assert world.result("ideation").status is StepStatus.SUCCEEDED


def test_without_a_retry_count_the_attempts_started_are_counted() -> None:
    world = running(
        "generic", options={"simulate_failure": {"step": "ideation", "times": 1, "error": "ProviderTimeout"}}
    )
    with pytest.raises(Exception, match="ProviderTimeout"):
        world.runner.run(task("ideation", retry_count=None))
    assert world.result("ideation").status is StepStatus.RETRYING
    world.runner.run(task("ideation", retry_count=None))
    assert world.result("ideation").metadata.attempts == 2


def test_map_items_and_their_group_show_running_and_retrying() -> None:
    # Given a showcase run whose map has item 0 running and item 1 due for a retry
    run = Run(tenant_id=TENANT, run_id=RUN_ID, template="graph_showcase", topic="t", correlation_id="c")
    now = utc_now()

    def live(item: int, status: StepStatus, error: dict[str, str] | None) -> StepResult:
        return StepResult(
            tenant_id=TENANT,
            run_id=RUN_ID,
            step="execute_task",
            item=item,
            status=status,
            started_at=now,
            metadata=ResultMetadata(
                agent="showcase_executor",
                attempts=item + 1,
                provider="offline",
                model="",
                prompt_version="v1",
            ),
            last_error=error,
        )

    results = [
        live(0, StepStatus.RUNNING, None),
        live(1, StepStatus.RETRYING, {"name": "ProviderThrottled", "message": "429"}),
    ]
    view = run_view(run, results)

    (group,) = [step for step in view["steps"] if step["kind"] == "map"]
    assert group["status"] == "RUNNING"
    items = {item["item"]: item["steps"][0] for item in group["items"]}
    assert (items[0]["status"], items[0]["attempt"]) == ("RUNNING", 1)
    assert (items[1]["status"], items[1]["attempt"], items[1]["last_error"]["name"]) == (
        "RETRYING",
        2,
        "ProviderThrottled",
    )


class CrashingProvider:
    """A model call the function never comes back from (as when Lambda's timeout stops it)."""

    name = "offline"

    def complete(self, request: ModelRequest) -> ModelResponse:
        raise KeyboardInterrupt("stopped mid-call")


def test_a_step_whose_function_was_stopped_mid_attempt_does_not_stay_running() -> None:
    # Given research's function was stopped mid-attempt: it never recorded its end
    world = running("generic", provider=CrashingProvider())
    with pytest.raises(KeyboardInterrupt):
        world.runner.run(task("research", retry_count=0))
    assert world.result("research").status is StepStatus.RUNNING

    # When the state machine's Catch records the failure (Step Functions' own error name)
    record_status(
        RunStatusTaskInput(
            tenant_id=TENANT,
            run_id=RUN_ID,
            correlation_id="corr",
            template="generic",
            status=RunStatus.COMPENSATING,
            failed_step="research",
            error={"Error": "States.Timeout", "Cause": "Task timed out after 300.00 seconds"},
        ),
        runs=world.runs,
        publisher=world.publisher,
        results=world.results,
    )

    # Then the step ends FAILED with that error, and the run names it as the failed step
    research = world.result("research")
    assert (research.status, research.metadata.attempts) == (StepStatus.FAILED, 1)
    assert research.last_error == {"name": "States.Timeout", "message": "Task timed out after 300.00 seconds"}
    assert research.completed_at is not None
    assert world.runs.get(TENANT, RUN_ID).failed_step == "research"


def test_the_demo_tells_a_step_due_for_a_retry_with_its_error() -> None:
    from infra.cli.narration import step_line

    line = step_line(
        {
            "step": "research",
            "status": "RETRYING",
            "metadata": {"attempts": 1, "provider": "offline"},
            "last_error": {"name": "ProviderThrottled", "message": "429 from the provider"},
        }
    )
    assert line.splitlines() == [
        "  [~~] research           RETRYING      attempt 1  offline",
        "         failed, retrying: ProviderThrottled: 429 from the provider",
    ]
