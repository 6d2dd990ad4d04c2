"""Agents of the ``web_development`` template: a web application from the idea to its release.

ideation -> requirements -> architecture -> (frontend design | backend development) in parallel
         -> integration -> test plan -> deployment

Every phase answers with its own schema and writes its deliverable, rendered from that
structured answer, to the tenant's workspace under ``projects/<run id>/`` (the backend's API
also as an OpenAPI document). Integration checks in code that every call the frontend makes is
served by the backend with the fields it sends and expects; the deployment announces the
release on the bus (``deployments``/``release``). A failure, a rejection or a cancel undoes all
of it, newest first.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError

from orchestrator.agents.base import Agent, AgentContext, AgentServices, output_as
from orchestrator.agents.documents import clip, project_artifact, section, table
from orchestrator.commands.executor import CommandSpec, PublishIntegration, WriteArtifact
from orchestrator.core.constants import MAX_SUMMARY_LENGTH
from orchestrator.core.records import StrictModel

Summary = Annotated[str, Field(min_length=1, max_length=MAX_SUMMARY_LENGTH)]
Confidence = Annotated[float, Field(ge=0.0, le=1.0)]
Line = Annotated[str, Field(min_length=1, max_length=300)]
Name = Annotated[str, Field(min_length=1, max_length=80)]
Ident = Annotated[str, Field(min_length=1, max_length=20)]
ApiPath = Annotated[str, Field(min_length=1, max_length=200, description="e.g. /api/orders/{id}")]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
FieldType = Literal["string", "integer", "number", "boolean", "array", "object"]


# --- schemas ------------------------------------------------------------------------------
class Idea(StrictModel):
    rank: int = Field(ge=1, le=8, description="1 = the best idea")
    title: Name
    pitch: Line
    target_users: str = Field(min_length=1, max_length=120)
    value: int = Field(ge=1, le=5, description="value to the target users, 5 = highest")
    effort: Literal["low", "medium", "high"]


class IdeationOutput(StrictModel):
    summary: Summary
    ideas: list[Idea] = Field(min_length=2, max_length=6)
    chosen: Name = Field(description="the title of the chosen idea (the one ranked 1)")
    rationale: Line
    confidence: Confidence


class AcceptanceCriterion(StrictModel):
    given: Line
    when: Line
    then: Line


class UserStory(StrictModel):
    id: Ident = Field(description="e.g. US-1")
    as_a: str = Field(min_length=1, max_length=120, description="the role: 'As a <role>'")
    i_want: Line = Field(description="the capability: 'I want <capability>'")
    so_that: Line = Field(description="the benefit: 'so that <benefit>'")
    acceptance_criteria: list[AcceptanceCriterion] = Field(max_length=6, description="Given/When/Then")
    priority: Literal["must", "should", "could", "wont"] = Field(description="MoSCoW")


class RequirementsOutput(StrictModel):
    summary: Summary
    stories: list[UserStory] = Field(min_length=1, max_length=20)
    non_functional: list[Line] = Field(max_length=10, description="performance, security, accessibility...")
    out_of_scope: list[Line] = Field(max_length=8)
    confidence: Confidence


class Component(StrictModel):
    name: Name
    responsibility: Line
    technology: Name
    layer: Literal["frontend", "backend", "data", "auth", "integration", "infrastructure"]


class Interface(StrictModel):
    from_component: Name = Field(description="the calling component's name")
    to_component: Name = Field(description="the called component's name")
    protocol: Literal["REST", "GraphQL", "gRPC", "WebSocket", "SQL", "OIDC", "events", "other"]
    contract: Line = Field(description="what is exchanged and how")


class ArchitectureOutput(StrictModel):
    summary: Summary
    style: Literal["monolith", "modular_monolith", "microservices", "serverless"]
    components: list[Component] = Field(min_length=1, max_length=12)
    interfaces: list[Interface] = Field(max_length=20)
    decisions: list[Line] = Field(max_length=8, description="key decisions, each with its reason")
    confidence: Confidence


class ApiCall(StrictModel):
    method: HttpMethod
    path: ApiPath
    purpose: Line
    sends: list[Name] = Field(max_length=15, description="request body fields")
    expects: list[Name] = Field(max_length=15, description="response fields the screen uses")


class Page(StrictModel):
    name: Name
    route: ApiPath = Field(description="the browser route, e.g. /orders/:id")
    purpose: Line
    stories: list[Ident] = Field(max_length=10, description="ids of the user stories it serves")
    components: list[Name] = Field(max_length=12, description="UI components on the page")
    api_calls: list[ApiCall] = Field(max_length=10)


class FrontendDesign(StrictModel):
    summary: Summary
    framework: Name
    pages: list[Page] = Field(min_length=1, max_length=15)
    accessibility: list[Line] = Field(max_length=8)
    confidence: Confidence


class ApiField(StrictModel):
    name: Name
    type: FieldType
    required: bool = True


class Endpoint(StrictModel):
    method: HttpMethod
    path: ApiPath
    description: Line
    story_ids: list[Ident] = Field(max_length=10)
    request_fields: list[ApiField] = Field(max_length=15)
    response_fields: list[ApiField] = Field(max_length=20)


class Entity(StrictModel):
    name: Name
    fields: list[ApiField] = Field(min_length=1, max_length=20)
    relations: list[Line] = Field(max_length=8)


class Module(StrictModel):
    name: Name
    responsibility: Line
    depends_on: list[Name] = Field(max_length=8)


class BackendDesign(StrictModel):
    summary: Summary
    endpoints: list[Endpoint] = Field(min_length=1, max_length=30)
    entities: list[Entity] = Field(max_length=12)
    modules: list[Module] = Field(min_length=1, max_length=12)
    confidence: Confidence


class ContractCheck(StrictModel):
    page: Name
    method: HttpMethod
    path: ApiPath
    status: Literal["ok", "missing_endpoint", "field_mismatch"]
    endpoint: str = Field(default="", max_length=220, description="the backend endpoint it matched")
    detail: str = Field(default="", max_length=300)


class IntegrationReport(StrictModel):
    summary: Summary
    checks: list[ContractCheck] = Field(max_length=60)
    unused_endpoints: list[Annotated[str, Field(min_length=1, max_length=220)]] = Field(max_length=30)
    steps: list[Line] = Field(min_length=1, max_length=12, description="how the two sides are wired")
    confidence: Confidence


class PlannedTest(StrictModel):
    id: Ident = Field(description="e.g. TC-1")
    kind: Literal["unit", "integration", "e2e"]
    requirement_id: Ident = Field(description="the user story it covers")
    title: Name
    steps: list[Line] = Field(min_length=1, max_length=8)
    expected: Line


class RequirementCoverage(StrictModel):
    requirement_id: Ident
    covered_by: list[Ident] = Field(max_length=20, description="ids of the cases that cover it")


class TestPlan(StrictModel):
    summary: Summary
    cases: list[PlannedTest] = Field(min_length=1, max_length=60)
    coverage: list[RequirementCoverage] = Field(min_length=1, max_length=30)
    confidence: Confidence


class Environment(StrictModel):
    name: str = Field(min_length=1, max_length=40)
    purpose: Line
    url: str = Field(min_length=1, max_length=200)


class DeployStep(StrictModel):
    environment: str = Field(min_length=1, max_length=40)
    action: Line


class HealthCheck(StrictModel):
    environment: str = Field(min_length=1, max_length=40)
    name: Name
    target: ApiPath = Field(description="what is probed, e.g. GET /api/health")
    expectation: Line


class RollbackPlan(StrictModel):
    trigger: Line
    steps: list[Line] = Field(min_length=1, max_length=10)


class WebDeploymentPlan(StrictModel):
    summary: Summary
    environments: list[Environment] = Field(min_length=1, max_length=5)
    steps: list[DeployStep] = Field(min_length=1, max_length=20)
    rollback: RollbackPlan
    health_checks: list[HealthCheck] = Field(min_length=1, max_length=15)
    confidence: Confidence


# --- reading earlier outputs ----------------------------------------------------------------
def _earlier(context: AgentContext, agent: str, model: type[BaseModel]) -> Any:
    """The latest earlier output of ``agent`` as its model (None: absent or not of that shape)."""
    data = context.output_of(agent)
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _stories(context: AgentContext) -> list[UserStory]:
    requirements = _earlier(context, "web_requirements", RequirementsOutput)
    return list(requirements.stories) if requirements else []


# --- text helpers -----------------------------------------------------------------------------
def _share(part: int, whole: int, empty: float = 1.0) -> float:
    return part / whole if whole else empty


_PRODUCT = re.compile(
    r"^.*?\b(?:app|application|site|website|platform|service|tool|portal|dashboard|system|marketplace|"
    r"shop|store)\b.*?\b(?:to|where \w+|that lets \w+|lets \w+|helps \w+(?: to)?|so \w+ can)\s+",
    re.IGNORECASE,
)
_STOP = frozenset({"for", "with", "of", "in", "on", "by", "to", "from", "at", "into", "per", "across"})
_ARTICLES = frozenset({"a", "an", "the", "their", "his", "her", "my", "our", "your", "its", "all"})
_IMPERATIVE = re.compile(r"^(?:build|create|make|develop|design|implement|write|ship)\s+", re.IGNORECASE)
_NOUN_FIRST = re.compile(r"^(?:with|plus|also|a|an|the|some)\s+", re.IGNORECASE)
_VAGUE = frozenset(
    {"them", "it", "this", "that", "these", "those", "automatically", "online", "easily", "quickly"}
)
_BENEFITS = (
    "I save time every week",
    "nothing gets lost between my devices",
    "I stay in control of my own data",
    "I can see progress at a glance",
)


def topic_features(topic: str) -> list[str]:
    """What the topic asks the application to do, one capability per clause (verb first)."""
    clauses = [c.strip(" .") for c in re.split(r",|;|\.\s|\band\b|\bthen\b|\n", topic) if c.strip(" .")]
    features: list[str] = []
    for index, clause in enumerate(clauses or [topic]):
        if index == 0:
            found = _PRODUCT.sub("", clause, count=1)
            if found == clause:  # no "app ... to <capability>": the clause names the product itself
                product = _IMPERATIVE.sub("", clause)
                found = f"use {product[:1].lower()}{product[1:]}"
        else:
            found = clause
            if _NOUN_FIRST.match(found):  # "with reviews", "a wishlist": things to use
                found = "use " + re.sub(r"^(?:with|plus|also)\s+", "", found, flags=re.IGNORECASE)
        found = found.strip()
        if found:
            features.append(clip(found[0].lower() + found[1:], 200))
    return list(dict.fromkeys(features))[:6] or ["use the application"]


def resource_of(capability: str) -> str:
    """The API resource a capability works on: ``plan weekly meals`` -> ``weekly-meals``."""
    words = re.findall(r"[a-z0-9]+", capability.lower())
    if words and words[0] == "to":
        words = words[1:]
    verb, words = (words[0] if words else "items"), words[1:]
    picked: list[str] = []
    for word in words:
        if word in _STOP:
            break
        if word not in _ARTICLES and word not in _VAGUE:
            picked.append(word)
        if len(picked) == 3:
            break
    return "-".join(picked) or verb


def _entity_name(resource: str) -> str:
    words = resource.split("-")
    if words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return "".join(word.capitalize() for word in words)


def _story_resources(stories: list[UserStory]) -> list[tuple[UserStory, str]]:
    """Each story with the resource it works on (distinct resources, in story order)."""
    seen: set[str] = set()
    pairs = []
    for story in stories:
        resource = resource_of(story.i_want)
        while resource in seen:
            resource = f"{resource}-{len(seen) + 1}"
        seen.add(resource)
        pairs.append((story, resource))
    return pairs


def _normal_path(path: str) -> str:
    """``/API/orders/:id/`` and ``/api/orders/{orderId}`` are the same route."""
    path = path.split("?", 1)[0].strip().lower().rstrip("/") or "/"
    return re.sub(r"\{[^}]*\}|:[a-z_][a-z0-9_]*|<[^>]*>", "{}", path)


def contract_checks(frontend: FrontendDesign, backend: BackendDesign) -> list[ContractCheck]:
    """Every API call of every page checked against the backend's endpoints (done in code)."""
    served = {(e.method, _normal_path(e.path)): e for e in backend.endpoints}
    paths = {_normal_path(e.path) for e in backend.endpoints}
    checks: list[ContractCheck] = []
    for page in frontend.pages:
        for call in page.api_calls:
            endpoint = served.get((call.method, _normal_path(call.path)))
            if endpoint is None:
                other = "the path exists with another method" if _normal_path(call.path) in paths else ""
                checks.append(
                    ContractCheck(
                        page=page.name,
                        method=call.method,
                        path=call.path,
                        status="missing_endpoint",
                        detail=other or "no backend endpoint serves it",
                    )
                )
                continue
            accepted = {f.name for f in endpoint.request_fields}
            required = {f.name for f in endpoint.request_fields if f.required}
            returned = {f.name for f in endpoint.response_fields}
            problems = []
            if unknown := [name for name in call.sends if name not in accepted]:
                problems.append("sends fields the endpoint does not accept: " + ", ".join(unknown))
            if missing := sorted(required - set(call.sends)):
                problems.append("does not send required fields: " + ", ".join(missing))
            if absent := [name for name in call.expects if name not in returned]:
                problems.append("expects fields the endpoint does not return: " + ", ".join(absent))
            checks.append(
                ContractCheck(
                    page=page.name,
                    method=call.method,
                    path=call.path,
                    status="field_mismatch" if problems else "ok",
                    endpoint=f"{endpoint.method} {endpoint.path}",
                    detail=clip("; ".join(problems), 300),
                )
            )
    return checks[:60]


