"""Running one phase: the stored standard result, the prompt's context, failures and retries."""

from __future__ import annotations

import json

import pytest

from orchestrator import constants, templates
from orchestrator.errors import (
    ModelOutputInvalid,
    ProviderNotConfigured,
    ProviderThrottled,
    RunNotFound,
    SimulatedPhaseFailure,
)
from orchestrator.models import PhaseStatus, PhaseTaskInput, Run, SimulatedFailure
from orchestrator.phase_runner import PhaseRunner
from orchestrator.prompts import PROMPT_VERSION
from orchestrator.providers import ModelProvider, create_provider
from orchestrator.providers.offline import OFFLINE_MODEL
from orchestrator.templates import PhaseDeclaration, Template

from .fakes import (
    InMemoryPhaseResultRepository,
    InMemoryRunRepository,
    RecordingPublisher,
    ScriptedProvider,
    given_run,
    phase_answer,
)


def runner_with(
    runs: InMemoryRunRepository,
    results: InMemoryPhaseResultRepository,
    publisher: RecordingPublisher,
    provider: ModelProvider | None = None,
) -> PhaseRunner:
    def factory(name: str | None) -> ModelProvider:
        if provider is not None:
            return provider
        return create_provider(name or "offline")

    return PhaseRunner(runs=runs, results=results, publisher=publisher, provider_factory=factory)


def task_for(run: Run, phase: str) -> PhaseTaskInput:
    return PhaseTaskInput(
        tenant_id=run.tenant_id,
        run_id=run.run_id,
        correlation_id=run.correlation_id,
        template=run.template,
        phase=phase,
    )


@pytest.fixture
def writer_template(monkeypatch: pytest.MonkeyPatch) -> Template:
    """A template whose phase is served by an agent of another name."""
    template = Template(
        name="press_release",
        title="Press release",
        description="Draft and edit.",
        phases=[
            PhaseDeclaration(name="draft", agent="writer", title="Draft", goal="Write a first draft."),
            PhaseDeclaration(name="edit", agent="editor", title="Edit", goal="Tighten the draft."),
        ],
    )
    monkeypatch.setitem(templates.TEMPLATES, template.name, template)
    return template


def test_successful_phase_stores_the_standard_result(
    runs: InMemoryRunRepository,
    results: InMemoryPhaseResultRepository,
    publisher: RecordingPublisher,
    writer_template: Template,
) -> None:
    # Given a run and a provider that answers well
    run = given_run(runs, template=writer_template.name, correlation_id="corr-success")
    provider = ScriptedProvider([phase_answer(summary="Draft written.", confidence=0.82, risks=["tone"])])

    # When its first phase runs
    summary = runner_with(runs, results, publisher, provider).run(task_for(run, "draft"))

    # Then a SUCCEEDED result with the answer and its metadata is stored
    stored = results.get(run.tenant_id, run.run_id, "draft")
    assert stored is not None
    assert stored.status is PhaseStatus.SUCCEEDED
    assert stored.data == {
        "summary": "Draft written.",
        "deliverables": ["a deliverable"],
        "risks": ["tone"],
        "confidence": 0.82,
    }
    assert stored.summary == "Draft written."
    assert stored.confidence_score == 0.82
    assert stored.metadata.model_dump() == {
        "agent": "writer",
        "attempts": 1,
        "provider": "scripted",
        "model": "scripted-model-1",
        "prompt_version": PROMPT_VERSION,
        "offline": False,
    }
    assert stored.token_usage == provider.usage
    assert stored.cost_usd == provider.cost
    assert stored.errors == []
    assert stored.warnings == []
    assert stored.started_at <= stored.completed_at
    # and the state machine gets a short summary only
    assert summary.model_dump() == {
        "phase": "draft",
        "status": PhaseStatus.SUCCEEDED,
        "summary": "Draft written.",
        "attempts": 1,
        "provider": "scripted",
    }


def test_successful_phase_publishes_phase_completed_with_the_runs_correlation_id(
    runs: InMemoryRunRepository, results: InMemoryPhaseResultRepository, publisher: RecordingPublisher
) -> None:
    # Given a run with a known correlation id
    run = given_run(runs, correlation_id="corr-abc")
    provider = ScriptedProvider([phase_answer(summary="Ideas ranked.")])

    # When a phase succeeds
    runner_with(runs, results, publisher, provider).run(task_for(run, "ideation"))

    # Then exactly one PHASE_COMPLETED event tells the bus, carrying the correlation id
    assert publisher.types == [constants.PHASE_COMPLETED]
    (event,) = publisher.events
    assert (event.correlation_id, event.tenant_id, event.run_id, event.phase) == (
        "corr-abc",
        run.tenant_id,
        run.run_id,
        "ideation",
    )
    assert event.payload["summary"] == "Ideas ranked."
    assert event.payload["attempts"] == 1
    assert event.payload["provider"] == "scripted"
    assert event.payload["tokens"] == provider.usage.total_tokens
    assert event.payload["cost_usd"] == provider.cost


