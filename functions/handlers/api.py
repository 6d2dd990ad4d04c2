"""The HTTPS API (API Gateway REST proxy): runs, their events, templates, health.

Routes are thin; HTTP status mapping of domain errors happens once, in the exception
handlers below. Bodies are validated by pydantic (422 with field-level errors).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from contextvars import ContextVar
from functools import cache
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator import constants, run_control, wiring
from orchestrator.api_schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApprovalAnswer,
    CancelAnswer,
    EventList,
    Health,
    RunAccepted,
    RunList,
    RunView,
    TemplateList,
    responses,
)
from orchestrator.auth import Caller, caller_from_claims, may_read, may_write
from orchestrator.errors import (
    ConflictError,
    DataStoreRejected,
    ForbiddenAction,
    IdempotencyKeyReused,
    InvalidRequest,
    NotFound,
    RepositoryError,
)
from orchestrator.ids import is_run_id
from orchestrator.models import EventEnvelope, RunRequest, RunStatus, new_id
from orchestrator.observability import logger, tracer
from orchestrator.run_control import ApprovalDecision
from orchestrator.run_service import (
    StepFunctionsStarter,
    get_run_view,
    list_run_events,
    start_run,
    start_run_once,
)
from orchestrator.settings import get_settings
from orchestrator.templates import TEMPLATES

app = APIGatewayRestResolver(enable_validation=True)
CORRELATION_ID_PATTERN = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")


@cache
def _verifier() -> Any:
    from aws_lambda_powertools.utilities.auth_alpha import JWTVerifier

    settings = get_settings().require("jwt_issuer", "jwt_audience")
    return JWTVerifier(
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        algorithms=["RS256"],
        jwks=settings.jwt_jwks,
        jwks_uri=settings.jwt_jwks_uri,
        required_claims=["sub"],
    )


_VERIFIED_CLAIMS: ContextVar[dict[str, Any] | None] = ContextVar("verified_claims", default=None)


def _remember(claims: dict[str, Any]) -> bool:
    _VERIFIED_CLAIMS.set(claims)  # verified: the audit of a write knows its caller, allowed or not
    return True


PUBLIC_PATHS = ("/health", "/openapi.json")


def _auth(policy: Any) -> Any:
    def remembering(claims: dict[str, Any]) -> bool:
        _VERIFIED_CLAIMS.set(claims)  # verified: the audit of a write knows its caller, allowed or not
        return bool(policy(claims))

    @cache
    def middleware() -> Any:
        return _verifier().require(authorize=remembering)

    def run(app: APIGatewayRestResolver, next_middleware: Any) -> Response:
        return middleware().handler(app, next_middleware)

    return run


READ = [_auth(may_read)]
WRITE = [_auth(may_write)]
BEARER: list[dict[str, list[str]]] = [
    {"bearerAuth": []}
]  # the OpenAPI document says which routes need a token


def _caller() -> Caller:
    caller = caller_from_claims(app.context.get("claims", {}))
    assert caller is not None  # the auth middleware let the request through
    return caller


def _correlation_id() -> str:
    return str(app.context["correlation_id"])


def _correlate(app: APIGatewayRestResolver, next_middleware: Any) -> Response:
    """Every request gets its correlation id (the caller's ``X-Correlation-Id`` when it is a plain
    token, else a new one): on every log line of this invocation and on the response."""
    supplied = (app.current_event.headers.get(constants.CORRELATION_HEADER) or "").strip()
    correlation_id = supplied if CORRELATION_ID_PATTERN.fullmatch(supplied) else new_id()
    logger.set_correlation_id(correlation_id)
    app.append_context(correlation_id=correlation_id)
    write = app.current_event.http_method == "POST"
    try:
        response: Response = next_middleware(app)
    except Exception as exc:
        if write:
            _audit_write(app, correlation_id, outcome=type(exc).__name__)
        raise
    if write and (response.status_code >= 400 or app.current_event.path.rstrip("/") == "/runs"):
        # successful decisions and cancels are audited by run_control with their details
        body = response.body if isinstance(response.body, dict) else {}
        outcome = "accepted" if response.status_code < 400 else str(body.get("error") or response.status_code)
        _audit_write(app, correlation_id, outcome=outcome, run_id=body.get("run_id"))
    response.headers.setdefault(constants.CORRELATION_HEADER, correlation_id)
    return response


def _audit_write(
    app: APIGatewayRestResolver, correlation_id: str, *, outcome: str, run_id: Any = None
) -> None:
    """Every API write is a ``USER_ACTION`` event: caller, tenant, what, outcome. A caller whose
    token was not verified has no tenant to audit under (it is in the access log only)."""
    caller = caller_from_claims(_VERIFIED_CLAIMS.get() or {})
    if caller is None:
        return
    parts = app.current_event.path.strip("/").split("/")
    path_run = parts[1] if len(parts) > 1 and is_run_id(parts[1]) else None
    action = parts[2] if len(parts) > 2 else "start_run"
    try:
        wiring.publisher().publish(
            EventEnvelope(
                event_type=constants.USER_ACTION,
                correlation_id=correlation_id,
                tenant_id=caller.tenant_id,
                run_id=str(run_id or path_run or constants.NO_RUN),
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


@app.get(
    "/templates",
    middlewares=READ,
    security=BEARER,
    responses=responses(HTTPStatus.OK, TemplateList, *READ_ERRORS),
)
def list_templates() -> dict[str, Any]:
    """Every template's step graph (agents, parallel branches, maps, approval gates)."""
    return {"templates": [template.describe() for template in TEMPLATES.values()]}


