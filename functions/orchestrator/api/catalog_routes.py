"""``/templates``: every template's step graph, for a client to draw."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router

from orchestrator.api.schemas import READ_ERRORS, TemplateList, responses
from orchestrator.api.security import BEARER, READ
from orchestrator.templates.graph import TEMPLATES

router = Router()


@router.get(
    "/templates",
    middlewares=READ,
    security=BEARER,
    responses=responses(HTTPStatus.OK, TemplateList, *READ_ERRORS),
)
def list_templates() -> dict[str, Any]:
    """Every template's step graph (agents, parallel branches, maps, approval gates)."""
    return {"templates": [template.describe() for template in TEMPLATES.values()]}
