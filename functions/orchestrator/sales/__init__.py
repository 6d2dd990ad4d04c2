"""Sales call analysis: MEDDPIC qualification of a sales call transcript (pure domain code)."""

from __future__ import annotations

from orchestrator.sales.analysis import (
    ELEMENTS,
    REVIEW_THRESHOLD,
    ElementName,
    MeddpicAnalysis,
    MeddpicElement,
)
from orchestrator.sales.evidence import verify_evidence, warnings_for
from orchestrator.sales.meddpic import extract
from orchestrator.sales.transcripts import Sentence, Transcript, Turn, parse_transcript

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