@app.post(
    "/runs",
    middlewares=WRITE,
    security=BEARER,
    responses=responses(
        HTTPStatus.ACCEPTED, RunAccepted, HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND, *WRITE_ERRORS
    ),
)
def create_run(request: RunRequest) -> Response[dict[str, Any]]:
    caller = _caller()
    settings = get_settings()
    common: dict[str, Any] = {
        "tenant_id": caller.tenant_id,
        "request": request,
        "correlation_id": _correlation_id(),
        "runs": wiring.runs(),
        "starter": StepFunctionsStarter(settings.state_machines),
        "publisher": wiring.publisher(),
        "created_by": caller.subject,
        "allowed_providers": settings.available_providers,
    }
    key = app.current_event.headers.get(constants.IDEMPOTENCY_HEADER)
    replayed = False
    if key is None:
        run = start_run(**common)
    else:
        run, replayed = start_run_once(idempotency_key=key, records=wiring.idempotency(), **common)
    logger.info(
        "run accepted", extra={"run_id": run.run_id, "tenant_id": caller.tenant_id, "replayed": replayed}
    )
    headers = {constants.CORRELATION_HEADER: run.correlation_id, "Location": f"/runs/{run.run_id}"}
    if replayed:
        headers["idempotent-replayed"] = "true"
    return Response(
        status_code=HTTPStatus.ACCEPTED,
        content_type="application/json",
        body={
            "run_id": run.run_id,
            "status": run.status.value,
            "template": run.template,
            "correlation_id": run.correlation_id,
            "links": {"self": f"/runs/{run.run_id}", "events": f"/runs/{run.run_id}/events"},
        },
        headers=headers,
    )


@app.get(
    "/runs",
    middlewares=READ,
    security=BEARER,
    responses=responses(
        HTTPStatus.OK, RunList, HTTPStatus.BAD_REQUEST, HTTPStatus.UNPROCESSABLE_ENTITY, *READ_ERRORS
    ),
)
def list_runs(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    status: Annotated[RunStatus | None, Query(description="only runs in this status")] = None,
) -> dict[str, Any]:
    """The tenant's runs, newest first. With ``status``, a page may hold fewer than ``limit``
    runs: follow ``next_cursor`` until it is null."""
    runs, next_cursor = wiring.runs().list(_caller().tenant_id, limit, cursor, status)
    return {
        "runs": [
            run.model_dump(
                mode="json", include={"run_id", "template", "topic", "status", "created_at", "finished_at"}
            )
            for run in runs
        ],
        "next_cursor": next_cursor,
    }


