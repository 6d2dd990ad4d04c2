"""The model gateway in whole runs: fallback on an open circuit, the response cache, budgets,
structured answers repaired once, Retry-After, tenant settings and routing tiers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from orchestrator.core import constants
from orchestrator.core.errors import (
    BudgetExceeded,
    ModelOutputInvalid,
    ProviderThrottled,
    ProviderUnavailable,
)
from orchestrator.core.records import RunRequest, RunStatus, StepStatus, TokenUsage
from orchestrator.llm.circuits import ProviderCircuits
from orchestrator.llm.gateway import ModelGateway
from orchestrator.llm.model_settings import DeploymentModels, TenantModelSettings
from orchestrator.providers.base import ModelProvider, ModelRequest, ModelResponse
from orchestrator.providers.offline import OfflineProvider
from orchestrator.providers.pricing import PriceTable
from orchestrator.runs.planning import RunPlanner
from tests.fakes.circuits import InMemoryCircuitStore, SharedCircuitTable
from tests.fakes.response_cache import InMemoryResponseCache
from tests.fakes.tenant_settings import InMemoryTenantSettings
from tests.fakes.usage_ledger import InMemoryUsageLedger

from .template_world import TENANT, TemplateWorld

# the offline provider priced like a hosted model, so that budgets have something to count
PRICED = PriceTable.with_overrides({"offline/offline": {"input": 3.0, "output": 15.0}})
DEPLOYMENT = DeploymentModels(provider="offline", model=None, served=frozenset({"offline", "anthropic"}))


class Named:
    """A provider under another name (a stand-in for a hosted provider), counting its calls."""

    def __init__(self, name: str, answer: Callable[[ModelRequest], ModelResponse] | None = None) -> None:
        self.name = name
        self.model = f"{name}-model"
        self.requests: list[ModelRequest] = []
        self._answer = answer or (lambda request: OfflineProvider().complete(request))

    def complete(self, request: ModelRequest) -> ModelResponse:
        self.requests.append(request)
        return self._answer(request)


def gateway_factory(**parts: Any) -> Callable[[Callable[..., ModelProvider]], ModelGateway]:
    def build(source: Callable[..., ModelProvider]) -> ModelGateway:
        return ModelGateway(providers=parts.pop("providers", source), deployment=DEPLOYMENT, **parts)

    return build


# --- fallback --------------------------------------------------------------------------------
def test_a_run_whose_primary_circuit_is_open_succeeds_on_the_fallback() -> None:
    # Given a tenant whose steps use anthropic, falling back to offline, and anthropic's circuit open
    settings = InMemoryTenantSettings()
    settings.put_models(
        TENANT,
        TenantModelSettings.model_validate(
            {"default": {"provider": "anthropic", "fallback": [{"provider": "offline"}]}}
        ),
        "admin",
        None,
    )
    circuits = ProviderCircuits(InMemoryCircuitStore(SharedCircuitTable()), state_cache_seconds=0)
    circuits.force_open("anthropic", 60)
    anthropic, offline = Named("anthropic"), Named("offline")
    providers = {"anthropic": anthropic, "offline": offline}
    world = TemplateWorld(
        "generic",
        gateway=gateway_factory(
            providers=lambda name, model, tenant, own_key: providers[name],
            tenant_settings=settings,
            circuits=circuits,
        ),
    )

    # When it runs
    outcome = world.run()

    # Then it succeeds, anthropic was never called, and every result says where it came from
    assert outcome.status is RunStatus.SUCCEEDED
    assert anthropic.requests == []
    assert len(offline.requests) == len(world.template.agent_steps())
    for step in world.template.agent_steps():
        result = world.result(step.name)
        assert result.metadata.provider == "offline"
        assert result.metadata.fallback_from == "anthropic"
        assert any("fallback offline" in warning for warning in result.warnings)


def test_with_every_circuit_open_the_step_fails_transiently_without_a_call() -> None:
    circuits = ProviderCircuits(InMemoryCircuitStore(SharedCircuitTable()), state_cache_seconds=0)
    circuits.force_open("offline", 60)
    world = TemplateWorld("generic", gateway=gateway_factory(circuits=circuits))

    outcome = world.run()

    assert outcome.status is RunStatus.COMPENSATED
    assert type(outcome.error).__name__ == "CircuitOpen"
    assert world.provider.calls == []


# --- response cache ----------------------------------------------------------------------------
def test_a_second_identical_run_makes_no_model_call_and_has_the_same_results() -> None:
    # Given one tenant's cache, shared by two runs of the same request
    cache = InMemoryResponseCache()
    first = TemplateWorld("generic", gateway=gateway_factory(cache=cache))
    assert first.run().status is RunStatus.SUCCEEDED
    calls_first = len(first.provider.calls)

    # When the same request runs again
    second = TemplateWorld(
        "generic", gateway=gateway_factory(cache=cache), run_id="01jzzzzzzzzzzzzzzzzzzzzzz8"
    )
    assert second.run().status is RunStatus.SUCCEEDED

    # Then it made no model call, each step says it was a cache hit, and the outputs are the same
    assert calls_first == len(first.template.agent_steps())
    assert second.provider.calls == []
    run = second.runs.get(TENANT, second.run_id)
    assert (run.model_calls, run.cache_hits) == (0, len(second.template.agent_steps()))
    for step in second.template.agent_steps():
        again, before = second.result(step.name), first.result(step.name)
        assert again.metadata.cache_hit and again.metadata.model_calls == 0
        assert again.data == before.data
        assert again.cost_usd == 0.0


def test_a_run_may_ask_not_to_use_the_cache() -> None:
    cache = InMemoryResponseCache()
    assert TemplateWorld("generic", gateway=gateway_factory(cache=cache)).run().status is RunStatus.SUCCEEDED
    again = TemplateWorld(
        "generic",
        gateway=gateway_factory(cache=cache),
        options={"use_cache": False},
        run_id="01jzzzzzzzzzzzzzzzzzzzzzz8",
    )
    assert again.run().status is RunStatus.SUCCEEDED
    assert len(again.provider.calls) == len(again.template.agent_steps())


def test_invalidating_an_agent_makes_its_steps_ask_again() -> None:
    cache = InMemoryResponseCache()
    TemplateWorld("generic", gateway=gateway_factory(cache=cache)).run()
    agent = TemplateWorld("generic").template.agent_steps()[0].agent
    cache.invalidate(TENANT, agent, None)

    again = TemplateWorld(
        "generic", gateway=gateway_factory(cache=cache), run_id="01jzzzzzzzzzzzzzzzzzzzzzz8"
    )
    again.run()

    asked = {again.template.placement(key).step.agent for key in again.provider.calls}
    assert asked == {agent}


# --- budgets ---------------------------------------------------------------------------------
def test_a_run_its_budget_cannot_afford_is_refused_before_any_model_call() -> None:
    # Given a tenant with a budget far below what a generic run is estimated to cost
    ledger = InMemoryUsageLedger()
    ledger.set_budget(TENANT, 0.001, "admin")
    planner = RunPlanner(deployment=DEPLOYMENT, ledger=ledger, prices=PRICED)

    # When a run is planned, Then it is refused, saying what it needed and what is left
    with pytest.raises(BudgetExceeded, match=r"estimated at .* USD but only 0\.001000 USD"):
        planner.plan(TENANT, RunRequest(template="generic", topic="a shop"), {})
    assert ledger.month(TENANT, _month()).model_calls == 0


def test_the_estimate_counts_every_model_step_at_its_price() -> None:
    plan = RunPlanner(deployment=DEPLOYMENT, prices=PRICED).plan(
        TENANT, RunRequest(template="generic", topic="a shop"), {}
    )
    assert len(plan.steps) == len(TemplateWorld("generic").template.agent_steps())
    assert plan.estimated_cost_usd == pytest.approx(sum(step.cost_usd for step in plan.steps))
    assert all(step.cost_usd > 0 for step in plan.steps)


def test_a_step_that_cannot_be_afforded_stops_the_run_and_undoes_it() -> None:
    # Given a budget that affords the first steps only (each reserves its estimate first)
    ledger = InMemoryUsageLedger()
    # (a step reserves ~0.016 USD, its prompt plus 1024 output tokens, and spends ~0.003)
    ledger.set_budget(TENANT, 0.02, "admin")
    world = TemplateWorld("generic", gateway=gateway_factory(ledger=ledger, prices=PRICED))

    outcome = world.run()

    # Then a later step is refused before calling the model, the run is undone, and the month
    # never spent more than its budget
    assert outcome.status is RunStatus.COMPENSATED
    assert isinstance(outcome.error, BudgetExceeded)
    month = ledger.month(TENANT, _month())
    assert 0 < month.cost_usd <= 0.02
    assert month.reserved_usd == 0
    assert len(world.provider.calls) == month.model_calls
    assert len(world.provider.calls) < len(world.template.agent_steps())


def test_crossing_80_percent_of_the_budget_publishes_one_event() -> None:
    ledger = InMemoryUsageLedger()
    ledger.set_budget(TENANT, 0.12, "admin")
    ledger.reconcile(TENANT, _month(), 0, 80_000, TokenUsage(), 1, False)  # 0.08 USD spent earlier
    world = TemplateWorld("generic", gateway=gateway_factory(ledger=ledger, prices=PRICED))
    world.runner.gateway.publisher = world.publisher

    world.run()

    events = [e for e in world.publisher.events if e.event_type == constants.BUDGET_THRESHOLD_REACHED]
    assert len(events) == 1
    assert events[0].payload["fraction"] >= 0.8
    assert events[0].payload["budget_usd"] == 0.12


def test_usage_is_counted_per_tenant_and_month() -> None:
    ledger = InMemoryUsageLedger()
    world = TemplateWorld("generic", gateway=gateway_factory(ledger=ledger, prices=PRICED))
    world.run()

    month = ledger.month(TENANT, _month())
    results = [world.result(step.name) for step in world.template.agent_steps()]
    assert month.model_calls == len(results)
    assert month.input_tokens == sum(r.token_usage.input_tokens for r in results)
    assert month.cost_usd == pytest.approx(sum(r.cost_usd for r in results), abs=1e-5)
    assert month.cost_usd > 0


# --- structured answers ----------------------------------------------------------------------
def _answers(*texts: str) -> Named:
    queue = list(texts)

    def answer(request: ModelRequest) -> ModelResponse:
        text = queue.pop(0) if len(queue) > 1 else queue[0]
        return ModelResponse(text=text, provider="anthropic", model="claude-sonnet-5-5")

    return Named("anthropic", answer)


GOOD = json.dumps({"summary": "A plan.", "deliverables": ["a deliverable"], "risks": [], "confidence": 0.8})


def test_an_invalid_answer_is_repaired_with_one_more_call() -> None:
    provider = _answers('{"summary": 3}', GOOD)
    world = TemplateWorld("generic", provider=provider)

    assert world.run().status is RunStatus.SUCCEEDED

    first = world.template.agent_steps()[0].name
    result = world.result(first)
    assert result.metadata.model_calls == 2
    assert any("repaired" in warning for warning in result.warnings)
    repair = provider.requests[1]
    assert "could not be used" in repair.prompt and "summary" in repair.prompt


def test_an_answer_invalid_twice_is_model_output_invalid() -> None:
    world = TemplateWorld("generic", provider=_answers("no json here"))

    outcome = world.run()

    assert isinstance(outcome.error, ModelOutputInvalid)
    assert "one repair was asked" in str(outcome.error)
    failed = world.result(world.template.agent_steps()[0].name)
    assert failed.status is StepStatus.FAILED and failed.metadata.model_calls == 2


# --- Retry-After ------------------------------------------------------------------------------
def _throttled_once(retry_after: float) -> Named:
    state = {"calls": 0}

    def answer(request: ModelRequest) -> ModelResponse:
        state["calls"] += 1
        if state["calls"] == 1:
            raise ProviderThrottled("anthropic: 429", retry_after=retry_after)
        return ModelResponse(text=GOOD, provider="anthropic", model="claude-sonnet-5-5")

    return Named("anthropic", answer)


def test_a_short_retry_after_is_waited_inside_the_function_when_time_allows() -> None:
    provider, slept = _throttled_once(2.0), []
    world = TemplateWorld(
        "generic",
        gateway=gateway_factory(
            providers=lambda *a: provider, remaining_ms=lambda: 100_000, sleep=slept.append
        ),
    )
    assert world.run().status is RunStatus.SUCCEEDED
    assert slept == [2.0]
    assert world.result(world.template.agent_steps()[0].name).metadata.attempts == 1


def test_without_the_time_for_it_the_throttle_goes_to_the_state_machine() -> None:
    provider, slept = _throttled_once(2.0), []
    world = TemplateWorld(
        "generic",
        gateway=gateway_factory(
            providers=lambda *a: provider, remaining_ms=lambda: 20_000, sleep=slept.append
        ),
    )
    world.run()
    assert slept == []  # 2 s + a 45 s call do not fit in 20 s: the state machine's backoff retries
    assert world.result(world.template.agent_steps()[0].name).metadata.attempts == 2


def test_transient_failures_are_counted_as_model_calls_of_the_run() -> None:
    state = {"calls": 0}

    def answer(request: ModelRequest) -> ModelResponse:
        state["calls"] += 1
        if state["calls"] == 1:
            raise ProviderUnavailable("anthropic: 529 overloaded")
        return ModelResponse(text=GOOD, provider="anthropic", model="claude-sonnet-5-5")

    world = TemplateWorld("generic", provider=Named("anthropic", answer))
    world.run()
    run = world.runs.get(TENANT, world.run_id)
    assert run.model_calls == len(world.template.agent_steps()) + 1


# --- settings and routing ------------------------------------------------------------------------
def test_tenant_settings_choose_provider_and_tier_per_step() -> None:
    settings = InMemoryTenantSettings()
    steps = TemplateWorld("generic").template.agent_steps()
    first, second = steps[0].name, steps[1].name
    settings.put_models(
        TENANT,
        TenantModelSettings.model_validate(
            {"default": {"provider": "anthropic"}, "steps": {f"generic.{first}": {"tier": "small"}}}
        ),
        "admin",
        None,
    )
    seen: list[tuple[str, str | None]] = []

    def source(name: str, model: str | None, tenant: str, own_key: bool) -> ModelProvider:
        seen.append((name, model))
        return Named(name)

    world = TemplateWorld("generic", gateway=gateway_factory(providers=source, tenant_settings=settings))
    world.run()

    assert world.result(first).metadata.tier == "small"
    assert world.result(second).metadata.tier == "large"
    assert ("anthropic", "claude-haiku-5-5") in seen and ("anthropic", "claude-sonnet-5-5") in seen


def test_a_run_may_still_choose_offline_over_the_tenant_settings() -> None:
    settings = InMemoryTenantSettings()
    settings.put_models(
        TENANT, TenantModelSettings.model_validate({"default": {"provider": "anthropic"}}), "admin", None
    )
    seen: list[str] = []

    def source(name: str, model: str | None, tenant: str, own_key: bool) -> ModelProvider:
        seen.append(name)
        return Named(name)

    TemplateWorld(
        "generic",
        options={"provider": "offline"},
        gateway=gateway_factory(providers=source, tenant_settings=settings),
    ).run()
    assert set(seen) == {"offline"}


def _month() -> str:
    from orchestrator.core.records import utc_now

    return utc_now().strftime("%Y-%m")
