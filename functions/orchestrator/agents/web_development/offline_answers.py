"""The offline provider's answers of the ``web_development`` agents: deterministic, built from the
topic and the earlier phases' outputs, so that an offline run designs a coherent application.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from orchestrator.agents.base import AgentContext
from orchestrator.agents.documents import clip
from orchestrator.agents.web_development.reading import (
    earlier_output,
    earlier_stories,
    entity_name,
    integration_sides,
    resource_of,
    story_resources,
    topic_features,
)
from orchestrator.agents.web_development.schemas import (
    AcceptanceCriterion,
    ApiCall,
    ApiField,
    ArchitectureOutput,
    BackendDesign,
    Component,
    ContractCheck,
    DeployStep,
    Endpoint,
    Entity,
    Environment,
    FrontendDesign,
    HealthCheck,
    Idea,
    IdeationOutput,
    IntegrationReport,
    Interface,
    Module,
    Page,
    PlannedTest,
    RequirementCoverage,
    RequirementsOutput,
    RollbackPlan,
    TestPlan,
    UserStory,
    WebDeploymentPlan,
)
from orchestrator.core.constants import MAX_SUMMARY_LENGTH

_BENEFITS = (
    "I save time every week",
    "nothing gets lost between my devices",
    "I stay in control of my own data",
    "I can see progress at a glance",
)


def ideation(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``web_ideation``."""
    topic = context.topic
    features = topic_features(topic)
    audience = re.search(r"\bfor\s+([a-z]+(?:\s+[a-z]+)?)\s+(?:to|who|that)\b", topic, re.IGNORECASE)
    users = audience.group(1) if audience else "the people the request names"
    first = re.split(r",|;", topic)[0].strip(" .") or topic
    ideas = [
        Idea(
            rank=1,
            title=clip(first[0].upper() + first[1:], 80),
            pitch=clip(f"The full product as asked: {topic}", 300),
            target_users=clip(users, 120),
            value=5,
            effort="medium",
        ),
        Idea(
            rank=2,
            title=clip(f"{features[0][0].upper()}{features[0][1:]} only (MVP)", 80),
            pitch=clip(f"Ship the single most valuable capability first: {features[0]}", 300),
            target_users=clip(users, 120),
            value=3,
            effort="low",
        ),
        Idea(
            rank=3,
            title="Add-on for a tool people already use",
            pitch=clip(f"A calendar or spreadsheet add-on that lets them {features[0]}", 300),
            target_users=clip(f"{users} who already use such tools", 120),
            value=2,
            effort="low",
        ),
    ]
    return IdeationOutput(
        summary=clip(f"[offline] 3 ideas for '{topic}'; chosen: {ideas[0].title}", MAX_SUMMARY_LENGTH),
        ideas=ideas,
        chosen=ideas[0].title,
        rationale="It covers every capability asked for at medium effort; the MVP is the fallback",
        confidence=0.8,
    ).model_dump(mode="json")


