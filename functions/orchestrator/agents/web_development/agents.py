"""The agents of the ``web_development`` template, one class per phase (see the package)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

import orchestrator.agents.web_development.offline_answers as offline
from orchestrator.agents.base import Agent, AgentContext, AgentServices, output_as
from orchestrator.agents.documents import project_artifact, section, table
from orchestrator.agents.web_development.contracts import (
    contract_checks,
    normal_path,
    openapi_document,
    unused_endpoints,
)
from orchestrator.agents.web_development.reading import (
    earlier_output,
    earlier_stories,
    integration_sides,
    share,
)
from orchestrator.agents.web_development.schemas import (
    ApiField,
    ArchitectureOutput,
    BackendDesign,
    ContractCheck,
    FrontendDesign,
    IdeationOutput,
    IntegrationReport,
    Interface,
    RequirementsOutput,
    TestPlan,
    WebDeploymentPlan,
)
from orchestrator.commands.executor import CommandSpec, PublishIntegration, WriteArtifact


class WebIdeationAgent(Agent):
    agent_type = "web_ideation"
    title = "Product ideation"
    goal = (
        "Propose distinct product ideas for the requested web application, rank them (1 = best) "
        "by value to the target users against effort, and choose the idea ranked 1."
    )
    output_model = IdeationOutput
    complexity = "small"
    max_output_tokens = 2048

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, IdeationOutput)
        titles = {idea.title: idea for idea in output.ideas}
        if output.chosen not in titles:
            return round(min(output.confidence, 0.2), 2)
        score = 1.0
        if sorted(idea.rank for idea in output.ideas) != list(range(1, len(output.ideas) + 1)):
            score *= 0.7  # the ranking is not a ranking: ties or gaps
        if titles[output.chosen].rank != 1:
            score *= 0.6  # the ranking argues against the choice
        return round(min(output.confidence, score), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, IdeationOutput)
        titles = {idea.title: idea for idea in output.ideas}
        if output.chosen not in titles:
            return [f"the chosen idea {output.chosen!r} is not one of the ideas"]
        if titles[output.chosen].rank != 1:
            return [f"the chosen idea is ranked {titles[output.chosen].rank}, not 1"]
        return []

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.ideation(context)

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, IdeationOutput)
        lines = [f"# Ideation: {context.topic}", "", output.summary, ""]
        lines += table(
            ["rank", "idea", "pitch", "target users", "value", "effort"],
            [
                [i.rank, i.title, i.pitch, i.target_users, i.value, i.effort]
                for i in sorted(output.ideas, key=lambda idea: idea.rank)
            ],
        )
        lines += ["", f"**Chosen:** {output.chosen}", "", output.rationale]
        return [project_artifact(context, "ideation.md", lines)]


class WebRequirementsAgent(Agent):
    agent_type = "web_requirements"
    title = "Requirements analyst"
    goal = (
        "Write the requirements of the chosen idea as user stories ('As a <role>, I want "
        "<capability>, so that <benefit>'), each with acceptance criteria in Given/When/Then form "
        "and a MoSCoW priority (must, should, could, wont), plus the non-functional requirements."
    )
    output_model = RequirementsOutput
    reads = ("web_ideation",)
    max_output_tokens = 4096

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, RequirementsOutput)
        specified = sum(1 for story in output.stories if story.acceptance_criteria)
        return round(min(output.confidence, share(specified, len(output.stories))), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, RequirementsOutput)
        found = [
            f"story {s.id} has no acceptance criteria" for s in output.stories if not s.acceptance_criteria
        ]
        if not any(story.priority == "must" for story in output.stories):
            found.append("no story is a must: the first release has no scope")
        ids = [story.id for story in output.stories]
        if len(set(ids)) != len(ids):
            found.append("story ids are not unique")
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.requirements(context)

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, RequirementsOutput)
        lines = [f"# Requirements: {context.topic}", "", output.summary, "", "## User stories", ""]
        for story in output.stories:
            lines += [
                f"### {story.id} ({story.priority})",
                "",
                f"As a {story.as_a}, I want {story.i_want}, so that {story.so_that}.",
                "",
            ]
            lines += [
                f"- **Given** {c.given}, **when** {c.when}, **then** {c.then}."
                for c in story.acceptance_criteria
            ] or ["- (no acceptance criteria yet)"]
            lines.append("")
        lines += ["## Non-functional requirements", ""] + [f"- {r}" for r in output.non_functional]
        lines += ["", "## Out of scope", ""] + [f"- {r}" for r in output.out_of_scope]
        return [project_artifact(context, "requirements.md", lines)]


class WebArchitectureAgent(Agent):
    agent_type = "web_architecture"
    title = "Software architect"
    goal = (
        "Design the architecture that serves the user stories: the components (name, "
        "responsibility, technology, layer) and the interfaces between them (from, to, protocol, "
        "contract), naming only declared components, plus the key decisions."
    )
    output_model = ArchitectureOutput
    reads = ("web_ideation", "web_requirements")
    max_output_tokens = 4096

    @staticmethod
    def dangling(output: ArchitectureOutput) -> list[Interface]:
        names = {component.name for component in output.components}
        return [i for i in output.interfaces if i.from_component not in names or i.to_component not in names]

    @staticmethod
    def isolated(output: ArchitectureOutput) -> list[str]:
        if len(output.components) < 2:
            return []
        touched = {i.from_component for i in output.interfaces} | {i.to_component for i in output.interfaces}
        return [c.name for c in output.components if c.name not in touched]

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, ArchitectureOutput)
        valid = share(len(output.interfaces) - len(self.dangling(output)), len(output.interfaces))
        connected = share(len(output.components) - len(self.isolated(output)), len(output.components))
        return round(min(output.confidence, valid * (0.5 + 0.5 * connected)), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, ArchitectureOutput)
        found = [
            f"interface {i.from_component} -> {i.to_component} names an undeclared component"
            for i in self.dangling(output)
        ]
        return found + [f"component {name} has no interface" for name in self.isolated(output)]

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.architecture(context)

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, ArchitectureOutput)
        lines = [f"# Architecture: {context.topic}", "", output.summary, "", f"Style: {output.style}"]
        lines += section(
            "Components",
            table(
                ["component", "layer", "responsibility", "technology"],
                [[c.name, c.layer, c.responsibility, c.technology] for c in output.components],
            ),
        )
        lines += section(
            "Interfaces",
            table(
                ["from", "to", "protocol", "contract"],
                [[i.from_component, i.to_component, i.protocol, i.contract] for i in output.interfaces],
            ),
        )
        lines += ["", "## Decisions", ""] + [f"- {decision}" for decision in output.decisions]
        return [project_artifact(context, "architecture.md", lines)]


class WebFrontendDesignAgent(Agent):
    agent_type = "web_frontend_design"
    title = "Frontend designer"
    goal = (
        "Design the frontend of the user stories: every page or screen with its route, the stories "
        "it serves, its UI components and the API calls it makes (method, path, fields sent and "
        "fields expected), following the architecture's REST contract."
    )
    output_model = FrontendDesign
    reads = ("web_requirements", "web_architecture")
    max_output_tokens = 4096

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, FrontendDesign)
        designed = sum(1 for page in output.pages if page.components)
        return round(min(output.confidence, share(designed, len(output.pages))), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, FrontendDesign)
        served = {story for page in output.pages for story in page.stories}
        found = [f"page {p.name} has no components" for p in output.pages if not p.components]
        return found + [
            f"must-have story {s.id} has no page"
            for s in earlier_stories(context)
            if s.priority == "must" and s.id not in served
        ]

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.frontend_design(context)

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, FrontendDesign)
        lines = [
            f"# Frontend design: {context.topic}",
            "",
            output.summary,
            "",
            f"Framework: {output.framework}",
        ]
        for page in output.pages:
            lines += ["", f"## {page.name} (`{page.route}`)", "", page.purpose, ""]
            lines.append(f"Stories: {', '.join(page.stories) or '-'}")
            lines.append(f"Components: {', '.join(page.components) or '-'}")
            if page.api_calls:
                calls = [
                    [c.method, c.path, c.purpose, ", ".join(c.sends), ", ".join(c.expects)]
                    for c in page.api_calls
                ]
                lines += ["", *table(["method", "path", "purpose", "sends", "expects"], calls)]
        lines += ["", "## Accessibility", ""] + [f"- {note}" for note in output.accessibility]
        return [project_artifact(context, "frontend.md", lines)]


class WebBackendDevelopmentAgent(Agent):
    agent_type = "web_backend_development"
    title = "Backend developer"
    goal = (
        "Design the backend of the user stories: the API endpoints (method, path, the stories they "
        "serve, request and response fields), the data entities and the modules to build, "
        "following the architecture's REST contract."
    )
    output_model = BackendDesign
    reads = ("web_requirements", "web_architecture")
    max_output_tokens = 4096

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, BackendDesign)
        documented = sum(1 for e in output.endpoints if e.response_fields or e.method == "DELETE")
        routes = {(e.method, normal_path(e.path)) for e in output.endpoints}
        unique = len(routes) / len(output.endpoints)
        return round(min(output.confidence, share(documented, len(output.endpoints)) * unique), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, BackendDesign)
        found = []
        seen: set[tuple[str, str]] = set()
        for endpoint in output.endpoints:
            route = (endpoint.method, normal_path(endpoint.path))
            if route in seen:
                found.append(f"{endpoint.method} {endpoint.path} is declared twice")
            seen.add(route)
        served = {story for endpoint in output.endpoints for story in endpoint.story_ids}
        return found + [
            f"must-have story {s.id} has no endpoint"
            for s in earlier_stories(context)
            if s.priority == "must" and s.id not in served
        ]

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.backend_development(context)

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, BackendDesign)

        def fields(items: list[ApiField]) -> str:
            return ", ".join(f"{f.name}{'' if f.required else '?'}: {f.type}" for f in items) or "-"

        lines = [f"# Backend: {context.topic}", "", output.summary, "", "## Endpoints", ""]
        lines += table(
            ["method", "path", "stories", "request", "response", "description"],
            [
                [
                    e.method,
                    e.path,
                    ", ".join(e.story_ids),
                    fields(e.request_fields),
                    fields(e.response_fields),
                    e.description,
                ]
                for e in output.endpoints
            ],
        )
        lines += ["", "## Entities", ""]
        for entity in output.entities:
            lines.append(f"- **{entity.name}**: {fields(entity.fields)}")
            lines += [f"  - {relation}" for relation in entity.relations]
        lines += section(
            "Modules",
            table(
                ["module", "responsibility", "depends on"],
                [[m.name, m.responsibility, ", ".join(m.depends_on)] for m in output.modules],
            ),
        )
        lines += ["", "The API as OpenAPI: `api/openapi.json`."]
        document = openapi_document(output, context.topic)
        return [
            project_artifact(context, "backend.md", lines),
            WriteArtifact(
                path=f"projects/{context.run_id}/api/openapi.json",
                content=json.dumps(document, indent=2) + "\n",
                content_type="application/json",
            ),
        ]


class WebIntegrationAgent(Agent):
    agent_type = "web_integration"
    title = "Integration engineer"
    goal = (
        "Integrate the frontend with the backend: the facts hold the contract check of every API "
        "call of every page against the backend's endpoints, done in code; report each check, "
        "the endpoints no page uses and the steps that wire the two sides together."
    )
    output_model = IntegrationReport
    reads = ("web_frontend_design", "web_backend_development")
    complexity = "small"
    max_output_tokens = 4096

    def work(self, context: AgentContext, services: AgentServices) -> dict[str, Any]:
        frontend, backend = integration_sides(context)
        if frontend is None or backend is None:
            return {"checks": [], "unused_endpoints": [], "missing_side": True}
        return {
            "checks": [check.model_dump(mode="json") for check in contract_checks(frontend, backend)],
            "unused_endpoints": unused_endpoints(frontend, backend),
        }

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, IntegrationReport)
        passing = sum(1 for check in output.checks if check.status == "ok")
        return round(min(output.confidence, share(passing, len(output.checks), empty=0.5)), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, IntegrationReport)
        found = []
        for check in [ContractCheck.model_validate(c) for c in context.facts.get("checks", [])]:
            if check.status != "ok":
                found.append(f"{check.page}: {check.method} {check.path}: {check.status} ({check.detail})")
        reported = {(c.page, c.method, c.path) for c in output.checks if c.status != "ok"}
        found += [
            f"{page}: {method} {path}: the model reports a mismatch the contract check did not find"
            for page, method, path in sorted(reported)
            if not any(w.startswith(f"{page}: {method} {path}:") for w in found)
        ]
        if context.facts.get("missing_side"):
            found.append("the frontend design or the backend design is missing: nothing was checked")
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.integration(context)

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, IntegrationReport)
        lines = [f"# Integration: {context.topic}", "", output.summary, "", "## Contract checks", ""]
        lines += table(
            ["page", "call", "status", "endpoint", "detail"],
            [
                [c.page, f"{c.method} {c.path}", c.status, c.endpoint or "-", c.detail or "-"]
                for c in output.checks
            ],
        )
        lines += ["", "## Endpoints no page uses", ""] + (
            [f"- {e}" for e in output.unused_endpoints] or ["- none"]
        )
        lines += ["", "## Wiring", ""] + [f"{n}. {step}" for n, step in enumerate(output.steps, start=1)]
        return [project_artifact(context, "integration.md", lines)]


class WebTestPlanAgent(Agent):
    agent_type = "web_test_plan"
    title = "Test engineer"
    goal = (
        "Plan the tests: cases (id, kind unit/integration/e2e, the requirement it covers, steps, "
        "expected result) that check every acceptance criterion, and the coverage of every user "
        "story by case ids."
    )
    output_model = TestPlan
    reads = ("web_requirements", "web_frontend_design", "web_backend_development")
    max_output_tokens = 4096

    @staticmethod
    def covered(output: TestPlan) -> list[str]:
        """Requirements that at least one planned case for that requirement really covers."""
        cases = {case.id: case for case in output.cases}
        return [
            entry.requirement_id
            for entry in output.coverage
            if any(
                case_id in cases and cases[case_id].requirement_id == entry.requirement_id
                for case_id in entry.covered_by
            )
        ]

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, TestPlan)
        return round(min(output.confidence, share(len(self.covered(output)), len(output.coverage))), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, TestPlan)
        covered = set(self.covered(output))
        stories = earlier_stories(context)
        found = [f"requirement {s.id} is not covered by any case" for s in stories if s.id not in covered]
        known = {story.id for story in stories}
        if known:
            found += [
                f"case {case.id} covers {case.requirement_id}, which is not a requirement"
                for case in output.cases
                if case.requirement_id not in known
            ]
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.test_plan(context)

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, TestPlan)
        covered = set(self.covered(output))
        lines = [f"# Test plan: {context.topic}", "", output.summary, "", "## Coverage", ""]
        lines += table(
            ["requirement", "cases", "covered"],
            [
                [
                    c.requirement_id,
                    ", ".join(c.covered_by) or "-",
                    "yes" if c.requirement_id in covered else "NO",
                ]
                for c in output.coverage
            ],
        )
        lines += ["", "## Cases", ""]
        for case in output.cases:
            lines += [f"### {case.id} ({case.kind}, {case.requirement_id}): {case.title}", ""]
            lines += [f"{n}. {step}" for n, step in enumerate(case.steps, start=1)]
            lines += ["", f"Expected: {case.expected}", ""]
        return [project_artifact(context, "test-plan.md", lines)]


class WebDeploymentAgent(Agent):
    agent_type = "web_deployment"
    title = "Release engineer"
    goal = (
        "Plan the deployment of the application: the environments, the ordered steps in each, the "
        "health checks that prove each environment works, and the rollback plan (trigger and steps)."
    )
    output_model = WebDeploymentPlan
    reads = ("web_architecture", "web_integration", "web_test_plan")
    complexity = "small"
    max_output_tokens = 2048

    @staticmethod
    def ready(output: WebDeploymentPlan) -> list[str]:
        """Environments with at least one deployment step and one health check."""
        deployed = {step.environment for step in output.steps}
        checked = {check.environment for check in output.health_checks}
        return [env.name for env in output.environments if env.name in deployed and env.name in checked]

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, WebDeploymentPlan)
        return round(min(output.confidence, share(len(self.ready(output)), len(output.environments))), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, WebDeploymentPlan)
        ready = set(self.ready(output))
        found = [
            f"environment {env.name} lacks deployment steps or health checks"
            for env in output.environments
            if env.name not in ready
        ]
        integration = earlier_output(context, "web_integration", IntegrationReport)
        if integration is not None:
            open_checks = [c for c in integration.checks if c.status != "ok"]
            if open_checks:
                found.append(f"released with {len(open_checks)} open frontend/backend contract mismatch(es)")
        plan = earlier_output(context, "web_test_plan", TestPlan)
        if plan is not None:
            covered = share(len(WebTestPlanAgent.covered(plan)), len(plan.coverage))
            if covered < 1:
                found.append(f"the test plan covers {covered:.0%} of the requirements")
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.deployment(context)

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, WebDeploymentPlan)
        lines = [f"# Deployment: {context.topic}", "", output.summary, "", "## Environments", ""]
        lines += table(
            ["environment", "purpose", "url"], [[e.name, e.purpose, e.url] for e in output.environments]
        )
        lines += ["", "## Steps", ""] + [
            f"{n}. [{step.environment}] {step.action}" for n, step in enumerate(output.steps, start=1)
        ]
        lines += section(
            "Health checks",
            table(
                ["environment", "check", "target", "expectation"],
                [[c.environment, c.name, c.target, c.expectation] for c in output.health_checks],
            ),
        )
        lines += ["", "## Rollback", "", f"Trigger: {output.rollback.trigger}", ""]
        lines += [f"{n}. {step}" for n, step in enumerate(output.rollback.steps, start=1)]
        return [
            project_artifact(context, "deployment.md", lines),
            PublishIntegration(
                integration="deployments",
                action="release",
                payload={
                    "run_id": context.run_id,
                    "kind": "web_application",
                    "project": context.topic[:200],
                    "environments": [env.name for env in output.environments],
                    "health_checks": [f"{c.environment}: {c.target}" for c in output.health_checks],
                    "artifacts": f"projects/{context.run_id}/",
                },
            ),
        ]


AGENTS: list[type[Agent]] = [
    WebIdeationAgent,
    WebRequirementsAgent,
    WebArchitectureAgent,
    WebFrontendDesignAgent,
    WebBackendDevelopmentAgent,
    WebIntegrationAgent,
    WebTestPlanAgent,
    WebDeploymentAgent,
]
