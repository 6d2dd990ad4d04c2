"""The offline provider's answers of the ``data_science`` agents: deterministic, built from the
topic (its task and target) and the earlier phases' outputs, so that an offline run carries one
problem through to a deployed model.
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.agents.base import AgentContext
from orchestrator.agents.data_science.reading import (
    beating,
    earlier_output,
    earlier_problem,
    meets,
    metric_text,
    primary_target,
)
from orchestrator.agents.data_science.schemas import (
    BOUNDED_METRICS,
    CandidateModel,
    DataCollection,
    DataExploration,
    DataSource,
    EvaluationPlan,
    FeatureProfile,
    Hyperparameter,
    MetricResult,
    MetricTarget,
    ModelDeployment,
    ModelDevelopment,
    ModelValidation,
    MonitoringSignal,
    ProblemDefinition,
    QualityIssue,
    RetrainingTrigger,
    Task,
)
from orchestrator.agents.documents import clip
from orchestrator.core.constants import MAX_SUMMARY_LENGTH

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


def problem_definition(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``ds_problem_definition``."""
    topic = context.topic
    task = task_of(topic)
    target = target_of(topic, task)
    metric = _METRICS[task]
    return ProblemDefinition(
        summary=clip(f"[offline] {task} of '{target}' for: {topic}", MAX_SUMMARY_LENGTH),
        objective=clip(f"Support the decisions that depend on this: {topic[:1].lower()}{topic[1:]}", 300),
        task=task,
        target_variable=target,
        target_definition=clip(f"'{target}' as recorded for each case in the period the request names", 300),
        success_metric=metric,
        constraints=[
            "Scores are explainable to the people who act on them",
            "No personal data leaves the tenant's account",
            "A full scoring run costs less than the decisions it improves",
        ],
        confidence=0.8,
    ).model_dump(mode="json")


def data_collection(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``ds_data_collection``."""
    problem = earlier_problem(context)
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


def evaluation_plan(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``ds_evaluation_plan``."""
    problem = earlier_problem(context)
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
    time_based = task == "forecasting" or bool(re.search(r"\b(next|days?|weeks?|months?)\b", context.topic))
    return EvaluationPlan(
        summary=clip(
            f"[offline] {metric_text(primary)} on a {'time split' if time_based else '5-fold'} validation; "
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


def data_exploration(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``ds_data_exploration``."""
    problem = earlier_problem(context)
    target = problem.target_variable if problem else "label"
    categorical = problem is not None and problem.task in ("classification", "anomaly_detection")
    features = [
        FeatureProfile(name="entity_id", type="id", missing_rate=0.0, notes="Unique per row; not a feature"),
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


def model_development(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``ds_model_development``."""
    primary = primary_target(context)
    bounded = primary.name.lower() in BOUNDED_METRICS
    problem = earlier_problem(context)
    exploration = earlier_output(context, "ds_data_exploration", DataExploration)
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


def model_validation(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``ds_model_validation``."""
    plan = earlier_output(context, "ds_evaluation_plan", EvaluationPlan)
    development = earlier_output(context, "ds_model_development", ModelDevelopment)
    targets = [plan.primary_metric, *plan.guardrail_metrics] if plan else [primary_target(context)]
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


def model_deployment(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``ds_deployment``."""
    primary = primary_target(context)
    development = earlier_output(context, "ds_model_development", ModelDevelopment)
    model = development.chosen_model if development else "the validated model"
    online = bool(re.search(r"\b(real[- ]time|instant\w*|online|fraud|as it happens)\b", context.topic, re.I))
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
