"""``/settings/models``: which provider and model answer the caller's tenant's steps (admins only).

Settings apply per tenant, per template and per step (``step > template > tenant default >
deployment``, field by field; see ``orchestrator.llm.model_settings``). ``GET`` answers them with their
revision (also as the ``ETag``) and what this deployment offers; ``PUT`` replaces them, and with
``If-Match: "<revision>"`` only if nobody changed them since that revision (else 409).
"""

from __future__ import annotations

import re
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, Field

from orchestrator.api.request_context import current_container
from orchestrator.api.route_table import admin_route
from orchestrator.api.security import current_caller
from orchestrator.core.errors import InvalidRequest
from orchestrator.llm.model_settings import StoredModelSettings, TenantModelSettings, check_settings
from orchestrator.llm.routing import DEFAULT_TIER_MODELS, LARGE_PROMPT_CHARS

if TYPE_CHECKING:
    from orchestrator.llm.model_settings import TenantSettingsStore

router = Router()

IF_MATCH = re.compile(r'^(?:W/)?"?(\d{1,12})"?$')


class DeploymentModelsView(BaseModel):
    """What this deployment uses when nothing is set, and what may be chosen."""

    provider: str = Field(description="the deployment's default provider")
    model: str | None = Field(description="the deployment's default model (null: the provider's default)")
    served: list[str] = Field(description="the providers settings may name")
    tier_models: dict[str, dict[str, str]] = Field(
        description="provider -> its small and large model when settings name none"
    )
    large_prompt_chars: int = Field(
        description="from this prompt length, even a small step uses the large tier"
    )
    steps: dict[str, list[str]] = Field(description="template -> its agent steps ('<template>.<step>' keys)")


class ModelSettingsView(BaseModel):
    settings: TenantModelSettings
    revision: int = Field(description="0: nothing stored yet; send it back as If-Match to update safely")
    updated_by: str | None = None
    updated_at: datetime | None = None
    deployment: DeploymentModelsView


def _store() -> TenantSettingsStore:
    return current_container().tenant_settings


def _deployment() -> dict[str, Any]:
    from orchestrator.templates.graph import TEMPLATES

    settings = current_container().settings
    served = sorted(settings.available_providers)
    return {
        "provider": settings.model_provider,
        "model": settings.model_name,
        "served": served,
        "tier_models": {name: DEFAULT_TIER_MODELS[name] for name in served if name in DEFAULT_TIER_MODELS},
        "large_prompt_chars": LARGE_PROMPT_CHARS,
        "steps": {name: [step.name for step in t.agent_steps()] for name, t in TEMPLATES.items()},
    }


def _answer(stored: StoredModelSettings | None) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "settings": (stored.settings if stored else TenantModelSettings()).model_dump(
            mode="json", exclude_none=True
        ),
        "revision": stored.revision if stored else 0,
        "updated_by": stored.updated_by if stored else None,
        "updated_at": stored.updated_at.isoformat() if stored else None,
        "deployment": _deployment(),
    }
    return Response(
        status_code=HTTPStatus.OK,
        content_type="application/json",
        body=body,
        headers={"ETag": f'"{body["revision"]}"'},
    )


def _expected_revision() -> int | None:
    value = (router.current_event.headers.get("if-match") or "").strip()
    if not value:
        return None
    matched = IF_MATCH.match(value)
    if matched is None:
        raise InvalidRequest(
            f'If-Match must be the revision the settings were read at, e.g. "3" (got {value[:40]!r})'
        )
    return int(matched.group(1))


@admin_route(router, "GET", "/settings/models", answer=(HTTPStatus.OK, ModelSettingsView))
def get_model_settings() -> Response[dict[str, Any]]:
    """The tenant's model settings (empty at revision 0 when none were stored), and the deployment's
    defaults, served providers, tier models and templates' steps. Admins only."""
    return _answer(_store().get_models(current_caller().tenant_id))


@admin_route(
    router,
    "PUT",
    "/settings/models",
    answer=(HTTPStatus.OK, ModelSettingsView),
    statuses=(HTTPStatus.CONFLICT,),
    action="set_models",
)
def put_model_settings(settings: TenantModelSettings) -> Response[dict[str, Any]]:
    """Replace the tenant's model settings (admins only); runs started from then on use them.
    Unknown templates or steps and providers this deployment does not serve are a 400 naming each.
    With ``If-Match: "<revision>"`` (the revision read), a change made meanwhile is a 409."""
    expected = _expected_revision()
    check_settings(settings, current_container().settings.available_providers)
    caller = current_caller()
    return _answer(_store().put_models(caller.tenant_id, settings, caller.subject, expected))
