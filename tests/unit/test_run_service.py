"""Starting runs (idempotently) and showing them back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from orchestrator.core import constants
from orchestrator.core.errors import InvalidRequest, RepositoryError, RunNotFound, TemplateNotFound
from orchestrator.core.records import (
    ResultMetadata,
    Run,
    RunRequest,
    RunStatus,
    StepResult,
    StepStatus,
    TokenUsage,
)
from orchestrator.runs.start import console_url, get_run_view, list_run_events, run_view, start_run
from tests.fakes.run_data import (
    FakeStarter,
    InMemoryEventRepository,
    InMemoryRunRepository,
    InMemoryStepResultRepository,
    RecordingPublisher,
)

RUN_ID = "01jzzzzzzzzzzzzzzzzzzzzzz1"


def start(
    runs: InMemoryRunRepository,
    starter: FakeStarter,
    publisher: RecordingPublisher,
    body: dict[str, object] | None = None,
    *,
    tenant_id: str = "acme",
    correlation_id: str = "corr-1",
    run_id: str | None = None,
) -> Run:
    request = RunRequest.model_validate(body or {"topic": "A bike-sharing app"})
    return start_run(
        tenant_id=tenant_id,
        request=request,
        correlation_id=correlation_id,
        runs=runs,
        starter=starter,
        publisher=publisher,
        created_by="user-1",
        run_id=run_id,
    )


def test_start_records_a_pending_run_and_starts_its_state_machine(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    # When a run is started
    run = start(runs, starter, publisher, {"topic": "  A bike-sharing app  ", "template": "generic"})

    # Then it is stored PENDING for the caller's tenant
    stored = runs.get("acme", run.run_id)
    assert stored.status is RunStatus.PENDING
    assert (stored.template, stored.topic, stored.correlation_id, stored.created_by) == (
        "generic",
        "A bike-sharing app",
        "corr-1",
        "user-1",
    )
    # And one execution named after the run gets references only (never the topic)
    (call,) = starter.calls
    assert call.template == "generic"
    assert call.run_id == run.run_id
    assert call.state_input == {
        "tenant_id": "acme",
        "run_id": run.run_id,
        "correlation_id": "corr-1",
        "template": "generic",
        "gate_timeouts": {},
    }
    assert publisher.events == []


def test_a_run_may_shorten_its_gates_decision_window_but_never_lengthen_it(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    # The template gives its gate an hour: a run asking for 2 s gets 2 s, one asking for a day gets the hour
    start(runs, starter, publisher, {"topic": "t", "template": "graph_showcase"})
    start(
        runs,
        starter,
        publisher,
        {"topic": "t", "template": "graph_showcase", "options": {"approval_timeout_seconds": 2}},
    )
    start(
        runs,
        starter,
        publisher,
        {"topic": "t", "template": "graph_showcase", "options": {"approval_timeout_seconds": 86400}},
    )
    assert [call.state_input["gate_timeouts"] for call in starter.calls] == [
        {"sign_off": 3600},
        {"sign_off": 2},
        {"sign_off": 3600},
    ]


def test_each_start_gets_a_new_run_id(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    first = start(runs, starter, publisher)
    second = start(runs, starter, publisher)

    assert first.run_id != second.run_id
    assert len(first.run_id) == 26
    assert {run.run_id for run in runs.list("acme", 10, None)[0]} == {first.run_id, second.run_id}


def test_unknown_template_is_template_not_found(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    with pytest.raises(TemplateNotFound, match="'nope'"):
        start(runs, starter, publisher, {"topic": "t", "template": "nope"})

    assert runs.items == {}
    assert starter.calls == []


def test_unknown_provider_is_refused_by_the_request_schema(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    with pytest.raises(ValidationError, match=r"'openai_compatible', 'bedrock' or 'replay'"):
        start(runs, starter, publisher, {"topic": "t", "options": {"provider": "gemini"}})

    assert runs.items == {}
    assert starter.calls == []


def test_simulated_failure_of_a_phase_not_in_the_template_is_an_invalid_request(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    # Given generic has no "planning" phase
    body = {
        "topic": "t",
        "template": "generic",
        "options": {"simulate_failure": {"step": "planning"}},
    }

    # When a run asks planning to fail, Then it is rejected before anything starts
    with pytest.raises(InvalidRequest, match="planning"):
        start(runs, starter, publisher, body)
    assert runs.items == {}
    assert starter.calls == []


def test_known_provider_and_simulated_failure_are_kept_on_the_run(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    body = {
        "topic": "t",
        "options": {"provider": "offline", "simulate_failure": {"step": "review", "times": 2}},
    }

    run = start(runs, starter, publisher, body)

    stored = runs.get("acme", run.run_id)
    assert stored.options.provider == "offline"
    assert stored.options.simulate_failure is not None
    assert (stored.options.simulate_failure.step, stored.options.simulate_failure.times) == ("review", 2)


def test_starting_the_same_run_id_again_after_it_started_starts_nothing(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    # Given a run that was started and is now running
    first = start(runs, starter, publisher, run_id=RUN_ID, correlation_id="corr-first")
    runs.update_status("acme", RUN_ID, RunStatus.RUNNING)

    # When the same request is delivered again
    again = start(runs, starter, publisher, run_id=RUN_ID, correlation_id="corr-second")

    # Then the existing run comes back and no second execution is started
    assert again.run_id == first.run_id
    assert again.status is RunStatus.RUNNING
    assert again.correlation_id == "corr-first"
    assert len(starter.calls) == 1


def test_starting_the_same_pending_run_id_again_starts_one_execution(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    # Given a run recorded and started, whose execution has not reported RUNNING yet
    start(runs, starter, publisher, run_id=RUN_ID, correlation_id="corr-first")

    # When the same request is delivered again
    again = start(runs, starter, publisher, run_id=RUN_ID, correlation_id="corr-second")

    # Then it asks for the very same execution (same name and input): still one execution
    assert again.correlation_id == "corr-first"
    assert len(starter.executions) == 1
    assert starter.calls[0] == starter.calls[-1]
    assert runs.get("acme", RUN_ID).status is RunStatus.PENDING


def test_same_run_id_in_two_tenants_are_two_runs(
    runs: InMemoryRunRepository, publisher: RecordingPublisher
) -> None:
    acme_starter, globex_starter = FakeStarter(), FakeStarter()
    start(runs, acme_starter, publisher, tenant_id="acme", run_id=RUN_ID, correlation_id="a")
    start(runs, globex_starter, publisher, tenant_id="globex", run_id=RUN_ID, correlation_id="g")

    assert runs.get("acme", RUN_ID).correlation_id == "a"
    assert runs.get("globex", RUN_ID).correlation_id == "g"
    assert len(acme_starter.calls) == len(globex_starter.calls) == 1


def test_start_failure_marks_the_run_failed_to_start_and_reports_it(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    # Given Step Functions is failing
    starter.fail_with(RuntimeError("states endpoint unreachable"))

    # When a run is started, Then the caller sees the failure
    with pytest.raises(RuntimeError, match="unreachable"):
        start(runs, starter, publisher, run_id=RUN_ID, correlation_id="corr-broken")

    # And the run says it failed to start, and why
    stored = runs.get("acme", RUN_ID)
    assert stored.status is RunStatus.FAILED_TO_START
    assert stored.status.is_final and stored.finished_at is not None
    assert stored.error == {"name": "RuntimeError", "message": "states endpoint unreachable"}
    # And the bus hears about it, with the run's correlation id
    (event,) = publisher.events
    assert event.event_type == constants.ERROR_OCCURRED
    assert (event.tenant_id, event.run_id, event.correlation_id) == ("acme", RUN_ID, "corr-broken")
    assert event.payload == {
        "stage": "start",
        "error": "RuntimeError",
        "message": "states endpoint unreachable",
    }


def test_domain_error_from_the_starter_is_passed_on_and_recorded(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    starter.fail_with(InvalidRequest("template 'generic' has no state machine in this deployment"))

    with pytest.raises(InvalidRequest, match="no state machine"):
        start(runs, starter, publisher, run_id=RUN_ID)

    # the run does not stay PENDING for ever: it failed to start, and says when and why
    stored = runs.get("acme", RUN_ID)
    assert stored.status is RunStatus.FAILED_TO_START and stored.finished_at is not None
    assert stored.error == {
        "name": "InvalidRequest",
        "message": "template 'generic' has no state machine in this deployment",
    }
    assert [e.event_type for e in publisher.events] == [constants.ERROR_OCCURRED]


# --- showing a run --------------------------------------------------------------------------
T0 = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def a_result(run: Run, phase: str, *, tokens: tuple[int, int] = (100, 50), cost: float = 0.001) -> StepResult:
    return StepResult(
        tenant_id=run.tenant_id,
        run_id=run.run_id,
        step=phase,
        status=StepStatus.SUCCEEDED,
        data={"summary": f"{phase} done"},
        summary=f"{phase} done",
        confidence_score=0.9,
        started_at=T0,
        completed_at=T0 + timedelta(seconds=2),
        metadata=ResultMetadata(agent=phase, attempts=1, provider="offline", model="m", prompt_version="v1"),
        token_usage=TokenUsage(input_tokens=tokens[0], output_tokens=tokens[1]),
        cost_usd=cost,
    )


def test_run_view_lists_every_phase_in_template_order() -> None:
    # Given a run where research and ideation (stored out of order) completed
    run = Run(tenant_id="acme", run_id=RUN_ID, template="generic", topic="t", correlation_id="c")
    results = [a_result(run, "research"), a_result(run, "ideation")]

    # When it is shown
    view = run_view(run, results)

    # Then all seven phases appear in template order, the missing ones NOT_STARTED
    assert [(p["step"], p["status"]) for p in view["steps"]] == [
        ("ideation", "SUCCEEDED"),
        ("research", "SUCCEEDED"),
        ("design", "NOT_STARTED"),
        ("development", "NOT_STARTED"),
        ("execution", "NOT_STARTED"),
        ("review", "NOT_STARTED"),
        ("deployment", "NOT_STARTED"),
    ]
    assert view["steps"][0]["title"] == "Ideation"
    assert view["steps"][0]["summary"] == "ideation done"
    assert "tenant_id" not in view["steps"][0]
    assert view["steps"][2] == {
        "step": "design",
        "title": "Design",
        "kind": "agent",
        "agent": "design",
        "status": "NOT_STARTED",
    }


def test_run_view_totals_tokens_and_cost_and_times_the_run() -> None:
    run = Run(
        tenant_id="acme",
        run_id=RUN_ID,
        template="generic",
        topic="t",
        correlation_id="c",
        status=RunStatus.SUCCEEDED,
        started_at=T0,
        finished_at=T0 + timedelta(seconds=90),
    )
    results = [
        a_result(run, "design", tokens=(100, 50), cost=0.001),
        a_result(run, "review", tokens=(10, 5), cost=0.002),
    ]

    view = run_view(run, results)

    assert view["total_tokens"] == 165
    assert view["total_cost_usd"] == pytest.approx(0.003)
    assert view["duration_ms"] == 90_000
    assert view["status"] == "SUCCEEDED"
    assert view["execution_console_url"] is None


def test_run_view_of_a_run_not_started_has_no_duration() -> None:
    run = Run(tenant_id="acme", run_id=RUN_ID, template="generic", topic="t", correlation_id="c")
    assert run_view(run, [])["duration_ms"] is None


def test_console_url_uses_the_region_of_the_execution() -> None:
    arn = "arn:aws:states:eu-central-1:123456789012:execution:orchestrator-generic:" + RUN_ID
    run = Run(
        tenant_id="acme", run_id=RUN_ID, template="generic", topic="t", correlation_id="c", execution_arn=arn
    )

    url = run_view(run, [])["execution_console_url"]

    assert url == (
        "https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1"
        f"#/v2/executions/details/{arn}"
    )
    assert console_url(None) is None
    assert console_url("") is None


def test_get_run_view_of_another_tenants_run_is_not_found(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    run = start(runs, starter, publisher, tenant_id="acme")
    results = InMemoryStepResultRepository()

    assert get_run_view("acme", run.run_id, runs, results)["run_id"] == run.run_id
    with pytest.raises(RunNotFound):
        get_run_view("globex", run.run_id, runs, results)


def test_events_of_another_tenants_run_are_not_found(
    runs: InMemoryRunRepository,
    starter: FakeStarter,
    publisher: RecordingPublisher,
    events: InMemoryEventRepository,
) -> None:
    run = start(runs, starter, publisher, tenant_id="acme")

    assert list_run_events("acme", run.run_id, runs, events, 10, None) == ([], None)
    with pytest.raises(RunNotFound):
        list_run_events("globex", run.run_id, runs, events, 10, None)


def test_a_passing_start_failure_leaves_the_run_pending_and_a_retry_starts_it(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    # Given Step Functions throttles the first start
    starter.fail_with(RepositoryError("starting run failed: ThrottlingException"))
    with pytest.raises(RepositoryError):
        start(runs, starter, publisher, run_id=RUN_ID)
    assert runs.get("acme", RUN_ID).status is RunStatus.PENDING
    assert publisher.events == []

    # When the request is delivered again (EventBridge retry, client retry)
    starter.fail_with(None)
    start(runs, starter, publisher, run_id=RUN_ID)

    # Then the run is started this time
    assert [call.run_id for call in starter.calls] == [RUN_ID, RUN_ID]
    assert RUN_ID in starter.executions


def test_a_provider_the_deployment_does_not_serve_is_refused_before_storing(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    request = RunRequest.model_validate({"topic": "x", "options": {"provider": "openai"}})
    with pytest.raises(
        InvalidRequest, match="'openai' is not configured in this deployment; available: anthropic"
    ):
        start_run(
            tenant_id="acme",
            request=request,
            correlation_id="c",
            runs=runs,
            starter=starter,
            publisher=publisher,
            run_id=RUN_ID,
            allowed_providers={"offline", "anthropic"},
        )
    with pytest.raises(RunNotFound):
        runs.get("acme", RUN_ID)
    assert starter.calls == []


def test_a_passing_start_failure_through_the_api_does_not_leave_a_pending_run(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    # Given the API (which makes a new run id per request) meets a throttled Step Functions
    starter.fail_with(RepositoryError("starting run failed: ThrottlingException"))
    with pytest.raises(RepositoryError):
        start(runs, starter, publisher)  # no run id: the service makes one

    # Then the run it created says it failed to start (the client's retry makes a new run)
    (run,) = runs.list("acme", 10, None)[0]
    assert run.status is RunStatus.FAILED_TO_START
    assert [e.event_type for e in publisher.events] == [constants.ERROR_OCCURRED]


def test_an_idempotency_key_survives_a_passing_start_failure(
    runs: InMemoryRunRepository, starter: FakeStarter, publisher: RecordingPublisher
) -> None:
    from orchestrator.runs.start import start_run_once
    from tests.fakes.run_data import InMemoryIdempotencyRepository

    records = InMemoryIdempotencyRepository()
    request = RunRequest.model_validate({"topic": "pay once"})

    def send() -> tuple[Run, bool]:
        return start_run_once(
            idempotency_key="k-1",
            records=records,
            tenant_id="acme",
            request=request,
            correlation_id="c",
            runs=runs,
            starter=starter,
            publisher=publisher,
        )

    # Given the first attempt meets a throttled Step Functions
    starter.fail_with(RepositoryError("starting run failed: ThrottlingException"))
    with pytest.raises(RepositoryError):
        send()
    (pending,) = runs.list("acme", 10, None)[0]
    assert pending.status is RunStatus.PENDING  # the key holds its run id: a retry will start it

    # When the client retries with the same key
    starter.fail_with(None)
    run, replayed = send()

    # Then the same run is started, once, and later retries are replays
    assert run.run_id == pending.run_id and replayed
    assert len(runs.list("acme", 10, None)[0]) == 1
    assert send() == (runs.get("acme", run.run_id), True)
    # (a still-PENDING run is started again; Step Functions answers the same execution for the
    # same name and input, so there is only ever one)
    assert {call.run_id for call in starter.calls} == {run.run_id}
    assert list(starter.executions) == [run.run_id]
