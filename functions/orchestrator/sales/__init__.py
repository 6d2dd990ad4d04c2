"""Sales call analysis: MEDDPIC qualification of a sales call transcript (pure domain code)."""

from __future__ import annotations

from orchestrator.sales.meddpic import (
    ELEMENTS,
    REVIEW_THRESHOLD,
    ElementName,
    MeddpicAnalysis,
    MeddpicElement,
    Sentence,
    Transcript,
    Turn,
    extract,
    parse_transcript,
    verify_evidence,
    warnings_for,
)

__all__ = [
    "ELEMENTS",
    "REVIEW_THRESHOLD",
    "ElementName",
    "MeddpicAnalysis",
    "MeddpicElement",
    "Sentence",
    "Transcript",
    "Turn",
    "extract",
    "parse_transcript",
    "verify_evidence",
    "warnings_for",
]
