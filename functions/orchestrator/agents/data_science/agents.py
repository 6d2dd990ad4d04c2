"""The agents of the ``data_science`` template, one class per phase (see the package)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from pydantic import BaseModel

import orchestrator.agents.data_science.offline_answers as offline
from orchestrator.agents.base import Agent, AgentContext, output_as
from orchestrator.agents.data_science.reading import (
    earlier_output,
    earlier_problem,
    meets,
    metric_text,
    primary_target,
)
from orchestrator.agents.data_science.schemas import (
    BOUNDED_METRICS,
    DataCollection,
    DataExploration,
    EvaluationPlan,
    FeatureProfile,
    MetricResult,
    ModelDeployment,
    ModelDevelopment,
    ModelValidation,
    ProblemDefinition,
)
from orchestrator.agents.documents import project_artifact, section, table
from orchestrator.commands.executor import CommandSpec, PublishIntegration, WriteArtifact


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
        return offline.problem_definition(context)

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, ProblemDefinition)
        lines = [f"# Problem definition: {context.topic}", "", output.summary, "", "## Objective", ""]
        lines += [output.objective, "", f"- Task: {output.task}", f"- Target: `{output.target_variable}`"]
        lines += [
            f"  ({output.target_definition})",
            f"- Success metric: {metric_text(output.success_metric)}",
        ]
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
            problem = earlier_problem(context)
            target = problem.target_variable if problem else "the target"
            found.append(f"no source holds {target}: there is nothing to learn from")
        found += [
            f"{s.name} holds personal data: a privacy review is needed"
            for s in output.sources
            if s.personal_data
        ]
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.data_collection(context)

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
            found.append(f"the baseline ({output.baseline_score:g}) already meets {metric_text(primary)}")
        problem = earlier_problem(context)
        if problem is not None and problem.success_metric.name != primary.name:
            found.append(
                f"the primary metric {primary.name} is not the success metric {problem.success_metric.name}"
            )
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.evaluation_plan(context)

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
        problem = earlier_problem(context)
        if problem is not None and problem.target_variable not in {f.name for f in output.features}:
            found.append(f"the target {problem.target_variable} was not profiled")
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.data_exploration(context)

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
        primary = primary_target(context)
        better = [
            c.name
            for c in output.candidates
            if c.cv_score != chosen.cv_score and meets(c.cv_score, chosen.cv_score, primary.direction)
        ]
        if better:
            found.append(f"{', '.join(better)} scored better than the chosen {chosen.name}")
        plan = earlier_output(context, "ds_evaluation_plan", EvaluationPlan)
        if plan is not None and not meets(chosen.cv_score, plan.baseline_score, primary.direction):
            found.append(f"{chosen.name} does not beat the baseline ({plan.baseline_score:g})")
        exploration = earlier_output(context, "ds_data_exploration", DataExploration)
        if exploration is not None:
            leaking = sorted(set(output.features_used) & set(exploration.leakage_suspects))
            if leaking:
                found.append(f"features that leak the target are used: {', '.join(leaking)}")
        return found

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.model_development(context)

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
        plan = earlier_output(context, "ds_evaluation_plan", EvaluationPlan)
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
        primary = primary_target(context)
        measured = next((m for m in output.metrics if m.name == primary.name), None)
        if measured is None:
            return f"the model was not validated on the success metric {primary.name}"
        if not meets(measured.value, primary.threshold, primary.direction):
            return (
                f"{output.model} misses the success metric: {primary.name} {measured.value:g}, "
                f"needs {metric_text(primary)}"
            )
        if output.verdict == "do_not_deploy":
            return f"the validator advises against deploying {output.model}: {output.rationale}"
        return None

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.model_validation(context)

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
        return offline.model_deployment(context)

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, ModelDeployment)
        development = earlier_output(context, "ds_model_development", ModelDevelopment)
        validation = earlier_output(context, "ds_model_validation", ModelValidation)
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