def requirements(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``web_requirements``."""
    stories = [
        UserStory(
            id=f"US-{index + 1}",
            as_a="user",
            i_want=clip(f"to {feature}", 300),
            so_that=_BENEFITS[index % len(_BENEFITS)],
            acceptance_criteria=[
                AcceptanceCriterion(
                    given="I am signed in",
                    when=clip(f"I {feature}", 300),
                    then="the change is saved and shown to me at once",
                ),
                AcceptanceCriterion(
                    given="I leave the title empty",
                    when=clip(f"I try to {feature}", 300),
                    then="I see which field to fix and nothing is saved",
                ),
            ],
            priority="must" if index < 2 else "should" if index < 4 else "could",
        )
        for index, feature in enumerate(topic_features(context.topic))
    ]
    return RequirementsOutput(
        summary=clip(f"[offline] {len(stories)} user stories for '{context.topic}'", MAX_SUMMARY_LENGTH),
        stories=stories,
        non_functional=[
            "Only signed-in users reach data, and only their own",
            "95% of API requests answer within 300 ms",
            "Pages meet WCAG 2.1 AA",
        ],
        out_of_scope=["Native mobile apps", "Payments"],
        confidence=0.8,
    ).model_dump(mode="json")


def architecture(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``web_architecture``."""
    components = [
        Component(
            name="Web client",
            responsibility="Pages of every user story; talks to the API only",
            technology="React + TypeScript, served by a CDN",
            layer="frontend",
        ),
        Component(
            name="API",
            responsibility="Validates requests, applies the rules of each story, owns the data",
            technology="Python 3.12 FastAPI on AWS Lambda",
            layer="backend",
        ),
        Component(
            name="Database",
            responsibility="Stores every entity; each row carries its owner",
            technology="PostgreSQL (Amazon RDS)",
            layer="data",
        ),
        Component(
            name="Identity provider",
            responsibility="Signs users in and issues their tokens",
            technology="Amazon Cognito (OIDC)",
            layer="auth",
        ),
    ]
    interfaces = [
        Interface(
            from_component="Web client",
            to_component="API",
            protocol="REST",
            contract="JSON over HTTPS under /api, one resource per user story; errors as problem details",
        ),
        Interface(
            from_component="API",
            to_component="Database",
            protocol="SQL",
            contract="Parameterised queries through the storage module, always filtered by owner",
        ),
        Interface(
            from_component="Web client",
            to_component="Identity provider",
            protocol="OIDC",
            contract="Authorization code flow with PKCE; the API receives the ID token as bearer token",
        ),
        Interface(
            from_component="API",
            to_component="Identity provider",
            protocol="OIDC",
            contract="Verifies each token's signature against the issuer's published keys",
        ),
    ]
    stories = len(earlier_stories(context))
    return ArchitectureOutput(
        summary=clip(
            f"[offline] serverless web client, API and database for {stories} user stories",
            MAX_SUMMARY_LENGTH,
        ),
        style="serverless",
        components=components,
        interfaces=interfaces,
        decisions=[
            "Serverless API: load is spiky and small, so nothing idles",
            "One relational database: the entities are related and need transactions",
            "Managed sign-in: no passwords are stored by the application",
        ],
        confidence=0.8,
    ).model_dump(mode="json")


def frontend_design(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``web_frontend_design``."""
    architecture = earlier_output(context, "web_architecture", ArchitectureOutput)
    framework = next(
        (c.technology for c in (architecture.components if architecture else []) if c.layer == "frontend"),
        "React + TypeScript",
    )
    pairs = story_resources(earlier_stories(context))[:14]
    home = Page(
        name="Home",
        route="/",
        purpose="Overview of everything the user has, with a way into each part",
        stories=[story.id for story, _ in pairs][:10],
        components=["Navigation bar", "Summary cards", "Recent changes list"],
        api_calls=[
            ApiCall(
                method="GET",
                path=f"/api/{resource}",
                purpose=clip(f"show the latest {resource.replace('-', ' ')}", 300),
                sends=[],
                expects=["id", "title", "updated_at"],
            )
            for _, resource in pairs[:10]
        ],
    )
    pages = [home]
    for story, resource in pairs:
        label = resource.replace("-", " ").capitalize()
        capability = re.sub(r"^to\s+", "", story.i_want)
        pages.append(
            Page(
                name=clip(capability[0].upper() + capability[1:], 80),
                route=f"/{resource}",
                purpose=clip(f"As a {story.as_a}, I want {story.i_want}", 300),
                stories=[story.id],
                components=[f"{label} list"[:80], f"{label} form"[:80], "Validation messages"],
                api_calls=[
                    ApiCall(
                        method="GET",
                        path=f"/api/{resource}",
                        purpose="list what exists",
                        sends=[],
                        expects=["id", "title", "updated_at"],
                    ),
                    ApiCall(
                        method="POST",
                        path=f"/api/{resource}",
                        purpose="save what the form holds",
                        sends=["title", "details"],
                        expects=["id", "created_at"],
                    ),
                ],
            )
        )
    return FrontendDesign(
        summary=clip(f"[offline] {len(pages)} pages in {framework}", MAX_SUMMARY_LENGTH),
        framework=clip(framework, 80),
        pages=pages,
        accessibility=["Every form field has a label", "Everything works with the keyboard alone"],
        confidence=0.8,
    ).model_dump(mode="json")


def backend_development(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``web_backend_development``."""
    architecture = earlier_output(context, "web_architecture", ArchitectureOutput)
    database = next(
        (c.technology for c in (architecture.components if architecture else []) if c.layer == "data"),
        "a relational database",
    )
    pairs = story_resources(earlier_stories(context))
    record = [
        ApiField(name="id", type="string"),
        ApiField(name="title", type="string"),
        ApiField(name="details", type="string", required=False),
        ApiField(name="created_at", type="string"),
        ApiField(name="updated_at", type="string"),
    ]
    endpoints = [
        Endpoint(
            method="GET",
            path="/api/health",
            description="Liveness and database reachability",
            story_ids=[],
            request_fields=[],
            response_fields=[ApiField(name="status", type="string")],
        )
    ]
    entities = [
        Entity(
            name="User",
            fields=[
                ApiField(name="id", type="string"),
                ApiField(name="email", type="string"),
                ApiField(name="display_name", type="string", required=False),
            ],
            relations=[],
        )
    ]
    modules = [
        Module(name="api", responsibility="Routing, request validation and error mapping", depends_on=[]),
        Module(
            name="auth",
            responsibility="Verifies the bearer token; scopes every query to its user",
            depends_on=[],
        ),
        Module(name="storage", responsibility=clip(f"Repositories over {database}", 300), depends_on=[]),
    ]
    for story, resource in pairs:
        entity = entity_name(resource)[:80]
        endpoints += _story_endpoints(story, resource, record)
        entities.append(
            Entity(
                name=entity,
                fields=[record[0], ApiField(name="owner_id", type="string"), *record[1:]],
                relations=["belongs to one User (owner_id)"],
            )
        )
        modules.append(
            Module(
                name=resource.replace("-", "_")[:80],
                responsibility=clip(f"Rules and handlers of {story.id}: {story.i_want}", 300),
                depends_on=["auth", "storage"],
            )
        )
    modules[0] = modules[0].model_copy(update={"depends_on": [m.name for m in modules[1:]][:8]})
    return BackendDesign(
        summary=clip(
            f"[offline] {len(endpoints[:30])} endpoints, {len(entities[:12])} entities, "
            f"{len(modules[:12])} modules",
            MAX_SUMMARY_LENGTH,
        ),
        endpoints=endpoints[:30],
        entities=entities[:12],
        modules=modules[:12],
        confidence=0.8,
    ).model_dump(mode="json")


def _story_endpoints(story: UserStory, resource: str, record: list[ApiField]) -> list[Endpoint]:
    """List, create and read of the resource a user story works on."""
    return [
        Endpoint(
            method="GET",
            path=f"/api/{resource}",
            description=clip(f"List the user's {resource.replace('-', ' ')}", 300),
            story_ids=[story.id],
            request_fields=[],
            response_fields=[record[0], record[1], record[4]],
        ),
        Endpoint(
            method="POST",
            path=f"/api/{resource}",
            description=clip(f"Create one: {story.i_want}", 300),
            story_ids=[story.id],
            request_fields=[record[1], record[2]],
            response_fields=record,
        ),
        Endpoint(
            method="GET",
            path=f"/api/{resource}/{{id}}",
            description=clip(f"Read one of the user's {resource.replace('-', ' ')}", 300),
            story_ids=[story.id],
            request_fields=[],
            response_fields=record,
        ),
    ]


def integration(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``web_integration``."""
    checks = [ContractCheck.model_validate(c) for c in context.facts.get("checks", [])]
    unused = list(context.facts.get("unused_endpoints", []))
    failing = [c for c in checks if c.status != "ok"]
    return IntegrationReport(
        summary=clip(
            f"[offline] {len(checks)} API calls checked, {len(failing)} mismatch(es), "
            f"{len(unused)} endpoint(s) no page uses",
            MAX_SUMMARY_LENGTH,
        ),
        checks=checks,
        unused_endpoints=unused,
        steps=[
            "Generate the typed API client of the web client from api/openapi.json",
            "Point the web client at the API's base URL per environment (/api behind the same domain)",
            "Send the signed-in user's ID token as the bearer token on every call",
            "Map API problem details to the pages' validation messages",
            *[clip(f"Fix before release: {c.page}: {c.method} {c.path} ({c.status})", 300) for c in failing][
                :8
            ],
        ],
        confidence=0.85,
    ).model_dump(mode="json")


def test_plan(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``web_test_plan``."""
    frontend, backend = integration_sides(context)
    cases: list[PlannedTest] = []
    coverage: list[RequirementCoverage] = []
    for story in earlier_stories(context)[:30]:
        pages = frontend.pages if frontend else []
        page = next((p for p in pages if p.stories == [story.id]), None) or next(
            (p for p in pages if story.id in p.stories), None
        )
        write = next(
            (
                e
                for e in (backend.endpoints if backend else [])
                if story.id in e.story_ids and e.method == "POST"
            ),
            None,
        )
        ids = []
        for index, criterion in enumerate(story.acceptance_criteria[:2]):
            if len(cases) >= 60:
                break
            case_id = f"TC-{len(cases) + 1}"
            if index == 0:
                target = page.route if page else "the page of " + story.id
            else:
                target = f"{write.method} {write.path}" if write else "the story's endpoint"
            cases.append(_criterion_case(case_id, story, criterion, first=index == 0, target=target))
            ids.append(case_id)
        if len(cases) < 60:
            case_id = f"TC-{len(cases) + 1}"
            cases.append(
                PlannedTest(
                    id=case_id,
                    kind="unit",
                    requirement_id=story.id,
                    title=clip(f"{story.id}: validation of the input", 80),
                    steps=["Call the story's handler with an empty title", "Call it with a valid one"],
                    expected="The empty title is refused with a message; the valid one is accepted",
                )
            )
            ids.append(case_id)
        coverage.append(RequirementCoverage(requirement_id=story.id, covered_by=ids[:20]))
    if not cases:
        cases = [
            PlannedTest(
                id="TC-1",
                kind="e2e",
                requirement_id="smoke",
                title="The application starts",
                steps=["Open the home page"],
                expected="It loads",
            )
        ]
        coverage = [RequirementCoverage(requirement_id="smoke", covered_by=["TC-1"])]
    kinds = {kind: sum(1 for c in cases if c.kind == kind) for kind in ("unit", "integration", "e2e")}
    return TestPlan(
        summary=clip(
            f"[offline] {len(cases)} cases ({kinds['unit']} unit, {kinds['integration']} integration, "
            f"{kinds['e2e']} e2e) covering {len(coverage)} requirement(s)",
            MAX_SUMMARY_LENGTH,
        ),
        cases=cases,
        coverage=coverage,
        confidence=0.85,
    ).model_dump(mode="json")


def _criterion_case(
    case_id: str, story: UserStory, criterion: AcceptanceCriterion, *, first: bool, target: str
) -> PlannedTest:
    """The case of one acceptance criterion: the first one end to end through the page (``target``
    is its route), the next ones against the story's endpoint (``target`` is its method and path)."""
    if first:
        steps = [
            "Sign in as a test user",
            f"Open {target}",
            clip(f"Given {criterion.given}: {criterion.when}", 300),
            "Reload the page",
        ]
        kind: Literal["unit", "integration", "e2e"] = "e2e"
    else:
        steps = [
            clip(f"Prepare: {criterion.given}", 300),
            clip(f"Send {target} the way the page does when {criterion.when}", 300),
            "Read the answer and the stored data",
        ]
        kind = "integration"
    return PlannedTest(
        id=case_id,
        kind=kind,
        requirement_id=story.id,
        title=clip(f"{story.id}: {criterion.when}", 80),
        steps=steps,
        expected=criterion.then,
    )


def deployment(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``web_deployment``."""
    architecture = earlier_output(context, "web_architecture", ArchitectureOutput)
    units = [
        c for c in (architecture.components if architecture else []) if c.layer in ("frontend", "backend")
    ]
    plan = earlier_output(context, "web_test_plan", TestPlan)
    e2e = sum(1 for case in plan.cases if case.kind == "e2e") if plan else 0
    host = resource_of(topic_features(context.topic)[0])[:40]
    environments = [
        Environment(
            name="staging",
            purpose="Production-like rehearsal of every release",
            url=f"https://staging.{host}.example.com",
        ),
        Environment(name="production", purpose="Serves the users", url=f"https://{host}.example.com"),
    ]
    deploys = sorted(units, key=lambda c: c.layer)  # the backend before the frontend
    steps = [
        DeployStep(
            environment="staging",
            action="Build the web client and the API package from the tested commit",
        ),
        DeployStep(environment="staging", action="Apply the database migrations (backwards compatible)"),
        *(
            DeployStep(environment="staging", action=clip(f"Deploy {c.name} ({c.technology})", 300))
            for c in deploys
        ),
        DeployStep(
            environment="staging", action=f"Run the {e2e} e2e cases of the test plan; stop on any failure"
        ),
        DeployStep(environment="production", action="Apply the database migrations (backwards compatible)"),
        *(
            DeployStep(environment="production", action=clip(f"Deploy {c.name} ({c.technology})", 300))
            for c in deploys
        ),
        DeployStep(
            environment="production", action="Watch the health checks and the error rate for 30 minutes"
        ),
    ]
    checks = []
    for env in environments:
        checks += [
            HealthCheck(
                environment=env.name,
                name="API health",
                target="GET /api/health",
                expectation="200 with status ok within 1 s",
            ),
            HealthCheck(
                environment=env.name,
                name="Web client",
                target="GET /",
                expectation="200 and the app shell loads",
            ),
        ]
    return WebDeploymentPlan(
        summary=clip(
            f"[offline] staging then production, {len(steps)} steps, {len(checks)} health checks",
            MAX_SUMMARY_LENGTH,
        ),
        environments=environments,
        steps=steps[:20],
        rollback=RollbackPlan(
            trigger="A health check fails twice in a row, or errors exceed 2% in the first 30 minutes",
            steps=[
                "Point the API alias back at the previous version",
                "Restore the previous web client build on the CDN",
                "Keep the database: the migrations are backwards compatible",
                "Announce the rollback and open an incident",
            ],
        ),
        health_checks=checks,
        confidence=0.8,
    ).model_dump(mode="json")
