"""The inputs of the ``feature_delivery`` template and the structured answers of its agents."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from orchestrator.commands.executor import check_artifact_path
from orchestrator.core.constants import MAX_SUMMARY_LENGTH
from orchestrator.core.records import RequestModel, StrictModel
from orchestrator.delivery.strategies import DeploymentPlan, DeploymentRequest

Summary = Field(min_length=1, max_length=MAX_SUMMARY_LENGTH)
Confidence = Field(ge=0.0, le=1.0)
Line = Field(min_length=1, max_length=400)
MAX_SOURCE_BYTES = 64 * 1024


class UserStory(StrictModel):
    id: str = Field(min_length=1, max_length=20)
    as_a: str = Field(min_length=1, max_length=120)
    i_want: str = Line
    so_that: str = Line
    acceptance_criteria: list[str] = Field(min_length=1, max_length=6, description="Given/When/Then")
    priority: Literal["must", "should", "could"]


class BusinessAnalysis(StrictModel):
    summary: str = Summary
    problem: str = Line
    stories: list[UserStory] = Field(min_length=1, max_length=12)
    business_value: str = Line
    out_of_scope: list[str] = Field(default_factory=list, max_length=8)
    confidence: float = Confidence


class SourceFile(StrictModel):
    path: str = Field(
        max_length=200,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$",
        description="relative path, e.g. app/orders.py",
    )
    language: Literal["python", "sql", "yaml", "json", "markdown"] = "python"
    content: str = Field(min_length=1, max_length=MAX_SOURCE_BYTES)

    @field_validator("path")
    @classmethod
    def _relative(cls, value: str) -> str:
        return check_artifact_path(value)


class Endpoint(StrictModel):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str = Field(min_length=1, max_length=200)
    story_id: str = Field(min_length=1, max_length=20)
    description: str = Line


class BackendChange(StrictModel):
    summary: str = Summary
    files: list[SourceFile] = Field(min_length=1, max_length=12)
    endpoints: list[Endpoint] = Field(default_factory=list, max_length=20)
    confidence: float = Confidence


class TestCase(StrictModel):
    id: str = Field(min_length=1, max_length=20)
    story_id: str = Field(min_length=1, max_length=20)
    criterion: str = Line
    kind: Literal["unit", "integration", "e2e"]
    expected: str = Line


class TestSuite(StrictModel):
    summary: str = Summary
    cases: list[TestCase] = Field(min_length=1, max_length=60)
    test_file: SourceFile
    confidence: float = Confidence


class Finding(StrictModel):
    severity: Literal["low", "medium", "high", "critical"]
    file: str = Field(min_length=1, max_length=200)
    line: int = Field(ge=0)
    rule: str = Field(min_length=1, max_length=60)
    issue: str = Line
    recommendation: str = Line


class SecurityReview(StrictModel):
    summary: str = Summary
    findings: list[Finding] = Field(default_factory=list, max_length=50)
    approved: bool
    confidence: float = Confidence


class DeploymentOutcome(StrictModel):
    summary: str = Summary
    plan: DeploymentPlan
    runbook: list[str] = Field(min_length=1, max_length=20)
    rollback: str = Line
    confidence: float = Confidence


class FeatureDeliveryInputs(RequestModel):
    """``inputs`` of a feature delivery run."""

    deployment: DeploymentRequest = Field(
        default_factory=DeploymentRequest, description="how the feature reaches its environment"
    )