def test_offline_result_is_flagged_and_warned_about(
    runs: InMemoryRunRepository, results: InMemoryPhaseResultRepository, publisher: RecordingPublisher
) -> None:
    # Given a run on the offline provider
    run = given_run(runs, provider="offline")

    # When a phase runs
    runner_with(runs, results, publisher).run(task_for(run, "ideation"))

    # Then the result says it is offline output, not a model's answer
    stored = results.get(run.tenant_id, run.run_id, "ideation")
    assert stored is not None
    assert stored.metadata.offline is True
    assert (stored.metadata.provider, stored.metadata.model) == ("offline", OFFLINE_MODEL)
    assert any("offline" in warning for warning in stored.warnings)
    assert stored.token_usage.total_tokens > 0


def test_prompt_includes_summaries_of_earlier_succeeded_phases(
    runs: InMemoryRunRepository, results: InMemoryPhaseResultRepository, publisher: RecordingPublisher
) -> None:
    # Given ideation and research succeeded, and design failed once before
    run = given_run(runs, topic="Bike sharing")
    runner_with(runs, results, publisher, ScriptedProvider([phase_answer("Pick docks near stations.")])).run(
        task_for(run, "ideation")
    )
    runner_with(runs, results, publisher, ScriptedProvider([phase_answer("Three towns tried it.")])).run(
        task_for(run, "research")
    )
    with pytest.raises(ProviderThrottled):
        runner_with(runs, results, publisher, ScriptedProvider([ProviderThrottled("slow down")])).run(
            task_for(run, "design")
        )

    # When development runs
    provider = ScriptedProvider([phase_answer("Build it.")])
    runner_with(runs, results, publisher, provider).run(task_for(run, "development"))

    # Then its prompt tells the model what the earlier succeeded phases concluded, in order
    (request,) = provider.requests
    assert "Topic: Bike sharing" in request.prompt
    assert "phase 4 of 7" in request.prompt
    assert "- ideation: Pick docks near stations.\n- research: Three towns tried it." in request.prompt
    assert "- design:" not in request.prompt  # failed: nothing concluded
    assert request.phase == "development"
    assert "JSON" in request.system


def test_first_phase_prompt_says_it_is_first(
    runs: InMemoryRunRepository, results: InMemoryPhaseResultRepository, publisher: RecordingPublisher
) -> None:
    run = given_run(runs)
    provider = ScriptedProvider([phase_answer()])

    runner_with(runs, results, publisher, provider).run(task_for(run, "ideation"))

    assert "(this is the first phase)" in provider.requests[0].prompt


def test_provider_error_is_recorded_published_and_reraised(
    runs: InMemoryRunRepository, results: InMemoryPhaseResultRepository, publisher: RecordingPublisher
) -> None:
    # Given a provider that is throttled
    run = given_run(runs, correlation_id="corr-fail")
    provider = ScriptedProvider([ProviderThrottled("429 from upstream")])

    # When the phase runs, Then the same kind of error reaches the state machine
    with pytest.raises(ProviderThrottled, match="429 from upstream"):
        runner_with(runs, results, publisher, provider).run(task_for(run, "research"))

    # And a FAILED result without output records what went wrong
    stored = results.get(run.tenant_id, run.run_id, "research")
    assert stored is not None
    assert stored.status is PhaseStatus.FAILED
    assert stored.data is None
    assert stored.errors == ["ProviderThrottled: 429 from upstream"]
    assert stored.metadata.attempts == 1
    assert stored.metadata.agent == "research"

    # And the bus hears PHASE_FAILED (and no completion)
    assert publisher.types == [constants.PHASE_FAILED]
    (event,) = publisher.events
    assert event.correlation_id == "corr-fail"
    assert event.phase == "research"
    assert event.payload == {
        "attempt": 1,
        "error": "ProviderThrottled",
        "message": "429 from upstream",
        "transient": True,
    }


def test_permanent_simulated_failure_is_recorded_as_not_transient(
    runs: InMemoryRunRepository, results: InMemoryPhaseResultRepository, publisher: RecordingPublisher
) -> None:
    run = given_run(runs, provider="offline", simulate_failure=SimulatedFailure(phase="design"))

    with pytest.raises(SimulatedPhaseFailure):
        runner_with(runs, results, publisher).run(task_for(run, "design"))

    (event,) = publisher.of_type(constants.PHASE_FAILED)
    assert event.payload["error"] == "SimulatedPhaseFailure"
    assert event.payload["transient"] is False
    stored = results.get(run.tenant_id, run.run_id, "design")
    assert stored is not None
    assert stored.metadata.provider == "offline"


