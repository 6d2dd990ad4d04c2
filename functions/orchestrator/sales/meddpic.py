"""MEDDPIC qualification of a sales call transcript.

What a seller needs to know after a call, element by element: metrics, economic buyer, decision
criteria, decision process, paper process, identified pain, champion and competition. Each element
carries the sentences of the transcript that support it, quoted exactly, so anyone can check it.

- :class:`MeddpicAnalysis` is the output schema (bounded, so it can be handed to a model as a JSON
  schema).
- :func:`parse_transcript` splits a transcript into speaker turns and sentences, each with its exact
  character offsets into the original text.
- :func:`extract` is a deterministic extractor (cue lexicons and patterns, no model).
- :func:`verify_evidence` checks an analysis produced by a model against the transcript: quotes
  that do not occur in it are dropped and the scores are recomputed.
- :func:`warnings_for` turns an analysis into the warnings a reviewer should see.

Both paths score an analysis with the same rule (:func:`_assemble`): completeness is the share of
the 8 elements found; the overall confidence is the mean of the 8 element confidences (a missing
element counts 0), i.e. completeness times the mean confidence of the found elements; below the
review threshold the analysis is flagged for review.

Pure code: no I/O, no network, linear in the length of the transcript.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


# --- output schema -----------------------------------------------------------------------------


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


# --- transcript --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    """A sentence: ``text == transcript[start:end]``."""

    text: str
    start: int
    end: int
    speaker: str | None
    turn: int


@dataclass(frozen=True)
class Turn:
    """What one speaker said in one go: ``transcript[start:end]`` is the text after the label."""

    speaker: str | None
    company: str | None
    timestamp: str | None
    start: int
    end: int
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class Transcript:
    text: str
    turns: tuple[Turn, ...]

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(sentence for turn in self.turns for sentence in turn.sentences)

    @property
    def speakers(self) -> tuple[str, ...]:
        """Named speakers, in order of first appearance."""
        return tuple(dict.fromkeys(turn.speaker for turn in self.turns if turn.speaker))


_NAME_WORD = r"[A-Z][\w.'\u2019-]*"
_LABEL = re.compile(
    r"[ \t]*"
    r"(?:[\[(]?(?P<timestamp>\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)[\])]?[ \t]*(?:[-\u2013][ \t]*)?)?"
    rf"(?P<speaker>{_NAME_WORD}(?:[ \t]+(?:{_NAME_WORD}|\d+)){{0,3}})"
    r"[ \t]*(?:\((?P<company>[^()\n]{1,80})\)[ \t]*)?"
    r":(?:[ \t]+|$)"
)
_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s|$)")
_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "e.g",
        "i.e",
        "vs",
        "inc",
        "ltd",
        "corp",
        "co",
        "jr",
        "sr",
        "st",
        "approx",
    }
)


def parse_transcript(text: str) -> Transcript:
    """Speaker turns and sentences of a transcript, with exact offsets into ``text``.

    A line is a new turn when it starts with a label: ``Name: ...``, ``[00:01:02] Name: ...`` or
    ``Name (Company): ...``. An unlabelled line right after a turn continues it (a wrapped line); an
    unlabelled line at the start or after a blank line starts a turn without a speaker.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(
            "the transcript is empty: give the text of the call, one 'Speaker: text' line per turn"
        )
    spans: list[tuple[str | None, str | None, str | None, int, int]] = []  # speaker, company, time, span
    turn_open = False
    offset = 0
    for raw in text.splitlines(keepends=True):
        line_start, offset = offset, offset + len(raw)
        line = raw.rstrip("\r\n")
        content_end = line_start + len(line.rstrip())
        if not line.strip():
            turn_open = False
        elif label := _LABEL.match(line):
            company = (label["company"] or "").strip() or None
            spans.append(
                (label["speaker"], company, label["timestamp"], line_start + label.end(), content_end)
            )
            turn_open = True
        elif turn_open:
            speaker, company, timestamp, start, _ = spans[-1]
            spans[-1] = (speaker, company, timestamp, start, content_end)
        else:
            spans.append((None, None, None, line_start, content_end))
            turn_open = True
    turns = []
    for index, (speaker, company, timestamp, start, end) in enumerate(spans):
        sentences = tuple(
            Sentence(text=text[s:e], start=s, end=e, speaker=speaker, turn=index)
            for s, e in _sentence_spans(text, start, end)
        )
        turns.append(Turn(speaker, company, timestamp, start, max(start, end), sentences))
    return Transcript(text=text, turns=tuple(turns))


