"""Replaying a finished run with frozen answers: a new run in which every step that asks its model
what the old run's step asked reuses the recorded answer (no model call, no cost), and only the
steps whose rendered request changed call the model; the diff of the two runs shows which."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.core.errors import BudgetExceeded, InvalidRequest, RunNotActive, RunNotFound
from orchestrator.core.records import RunStatus, StepStatus
from orchestrator.llm.model_settings import DeploymentModels
from orchestrator.llm.prompts import PromptLibrary
from orchestrator.providers.pricing import PriceTable
from orchestrator.runs.lineage import get_lineage
from orchestrator.runs.planning import RunPlanner
from orchestrator.runs.replay import Replay, ReplayRequest, replay_run
from orchestrator.runs.run_diff import diff_runs
from orchestrator.templates.graph import get_template
from tests.fakes.prompt_store import InMemoryPromptStore
from tests.fakes.run_data import FakeStarter
from tests.fakes.usage_ledger import InMemoryUsageLedger

from .template_world import TENANT, TemplateWorld

LIST_ITEMS = {"offline": {"list_items": 3}}


def world_of(template: str, **kwargs: Any) -> TemplateWorld:
    """A finished run of ``template``, with a prompt library the tenant can add versions to."""
    world = TemplateWorld(template, prompts=PromptLibrary(InMemoryPromptStore()), **kwargs)
    world.run()
    return world


def replay(world: TemplateWorld, planner: RunPlanner | None = None, **body: Any) -> Replay:
    """``POST /runs/{run_id}/replay`` on the world's run; the world then follows the new run."""
    replayed = replay_run(
        tenant_id=TENANT,
        run_id=world.run_id,
        request=ReplayRequest.model_validate(body),
        correlation_id="corr-replay",
        runs=world.runs,
        results=world.results,
        starter=FakeStarter(),
        publisher=world.publisher,
        planner=planner,
        prompts=world.runner.answerer.prompts,
    )
    world.run_id = replayed.run.run_id
    return replayed


def new_prompt(world: TemplateWorld, agent: str, marker: str = "REWORDED") -> int:
    """A new, not activated, version of ``agent``'s prompt; its number."""
    library = world.runner.answerer.prompts
    assert library is not None
    created = library.create(
        TENANT,
        agent,
        system="You are the ${title} agent. Schema: ${schema}",
        user=f"{marker} Topic: ${{topic}}\n${{context}}\n${{facts}}",
        note="reworded",
        created_by="admin",
        activate=False,
    )
    return created.version


def diff(world: TemplateWorld, a: str, b: str) -> dict[str, Any]:
    return diff_runs(TENANT, a, b, runs=world.runs, results=world.results, workspace=world.workspace)


def test_a_replay_with_nothing_changed_reuses_every_answer_and_links_both_runs() -> None:
    # Given a generic run that succeeded
    world = world_of("generic")
    original = world.run_id
    calls_before = len(world.provider.calls)
    # When it is replayed as it was
    replayed = replay(world)
    steps = [step.name for step in get_template("generic").agent_steps()]
    assert replayed.forecast.reused_steps == steps and not replayed.forecast.model_steps
    assert world.run().status is RunStatus.SUCCEEDED
    # Then no model is called: every step reuses the recorded answer, at no cost
    assert world.provider.calls[calls_before:] == []
    for step in steps:
        result = world.result(step)
        recorded = world.results.get(TENANT, original, step)
        assert recorded is not None
        assert result.reused_from == {"run_id": original, "key": step}
        assert result.data == recorded.data and result.prompt_hash == recorded.prompt_hash
        assert result.cost_usd == 0 and result.token_usage.total_tokens == 0
    # And the runs are linked both ways, the original's trail says so
    assert world.run_id in world.runs.get(TENANT, original).replayed_by
    assert world.runs.get(TENANT, world.run_id).replayed_from == original
    (event,) = world.publisher.of_type("ORCHESTRATION_REPLAYED")
    assert event.run_id == original and event.payload["replayed_by"] == world.run_id
    # And the diff shows nothing changed
    compared = diff(world, original, world.run_id)
    assert compared["changed_steps"] == [] and compared["unchanged_steps"] == steps


