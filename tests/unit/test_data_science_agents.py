"""The ``data_science`` template: a predictive model from the problem to its deployment.

Each phase is an agent with its own schema; the whole template runs in memory with the offline
provider. Validation compares every metric with its threshold in code and rejects a model that
misses the success metric; whatever the run wrote is undone when it fails or is rejected.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest
from pydantic import BaseModel

from orchestrator.agents import get_agent
from orchestrator.agents.base import AgentContext, EarlierOutput
from orchestrator.core.records import RunStatus
from orchestrator.providers.base import ModelRequest, ModelResponse
from orchestrator.providers.offline import OfflineAnswer, OfflineProvider
from orchestrator.templates.catalog import MODULES
from orchestrator.templates.catalog import data_science as catalog
from orchestrator.templates.graph import build_template, get_template

from .template_world import RUN_ID, TENANT, TemplateWorld, assert_each_side_effect_step_undone

TOPIC = catalog.DEMO["topic"]
PROJECT = f"projects/{RUN_ID}"
STEPS = ["problem", "collect", "metrics", "explore", "model", "validate", "deploy"]


@pytest.fixture(scope="module")
def world() -> TemplateWorld:
    """One successful offline run of the demo request."""
    run = TemplateWorld("data_science", topic=TOPIC)
    outcome = run.run()
    assert outcome.status is RunStatus.SUCCEEDED, outcome.error
    return run


def output(world: TemplateWorld, step: str) -> Any:
    agent = get_agent(world.result(step).metadata.agent)
    return agent.output_model.model_validate(world.output(step))


def context_after(world: TemplateWorld, *steps: str, topic: str = TOPIC) -> AgentContext:
    earlier = [
        EarlierOutput(step=s, agent=world.result(s).metadata.agent, summary="", data=world.output(s))
        for s in steps
    ]
    return AgentContext(
        tenant_id=TENANT, run_id=RUN_ID, topic=topic, step="x", step_title="X", earlier=earlier
    )


def changed(model: BaseModel, **update: Any) -> Any:
    return type(model).model_validate(model.model_dump(mode="json") | update)


class MissingTheTarget:
    """A model that validates the chosen model below the success metric (and calls it fine)."""

    name = "offline"

    def __init__(self) -> None:
        self.inner = OfflineProvider()

    def complete(self, request: ModelRequest) -> ModelResponse:
        if request.phase == "validate" and request.offline_answer is not None:
            answer = copy.deepcopy(request.offline_answer)
            primary = answer["metrics"][0]
            primary["value"], primary["passed"] = round(primary["threshold"] - 0.06, 3), True
            request = replace(request, offline_answer=answer)
        return self.inner.complete(request)


# --- the run and the shape of every phase's output -------------------------------------------
def test_every_phase_runs_and_answers_with_its_own_schema(world: TemplateWorld) -> None:
    assert [step for step in STEPS if world.output(step) is not None] == STEPS
    agents = [world.result(step).metadata.agent for step in STEPS]
    assert agents == [step.agent for step in get_template("data_science").agent_steps()]
    assert len({get_agent(agent).output_model for agent in agents}) == len(STEPS)
    for step in STEPS:
        assert isinstance(output(world, step), BaseModel)


def test_the_problem_has_an_objective_a_target_and_a_success_metric_with_a_threshold(
    world: TemplateWorld,
) -> None:
    problem = output(world, "problem")
    # Given a churn question, Then it is framed as classification of churn, judged by ROC AUC >= 0.8
    assert (problem.task, problem.target_variable) == ("classification", "churned")
    assert problem.success_metric.model_dump() == {
        "name": "roc_auc",
        "threshold": 0.8,
        "direction": "higher_is_better",
    }
    assert problem.objective and problem.constraints


def test_the_framing_follows_the_question_asked() -> None:
    run = TemplateWorld("data_science", topic="Forecast weekly demand for each store")
    assert run.run().status is RunStatus.SUCCEEDED
    problem = output(run, "problem")
    assert (problem.task, problem.target_variable, problem.success_metric.name) == (
        "forecasting",
        "units_sold",
        "mape",
    )
    assert output(run, "metrics").validation_scheme == "time_split"
    assert output(run, "validate").metrics[0].value < problem.success_metric.threshold  # lower is better


def test_sources_exploration_and_model_line_up(world: TemplateWorld) -> None:
    collection, exploration, model = (output(world, s) for s in ("collect", "explore", "model"))
    assert all(s.access and s.volume and s.freshness for s in collection.sources)
    assert any(source.contains_target for source in collection.sources)
    assert all(0 <= f.missing_rate <= 1 and f.notes for f in exploration.features)
    assert "churned" in {f.name for f in exploration.features}
    assert exploration.findings and exploration.quality_issues
    # Then the model never uses the target, the id or the feature that leaks the target
    assert model.chosen_model in {c.name for c in model.candidates}
    assert not {"churned", "entity_id", *exploration.leakage_suspects} & set(model.features_used)
    assert all(c.rationale for c in model.candidates) and model.hyperparameters


def test_validation_checks_every_planned_metric_against_its_threshold(world: TemplateWorld) -> None:
    plan, validation = output(world, "metrics"), output(world, "validate")
    planned = [plan.primary_metric, *plan.guardrail_metrics]
    assert [(m.name, m.threshold) for m in validation.metrics] == [(m.name, m.threshold) for m in planned]
    assert all(m.passed for m in validation.metrics) and validation.verdict == "deploy"
    assert world.result("validate").confidence_score == 0.85
    deployment = output(world, "deploy")
    assert deployment.serving_mode == "batch"
    assert {"performance", "data_drift"} <= {signal.signal for signal in deployment.monitoring}
    assert deployment.retraining_trigger.condition


def test_every_schema_alone_is_enough_for_the_offline_provider() -> None:
    for agent_type in get_template("data_science").agent_types():
        agent = get_agent(agent_type)
        for items in (None, 1, 100):
            request = ModelRequest(
                system="s",
                prompt=f"Topic: {TOPIC}",
                phase="x",
                schema=agent.output_schema(),
                list_items=items,
            )
            agent.output_model.model_validate(OfflineAnswer(request).build())


# --- the deliverables in the workspace ---------------------------------------------------
def test_each_phase_writes_its_deliverable_rendered_from_its_output(world: TemplateWorld) -> None:
    assert "- Success metric: roc_auc >= 0.8" in world.artifact(f"{PROJECT}/problem.md")
    sources = world.artifact(f"{PROJECT}/data-sources.md")
    for source in output(world, "collect").sources:
        assert f"| {source.name} | {source.kind} | {source.access} | {source.volume} |" in sources
    assert "| **roc_auc** | primary | 0.8 | higher_is_better |" in world.artifact(
        f"{PROJECT}/evaluation-plan.md"
    )
    exploration = world.artifact(f"{PROJECT}/exploration.md")
    assert "| days_since_last_event | numeric | 12% |" in exploration and "## Leakage suspects" in exploration
    model = output(world, "model")
    assert f"Chosen: **{model.chosen_model}**" in world.artifact(f"{PROJECT}/model.md")
    config = json.loads(world.artifact(f"{PROJECT}/model/config.json"))
    assert config == {
        "model": model.chosen_model,
        "features": model.features_used,
        "hyperparameters": {h.name: h.value for h in model.hyperparameters},
    }
    assert "| roc_auc | 0.84 | 0.8 | higher_is_better | pass |" in world.artifact(f"{PROJECT}/validation.md")
    assert "## Retraining" in world.artifact(f"{PROJECT}/deployment.md")


def test_the_deployment_announces_the_release_with_its_validated_metrics(world: TemplateWorld) -> None:
    (released,) = world.publisher.of_type("INTEGRATION_EXECUTED")
    assert (released.payload["integration"], released.payload["action"]) == ("deployments", "release")
    assert released.payload["payload"]["metrics"] == {
        m.name: m.value for m in output(world, "validate").metrics
    }
    assert released.payload["payload"]["serving_mode"] == "batch"


# --- a model that misses its target is not deployed ------------------------------------------
def test_a_model_that_misses_the_success_metric_rejects_the_run_and_everything_is_undone() -> None:
    # Given a validation that measures ROC AUC 0.74 against 0.8 (and still says it passed)
    run = TemplateWorld("data_science", topic=TOPIC, provider=MissingTheTarget())
    # When the run reaches validation
    outcome = run.run()
    # Then the run is rejected there, nothing is deployed, and the workspace is as before
    assert outcome.status is RunStatus.REJECTED and outcome.failed_step == "validate"
    assert "roc_auc 0.74, needs roc_auc >= 0.8" in str(outcome.error)
    assert run.model_calls_after("validate") == []
    assert run.publisher.of_type("INTEGRATION_EXECUTED") == []
    assert run.everything_undone()


def test_the_verdict_trusts_the_numbers_not_the_models_flags(world: TemplateWorld) -> None:
    agent = get_agent("ds_model_validation")
    validation = output(world, "validate")
    context = context_after(world, "problem", "metrics", "model")
    assert agent.verdict(validation, context) is None
    metrics = [m.model_dump() for m in validation.metrics]
    metrics[0]["value"] = 0.7
    assert "misses the success metric" in str(agent.verdict(changed(validation, metrics=metrics), context))
    assert "advises against" in str(agent.verdict(changed(validation, verdict="do_not_deploy"), context))
    unmeasured = changed(validation, metrics=[m.model_dump() for m in validation.metrics[1:]])
    assert agent.verdict(unmeasured, context) == "the model was not validated on the success metric roc_auc"


# --- confidence and warnings react to the output ---------------------------------------------
def test_validation_confidence_is_the_share_of_metrics_that_pass(world: TemplateWorld) -> None:
    agent = get_agent("ds_model_validation")
    validation = output(world, "validate")
    metrics = [m.model_dump() for m in validation.metrics]
    metrics[2]["value"] = 0.09  # calibration error above its 0.05 limit, still flagged as passed
    drifting = changed(validation, metrics=metrics)
    assert agent.confidence(drifting) == 0.67
    assert agent.warnings(drifting, context_after(world, "metrics")) == [
        "ece 0.09 misses its threshold (0.05)",
        "ece: reported passed, but 0.09 against 0.05 fails",
    ]


def test_an_impossible_threshold_or_no_constraints_lower_the_problem_confidence(world: TemplateWorld) -> None:
    agent = get_agent("ds_problem_definition")
    problem = output(world, "problem")
    impossible = changed(
        problem, success_metric={"name": "roc_auc", "threshold": 80, "direction": "higher_is_better"}
    )
    assert agent.confidence(problem) == 0.8
    assert agent.confidence(impossible) == 0.3
    assert agent.warnings(impossible, context_after(world)) == [
        "roc_auc lies between 0 and 1, the threshold 80 does not"
    ]
    # Given a fully confident answer, Then stating no constraints at all still costs confidence
    assert agent.confidence(changed(problem, confidence=1.0)) == 1.0
    assert agent.confidence(changed(problem, constraints=[], confidence=1.0)) == 0.8


def test_sources_without_the_target_lower_the_collection_confidence(world: TemplateWorld) -> None:
    agent = get_agent("ds_data_collection")
    collection = output(world, "collect")
    unlabelled = changed(
        collection, sources=[s.model_dump() | {"contains_target": False} for s in collection.sources]
    )
    assert agent.confidence(unlabelled) == 0.4
    assert "no source holds churned: there is nothing to learn from" in agent.warnings(
        unlabelled, context_after(world, "problem")
    )


def test_a_baseline_that_already_meets_the_target_lowers_the_plan_confidence(world: TemplateWorld) -> None:
    agent = get_agent("ds_evaluation_plan")
    plan = output(world, "metrics")
    assert agent.confidence(plan) == 0.8
    easy = changed(plan, baseline_score=0.85)
    assert agent.confidence(easy) == 0.4
    assert agent.warnings(easy, context_after(world, "problem")) == [
        "the baseline (0.85) already meets roc_auc >= 0.8"
    ]


def test_mostly_missing_features_and_severe_issues_lower_the_exploration_confidence(
    world: TemplateWorld,
) -> None:
    agent = get_agent("ds_data_exploration")
    exploration = output(world, "explore")
    features = [
        f.model_dump() | ({"missing_rate": 0.6} if f.name in ("tenure_days", "region") else {})
        for f in exploration.features
    ]
    issue = {"issue": "Half the spend values are negative", "severity": "high", "remedy": "Fix the export"}
    poor = changed(exploration, features=features, quality_issues=[issue])
    assert agent.confidence(poor) == round(1 - 0.5 * 2 / 10 - 0.15, 2)
    assert agent.warnings(poor, context_after(world, "problem")) == [
        "tenure_days is missing in 60% of rows",
        "region is missing in 60% of rows",
        "high-severity data issue: Half the spend values are negative",
    ]


def test_a_model_using_a_leaking_feature_or_not_among_the_candidates_is_flagged(world: TemplateWorld) -> None:
    agent = get_agent("ds_model_development")
    model = output(world, "model")
    context = context_after(world, "problem", "explore", "metrics")
    assert agent.warnings(model, context) == []
    leaking = changed(model, features_used=[*model.features_used, "closure_reason"])
    assert agent.warnings(leaking, context) == ["features that leak the target are used: closure_reason"]
    assert agent.confidence(changed(model, chosen_model="Something else")) == 0.2
    weaker = changed(model, chosen_model="Random forest")
    assert agent.warnings(weaker, context) == [
        "Gradient-boosted trees scored better than the chosen Random forest"
    ]


def test_a_deployment_that_watches_neither_performance_nor_drift_gets_lower_confidence(
    world: TemplateWorld,
) -> None:
    agent = get_agent("ds_deployment")
    deployment = output(world, "deploy")
    blind = changed(
        deployment,
        monitoring=[
            m.model_dump() for m in deployment.monitoring if m.signal not in ("performance", "data_drift")
        ],
        serving_mode="online",
    )
    assert agent.confidence(deployment) == 0.8
    assert agent.confidence(blind) == 0.5
    assert agent.warnings(blind, context_after(world)) == [
        "nothing watches performance",
        "nothing watches data drift",
        "an online model without a latency alert",
    ]


# --- the template ---------------------------------------------------------------------------
def test_the_template_is_in_the_catalog_and_describe_shows_the_parallel_branches() -> None:
    assert catalog in MODULES and catalog.DEMO["topic"]
    described = get_template("data_science").describe()
    assert [step["name"] for step in described["steps"]] == [
        "problem",
        "prepare",
        "explore",
        "model",
        "validate",
        "deploy",
    ]
    prepare = described["steps"][1]
    assert prepare["kind"] == "parallel" and prepare["title"] == "Collect data and plan evaluation"
    assert {
        name: [(s["name"], s["agent"]) for s in steps] for name, steps in prepare["branches"].items()
    } == {
        "data": [("collect", "ds_data_collection")],
        "evaluation": [("metrics", "ds_evaluation_plan")],
    }


def test_exploring_beside_the_collection_is_refused_it_needs_the_data() -> None:
    declaration = json.loads(json.dumps(catalog.DECLARATION))
    explore = declaration["steps"].pop(2)
    declaration["steps"][1]["branches"]["evaluation"].append(explore)
    with pytest.raises(ValueError, match=r"step 'explore'.*reads \['ds_data_collection'\]"):
        build_template(declaration)


def test_a_failure_at_each_side_effecting_step_leaves_the_workspace_exactly_as_before() -> None:
    steps = assert_each_side_effect_step_undone(
        lambda extra: TemplateWorld("data_science", topic=TOPIC, options=extra)
    )
    assert steps == STEPS
