"""``/tenant``: the caller's own tenant. Every role sees its plan, limits and runs in progress; its
admins list its users and, where the stack's user pool signs the API's tokens, add and disable
them. A user is always created in the caller's tenant (from the verified token, never the body),
and a username of another tenant is not found (404)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, Field

from orchestrator.adapters.cognito_user_pool import TENANT_ATTRIBUTE
from orchestrator.api.request_context import current_container
from orchestrator.api.route_table import admin_route, route
from orchestrator.api.schemas import json_answer
from orchestrator.api.security import current_caller
from orchestrator.core.errors import ConflictError, NotFound, UserPoolNotConfigured
from orchestrator.core.records import RequestModel
from orchestrator.tenancy.plans import check_active

router = Router()

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$"
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,63}$"


class TenantView(BaseModel):
    tenant_id: str
    status: str = Field(description="active or disabled")
    plan: str
    requests_per_minute: int = Field(description="requests the API serves the tenant per minute")
    max_concurrent_runs: int = Field(description="runs the tenant may have in progress at once")
    active_runs: int = Field(description="runs in progress now")
    max_queued_runs: int = Field(description="runs that may wait for a slot (past them: 429)")
    queued_runs: int = Field(description="runs waiting for a slot now")
    created_at: str


class TenantUser(BaseModel):
    username: str
    role: str
    enabled: bool
    created_at: str
    created_by: str
    temporary_password: str | None = Field(
        default=None, description="only when the user was created without an email: shown once"
    )


class TenantUsers(BaseModel):
    users: list[TenantUser]


class NewUserRequest(RequestModel):
    username: str = Field(pattern=USERNAME_PATTERN, description="1-128 of letters, digits and ._@+-")
    role: Literal["admin", "user", "viewer"]
    email: str | None = Field(
        default=None, pattern=EMAIL_PATTERN, max_length=254, description="where the invitation goes"
    )


def _user_pool() -> Any:
    pool_id = current_container().settings.user_pool_id
    if not pool_id:
        raise UserPoolNotConfigured(
            "this deployment's tokens come from another identity provider: manage its users there"
        )
    from orchestrator.adapters.cognito_user_pool import CognitoUserPool

    return CognitoUserPool(pool_id)


@route(router, "GET", "/tenant", role="viewer", answer=(HTTPStatus.OK, TenantView))
def get_tenant() -> Response[dict[str, Any]]:
    """The caller's tenant: status, plan, its limits and how many runs it has in progress."""
    tenant_id = current_caller().tenant_id
    tenant = check_active(tenant_id, current_container().tenants.get(tenant_id))
    view = TenantView(**tenant.model_dump(mode="json", include=set(TenantView.model_fields)))
    return json_answer(view.model_dump(mode="json"))


@admin_route(router, "GET", "/tenant/users", answer=(HTTPStatus.OK, TenantUsers))
def list_users() -> Response[dict[str, Any]]:
    """The tenant's users recorded by this deployment (created by an operator or an admin). Admins only."""
    users = current_container().tenants.users(current_caller().tenant_id)
    return json_answer(TenantUsers(users=[TenantUser(**u) for u in users]).model_dump(mode="json"))


@admin_route(
    router,
    "POST",
    "/tenant/users",
    answer=(HTTPStatus.CREATED, TenantUser),
    statuses=(HTTPStatus.CONFLICT,),
    action="create_user",
)
def create_user(request: NewUserRequest) -> Response[dict[str, Any]]:
    """Add a user to the caller's tenant with a role: invited by email, or with a temporary password
    in the answer (shown once). 403 where another identity provider issues the tokens. Admins only."""
    caller = current_caller()
    password = _user_pool().create_user(caller.tenant_id, request.username, request.role, request.email)
    directory = current_container().tenants
    directory.add_user(caller.tenant_id, request.username, role=request.role, by=caller.subject)
    user = directory.user(caller.tenant_id, request.username)
    if user is None:  # removed between the write and the read by another admin's request
        raise ConflictError(f"user {request.username!r} changed while being added: read it again")
    return json_answer(
        TenantUser(**user, temporary_password=password).model_dump(mode="json"), HTTPStatus.CREATED
    )


@admin_route(
    router,
    "POST",
    "/tenant/users/<username>/disable",
    answer=(HTTPStatus.OK, TenantUser),
    statuses=(HTTPStatus.NOT_FOUND,),
    action="disable_user",
)
def disable_user(
    username: Annotated[str, Path(pattern=USERNAME_PATTERN, description="a user of the caller's tenant")],
) -> Response[dict[str, Any]]:
    """The user can no longer sign in, their refresh tokens are revoked, and the API refuses the
    tokens already issued to them from the next request on. Admins only."""
    caller = current_caller()
    directory = current_container().tenants
    if directory.user(caller.tenant_id, username) is None:
        raise NotFound(f"user {username!r} not found")
    pool = _user_pool()
    attributes = pool.attributes(username)
    if attributes.get(TENANT_ATTRIBUTE) != caller.tenant_id:  # recorded here, the pool says otherwise
        raise NotFound(f"user {username!r} not found")
    pool.disable(username)
    if attributes.get("sub"):  # the tokens already issued stop at once, not when they expire
        directory.block_subject(caller.tenant_id, attributes["sub"], by=caller.subject)
    directory.set_user_enabled(caller.tenant_id, username, False, by=caller.subject)
    user = directory.user(caller.tenant_id, username)
    if user is None:  # removed meanwhile by another admin's request
        raise NotFound(f"user {username!r} not found")
    return json_answer(TenantUser(**user).model_dump(mode="json"))
