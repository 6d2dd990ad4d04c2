"""The offline provider: deterministic answers, clearly labelled, with failures on request."""

from __future__ import annotations

import json

import pytest

from orchestrator.agents import AGENTS, Agent, AgentContext
from orchestrator.core.errors import (
    OrchestratorError,
    ProviderThrottled,
    ProviderTimeout,
    ProviderUnavailable,
    SimulatedPhaseFailure,
)
from orchestrator.core.records import PhaseOutput, SimulatedFailure
from orchestrator.providers import ModelRequest
from orchestrator.providers.offline import OFFLINE_MODEL, OfflineProvider


def a_request(
    phase: str = "design",
    topic: str = "A bike-sharing app",
    attempt: int = 1,
    simulate_failure: SimulatedFailure | None = None,
) -> ModelRequest:
    agent = AGENTS[phase]
    prompt = agent.render(
        AgentContext(tenant_id="acme", run_id="r1", topic=topic, step=phase, step_title=agent.title)
    )
    return ModelRequest(
        system=prompt.system,
        prompt=prompt.user,
        title=agent.title,
        schema=agent.output_schema(),
        phase=phase,
        attempt=attempt,
        simulate_failure=simulate_failure,
    )


def test_same_request_gives_the_same_answer() -> None:
    # Given two offline providers and one request
    request = a_request()

    # When both answer it
    first = OfflineProvider().complete(request)
    second = OfflineProvider().complete(request)

    # Then the answers are identical
    assert first.text == second.text
    assert first.usage == second.usage


def test_different_topics_give_different_answers() -> None:
    # Given requests that differ only in their topic
    # When the offline provider answers both
    one = OfflineProvider().complete(a_request(topic="A bike-sharing app"))
    other = OfflineProvider().complete(a_request(topic="A payroll system"))

    # Then the answers differ, and each names its own topic
    assert one.text != other.text
    assert "A bike-sharing app" in json.loads(one.text)["summary"]
    assert "A payroll system" in json.loads(other.text)["summary"]


def test_answer_is_labelled_offline() -> None:
    # When the offline provider answers
    response = OfflineProvider().complete(a_request())

    # Then nobody can mistake it for a model's work
    assert response.provider == "offline"
    assert response.offline is True
    assert response.model == OFFLINE_MODEL
    assert response.cost_usd == 0.0
    assert json.loads(response.text)["summary"].startswith("[offline]")


def test_answer_is_a_valid_phase_output_with_token_estimates() -> None:
    # When the offline provider answers
    request = a_request()
    response = OfflineProvider().complete(request)

    # Then the text is a structured answer every phase accepts, with non-zero usage
    output = PhaseOutput.model_validate_json(response.text)
    assert output.deliverables
    assert 0.0 <= output.confidence <= 1.0
    assert response.usage.input_tokens > 0
    assert response.usage.output_tokens > 0


def test_a_long_topic_still_gives_a_valid_summary() -> None:
    # Given a topic far longer than a summary may be
    response = OfflineProvider().complete(a_request(topic="word " * 400))

    # Then the answer still validates
    PhaseOutput.model_validate_json(response.text)


def test_simulated_failure_fails_only_the_named_phase() -> None:
    # Given a run that asks the research phase to fail
    failure = SimulatedFailure(step="research")

    # When another phase runs, Then it succeeds
    assert OfflineProvider().complete(a_request(phase="design", simulate_failure=failure)).offline

    # When the named phase runs, Then it fails
    with pytest.raises(SimulatedPhaseFailure, match="research"):
        OfflineProvider().complete(a_request(phase="research", simulate_failure=failure))


