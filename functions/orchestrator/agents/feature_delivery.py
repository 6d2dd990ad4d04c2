"""Agents of the ``feature_delivery`` template: an enterprise feature, from analysis to deployment.

business analyst -> backend developer -> testing engineer -> security reviewer
                 -> approval gate -> deployment engineer

The backend developer's files and the tests are written to the tenant's workspace; the
security reviewer scans the code in code (deterministic rules) before any model looks at it
and rejects the run on a critical finding; the deployment engineer applies the strategy the
request chose (``blue_green``, ``canary``, ``rolling``) as a recorded plan of stages, each an
undoable command (``orchestrator.commands.deployment_stages``): a stage that fails its
health checks stops the run, and every stage applied is rolled back newest first.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from orchestrator.agents.base import Agent, AgentContext, AgentServices, output_as
from orchestrator.commands.deployment_stages import ApplyDeploymentStage, read_state
from orchestrator.commands.executor import CommandSpec, WriteArtifact, check_artifact_path
from orchestrator.core.constants import MAX_SUMMARY_LENGTH
from orchestrator.core.records import RequestModel, StrictModel
from orchestrator.delivery.strategies import DeploymentPlan, DeploymentRequest, plan_deployment

Summary = Field(min_length=1, max_length=MAX_SUMMARY_LENGTH)
Confidence = Field(ge=0.0, le=1.0)
Line = Field(min_length=1, max_length=400)
MAX_SOURCE_BYTES = 64 * 1024


# --- schemas ------------------------------------------------------------------------------
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


# --- deterministic helpers ------------------------------------------------------------------
def _slug(text: str, limit: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:limit].strip("_")
    return slug or "feature"


def _stories(context: AgentContext) -> list[UserStory]:
    analysis = context.output_of("feature_business_analyst")
    return [UserStory.model_validate(s) for s in (analysis or {}).get("stories", [])]


def _files(context: AgentContext) -> list[SourceFile]:
    change = context.output_of("feature_backend_developer")
    return [SourceFile.model_validate(f) for f in (change or {}).get("files", [])]


SECURITY_RULES: list[tuple[str, Literal["low", "medium", "high", "critical"], re.Pattern[str], str, str]] = [
    (
        "code-execution",
        "critical",
        re.compile(r"\b(eval|exec)\s*\("),
        "dynamic code execution",
        "never evaluate text; parse it",
    ),
    (
        "shell-injection",
        "critical",
        re.compile(r"shell\s*=\s*True|os\.system\s*\("),
        "command run through a shell",
        "pass an argument list, shell=False",
    ),
    (
        "hardcoded-secret",
        "high",
        re.compile(r"(?i)(password|secret|api_key|token)\s*=\s*['\"][^'\"]{6,}['\"]"),
        "secret in the source code",
        "read it from the secret store at run time",
    ),
    (
        "sql-injection",
        "high",
        re.compile(
            r"(?i)(execute|query)\s*\(\s*f?['\"].*(select|insert|update|delete).*(\{|%s?['\"]\s*%|\+)"
        ),
        "SQL built from strings",
        "use bound parameters",
    ),
    (
        "tls-disabled",
        "high",
        re.compile(r"verify\s*=\s*False"),
        "TLS certificate checks disabled",
        "keep certificate verification on",
    ),
    (
        "weak-hash",
        "medium",
        re.compile(r"hashlib\.(md5|sha1)\s*\("),
        "weak hash function",
        "use SHA-256 or a password hash (scrypt, argon2)",
    ),
    (
        "debug-enabled",
        "low",
        re.compile(r"(?i)debug\s*=\s*True"),
        "debug mode enabled",
        "turn debugging off outside development",
    ),
]


def scan_source(files: list[SourceFile]) -> list[Finding]:
    """Findings of the deterministic security rules over the given files (line by line)."""
    findings: list[Finding] = []
    for source in files:
        for number, text in enumerate(source.content.splitlines(), start=1):
            for rule, severity, pattern, issue, recommendation in SECURITY_RULES:
                if pattern.search(text):
                    findings.append(
                        Finding(
                            severity=severity,
                            file=source.path,
                            line=number,
                            rule=rule,
                            issue=f"{issue}: {text.strip()[:200]}",
                            recommendation=recommendation,
                        )
                    )
    return findings[:50]


def _backend_code(topic: str, stories: list[UserStory]) -> BackendChange:
    """A deterministic, runnable service module and its endpoints, one handler per story."""
    module = _slug(topic, 30)
    lines = [
        f'"""{topic[:200]}: one handler per user story (generated offline)."""',
        "",
        "from __future__ import annotations",
        "",
        "from dataclasses import dataclass, field",
        "",
        "",
        "@dataclass",
        "class Store:",
        '    """In-memory state of the feature; the handlers below read and change it."""',
        "",
        "    items: dict[str, dict[str, str]] = field(default_factory=dict)",
        "",
    ]
    endpoints = []
    for story in stories:
        name = f"handle_{_slug(story.id, 10)}_{_slug(story.i_want, 30)}"
        lines += [
            "",
            f"def {name}(store: Store, item_id: str, payload: dict[str, str]) -> dict[str, str]:",
            f'    """As {story.as_a[:60]}, {story.i_want[:80]}."""',
            "    if not item_id:",
            '        raise ValueError("item_id is required")',
            "    record = store.items.setdefault(item_id, {})",
            "    record.update(payload)",
            f'    record["story"] = "{story.id}"',
            "    return dict(record)",
        ]
        endpoints.append(
            Endpoint(
                method="POST",
                path=f"/{module}/{_slug(story.id, 10)}/{{item_id}}",
                story_id=story.id,
                description=story.i_want[:300],
            )
        )
    source = "\n".join(lines) + "\n"
    return BackendChange(
        summary=f"[offline] {len(stories)} handler(s) for '{topic[:80]}' in app/{module}.py",
        files=[SourceFile(path=f"app/{module}.py", content=source)],
        endpoints=endpoints,
        confidence=0.8,
    )


# --- agents -------------------------------------------------------------------------------
class BusinessAnalystAgent(Agent):
    agent_type = "feature_business_analyst"
    title = "Business analyst"
    goal = (
        "Turn the feature request into user stories ('As a ..., I want ..., so that ...') with "
        "acceptance criteria in Given/When/Then form and a priority each."
    )
    output_model = BusinessAnalysis

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, BusinessAnalysis)
        given_when_then = sum(
            1
            for story in output.stories
            for criterion in story.acceptance_criteria
            if re.search(r"(?i)\bgiven\b.*\bwhen\b.*\bthen\b", criterion)
        )
        criteria = sum(len(story.acceptance_criteria) for story in output.stories)
        return round(min(output.confidence, 0.5 + 0.5 * given_when_then / max(1, criteria)), 2)

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        topic = context.topic
        parts = [p.strip(" .") for p in re.split(r",|;| and ", topic) if p.strip(" .")][:5] or [topic]
        stories = [
            UserStory(
                id=f"US-{index + 1}",
                as_a="customer" if index % 2 == 0 else "operator",
                i_want=part[:300],
                so_that=f"the feature '{topic[:60]}' delivers its value",
                acceptance_criteria=[
                    f"Given a signed-in user, when they ask to {part[:120]}, then it is done and confirmed",
                    f"Given invalid input, when they ask to {part[:120]}, then they get a clear error",
                ],
                priority="must" if index == 0 else "should",
            )
            for index, part in enumerate(parts)
        ]
        return BusinessAnalysis(
            summary=f"[offline] {len(stories)} user stories for '{topic[:120]}'",
            problem=f"Users cannot yet {topic[:300]}",
            stories=stories,
            business_value=f"Delivers '{topic[:200]}' to customers",
            confidence=0.8,
        ).model_dump(mode="json")

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, BusinessAnalysis)
        lines = [
            f"# Requirements: {context.topic}",
            "",
            output.problem,
            "",
            f"Value: {output.business_value}",
            "",
        ]
        for story in output.stories:
            lines += [
                f"## {story.id} ({story.priority})",
                f"As {story.as_a}, I want {story.i_want}, so that {story.so_that}.",
                "",
            ]
            lines += [f"- {criterion}" for criterion in story.acceptance_criteria] + [""]
        return [WriteArtifact(path=f"features/{context.run_id}/requirements.md", content="\n".join(lines))]


class BackendDeveloperAgent(Agent):
    agent_type = "feature_backend_developer"
    title = "Backend developer"
    goal = "Write the backend code of the user stories: source files and the endpoints they serve."
    output_model = BackendChange
    reads = ("feature_business_analyst",)
    max_output_tokens = 4096

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, BackendChange)
        return output.confidence

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, BackendChange)
        served = {endpoint.story_id for endpoint in output.endpoints}
        return [f"story {s.id} has no endpoint" for s in _stories(context) if s.id not in served]

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return _backend_code(context.topic, _stories(context)).model_dump(mode="json")

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, BackendChange)
        return [
            WriteArtifact(
                path=f"features/{context.run_id}/src/{source.path}",
                content=source.content,
                content_type="text/plain; charset=utf-8",
            )
            for source in output.files
        ]


class TestingEngineerAgent(Agent):
    agent_type = "feature_testing_engineer"
    title = "Testing engineer"
    goal = "Write one test case per acceptance criterion and the test file that runs them."
    output_model = TestSuite
    reads = ("feature_business_analyst", "feature_backend_developer")
    max_output_tokens = 4096

    def coverage(self, output: TestSuite, context: AgentContext) -> float:
        criteria = {(s.id, c) for s in _stories(context) for c in s.acceptance_criteria}
        covered = {(case.story_id, case.criterion) for case in output.cases} & criteria
        return len(covered) / len(criteria) if criteria else 1.0

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, TestSuite)
        return output.confidence

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, TestSuite)
        coverage = self.coverage(output, context)
        return [] if coverage >= 1 else [f"tests cover {coverage:.0%} of the acceptance criteria"]

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        stories = _stories(context)
        cases = [
            TestCase(
                id=f"TC-{index + 1}",
                story_id=story.id,
                criterion=criterion,
                kind="unit" if "invalid" in criterion else "integration",
                expected=criterion.split("then", 1)[-1].strip()[:300] or "as the criterion says",
            )
            for index, (story, criterion) in enumerate(
                (story, criterion) for story in stories for criterion in story.acceptance_criteria
            )
        ]
        files = _files(context)
        module = files[0].path.removesuffix(".py").replace("/", ".") if files else "app"
        body = [f'"""Tests of {module} (generated offline)."""', "", "import pytest", ""]
        for case in cases:
            body += [
                "",
                f"def test_{_slug(case.id, 10)}_{_slug(case.criterion, 50)}() -> None:",
                f'    """{case.story_id}: {case.criterion[:150]}"""',
                f'    pytest.importorskip("{module}")',
            ]
        suite = TestSuite(
            summary=f"[offline] {len(cases)} test cases, one per acceptance criterion",
            cases=cases
            or [TestCase(id="TC-1", story_id="-", criterion="smoke", kind="unit", expected="imports")],
            test_file=SourceFile(path="tests/test_feature.py", content="\n".join(body) + "\n"),
            confidence=0.8,
        )
        return suite.model_dump(mode="json")

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, TestSuite)
        plan = [f"# Test plan: {context.topic}", "", "| case | story | kind | criterion | expected |"]
        plan += ["| --- | --- | --- | --- | --- |"]
        plan += [f"| {c.id} | {c.story_id} | {c.kind} | {c.criterion} | {c.expected} |" for c in output.cases]
        return [
            WriteArtifact(path=f"features/{context.run_id}/test-plan.md", content="\n".join(plan) + "\n"),
            WriteArtifact(
                path=f"features/{context.run_id}/src/{output.test_file.path}",
                content=output.test_file.content,
                content_type="text/plain; charset=utf-8",
            ),
        ]


class SecurityReviewerAgent(Agent):
    agent_type = "feature_security_reviewer"
    title = "Security reviewer"
    goal = (
        "Review the backend code for vulnerabilities; the findings of the deterministic scan in "
        "the facts are confirmed findings. A critical finding stops the delivery."
    )
    output_model = SecurityReview
    reads = ("feature_backend_developer", "feature_testing_engineer")

    def work(self, context: AgentContext, services: AgentServices) -> dict[str, Any]:
        findings = scan_source([*_files(context), *self._tests(context)])
        return {"scanned_files": len(_files(context)) + 1, "findings": [f.model_dump() for f in findings]}

    @staticmethod
    def _tests(context: AgentContext) -> list[SourceFile]:
        suite = context.output_of("feature_testing_engineer")
        return [SourceFile.model_validate(suite["test_file"])] if suite else []

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        findings = [Finding.model_validate(f) for f in context.facts.get("findings", [])]
        blocking = [f for f in findings if f.severity == "critical"]
        return SecurityReview(
            summary=f"[offline] {len(findings)} finding(s) by the rule scan, {len(blocking)} critical",
            findings=findings,
            approved=not blocking,
            confidence=0.9 if not findings else 0.8,
        ).model_dump(mode="json")

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, SecurityReview)
        return output.confidence

    def verdict(self, output: BaseModel, context: AgentContext) -> str | None:
        output = output_as(output, SecurityReview)
        scanned = [Finding.model_validate(f) for f in context.facts.get("findings", [])]
        critical = [f for f in [*scanned, *output.findings] if f.severity == "critical"]
        if critical:
            where = "; ".join(f"{f.file}:{f.line} {f.rule}" for f in critical[:5])
            return f"{len(critical)} critical security finding(s): {where}"
        if not output.approved:
            return "the security review did not approve the change"
        return None

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, SecurityReview)
        lines = [f"# Security review: {context.topic}", "", output.summary, ""]
        lines += [
            f"- **{f.severity}** {f.file}:{f.line} `{f.rule}`: {f.issue} ({f.recommendation})"
            for f in output.findings
        ]
        return [
            WriteArtifact(
                path=f"features/{context.run_id}/security-review.md", content="\n".join(lines) + "\n"
            )
        ]


class DeploymentEngineerAgent(Agent):
    agent_type = "feature_deployment_engineer"
    title = "Deployment engineer"
    goal = (
        "Write the runbook and rollback plan of the deployment plan given in the facts (the plan "
        "itself is fixed by the strategy the request chose); each stage is then applied in order."
    )
    output_model = DeploymentOutcome
    reads = ("feature_security_reviewer",)

    def plan(self, context: AgentContext, services: AgentServices) -> DeploymentPlan:
        request = FeatureDeliveryInputs.model_validate(context.inputs or {}).deployment
        version = request.version or f"r{context.run_id[-12:]}"
        probe = plan_deployment(request, version=version, previous_version=None)
        current = read_state(services.workspace, context.tenant_id, probe)
        return plan_deployment(request, version=version, previous_version=current.live_version)

    def work(self, context: AgentContext, services: AgentServices) -> dict[str, Any]:
        return {"plan": self.plan(context, services).model_dump(mode="json")}

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        plan = DeploymentPlan.model_validate(context.facts["plan"])
        runbook = [
            f"{stage.index + 1}. {stage.name}: {stage.traffic_percent}% of traffic on {plan.version}, "
            f"{stage.instances_on_new} instance(s); check "
            + ", ".join(
                f"{c.name} {c.comparison.replace('_', ' ')} {c.threshold:g}" for c in stage.health_checks
            )
            + (f"; bake {stage.bake_seconds} s" if stage.bake_seconds else "")
            for stage in plan.stages
        ]
        return DeploymentOutcome(
            summary=(
                f"[offline] {plan.strategy} deployment of {plan.service} {plan.version} "
                f"in {len(plan.stages)} stages"
            ),
            plan=plan,
            runbook=runbook,
            rollback=(
                f"undo the applied stages newest first: {plan.previous_version or 'nothing'} serves all "
                "traffic again"
            ),
            confidence=0.85,
        ).model_dump(mode="json")

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, DeploymentOutcome)
        if output.plan.model_dump(mode="json") != context.facts.get("plan"):
            return ["the model's plan differs from the strategy's: the strategy's plan was applied"]
        return []

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, DeploymentOutcome)
        plan = DeploymentPlan.model_validate(context.facts["plan"])  # the strategy's plan, not the model's
        request = FeatureDeliveryInputs.model_validate(context.inputs or {}).deployment
        record = [f"# Deployment of {plan.service} {plan.version} ({plan.strategy}, {plan.environment})", ""]
        record += [*output.runbook, "", f"Rollback: {output.rollback}"]
        return [
            WriteArtifact(path=f"features/{context.run_id}/deployment.md", content="\n".join(record) + "\n"),
            *(
                ApplyDeploymentStage(
                    plan=plan, stage=stage.index, fail_health_check=stage.index == request.fail_at_stage
                )
                for stage in plan.stages
            ),
        ]


AGENTS: list[type[Agent]] = [
    BusinessAnalystAgent,
    BackendDeveloperAgent,
    TestingEngineerAgent,
    SecurityReviewerAgent,
    DeploymentEngineerAgent,
]
