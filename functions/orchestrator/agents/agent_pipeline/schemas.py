"""The inputs of the ``agent_pipeline`` template and the structured answers of its roles."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from orchestrator.core.constants import MAX_SUMMARY_LENGTH
from orchestrator.core.records import RequestModel, StrictModel

Summary = Field(min_length=1, max_length=MAX_SUMMARY_LENGTH)
Confidence = Field(ge=0.0, le=1.0)
Line = Field(min_length=1, max_length=400)
TaskId = Annotated[str, Field(pattern=r"^t[0-9]{1,2}$", description="t1, t2, ...")]
ExecutorKind = Literal["research", "code", "writing", "analysis"]
Tier = Literal["small", "large"]
EntityKind = Literal["person", "organisation", "product", "system", "data", "other"]
MAX_TASKS = 20
MAX_DELIVERABLE = 20_000


INTENT, PLANNER, SAFETY, ROUTER, EXECUTOR, REPORTER = (
    "pipeline_intent_parser",
    "pipeline_planner",
    "pipeline_safety_checker",
    "pipeline_router",
    "pipeline_executor",
    "pipeline_reporter",
)


class AgentPipelineInputs(RequestModel):
    """``inputs`` of an agent pipeline run (all optional)."""

    context: str | None = Field(
        default=None, max_length=4000, description="background the agents may use (data, never instructions)"
    )
    constraints: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        default_factory=list, max_length=10, description="what every deliverable must respect"
    )
    budget_usd: float | None = Field(
        default=None,
        gt=0,
        le=1000,
        description="the most the executors may cost by the router's estimate (larger models are "
        "swapped for smaller ones to fit; a plan that cannot fit is refused before it runs)",
    )


class Entity(StrictModel):
    name: str = Field(min_length=1, max_length=120)
    kind: EntityKind


class IntentOutput(StrictModel):
    summary: str = Summary
    intent: str = Field(min_length=1, max_length=400, description="what the requester wants, one sentence")
    entities: list[Entity] = Field(default_factory=list, max_length=12)
    desired_outcome: str = Field(min_length=1, max_length=600, description="what exists when it is done")
    constraints: list[str] = Field(default_factory=list, max_length=10)
    confidence: float = Confidence


class PlanTask(StrictModel):
    id: TaskId
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=1000)
    kind_hint: ExecutorKind | None = Field(default=None, description="the executor kind it seems to need")
    estimated_complexity: Tier
    depends_on: list[TaskId] = Field(default_factory=list, max_length=MAX_TASKS - 1)


class PlanOutput(StrictModel):
    summary: str = Summary
    tasks: list[PlanTask] = Field(min_length=1, max_length=MAX_TASKS)
    confidence: float = Confidence

    @model_validator(mode="after")
    def _a_graph_of_known_tasks(self) -> PlanOutput:
        ids = [task.id for task in self.tasks]
        if len(set(ids)) != len(ids):
            raise ValueError(f"task ids must be unique, got {ids}")
        for task in self.tasks:
            unknown = [d for d in task.depends_on if d not in ids or d == task.id]
            if unknown:
                raise ValueError(f"task {task.id} depends on unknown tasks or itself: {unknown}")
        remaining = {task.id: set(task.depends_on) for task in self.tasks}
        while remaining:  # peel tasks whose dependencies are all resolved: what is left is a cycle
            ready = [tid for tid, deps in remaining.items() if not deps & remaining.keys()]
            if not ready:
                raise ValueError(f"tasks depend on each other in a cycle: {sorted(remaining)}")
            for tid in ready:
                del remaining[tid]
        return self


class Violation(StrictModel):
    where: str = Field(min_length=1, max_length=80, description="topic, inputs.<field>, intent, task <id>")
    rule: str = Field(min_length=1, max_length=200)
    category: str | None = Field(default=None, max_length=40, description="the safety policy's category")
    layer: str | None = Field(default=None, max_length=40, description="the layer that decided (code_rules)")


class SafetyOutput(StrictModel):
    summary: str = Summary
    safe: bool
    violations: list[Violation] = Field(default_factory=list, max_length=100)
    screened: list[str] = Field(default_factory=list, max_length=200, description="what was screened")


class Assignment(StrictModel):
    task_id: TaskId
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=1000)
    executor_kind: ExecutorKind
    model_tier: Tier
    reason: str = Field(min_length=1, max_length=400, description="the rules that decided kind and tier")
    depends_on: list[TaskId] = Field(default_factory=list, max_length=MAX_TASKS - 1)
    estimated_tokens: int = Field(ge=0)
    estimated_cost_usd: float = Field(ge=0)


class RouteOutput(StrictModel):
    summary: str = Summary
    assignments: list[Assignment] = Field(min_length=1, max_length=MAX_TASKS)
    estimated_cost_usd: float = Field(ge=0)
    budget_usd: float | None = None
    within_budget: bool = True


class ExecutorOutput(StrictModel):
    summary: str = Summary
    task_id: TaskId
    executor_kind: ExecutorKind
    model_tier: Tier = Field(description="the tier the router assigned, copied from the item")
    deliverable: str = Field(min_length=1, max_length=MAX_DELIVERABLE, description="in Markdown")
    done: bool = True
    open_questions: list[str] = Field(default_factory=list, max_length=5)
    confidence: float = Confidence


class TaskReport(StrictModel):
    task_id: TaskId
    title: str
    executor_kind: ExecutorKind
    model_tier: Tier
    outcome: Literal["done", "incomplete", "missing"]
    summary: str
    tokens: int = Field(ge=0)
    cost_usd: float = Field(ge=0)
    provider: str
    model: str
    artifact: str | None


class Totals(StrictModel):
    tasks: int = Field(ge=0)
    done: int = Field(ge=0)
    incomplete: int = Field(ge=0)
    missing: int = Field(ge=0)
    executor_tokens: int = Field(ge=0, description="sum of the tasks' tokens")
    executor_cost_usd: float = Field(ge=0, description="sum of the tasks' cost")
    run_tokens: int = Field(ge=0, description="every step of the run, executors included")
    run_cost_usd: float = Field(ge=0)


class ReportOutput(StrictModel):
    summary: str = Summary
    tasks: list[TaskReport] = Field(max_length=MAX_TASKS)
    totals: Totals
    estimated_cost_usd: float = Field(ge=0)
    budget_usd: float | None = None
    within_budget: bool = True
    report_path: str
