"""MEDDPIC analysis of sales call transcripts: parsing, extraction, verification of model evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from orchestrator.sales import (
    ELEMENTS,
    MeddpicAnalysis,
    MeddpicElement,
    extract,
    parse_transcript,
    verify_evidence,
    warnings_for,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "transcripts"
DISCOVERY = (SAMPLES / "discovery_call.txt").read_text(encoding="utf-8")
THIN = (SAMPLES / "thin_call.txt").read_text(encoding="utf-8")

LINDA_SIGNS_OFF = (
    "Linda Park, our COO, signs off on anything over $50,000, and she owns the budget for support tooling."
)
ALSO_LOOKING_AT_SCORELY = (
    "We're also looking at Scorely, and last year we compared TicketLens against our spreadsheet process."
)


@pytest.mark.parametrize("transcript", [DISCOVERY, THIN], ids=["discovery", "thin"])
def test_every_extracted_quote_occurs_verbatim_in_the_transcript(transcript: str) -> None:
    # Given a sample call
    # When it is analysed
    analysis = extract(transcript)

    # Then every quote can be found, character for character, in the transcript
    quotes = [quote for name in ELEMENTS for quote in getattr(analysis, name).evidence]
    assert quotes
    for quote in quotes:
        assert quote in transcript
        assert 1 <= len(quote) <= 500


def test_discovery_call_finds_the_elements_with_the_sentences_that_support_them() -> None:
    # Given a discovery call that covers most of MEDDPIC
    # When it is analysed
    analysis = extract(DISCOVERY)

    # Then at least 6 of the 8 elements are found, it is not flagged, and the summary says so
    found = [name for name in ELEMENTS if getattr(analysis, name).found]
    assert len(found) >= 6
    assert analysis.completeness == len(found) / 8
    assert analysis.summary.startswith(f"Found {len(found)} of 8 MEDDPIC elements")
    assert not analysis.flagged_for_review
    assert "flagged" not in " ".join(warnings_for(analysis))
    # and the economic buyer and the competition come with the sentences that name them
    assert analysis.economic_buyer.evidence[0] == LINDA_SIGNS_OFF
    assert analysis.economic_buyer.value == f"Tom Becker: {LINDA_SIGNS_OFF}"
    assert ALSO_LOOKING_AT_SCORELY in analysis.competition.evidence
    assert any("Then procurement issues a PO" in quote for quote in analysis.paper_process.evidence)
    assert any("I'll push for this internally" in quote for quote in analysis.champion.evidence)
    for name in found:
        assert 0 < getattr(analysis, name).confidence <= 1


def test_the_sellers_question_is_not_taken_as_evidence() -> None:
    # Given the seller asks who signs off, and the buyer answers
    # When the call is analysed
    analysis = extract(DISCOVERY)

    # Then the answer is the evidence, not the question
    assert "Who else would be involved in signing off on something like this?" not in (
        analysis.economic_buyer.evidence
    )


def test_thin_call_is_flagged_and_lists_the_missing_elements_as_warnings() -> None:
    # Given a short call where almost nothing is qualified
    # When it is analysed
    analysis = extract(THIN)
    warnings = warnings_for(analysis)

    # Then it is flagged for review, and the warnings name every missing element
    assert analysis.flagged_for_review
    assert len(analysis.missing) >= 6
    assert "paper_process" in analysis.missing
    assert "missing MEDDPIC element: paper_process" in warnings
    assert "missing MEDDPIC element: economic_buyer" in warnings
    assert (
        warnings[-1] == f"flagged for review: overall confidence {analysis.overall_confidence:.2f} below 0.6"
    )
    assert analysis.summary.endswith("flagged for review.")
    # and a missing element says nothing
    assert analysis.paper_process == MeddpicElement(value="", evidence=[], confidence=0.0, found=False)


def test_the_review_threshold_is_a_parameter() -> None:
    # Given a strict threshold
    # When the discovery call is analysed with it
    analysis = extract(DISCOVERY, review_threshold=0.99)

    # Then even a good call is flagged, and the warning names that threshold
    assert analysis.flagged_for_review
    assert warnings_for(analysis, review_threshold=0.99)[-1].endswith("below 0.99")
    with pytest.raises(ValueError, match="between 0 and 1"):
        extract(DISCOVERY, review_threshold=1.5)


def test_verify_evidence_drops_an_invented_quote_and_recomputes_the_scores() -> None:
    # Given a model's analysis with one invented champion quote, and a competition made up entirely
    analysis = extract(DISCOVERY)
    real = analysis.champion.evidence[0]
    invented = "I will get the contract signed tomorrow, no questions asked."
    from_model = analysis.model_copy(
        update={
            "champion": MeddpicElement(value="Tom", evidence=[real, invented], confidence=0.9, found=True),
            "competition": MeddpicElement(
                value="Gong", evidence=["We are replacing Gong."], confidence=0.8, found=True
            ),
        }
    )

    # When it is held to the transcript
    verified, warnings = verify_evidence(from_model, DISCOVERY)

    # Then the invented quotes are gone, with the confidence they carried
    assert verified.champion.evidence == [real]
    assert verified.champion.confidence == 0.45
    assert verified.champion.found
    # and an element left without evidence is missing
    assert verified.competition == MeddpicElement(value="", evidence=[], confidence=0.0, found=False)
    assert verified.missing == ["competition"]
    assert verified.completeness == 7 / 8
    confidences = [getattr(verified, name).confidence for name in ELEMENTS]
    assert verified.overall_confidence == round(sum(confidences) / 8, 2)
    assert verified.confidence == verified.overall_confidence
    assert verified.summary.startswith("Found 7 of 8 MEDDPIC elements (missing: competition)")
    assert warnings == [
        "champion: 1 quote not in the transcript was dropped",
        "competition: 1 quote not in the transcript was dropped",
        "competition: no evidence left, now missing",
    ]


def test_verify_evidence_scores_exactly_as_extract_does() -> None:
    # Given the extractor's own analysis
    analysis = extract(THIN)

    # When it is verified
    verified, warnings = verify_evidence(analysis, THIN)

    # Then nothing changes and nothing is reported
    assert verified == analysis
    assert warnings == []


def test_verify_evidence_ignores_whitespace_and_quote_marks_but_not_case() -> None:
    # Given quotes that differ from the transcript in line breaks and curly quotes, and one in case
    wrapped = (
        "Last quarter she pushed back on a workforce tool because the rollout looked too heavy for the team."
    )
    curly = "We\u2019re also looking at Scorely"
    lowercase = "we're also looking at scorely"
    from_model = extract(DISCOVERY).model_copy(
        update={
            "competition": MeddpicElement(
                value="Scorely", evidence=[f'"{curly}"', lowercase], confidence=0.8, found=True
            ),
            "decision_criteria": MeddpicElement(
                value="price", evidence=[wrapped], confidence=0.6, found=True
            ),
        }
    )

    # When they are verified
    verified, warnings = verify_evidence(from_model, DISCOVERY)

    # Then the first two are kept, as the transcript's exact text, and the third is dropped
    assert verified.decision_criteria.evidence == [
        "Last quarter she pushed back on a workforce tool because the rollout looked\ntoo heavy for the team."
    ]
    assert verified.competition.evidence == ["We're also looking at Scorely"]
    assert verified.competition.confidence == 0.4
    assert warnings == ["competition: 1 quote not in the transcript was dropped"]
    for quote in verified.decision_criteria.evidence + verified.competition.evidence:
        assert quote in DISCOVERY


def test_an_element_marked_found_without_evidence_becomes_missing() -> None:
    # Given a model that claims a champion but quotes nothing
    from_model = extract(DISCOVERY).model_copy(
        update={"champion": MeddpicElement(value="Tom", evidence=[], confidence=0.9, found=True)}
    )

    # When it is verified
    verified, warnings = verify_evidence(from_model, DISCOVERY)

    # Then the champion is missing and the reviewer is told why
    assert not verified.champion.found
    assert "champion" in verified.missing
    assert warnings == ["champion: marked found without evidence, now missing"]


def test_the_same_transcript_gives_the_same_analysis() -> None:
    # Given one transcript
    # When it is analysed twice
    first, second = extract(DISCOVERY), extract(DISCOVERY)

    # Then both analyses are identical, down to their JSON
    assert first == second
    assert first.model_dump_json() == second.model_dump_json()


@pytest.mark.parametrize(
    ("line", "speaker", "company", "timestamp"),
    [
        ("Maya: We should talk pricing.", "Maya", None, None),
        ("Maya Patel: We should talk pricing.", "Maya Patel", None, None),
        ("[00:01:02] Maya Patel: We should talk pricing.", "Maya Patel", None, "00:01:02"),
        ("Maya Patel (Beacon): We should talk pricing.", "Maya Patel", "Beacon", None),
        (
            "[00:01:02] Tom (Northwind, Support Ops): We should talk pricing.",
            "Tom",
            "Northwind, Support Ops",
            "00:01:02",
        ),
        ("Speaker 2: We should talk pricing.", "Speaker 2", None, None),
        ("We should talk pricing.", None, None, None),
    ],
    ids=["name", "full-name", "timestamp", "company", "timestamp-company", "numbered", "unlabelled"],
)
def test_speaker_labels(line: str, speaker: str | None, company: str | None, timestamp: str | None) -> None:
    # Given a transcript of one line in one of the usual formats
    # When it is parsed
    transcript = parse_transcript(line)

    # Then the speaker, company and time are read from the label, and the sentence is the rest
    (turn,) = transcript.turns
    assert (turn.speaker, turn.company, turn.timestamp) == (speaker, company, timestamp)
    assert [sentence.text for sentence in turn.sentences] == ["We should talk pricing."]


def test_turns_sentences_and_their_offsets() -> None:
    # Given a transcript with a wrapped line, a blank line and an unlabelled note
    text = (
        "Maya: Hi Tom. Dr. Lee joined us, e.g. for security. Ready?\n"
        "Tom: Yes. The report is due\n"
        "  by Friday.\n"
        "\n"
        "(call drops)\n"
        "Tom: Back again. We meet at 10:30 tomorrow."
    )

    # When it is parsed
    transcript = parse_transcript(text)

    # Then a wrapped line continues its turn, the note has no speaker, abbreviations end no sentence
    assert [turn.speaker for turn in transcript.turns] == ["Maya", "Tom", None, "Tom"]
    assert transcript.speakers == ("Maya", "Tom")
    assert [sentence.text for sentence in transcript.sentences] == [
        "Hi Tom.",
        "Dr. Lee joined us, e.g. for security.",
        "Ready?",
        "Yes.",
        "The report is due\n  by Friday.",
        "(call drops)",
        "Back again.",
        "We meet at 10:30 tomorrow.",
    ]
    # and every sentence knows exactly where it is in the text
    for sentence in transcript.sentences:
        assert text[sentence.start : sentence.end] == sentence.text


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"], ids=["empty", "spaces", "blank-lines"])
def test_an_empty_transcript_is_refused_with_a_clear_message(text: str) -> None:
    # Given a transcript with no words
    # When it is parsed, analysed or used to verify an analysis
    # Then each says the transcript is empty
    with pytest.raises(ValueError, match="the transcript is empty"):
        parse_transcript(text)
    with pytest.raises(ValueError, match="the transcript is empty"):
        extract(text)
    with pytest.raises(ValueError, match="the transcript is empty"):
        verify_evidence(extract(DISCOVERY), text)


def test_a_200_kb_transcript_is_analysed() -> None:
    # Given a transcript of more than 200 KB
    text = "\n".join([DISCOVERY] * (200_000 // len(DISCOVERY) + 1))
    assert len(text) > 200_000

    # When it is analysed and verified
    analysis = extract(text)
    verified, warnings = verify_evidence(analysis, text)

    # Then the analysis is the discovery call's, at most 5 quotes per element, all verbatim
    assert analysis.missing == extract(DISCOVERY).missing
    assert (verified, warnings) == (analysis, [])
    for name in ELEMENTS:
        element = getattr(analysis, name)
        assert len(element.evidence) <= 5
        assert all(quote in text for quote in element.evidence)


def test_a_sentence_longer_than_a_quote_is_quoted_around_its_cue() -> None:
    # Given one 200 KB line without punctuation that mentions a competitor in the middle
    text = "Tom: " + "and so on " * 10_000 + "we are also looking at Scorely " + "and so on " * 10_000

    # When it is analysed
    (quote,) = extract(text).competition.evidence

    # Then the quote is a part of the transcript, short enough, and holds the cue
    assert quote in text
    assert len(quote) <= 500
    assert "also looking at Scorely" in quote


def test_the_schema_is_bounded_and_strict() -> None:
    # Given the schema handed to a model
    schema = MeddpicAnalysis.model_json_schema()
    element = schema["$defs"]["MeddpicElement"]["properties"]

    # Then quotes and lists are bounded, and unknown fields are refused
    assert element["evidence"]["maxItems"] == 5
    assert element["evidence"]["items"]["maxLength"] == 500
    assert element["evidence"]["items"]["minLength"] == 1
    assert schema["properties"]["missing"]["items"]["enum"] == list(ELEMENTS)
    data = extract(DISCOVERY).model_dump()
    assert MeddpicAnalysis.model_validate(data) == extract(DISCOVERY)
    with pytest.raises(ValidationError):
        MeddpicAnalysis.model_validate({**data, "champions": []})
    with pytest.raises(ValidationError):
        MeddpicElement.model_validate(
            {"value": "", "evidence": ["x" * 501], "confidence": 0.5, "found": True}
        )
