"""An analysis (from a model) held to its transcript, and the warnings a reviewer should see."""

from __future__ import annotations

from orchestrator.sales.analysis import (
    ELEMENTS,
    MAX_QUOTE_LENGTH,
    REVIEW_THRESHOLD,
    ElementName,
    MeddpicAnalysis,
    MeddpicElement,
    assemble,
    check_threshold,
)
from orchestrator.sales.transcripts import parse_transcript

_QUOTE_MARKS = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'")
    | dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"')
)
"""Curly quotes, low quotes and primes: the same as the straight quote marks when quotes are compared."""


def _normalised(text: str) -> tuple[str, list[int]]:
    """``text`` with whitespace runs as one space and curly quotes straight, and for each of its
    characters the offset of the character of ``text`` it comes from."""
    chars: list[str] = []
    origin: list[int] = []
    in_space = False
    for index, char in enumerate(text.translate(_QUOTE_MARKS)):
        if char.isspace():
            if not in_space:
                chars.append(" ")
                origin.append(index)
            in_space = True
        else:
            chars.append(char)
            origin.append(index)
            in_space = False
    return "".join(chars), origin


def _locate(quote: str, transcript_text: str, normalised: str, origin: list[int]) -> str | None:
    """The exact text of the transcript a quote stands for, or None when it does not occur."""
    wanted = _normalised(quote)[0].strip()
    candidates = [wanted]
    if len(wanted) > 2 and wanted[0] in "\"'" and wanted[-1] == wanted[0]:
        candidates.append(wanted[1:-1].strip())  # a quote wrapped in quotation marks
    for candidate in candidates:
        at = normalised.find(candidate) if candidate else -1
        if at >= 0:
            exact = transcript_text[origin[at] : origin[at + len(candidate) - 1] + 1]
            return exact if len(exact) <= MAX_QUOTE_LENGTH else candidate
    return None


def verify_evidence(
    analysis: MeddpicAnalysis, transcript_text: str, *, review_threshold: float = REVIEW_THRESHOLD
) -> tuple[MeddpicAnalysis, list[str]]:
    """Hold an analysis (from a model) to the transcript it is about.

    A quote is kept when it occurs in the transcript once whitespace and quotation marks are
    normalised (case-sensitive otherwise), and is then replaced by the transcript's exact text. An
    element's confidence is multiplied by the share of its quotes kept; an element left without
    quotes is missing. Completeness, overall confidence, missing elements, the review flag and the
    summary are recomputed as :func:`extract` computes them. Returns the analysis and one warning
    per element that changed.
    """
    check_threshold(review_threshold)
    parse_transcript(transcript_text)  # the same error for an empty transcript as extract()
    normalised, origin = _normalised(transcript_text)
    elements: dict[ElementName, MeddpicElement] = {}
    warnings: list[str] = []
    for name in ELEMENTS:
        element: MeddpicElement = getattr(analysis, name)
        kept = [
            exact
            for quote in element.evidence
            if (exact := _locate(quote, transcript_text, normalised, origin))
        ]
        dropped = len(element.evidence) - len(kept)
        if dropped:
            quotes = (
                "1 quote not in the transcript was"
                if dropped == 1
                else f"{dropped} quotes not in the transcript were"
            )
            warnings.append(f"{name}: {quotes} dropped")
        if element.found and not kept:
            reason = "no evidence left" if element.evidence else "marked found without evidence"
            warnings.append(f"{name}: {reason}, now missing")
        share = len(kept) / len(element.evidence) if element.evidence else 0.0
        elements[name] = MeddpicElement(
            value=element.value,
            evidence=kept,
            confidence=round(element.confidence * share, 2),
            found=element.found,
        )
    return assemble(elements, review_threshold), warnings


def warnings_for(analysis: MeddpicAnalysis, *, review_threshold: float = REVIEW_THRESHOLD) -> list[str]:
    """What a reviewer should see: each missing element, and the review flag with its reason.

    Pass the threshold the analysis was made with.
    """
    warnings = [f"missing MEDDPIC element: {name}" for name in analysis.missing]
    if analysis.flagged_for_review:
        overall = f"{analysis.overall_confidence:.2f}"
        warnings.append(f"flagged for review: overall confidence {overall} below {review_threshold:g}")
    return warnings