def unused_endpoints(frontend: FrontendDesign, backend: BackendDesign) -> list[str]:
    called = {(c.method, _normal_path(c.path)) for page in frontend.pages for c in page.api_calls}
    return [
        f"{e.method} {e.path}"
        for e in backend.endpoints
        if (e.method, _normal_path(e.path)) not in called and not e.path.rstrip("/").endswith("/health")
    ][:30]


# --- the OpenAPI document of the backend ------------------------------------------------------
def _object_schema(fields: list[ApiField]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {f.name: {"type": f.type} for f in fields},
    }
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    return schema


def openapi_document(design: BackendDesign, title: str) -> dict[str, Any]:
    """An OpenAPI 3.1 document of the designed endpoints and entities."""
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in design.endpoints:
        path = re.sub(r":([A-Za-z_]\w*)", r"{\1}", endpoint.path)
        operation: dict[str, Any] = {
            "summary": endpoint.description,
            "operationId": re.sub(r"[^A-Za-z0-9]+", "_", f"{endpoint.method.lower()}{path}").strip("_"),
            "tags": endpoint.story_ids,
            "responses": {
                "201" if endpoint.method == "POST" else "200": {
                    "description": "success",
                    "content": {"application/json": {"schema": _object_schema(endpoint.response_fields)}},
                },
                "422": {"description": "the request is invalid"},
            },
        }
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"\{([^}]+)\}", path)
        ]
        if parameters:
            operation["parameters"] = parameters
        if endpoint.request_fields and endpoint.method in ("POST", "PUT", "PATCH"):
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _object_schema(endpoint.request_fields)}},
            }
        paths.setdefault(path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": clip(title, 120), "version": "0.1.0", "description": design.summary},
        "paths": paths,
        "components": {"schemas": {entity.name: _object_schema(entity.fields) for entity in design.entities}},
    }


