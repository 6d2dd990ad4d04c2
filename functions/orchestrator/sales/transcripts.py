"""A sales call transcript split into speaker turns and sentences, each with its exact character
offsets into the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


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
        yield from stripped_span(text, begin, match.end())
        begin = match.end()
    yield from stripped_span(text, begin, end)


def _is_abbreviation(text: str, begin: int, dot: int) -> bool:
    word_start = dot
    while word_start > begin and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot]
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def stripped_span(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end
