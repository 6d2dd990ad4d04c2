"""The structured answers of the ``web_development`` agents, one model per phase."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

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
