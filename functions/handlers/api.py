"""The HTTPS API (API Gateway REST proxy): the resolver, its routers, and what every request shares.

Requests pass the gate first (``orchestrator/api/request_gate.py``: method, token, query, body),
then the routers (``orchestrator/api/*_routes.py``). A router is imported and included when the
first request of its family (a path's first segment, ``ROUTERS``) arrives, every router when the
OpenAPI document is asked for: a cold start imports the routes it serves, not all thirteen routers
and their models (``bench/handler_imports.py``). A domain error is answered with its class's
HTTP status (``orchestrator/core/errors.py``), in one exception handler below; every write is audited.
"""

from __future__ import annotations

import importlib
import json
import re
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator.api.cors import is_preflight, preflight, with_cors
from orchestrator.api.request_context import CONTAINER, current_container
from orchestrator.api.request_gate import refuse, with_decoded_path
from orchestrator.api.route_table import WRITE_METHODS, audit_of
from orchestrator.api.schemas import Health, responses
from orchestrator.api.security import CORRELATION_ID, VERIFIED_CLAIMS, verified_caller
from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core import constants
from orchestrator.core.errors import OrchestratorError, SafetyViolation
from orchestrator.core.events import RunIds, new_envelope
from orchestrator.core.ids import is_run_id
from orchestrator.core.observability import logger, tracer
from orchestrator.core.records import new_id
from orchestrator.tenancy.acting import act_for_tenant

start_function("api")  # in Lambda: settings read and checked during init

app = APIGatewayRestResolver(enable_validation=True)
ROUTERS: dict[str, tuple[str, ...]] = {
    # a path's first segment: the modules (``orchestrator.api.<name>``) whose routers serve it, in order
    "runs": ("runs_routes", "bulk_routes", "resume_routes", "replay_routes"),
    "templates": ("catalog_routes",),
    "uploads": ("uploads_routes",),
    "collections": ("collections_routes",),
    "settings": ("settings_routes", "usage_routes"),
    "usage": ("usage_routes",),
    "prompts": ("prompts_routes",),
    "cache": ("cache_routes",),
    "tenant": ("tenant_routes",),
    "webhooks": ("webhooks_routes",),
}
_INCLUDED: set[str] = set()


def include_routers(path: str | None = None) -> None:
    """Includes the routers serving ``path``'s family (every router when ``path`` is None), each once.
    Every route's path begins with its family's name, so a request matches the same route as it
    would with every router included."""
    families = ROUTERS if path is None else [path.strip("/").split("/")[0]]
    for family in families:
        for name in ROUTERS.get(family, ()):
            if name not in _INCLUDED:
                app.include_router(importlib.import_module(f"orchestrator.api.{name}").router)
                _INCLUDED.add(name)


CORRELATION_ID_PATTERN = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")


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
            _audit_write(app, correlation_id, outcome=type(exc).__name__, safety=_safety_audit(exc))
        raise
    if write and (response.status_code >= 400 or audit_of(app.current_event.path)[1]):
        # a route declares whether its successes are audited here (``route_table``): decisions and
        # cancels are audited by run_control with their details
        body = response.body if isinstance(response.body, dict) else {}
        outcome = "accepted" if response.status_code < 400 else str(body.get("error") or response.status_code)
        _audit_write(app, correlation_id, outcome=outcome, run_id=body.get("run_id"))
    response.headers.setdefault(constants.CORRELATION_HEADER, correlation_id)
    return response


def _audit_write(
    app: APIGatewayRestResolver,
    correlation_id: str,
    *,
    outcome: str,
    run_id: Any = None,
    safety: dict[str, Any] | None = None,
) -> None:
    _audit(app.current_event.path, correlation_id, outcome=outcome, run_id=run_id, safety=safety)


def _safety_audit(exc: Exception) -> dict[str, Any] | None:
    """What the audit keeps of a request the safety policy refused: categories, deciding layers,
    where in the request, failed moderation layers (never the text)."""
    return exc.audit if isinstance(exc, SafetyViolation) else None


def _audit(
    path: str, correlation_id: str, *, outcome: str, run_id: Any = None, safety: dict[str, Any] | None = None
) -> None:
    """Every API write is a ``USER_ACTION`` event: caller, tenant, what, outcome (and, for a request
    the safety policy refused, the verdict). A caller whose token was not verified has no tenant to
    audit under (it is in the access log only)."""
    caller = verified_caller()
    if caller is None:
        return
    parts = path.strip("/").split("/")
    path_run = parts[1] if len(parts) > 1 and is_run_id(parts[1]) else None
    action, _ = audit_of(path)  # declared with the route (``route_table``)
    try:
        current_container().publisher.publish(
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
                }
                | ({"safety": safety} if safety else {}),
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
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    include_routers()
    return Response(
        status_code=HTTPStatus.OK,
        content_type="application/json",
        body=app.get_openapi_json_schema(
            title="AI orchestrator API",
            version="1.0.0",
            security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")},
        ),
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


@app.not_found
def _no_route(_: Exception) -> Response[dict[str, Any]]:
    """A path no route serves: a 404 with the body every other refusal has (not Powertools' own)."""
    event = app.current_event
    return Response(
        status_code=HTTPStatus.NOT_FOUND,
        content_type="application/json",
        body={"error": "NotFound", "message": f"no route serves {event.http_method} {event.path}"},
    )


@app.exception_handler(OrchestratorError)
def _domain_error(exc: OrchestratorError) -> Response[dict[str, Any]]:
    """A domain error answered with its class's status, body and headers (``core/errors.py``); one
    whose class has none is not an answer of the API: it is raised on, as any unexpected error."""
    if exc.http_status is None:
        raise exc
    if exc.http_log:
        logger.exception(exc.http_log)
    return Response(
        status_code=exc.http_status,
        content_type="application/json",
        body=exc.http_body(),
        headers=exc.http_headers(),
    )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(
    event: dict[str, Any], context: LambdaContext, container: Container | None = None
) -> dict[str, Any]:
    CONTAINER.set(container or deployed_container())
    origins = current_container().settings.cors_allowed_origins  # the web console's (``cors.py``)
    if is_preflight(event, origins):
        return preflight(event, origins)
    with current_container().metered(context):  # a run started here keeps what starting it asked
        return with_cors(event, _answer(event, context), origins)


def _answer(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    event = with_decoded_path(event)
    VERIFIED_CLAIMS.set(None)
    act_for_tenant(None)  # DynamoDB signs as no tenant until this request's token is verified
    CORRELATION_ID.set("")
    refused = refuse(event)
    if refused is None:
        include_routers(str(event.get("path") or "/"))
        answer: dict[str, Any] = app.resolve(event, context)
        return answer
    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    supplied = str(headers.get(constants.CORRELATION_HEADER.lower()) or "").strip()
    correlation_id = supplied if CORRELATION_ID_PATTERN.fullmatch(supplied) else new_id()
    logger.set_correlation_id(correlation_id)
    refused["headers"][constants.CORRELATION_HEADER] = correlation_id
    if str(event.get("httpMethod") or "").upper() in WRITE_METHODS:  # a write refused by the gate
        outcome = str(json.loads(refused["body"]).get("error") or refused["statusCode"])
        _audit(str(event.get("path") or "/"), correlation_id, outcome=outcome)
    return refused