@app.get(
    "/runs/<run_id>",
    middlewares=READ,
    security=BEARER,
    responses=responses(HTTPStatus.OK, RunView, HTTPStatus.NOT_FOUND, *READ_ERRORS),
)
def get_run(run_id: str) -> dict[str, Any]:
    return get_run_view(_caller().tenant_id, run_id, wiring.runs(), wiring.step_results())


@app.post(
    "/runs/<run_id>/approval",
    middlewares=WRITE,
    security=BEARER,
    responses=responses(
        HTTPStatus.OK, ApprovalAnswer, HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, *WRITE_ERRORS
    ),
)
def decide_approval(run_id: str, decision: ApprovalDecision) -> dict[str, Any]:
    """Approve or reject the gate a run waits at (roles the gate allows; viewers never)."""
    caller = _caller()
    _correlation_id()
    run = run_control.decide(
        caller.tenant_id,
        run_id,
        decision,
        caller_subject=caller.subject,
        caller_role=caller.role,
        runs=wiring.runs(),
        results=wiring.step_results(),
        tokens=wiring.task_tokens(),
        publisher=wiring.publisher(),
    )
    return {"run_id": run.run_id, "status": run.status.value, "decision": decision.decision}


@app.post(
    "/runs/<run_id>/cancel",
    middlewares=WRITE,
    security=BEARER,
    responses=responses(
        HTTPStatus.ACCEPTED, CancelAnswer, HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, *WRITE_ERRORS
    ),
)
def cancel_run(run_id: str) -> Response[dict[str, Any]]:
    """Stop a run: its next step (or its open gate, at once) ends it; what it did is undone."""
    caller = _caller()
    _correlation_id()
    run = run_control.cancel(
        caller.tenant_id,
        run_id,
        caller_subject=caller.subject,
        runs=wiring.runs(),
        results=wiring.step_results(),
        tokens=wiring.task_tokens(),
        publisher=wiring.publisher(),
    )
    return Response(
        status_code=HTTPStatus.ACCEPTED,
        content_type="application/json",
        body={"run_id": run.run_id, "status": run.status.value, "cancel_requested": True},
    )


@app.get(
    "/runs/<run_id>/events",
    middlewares=READ,
    security=BEARER,
    responses=responses(
        HTTPStatus.OK,
        EventList,
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.NOT_FOUND,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        *READ_ERRORS,
    ),
)
def get_run_events(
    run_id: str,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> dict[str, Any]:
    events, next_cursor = list_run_events(
        _caller().tenant_id, run_id, wiring.runs(), wiring.events(), limit, cursor
    )
    return {"events": [event.model_dump(mode="json") for event in events], "next_cursor": next_cursor}


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
    if app.current_event.http_method == "POST":  # validation runs before the middlewares that audit
        _audit_write(app, str(app.context.get("correlation_id") or new_id()), outcome="ValidationError")
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
    if isinstance(exc, IdempotencyKeyReused):
        return _error(HTTPStatus.UNPROCESSABLE_ENTITY, exc)
    return _error(HTTPStatus.BAD_REQUEST, exc)


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
    _VERIFIED_CLAIMS.set(None)
    refused = (
        _refuse_undeclared_method(event)
        or _refuse_unauthenticated(event)
        or _refuse_unknown_query(event)
        or _refuse_binary_body(event)
    )
    return refused if refused is not None else app.resolve(event, context)


ROUTE_METHODS = {
    "/health": ("GET",),
    "/openapi.json": ("GET",),
    "/templates": ("GET",),
    "/runs": ("GET", "POST"),
    "/runs/{run_id}": ("GET",),
    "/runs/{run_id}/approval": ("POST",),
    "/runs/{run_id}/cancel": ("POST",),
    "/runs/{run_id}/events": ("GET",),
}
_ROUTE_PATTERNS = [
    (re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "/?$"), methods)
    for path, methods in ROUTE_METHODS.items()
]


