"""The HTTPS API (API Gateway REST proxy): the resolver, its routers, and what every request shares.

Requests pass the gate first (``orchestrator/api/request_gate.py``: method, token, query, body),
then the routers (``orchestrator/api/*_routes.py``). Domain errors map to HTTP statuses once,
in the exception handlers below; every write is audited.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer
from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator import wiring
from orchestrator.api import (
    cache_routes,
    catalog_routes,
    collections_routes,
    prompts_routes,
    runs_routes,
    settings_routes,
    tenant_routes,
    uploads_routes,
    usage_routes,
)
from orchestrator.api.request_gate import refuse
from orchestrator.api.schemas import Health, responses
from orchestrator.api.security import CORRELATION_ID, VERIFIED_CLAIMS, verified_caller
from orchestrator.core import constants
from orchestrator.core.errors import (
    BudgetExceeded,
    ConflictError,
    DataStoreRejected,
    ForbiddenAction,
    IdempotencyKeyReused,
    InputsInvalid,
    InvalidRequest,
    NotFound,
    RepositoryError,
    UserPoolNotConfigured,
)
from orchestrator.core.events import RunIds, new_envelope
from orchestrator.core.ids import is_run_id
from orchestrator.core.observability import logger, tracer
from orchestrator.core.records import new_id
from orchestrator.tenancy.credentials import act_for_tenant
from orchestrator.tenancy.plans import TenantLimitReached, TenantNotActive

app = APIGatewayRestResolver(enable_validation=True)
app.include_router(runs_routes.router)
app.include_router(catalog_routes.router)
app.include_router(uploads_routes.router)
app.include_router(collections_routes.router)
app.include_router(settings_routes.router)
app.include_router(usage_routes.router)
app.include_router(prompts_routes.router)
app.include_router(cache_routes.router)
app.include_router(tenant_routes.router)
CORRELATION_ID_PATTERN = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")


AUDITED_CREATES = frozenset({"/runs", "/uploads"})
"""Writes audited here when they succeed (decisions and cancels are audited by run_control)."""
AUDITED_PREFIXES = ("/settings/", "/prompts/", "/cache/", "/tenant/")
"""Administration: every successful write under these is audited here too."""
WRITE_ACTIONS = {
    "uploads": "create_upload",
    "collections": "search_collection",
    "cache": "invalidate_cache",
}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _correlate(app: APIGatewayRestResolver, next_middleware: Any) -> Response:
    """Every request gets its correlation id (the caller's ``X-Correlation-Id`` when it is a plain
    token, else a new one): on every log line of this invocation and on the response."""
    supplied = (app.current_event.headers.get(constants.CORRELATION_HEADER) or "").strip()
    correlation_id = supplied if CORRELATION_ID_PATTERN.fullmatch(supplied) else new_id()
    logger.set_correlation_id(correlation_id)
    CORRELATION_ID.set(correlation_id)
    write = app.current_event.http_method in WRITE_METHODS
    try:
        response: Response = next_middleware(app)
    except Exception as exc:
        if write:
            _audit_write(app, correlation_id, outcome=type(exc).__name__)
        raise
    path = app.current_event.path.rstrip("/")
    if write and (
        response.status_code >= 400 or path in AUDITED_CREATES or path.startswith(AUDITED_PREFIXES)
    ):
        # successful decisions and cancels are audited by run_control with their details
        body = response.body if isinstance(response.body, dict) else {}
        outcome = "accepted" if response.status_code < 400 else str(body.get("error") or response.status_code)
        _audit_write(app, correlation_id, outcome=outcome, run_id=body.get("run_id"))
    response.headers.setdefault(constants.CORRELATION_HEADER, correlation_id)
    return response


def _audit_write(
    app: APIGatewayRestResolver, correlation_id: str, *, outcome: str, run_id: Any = None
) -> None:
    _audit(app.current_event.path, correlation_id, outcome=outcome, run_id=run_id)


def _audit(path: str, correlation_id: str, *, outcome: str, run_id: Any = None) -> None:
    """Every API write is a ``USER_ACTION`` event: caller, tenant, what, outcome. A caller whose
    token was not verified has no tenant to audit under (it is in the access log only)."""
    caller = verified_caller()
    if caller is None:
        return
    parts = path.strip("/").split("/")
    path_run = parts[1] if len(parts) > 1 and is_run_id(parts[1]) else None
    if parts[0] == "runs":
        action = parts[2] if len(parts) > 2 else "start_run"
    elif parts[0] == "settings":
        action = f"set_{parts[-1]}"  # set_models, set_budget
    elif parts[0] == "tenant":
        action = "disable_user" if parts[-1] == "disable" else "create_user"
    elif parts[0] == "prompts":
        action = {"versions": "create_prompt_version", "activate": "activate_prompt"}.get(
            parts[-1], "rollback_prompt"
        )
    else:
        action = WRITE_ACTIONS.get(parts[0], parts[-1])
    try:
        wiring.publisher().publish(
            new_envelope(
                constants.USER_ACTION,
                RunIds(
                    tenant_id=caller.tenant_id,
                    run_id=str(run_id or path_run or constants.NO_RUN),
                    correlation_id=correlation_id,
                ),
                payload={
                    "action": action[:32],
                    "caller": caller.subject,
                    "role": caller.role,
                    "outcome": outcome,
                },
            )
        )
    except Exception:  # the answer stands; a lost audit event is logged, never a failed request
        logger.exception("could not audit an API write")


app.use(middlewares=[_correlate])


@app.get("/health", responses=responses(HTTPStatus.OK, Health))
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    """The OpenAPI document, generated on request (Swagger UI would cost every cold start ~40 ms)."""
    return Response(
        status_code=HTTPStatus.OK,
        content_type="application/json",
        body=app.get_openapi_json_schema(
            title="AI orchestrator API",
            version="1.0.0",
            security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")},
        ),
    )


def _error(status: HTTPStatus, exc: Exception) -> Response[dict[str, Any]]:
    return Response(
        status_code=status,
        content_type="application/json",
        body={"error": type(exc).__name__, "message": str(exc)},
    )


@app.exception_handler(RequestValidationError)
def _validation(exc: RequestValidationError) -> Response[dict[str, Any]]:
    details = [
        {
            "location": ".".join(str(part) for part in error.get("loc", ())),
            "message": error.get("msg", error.get("type", "invalid")),
            "type": error.get("type", ""),
        }
        for error in exc.errors()
    ]
    summary = "; ".join(f"{d['location']}: {d['message']}" for d in details)
    if app.current_event.http_method in WRITE_METHODS:  # validation runs before the middlewares that audit
        _audit_write(app, CORRELATION_ID.get() or new_id(), outcome="ValidationError")
    return Response(
        status_code=HTTPStatus.UNPROCESSABLE_ENTITY,
        content_type="application/json",
        body={"error": "ValidationError", "message": f"request is invalid: {summary}", "details": details},
    )


@app.exception_handler(NotFound)
def _not_found(exc: NotFound) -> Response[dict[str, Any]]:
    return _error(HTTPStatus.NOT_FOUND, exc)


@app.exception_handler(InvalidRequest)
def _invalid(exc: InvalidRequest) -> Response[dict[str, Any]]:
    if isinstance(exc, InputsInvalid):  # what the template takes is not in the request's schema: 400
        return Response(
            status_code=HTTPStatus.BAD_REQUEST,
            content_type="application/json",
            body={"error": "ValidationError", "message": str(exc), "details": exc.details},
        )
    if isinstance(exc, IdempotencyKeyReused):
        return _error(HTTPStatus.UNPROCESSABLE_ENTITY, exc)
    return _error(HTTPStatus.BAD_REQUEST, exc)


@app.exception_handler(UserPoolNotConfigured)
def _no_user_pool(exc: UserPoolNotConfigured) -> Response[dict[str, Any]]:
    return _error(HTTPStatus.FORBIDDEN, exc)  # not this deployment's to do (its IdP's)


@app.exception_handler(TenantNotActive)
def _tenant_not_active(exc: TenantNotActive) -> Response[dict[str, Any]]:
    return _error(HTTPStatus.FORBIDDEN, exc)


@app.exception_handler(TenantLimitReached)
def _tenant_limit(exc: TenantLimitReached) -> Response[dict[str, Any]]:
    return Response(
        status_code=HTTPStatus.TOO_MANY_REQUESTS,
        content_type="application/json",
        body={"error": type(exc).__name__, "message": str(exc), "limit": exc.limit},
        headers={"Retry-After": str(exc.retry_after_seconds)},
    )


@app.exception_handler(BudgetExceeded)
def _budget(exc: BudgetExceeded) -> Response[dict[str, Any]]:
    return _error(HTTPStatus.PAYMENT_REQUIRED, exc)


@app.exception_handler(ForbiddenAction)
def _forbidden(exc: ForbiddenAction) -> Response[dict[str, Any]]:
    return _error(HTTPStatus.FORBIDDEN, exc)


@app.exception_handler(ConflictError)
def _conflict(exc: ConflictError) -> Response[dict[str, Any]]:
    return _error(HTTPStatus.CONFLICT, exc)


@app.exception_handler(RepositoryError)
def _unavailable(exc: RepositoryError) -> Response[dict[str, Any]]:
    logger.exception("passing data store failure")
    return Response(
        status_code=HTTPStatus.SERVICE_UNAVAILABLE,
        content_type="application/json",
        body={"error": type(exc).__name__, "message": "temporarily unavailable, retry shortly"},
        headers={"Retry-After": "1"},
    )


@app.exception_handler(DataStoreRejected)
def _internal(exc: DataStoreRejected) -> Response[dict[str, Any]]:
    logger.exception("data store refused a call")
    return Response(
        status_code=HTTPStatus.INTERNAL_SERVER_ERROR,
        content_type="application/json",
        body={"error": "InternalError", "message": "the request could not be completed"},
    )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    VERIFIED_CLAIMS.set(None)
    act_for_tenant(None)  # DynamoDB signs as no tenant until this request's token is verified
    CORRELATION_ID.set("")
    refused = refuse(event)
    if refused is None:
        return app.resolve(event, context)
    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    supplied = str(headers.get(constants.CORRELATION_HEADER.lower()) or "").strip()
    correlation_id = supplied if CORRELATION_ID_PATTERN.fullmatch(supplied) else new_id()
    logger.set_correlation_id(correlation_id)
    refused["headers"][constants.CORRELATION_HEADER] = correlation_id
    if str(event.get("httpMethod") or "").upper() in WRITE_METHODS:  # a write refused by the gate
        outcome = str(json.loads(refused["body"]).get("error") or refused["statusCode"])
        _audit(str(event.get("path") or "/"), correlation_id, outcome=outcome)
    return refused
