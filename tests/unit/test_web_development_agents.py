"""The ``web_development`` template: a web application from the idea to its release.

Each phase is an agent with its own schema; the whole template runs in memory with the offline
provider, and every phase's deliverable lands in the tenant's workspace, undone on failure.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from pydantic import BaseModel

from orchestrator.agents import get_agent
from orchestrator.agents.base import AgentContext, AgentServices, EarlierOutput
from orchestrator.agents.web_development.contracts import contract_checks
from orchestrator.core.records import CommandStatus, RunStatus
from orchestrator.providers.base import ModelRequest
from orchestrator.providers.offline import OfflineAnswer
from orchestrator.templates.catalog import MODULES
from orchestrator.templates.catalog import web_development as catalog
from orchestrator.templates.graph import build_template, get_template
from tests.fakes.run_data import InMemoryWorkspace

from .template_world import RUN_ID, TENANT, TemplateWorld, assert_each_side_effect_step_undone

TOPIC = catalog.DEMO["topic"]
PROJECT = f"projects/{RUN_ID}"
STEPS = [
    "ideation",
    "requirements",
    "architecture",
    "frontend",
    "backend",
    "integration",
    "testing",
    "deployment",
]


@pytest.fixture(scope="module")
def world() -> TemplateWorld:
    """One successful offline run of the demo request."""
    run = TemplateWorld("web_development", topic=TOPIC)
    outcome = run.run()
    assert outcome.status is RunStatus.SUCCEEDED, outcome.error
    return run


def output(world: TemplateWorld, step: str) -> Any:
    """A step's output, validated against its own agent's schema."""
    agent = get_agent(world.result(step).metadata.agent)
    return agent.output_model.model_validate(world.output(step))


def context_after(world: TemplateWorld, *steps: str) -> AgentContext:
    """What an agent sees when it reads the outputs of these steps of the run."""
    earlier = [
        EarlierOutput(step=s, agent=world.result(s).metadata.agent, summary="", data=world.output(s))
        for s in steps
    ]
    return AgentContext(
        tenant_id=TENANT, run_id=RUN_ID, topic=TOPIC, step="x", step_title="X", earlier=earlier
    )


def changed(model: BaseModel, **update: Any) -> Any:
    """The same output with some fields replaced (validated again, as a model's answer would be)."""
    return type(model).model_validate(model.model_dump(mode="json") | update)


# --- the run and the shape of every phase's output -------------------------------------------
def test_every_phase_runs_in_order_and_answers_with_its_own_schema(world: TemplateWorld) -> None:
    # Given the demo request, When the template runs offline (the fixture)
    # Then every phase ran, frontend and backend inside the parallel step, each with its agent's schema
    assert [key for key in STEPS if world.output(key) is not None] == STEPS
    agents = [world.result(step).metadata.agent for step in STEPS]
    assert agents == [step.agent for step in get_template("web_development").agent_steps()]
    assert len({get_agent(agent).output_model for agent in agents}) == len(STEPS)
    for step in STEPS:
        assert isinstance(output(world, step), BaseModel)
        assert world.result(step).metadata.provider == "offline"


def test_ideas_are_ranked_and_the_chosen_idea_is_the_one_ranked_first(world: TemplateWorld) -> None:
    ideation = output(world, "ideation")
    assert sorted(idea.rank for idea in ideation.ideas) == list(range(1, len(ideation.ideas) + 1))
    chosen = next(idea for idea in ideation.ideas if idea.title == ideation.chosen)
    assert chosen.rank == 1


def test_requirements_are_user_stories_with_given_when_then_criteria_and_moscow_priorities(
    world: TemplateWorld,
) -> None:
    stories = output(world, "requirements").stories
    # Then one story per capability the topic asks for, each with criteria and a priority
    assert [s.i_want for s in stories] == [
        "to plan weekly meals",
        "to share shopping lists",
        "to track the food budget",
    ]
    for story in stories:
        assert story.as_a and story.so_that
        assert story.acceptance_criteria and all(
            c.given and c.when and c.then for c in story.acceptance_criteria
        )
        assert story.priority in ("must", "should", "could", "wont")
    assert any(story.priority == "must" for story in stories)
    assert world.result("requirements").confidence_score == 0.8


def test_the_architecture_names_components_and_interfaces_between_declared_components(
    world: TemplateWorld,
) -> None:
    architecture = output(world, "architecture")
    names = {component.name for component in architecture.components}
    assert {"Web client", "API", "Database"} <= names
    assert all(c.responsibility and c.technology for c in architecture.components)
    assert architecture.interfaces
    for interface in architecture.interfaces:
        assert {interface.from_component, interface.to_component} <= names
        assert interface.protocol and interface.contract


def test_pages_call_endpoints_the_backend_serves_and_the_integration_checks_each_call(
    world: TemplateWorld,
) -> None:
    frontend, backend, integration = (output(world, s) for s in ("frontend", "backend", "integration"))
    # Then every story has a page and endpoints, and every call of every page was checked and passes
    stories = {story.id for story in output(world, "requirements").stories}
    assert stories <= {story for page in frontend.pages for story in page.stories}
    assert stories <= {story for endpoint in backend.endpoints for story in endpoint.story_ids}
    assert all(page.components for page in frontend.pages)
    calls = [(call.method, call.path) for page in frontend.pages for call in page.api_calls]
    assert [(c.method, c.path) for c in integration.checks] == calls
    assert {c.status for c in integration.checks} == {"ok"}
    assert backend.entities and backend.modules
    assert world.result("integration").warnings == [
        "produced by the offline provider: deterministic text, not a model's answer"
    ]


def test_the_test_plan_covers_every_requirement_and_the_deployment_checks_every_environment(
    world: TemplateWorld,
) -> None:
    plan, deployment = output(world, "testing"), output(world, "deployment")
    stories = [story.id for story in output(world, "requirements").stories]
    assert [entry.requirement_id for entry in plan.coverage] == stories
    assert {case.kind for case in plan.cases} == {"unit", "integration", "e2e"}
    assert all(case.steps and case.expected for case in plan.cases)
    assert world.result("testing").confidence_score == 0.85
    environments = [env.name for env in deployment.environments]
    assert environments == ["staging", "production"]
    assert {check.environment for check in deployment.health_checks} == set(environments)
    assert {step.environment for step in deployment.steps} == set(environments)
    assert deployment.rollback.trigger and deployment.rollback.steps


def test_every_schema_alone_is_enough_for_the_offline_provider() -> None:
    # Given only an agent's JSON schema (what a model is given), When the offline provider answers it
    # with short and long lists, Then the answer is valid: every bound of the schema can be met
    for agent_type in get_template("web_development").agent_types():
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
    requirements = world.artifact(f"{PROJECT}/requirements.md")
    for story in output(world, "requirements").stories:
        assert f"As a {story.as_a}, I want {story.i_want}, so that {story.so_that}." in requirements
        assert f"### {story.id} ({story.priority})" in requirements
    assert "**Given** I am signed in, **when** I plan weekly meals, **then**" in requirements
    architecture = world.artifact(f"{PROJECT}/architecture.md")
    for component in output(world, "architecture").components:
        assert f"| {component.name} | {component.layer} | {component.responsibility} |" in architecture
    assert "| Web client | API | REST |" in architecture
    assert "## Plan weekly meals (`/weekly-meals`)" in world.artifact(f"{PROJECT}/frontend.md")
    assert "| Home | GET /api/weekly-meals | ok |" in world.artifact(f"{PROJECT}/integration.md")
    assert "| US-1 | TC-1, TC-2, TC-3 | yes |" in world.artifact(f"{PROJECT}/test-plan.md")
    deployment = world.artifact(f"{PROJECT}/deployment.md")
    assert "## Rollback" in deployment and "| production | API health | GET /api/health |" in deployment
    ideation = world.artifact(f"{PROJECT}/ideation.md")
    assert f"**Chosen:** {output(world, 'ideation').chosen}" in ideation
    assert "| 1 | A web app for families to plan weekly meals |" in ideation


def test_the_backend_api_is_an_openapi_document_of_every_endpoint(world: TemplateWorld) -> None:
    document = json.loads(world.artifact(f"{PROJECT}/api/openapi.json"))
    assert document["openapi"].startswith("3.")
    for endpoint in output(world, "backend").endpoints:
        operation = document["paths"][endpoint.path][endpoint.method.lower()]
        assert operation["summary"] == endpoint.description
    create = document["paths"]["/api/weekly-meals"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["required"] == ["title"]
    assert document["paths"]["/api/weekly-meals/{id}"]["get"]["parameters"][0]["name"] == "id"
    assert "WeeklyMeal" in document["components"]["schemas"]


def test_the_deployment_announces_the_release_and_undoing_it_takes_the_announcement_back() -> None:
    # Given a finished run that announced its release
    run = TemplateWorld("web_development", topic=TOPIC)
    assert run.run().status is RunStatus.SUCCEEDED
    (released,) = run.publisher.of_type("INTEGRATION_EXECUTED")
    assert (released.payload["integration"], released.payload["action"]) == ("deployments", "release")
    assert released.payload["payload"]["environments"] == ["staging", "production"]
    # When its work is undone, Then the release is reverted and the workspace is as before
    run.undo()
    (reverted,) = run.publisher.of_type("INTEGRATION_REVERTED")
    assert reverted.payload["reverts_event_id"] == released.event_id
    assert run.everything_undone()


# --- confidence and warnings react to the output ---------------------------------------------
def test_requirements_without_acceptance_criteria_lower_the_confidence(world: TemplateWorld) -> None:
    agent = get_agent("web_requirements")
    requirements = output(world, "requirements")
    # Given two of three stories lose their acceptance criteria
    stories = [
        s.model_dump() | ({"acceptance_criteria": []} if i else {})
        for i, s in enumerate(requirements.stories)
    ]
    vague = changed(requirements, stories=stories)
    # Then the confidence is the share of stories with criteria, and the warnings name the others
    assert agent.confidence(requirements) == 0.8
    assert agent.confidence(vague) == 0.33
    assert agent.warnings(vague, context_after(world)) == [
        "story US-2 has no acceptance criteria",
        "story US-3 has no acceptance criteria",
    ]


def test_a_test_plan_covering_half_the_requirements_gets_lower_confidence(world: TemplateWorld) -> None:
    agent = get_agent("web_test_plan")
    plan = output(world, "testing")
    context = context_after(world, "requirements")
    assert agent.confidence(plan) == 0.85 and agent.warnings(plan, context) == []
    # Given a plan that lists four requirements but has cases for two of them only
    coverage = [
        {"requirement_id": "US-1", "covered_by": ["TC-1"]},
        {"requirement_id": "US-2", "covered_by": ["TC-4"]},
        {"requirement_id": "US-3", "covered_by": []},
        {"requirement_id": "US-4", "covered_by": ["TC-99"]},  # a case that does not exist
    ]
    half = changed(plan, coverage=coverage)
    assert agent.confidence(half) == 0.5
    assert agent.warnings(half, context) == ["requirement US-3 is not covered by any case"]


def test_choosing_an_idea_that_was_not_proposed_or_not_ranked_first_lowers_the_confidence(
    world: TemplateWorld,
) -> None:
    agent = get_agent("web_ideation")
    ideation = output(world, "ideation")
    assert agent.confidence(ideation) == 0.8
    runner_up = next(idea.title for idea in ideation.ideas if idea.rank == 2)
    # Given the runner-up is chosen, Then the confidence drops and the warning says why
    assert agent.confidence(changed(ideation, chosen=runner_up)) == 0.6
    assert agent.warnings(changed(ideation, chosen=runner_up), context_after(world)) == [
        "the chosen idea is ranked 2, not 1"
    ]
    # Given an idea nobody proposed is chosen
    assert agent.warnings(changed(ideation, chosen="Something else"), context_after(world)) == [
        "the chosen idea 'Something else' is not one of the ideas"
    ]
    assert agent.confidence(changed(ideation, chosen="Something else")) == 0.2


def test_an_interface_to_an_undeclared_component_lowers_the_architectures_confidence(
    world: TemplateWorld,
) -> None:
    agent = get_agent("web_architecture")
    architecture = output(world, "architecture")
    interfaces = [i.model_dump() for i in architecture.interfaces]
    interfaces[1]["to_component"] = "Cache"
    broken = changed(architecture, interfaces=interfaces)
    assert agent.confidence(broken) < agent.confidence(architecture)
    assert "interface API -> Cache names an undeclared component" in agent.warnings(
        broken, context_after(world)
    )


def test_frontend_calls_the_backend_does_not_serve_are_flagged_by_the_integration(
    world: TemplateWorld,
) -> None:
    agent = get_agent("web_integration")
    frontend = output(world, "frontend")
    # Given a page that calls an endpoint the backend lacks and sends a field it does not accept
    pages = [page.model_dump() for page in frontend.pages]
    pages[1]["api_calls"][0]["path"] = "/api/recipes"
    pages[1]["api_calls"][1]["sends"] = ["title", "colour"]
    drifted = EarlierOutput(
        "frontend", "web_frontend_design", "", changed(frontend, pages=pages).model_dump()
    )
    context = context_after(world, "backend")
    context = replace(context, earlier=[*context.earlier, drifted])
    # When the integration checks the contracts in code and reports
    context = replace(context, facts=agent.work(context, AgentServices(workspace=InMemoryWorkspace())))
    report = agent.output_model.model_validate(agent.offline_answer(context))
    # Then both mismatches are warnings, and the confidence is the share of calls that pass
    assert agent.warnings(report, context) == [
        "Plan weekly meals: GET /api/recipes: missing_endpoint (no backend endpoint serves it)",
        "Plan weekly meals: POST /api/weekly-meals: field_mismatch "
        "(sends fields the endpoint does not accept: colour)",
    ]
    assert agent.confidence(report) == round(7 / 9, 2)
    assert "GET /api/weekly-meals" not in report.unused_endpoints


def test_contract_checks_treat_path_parameter_styles_alike(world: TemplateWorld) -> None:
    frontend, backend = output(world, "frontend"), output(world, "backend")
    pages = [page.model_dump() for page in frontend.pages]
    pages[1]["api_calls"] = [
        {
            "method": "GET",
            "path": "/api/weekly-meals/:mealId",
            "purpose": "one",
            "sends": [],
            "expects": ["id"],
        }
    ]
    (check,) = [c for c in contract_checks(changed(frontend, pages=pages), backend) if "mealId" in c.path]
    assert (check.status, check.endpoint) == ("ok", "GET /api/weekly-meals/{id}")


def test_an_environment_without_health_checks_lowers_the_deployments_confidence(world: TemplateWorld) -> None:
    agent = get_agent("web_deployment")
    deployment = output(world, "deployment")
    checks = [c.model_dump() for c in deployment.health_checks if c.environment == "staging"]
    unchecked = changed(deployment, health_checks=checks)
    assert agent.confidence(deployment) == 0.8
    assert agent.confidence(unchecked) == 0.5
    assert agent.warnings(unchecked, context_after(world, "integration", "testing")) == [
        "environment production lacks deployment steps or health checks"
    ]


# --- the template ---------------------------------------------------------------------------
def test_the_template_is_in_the_catalog_and_describe_shows_the_parallel_branches() -> None:
    assert catalog in MODULES and catalog.DEMO["topic"]
    described = get_template("web_development").describe()
    assert [step["name"] for step in described["steps"]] == [
        "ideation",
        "requirements",
        "architecture",
        "build",
        "integration",
        "testing",
        "deployment",
    ]
    build = described["steps"][3]
    assert build["kind"] == "parallel" and build["title"] == "Design frontend and build backend"
    assert {name: [(s["name"], s["agent"]) for s in steps] for name, steps in build["branches"].items()} == {
        "frontend": [("frontend", "web_frontend_design")],
        "backend": [("backend", "web_backend_development")],
    }


def test_the_integration_cannot_run_inside_a_branch_it_reads_the_other_branch() -> None:
    declaration = json.loads(json.dumps(catalog.DECLARATION))
    integration = declaration["steps"].pop(4)
    declaration["steps"][3]["branches"]["frontend"].append(integration)
    with pytest.raises(ValueError, match=r"step 'integration'.*reads \['web_backend_development'\]"):
        build_template(declaration)


def test_a_failure_at_each_side_effecting_step_leaves_the_workspace_exactly_as_before() -> None:
    # Given each phase writes to the workspace, When each fails for good in turn
    steps = assert_each_side_effect_step_undone(
        lambda extra: TemplateWorld("web_development", topic=TOPIC, options=extra)
    )
    # Then every phase was failed once, and each run left everything undone
    assert steps == STEPS


def test_a_failure_at_the_deployment_undoes_every_earlier_phase_newest_first() -> None:
    run = TemplateWorld("web_development", topic=TOPIC, options={"simulate_failure": {"step": "deployment"}})
    outcome = run.run()
    assert outcome.status is RunStatus.COMPENSATED and outcome.failed_step == "deployment"
    undone = [event.phase for event in run.publisher.of_type("PHASE_COMPENSATED")]
    assert undone == list(reversed(STEPS[:-1]))
    records = run.command_log.list_for_run(TENANT, RUN_ID)
    assert len(records) == 8 and {r.status for r in records} == {CommandStatus.UNDONE}
    assert run.everything_undone()