# --- agents -------------------------------------------------------------------------------
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
        return round(min(output.confidence, _share(specified, len(output.stories))), 2)

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
        valid = _share(len(output.interfaces) - len(self.dangling(output)), len(output.interfaces))
        connected = _share(len(output.components) - len(self.isolated(output)), len(output.components))
        return round(min(output.confidence, valid * (0.5 + 0.5 * connected)), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, ArchitectureOutput)
        found = [
            f"interface {i.from_component} -> {i.to_component} names an undeclared component"
            for i in self.dangling(output)
        ]
        return found + [f"component {name} has no interface" for name in self.isolated(output)]

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
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
        stories = len(_stories(context))
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
        return round(min(output.confidence, _share(designed, len(output.pages))), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, FrontendDesign)
        served = {story for page in output.pages for story in page.stories}
        found = [f"page {p.name} has no components" for p in output.pages if not p.components]
        return found + [
            f"must-have story {s.id} has no page"
            for s in _stories(context)
            if s.priority == "must" and s.id not in served
        ]

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        architecture = _earlier(context, "web_architecture", ArchitectureOutput)
        framework = next(
            (
                c.technology
                for c in (architecture.components if architecture else [])
                if c.layer == "frontend"
            ),
            "React + TypeScript",
        )
        pairs = _story_resources(_stories(context))[:14]
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
        routes = {(e.method, _normal_path(e.path)) for e in output.endpoints}
        unique = len(routes) / len(output.endpoints)
        return round(min(output.confidence, _share(documented, len(output.endpoints)) * unique), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, BackendDesign)
        found = []
        seen: set[tuple[str, str]] = set()
        for endpoint in output.endpoints:
            route = (endpoint.method, _normal_path(endpoint.path))
            if route in seen:
                found.append(f"{endpoint.method} {endpoint.path} is declared twice")
            seen.add(route)
        served = {story for endpoint in output.endpoints for story in endpoint.story_ids}
        return found + [
            f"must-have story {s.id} has no endpoint"
            for s in _stories(context)
            if s.priority == "must" and s.id not in served
        ]

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        architecture = _earlier(context, "web_architecture", ArchitectureOutput)
        database = next(
            (c.technology for c in (architecture.components if architecture else []) if c.layer == "data"),
            "a relational database",
        )
        pairs = _story_resources(_stories(context))
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
            entity = _entity_name(resource)[:80]
            endpoints += [
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

    @staticmethod
    def sides(context: AgentContext) -> tuple[FrontendDesign | None, BackendDesign | None]:
        return (
            _earlier(context, "web_frontend_design", FrontendDesign),
            _earlier(context, "web_backend_development", BackendDesign),
        )

    def work(self, context: AgentContext, services: AgentServices) -> dict[str, Any]:
        frontend, backend = self.sides(context)
        if frontend is None or backend is None:
            return {"checks": [], "unused_endpoints": [], "missing_side": True}
        return {
            "checks": [check.model_dump(mode="json") for check in contract_checks(frontend, backend)],
            "unused_endpoints": unused_endpoints(frontend, backend),
        }

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, IntegrationReport)
        passing = sum(1 for check in output.checks if check.status == "ok")
        return round(min(output.confidence, _share(passing, len(output.checks), empty=0.5)), 2)

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
                *[
                    clip(f"Fix before release: {c.page}: {c.method} {c.path} ({c.status})", 300)
                    for c in failing
                ][:8],
            ],
            confidence=0.85,
        ).model_dump(mode="json")

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
        return round(min(output.confidence, _share(len(self.covered(output)), len(output.coverage))), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, TestPlan)
        covered = set(self.covered(output))
        stories = _stories(context)
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
        frontend, backend = WebIntegrationAgent.sides(context)
        cases: list[PlannedTest] = []
        coverage: list[RequirementCoverage] = []
        for story in _stories(context)[:30]:
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
                    steps = [
                        "Sign in as a test user",
                        f"Open {page.route if page else 'the page of ' + story.id}",
                        clip(f"Given {criterion.given}: {criterion.when}", 300),
                        "Reload the page",
                    ]
                    kind: Literal["unit", "integration", "e2e"] = "e2e"
                else:
                    target = f"{write.method} {write.path}" if write else "the story's endpoint"
                    steps = [
                        clip(f"Prepare: {criterion.given}", 300),
                        clip(f"Send {target} the way the page does when {criterion.when}", 300),
                        "Read the answer and the stored data",
                    ]
                    kind = "integration"
                cases.append(
                    PlannedTest(
                        id=case_id,
                        kind=kind,
                        requirement_id=story.id,
                        title=clip(f"{story.id}: {criterion.when}", 80),
                        steps=steps,
                        expected=criterion.then,
                    )
                )
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
        return round(min(output.confidence, _share(len(self.ready(output)), len(output.environments))), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, WebDeploymentPlan)
        ready = set(self.ready(output))
        found = [
            f"environment {env.name} lacks deployment steps or health checks"
            for env in output.environments
            if env.name not in ready
        ]
        integration = _earlier(context, "web_integration", IntegrationReport)
        if integration is not None:
            open_checks = [c for c in integration.checks if c.status != "ok"]
            if open_checks:
                found.append(f"released with {len(open_checks)} open frontend/backend contract mismatch(es)")
        plan = _earlier(context, "web_test_plan", TestPlan)
        if plan is not None:
            covered = _share(len(WebTestPlanAgent.covered(plan)), len(plan.coverage))
            if covered < 1:
                found.append(f"the test plan covers {covered:.0%} of the requirements")
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        architecture = _earlier(context, "web_architecture", ArchitectureOutput)
        units = [
            c for c in (architecture.components if architecture else []) if c.layer in ("frontend", "backend")
        ]
        plan = _earlier(context, "web_test_plan", TestPlan)
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
            DeployStep(
                environment="production", action="Apply the database migrations (backwards compatible)"
            ),
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
