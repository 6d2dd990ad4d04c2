"""The roles of the ``agent_pipeline`` template, one agent class per step (see the package)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

import orchestrator.agents.agent_pipeline.offline_answers as offline
from orchestrator.agents.agent_pipeline.artifacts import report_artifact, task_artifact
from orchestrator.agents.agent_pipeline.reading import pipeline_inputs, routed_assignment
from orchestrator.agents.agent_pipeline.routing import KIND_RULES, TIER_RULES, route
from orchestrator.agents.agent_pipeline.schemas import (
    EXECUTOR,
    INTENT,
    PLANNER,
    REPORTER,
    ROUTER,
    SAFETY,
    ExecutorOutput,
    IntentOutput,
    PlanOutput,
    ReportOutput,
    RouteOutput,
    SafetyOutput,
    TaskReport,
    Totals,
    Violation,
)
from orchestrator.agents.base import Agent, AgentContext, AgentServices, EarlierOutput, output_as
from orchestrator.commands.executor import CommandSpec, WriteArtifact
from orchestrator.core.constants import MAX_SUMMARY_LENGTH
from orchestrator.core.errors import OrchestratorError
from orchestrator.core.observability import logger
from orchestrator.safety import Moderator, SafetyScreen, request_texts, strings_in, support_line


class IntentParserAgent(Agent):
    agent_type = INTENT
    title = "Intent parser"
    goal = (
        "Read the request and state its intent, the entities it involves, the outcome the requester "
        "wants and the constraints the work must respect (the inputs' constraints included)."
    )
    output_model = IntentOutput
    complexity = "small"

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.intent(context)


class PlannerAgent(Agent):
    agent_type = PLANNER
    title = "Pipeline planner"
    goal = (
        "Break the parsed intent into 1 to 20 tasks (ids t1, t2, ...), each with a title, a "
        "description, the kind of work it needs if clear (research, code, writing, analysis), an "
        "estimated complexity (small or large) and the ids of the tasks it depends on."
    )
    output_model = PlanOutput
    reads = (INTENT,)

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.plan(context)

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, PlanOutput)
        return output.confidence


class SafetyCheckerAgent(Agent):
    """A tool: the safety policy's rules decide, in code, before any executor runs; no model is
    asked. They read the request (its moderation, where configured, ran when the run started) and
    what the models made of it: the parsed intent and every planned task."""

    agent_type = SAFETY
    title = "Pipeline safety checker"
    goal = "Refuse requests and plans that break the safety policy or try to override instructions."
    output_model = SafetyOutput
    reads = (INTENT, PLANNER)
    uses_model = False
    complexity = "small"

    def work(self, context: AgentContext, services: AgentServices) -> dict[str, Any]:
        texts = request_texts(context.topic, context.inputs)
        intent = context.output_of(INTENT) or {}
        texts += [("intent", text) for _, text in strings_in(intent, "intent")]
        for task in (context.output_of(PLANNER) or {}).get("tasks", []):
            where = f"task {task.get('id', '?')}"
            texts += [(where, str(task.get("title", ""))), (where, str(task.get("description", "")))]
        verdict = SafetyScreen(_run_provider_moderation(services)).check(texts)
        violations = {
            (f.where, f.category): {
                "where": f.where,
                "rule": f"{f.category.value}: {f.category.description}",
                "category": f.category.value,
                "layer": f.layer,
            }
            for f in verdict.findings
        }
        return {"screened": list(verdict.screened), "violations": list(violations.values())}

    def compute(self, context: AgentContext) -> BaseModel:
        violations = [Violation.model_validate(v) for v in context.facts.get("violations", [])][:100]
        screened = list(context.facts.get("screened", []))[:200]
        if violations:
            named = sorted({v.category or v.rule.split(":")[0] for v in violations})
            summary = f"Refused by the safety policy ({', '.join(named)}) in {len(violations)} place(s)"
        else:
            summary = f"The safety policy passed: {len(screened)} text source(s), no rule broken"
        return SafetyOutput(
            summary=summary[:MAX_SUMMARY_LENGTH],
            safe=not violations,
            violations=violations,
            screened=screened,
        )

    def verdict(self, output: BaseModel, context: AgentContext) -> str | None:
        output = output_as(output, SafetyOutput)
        found: dict[tuple[str, str], list[str]] = {}
        for violation in output.violations:
            found.setdefault((violation.rule, violation.layer or "code_rules"), []).append(violation.where)
        said = "; ".join(
            f"{rule} (decided by {layer}; in {', '.join(wheres)})" for (rule, layer), wheres in found.items()
        )
        support = support_line(v.category for v in output.violations if v.category)
        return (f"{said}. {support}" if support else said) or None


class RouterAgent(Agent):
    """A tool: kind and tier follow ``KIND_RULES`` and ``TIER_RULES``; the cost is estimated first."""

    agent_type = ROUTER
    title = "Pipeline router"
    goal = "Assign each planned task an executor kind and a model tier, and estimate the cost."
    output_model = RouteOutput
    reads = (PLANNER,)
    uses_model = False
    complexity = "small"

    def work(self, context: AgentContext, services: AgentServices) -> dict[str, Any]:
        plan = PlanOutput.model_validate(context.output_of(PLANNER))
        routed = route(plan, pipeline_inputs(context).budget_usd)
        return {"route": routed.model_dump(mode="json"), "kind_rules": KIND_RULES, "tier_rules": TIER_RULES}

    def compute(self, context: AgentContext) -> BaseModel:
        return RouteOutput.model_validate(context.facts["route"])

    def verdict(self, output: BaseModel, context: AgentContext) -> str | None:
        output = output_as(output, RouteOutput)
        if output.within_budget:
            return None
        return (
            f"the plan's estimated cost ${output.estimated_cost_usd:.4f} exceeds the budget "
            f"${output.budget_usd:g} even with every task on the small tier"
        )


class ExecutorAgent(Agent):
    agent_type = EXECUTOR
    title = "Pipeline executor"
    goal = (
        "Carry out the one routed task given as the item, as its executor kind asks. research: "
        "findings, sources to check and open questions; code: the approach, working code and how "
        "to test it; writing: the finished text, ready to use; analysis: the method, the results "
        "and a recommendation. Write the deliverable in Markdown, respect the intent's constraints "
        "and copy the item's task_id, executor_kind and model_tier into the answer."
    )
    output_model = ExecutorOutput
    reads = (INTENT,)
    max_output_tokens = 2048

    def offline_answer(self, context: AgentContext) -> dict[str, Any] | None:
        return offline.execution(context)

    def complexity_for(self, context: AgentContext) -> Literal["small", "large"]:
        """The tier the router gave this task: a small-tier task calls the small model."""
        return routed_assignment(context).model_tier

    def confidence(self, output: BaseModel) -> float:
        output = output_as(output, ExecutorOutput)
        return output.confidence if output.done else round(output.confidence / 2, 2)

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, ExecutorOutput)
        task = routed_assignment(context)
        routed = {"task_id": task.task_id, "executor_kind": task.executor_kind, "model_tier": task.model_tier}
        return [
            f"the answer names {name} {getattr(output, name)!r}, the router assigned {value!r}: "
            "the assignment stands"
            for name, value in routed.items()
            if getattr(output, name) != value
        ]

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, ExecutorOutput)
        task = routed_assignment(context)
        header = (
            f"# {task.task_id}: {task.title}\n\n{task.executor_kind}, {task.model_tier} tier. {task.reason}\n"
        )
        return [
            WriteArtifact(
                path=task_artifact(context.run_id, context.item_index or 0, task.title),
                content=f"{header}\n{output.deliverable}\n",
            )
        ]


class ReporterAgent(Agent):
    """A tool: the report is accounting (every task, its outcome, tokens and cost), done in code."""

    agent_type = REPORTER
    title = "Pipeline reporter"
    goal = "Account for every routed task: its outcome, tokens and cost, and the run's totals."
    output_model = ReportOutput
    reads = (INTENT, PLANNER, SAFETY, ROUTER, EXECUTOR)
    uses_model = False
    complexity = "small"

    def work(self, context: AgentContext, services: AgentServices) -> dict[str, Any]:
        routed = RouteOutput.model_validate(context.output_of(ROUTER))
        executed: dict[int, EarlierOutput] = {
            e.item: e for e in context.outputs_of(EXECUTOR) if e.item is not None
        }
        tasks = []
        for index, task in enumerate(routed.assignments):
            earlier = executed.get(index)
            data = (earlier.data if earlier else None) or {}
            outcome = "missing" if earlier is None else ("done" if data.get("done", True) else "incomplete")
            tasks.append(
                TaskReport(
                    task_id=task.task_id,
                    title=task.title,
                    executor_kind=task.executor_kind,
                    model_tier=task.model_tier,
                    outcome=outcome,
                    summary=earlier.summary if earlier else "not executed",
                    tokens=earlier.tokens if earlier else 0,
                    cost_usd=earlier.cost_usd if earlier else 0.0,
                    provider=earlier.provider if earlier else "",
                    model=earlier.model if earlier else "",
                    artifact=task_artifact(context.run_id, index, task.title) if earlier else None,
                )
            )
        cost = round(sum(t.cost_usd for t in tasks), 6)
        run_cost = round(sum(e.cost_usd for e in context.earlier), 6)
        totals = Totals(
            tasks=len(tasks),
            done=sum(1 for t in tasks if t.outcome == "done"),
            incomplete=sum(1 for t in tasks if t.outcome == "incomplete"),
            missing=sum(1 for t in tasks if t.outcome == "missing"),
            executor_tokens=sum(t.tokens for t in tasks),
            executor_cost_usd=cost,
            run_tokens=sum(e.tokens for e in context.earlier),
            run_cost_usd=run_cost,
        )
        within = routed.budget_usd is None or cost <= routed.budget_usd
        report = ReportOutput(
            summary=(
                f"{totals.done} of {totals.tasks} task(s) done; executors {totals.executor_tokens} tokens, "
                f"${cost:.4f} (estimated ${routed.estimated_cost_usd:.4f})"
            )[:MAX_SUMMARY_LENGTH],
            tasks=tasks,
            totals=totals,
            estimated_cost_usd=routed.estimated_cost_usd,
            budget_usd=routed.budget_usd,
            within_budget=within,
            report_path=report_artifact(context.run_id),
        )
        return {"report": report.model_dump(mode="json")}

    def compute(self, context: AgentContext) -> BaseModel:
        return ReportOutput.model_validate(context.facts["report"])

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, ReportOutput)
        found = []
        if output.totals.missing or output.totals.incomplete:
            found.append(f"{output.totals.missing} task(s) missing, {output.totals.incomplete} incomplete")
        if not output.within_budget:
            found.append(
                f"the executors cost ${output.totals.executor_cost_usd:.4f}, "
                f"over the ${output.budget_usd:g} budget"
            )
        return found

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, ReportOutput)
        totals = output.totals
        lines = [
            f"# Pipeline report: {context.topic}",
            "",
            output.summary,
            "",
            f"## Tasks ({totals.tasks})",
            "",
        ]
        lines += [
            "| task | title | kind | tier | outcome | tokens | cost (USD) | deliverable |",
            "| --- | --- | --- | --- | --- | ---: | ---: | --- |",
        ]
        lines += [
            f"| {t.task_id} | {_cell(t.title)} | {t.executor_kind} | {t.model_tier} | {t.outcome} "
            f"| {t.tokens} | {t.cost_usd:.6f} | {t.artifact or '-'} |"
            for t in output.tasks
        ]
        budget = "none" if output.budget_usd is None else f"${output.budget_usd:g}"
        lines += [
            "",
            "## Totals",
            "",
            f"- Done: {totals.done}, incomplete: {totals.incomplete}, missing: {totals.missing}",
            f"- Executors: {totals.executor_tokens} tokens, ${totals.executor_cost_usd:.6f}",
            f"- Whole run: {totals.run_tokens} tokens, ${totals.run_cost_usd:.6f}",
            f"- Estimated before execution: ${output.estimated_cost_usd:.6f}; budget: {budget}"
            + ("" if output.within_budget else " (exceeded)"),
        ]
        return [WriteArtifact(path=output.report_path, content="\n".join(lines) + "\n")]


def _run_provider_moderation(services: AgentServices) -> list[Moderator]:
    """The run's provider's own moderation (OpenAI's, through the key this function already holds);
    none when it has none or cannot be built: the rules stand alone (logged)."""
    from orchestrator.safety.moderation import provider_moderation

    try:
        return provider_moderation(services.provider())
    except (OrchestratorError, RuntimeError) as exc:
        logger.warning("no provider moderation for the safety check", extra={"error": type(exc).__name__})
        return []


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


AGENTS: list[type[Agent]] = [
    IntentParserAgent,
    PlannerAgent,
    SafetyCheckerAgent,
    RouterAgent,
    ExecutorAgent,
    ReporterAgent,
]
