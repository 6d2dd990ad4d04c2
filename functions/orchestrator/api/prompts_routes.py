"""``/prompts``: each agent type's prompt versions for the caller's tenant; admins add, activate, roll back.

Versions are immutable and numbered; exactly one is active per agent type (the one shipped with the
product until an admin activates another). A run uses the versions active when it started.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, Field

from orchestrator.api.request_context import current_container
from orchestrator.api.route_table import admin_route, route
from orchestrator.api.security import current_caller
from orchestrator.core.records import RequestModel
from orchestrator.llm.prompts import (
    AGENT_TYPE_PATTERN,
    MAX_NOTE_CHARS,
    MAX_PROMPT_CHARS,
    MAX_VERSION,
    ActivePointer,
    PromptVersion,
)

if TYPE_CHECKING:
    from orchestrator.llm.prompts import PromptLibrary

router = Router()

AgentType = Annotated[str, Path(pattern=AGENT_TYPE_PATTERN, description="an agent type (GET /prompts)")]
VersionNumber = Annotated[int, Path(ge=1, le=MAX_VERSION, description="a version number (v3 is 3)")]


class NewPromptVersion(RequestModel):
    """A new prompt version: ``string.Template`` text, ``$name`` placeholders only, ``$$`` for '$'."""

    system: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS, description="the system prompt")
    user: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS, description="the user prompt")
    note: str = Field(default="", max_length=MAX_NOTE_CHARS, description="what changed, and why")
    activate: bool = Field(default=False, description="make it the active version at once")


class PromptVersionView(BaseModel):
    version: int
    label: str
    system: str
    user: str
    note: str
    created_by: str
    created_at: datetime
    shipped: bool
    active: bool


class AgentPromptsItem(BaseModel):
    agent: str
    title: str
    uses_model: bool
    shipped_version: int
    active_version: int
    latest_version: int
    versions: int


class PromptCatalog(BaseModel):
    prompts: list[AgentPromptsItem]


class AgentPromptsView(BaseModel):
    agent: str
    active_version: int
    shipped_version: int
    rollback_to: int | None
    """The version ``POST /prompts/{agent}/rollback`` would re-activate (None: nothing to go back to)."""
    versions: list[PromptVersionView]


class ActivePromptView(BaseModel):
    agent: str
    active_version: int
    previous: list[int]
    rollback_to: int | None
    revision: int
    updated_by: str
    updated_at: datetime


def _library() -> PromptLibrary:
    return current_container().prompt_library


def _version_view(version: PromptVersion, active: int) -> dict[str, Any]:
    return version.model_dump(mode="json", exclude={"tenant_id", "agent"}) | {
        "label": version.label,
        "active": version.version == active,
    }


def _pointer_view(pointer: ActivePointer) -> dict[str, Any]:
    return {
        "agent": pointer.agent,
        "active_version": pointer.version,
        "previous": pointer.previous,
        "rollback_to": pointer.previous[-1] if pointer.previous else None,
        "revision": pointer.revision,
        "updated_by": pointer.updated_by,
        "updated_at": pointer.updated_at.isoformat(),
    }


@route(router, "GET", "/prompts", role="viewer", answer=(HTTPStatus.OK, PromptCatalog))
def list_prompts() -> dict[str, Any]:
    """Every agent type of the product with its active, shipped and latest prompt version."""
    overview = _library().overview(current_caller().tenant_id)
    return {"prompts": [asdict(item) for item in overview]}


@route(
    router,
    "GET",
    "/prompts/<agent>",
    role="viewer",
    answer=(HTTPStatus.OK, AgentPromptsView),
    statuses=(HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY),
)
def get_prompts(agent: AgentType) -> dict[str, Any]:
    """Every version of one agent type's prompt, with its text, and which one is active."""
    library, tenant_id = _library(), current_caller().tenant_id
    shipped = library.shipped(agent, tenant_id)
    pointer = library.active_pointer(tenant_id, agent)
    active = pointer.version if pointer else shipped.version
    return {
        "agent": agent,
        "active_version": active,
        "shipped_version": shipped.version,
        "rollback_to": pointer.previous[-1] if pointer and pointer.previous else None,
        "versions": [_version_view(version, active) for version in library.versions(tenant_id, agent)],
    }


@admin_route(
    router,
    "POST",
    "/prompts/<agent>/versions",
    answer=(HTTPStatus.CREATED, PromptVersionView),
    statuses=(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT),
    action="create_prompt_version",
)
def create_prompt_version(agent: AgentType, request: NewPromptVersion) -> Response[dict[str, Any]]:
    """Add a version (numbered after the highest one; immutable). Admins only. With ``activate``,
    it becomes the active version: runs started from then on use it."""
    caller = current_caller()
    library = _library()
    version = library.create(
        caller.tenant_id,
        agent,
        system=request.system,
        user=request.user,
        note=request.note,
        created_by=caller.subject,
        activate=request.activate,
    )
    return Response(
        status_code=HTTPStatus.CREATED,
        content_type="application/json",
        body=_version_view(version, version.version if request.activate else 0),
        headers={"Location": f"/prompts/{agent}"},
    )


@admin_route(
    router,
    "POST",
    "/prompts/<agent>/versions/<version>/activate",
    answer=(HTTPStatus.OK, ActivePromptView),
    statuses=(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT),
    action="activate_prompt",
)
def activate_prompt_version(agent: AgentType, version: VersionNumber) -> dict[str, Any]:
    """Make a version the active one (admins only). Runs already started keep the versions they pinned."""
    caller = current_caller()
    return _pointer_view(_library().activate(caller.tenant_id, agent, version, caller.subject))


@admin_route(
    router,
    "POST",
    "/prompts/<agent>/rollback",
    answer=(HTTPStatus.OK, ActivePromptView),
    statuses=(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT),
    action="rollback_prompt",
)
def rollback_prompt(agent: AgentType) -> dict[str, Any]:
    """Re-activate the version that was active before the current one (admins only); 409 if there is none."""
    caller = current_caller()
    return _pointer_view(_library().rollback(caller.tenant_id, agent, caller.subject))