def _refuse_unauthenticated(event: dict[str, Any]) -> dict[str, Any] | None:
    """Every path but /health and /openapi.json needs a valid token, checked before the request's
    parameters and body are: a caller without one learns nothing about them (401)."""
    if str(event.get("path") or "/").rstrip("/") in PUBLIC_PATHS:
        return None
    from aws_lambda_powertools.utilities.auth_alpha.exceptions import AuthError

    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    scheme, _, token = str(headers.get("authorization") or "").partition(" ")
    try:
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError()
        _remember(_verifier().verify(token.strip()))
    except AuthError:
        answer = _plain_error(HTTPStatus.UNAUTHORIZED, "Unauthorized", "a valid Bearer token is required")
        answer["headers"]["WWW-Authenticate"] = "Bearer"
        return answer
    return None


ROUTE_QUERY = {"/runs": ("limit", "cursor", "status"), "/runs/{run_id}/events": ("limit", "cursor")}
_QUERY_PATTERNS = [
    (re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "/?$"), names)
    for path, names in ROUTE_QUERY.items()
]


def _refuse_unknown_query(event: dict[str, Any]) -> dict[str, Any] | None:
    """A query parameter the route does not declare is a mistake, not something to ignore: 422."""
    given = set(
        (event.get("multiValueQueryStringParameters") or event.get("queryStringParameters") or {}).keys()
    )
    if not given:
        return None
    path = str(event.get("path") or "/")
    known = next((names for pattern, names in _QUERY_PATTERNS if pattern.match(path)), ())
    unknown = sorted(given - set(known))
    if not unknown:
        return None
    answer = _plain_error(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "ValidationError",
        f"request is invalid: unknown query parameter(s) {', '.join(repr(u) for u in unknown)}",
    )
    details = [
        {"location": f"query.{name}", "message": "unknown query parameter", "type": "extra_forbidden"}
        for name in unknown
    ]
    answer["body"] = json.dumps(json.loads(answer["body"]) | {"details": details})
    return answer


def _refuse_undeclared_method(event: dict[str, Any]) -> dict[str, Any] | None:
    """A known path asked with a method it does not have: 405 with ``Allow`` (not a 404)."""
    path, method = str(event.get("path") or "/"), str(event.get("httpMethod") or "GET").upper()
    for pattern, methods in _ROUTE_PATTERNS:
        if pattern.match(path) and method not in methods:
            answer = _plain_error(
                HTTPStatus.METHOD_NOT_ALLOWED, "MethodNotAllowed", f"{method} is not allowed here"
            )
            answer["headers"]["Allow"] = ", ".join(methods)
            return answer
    return None


def _refuse_binary_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """Every route takes small JSON text: a body over ``MAX_REQUEST_BODY_BYTES`` is a 413, one that
    is not UTF-8 (API Gateway passes it base64) a 400."""
    body = event.get("body") or ""
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode("utf-8", "surrogatepass"))
    if size > constants.MAX_REQUEST_BODY_BYTES:
        return _plain_error(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "PayloadTooLarge",
            f"the request body is {size} bytes; at most {constants.MAX_REQUEST_BODY_BYTES}",
        )
    if body and not _is_json(event):
        return _plain_error(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "request bodies are JSON: application/json",
        )
    if not event.get("isBase64Encoded") or not body:
        return None
    try:
        base64.b64decode(event["body"], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return _plain_error(HTTPStatus.BAD_REQUEST, "InvalidRequest", "the request body is not UTF-8 text")
    return None


def _is_json(event: dict[str, Any]) -> bool:
    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    media_type = str(headers.get("content-type") or "application/json").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _plain_error(status: HTTPStatus, error: str, message: str) -> dict[str, Any]:
    """An API Gateway proxy answer for a request refused before routing."""
    return {
        "statusCode": int(status),
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"error": error, "message": message}),
        "isBase64Encoded": False,
    }
