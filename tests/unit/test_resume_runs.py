"""Resuming a run that failed, was rejected or cancelled: a new run reuses the stored results of the
steps before the resume point (no model call, no cost), re-applies their side effects as its own
commands, and runs the rest; a new failure still undoes everything."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orchestrator.core.errors import BudgetExceeded, ConflictError, InvalidRequest, RunNotActive, RunNotFound
from orchestrator.core.records import CommandStatus, Run, RunStatus, StepStatus
from orchestrator.llm.model_settings import DeploymentModels
from orchestrator.providers.pricing import PriceTable
from orchestrator.runs.lineage import get_lineage
from orchestrator.runs.planning import RunPlanner
from orchestrator.runs.resume import ResumeRequest, Resumption, plan_reuse, resume_run
from orchestrator.templates.graph import get_template
from tests.fakes.run_data import FakeStarter
from tests.fakes.usage_ledger import InMemoryUsageLedger

from .template_world import TENANT, TemplateWorld

LIST_ITEMS = {"offline": {"list_items": 3}}


def resume(world: TemplateWorld, **body: Any) -> Run:
    """``POST /runs/{run_id}/resume`` on the world's run; the world then follows the new run."""
    run = resume_planned(world, None, **body).run
    world.run_id = run.run_id
    return run


def resume_planned(world: TemplateWorld, planner: RunPlanner | None, **body: Any) -> Resumption:
    return resume_run(
        tenant_id=TENANT,
        run_id=world.run_id,
        request=ResumeRequest.model_validate(body),
        correlation_id="corr-resume",
        runs=world.runs,
        results=world.results,
        starter=FakeStarter(),
        publisher=world.publisher,
        planner=planner,
    )


def calls_of(world: TemplateWorld, since: int) -> list[str]:
    return world.provider.calls[since:]


def test_a_generic_run_failed_at_development_is_resumed_with_the_three_steps_before_reused() -> None:
    # Given a generic run that failed for good at development (and was undone)
    world = TemplateWorld("generic", options={"simulate_failure": {"step": "development"}})
    original_id = world.run_id
    assert world.run().status is RunStatus.COMPENSATED
    # When it is resumed without the simulated failure
    calls_before = len(world.provider.calls)
    resumed = resume(world, options={})
    # Then the new run reuses the three steps before development and runs the rest
    assert resumed.resumed_from == original_id and resumed.from_step == "development"
    assert resumed.reused_steps == ["ideation", "research", "design"]
    assert world.run().status is RunStatus.SUCCEEDED
    assert calls_of(world, calls_before) == ["development", "execution", "review", "deployment"]
    for step in ("ideation", "research", "design"):
        result = world.result(step)
        assert result.status is StepStatus.SUCCEEDED
        assert result.reused_from == {"run_id": original_id, "key": step}
        assert result.cost_usd == 0 and result.metadata.model_calls == 0
        assert result.token_usage.total_tokens == 0
        assert result.data == world.results.get(TENANT, original_id, step).undone_data  # type: ignore[union-attr]
    assert world.result("development").reused_from is None
    # And the two runs are linked both ways
    assert world.runs.get(TENANT, original_id).resumed_by == [resumed.run_id]
    (event,) = world.publisher.of_type("ORCHESTRATION_RESUMED")
    assert event.run_id == original_id and event.payload["resumed_by"] == resumed.run_id
    assert event.payload["reused_steps"] == ["ideation", "research", "design"]


def test_a_web_development_run_resumed_at_deployment_writes_every_document_and_failing_undoes_all() -> None:
    # Given a web_development run failed at its deployment step: its documents were undone
    world = TemplateWorld("web_development", options={"simulate_failure": {"step": "deployment"}})
    original_id = world.run_id
    assert world.run().status is RunStatus.COMPENSATED and world.everything_undone()
    # When it is resumed: every earlier document is written again, as the new run's own commands
    resumed = resume(world, options={})
    assert world.run().status is RunStatus.SUCCEEDED
    documents = sorted(key for key in world.workspace.snapshot() if f"projects/{resumed.run_id}/" in key)
    succeeded = TemplateWorld("web_development", run_id="01jzzzzzzzzzzzzzzzzzzzzzz8")
    assert succeeded.run().status is RunStatus.SUCCEEDED
    expected = sorted(
        key.replace(succeeded.run_id, resumed.run_id)
        for key in succeeded.workspace.snapshot()
        if f"projects/{succeeded.run_id}/" in key
    )
    assert documents == expected and len(documents) >= 7
    # When the first run is resumed again and that run fails at deployment too
    world.run_id = original_id
    resume(world, options={"simulate_failure": {"step": "deployment"}})
    assert world.run().status is RunStatus.COMPENSATED
    # Then its re-applied documents are undone too: only the successful resumed run's remain
    keys = set(world.workspace.snapshot())
    assert not any(f"projects/{world.run_id}/" in key for key in keys)
    commands = world.command_log.list_for_run(TENANT, world.run_id)
    assert commands and all(record.status is CommandStatus.UNDONE for record in commands)


