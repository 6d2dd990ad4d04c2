"""What a ``data_science`` agent reads of the earlier phases, and metrics against their thresholds."""

from __future__ import annotations

from pydantic import ValidationError

from orchestrator.agents.base import AgentContext, OutputT
from orchestrator.agents.data_science.schemas import EvaluationPlan, MetricTarget, ProblemDefinition


# --- earlier outputs ------------------------------------------------------------------------------
def earlier_output(context: AgentContext, agent: str, model: type[OutputT]) -> OutputT | None:
    """The latest earlier output of ``agent`` as its model (None: absent or not of that shape)."""
    data = context.output_of(agent)
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def metric_text(target: MetricTarget) -> str:
    sign = ">=" if target.direction == "higher_is_better" else "<="
    return f"{target.name} {sign} {target.threshold:g}"


def meets(value: float, threshold: float, direction: str) -> bool:
    """Whether a metric's value meets its threshold (computed, never taken from the model)."""
    return value >= threshold if direction == "higher_is_better" else value <= threshold


def beating(threshold: float, direction: str, margin: float, bounded: bool) -> float:
    """A value that beats ``threshold`` by ``margin`` of the room left (within 0..1 if bounded)."""
    if direction == "higher_is_better":
        room = (1.0 - threshold) if bounded else max(abs(threshold), 1.0)
        return round(threshold + margin * room, 3)
    room = threshold if bounded else max(abs(threshold), 1.0)
    return round(threshold - margin * room, 3)


def earlier_problem(context: AgentContext) -> ProblemDefinition | None:
    return earlier_output(context, "ds_problem_definition", ProblemDefinition)


def primary_target(context: AgentContext) -> MetricTarget:
    plan = earlier_output(context, "ds_evaluation_plan", EvaluationPlan)
    if plan is not None:
        return plan.primary_metric
    problem = earlier_problem(context)
    if problem is not None:
        return problem.success_metric
    return MetricTarget(name="roc_auc", threshold=0.8, direction="higher_is_better")
