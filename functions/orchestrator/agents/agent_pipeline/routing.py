"""The router's rules, deterministic and explainable: each task's executor kind and model tier,
and the run's cost estimated before anything is executed.
"""

from __future__ import annotations

import re

from orchestrator.agents.agent_pipeline.schemas import (
    Assignment,
    ExecutorKind,
    PlanOutput,
    PlanTask,
    RouteOutput,
    Tier,
)
from orchestrator.core.constants import MAX_SUMMARY_LENGTH
from orchestrator.core.records import TokenUsage
from orchestrator.providers.base import estimate_tokens
from orchestrator.providers.pricing import cost_usd

LEADING_VERBS: dict[str, ExecutorKind] = {
    **dict.fromkeys(
        ("research", "investigate", "survey", "explore", "find", "identify", "discover", "collect",
         "gather", "study", "review"),
        "research",
    ),
    **dict.fromkeys(
        ("analyse", "analyze", "assess", "evaluate", "compare", "measure", "estimate", "forecast",
         "benchmark", "audit", "quantify"),
        "analysis",
    ),
    **dict.fromkeys(
        ("code", "build", "implement", "develop", "program", "script", "integrate", "automate",
         "deploy", "refactor", "prototype"),
        "code",
    ),
    **dict.fromkeys(
        ("write", "draft", "document", "summarise", "summarize", "describe", "explain", "publish",
         "announce", "translate", "edit", "outline"),
        "writing",
    ),
}  # fmt: skip
"""Rule 2: the task title's first word names the kind of work."""


KEYWORDS: dict[ExecutorKind, tuple[str, ...]] = {
    "code": ("code", "api", "endpoint", "widget", "script", "function", "database", "schema", "backend",
             "frontend", "app", "integration", "deploy", "test"),
    "analysis": ("data", "metrics", "tickets", "trend", "cost", "numbers", "statistics", "kpi", "analysis",
                 "estimate", "forecast"),
    "research": ("market", "competitors", "literature", "sources", "options", "questions", "interviews",
                 "research"),
    "writing": ("faq", "guide", "article", "blog", "email", "copy", "documentation", "announcement", "readme",
                "post", "answers"),
}  # fmt: skip
"""Rule 3: the kind whose keywords the task's text names most (ties: in this order)."""


DEFAULT_KIND: ExecutorKind = "research"
"""Rule 4: nothing more specific matched."""


LONG_TASK_CHARS = 400
"""A description longer than this is a large task whatever its estimate."""


MANY_DEPENDENCIES = 3
"""A task that combines this many others' results is a large task."""


KIND_RULES = (
    "1. the planner's kind hint",
    "2. the title's first word (" + ", ".join(sorted(set(LEADING_VERBS.values()))) + " verbs)",
    "3. the kind whose keywords the task names most",
    f"4. {DEFAULT_KIND}",
)
TIER_RULES = (
    "large if the planner estimated the task large",
    f"large if its description is longer than {LONG_TASK_CHARS} characters",
    f"large if it depends on {MANY_DEPENDENCIES} or more tasks",
    "small otherwise; over budget, large tasks move to small (costliest first)",
)


TIER_PRICING_MODEL: dict[Tier, tuple[str, str]] = {
    "small": ("anthropic", "claude-haiku"),
    "large": ("anthropic", "claude-sonnet"),
}
"""The list prices a tier's estimate uses (``orchestrator.providers.pricing``)."""


TIER_OUTPUT_TOKENS: dict[Tier, int] = {"small": 800, "large": 2000}
"""Output tokens a tier's answer is estimated at."""


PROMPT_OVERHEAD_TOKENS = 900
"""An executor prompt's fixed part (system prompt, schema, intent) in tokens."""