def test_a_feature_delivery_run_resumed_at_its_deployment_stages_applies_them_again() -> None:
    world = TemplateWorld("feature_delivery", options={"simulate_failure": {"step": "deploy"}})
    assert world.run().status is RunStatus.COMPENSATED
    resumed = resume(world, options={})
    assert resumed.reused_steps == ["analysis", "backend", "testing", "security"]
    assert world.run().status is RunStatus.SUCCEEDED
    kinds = {record.kind for record in world.command_log.list_for_run(TENANT, world.run_id)}
    assert "apply_deployment_stage" in kinds


@pytest.mark.parametrize(
    "template",
    ["generic", "web_development", "graph_showcase", "data_science", "feature_delivery", "agent_pipeline"],
)
def test_every_agent_step_of_a_template_can_be_the_resume_point(template: str) -> None:
    steps = [step.name for step in get_template(template).agent_steps()]
    reference = TemplateWorld(template, options=LIST_ITEMS, run_id="01jzzzzzzzzzzzzzzzzzzzzzz6")
    assert reference.run().status is RunStatus.SUCCEEDED
    for index, step in enumerate(steps):
        # Given a run that failed for good at this step
        world = TemplateWorld(template, options=LIST_ITEMS | {"simulate_failure": {"step": step}})
        assert world.run().status is RunStatus.COMPENSATED, step
        calls_before = len(world.provider.calls)
        # When it is resumed from there
        resumed = resume(world, options=LIST_ITEMS)
        # Then it succeeds, every step before reused and only the others calling a model
        assert world.run().status is RunStatus.SUCCEEDED, step
        reused_steps = {key.split("#", 1)[0] for key in resumed.reused_steps}
        assert reused_steps >= set(steps[:index]) - _inside_maps(template), step
        called = {key.split("#", 1)[0] for key in calls_of(world, calls_before)}
        assert not called & {key.split("#", 1)[0] for key in resumed.reused_steps if "#" not in key}, step
        assert all(
            world.results.get(TENANT, world.run_id, key).reused_from is not None  # type: ignore[union-attr]
            for key in resumed.reused_steps
        )
        # And its side effects are those of a run that never failed, all in place
        assert _side_effects(world) == _side_effects(reference), step


def _without_run_id(params: dict[str, Any], run_id: str) -> str:
    """Parameters as text, the run id (and the release version named after its tail) left out, and
    an artifact's size: a report that counts tokens and cost counts none for a reused step."""
    kept = {name: value for name, value in params.items() if name != "bytes"}
    return json.dumps(kept, sort_keys=True).replace(run_id, "RUN").replace(run_id[-12:], "TAIL")


def _side_effects(world: TemplateWorld) -> list[tuple[str, str, str]]:
    """The run's completed commands (the run id left out): what it did to the workspace, the bus,
    the vectors and the deployment stages."""
    records = world.command_log.list_for_run(TENANT, world.run_id)
    assert all(record.status is CommandStatus.COMPLETED for record in records)
    return sorted(
        (
            record.command_id,
            record.kind,
            _without_run_id(record.params, world.run_id),
        )
        for record in records
    )


def _inside_maps(template: str) -> set[str]:
    return {p.step.name for p in get_template(template).placements() if p.map is not None}


def test_completed_items_of_a_map_are_reused_and_the_failed_one_runs_again() -> None:
    options = LIST_ITEMS | {"simulate_failure": {"step": "execute_task", "item": 1}}
    world = TemplateWorld("graph_showcase", options=options)
    assert world.run().status is RunStatus.COMPENSATED
    calls_before = len(world.provider.calls)
    resumed = resume(world, options=LIST_ITEMS)
    assert "execute_task#0000" in resumed.reused_steps and "execute_task#0001" not in resumed.reused_steps
    assert world.run().status is RunStatus.SUCCEEDED
    assert "execute_task#0001" in calls_of(world, calls_before)
    assert "execute_task#0000" not in calls_of(world, calls_before)


def test_a_run_that_cannot_be_resumed_gets_a_clear_refusal() -> None:
    world = TemplateWorld("generic")
    assert world.run().status is RunStatus.SUCCEEDED
    with pytest.raises(RunNotActive, match="SUCCEEDED"):
        resume(world)
    other = TemplateWorld("generic", options={"simulate_failure": {"step": "design"}})
    other.run()
    with pytest.raises(InvalidRequest, match="not a step of template"):
        resume(other, from_step="nowhere")
    with pytest.raises(InvalidRequest, match="design, development, execution before it left no output"):
        resume(other, from_step="review")
    with pytest.raises(InvalidRequest, match="no agent 'painter'"):
        resume(other, prompt_versions={"painter": 2})
    assert other.runs.get(TENANT, other.run_id).resumed_by == [], "a refusal stores nothing"
    other.run_id = "01jzzzzzzzzzzzzzzzzzzzzzz7"
    with pytest.raises(RunNotFound):
        resume(other)


