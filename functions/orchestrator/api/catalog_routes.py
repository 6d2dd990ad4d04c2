"""``/templates``: every template's step graph, for a client to draw."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router

from orchestrator.api.route_table import route
from orchestrator.api.schemas import TemplateList
from orchestrator.templates.graph import TEMPLATES

router = Router()


@route(router, "GET", "/templates", role="viewer", answer=(HTTPStatus.OK, TemplateList))
def list_templates() -> dict[str, Any]:
    """Every template's step graph (agents, parallel branches, maps, approval gates)."""
    return {"templates": [template.describe() for template in TEMPLATES.values()]}