def test_one_agents_new_prompt_calls_the_model_for_its_step_only_and_the_diff_shows_exactly_that() -> None:
    # Given a web_development run, and a new version of the requirements agent's prompt
    world = world_of("web_development")
    original = world.run_id
    version = new_prompt(world, "web_requirements")
    calls_before = len(world.provider.calls)
    # When the run is replayed with that version
    replayed = replay(world, prompt_versions={"web_requirements": version})
    # Then the forecast: reused before it, the model for it, the steps that read it depend on it
    assert replayed.forecast.reused_steps == ["ideation"]
    assert replayed.forecast.model_steps == ["requirements"]
    assert "architecture" in replayed.forecast.dependent_steps
    assert world.run().status is RunStatus.SUCCEEDED
    # And only the requirements step calls the model (its answer came out the same: the rest is reused)
    assert world.provider.calls[calls_before:] == ["requirements"]
    assert world.result("requirements").metadata.prompt_version == f"v{version}"
    assert world.result("requirements").reused_from is None
    assert world.result("architecture").reused_from == {"run_id": original, "key": "architecture"}
    # And the diff shows that step alone changed, by its prompt version
    compared = diff(world, original, world.run_id)
    assert compared["changed_steps"] == ["requirements"]
    (changed,) = [step for step in compared["steps"] if step["changed"]]
    assert "prompt_version" in changed["changes"] and "prompt" in changed["changes"]
    assert changed["prompt_version"] == {"a": "v1", "b": f"v{version}"}
    assert changed["input_changed"] is False
    unchanged = next(step for step in compared["steps"] if step["key"] == "architecture")
    assert unchanged["changes"] == [] and unchanged["reused_from_a"] is True
    assert unchanged["tokens"]["b"] == 0 and unchanged["tokens"]["a"] > 0


def test_a_changed_answer_reaches_the_prompts_of_the_steps_that_read_it() -> None:
    # Given a generic run (each agent reads every earlier summary) and a new research prompt
    world = world_of("generic")
    original = world.run_id
    version = new_prompt(world, "research")
    calls_before = len(world.provider.calls)
    # When it is replayed with it: research answers differently (the offline answer follows the prompt)
    replay(world, prompt_versions={"research": version})
    assert world.run().status is RunStatus.SUCCEEDED
    # Then the steps after it read another summary: their prompts changed, they call the model too
    called = world.provider.calls[calls_before:]
    assert called == ["research", "design", "development", "execution", "review", "deployment"]
    compared = diff(world, original, world.run_id)
    assert compared["unchanged_steps"] == ["ideation"]
    design = next(step for step in compared["steps"] if step["key"] == "design")
    assert design["input_changed"] is True and design["prompt_version"] == {"a": "v1", "b": "v1"}
    assert "summary" in design["output_fields"]


def test_changed_inputs_reach_every_prompt_that_shows_them() -> None:
    world = world_of("agent_pipeline", inputs={"context": "a small team"}, options=LIST_ITEMS)
    original = world.run_id
    calls_before = len(world.provider.calls)
    replayed = replay(world, inputs={"context": "a large enterprise"})
    assert replayed.forecast.reused_steps == [] and "intent" in replayed.forecast.dependent_steps
    assert world.run().status is RunStatus.SUCCEEDED
    called = world.provider.calls[calls_before:]
    assert called and called[0] == "intent"
    intent = next(step for step in diff(world, original, world.run_id)["steps"] if step["key"] == "intent")
    assert intent["input_changed"] is True and intent["changed"] is True


@pytest.mark.parametrize("template", ["generic", "web_development", "graph_showcase", "data_science"])
def test_a_replay_of_an_unchanged_run_calls_no_model(template: str) -> None:
    world = world_of(template, options=LIST_ITEMS)
    calls_before = len(world.provider.calls)
    replay(world)
    assert world.run().status is RunStatus.SUCCEEDED
    assert world.provider.calls[calls_before:] == []
    assert world.runs.get(TENANT, world.run_id).model_calls == 0


def test_a_failed_run_is_replayed_its_undone_answers_reused_and_the_failed_step_asked_again() -> None:
    # Given a generic run that failed for good at development (everything undone)
    world = world_of("generic", options={"simulate_failure": {"step": "development"}})
    original = world.run_id
    assert world.runs.get(TENANT, original).status is RunStatus.COMPENSATED
    calls_before = len(world.provider.calls)
    # When it is replayed without the simulated failure
    replayed = replay(world, options={})
    assert replayed.forecast.reused_steps == ["ideation", "research", "design"]
    # (the steps after development never ran: nothing recorded, they call the model for sure)
    assert replayed.forecast.model_steps == ["development", "execution", "review", "deployment"]
    assert world.run().status is RunStatus.SUCCEEDED
    # Then the steps it had done are reused; development and what reads it ask the model
    assert world.provider.calls[calls_before:][0] == "development"
    assert "design" not in world.provider.calls[calls_before:]
    compared = diff(world, original, world.run_id)
    assert compared["unchanged_steps"] == ["ideation", "research", "design"]
    development = next(step for step in compared["steps"] if step["key"] == "development")
    assert development["status"] == {"a": "FAILED", "b": "SUCCEEDED"} and development["changed"]


def test_a_run_that_has_not_ended_or_never_started_cannot_be_replayed() -> None:
    world = world_of("generic")
    world.runs.update_status(TENANT, world.run_id, RunStatus.RUNNING)
    with pytest.raises(RunNotActive, match="only a run that ended"):
        replay(world)
    world.runs.update_status(TENANT, world.run_id, RunStatus.FAILED_TO_START)
    with pytest.raises(RunNotActive):
        replay(world)
    assert world.runs.get(TENANT, world.run_id).replayed_by == []