def classify(title: str, description: str, hint: ExecutorKind | None = None) -> tuple[ExecutorKind, str]:
    """A task's executor kind and the rule that chose it."""
    if hint is not None:
        return hint, f"kind {hint}: the planner's hint"
    words = re.findall(r"[a-z]+", title.lower())
    if words and words[0] in LEADING_VERBS:
        kind = LEADING_VERBS[words[0]]
        return kind, f"kind {kind}: the title starts with '{words[0]}'"
    text = re.findall(r"[a-z]+", f"{title} {description}".lower())
    hits = {kind: sum(text.count(word) for word in words_) for kind, words_ in KEYWORDS.items()}
    best = max(hits, key=lambda kind: hits[kind])  # max keeps the first of equal counts
    if hits[best]:
        return best, f"kind {best}: {hits[best]} {best} keyword(s) in the task"
    return DEFAULT_KIND, f"kind {DEFAULT_KIND}: nothing more specific matched"


def tier_for(task: PlanTask) -> tuple[Tier, str]:
    """A task's model tier and the rule that chose it."""
    if task.estimated_complexity == "large":
        return "large", "tier large: the planner estimated it large"
    if len(task.description) > LONG_TASK_CHARS:
        return "large", f"tier large: a long task ({len(task.description)} characters)"
    if len(task.depends_on) >= MANY_DEPENDENCIES:
        return "large", f"tier large: it combines {len(task.depends_on)} tasks"
    return "small", "tier small: small and short"


def estimate(task: PlanTask, tier: Tier) -> tuple[int, float]:
    """Estimated tokens and cost of executing a task on a tier (before anything runs)."""
    usage = TokenUsage(
        input_tokens=PROMPT_OVERHEAD_TOKENS + estimate_tokens(f"{task.title}\n{task.description}"),
        output_tokens=TIER_OUTPUT_TOKENS[tier],
    )
    return usage.total_tokens, cost_usd(*TIER_PRICING_MODEL[tier], usage)


def route(plan: PlanOutput, budget_usd: float | None) -> RouteOutput:
    """Every planned task's assignment, fitted to the budget when there is one."""
    chosen: list[tuple[PlanTask, ExecutorKind, Tier, list[str]]] = []
    for task in plan.tasks:
        kind, kind_reason = classify(task.title, task.description, task.kind_hint)
        tier, tier_reason = tier_for(task)
        chosen.append((task, kind, tier, [kind_reason, tier_reason]))

    def total() -> float:
        return round(sum(estimate(task, tier)[1] for task, _, tier, _ in chosen), 6)

    if budget_usd is not None and total() > budget_usd:
        savings = sorted(
            (estimate(task, "small")[1] - estimate(task, "large")[1], index)
            for index, (task, _, tier, _) in enumerate(chosen)
            if tier == "large"
        )  # most negative first: the costliest large tasks move first
        for _, index in savings:
            if total() <= budget_usd:
                break
            task, kind, _, reasons = chosen[index]
            chosen[index] = (
                task,
                kind,
                "small",
                [*reasons, f"moved to small to fit the budget (${budget_usd:g})"],
            )
    assignments = []
    for task, kind, tier, reasons in chosen:
        tokens, cost = estimate(task, tier)
        assignments.append(
            Assignment(
                task_id=task.id,
                title=task.title,
                description=task.description,
                executor_kind=kind,
                model_tier=tier,
                reason="; ".join(reasons)[:400],
                depends_on=task.depends_on,
                estimated_tokens=tokens,
                estimated_cost_usd=cost,
            )
        )
    estimated = total()
    within = budget_usd is None or estimated <= budget_usd
    large = sum(1 for a in assignments if a.model_tier == "large")
    budget = "" if budget_usd is None else f" of a ${budget_usd:g} budget"
    return RouteOutput(
        summary=(
            f"{len(assignments)} task(s) routed, {large} to the large tier; estimated "
            f"${estimated:.4f}{budget}"
        )[:MAX_SUMMARY_LENGTH],
        assignments=assignments,
        estimated_cost_usd=estimated,
        budget_usd=budget_usd,
        within_budget=within,
    )