def test_unconfigured_provider_is_a_recorded_phase_failure(
    runs: InMemoryRunRepository, results: InMemoryPhaseResultRepository, publisher: RecordingPublisher
) -> None:
    # Given a run that chose anthropic, which this deployment has no key for
    run = given_run(runs, provider="anthropic")

    # When the phase runs
    with pytest.raises(ProviderNotConfigured):
        runner_with(runs, results, publisher).run(task_for(run, "ideation"))

    # Then the failure is recorded against the chosen provider
    stored = results.get(run.tenant_id, run.run_id, "ideation")
    assert stored is not None
    assert stored.status is PhaseStatus.FAILED
    assert stored.metadata.provider == "anthropic"
    assert publisher.types == [constants.PHASE_FAILED]


@pytest.mark.parametrize(
    "text",
    [
        "Sure! Here is my plan: build it.",
        "{not json at all}",
        json.dumps({"summary": "", "deliverables": ["x"], "confidence": 0.5}),
        json.dumps({"summary": "ok", "deliverables": [], "confidence": 0.5}),
        json.dumps({"summary": "ok", "deliverables": ["x"], "confidence": 1.5}),
        json.dumps({"summary": "ok", "deliverables": ["x"]}),
        json.dumps({"summary": "x" * 281, "deliverables": ["x"], "confidence": 0.5}),
        phase_answer(unexpected="field"),
        "",
    ],
    ids=[
        "prose",
        "broken-json",
        "blank-summary",
        "no-deliverables",
        "confidence-above-1",
        "no-confidence",
        "summary-too-long",
        "extra-field",
        "empty",
    ],
)
def test_answer_that_breaks_the_schema_is_model_output_invalid(
    runs: InMemoryRunRepository,
    results: InMemoryPhaseResultRepository,
    publisher: RecordingPublisher,
    text: str,
) -> None:
    # Given a provider whose answer is not a valid phase output
    run = given_run(runs)

    # When the phase runs
    with pytest.raises(ModelOutputInvalid, match="scripted"):
        runner_with(runs, results, publisher, ScriptedProvider([text])).run(task_for(run, "ideation"))

    # Then nothing of the answer is kept
    stored = results.get(run.tenant_id, run.run_id, "ideation")
    assert stored is not None
    assert stored.status is PhaseStatus.FAILED
    assert stored.data is None
    assert publisher.types == [constants.PHASE_FAILED]


def test_json_wrapped_in_prose_or_fences_is_accepted(
    runs: InMemoryRunRepository, results: InMemoryPhaseResultRepository, publisher: RecordingPublisher
) -> None:
    run = given_run(runs)
    text = f"Here you go:\n```json\n{phase_answer(summary='Fenced.')}\n```\n"

    summary = runner_with(runs, results, publisher, ScriptedProvider([text])).run(task_for(run, "ideation"))

    assert summary.summary == "Fenced."


def test_attempts_count_up_across_retries(
    runs: InMemoryRunRepository, results: InMemoryPhaseResultRepository, publisher: RecordingPublisher
) -> None:
    # Given the offline provider throttles design twice
    failure = SimulatedFailure(phase="design", times=2, error="ProviderThrottled")
    run = given_run(runs, provider="offline", simulate_failure=failure)
    runner = runner_with(runs, results, publisher)

    # When the state machine retries the phase until it succeeds
    for _ in range(2):
        with pytest.raises(ProviderThrottled):
            runner.run(task_for(run, "design"))
    summary = runner.run(task_for(run, "design"))

    # Then the third attempt succeeded and every attempt was numbered
    assert summary.attempts == 3
    stored = results.get(run.tenant_id, run.run_id, "design")
    assert stored is not None
    assert stored.status is PhaseStatus.SUCCEEDED
    assert stored.metadata.attempts == 3
    assert [event.payload["attempt"] for event in publisher.of_type(constants.PHASE_FAILED)] == [1, 2]
    assert publisher.types == [constants.PHASE_FAILED, constants.PHASE_FAILED, constants.PHASE_COMPLETED]


def test_attempts_are_counted_per_phase_and_per_run(
    runs: InMemoryRunRepository, results: InMemoryPhaseResultRepository, publisher: RecordingPublisher
) -> None:
    first = given_run(runs, run_id="01jaaaaaaaaaaaaaaaaaaaaaa1")
    second = given_run(runs, run_id="01jaaaaaaaaaaaaaaaaaaaaaa2")
    runner = runner_with(runs, results, publisher, ScriptedProvider([phase_answer()]))

    assert runner.run(task_for(first, "ideation")).attempts == 1
    assert runner.run(task_for(first, "research")).attempts == 1
    assert runner.run(task_for(second, "ideation")).attempts == 1
    assert runner.run(task_for(first, "ideation")).attempts == 2


def test_phase_of_another_tenants_run_is_not_found(
    runs: InMemoryRunRepository, results: InMemoryPhaseResultRepository, publisher: RecordingPublisher
) -> None:
    run = given_run(runs, tenant_id="acme")
    task = task_for(run, "ideation").model_copy(update={"tenant_id": "globex"})

    with pytest.raises(RunNotFound):
        runner_with(runs, results, publisher, ScriptedProvider([phase_answer()])).run(task)

    assert results.list_for_run("acme", run.run_id) == []
    assert publisher.events == []
