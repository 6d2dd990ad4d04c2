"""The MEDDPIC analysis of a call (the output schema) and the one rule that scores it, whether a
model or the deterministic extractor found its elements.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal, get_args

from pydantic import Field

from orchestrator.core.constants import MAX_SUMMARY_LENGTH
from orchestrator.core.records import StrictModel

ElementName = Literal[
    "metrics",
    "economic_buyer",
    "decision_criteria",
    "decision_process",
    "paper_process",
    "identify_pain",
    "champion",
    "competition",
]
ELEMENTS: tuple[ElementName, ...] = get_args(ElementName)
"""The 8 elements, in MEDDPIC order."""


REVIEW_THRESHOLD = 0.6
"""An analysis whose overall confidence is below this is flagged for review."""


MAX_QUOTE_LENGTH = 500
MAX_QUOTES = 5
MAX_VALUE_LENGTH = 500


Quote = Annotated[str, Field(min_length=1, max_length=MAX_QUOTE_LENGTH)]
Confidence = Field(ge=0.0, le=1.0)


class MeddpicElement(StrictModel):
    """One MEDDPIC element. A missing element has no value, no evidence and confidence 0."""

    value: str = Field(
        default="",
        max_length=MAX_VALUE_LENGTH,
        description="what the call says about this element, in one sentence; empty when not found",
    )
    evidence: list[Quote] = Field(
        default_factory=list,
        max_length=MAX_QUOTES,
        description="exact quotes from the transcript that support the value, copied verbatim",
    )
    confidence: float = Field(ge=0.0, le=1.0, description="how well the evidence supports the value")
    found: bool = Field(description="true only when the transcript clearly covers this element")


class MeddpicAnalysis(StrictModel):
    """MEDDPIC qualification of one sales call."""

    summary: str = Field(min_length=1, max_length=MAX_SUMMARY_LENGTH)
    metrics: MeddpicElement = Field(description="quantified goals or costs: numbers, savings, targets")
    economic_buyer: MeddpicElement = Field(description="who owns the budget and signs off")
    decision_criteria: MeddpicElement = Field(description="requirements the solution is judged on")
    decision_process: MeddpicElement = Field(description="steps, people and timeline to a decision")
    paper_process: MeddpicElement = Field(description="procurement, legal, security review, contract")
    identify_pain: MeddpicElement = Field(description="the business problem and what it costs")
    champion: MeddpicElement = Field(description="who sells internally on the seller's behalf")
    competition: MeddpicElement = Field(description="other vendors, the incumbent or building in-house")
    overall_confidence: float = Confidence
    completeness: float = Field(ge=0.0, le=1.0, description="share of the 8 elements found")
    missing: list[ElementName] = Field(default_factory=list, max_length=len(ELEMENTS))
    flagged_for_review: bool
    confidence: float = Confidence


MISSING = MeddpicElement(value="", evidence=[], confidence=0.0, found=False)


def check_threshold(review_threshold: float) -> float:
    if not 0.0 <= review_threshold <= 1.0:
        raise ValueError(f"the review threshold must be between 0 and 1, not {review_threshold}")
    return review_threshold


def assemble(elements: Mapping[ElementName, MeddpicElement], review_threshold: float) -> MeddpicAnalysis:
    """Completeness, overall confidence, missing elements, review flag and summary of 8 elements.

    An element counts as found only with at least one quote; a missing one is reset to no value, no
    evidence and confidence 0. Overall confidence = mean of the 8 element confidences.
    """
    check_threshold(review_threshold)
    final = {
        name: elements[name] if elements[name].found and elements[name].evidence else MISSING
        for name in ELEMENTS
    }
    missing = [name for name in ELEMENTS if not final[name].found]
    completeness = (len(ELEMENTS) - len(missing)) / len(ELEMENTS)
    overall = round(sum(element.confidence for element in final.values()) / len(ELEMENTS), 2)
    flagged = overall < review_threshold
    summary = f"Found {len(ELEMENTS) - len(missing)} of {len(ELEMENTS)} MEDDPIC elements"
    summary += f" (missing: {', '.join(missing)})" if missing else ""
    summary += f"; overall confidence {overall:.2f}" + (", flagged for review." if flagged else ".")
    return MeddpicAnalysis(
        summary=summary,
        **final,
        overall_confidence=overall,
        completeness=completeness,
        missing=missing,
        flagged_for_review=flagged,
        confidence=overall,
    )
