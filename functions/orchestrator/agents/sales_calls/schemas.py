"""The inputs of the ``sales_call_analysis`` template and the structured answers of its agents."""

from __future__ import annotations

from pydantic import Field, model_validator

from orchestrator.core.constants import MAX_SUMMARY_LENGTH
from orchestrator.core.records import RequestModel, StrictModel
from orchestrator.ingestion.uploads import UPLOAD_ID_PATTERN
from orchestrator.sales import REVIEW_THRESHOLD

MAX_INLINE_TRANSCRIPT = 60_000
"""Characters of a transcript sent in the request (the API's body limit); longer ones are uploaded."""
MAX_TRANSCRIPT_BYTES = 2 * 1024 * 1024
MAX_PROMPT_TRANSCRIPT = 120_000
UNLABELLED = "(no speaker label)"
Summary = Field(min_length=1, max_length=MAX_SUMMARY_LENGTH)


class SalesCallInputs(RequestModel):
    """``inputs`` of a sales call analysis: the transcript, in the request or uploaded."""

    transcript: str | None = Field(
        default=None, min_length=1, max_length=MAX_INLINE_TRANSCRIPT, description="the call's transcript"
    )
    transcript_upload_id: str | None = Field(
        default=None,
        pattern=UPLOAD_ID_PATTERN,
        description="an upload (POST /uploads) holding the transcript",
    )
    account: str | None = Field(default=None, max_length=120, description="the customer account (CRM)")
    opportunity: str | None = Field(default=None, max_length=120, description="the opportunity (CRM)")
    review_threshold: float = Field(
        default=REVIEW_THRESHOLD,
        ge=0.0,
        le=1.0,
        description="below this overall confidence: flagged for review",
    )

    @model_validator(mode="after")
    def _one_transcript(self) -> SalesCallInputs:
        if (self.transcript is None) == (self.transcript_upload_id is None):
            raise ValueError("give exactly one of transcript or transcript_upload_id")
        if self.transcript is not None and not self.transcript.strip():
            raise ValueError("transcript must not be blank")
        return self


# --- schemas ------------------------------------------------------------------------------
class Speaker(StrictModel):
    name: str = Field(min_length=1, max_length=120)
    turns: int = Field(ge=0)
    words: int = Field(ge=0)


class TranscriptProfile(StrictModel):
    summary: str = Summary
    speakers: list[Speaker] = Field(max_length=50)
    turns: int = Field(ge=0)
    sentences: int = Field(ge=0)
    words: int = Field(ge=0)
    characters: int = Field(ge=0)


class CrmFields(StrictModel):
    stage: str = Field(min_length=1, max_length=60)
    economic_buyer: str = Field(default="", max_length=300)
    champion: str = Field(default="", max_length=300)
    competitors: str = Field(default="", max_length=300)
    qualification_score: float = Field(ge=0.0, le=1.0)


class CallReport(StrictModel):
    summary: str = Summary
    next_steps: list[str] = Field(min_length=1, max_length=8)
    open_questions: list[str] = Field(default_factory=list, max_length=8, description="for missing elements")
    crm: CrmFields
    flagged_for_review: bool
    confidence: float = Field(ge=0.0, le=1.0)
