"""``/cache``: admins invalidate the tenant's model response cache, for an agent or one of its
prompt versions (an agent that does not exist is a 404 naming it). Nothing is deleted: the
agent's cache generation moves on, the old answers are never read again and expire on their own."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, Field

from orchestrator.api.request_context import current_container
from orchestrator.api.route_table import admin_route
from orchestrator.api.security import current_caller
from orchestrator.core.records import RequestModel
from orchestrator.llm.prompts import known_agent
from orchestrator.llm.response_cache import AGENT_PATTERN, PROMPT_VERSION_PATTERN

router = Router()


class CacheInvalidationRequest(RequestModel):
    agent: str = Field(
        pattern=AGENT_PATTERN,
        description="the agent type whose cached answers to forget, e.g. 'sales_call_reporter'",
    )
    prompt_version: str | None = Field(
        default=None,
        pattern=PROMPT_VERSION_PATTERN,
        description="only this prompt version's answers, e.g. 'v3'; null or absent: every version's",
    )


class CacheInvalidation(BaseModel):
    agent: str
    prompt_version: str | None
    generation: str = Field(
        description="the cache generation now in force: 'a4.p2' for a version, 'a4' for the whole agent"
    )


@admin_route(
    router,
    "POST",
    "/cache/invalidations",
    answer=(HTTPStatus.OK, CacheInvalidation),
    statuses=(HTTPStatus.NOT_FOUND,),
    action="invalidate_cache",
)
def invalidate_cache(request: CacheInvalidationRequest) -> Response[dict[str, Any]]:
    """Forget the caller's tenant's cached model answers of an agent (or one prompt version of it):
    the next runs ask the provider again. Admins only; an unknown agent is a 404."""
    known_agent(request.agent)
    generation = current_container().response_cache.invalidate(
        current_caller().tenant_id, request.agent, request.prompt_version
    )
    answer = CacheInvalidation(
        agent=request.agent, prompt_version=request.prompt_version, generation=generation
    )
    return Response(
        status_code=HTTPStatus.OK, content_type="application/json", body=answer.model_dump(mode="json")
    )