def _sentence_spans(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``, surrounding whitespace excluded."""
    begin = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.group().startswith(".") and _is_abbreviation(text, begin, match.start()):
            continue
        yield from _stripped(text, begin, match.end())
        begin = match.end()
    yield from _stripped(text, begin, end)


def _is_abbreviation(text: str, begin: int, dot: int) -> bool:
    word_start = dot
    while word_start > begin and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot]
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def _stripped(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


# --- cue lexicons ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lexicon:
    """Alternative cues in one pattern: group ``cN`` matched means cue N with ``weights[cN]``."""

    pattern: re.Pattern[str]
    weights: Mapping[str, float]


def _lexicon(*cues: tuple[str, float]) -> _Lexicon:
    """Cues are matched case-insensitively unless written inside ``(?-i:...)``; each starts where
    a word or a currency sign starts. List longer cues first: at one position only the first that matches
    counts."""
    names = [f"c{index}" for index in range(len(cues))]
    alternatives = "|".join(f"(?P<{name}>{cue})" for name, (cue, _) in zip(names, cues, strict=True))
    # every cue starts where a word (or a currency sign) starts: checking that first skips the
    # alternatives at most positions, which keeps long transcripts fast
    pattern = rf"(?<!\w)(?=[\w$€£])(?:{alternatives})"
    return _Lexicon(re.compile(pattern, re.IGNORECASE), dict(zip(names, (w for _, w in cues), strict=True)))


_NUM = r"\d[\d,]*(?:\.\d+)?"
_MONTHS = r"(?-i:January|February|March|April|May|June|July|August|September|October|November|December)"
_I_WILL = r"\bI(?:['\u2019]ll|\s+will|['\u2019]m\s+going\s+to|\s+can|\s+could|['\u2019]d\s+be\s+happy\s+to)"
_VENDOR = r"(?-i:[A-Z][A-Za-z0-9&]+(?:\.(?:io|ai|com))?)"

LEXICONS: Mapping[ElementName, _Lexicon] = {
    "metrics": _lexicon(
        (rf"[$€£]\s?{_NUM}(?:\s?(?:k|m|mm|bn|million|thousand|billion)\b)?", 2.5),
        (rf"\b{_NUM}\s?(?:k|m|million|thousand)?\s?(?:dollars|usd|euros?|pounds)\b", 2.5),
        (r"\b(?:thousand|million|hundred)\s+(?:dollars|euros|pounds)\b", 2.0),
        (rf"\b{_NUM}\s?(?:%|percent\b)", 2.0),
        (
            rf"\b{_NUM}\s?(?:hours?|hrs?|days?|weeks?|months?|minutes?|mins?|seconds?|people|FTEs?|reps"
            r"|agents|users|tickets|orders|calls|deals|customers|accounts|employees|x)\b",
            1.5,
        ),
        (r"\b(?:per|each|every|a)\s+(?:month|year|week|day|quarter|hour|ticket|user|seat|rep|agent)\b", 1.0),
        (
            r"\b(?:reduc(?:e|es|ed|ing|tion)|cut(?:ting)?|sav(?:e|es|ed|ing|ings)|increas(?:e|es|ed|ing)"
            r"|improv\w*|lower|shorten\w*|double|halve)\b",
            1.0,
        ),
        (r"\b(?:ROI|payback|KPIs?|targets?|goal|benchmark|metrics?|CSAT|NPS)\b", 1.0),
    ),
    "economic_buyer": _lexicon(
        (r"\bsign(?:s|ed|ing)?[\s-]+off\b|\bsign-?off\b", 2.5),
        (
            r"\b(?:budget\s+(?:owner|holder)|own(?:s|ed)?\s+the\s+budget|hold(?:s)?\s+the\s+budget"
            r"|control(?:s)?\s+the\s+budget|purse\s+strings)\b",
            2.5,
        ),
        (r"\bfinal\s+(?:say|decision|call|approval|word)\b", 2.5),
        (r"\b(?:decision[\s-]maker|economic\s+buyer|exec(?:utive)?\s+sponsor)\b", 2.0),
        (r"(?-i:\b(?:CFO|CEO|COO|CRO|CIO|CTO|CPO|VP|SVP|EVP)\b)", 1.5),
        (r"\b(?:chief\s+\w+\s+officer|vice\s+president|head\s+of|director|controller|founder|board)\b", 1.0),
        (r"\bapprov(?:e|es|ed|al|ing)\b", 1.0),
        (r"\bbudget(?:s|ed)?\b", 1.0),
    ),
    "decision_criteria": _lexicon(
        (r"\bmust[\s-]haves?\b|\bnon[\s-]negotiable\b|\bdeal[\s-]?breakers?\b", 2.5),
        (r"\brequirements?\b|\brequired\b|\bcriteria\b|\bcriterion\b", 2.0),
        (
            r"\b(?:looking\s+for|care\s+(?:most\s+)?about|important\s+(?:to|for)\s+us|top\s+priority"
            r"|priorities|evaluate\s+(?:you\s+)?on|judge\s+(?:you\s+)?on|scorecard|checklist)\b",
            1.5,
        ),
        (r"\bintegrat\w*", 1.5),
        (r"(?-i:\b(?:SSO|SAML|SOC\s?2|ISO\s?27001|GDPR|HIPAA|API)\b)", 1.5),
        (
            r"\b(?:has|have|needs?)\s+to\s+(?:integrate|support|work|connect|sync|handle|be|have|meet|pass)\b",
            1.0,
        ),
        (
            r"\b(?:compliance|compliant|audit\s+trail|scalab\w*|ease\s+of\s+use|easy\s+to\s+use"
            r"|user[\s-]friendly|pricing|total\s+cost)\b",
            1.0,
        ),
    ),
    "decision_process": _lexicon(
        (r"\bnext\s+steps?\b", 2.0),
        (r"\b(?:pilot|proof\s+of\s+concept|POC|trial|sandbox)\b", 2.0),
        (
            rf"\bby\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+)?(?:month|quarter|year)|(?-i:Q[1-4])|{_MONTHS}"
            r"|next\s+(?:week|month|quarter)|\w+day)\b",
            2.0,
        ),
        (r"\b(?:evaluation|evaluating|evaluate|shortlist\w*|RFP|RFI)\b", 1.5),
        (
            r"\b(?:timeline|timeframe|time\s+frame|deadline|schedule|go[\s-]live|kick[\s-]?off|roll[\s-]?out"
            r"|launch)\b",
            1.5,
        ),
        (rf"(?-i:\bQ[1-4]\b)|\b{_MONTHS}\b", 1.0),
        (
            r"\b(?:steering\s+committee|committee|stakeholders?|decide|decision|present\s+(?:it|this)\s+to"
            r"|walk\s+(?:her|him|them)\s+through)\b",
            1.0,
        ),
        (r"\b(?:demo|workshop|review\s+meeting|follow[\s-]up)\b", 1.0),
    ),
    "paper_process": _lexicon(
        (r"\bprocurement\b|\bpurchasing\b", 2.5),
        (
            r"\bsecurity\s+(?:review|questionnaire|assessment|team)\b"
            r"|\bvendor\s+(?:onboarding|assessment|risk|review)\b",
            2.5,
        ),
        (r"\blegal\b|\blawyers?\b|\bcounsel\b|\bredlines?\b", 2.0),
        (r"(?-i:\bMSA\b)|\bmaster\s+services?\s+agreement\b", 2.0),
        (r"(?-i:\bPOs?\b)|\bpurchase\s+orders?\b", 2.0),
        (r"\bcontracts?\b|\bagreements?\b|\bterms\b|\border\s+form\b|\bDPA\b|\bNDA\b", 1.5),
        (
            r"\b(?:signatures?|countersign\w*|e-?sign\w*|DocuSign|net[\s-]?(?:30|45|60|90)"
            r"|payment\s+terms)\b",
            1.0,
        ),
    ),
    "identify_pain": _lexicon(
        (r"\bstruggl\w*|\bfrustrat\w*|\bcomplain\w*", 2.0),
        (
            r"\btakes?\s+(?:way\s+)?(?:too|so)\s+long\b|\btoo\s+(?:long|slow|much\s+time)\b"
            r"|\bslow(?:er|s|ing)?\b|\bdelays?\b|\bbacklog\b",
            2.0,
        ),
        (
            r"\b(?:losing|lose|lost|churn\w*|leaking|wast(?:e|es|ed|ing)"
            r"|miss(?:es|ed|ing)?\s+(?:\w+\s+)?(?:deadlines?|targets?|SLAs?|renewals?))\b",
            2.0,
        ),
        (
            r"\b(?:problems?|issues?|challenges?|pain(?:\s+points?)?|painful|headaches?|bottlenecks?|nightmare)\b",
            1.5,
        ),
        (r"\bmanual(?:ly)?\b|\bspreadsheets?\b|\bby\s+hand\b|\bcopy(?:ing)?[\s-]+(?:and[\s-]+)?past\w*", 1.5),
        (
            r"\b(?:can['\u2019]t|cannot|can\s+not|don['\u2019]t\s+have|no|zero|lack\s+of)\s+(?:real\s+)?"
            r"(?:visibility|insight|idea|way)\b|\bblind\s+spots?\b|\bhard\s+to\b|\bbroken\b"
            r"|\berror[\s-]prone\b|\bmistakes\b|\bescalations?\b",
            1.5,
        ),
        (r"\bcost(?:s|ing)?\s+us\b|\bhurting\b|\bat\s+risk\b|\bburn(?:ing)?[\s-]?out\b", 1.5),
    ),
    "champion": _lexicon(
        (
            rf"{_I_WILL}\s+(?:push|champion|advocate|make\s+the\s+case|go\s+to\s+bat|sell\s+(?:this|it)"
            r"|vouch|pitch)",
            3.0,
        ),
        (
            rf"{_I_WILL}\s+(?:introduce\s+you|intro\s+you|connect\s+you|put\s+you\s+in\s+touch"
            r"|get\s+you\s+(?:in\s+front\s+of|time\s+with|a\s+meeting)|set\s+up\s+(?:a\s+)?(?:meeting|call|intro))",
            2.5,
        ),
        (
            r"\badvocat\w*|\bchampion\w*|\bin\s+your\s+corner\b|\bon\s+(?:our|your)\s+side\b|\bbehind\s+this\b",
            2.0,
        ),
        (
            r"\b(?:help\s+you\s+(?:navigate|get|win)|coach\s+you|tell\s+you\s+what\s+(?:she|he|they)\s+cares?"
            r"|prep\s+you)\b",
            2.0,
        ),
        (
            r"\bI(?:['\u2019]m|\s+am)\s+(?:sold|convinced|a\s+(?:big\s+)?fan|excited|on\s+board|all\s+in)\b"
            r"|\bI\s+love\s+(?:this|it|what)\b",
            1.5,
        ),
        (r"\b(?:internally|my\s+boss|leadership|the\s+exec(?:utive)?s)\b", 0.5),
    ),
    "competition": _lexicon(
        (
            r"\balso\s+(?:looking\s+at|talking\s+(?:to|with)|evaluating|considering|speaking\s+(?:to|with)"
            rf"|in\s+talks\s+with)\s+{_VENDOR}",
            4.0,
        ),
        (
            r"\balso\s+(?:looking\s+at|talking\s+(?:to|with)|evaluating|considering|speaking\s+(?:to|with)"
            r"|in\s+talks\s+with)\b",
            3.0,
        ),
        (
            r"\b(?:compared\s+(?:to|with|against)|vs\.?|versus|currently\s+(?:use|using|on)|switch(?:ing)?"
            rf"\s+from|replac(?:e|ing))\s+{_VENDOR}",
            3.0,
        ),
        (r"\bvs\.?(?=\s)|\bversus\b", 2.0),
        (
            r"\b(?:competitors?|competition|competing|alternatives?|other\s+(?:vendors?|tools|options"
            r"|solutions|providers)|incumbent|status\s+quo|in[\s-]house|build\s+(?:it\s+|our\s+own|ourselves)"
            r"|switch(?:ing)?\s+(?:from|away)|replac(?:e|ing))\b",
            2.0,
        ),
        (r"\bcompar\w*", 1.5),
        (r"\b(?:currently|already)\s+(?:use|using|on|have|pay\s+for|work\s+with)\b", 1.5),
    ),
}

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


def _score(sentence: Sentence, text: str, lexicon: _Lexicon) -> _Scored | None:
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
    return next((text[s:e] for s, e in _stripped(text, start, end)), text[start:end])


def _value(scored: _Scored) -> str:
    words = " ".join(scored.sentence.text.split())
    if len(words) > MAX_VALUE_SENTENCE:
        words = words[:MAX_VALUE_SENTENCE].rsplit(" ", 1)[0] + "\u2026"
    speaker = scored.sentence.speaker
    return (f"{speaker}: {words}" if speaker else words)[:MAX_VALUE_LENGTH]


def _extract_element(transcript: Transcript, lexicon: _Lexicon) -> MeddpicElement:
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
        return _MISSING
    return MeddpicElement(
        value=_value(chosen[0]),
        evidence=quotes,
        confidence=_confidence(scored.score / STRONG_SCORE for scored in chosen),
        found=True,
    )


_MISSING = MeddpicElement(value="", evidence=[], confidence=0.0, found=False)


# --- the one scoring rule of both paths ---------------------------------------------------------


def _check_threshold(review_threshold: float) -> float:
    if not 0.0 <= review_threshold <= 1.0:
        raise ValueError(f"the review threshold must be between 0 and 1, not {review_threshold}")
    return review_threshold


def _assemble(elements: Mapping[ElementName, MeddpicElement], review_threshold: float) -> MeddpicAnalysis:
    """Completeness, overall confidence, missing elements, review flag and summary of 8 elements.

    An element counts as found only with at least one quote; a missing one is reset to no value, no
    evidence and confidence 0. Overall confidence = mean of the 8 element confidences.
    """
    _check_threshold(review_threshold)
    final = {
        name: elements[name] if elements[name].found and elements[name].evidence else _MISSING
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


# --- public entry points -----------------------------------------------------------------------


def extract(transcript_text: str, *, review_threshold: float = REVIEW_THRESHOLD) -> MeddpicAnalysis:
    """MEDDPIC analysis of a transcript without a model: the same input gives the same output.

    Every sentence is scored per element by the cues it contains (each cue counted once; a question
    counts half); sentences scoring at least ``MIN_EVIDENCE_SCORE`` are evidence, the best
    ``EXTRACTED_QUOTES`` are quoted verbatim, the best one (with its speaker) is the value.
    """
    _check_threshold(review_threshold)
    transcript = parse_transcript(transcript_text)
    elements = {name: _extract_element(transcript, LEXICONS[name]) for name in ELEMENTS}
    return _assemble(elements, review_threshold)


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
    _check_threshold(review_threshold)
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
    return _assemble(elements, review_threshold), warnings


def warnings_for(analysis: MeddpicAnalysis, *, review_threshold: float = REVIEW_THRESHOLD) -> list[str]:
    """What a reviewer should see: each missing element, and the review flag with its reason.

    Pass the threshold the analysis was made with.
    """
    warnings = [f"missing MEDDPIC element: {name}" for name in analysis.missing]
    if analysis.flagged_for_review:
        overall = f"{analysis.overall_confidence:.2f}"
        warnings.append(f"flagged for review: overall confidence {overall} below {review_threshold:g}")
    return warnings
