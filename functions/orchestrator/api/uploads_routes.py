"""``/uploads``: a presigned URL to upload a file (a transcript, a repository archive) for a run."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from orchestrator.api.request_context import current_container
from orchestrator.api.route_table import route
from orchestrator.api.security import current_caller
from orchestrator.ingestion.uploads import UploadRequest, UploadTicket, create_upload

router = Router()


@route(
    router,
    "POST",
    "/uploads",
    role="user",
    answer=(HTTPStatus.CREATED, UploadTicket),
    action="create_upload",
    audit_success=True,
)
def create_upload_url(request: UploadRequest) -> Response[dict[str, Any]]:
    """Answer a URL to PUT the file to (with exactly the headers given), valid for 15 minutes.
    Then start a run naming the ``upload_id`` in its inputs."""
    ticket = create_upload(current_caller().tenant_id, request, current_container().workspace)
    return Response(
        status_code=HTTPStatus.CREATED,
        content_type="application/json",
        body=ticket.model_dump(mode="json"),
    )
