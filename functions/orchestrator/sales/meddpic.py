"""MEDDPIC qualification of a sales call transcript.

What a seller needs to know after a call, element by element: metrics, economic buyer, decision
criteria, decision process, paper process, identified pain, champion and competition. Each element
carries the sentences of the transcript that support it, quoted exactly, so anyone can check it.

- ``analysis.MeddpicAnalysis`` is the output schema (bounded, so it can be handed to a model as a
  JSON schema).
- ``transcripts.parse_transcript`` splits a transcript into speaker turns and sentences, each with
  its exact character offsets into the original text.
- :func:`extract` (here) is a deterministic extractor (the cue lexicons of ``lexicons``, no model).
- ``evidence.verify_evidence`` checks an analysis produced by a model against the transcript:
  quotes that do not occur in it are dropped and the scores are recomputed.
- ``evidence.warnings_for`` turns an analysis into the warnings a reviewer should see.

Both paths score an analysis with the same rule (``analysis.assemble``): completeness is the share of
the 8 elements found; the overall confidence is the mean of the 8 element confidences (a missing
element counts 0), i.e. completeness times the mean confidence of the found elements; below the
review threshold the analysis is flagged for review.

Pure code: no I/O, no network, linear in the length of the transcript.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from orchestrator.sales.analysis import (
    ELEMENTS,
    MAX_QUOTE_LENGTH,
    MAX_VALUE_LENGTH,
    MISSING,
    REVIEW_THRESHOLD,
    MeddpicAnalysis,
    MeddpicElement,
    assemble,
    check_threshold,
)
from orchestrator.sales.lexicons import LEXICONS, Lexicon
from orchestrator.sales.transcripts import Sentence, Transcript, parse_transcript, stripped_span

MIN_EVIDENCE_SCORE = 2.0
"""A sentence supports an element when its cue weights add up to at least this."""
STRONG_SCORE = 4.0
"""A sentence scoring this (or more) is full-strength evidence."""
QUESTION_FACTOR = 0.5
"""A question ("Who signs off?") is weaker evidence than a statement."""
QUOTE_WEIGHT = 0.8
"""Element confidence: 1 - prod(1 - QUOTE_WEIGHT * strength) over its quotes."""
EXTRACTED_QUOTES = 3
MAX_VALUE_SENTENCE = 300


@dataclass(frozen=True)
class _Scored:
    sentence: Sentence
    score: float
    anchor: int  # where the first cue matched: the middle of a quote cut from a long sentence


def _score(sentence: Sentence, text: str, lexicon: Lexicon) -> _Scored | None:
    weights: dict[str, float] = {}
    anchor = -1
    for match in lexicon.pattern.finditer(text, sentence.start, sentence.end):
        cue = match.lastgroup
        if cue is not None and cue not in weights:
            weights[cue] = lexicon.weights[cue]
            anchor = match.start() if anchor < 0 else anchor
    if not weights:
        return None
    score = sum(weights.values())
    if sentence.text.rstrip("\"'\u201d\u2019)]").endswith("?"):
        score *= QUESTION_FACTOR
    return _Scored(sentence, score, anchor)


def _confidence(strengths: Iterable[float]) -> float:
    doubt = 1.0
    for strength in strengths:
        doubt *= 1.0 - QUOTE_WEIGHT * max(0.0, min(1.0, strength))
    return round(1.0 - doubt, 2)


def _quote(text: str, scored: _Scored) -> str:
    """The sentence, or for a very long one the part around its first cue: always a substring."""
    start, end = scored.sentence.start, scored.sentence.end
    if end - start > MAX_QUOTE_LENGTH:
        start = max(start, min(scored.anchor - MAX_QUOTE_LENGTH // 3, end - MAX_QUOTE_LENGTH))
        end = start + MAX_QUOTE_LENGTH
        if start > scored.sentence.start and not text[start - 1].isspace():  # no half word at the start
            space = text.find(" ", start, scored.anchor)
            start = space + 1 if space >= 0 else start
        if end < scored.sentence.end and not text[end].isspace():  # nor at the end
            space = text.rfind(" ", start, end)
            end = space if space > scored.anchor else end
    return next((text[s:e] for s, e in stripped_span(text, start, end)), text[start:end])


def _value(scored: _Scored) -> str:
    words = " ".join(scored.sentence.text.split())
    if len(words) > MAX_VALUE_SENTENCE:
        words = words[:MAX_VALUE_SENTENCE].rsplit(" ", 1)[0] + "\u2026"
    speaker = scored.sentence.speaker
    return (f"{speaker}: {words}" if speaker else words)[:MAX_VALUE_LENGTH]


def _extract_element(transcript: Transcript, lexicon: Lexicon) -> MeddpicElement:
    candidates = [
        scored
        for sentence in transcript.sentences
        if (scored := _score(sentence, transcript.text, lexicon)) is not None
        and scored.score >= MIN_EVIDENCE_SCORE
    ]
    candidates.sort(key=lambda scored: (-scored.score, scored.sentence.start))
    chosen: list[_Scored] = []
    quotes: list[str] = []
    for scored in candidates:
        quote = _quote(transcript.text, scored)
        if quote not in quotes:
            chosen.append(scored)
            quotes.append(quote)
        if len(chosen) == EXTRACTED_QUOTES:
            break
    if not chosen:
        return MISSING
    return MeddpicElement(
        value=_value(chosen[0]),
        evidence=quotes,
        confidence=_confidence(scored.score / STRONG_SCORE for scored in chosen),
        found=True,
    )


def extract(transcript_text: str, *, review_threshold: float = REVIEW_THRESHOLD) -> MeddpicAnalysis:
    """MEDDPIC analysis of a transcript without a model: the same input gives the same output.

    Every sentence is scored per element by the cues it contains (each cue counted once; a question
    counts half); sentences scoring at least ``MIN_EVIDENCE_SCORE`` are evidence, the best
    ``EXTRACTED_QUOTES`` are quoted verbatim, the best one (with its speaker) is the value.
    """
    check_threshold(review_threshold)
    transcript = parse_transcript(transcript_text)
    elements = {name: _extract_element(transcript, LEXICONS[name]) for name in ELEMENTS}
    return assemble(elements, review_threshold)
