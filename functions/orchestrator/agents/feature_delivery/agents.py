"""The agents of the ``feature_delivery`` template, one class per step (see the package)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

import orchestrator.agents.feature_delivery.offline_answers as offline
from orchestrator.agents.base import Agent, AgentContext, AgentServices, output_as
from orchestrator.agents.feature_delivery.reading import earlier_files, earlier_stories
from orchestrator.agents.feature_delivery.schemas import (
    BackendChange,
    BusinessAnalysis,
    DeploymentOutcome,
    FeatureDeliveryInputs,
    Finding,
    SecurityReview,
    SourceFile,
    TestSuite,
)
from orchestrator.agents.feature_delivery.security import scan_source
from orchestrator.commands.deployment_stages import ApplyDeploymentStage, read_state
from orchestrator.commands.executor import CommandSpec, WriteArtifact
from orchestrator.delivery.strategies import DeploymentPlan, plan_deployment


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
        return offline.business_analysis(context)

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
        return [f"story {s.id} has no endpoint" for s in earlier_stories(context) if s.id not in served]

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.backend_change(context)

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
        criteria = {(s.id, c) for s in earlier_stories(context) for c in s.acceptance_criteria}
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
        return offline.test_suite(context)

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
        findings = scan_source([*earlier_files(context), *self._tests(context)])
        return {
            "scanned_files": len(earlier_files(context)) + 1,
            "findings": [f.model_dump() for f in findings],
        }

    @staticmethod
    def _tests(context: AgentContext) -> list[SourceFile]:
        suite = context.output_of("feature_testing_engineer")
        return [SourceFile.model_validate(suite["test_file"])] if suite else []

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.security_review(context)

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
        return offline.deployment(context)

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
