"""The offline provider's answers of the ``feature_delivery`` agents: deterministic, built from the
topic and the earlier steps' outputs (a working backend module and tests that exercise it).
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.agents.base import AgentContext
from orchestrator.agents.feature_delivery.reading import earlier_files, earlier_stories, feature_slug
from orchestrator.agents.feature_delivery.schemas import (
    BackendChange,
    BusinessAnalysis,
    DeploymentOutcome,
    Endpoint,
    Finding,
    SecurityReview,
    SourceFile,
    TestCase,
    TestSuite,
    UserStory,
)
from orchestrator.delivery.strategies import DeploymentPlan


def _backend_code(topic: str, stories: list[UserStory]) -> BackendChange:
    """A deterministic, runnable service module and its endpoints, one handler per story."""
    module = feature_slug(topic, 30)
    lines = [
        f'"""{topic[:200]}: one handler per user story (generated offline)."""',
        "",
        "from __future__ import annotations",
        "",
        "from dataclasses import dataclass, field",
        "",
        "",
        "@dataclass",
        "class Store:",
        '    """In-memory state of the feature; the handlers below read and change it."""',
        "",
        "    items: dict[str, dict[str, str]] = field(default_factory=dict)",
        "",
    ]
    endpoints = []
    for story in stories:
        name = f"handle_{feature_slug(story.id, 10)}_{feature_slug(story.i_want, 30)}"
        lines += [
            "",
            f"def {name}(store: Store, item_id: str, payload: dict[str, str]) -> dict[str, str]:",
            f'    """As {story.as_a[:60]}, {story.i_want[:80]}."""',
            "    if not item_id:",
            '        raise ValueError("item_id is required")',
            "    record = store.items.setdefault(item_id, {})",
            "    record.update(payload)",
            f'    record["story"] = "{story.id}"',
            "    return dict(record)",
        ]
        endpoints.append(
            Endpoint(
                method="POST",
                path=f"/{module}/{feature_slug(story.id, 10)}/{{item_id}}",
                story_id=story.id,
                description=story.i_want[:300],
            )
        )
    source = "\n".join(lines) + "\n"
    return BackendChange(
        summary=f"[offline] {len(stories)} handler(s) for '{topic[:80]}' in app/{module}.py",
        files=[SourceFile(path=f"app/{module}.py", content=source)],
        endpoints=endpoints,
        confidence=0.8,
    )


def business_analysis(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``feature_business_analyst``."""
    topic = context.topic
    parts = [p.strip(" .") for p in re.split(r",|;| and ", topic) if p.strip(" .")][:5] or [topic]
    stories = [
        UserStory(
            id=f"US-{index + 1}",
            as_a="customer" if index % 2 == 0 else "operator",
            i_want=part[:300],
            so_that=f"the feature '{topic[:60]}' delivers its value",
            acceptance_criteria=[
                f"Given a signed-in user, when they ask to {part[:120]}, then it is done and confirmed",
                f"Given invalid input, when they ask to {part[:120]}, then they get a clear error",
            ],
            priority="must" if index == 0 else "should",
        )
        for index, part in enumerate(parts)
    ]
    return BusinessAnalysis(
        summary=f"[offline] {len(stories)} user stories for '{topic[:120]}'",
        problem=f"Users cannot yet {topic[:300]}",
        stories=stories,
        business_value=f"Delivers '{topic[:200]}' to customers",
        confidence=0.8,
    ).model_dump(mode="json")


def backend_change(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``feature_backend_developer``."""
    return _backend_code(context.topic, earlier_stories(context)).model_dump(mode="json")


def test_suite(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``feature_testing_engineer``."""
    stories = earlier_stories(context)
    cases = [
        TestCase(
            id=f"TC-{index + 1}",
            story_id=story.id,
            criterion=criterion,
            kind="unit" if "invalid" in criterion else "integration",
            expected=criterion.split("then", 1)[-1].strip()[:300] or "as the criterion says",
        )
        for index, (story, criterion) in enumerate(
            (story, criterion) for story in stories for criterion in story.acceptance_criteria
        )
    ]
    files = earlier_files(context)
    module = files[0].path.removesuffix(".py").replace("/", ".") if files else "app"
    body = [f'"""Tests of {module} (generated offline)."""', "", "import pytest", ""]
    for case in cases:
        body += [
            "",
            f"def test_{feature_slug(case.id, 10)}_{feature_slug(case.criterion, 50)}() -> None:",
            f'    """{case.story_id}: {case.criterion[:150]}"""',
            f'    pytest.importorskip("{module}")',
        ]
    suite = TestSuite(
        summary=f"[offline] {len(cases)} test cases, one per acceptance criterion",
        cases=cases
        or [TestCase(id="TC-1", story_id="-", criterion="smoke", kind="unit", expected="imports")],
        test_file=SourceFile(path="tests/test_feature.py", content="\n".join(body) + "\n"),
        confidence=0.8,
    )
    return suite.model_dump(mode="json")


def security_review(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``feature_security_reviewer``."""
    findings = [Finding.model_validate(f) for f in context.facts.get("findings", [])]
    blocking = [f for f in findings if f.severity == "critical"]
    return SecurityReview(
        summary=f"[offline] {len(findings)} finding(s) by the rule scan, {len(blocking)} critical",
        findings=findings,
        approved=not blocking,
        confidence=0.9 if not findings else 0.8,
    ).model_dump(mode="json")


def deployment(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``feature_deployment_engineer``."""
    plan = DeploymentPlan.model_validate(context.facts["plan"])
    runbook = [
        f"{stage.index + 1}. {stage.name}: {stage.traffic_percent}% of traffic on {plan.version}, "
        f"{stage.instances_on_new} instance(s); check "
        + ", ".join(f"{c.name} {c.comparison.replace('_', ' ')} {c.threshold:g}" for c in stage.health_checks)
        + (f"; bake {stage.bake_seconds} s" if stage.bake_seconds else "")
        for stage in plan.stages
    ]
    return DeploymentOutcome(
        summary=(
            f"[offline] {plan.strategy} deployment of {plan.service} {plan.version} "
            f"in {len(plan.stages)} stages"
        ),
        plan=plan,
        runbook=runbook,
        rollback=(
            f"undo the applied stages newest first: {plan.previous_version or 'nothing'} serves all "
            "traffic again"
        ),
        confidence=0.85,
    ).model_dump(mode="json")
