"""Agents of the ``data_science`` template: a predictive model from the problem to its deployment.

problem definition -> (data collection | evaluation plan) in parallel -> data exploration
                   -> model development -> model validation (may reject) -> deployment

The evaluation plan (metrics, thresholds, baseline, validation scheme) needs only the problem,
not the data, so it is written while the data is collected. Validation compares every metric
with its threshold in code; a model that fails the problem's success metric is not deployed:
the run is rejected and everything undone. Every phase writes its deliverable to the tenant's
workspace under ``projects/<run id>/``; the deployment announces the release on the bus
(``deployments``/``release``).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field, ValidationError

from orchestrator.agents.base import Agent, AgentContext, output_as
from orchestrator.agents.documents import clip, project_artifact, section, table
from orchestrator.commands.executor import CommandSpec, PublishIntegration, WriteArtifact
from orchestrator.core.constants import MAX_SUMMARY_LENGTH
from orchestrator.core.records import StrictModel

Summary = Annotated[str, Field(min_length=1, max_length=MAX_SUMMARY_LENGTH)]
Confidence = Annotated[float, Field(ge=0.0, le=1.0)]
Line = Annotated[str, Field(min_length=1, max_length=300)]
Name = Annotated[str, Field(min_length=1, max_length=80)]
Score = Annotated[float, Field(ge=-1e6, le=1e6)]
Direction = Literal["higher_is_better", "lower_is_better"]
Task = Literal["classification", "regression", "forecasting", "ranking", "clustering", "anomaly_detection"]

BOUNDED_METRICS = frozenset(
    {"accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "auc", "r2", "ndcg", "map", "mape", "ece"}
)
"""Metrics whose values lie between 0 and 1 (a threshold outside that range is a mistake)."""


# --- schemas ------------------------------------------------------------------------------
class MetricTarget(StrictModel):
    name: str = Field(min_length=1, max_length=40, description="e.g. roc_auc, recall, mae")
    threshold: Score
    direction: Direction


class ProblemDefinition(StrictModel):
    summary: Summary
    objective: Line = Field(description="the decision the model supports and why it matters")
    task: Task
    target_variable: Name = Field(description="the column the model predicts")
    target_definition: Line
    success_metric: MetricTarget
    constraints: list[Line] = Field(max_length=8, description="latency, privacy, fairness, cost...")
    confidence: Confidence


class DataSource(StrictModel):
    name: Name
    kind: Literal["database", "api", "files", "stream", "third_party", "survey"]
    access: Line = Field(description="how it is read and with which permission")
    volume: str = Field(min_length=1, max_length=80, description="e.g. 5M rows, +50k a day")
    freshness: Literal["real_time", "hourly", "daily", "weekly", "monthly", "static"]
    contains_target: bool = Field(default=False, description="it holds the target variable (labels)")
    personal_data: bool = False


class DataCollection(StrictModel):
    summary: Summary
    sources: list[DataSource] = Field(min_length=1, max_length=10)
    steps: list[Line] = Field(min_length=1, max_length=10, description="how the dataset is assembled")
    confidence: Confidence


class EvaluationPlan(StrictModel):
    summary: Summary
    primary_metric: MetricTarget = Field(description="the problem's success metric")
    guardrail_metrics: list[MetricTarget] = Field(max_length=5)
    baseline: Line = Field(description="the naive approach a model must beat")
    baseline_score: Score = Field(description="the baseline's expected primary metric")
    validation_scheme: Literal["holdout", "k_fold", "time_split", "group_k_fold"]
    confidence: Confidence


class FeatureProfile(StrictModel):
    name: Name
    type: Literal["numeric", "categorical", "boolean", "datetime", "text", "id"]
    missing_rate: float = Field(ge=0.0, le=1.0)
    notes: Line


class QualityIssue(StrictModel):
    issue: Line
    severity: Literal["low", "medium", "high"]
    remedy: Line


class DataExploration(StrictModel):
    summary: Summary
    rows: int = Field(ge=0, le=10**12)
    features: list[FeatureProfile] = Field(min_length=1, max_length=40)
    findings: list[Line] = Field(min_length=1, max_length=10)
    quality_issues: list[QualityIssue] = Field(max_length=10)
    leakage_suspects: list[Name] = Field(max_length=10, description="features known only after the outcome")
    confidence: Confidence


class CandidateModel(StrictModel):
    name: Name
    family: Literal[
        "baseline", "linear", "tree_ensemble", "neural_network", "kernel", "probabilistic", "other"
    ]
    rationale: Line
    cv_score: Score = Field(description="cross-validated primary metric")


class Hyperparameter(StrictModel):
    name: Name
    value: str = Field(min_length=1, max_length=80)


class ModelDevelopment(StrictModel):
    summary: Summary
    candidates: list[CandidateModel] = Field(min_length=1, max_length=6)
    chosen_model: Name = Field(description="the name of the chosen candidate")
    features_used: list[Name] = Field(min_length=1, max_length=40)
    hyperparameters: list[Hyperparameter] = Field(max_length=20)
    confidence: Confidence


class MetricResult(StrictModel):
    name: str = Field(min_length=1, max_length=40)
    value: Score
    threshold: Score
    direction: Direction
    passed: bool


class ModelValidation(StrictModel):
    summary: Summary
    model: Name
    metrics: list[MetricResult] = Field(min_length=1, max_length=10)
    verdict: Literal["deploy", "do_not_deploy"]
    rationale: Line
    error_analysis: list[Line] = Field(max_length=8)
    confidence: Confidence


class MonitoringSignal(StrictModel):
    signal: Literal["data_drift", "prediction_drift", "performance", "latency", "errors", "volume"]
    description: Line
    alert_when: str = Field(min_length=1, max_length=120)


class RetrainingTrigger(StrictModel):
    condition: Line
    cadence: Literal["on_trigger_only", "weekly", "monthly", "quarterly"]


class ModelDeployment(StrictModel):
    summary: Summary
    serving_mode: Literal["batch", "online"]
    serving: Line = Field(description="the schedule (batch) or the endpoint (online)")
    monitoring: list[MonitoringSignal] = Field(min_length=1, max_length=10)
    retraining_trigger: RetrainingTrigger
    rollback: Line
    confidence: Confidence


# --- helpers ------------------------------------------------------------------------------
def _earlier(context: AgentContext, agent: str, model: type[BaseModel]) -> Any:
    data = context.output_of(agent)
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _metric(target: MetricTarget) -> str:
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


def _problem(context: AgentContext) -> ProblemDefinition | None:
    found: ProblemDefinition | None = _earlier(context, "ds_problem_definition", ProblemDefinition)
    return found


def _primary(context: AgentContext) -> MetricTarget:
    plan: EvaluationPlan | None = _earlier(context, "ds_evaluation_plan", EvaluationPlan)
    if plan is not None:
        return plan.primary_metric
    problem = _problem(context)
    if problem is not None:
        return problem.success_metric
    return MetricTarget(name="roc_auc", threshold=0.8, direction="higher_is_better")


_TASK_WORDS: list[tuple[Task, re.Pattern[str]]] = [
    ("forecasting", re.compile(r"\b(forecast\w*|demand|next (week|month|quarter)s?|sales volume)\b", re.I)),
    ("anomaly_detection", re.compile(r"\b(anomal\w*|outlier\w*|intrusion\w*)\b", re.I)),
    ("ranking", re.compile(r"\b(rank\w*|recommend\w*)\b", re.I)),
    ("regression", re.compile(r"\b(how (much|many)|price\w*|estimate\w*|amount|duration|value of)\b", re.I)),
    ("clustering", re.compile(r"\b(segment\w*|cluster\w*|group\w* similar)\b", re.I)),
]
_METRICS: dict[str, MetricTarget] = {
    "classification": MetricTarget(name="roc_auc", threshold=0.8, direction="higher_is_better"),
    "regression": MetricTarget(name="mape", threshold=0.15, direction="lower_is_better"),
    "forecasting": MetricTarget(name="mape", threshold=0.2, direction="lower_is_better"),
    "ranking": MetricTarget(name="ndcg", threshold=0.6, direction="higher_is_better"),
    "clustering": MetricTarget(name="silhouette", threshold=0.4, direction="higher_is_better"),
    "anomaly_detection": MetricTarget(name="pr_auc", threshold=0.5, direction="higher_is_better"),
}
_TARGETS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(cancel\w*|churn\w*|leave|unsubscrib\w*)\b", re.I), "churned"),
    (re.compile(r"\bfraud\w*\b", re.I), "is_fraud"),
    (re.compile(r"\bdefault\w*\b", re.I), "defaulted"),
    (re.compile(r"\bprice\w*\b", re.I), "price"),
    (re.compile(r"\b(demand|sales|units)\b", re.I), "units_sold"),
]


def task_of(topic: str) -> Task:
    for task, pattern in _TASK_WORDS:
        if pattern.search(topic):
            return task
    return "classification"


def target_of(topic: str, task: Task) -> str:
    for pattern, name in _TARGETS:
        if pattern.search(topic):
            return name
    return "label" if task in ("classification", "anomaly_detection") else "value"


# --- agents -------------------------------------------------------------------------------
class ProblemDefinitionAgent(Agent):
    agent_type = "ds_problem_definition"
    title = "Problem framer"
    goal = (
        "Frame the request as a machine learning problem: the objective, the task, the target "
        "variable and how it is defined, the success metric with its threshold and direction, "
        "and the constraints (latency, privacy, fairness, cost)."
    )
    output_model = ProblemDefinition
    complexity = "small"
    max_output_tokens = 2048

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, ProblemDefinition)
        score = 1.0
        metric = output.success_metric
        if metric.name.lower() in BOUNDED_METRICS and not 0.0 <= metric.threshold <= 1.0:
            score = 0.3  # a threshold the metric can never reach (or always meets)
        if not output.constraints:
            score *= 0.8
        return round(min(output.confidence, score), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, ProblemDefinition)
        metric = output.success_metric
        found = []
        if metric.name.lower() in BOUNDED_METRICS and not 0.0 <= metric.threshold <= 1.0:
            found.append(f"{metric.name} lies between 0 and 1, the threshold {metric.threshold:g} does not")
        if not output.constraints:
            found.append("no constraints stated (latency, privacy, fairness, cost)")
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        topic = context.topic
        task = task_of(topic)
        target = target_of(topic, task)
        metric = _METRICS[task]
        return ProblemDefinition(
            summary=clip(f"[offline] {task} of '{target}' for: {topic}", MAX_SUMMARY_LENGTH),
            objective=clip(f"Support the decisions that depend on this: {topic[:1].lower()}{topic[1:]}", 300),
            task=task,
            target_variable=target,
            target_definition=clip(
                f"'{target}' as recorded for each case in the period the request names", 300
            ),
            success_metric=metric,
            constraints=[
                "Scores are explainable to the people who act on them",
                "No personal data leaves the tenant's account",
                "A full scoring run costs less than the decisions it improves",
            ],
            confidence=0.8,
        ).model_dump(mode="json")

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, ProblemDefinition)
        lines = [f"# Problem definition: {context.topic}", "", output.summary, "", "## Objective", ""]
        lines += [output.objective, "", f"- Task: {output.task}", f"- Target: `{output.target_variable}`"]
        lines += [f"  ({output.target_definition})", f"- Success metric: {_metric(output.success_metric)}"]
        lines += ["", "## Constraints", ""] + ([f"- {c}" for c in output.constraints] or ["- none stated"])
        return [project_artifact(context, "problem.md", lines)]


class DataCollectionAgent(Agent):
    agent_type = "ds_data_collection"
    title = "Data engineer"
    goal = (
        "List the data sources the problem needs: for each its kind, how it is accessed, its "
        "volume and freshness, whether it holds the target variable and personal data; then the "
        "steps that assemble the training dataset."
    )
    output_model = DataCollection
    reads = ("ds_problem_definition",)
    complexity = "small"
    max_output_tokens = 2048

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, DataCollection)
        labelled = any(source.contains_target for source in output.sources)
        return round(min(output.confidence, 1.0 if labelled else 0.4), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, DataCollection)
        found = []
        if not any(source.contains_target for source in output.sources):
            problem = _problem(context)
            target = problem.target_variable if problem else "the target"
            found.append(f"no source holds {target}: there is nothing to learn from")
        found += [
            f"{s.name} holds personal data: a privacy review is needed"
            for s in output.sources
            if s.personal_data
        ]
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        problem = _problem(context)
        target = problem.target_variable if problem else "the target"
        sources = [
            DataSource(
                name="Operational database",
                kind="database",
                access="Read replica through a read-only role; nightly snapshot to the lake",
                volume="~5M rows, +50k a day",
                freshness="daily",
                contains_target=True,
            ),
            DataSource(
                name="Product events",
                kind="stream",
                access="Event stream delivered to object storage, partitioned by day",
                volume="~20M events a day",
                freshness="hourly",
            ),
            DataSource(
                name="CRM export",
                kind="files",
                access="Weekly CSV export into a restricted bucket",
                volume="~200k rows",
                freshness="weekly",
                personal_data=True,
            ),
        ]
        return DataCollection(
            summary=clip(
                f"[offline] 3 sources; '{target}' comes from the operational database", MAX_SUMMARY_LENGTH
            ),
            sources=sources,
            steps=[
                "Snapshot the operational tables at each cut-off date",
                "Aggregate the events per entity over 7, 30 and 90 days before the cut-off",
                "Join the CRM attributes; drop names, emails and phone numbers",
                clip(f"Attach '{target}' observed after the cut-off as the label", 300),
            ],
            confidence=0.8,
        ).model_dump(mode="json")

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, DataCollection)
        lines = [f"# Data collection: {context.topic}", "", output.summary, "", "## Sources", ""]
        lines += table(
            ["source", "kind", "access", "volume", "freshness", "target", "personal data"],
            [
                [
                    s.name,
                    s.kind,
                    s.access,
                    s.volume,
                    s.freshness,
                    "yes" if s.contains_target else "no",
                    "yes" if s.personal_data else "no",
                ]
                for s in output.sources
            ],
        )
        lines += ["", "## Steps", ""] + [f"{n}. {step}" for n, step in enumerate(output.steps, start=1)]
        return [project_artifact(context, "data-sources.md", lines)]


class EvaluationPlanAgent(Agent):
    agent_type = "ds_evaluation_plan"
    title = "Evaluation planner"
    goal = (
        "Plan how a model of the problem is judged before any data is seen: the primary metric "
        "(the problem's success metric), guardrail metrics with thresholds, the naive baseline "
        "and its expected score, and the validation scheme."
    )
    output_model = EvaluationPlan
    reads = ("ds_problem_definition",)
    complexity = "small"
    max_output_tokens = 2048

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, EvaluationPlan)
        primary = output.primary_metric
        # a baseline that already meets the target makes the target meaningless
        score = 0.4 if meets(output.baseline_score, primary.threshold, primary.direction) else 1.0
        return round(min(output.confidence, score), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, EvaluationPlan)
        primary = output.primary_metric
        found = []
        if meets(output.baseline_score, primary.threshold, primary.direction):
            found.append(f"the baseline ({output.baseline_score:g}) already meets {_metric(primary)}")
        problem = _problem(context)
        if problem is not None and problem.success_metric.name != primary.name:
            found.append(
                f"the primary metric {primary.name} is not the success metric {problem.success_metric.name}"
            )
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        problem = _problem(context)
        task: Task = problem.task if problem else task_of(context.topic)
        primary = problem.success_metric if problem else _METRICS[task]
        bounded = primary.name.lower() in BOUNDED_METRICS
        guardrails = {
            "classification": [
                MetricTarget(name="recall", threshold=0.6, direction="higher_is_better"),
                MetricTarget(name="ece", threshold=0.05, direction="lower_is_better"),
            ],
            "regression": [MetricTarget(name="r2", threshold=0.6, direction="higher_is_better")],
            "forecasting": [MetricTarget(name="mase", threshold=1.0, direction="lower_is_better")],
        }.get(task, [])
        baseline_score = beating(primary.threshold, primary.direction, -0.5, bounded)
        if bounded:
            baseline_score = min(1.0, max(0.0, baseline_score))
        time_based = task == "forecasting" or bool(
            re.search(r"\b(next|days?|weeks?|months?)\b", context.topic)
        )
        return EvaluationPlan(
            summary=clip(
                f"[offline] {_metric(primary)} on a {'time split' if time_based else '5-fold'} validation; "
                f"the baseline must be beaten",
                MAX_SUMMARY_LENGTH,
            ),
            primary_metric=primary,
            guardrail_metrics=guardrails,
            baseline="Predict the base rate" if task == "classification" else "Predict the training mean",
            baseline_score=baseline_score,
            validation_scheme="time_split" if time_based else "k_fold",
            confidence=0.8,
        ).model_dump(mode="json")

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, EvaluationPlan)
        lines = [f"# Evaluation plan: {context.topic}", "", output.summary, "", "## Metrics", ""]
        lines += table(
            ["metric", "role", "threshold", "direction"],
            [
                [
                    "**" + output.primary_metric.name + "**",
                    "primary",
                    output.primary_metric.threshold,
                    output.primary_metric.direction,
                ]
            ]
            + [[m.name, "guardrail", m.threshold, m.direction] for m in output.guardrail_metrics],
        )
        lines += [
            "",
            f"Baseline: {output.baseline} (expected {output.primary_metric.name} {output.baseline_score:g})",
        ]
        lines += [f"Validation scheme: {output.validation_scheme}"]
        return [project_artifact(context, "evaluation-plan.md", lines)]


class DataExplorationAgent(Agent):
    agent_type = "ds_data_exploration"
    title = "Data analyst"
    goal = (
        "Explore the collected data: profile each feature (type, missing rate, notes), state the "
        "findings, the data quality issues with their severity and remedy, and the features that "
        "leak the target (known only after the outcome)."
    )
    output_model = DataExploration
    reads = ("ds_problem_definition", "ds_data_collection")
    max_output_tokens = 4096

    SPARSE: ClassVar[float] = 0.3
    """A feature missing in more rows than this is hardly usable."""

    @classmethod
    def sparse(cls, output: DataExploration) -> list[FeatureProfile]:
        """Usable features (not ids, not leakage suspects, which are dropped anyway) mostly missing."""
        dropped = set(output.leakage_suspects)
        return [
            f
            for f in output.features
            if f.missing_rate > cls.SPARSE and f.type != "id" and f.name not in dropped
        ]

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, DataExploration)
        sparse = len(self.sparse(output)) / len(output.features)
        severe = sum(1 for issue in output.quality_issues if issue.severity == "high")
        return round(max(0.0, min(output.confidence, 1.0 - 0.5 * sparse - 0.15 * severe)), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, DataExploration)
        found = [f"{f.name} is missing in {f.missing_rate:.0%} of rows" for f in self.sparse(output)]
        found += [
            f"high-severity data issue: {issue.issue}"
            for issue in output.quality_issues
            if issue.severity == "high"
        ]
        problem = _problem(context)
        if problem is not None and problem.target_variable not in {f.name for f in output.features}:
            found.append(f"the target {problem.target_variable} was not profiled")
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        problem = _problem(context)
        target = problem.target_variable if problem else "label"
        categorical = problem is not None and problem.task in ("classification", "anomaly_detection")
        features = [
            FeatureProfile(
                name="entity_id", type="id", missing_rate=0.0, notes="Unique per row; not a feature"
            ),
            FeatureProfile(
                name="tenure_days", type="numeric", missing_rate=0.0, notes="Right-skewed, median 410"
            ),
            FeatureProfile(
                name="plan_type", type="categorical", missing_rate=0.01, notes="4 levels, one rare (2%)"
            ),
            FeatureProfile(
                name="spend_30d", type="numeric", missing_rate=0.02, notes="Heavy tail: log-transform"
            ),
            FeatureProfile(
                name="events_30d", type="numeric", missing_rate=0.0, notes="Falls sharply before the outcome"
            ),
            FeatureProfile(
                name="days_since_last_event",
                type="numeric",
                missing_rate=0.12,
                notes="Missing = never active",
            ),
            FeatureProfile(name="support_tickets_90d", type="numeric", missing_rate=0.0, notes="Mostly zero"),
            FeatureProfile(name="region", type="categorical", missing_rate=0.04, notes="12 levels"),
            FeatureProfile(
                name="closure_reason",
                type="text",
                missing_rate=0.91,
                notes="Filled in only when the outcome has happened",
            ),
            FeatureProfile(
                name=target,
                type="boolean" if categorical else "numeric",
                missing_rate=0.0,
                notes="The target: 8% positive" if categorical else "The target",
            ),
        ]
        return DataExploration(
            summary=clip(
                f"[offline] 1.2M rows, {len(features)} columns profiled; one leaks the target",
                MAX_SUMMARY_LENGTH,
            ),
            rows=1_200_000,
            features=features,
            findings=[
                "Activity in the last 30 days separates the outcomes best",
                "Tenure and plan type interact: new cases on the cheapest plan differ most",
                "Region matters little once activity is known",
            ],
            quality_issues=[
                QualityIssue(
                    issue="days_since_last_event is missing for 12% of rows (never active)",
                    severity="medium",
                    remedy="Impute with the maximum and add a 'never active' indicator",
                ),
                QualityIssue(
                    issue="Duplicate rows for 0.3% of entities after the CRM join",
                    severity="low",
                    remedy="Keep the latest row per entity and cut-off date",
                ),
            ],
            leakage_suspects=["closure_reason"],
            confidence=0.8,
        ).model_dump(mode="json")

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, DataExploration)
        lines = [f"# Data exploration: {context.topic}", "", output.summary, "", f"Rows: {output.rows:,}"]
        lines += section(
            "Features",
            table(
                ["feature", "type", "missing", "notes"],
                [[f.name, f.type, f"{f.missing_rate:.0%}", f.notes] for f in output.features],
            ),
        )
        lines += ["", "## Findings", ""] + [f"- {finding}" for finding in output.findings]
        lines += ["", "## Data quality issues", ""] + (
            table(
                ["issue", "severity", "remedy"],
                [[issue.issue, issue.severity, issue.remedy] for issue in output.quality_issues],
            )
            if output.quality_issues
            else ["None found."]
        )
        lines += ["", "## Leakage suspects", ""] + (
            [f"- {name}" for name in output.leakage_suspects] or ["- none"]
        )
        return [project_artifact(context, "exploration.md", lines)]


class ModelDevelopmentAgent(Agent):
    agent_type = "ds_model_development"
    title = "Machine learning engineer"
    goal = (
        "Develop the model: candidate models with the rationale of each and its cross-validated "
        "primary metric, the chosen model, the features it uses (never the leakage suspects) and "
        "its hyperparameters."
    )
    output_model = ModelDevelopment
    reads = ("ds_problem_definition", "ds_data_exploration", "ds_evaluation_plan")
    max_output_tokens = 4096

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, ModelDevelopment)
        if output.chosen_model not in {candidate.name for candidate in output.candidates}:
            return round(min(output.confidence, 0.2), 2)
        compared = 1.0 if len(output.candidates) > 1 else 0.7  # nothing was compared
        return round(min(output.confidence, compared), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, ModelDevelopment)
        candidates = {candidate.name: candidate for candidate in output.candidates}
        chosen = candidates.get(output.chosen_model)
        if chosen is None:
            return [f"the chosen model {output.chosen_model!r} is not one of the candidates"]
        found = []
        primary = _primary(context)
        better = [
            c.name
            for c in output.candidates
            if c.cv_score != chosen.cv_score and meets(c.cv_score, chosen.cv_score, primary.direction)
        ]
        if better:
            found.append(f"{', '.join(better)} scored better than the chosen {chosen.name}")
        plan: EvaluationPlan | None = _earlier(context, "ds_evaluation_plan", EvaluationPlan)
        if plan is not None and not meets(chosen.cv_score, plan.baseline_score, primary.direction):
            found.append(f"{chosen.name} does not beat the baseline ({plan.baseline_score:g})")
        exploration: DataExploration | None = _earlier(context, "ds_data_exploration", DataExploration)
        if exploration is not None:
            leaking = sorted(set(output.features_used) & set(exploration.leakage_suspects))
            if leaking:
                found.append(f"features that leak the target are used: {', '.join(leaking)}")
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        primary = _primary(context)
        bounded = primary.name.lower() in BOUNDED_METRICS
        problem = _problem(context)
        exploration: DataExploration | None = _earlier(context, "ds_data_exploration", DataExploration)
        excluded = {problem.target_variable if problem else "label"}
        features = [
            f.name
            for f in (exploration.features if exploration else [])
            if f.type not in ("id", "text")
            and f.missing_rate <= 0.3
            and f.name not in excluded
            and f.name not in (exploration.leakage_suspects if exploration else [])
        ] or ["all profiled features"]
        candidates = [
            CandidateModel(
                name="Regularised linear model",
                family="linear",
                rationale="Fast, explainable coefficients; the reference every other candidate must beat",
                cv_score=beating(primary.threshold, primary.direction, -0.1, bounded),
            ),
            CandidateModel(
                name="Gradient-boosted trees",
                family="tree_ensemble",
                rationale="Captures the tenure/plan interaction and skewed counts without manual features",
                cv_score=beating(primary.threshold, primary.direction, 0.3, bounded),
            ),
            CandidateModel(
                name="Random forest",
                family="tree_ensemble",
                rationale="A robust second tree model, less sensitive to hyperparameters",
                cv_score=beating(primary.threshold, primary.direction, 0.1, bounded),
            ),
        ]
        chosen = candidates[1]
        return ModelDevelopment(
            summary=clip(
                f"[offline] {chosen.name} chosen: {primary.name} {chosen.cv_score:g} in cross-validation "
                f"on {len(features)} features",
                MAX_SUMMARY_LENGTH,
            ),
            candidates=candidates,
            chosen_model=chosen.name,
            features_used=features[:40],
            hyperparameters=[
                Hyperparameter(name="learning_rate", value="0.05"),
                Hyperparameter(name="n_estimators", value="600 (early stopping after 50)"),
                Hyperparameter(name="num_leaves", value="31"),
                Hyperparameter(name="min_child_samples", value="50"),
                Hyperparameter(name="subsample", value="0.8"),
            ],
            confidence=0.8,
        ).model_dump(mode="json")

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, ModelDevelopment)
        lines = [f"# Model development: {context.topic}", "", output.summary, "", "## Candidates", ""]
        lines += table(
            ["model", "family", "cv score", "rationale"],
            [
                [
                    ("**" + c.name + "**") if c.name == output.chosen_model else c.name,
                    c.family,
                    f"{c.cv_score:g}",
                    c.rationale,
                ]
                for c in output.candidates
            ],
        )
        lines += ["", f"Chosen: **{output.chosen_model}**", "", "## Features", ""]
        lines += [f"- {feature}" for feature in output.features_used]
        lines += section(
            "Hyperparameters", table(["name", "value"], [[h.name, h.value] for h in output.hyperparameters])
        )
        config = {
            "model": output.chosen_model,
            "features": output.features_used,
            "hyperparameters": {h.name: h.value for h in output.hyperparameters},
        }
        return [
            project_artifact(context, "model.md", lines),
            WriteArtifact(
                path=f"projects/{context.run_id}/model/config.json",
                content=json.dumps(config, indent=2) + "\n",
                content_type="application/json",
            ),
        ]


class ModelValidationAgent(Agent):
    agent_type = "ds_model_validation"
    title = "Model validator"
    goal = (
        "Validate the chosen model on held-out data with the evaluation plan's scheme: every "
        "metric of the plan with its value, threshold, direction and pass/fail, the verdict "
        "(deploy or do_not_deploy) and what the errors show. A model that fails the primary "
        "metric is not deployed."
    )
    output_model = ModelValidation
    reads = ("ds_problem_definition", "ds_evaluation_plan", "ds_model_development")
    max_output_tokens = 2048

    @staticmethod
    def passing(output: ModelValidation) -> list[MetricResult]:
        return [m for m in output.metrics if meets(m.value, m.threshold, m.direction)]

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, ModelValidation)
        return round(min(output.confidence, len(self.passing(output)) / len(output.metrics)), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, ModelValidation)
        found = [
            f"{m.name} {m.value:g} misses its threshold ({m.threshold:g})"
            for m in output.metrics
            if not meets(m.value, m.threshold, m.direction)
        ]
        found += [
            f"{m.name}: reported {'passed' if m.passed else 'failed'}, but {m.value:g} against "
            f"{m.threshold:g} {'fails' if m.passed else 'passes'}"
            for m in output.metrics
            if m.passed != meets(m.value, m.threshold, m.direction)
        ]
        plan: EvaluationPlan | None = _earlier(context, "ds_evaluation_plan", EvaluationPlan)
        if plan is not None:
            validated = {m.name for m in output.metrics}
            found += [
                f"the plan's metric {m.name} was not validated"
                for m in [plan.primary_metric, *plan.guardrail_metrics]
                if m.name not in validated
            ]
        return found

    def verdict(self, output: BaseModel, context: AgentContext) -> str | None:
        output = output_as(output, ModelValidation)
        primary = _primary(context)
        measured = next((m for m in output.metrics if m.name == primary.name), None)
        if measured is None:
            return f"the model was not validated on the success metric {primary.name}"
        if not meets(measured.value, primary.threshold, primary.direction):
            return (
                f"{output.model} misses the success metric: {primary.name} {measured.value:g}, "
                f"needs {_metric(primary)}"
            )
        if output.verdict == "do_not_deploy":
            return f"the validator advises against deploying {output.model}: {output.rationale}"
        return None

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        plan: EvaluationPlan | None = _earlier(context, "ds_evaluation_plan", EvaluationPlan)
        development: ModelDevelopment | None = _earlier(context, "ds_model_development", ModelDevelopment)
        targets = [plan.primary_metric, *plan.guardrail_metrics] if plan else [_primary(context)]
        metrics = []
        for index, target in enumerate(targets):
            value = beating(
                target.threshold, target.direction, 0.2 if index == 0 else 0.1, target.name in BOUNDED_METRICS
            )
            metrics.append(
                MetricResult(
                    name=target.name,
                    value=value,
                    threshold=target.threshold,
                    direction=target.direction,
                    passed=meets(value, target.threshold, target.direction),
                )
            )
        model = development.chosen_model if development else "the chosen model"
        scheme = plan.validation_scheme.replace("_", " ") if plan else "holdout"
        return ModelValidation(
            summary=clip(
                f"[offline] {model}: {sum(m.passed for m in metrics)}/{len(metrics)} metrics pass "
                f"on the {scheme}",
                MAX_SUMMARY_LENGTH,
            ),
            model=model,
            metrics=metrics,
            verdict="deploy" if all(m.passed for m in metrics) else "do_not_deploy",
            rationale="Every metric of the evaluation plan meets its threshold on held-out data",
            error_analysis=[
                "Errors concentrate on cases younger than 30 days (little history)",
                "Scores are well calibrated except in the top decile, which is over-confident",
            ],
            confidence=0.85,
        ).model_dump(mode="json")

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, ModelValidation)
        lines = [f"# Model validation: {context.topic}", "", output.summary, "", f"Model: {output.model}"]
        lines += section(
            "Metrics",
            table(
                ["metric", "value", "threshold", "direction", "result"],
                [
                    [
                        m.name,
                        f"{m.value:g}",
                        f"{m.threshold:g}",
                        m.direction,
                        "pass" if meets(m.value, m.threshold, m.direction) else "FAIL",
                    ]
                    for m in output.metrics
                ],
            ),
        )
        lines += ["", f"Verdict: **{output.verdict}**. {output.rationale}", "", "## Error analysis", ""]
        lines += [f"- {note}" for note in output.error_analysis] or ["- none"]
        return [project_artifact(context, "validation.md", lines)]


class ModelDeploymentAgent(Agent):
    agent_type = "ds_deployment"
    title = "MLOps engineer"
    goal = (
        "Deploy the validated model: the serving mode (batch or online) and its schedule or "
        "endpoint, the monitoring signals with their alert conditions, the retraining trigger and "
        "the rollback."
    )
    output_model = ModelDeployment
    reads = ("ds_problem_definition", "ds_model_development", "ds_model_validation")
    complexity = "small"
    max_output_tokens = 2048

    ESSENTIAL: ClassVar[tuple[str, ...]] = ("performance", "data_drift")

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, ModelDeployment)
        watched = {signal.signal for signal in output.monitoring}
        essential = sum(1 for signal in self.ESSENTIAL if signal in watched)
        return round(min(output.confidence, 0.5 + 0.25 * essential), 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, ModelDeployment)
        watched = {signal.signal for signal in output.monitoring}
        found = [
            f"nothing watches {signal.replace('_', ' ')}"
            for signal in self.ESSENTIAL
            if signal not in watched
        ]
        if output.serving_mode == "online" and "latency" not in watched:
            found.append("an online model without a latency alert")
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        primary = _primary(context)
        development: ModelDevelopment | None = _earlier(context, "ds_model_development", ModelDevelopment)
        model = development.chosen_model if development else "the validated model"
        online = bool(
            re.search(r"\b(real[- ]time|instant\w*|online|fraud|as it happens)\b", context.topic, re.I)
        )
        monitoring = [
            MonitoringSignal(
                signal="performance",
                description=clip(f"{primary.name} on the outcomes as they become known", 300),
                alert_when=clip(f"{primary.name} misses {primary.threshold:g} two weeks running", 120),
            ),
            MonitoringSignal(
                signal="data_drift",
                description="Population stability of the ten most important features",
                alert_when="PSI above 0.2 on any of them",
            ),
            MonitoringSignal(
                signal="prediction_drift",
                description="Share of high scores against the validation period",
                alert_when="More than 1.5x or less than 0.5x the validation share",
            ),
            MonitoringSignal(
                signal="latency", description="p99 of the scoring endpoint", alert_when="above 200 ms"
            )
            if online
            else MonitoringSignal(
                signal="volume", description="Rows scored per run", alert_when="20% fewer than expected"
            ),
        ]
        return ModelDeployment(
            summary=clip(
                f"[offline] {model} served {'online' if online else 'in a daily batch'}", MAX_SUMMARY_LENGTH
            ),
            serving_mode="online" if online else "batch",
            serving="POST /predict behind the tenant's API, autoscaled"
            if online
            else "Daily at 02:00 UTC; scores written to the warehouse table model_scores",
            monitoring=monitoring,
            retraining_trigger=RetrainingTrigger(
                condition="A performance or data-drift alert, or three months since the last training",
                cadence="quarterly",
            ),
            rollback="Point the scoring job back at the previous model version; scores are versioned",
            confidence=0.8,
        ).model_dump(mode="json")

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, ModelDeployment)
        development: ModelDevelopment | None = _earlier(context, "ds_model_development", ModelDevelopment)
        validation: ModelValidation | None = _earlier(context, "ds_model_validation", ModelValidation)
        model = development.chosen_model if development else "model"
        lines = [f"# Model deployment: {context.topic}", "", output.summary, ""]
        lines += [f"- Model: {model}", f"- Serving: {output.serving_mode}: {output.serving}"]
        lines += section(
            "Monitoring",
            table(
                ["signal", "what", "alert when"],
                [[s.signal, s.description, s.alert_when] for s in output.monitoring],
            ),
        )
        lines += [
            "",
            "## Retraining",
            "",
            f"{output.retraining_trigger.condition} ({output.retraining_trigger.cadence})",
        ]
        lines += ["", "## Rollback", "", output.rollback]
        return [
            project_artifact(context, "deployment.md", lines),
            PublishIntegration(
                integration="deployments",
                action="release",
                payload={
                    "run_id": context.run_id,
                    "kind": "model",
                    "project": context.topic[:200],
                    "model": model,
                    "serving_mode": output.serving_mode,
                    "metrics": {m.name: m.value for m in validation.metrics} if validation else {},
                    "artifacts": f"projects/{context.run_id}/",
                },
            ),
        ]


AGENTS: list[type[Agent]] = [
    ProblemDefinitionAgent,
    DataCollectionAgent,
    EvaluationPlanAgent,
    DataExplorationAgent,
    ModelDevelopmentAgent,
    ModelValidationAgent,
    ModelDeploymentAgent,
]
