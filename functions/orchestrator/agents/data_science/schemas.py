"""The structured answers of the ``data_science`` agents, one model per phase."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

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