def test_inputs_are_patched_and_validated_against_the_template() -> None:
    world = TemplateWorld(
        "feature_delivery",
        inputs={"deployment": {"strategy": "canary"}},
        options={"simulate_failure": {"step": "deploy"}},
    )
    world.run()
    with pytest.raises(InvalidRequest, match=r"body\.inputs\.deployment\.strategy"):
        resume(world, inputs={"deployment": {"strategy": "big_bang"}})
    resumed = resume(world, inputs={"deployment": {"strategy": "rolling"}}, options={})
    assert resumed.inputs["deployment"]["strategy"] == "rolling"
    assert world.run().status is RunStatus.SUCCEEDED


def test_a_stored_output_that_no_longer_fits_its_agent_is_a_conflict() -> None:
    world = TemplateWorld("generic", options={"simulate_failure": {"step": "design"}})
    world.run()
    stored = world.results.items[(f"{TENANT}#{world.run_id}", "research")]
    stored["undone_data"] = {"summary": "renamed fields"}
    with pytest.raises(ConflictError, match="changed incompatibly"):
        resume(world)


def test_the_lineage_of_a_run_resumed_twice_leads_back_to_the_results_that_called_a_model() -> None:
    # Given a run failed at development, resumed and failed at execution, then resumed again
    world = TemplateWorld("generic", options={"simulate_failure": {"step": "development"}})
    original = world.run_id
    world.run()
    first = resume(world, options={"simulate_failure": {"step": "execution"}})
    assert world.run().status is RunStatus.COMPENSATED
    second = resume(world, options={})
    assert world.run().status is RunStatus.SUCCEEDED
    # When its lineage is read
    lineage = get_lineage(TENANT, second.run_id, runs=world.runs, results=world.results)
    # Then it names the runs it came from, nearest first
    assert [entry["run_id"] for entry in lineage["chain"]] == [first.run_id, original]
    steps = {entry["key"]: entry for entry in lineage["steps"]}
    assert list(steps) == [step.name for step in get_template("generic").agent_steps()]  # template order
    # And each reused result leads to the run whose model produced it
    assert steps["ideation"]["source"] == "reused"
    assert steps["ideation"]["reused_from"] == {"run_id": first.run_id, "key": "ideation"}
    assert steps["ideation"]["origin"]["run_id"] == original
    assert steps["ideation"]["origin"]["source"] == "model"
    assert steps["ideation"]["origin"]["tokens"]["output_tokens"] > 0
    assert steps["development"]["origin"]["run_id"] == first.run_id
    assert steps["execution"]["source"] == "model" and "origin" not in steps["execution"]
    assert steps["execution"]["prompt_version"] and steps["execution"]["provider"] == "offline"
    assert world.runs.get(TENANT, original).resumed_by == [first.run_id]
    assert world.runs.get(TENANT, first.run_id).resumed_by == [second.run_id]


def test_a_completed_branch_is_reused_whatever_its_order_and_a_failed_one_runs_again() -> None:
    # Given a web_development run whose frontend failed while its backend branch completed
    world = TemplateWorld("web_development", options={"simulate_failure": {"step": "integration"}})
    world.run()
    stored = world.results.list_for_run(TENANT, world.run_id)
    frontend = next(result for result in stored if result.step == "frontend")
    failed = frontend.model_copy(update={"status": StepStatus.FAILED, "undone_data": None})
    others = [result for result in stored if result.step not in ("frontend", "integration")]
    # When it is resumed from the frontend (declared before the backend)
    reused = plan_reuse(get_template("web_development"), "frontend", [*others, failed])
    # Then the steps before the parallel and the completed backend branch are reused
    assert reused == ["ideation", "requirements", "architecture", "backend"]


def test_the_budget_check_counts_only_the_steps_a_resumed_run_will_run() -> None:
    # Given a generic run failed at its last step, and a budget for about two priced steps
    world = TemplateWorld("generic", options={"simulate_failure": {"step": "deployment"}})
    world.run()
    ledger = InMemoryUsageLedger()
    ledger.set_budget(TENANT, 0.04, "admin")
    planner = RunPlanner(
        deployment=DeploymentModels(provider="offline", model=None, served=frozenset({"offline"})),
        ledger=ledger,
        prices=PriceTable.with_overrides({"offline/offline": {"input": 3.0, "output": 15.0}}),
    )

    # When it is resumed from the beginning, Then the budget cannot afford it: nothing is stored
    with pytest.raises(BudgetExceeded):
        resume_planned(world, planner, from_step="ideation", options={})
    assert world.runs.get(TENANT, world.run_id).resumed_by == []
    # When it is resumed from the failed step, Then only that step is estimated, and it fits
    resumption = resume_planned(world, planner, options={})
    run, plan = resumption.run, resumption.plan
    assert plan is not None
    assert [step.step for step in plan.steps] == ["deployment"] and plan.estimated_cost_usd > 0
    assert run.estimated_cost_usd == plan.estimated_cost_usd
