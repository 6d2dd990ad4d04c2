"""Agents of the ``graph_showcase`` template: every construct of the template language in one run.

intake -> (risks | plan) in parallel -> one executor per planned task (bounded map)
       -> safety check (may reject) -> report -> approval gate -> release

Executors, the reporter and the releaser change the tenant's workspace and publish an
integration event; all of it is undone when the run fails, is rejected or is cancelled.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from orchestrator.agents.base import Agent, AgentContext, output_as
from orchestrator.commands.executor import CommandSpec, PublishIntegration, WriteArtifact
from orchestrator.core.constants import MAX_SUMMARY_LENGTH
from orchestrator.core.records import StrictModel

Summary = Field(min_length=1, max_length=MAX_SUMMARY_LENGTH)
Confidence = Field(ge=0.0, le=1.0)
Line = Field(min_length=1, max_length=300)
MAX_REPORT_BODY = 512 * 1024  # a long report is stored in the workspace, never in a state payload


class IntakeOutput(StrictModel):
    summary: str = Summary
    goals: list[str] = Field(min_length=1, max_length=5)
    constraints: list[str] = Field(default_factory=list, max_length=5)
    confidence: float = Confidence


class Risk(StrictModel):
    risk: str = Line
    likelihood: Literal["low", "medium", "high"]
    mitigation: str = Line


class RiskOutput(StrictModel):
    summary: str = Summary
    risks: list[Risk] = Field(min_length=1, max_length=5)
    confidence: float = Confidence


class PlannedTask(StrictModel):
    title: str = Field(min_length=1, max_length=120)
    description: str = Line
    complexity: Literal["small", "large"]


class PlanOutput(StrictModel):
    summary: str = Summary
    tasks: list[PlannedTask] = Field(min_length=1, max_length=50)
    confidence: float = Confidence


class TaskOutcome(StrictModel):
    summary: str = Summary
    outcome: str = Field(min_length=1, max_length=2000)
    done: bool = True
    confidence: float = Confidence


class SafetyOutput(StrictModel):
    summary: str = Summary
    safe: bool = True
    concerns: list[str] = Field(default_factory=list, max_length=10)
    confidence: float = Confidence


class ReportOutput(StrictModel):
    summary: str = Summary
    highlights: list[str] = Field(min_length=1, max_length=10)
    body: str = Field(min_length=1, max_length=MAX_REPORT_BODY, description="the full report, in Markdown")
    confidence: float = Confidence


class ReleaseOutput(StrictModel):
    summary: str = Summary
    release_notes: str = Field(min_length=1, max_length=4000)
    confidence: float = Confidence


class RequestAnalystAgent(Agent):
    agent_type = "request_analyst"
    title = "Request analyst"
    goal = "Restate the request as goals and constraints."
    output_model = IntakeOutput


class RiskAssessorAgent(Agent):
    agent_type = "risk_assessor"
    title = "Risk assessor"
    goal = "List the main risks of the request, each with a likelihood and a mitigation."
    output_model = RiskOutput
    reads = ("request_analyst",)


class PlannerAgent(Agent):
    agent_type = "planner"
    title = "Planner"
    goal = "Break the request into independent tasks that can be executed in parallel."
    output_model = PlanOutput
    reads = ("request_analyst",)

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, PlanOutput)
        # a plan of one task is rarely a plan: confidence grows with the breakdown, up to the model's
        return round(min(output.confidence, 0.5 + 0.1 * len(output.tasks)), 2)


class TaskExecutorAgent(Agent):
    agent_type = "task_executor"
    title = "Task executor"
    goal = "Carry out one planned task and describe the outcome."
    output_model = TaskOutcome
    reads = ("planner",)

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, TaskOutcome)
        return output.confidence if output.done else round(output.confidence / 2, 2)

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, TaskOutcome)
        title = (context.item or {}).get("title", f"task {context.item_index}")
        return [
            WriteArtifact(
                path=f"showcase/{context.run_id}/tasks/task-{(context.item_index or 0) + 1:02d}.md",
                content=f"# {title}\n\n{output.outcome}\n",
            )
        ]


class SafetyCheckerAgent(Agent):
    agent_type = "safety_checker"
    title = "Safety checker"
    goal = "Decide whether the request and the work done are safe and within policy."
    output_model = SafetyOutput
    reads = ("request_analyst", "planner")

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, SafetyOutput)
        return output.confidence

    def verdict(self, output: BaseModel, context: AgentContext) -> str | None:
        output = output_as(output, SafetyOutput)
        from orchestrator.safety import SafetyScreen

        checked = SafetyScreen().check([("topic", context.topic)])
        reasons = [checked.reason()] if not checked.allowed else []
        if not output.safe:
            reasons.append("the safety model judged the request unsafe: " + "; ".join(output.concerns)[:300])
        return "; ".join(reasons) or None


class ReporterAgent(Agent):
    agent_type = "reporter"
    title = "Reporter"
    goal = "Report what was planned, what was done and what remains risky."
    output_model = ReportOutput
    reads = ("planner", "task_executor", "risk_assessor")

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, ReportOutput)
        done = [e for e in context.earlier if e.agent == "task_executor"]
        lines = [f"# Report: {context.topic}", "", output.summary, "", "## Highlights"]
        lines += [f"- {highlight}" for highlight in output.highlights]
        lines += ["", f"## Tasks ({len(done)})"] + [f"- {e.step}: {e.summary}" for e in done]
        lines += ["", "## Report", "", output.body]
        return [WriteArtifact(path=f"showcase/{context.run_id}/report.md", content="\n".join(lines) + "\n")]


class ReleaserAgent(Agent):
    agent_type = "releaser"
    title = "Releaser"
    goal = "Release the approved work: write the release notes and announce the release."
    output_model = ReleaseOutput
    reads = ("reporter",)

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, ReleaseOutput)
        notes = f"# Release for: {context.topic}\n\nRun {context.run_id}\n\n{output.release_notes}\n"
        return [
            # overwrites the previous release's notes: undo brings them back exactly
            WriteArtifact(path="showcase/releases/LATEST.md", content=notes),
            PublishIntegration(
                integration="release-announcements",
                action="announce",
                payload={"run_id": context.run_id, "summary": output.summary},
            ),
        ]


AGENTS: list[type[Agent]] = [
    RequestAnalystAgent,
    RiskAssessorAgent,
    PlannerAgent,
    TaskExecutorAgent,
    SafetyCheckerAgent,
    ReporterAgent,
    ReleaserAgent,
]
