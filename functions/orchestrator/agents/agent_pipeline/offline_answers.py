"""The offline provider's answers of the ``agent_pipeline`` agents: deterministic, built from the
topic's subject and action clauses, so that an offline run plans, routes and executes real tasks.
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.agents.agent_pipeline.artifacts import path_slug
from orchestrator.agents.agent_pipeline.reading import pipeline_inputs, routed_assignment
from orchestrator.agents.agent_pipeline.routing import LEADING_VERBS, classify
from orchestrator.agents.agent_pipeline.schemas import (
    MAX_DELIVERABLE,
    MAX_TASKS,
    Entity,
    EntityKind,
    ExecutorKind,
    ExecutorOutput,
    IntentOutput,
    PlanOutput,
    PlanTask,
)
from orchestrator.agents.base import AgentContext
from orchestrator.core.constants import MAX_SUMMARY_LENGTH

_CLAUSES = re.compile(r",|;|:| and | then |\n", re.IGNORECASE)


def _topic_parts(topic: str) -> tuple[str, list[str]]:
    """The topic's subject and its action clauses ("research X", "write Y"), for offline answers.
    A clause that starts with no known verb continues the action before it."""
    subject: list[str] = []
    actions: list[str] = []
    for part in (p.strip(" .") for p in _CLAUSES.split(topic)):
        if not part:
            continue
        first = part.split()[0].lower()
        if first in LEADING_VERBS:
            actions.append(part)
        elif actions:
            actions[-1] = f"{actions[-1]} and {part}"
        else:
            subject.append(part)
    text = ", ".join(subject) or topic.strip()
    return (text[:1].lower() + text[1:])[:200] or "the request", actions


_ENTITY_KINDS: tuple[tuple[EntityKind, tuple[str, ...]], ...] = (
    ("system", ("app", "api", "widget", "website", "service", "platform", "database", "assistant", "bot")),
    ("data", ("data", "tickets", "records", "metrics", "questions", "logs")),
    ("product", ("faq", "page", "guide", "documentation", "report", "book", "books", "answers")),
    ("organisation", ("company", "shop", "bookshop", "store", "business", "agency", "school")),
    ("person", ("customer", "customers", "user", "users", "team", "staff", "people", "families", "students")),
)


def _entity_kind(name: str) -> EntityKind:
    words = set(re.findall(r"[a-z]+", name.lower()))
    for kind, markers in _ENTITY_KINDS:
        if words & set(markers):
            return kind
    return "other"


_KIND_SECTIONS: dict[ExecutorKind, tuple[str, ...]] = {
    "research": ("Findings", "Sources to check", "Open questions"),
    "code": ("Approach", "Code", "How to test it"),
    "writing": ("Draft", "Tone and audience", "What to review"),
    "analysis": ("Method", "Results", "Recommendation"),
}


def intent(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``pipeline_intent_parser``."""
    subject, actions = _topic_parts(context.topic)
    inputs = pipeline_inputs(context)
    names = [subject, *(" ".join(a.split()[1:]) for a in actions)]
    entities = [
        Entity(name=name[:120], kind=_entity_kind(name)) for name in dict.fromkeys(n for n in names if n)
    ][:12]
    constraints = list(inputs.constraints)
    if inputs.budget_usd is not None:
        constraints.append(f"the executors cost at most ${inputs.budget_usd:g}")
    outcome = subject if not actions else f"{subject}, with: " + "; ".join(actions)
    return IntentOutput(
        summary=f"[offline] Intent: deliver {subject} in {max(1, len(actions))} piece(s) of work"[
            :MAX_SUMMARY_LENGTH
        ],
        intent=f"Deliver {subject}"[:400],
        entities=entities,
        desired_outcome=outcome[:600],
        constraints=constraints[:10],
        confidence=0.8,
    ).model_dump(mode="json")


def plan(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``pipeline_planner``."""
    subject, actions = _topic_parts(context.topic)
    if not actions:
        actions = [
            f"Research what {subject} needs",
            f"Analyse the options for {subject}",
            f"Build a first version of {subject}",
            f"Document {subject} for its users",
        ]
    tasks: list[PlanTask] = []
    for index, action in enumerate(actions[:MAX_TASKS]):
        title = (action[:1].upper() + action[1:])[:120]
        kind, _ = classify(title, "")
        groundwork = [t.id for t in tasks if classify(t.title, "")[0] in ("research", "analysis")]
        tasks.append(
            PlanTask(
                id=f"t{index + 1}",
                title=title,
                description=f"{title}, for {subject}."[:1000],
                estimated_complexity="large" if kind == "code" or len(title.split()) > 10 else "small",
                depends_on=groundwork if kind in ("writing", "code") else [],
            )
        )
    return PlanOutput(
        summary=f"[offline] {len(tasks)} task(s) for {subject}"[:MAX_SUMMARY_LENGTH],
        tasks=tasks,
        confidence=0.8,
    ).model_dump(mode="json")


def execution(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``pipeline_executor``."""
    task = routed_assignment(context)
    first, second, third = _KIND_SECTIONS[task.executor_kind]
    body = {
        "research": f"- What is known about: {task.title}\n- Where the answers differ and why",
        "code": (
            f"```python\ndef {path_slug(task.title, 30).replace('-', '_') or 'task'}() -> None:\n"
            f'    """{task.title}."""\n    raise NotImplementedError\n```'
        ),
        "writing": f"{task.title}: a first draft, written for the people the request serves.",
        "analysis": f"| criterion | finding |\n| --- | --- |\n| scope | {task.title} |",
    }[task.executor_kind]
    deliverable = (
        f"## {first}\n\n{task.description}\n\n## {second}\n\n{body}\n\n## {third}\n\n"
        f"- Check the result against the request's constraints."
    )
    return ExecutorOutput(
        summary=f"[offline] {task.executor_kind} ({task.model_tier} tier): {task.title}"[:MAX_SUMMARY_LENGTH],
        task_id=task.task_id,
        executor_kind=task.executor_kind,
        model_tier=task.model_tier,
        deliverable=deliverable[:MAX_DELIVERABLE],
        done=True,
        open_questions=[f"Is '{task.title}' the right scope?"[:400]],
        confidence=0.75,
    ).model_dump(mode="json")
