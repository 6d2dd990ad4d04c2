"""Each route declared once, next to its function: who may use it (the role check), that it needs a
token (the OpenAPI security), every answer it documents, and for a write the action its audit
events name.

``admin_route(router, "PUT", "/settings/models", answer=(HTTPStatus.OK, ModelSettingsView),
statuses=(HTTPStatus.CONFLICT,), action="set_models")`` registers the route with the admin role
check, bearer security and ``responses(OK, ModelSettingsView, CONFLICT, *WRITE_ERRORS)``, and its
successful writes are audited by the API as ``set_models`` (failed ones too, as every write).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel

from orchestrator.api.schemas import READ_ERRORS, WRITE_ERRORS, responses
from orchestrator.api.security import ADMIN, BEARER, READ, WRITE

Role = Literal["viewer", "user", "admin"]
ROLE_CHECKS: dict[Role, list[Any]] = {"viewer": READ, "user": WRITE, "admin": ADMIN}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class DeclaredRoute:
    method: str
    path: str
    """As Powertools writes it: ``/prompts/<agent>/versions``."""
    role: Role
    action: str | None
    """The ``action`` of the route's audit events (a write's; None for a read)."""
    audit_success: bool
    """The API audits the route's successful writes too (others audit their own: run_control)."""

    @property
    def pattern(self) -> re.Pattern[str]:
        """The request paths the route serves (and with a trailing slash)."""
        return re.compile("^" + re.sub(r"<[^/>]+>", "[^/]+", self.path) + "/?$")


DECLARED: list[DeclaredRoute] = []
"""Every route declared with ``route`` or ``admin_route``, in declaration order."""


def route(
    router: Router,
    method: str,
    path: str,
    *,
    role: Role,
    answer: tuple[HTTPStatus, type[BaseModel]],
    statuses: tuple[HTTPStatus, ...] = (),
    errors: tuple[HTTPStatus, ...] | None = None,
    action: str | None = None,
    audit_success: bool = False,
    links: dict[str, dict[str, Any]] | None = None,
) -> Callable[[Any], Any]:
    """Register a route that needs a token: the role check, the bearer security, its documented
    answers (``answer``, then ``statuses``, then ``errors``: by default the reads' or the writes'
    common errors), the OpenAPI ``links`` of its success answer (what a client calls next with
    what it answered) and, for a write, its audit action."""
    if (method in WRITE_METHODS) != (action is not None):
        raise ValueError(f"{method} {path}: a write names its audit action, a read none")
    if errors is None:
        errors = WRITE_ERRORS if method in WRITE_METHODS else READ_ERRORS
    DECLARED.append(DeclaredRoute(method, path, role, action, audit_success))
    status, model = answer
    documented = responses(status, model, *statuses, *errors)
    if links:
        documented[int(status)]["links"] = links
    return router.route(path, method, middlewares=ROLE_CHECKS[role], security=BEARER, responses=documented)


NEXT_CURSOR = "$response.body#/next_cursor"  # a listing's NextPage link: its cursor parameter
CURSOR = "the next_cursor of the previous page; any other value is a 400 (InvalidRequest)"


def link(method: str, path: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link to the operation ``method path`` (``/runs/{run_id}``), its parameters taken
    from the answer (``run_id="$response.body#/run_id"``)."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return {"operationRef": f"#/paths/{pointer}/{method.lower()}", "parameters": parameters}


def admin_route(
    router: Router,
    method: str,
    path: str,
    *,
    answer: tuple[HTTPStatus, type[BaseModel]],
    statuses: tuple[HTTPStatus, ...] = (),
    action: str | None = None,
    links: dict[str, dict[str, Any]] | None = None,
) -> Callable[[Any], Any]:
    """An administration route: admins only, and its successful writes are audited too."""
    return route(
        router,
        method,
        path,
        role="admin",
        answer=answer,
        statuses=statuses,
        action=action,
        audit_success=action is not None,
        links=links,
    )


def audit_of(path: str) -> tuple[str, bool]:
    """The audit action of a write to ``path``, and whether the API audits its success too (a path
    without parameters first, as the resolver routes: ``/runs/bulk/cancel`` is not a run's cancel)."""
    for declared in sorted(DECLARED, key=lambda declared: declared.path.count("<")):
        if declared.action is not None and declared.pattern.match(path):
            return declared.action, declared.audit_success
    return _undeclared_action(path.strip("/").split("/")), False


def _undeclared_action(parts: list[str]) -> str:
    """A write to a path no route serves (a 404, or refused before routing), named by the family
    of routes its first segment names: as its routes name their actions."""
    family, last = parts[0], parts[-1]
    if family == "runs":
        return parts[2] if len(parts) > 2 else "start_run"
    if family == "settings":
        return f"set_{last}"
    if family == "tenant":
        return "disable_user" if last == "disable" else "create_user"
    if family == "webhooks":
        return {"rotate": "rotate_webhook_secret", "webhooks": "create_webhook"}.get(last, "delete_webhook")
    if family == "prompts":
        return {"versions": "create_prompt_version", "activate": "activate_prompt"}.get(
            last, "rollback_prompt"
        )
    return {"uploads": "create_upload", "collections": "search_collection", "cache": "invalidate_cache"}.get(
        family, last
    )