def test_bad_prompt_versions_inputs_and_runs_are_refused_before_anything_is_stored() -> None:
    world = world_of("agent_pipeline", options=LIST_ITEMS)
    with pytest.raises(InvalidRequest, match="has no agent 'designer'"):
        replay(world, prompt_versions={"designer": 2})
    with pytest.raises(InvalidRequest, match=r"prompt_versions\.pipeline_planner"):
        replay(world, prompt_versions={"pipeline_planner": 7})
    with pytest.raises(InvalidRequest, match="context"):
        replay(world, inputs={"context": "x" * 5000})
    world.run_id = "01jzzzzzzzzzzzzzzzzzzzzzzz"
    with pytest.raises(RunNotFound):
        replay(world)
    assert len(world.runs.items) == 1


def test_the_budget_check_counts_only_the_steps_that_may_call_a_model() -> None:
    # Given a generic run and a budget for about two priced steps
    world = world_of("generic")
    ledger = InMemoryUsageLedger()
    ledger.set_budget(TENANT, 0.04, "admin")
    planner = RunPlanner(
        deployment=DeploymentModels(provider="offline", model=None, served=frozenset({"offline"})),
        ledger=ledger,
        prices=PriceTable.with_overrides({"offline/offline": {"input": 3.0, "output": 15.0}}),
        prompts=world.runner.answerer.prompts,
    )
    # When its first agent's prompt changes, everything after it may change: too dear
    first = new_prompt(world, "ideation")
    with pytest.raises(BudgetExceeded):
        replay(world, planner, prompt_versions={"ideation": first})
    assert world.runs.get(TENANT, world.run_id).replayed_by == []
    # When only the last agent's prompt changes, only that step is estimated: it fits
    last = new_prompt(world, "deployment")
    replayed = replay(world, planner, prompt_versions={"deployment": last})
    assert replayed.plan is not None
    assert [step.step for step in replayed.plan.steps] == ["deployment"]
    assert replayed.run.prompt_versions["deployment"] == last


def test_a_replayed_result_keeps_what_it_asked_and_read() -> None:
    world = world_of("generic")
    result = world.result("design")
    assert result.status is StepStatus.SUCCEEDED
    assert result.prompt_hash is not None and len(result.prompt_hash) == 64
    assert result.input_hash is not None and result.input_hash != result.prompt_hash


def test_a_replays_lineage_leads_back_to_the_run_it_replays() -> None:
    world = world_of("generic")
    original = world.run_id
    replay(world)
    world.run()
    lineage = get_lineage(TENANT, world.run_id, runs=world.runs, results=world.results)
    assert [run["run_id"] for run in lineage["chain"]] == [original]
    design = next(step for step in lineage["steps"] if step["key"] == "design")
    assert design["source"] == "reused" and design["origin"]["run_id"] == original


def test_a_new_prompt_for_a_maps_agent_asks_the_model_again_for_every_item() -> None:
    # Given a graph_showcase run whose map executed three tasks
    world = world_of("graph_showcase", options=LIST_ITEMS)
    original = world.run_id
    version = new_prompt(world, "task_executor")
    calls_before = len(world.provider.calls)
    # When it is replayed with a new executor prompt
    replayed = replay(world, prompt_versions={"task_executor": version})
    # Then the steps before the map (and the branch beside it) are reused, every item is asked again
    assert replayed.forecast.model_steps == ["execute_task"]
    assert {"intake", "risks", "plan", "safety"} <= set(replayed.forecast.reused_steps)
    assert world.run().status is RunStatus.SUCCEEDED
    items = [f"execute_task#{index:04d}" for index in range(3)]
    called = world.provider.calls[calls_before:]
    assert called[:3] == items and "plan" not in called and "intake" not in called
    # And the diff names each item, and the steps after it that read the new answers
    changed = diff(world, original, world.run_id)["changed_steps"]
    assert changed[:3] == items and set(changed[3:]) == set(called[3:])


def test_a_step_whose_own_code_finds_run_specific_facts_asks_the_model_though_forecast_as_reused() -> None:
    # Given a feature_delivery run: its deployment step names the version after the run
    world = world_of("feature_delivery")
    calls_before = len(world.provider.calls)
    # When it is replayed as it was, Then the forecast cannot see it coming
    replayed = replay(world)
    assert "deploy" in replayed.forecast.reused_steps
    assert world.run().status is RunStatus.SUCCEEDED
    # And the deployment step, whose prompt holds another version, is the one that asks the model
    assert world.provider.calls[calls_before:] == ["deploy"]
    assert world.result("deploy").reused_from is None
    assert world.result("security").reused_from is not None
