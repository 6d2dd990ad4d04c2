"""The offline provider's answers of the ``sales_call_analysis`` agents: the deterministic MEDDPIC
extraction over the transcript, and the report built from it.
"""

from __future__ import annotations

from typing import Any

from orchestrator.agents.base import AgentContext
from orchestrator.agents.sales_calls.reading import review_threshold
from orchestrator.agents.sales_calls.schemas import CallReport, CrmFields
from orchestrator.core.constants import MAX_SUMMARY_LENGTH
from orchestrator.sales import (
    ELEMENTS,
    MeddpicAnalysis,
    extract,
)


def meddpic_analysis(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``sales_meddpic_extractor``."""
    analysis = extract(context.facts["transcript"], review_threshold=review_threshold(context))
    answer = analysis.model_dump(mode="json")
    answer["summary"] = f"[offline] {analysis.summary}"[:MAX_SUMMARY_LENGTH]
    return answer


def call_report(context: AgentContext) -> dict[str, Any] | None:
    """The offline answer of ``sales_call_reporter``."""
    analysis = MeddpicAnalysis.model_validate(context.output_of("sales_meddpic_extractor"))
    questions = [f"Who or what covers {name.replace('_', ' ')}?" for name in analysis.missing]
    steps = []
    if analysis.decision_process.found:
        steps.append(f"Follow the decision process: {analysis.decision_process.value}"[:300])
    if analysis.paper_process.found:
        steps.append(f"Prepare the paper process: {analysis.paper_process.value}"[:300])
    steps.append("Send a recap of the call with the quantified pain and the agreed next step")
    if analysis.flagged_for_review:
        steps.append("Ask the sales manager to review this qualification before forecasting it")
    found = len(ELEMENTS) - len(analysis.missing)
    return CallReport(
        summary=f"[offline] {found}/8 MEDDPIC elements; {len(steps)} next steps",
        next_steps=steps[:8],
        open_questions=questions[:8],
        crm=CrmFields(
            stage="qualified" if not analysis.flagged_for_review else "discovery",
            economic_buyer=analysis.economic_buyer.value[:300],
            champion=analysis.champion.value[:300],
            competitors=analysis.competition.value[:300],
            qualification_score=analysis.overall_confidence,
        ),
        flagged_for_review=analysis.flagged_for_review,
        confidence=analysis.overall_confidence,
    ).model_dump(mode="json")
