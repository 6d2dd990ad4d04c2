"""What a sales call agent reads: the transcript (inline or uploaded) and the review threshold."""

from __future__ import annotations

from orchestrator.agents.base import AgentContext, AgentServices
from orchestrator.agents.sales_calls.schemas import MAX_TRANSCRIPT_BYTES, SalesCallInputs
from orchestrator.core.errors import InvalidRequest
from orchestrator.ingestion.uploads import read_upload
from orchestrator.sales import REVIEW_THRESHOLD


def transcript_text(context: AgentContext, services: AgentServices) -> str:
    """The run's transcript, from the request or from the tenant's upload (UTF-8 text)."""
    inputs = SalesCallInputs.model_validate(context.inputs)
    if inputs.transcript is not None:
        return inputs.transcript
    if inputs.transcript_upload_id is None:
        raise InvalidRequest("the run's inputs name neither a transcript nor a transcript upload")
    data = read_upload(
        services.workspace, context.tenant_id, inputs.transcript_upload_id, MAX_TRANSCRIPT_BYTES
    )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidRequest(
            f"upload {inputs.transcript_upload_id} is not UTF-8 text (byte {exc.start} is invalid)"
        ) from None
    if not text.strip():
        raise InvalidRequest(f"upload {inputs.transcript_upload_id} holds an empty transcript")
    return text


def review_threshold(context: AgentContext) -> float:
    """The confidence under which an element is flagged for review (the request's, else the default)."""
    return float(context.inputs.get("review_threshold", REVIEW_THRESHOLD))