def test_simulated_failure_fails_for_times_attempts_then_succeeds() -> None:
    # Given a failure limited to two attempts
    failure = SimulatedFailure(step="design", times=2, error="ProviderThrottled")
    provider = OfflineProvider()

    # When attempts 1 and 2 run, Then both fail
    for attempt in (1, 2):
        with pytest.raises(ProviderThrottled):
            provider.complete(a_request(attempt=attempt, simulate_failure=failure))

    # When attempt 3 runs, Then it succeeds with the normal answer
    response = provider.complete(a_request(attempt=3, simulate_failure=failure))
    PhaseOutput.model_validate_json(response.text)


def test_simulated_failure_without_times_fails_every_attempt() -> None:
    # Given a failure with no limit
    failure = SimulatedFailure(step="design")

    # When any attempt runs, Then it fails
    for attempt in (1, 2, 3, 10, 100):
        with pytest.raises(SimulatedPhaseFailure, match=f"attempt {attempt},"):
            OfflineProvider().complete(a_request(attempt=attempt, simulate_failure=failure))


@pytest.mark.parametrize(
    ("error", "exception", "transient"),
    [
        ("SimulatedPhaseFailure", SimulatedPhaseFailure, False),
        ("ProviderThrottled", ProviderThrottled, True),
        ("ProviderUnavailable", ProviderUnavailable, True),
        ("ProviderTimeout", ProviderTimeout, True),
    ],
)
def test_simulated_failure_raises_the_configured_error(
    error: str, exception: type[OrchestratorError], transient: bool
) -> None:
    # Given a failure of a chosen kind
    failure = SimulatedFailure(step="design", error=error)  # type: ignore[arg-type]

    # When the phase runs
    with pytest.raises(exception) as raised:
        OfflineProvider().complete(a_request(simulate_failure=failure))

    # Then the error is exactly that kind, retried by the state machine only when transient
    assert type(raised.value) is exception
    assert raised.value.transient is transient


SCHEMA_ANSWERED = sorted(
    name
    for name, agent in AGENTS.items()
    if type(agent).offline_answer is Agent.offline_answer and agent.uses_model
)
"""Agents the offline provider answers from their schema (the others give it their own answer)."""


@pytest.mark.parametrize("agent_type", SCHEMA_ANSWERED)
def test_every_agent_gets_a_schema_valid_deterministic_answer(agent_type: str) -> None:
    # Given any agent's request
    request = a_request(phase=agent_type, topic="a meal planner, shopping lists, budgets and reminders")
    # When the offline provider answers twice
    first, second = OfflineProvider().complete(request), OfflineProvider().complete(request)
    # Then the answer validates against that agent's own schema, and is the same both times
    AGENTS[agent_type].output_model.model_validate_json(first.text)
    assert first.text == second.text and first.offline


def test_a_planner_lists_several_tasks_derived_from_the_topic() -> None:
    from orchestrator.agents.showcase import PlanOutput

    plan = PlanOutput.model_validate_json(
        OfflineProvider().complete(a_request("planner", topic="a meal planner, shopping lists, budgets")).text
    )
    assert len(plan.tasks) >= 3
    assert all(
        any(word in task.title for word in ("meal planner", "shopping lists", "budgets"))
        for task in plan.tasks
    )


def test_list_items_sets_the_length_of_lists_within_the_schema_bounds() -> None:
    from dataclasses import replace

    from orchestrator.agents.showcase import PlanOutput

    request = replace(a_request("planner"), list_items=8)
    assert len(PlanOutput.model_validate_json(OfflineProvider().complete(request).text).tasks) == 8
    request = replace(a_request("planner"), list_items=500)  # more than the schema allows: capped at 50
    assert len(PlanOutput.model_validate_json(OfflineProvider().complete(request).text).tasks) == 50


def test_a_simulated_failure_of_one_map_item_fails_only_that_item() -> None:
    from dataclasses import replace

    failure = SimulatedFailure(step="task_executor", item=2)
    request = replace(a_request("task_executor", simulate_failure=failure), item=1)
    assert OfflineProvider().complete(request).offline
    with pytest.raises(SimulatedPhaseFailure, match="item 2"):
        OfflineProvider().complete(replace(request, item=2))
