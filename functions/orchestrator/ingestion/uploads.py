"""Files a tenant uploads for its runs (a transcript, a repository archive).

``POST /uploads`` answers a presigned PUT URL for ``<tenant>/uploads/<upload id>`` in the
workspace bucket; a run names the upload in its ``inputs`` (fields ending in
``_upload_id``). The API refuses a run whose upload does not exist for its tenant (an upload
id of another tenant is simply not found), and agents read the bytes with a size limit.
Uploads belong to the tenant, not to a run: undoing a run leaves them in place.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Protocol

from pydantic import BaseModel, Field

from orchestrator.core import constants
from orchestrator.core.errors import InputsInvalid, InvalidRequest
from orchestrator.core.ports import Workspace
from orchestrator.core.records import RequestModel, new_id, utc_now

UPLOAD_ID_PATTERN = r"^[0-9a-f]{32}$"
UPLOAD_FIELD_SUFFIX = "_upload_id"
ARCHIVE_URL_SUFFIX = "archive_url"
"""A run input whose name ends so is a URL an archive is fetched from (``ingestion/fetch.py``)."""
_FILENAME = r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,199}$"


class UploadRequest(RequestModel):
    """Body of ``POST /uploads``: what is about to be uploaded."""

    filename: str = Field(pattern=_FILENAME, description="the file's name (kept as metadata)")
    content_type: str = Field(
        default="application/octet-stream",
        min_length=3,
        max_length=100,
        pattern=r"^[\w.+-]+/[\w.+-]+(; ?charset=[\w-]+)?$",
        description="sent as Content-Type with the PUT",
    )
    size_bytes: int = Field(
        ge=1, le=constants.MAX_UPLOAD_BYTES, description="exact size; the PUT must send this Content-Length"
    )


class UploadTicket(BaseModel):
    upload_id: str
    method: str = "PUT"
    url: str
    headers: dict[str, str]
    expires_at: str
    max_bytes: int


class Presigner(Protocol):
    def presign_put(self, key: str, content_type: str, size_bytes: int, expires_in: int) -> str: ...


def upload_key(tenant_id: str, upload_id: str) -> str:
    if not re.match(UPLOAD_ID_PATTERN, upload_id):
        raise InvalidRequest(f"upload id {upload_id!r} is not an upload id (32 hexadecimal characters)")
    return f"{tenant_id}/{constants.UPLOADS_PREFIX}/{upload_id}"


def create_upload(tenant_id: str, request: UploadRequest, presigner: Presigner) -> UploadTicket:
    upload_id = new_id()
    ttl = constants.UPLOAD_URL_TTL_SECONDS
    url = presigner.presign_put(
        upload_key(tenant_id, upload_id), request.content_type, request.size_bytes, ttl
    )
    return UploadTicket(
        upload_id=upload_id,
        url=url,
        headers={"Content-Type": request.content_type, "Content-Length": str(request.size_bytes)},
        expires_at=(utc_now() + timedelta(seconds=ttl)).isoformat(),
        max_bytes=request.size_bytes,
    )


def check_uploads_exist(tenant_id: str, inputs: dict[str, Any], workspace: Workspace) -> None:
    """Every ``*_upload_id`` input names an upload of this tenant (422 naming the field otherwise)."""
    details = []
    for name, value in inputs.items():
        if name.endswith(UPLOAD_FIELD_SUFFIX) and isinstance(value, str):
            size = workspace.size(upload_key(tenant_id, value))
            if size is None:
                details.append(
                    {"location": f"body.inputs.{name}", "message": f"no upload {value} (upload it first)"}
                )
    if details:
        raise InputsInvalid("; ".join(f"{d['location']}: {d['message']}" for d in details), details)


def read_upload(workspace: Workspace, tenant_id: str, upload_id: str, max_bytes: int) -> bytes:
    """The uploaded bytes; a missing or too large upload is a permanent ``InvalidRequest``."""
    key = upload_key(tenant_id, upload_id)
    size = workspace.size(key)
    if size is None:
        raise InvalidRequest(f"upload {upload_id} does not exist (or was deleted after the run started)")
    if size > max_bytes:
        raise InvalidRequest(f"upload {upload_id} is {size} bytes, more than the {max_bytes} allowed")
    return workspace.get(key)
