"""Before routing: what every request must satisfy, answered as API Gateway proxy responses.

A method the path does not have (405), a missing or invalid token (401, before anything about
the request is looked at), a tenant that is disabled or was never onboarded (403), a tenant over
its plan's request rate (429 with ``Retry-After``), a role below the route's (403), a query
parameter the route does not declare (422), a body over the limit (413), not JSON (415) or not
UTF-8 (400).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from orchestrator.api.request_context import current_container
from orchestrator.api.security import PUBLIC_PATHS, remember, verified_caller
from orchestrator.core import constants

if TYPE_CHECKING:
    from orchestrator.core.errors import OrchestratorError


def with_decoded_path(event: dict[str, Any]) -> dict[str, Any]:
    """The event with each path segment percent-decoded, as its path parameters are: API Gateway's
    REST proxy passes ``path`` still encoded, so ``/tenant/users/ann%40acme/disable`` would
    otherwise name ``ann%40acme``. A segment whose decoding holds a ``/`` stays encoded (it must
    not become two segments and another route)."""
    path = event.get("path")
    if not isinstance(path, str) or "%" not in path:
        return event
    return event | {"path": "/".join(_decoded_segment(segment) for segment in path.split("/"))}


def _decoded_segment(segment: str) -> str:
    if "%" not in segment:
        return segment
    try:
        decoded = unquote(segment, errors="strict")
    except UnicodeDecodeError:  # not UTF-8: left as sent (it then matches no id and no name)
        return segment
    return segment if "/" in decoded else decoded


def refuse(event: dict[str, Any]) -> dict[str, Any] | None:
    """The answer to a request that must not reach a route, or None."""
    return (
        _refuse_undeclared_method(event)
        or _refuse_unauthenticated(event)
        or _refuse_inactive_or_over_limit(event)
        or _refuse_wrong_role(event)
        or _refuse_unknown_query(event)
        or _refuse_binary_body(event)
        or _refuse_unusual_json(event)
    )


VIEWER, USER, ADMIN = "viewer", "user", "admin"
ROUTES: dict[str, dict[str, str | None]] = {
    # path: {method: the least role that may use it (None: public)}; the routes check it again
    "/health": {"GET": None},
    "/openapi.json": {"GET": None},
    "/templates": {"GET": VIEWER},
    "/uploads": {"POST": USER},
    "/collections/{run_id}/search": {"POST": VIEWER},
    "/runs": {"GET": VIEWER, "POST": USER},
    "/runs/bulk/cancel": {"POST": ADMIN},  # before /runs/{run_id}/...: the first path that matches counts
    "/runs/bulk/resume": {"POST": ADMIN},
    "/runs/{run_id}": {"GET": VIEWER},
    "/runs/{run_id}/approval": {"POST": USER},
    "/runs/{run_id}/cancel": {"POST": USER},
    "/runs/{run_id}/resume": {"POST": USER},
    "/runs/{run_id}/replay": {"POST": USER},
    "/runs/{a}/diff/{b}": {"GET": VIEWER},
    "/runs/{run_id}/lineage": {"GET": VIEWER},
    "/runs/{run_id}/events": {"GET": VIEWER},
    "/runs/{run_id}/timeline": {"GET": VIEWER},
    "/settings/models": {"GET": ADMIN, "PUT": ADMIN},
    "/settings/budget": {"GET": ADMIN, "PUT": ADMIN},
    "/usage": {"GET": VIEWER},
    "/prompts": {"GET": VIEWER},
    "/prompts/{agent}": {"GET": VIEWER},
    "/prompts/{agent}/versions": {"POST": ADMIN},
    "/prompts/{agent}/versions/{version}/activate": {"POST": ADMIN},
    "/prompts/{agent}/rollback": {"POST": ADMIN},
    "/cache/invalidations": {"POST": ADMIN},
    "/tenant": {"GET": VIEWER},
    "/tenant/users": {"GET": ADMIN, "POST": ADMIN},
    "/tenant/users/{username}/disable": {"POST": ADMIN},
    "/webhooks": {"GET": ADMIN, "POST": ADMIN},
    "/webhooks/{endpoint_id}": {"DELETE": ADMIN},
    "/webhooks/{endpoint_id}/rotate": {"POST": ADMIN},
    "/webhooks/{endpoint_id}/deliveries": {"GET": ADMIN},
}
ROUTE_METHODS = {path: tuple(methods) for path, methods in ROUTES.items()}


def _path_pattern(path: str) -> re.Pattern[str]:
    """``/runs/{run_id}`` -> a pattern matching ``/runs/<anything but a slash>`` (and a trailing slash)."""
    return re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "/?$")


_ROUTE_PATTERNS = [(_path_pattern(path), roles) for path, roles in ROUTES.items()]
ROLE_RANK = {VIEWER: 0, USER: 1, ADMIN: 2}


def _refuse_wrong_role(event: dict[str, Any]) -> dict[str, Any] | None:
    """A role below the route's gets 403 before its parameters and body are looked at (a viewer
    learns nothing of a write's body schema)."""
    caller = verified_caller()
    if caller is None:  # a public path
        return None
    path, method = str(event.get("path") or "/"), str(event.get("httpMethod") or "GET").upper()
    least = next((roles.get(method) for pattern, roles in _ROUTE_PATTERNS if pattern.match(path)), None)
    if least is None or ROLE_RANK.get(caller.role, -1) >= ROLE_RANK[least]:
        return None
    return plain_error(
        HTTPStatus.FORBIDDEN,
        "ForbiddenAction",
        f"the role {caller.role!r} may not do this: it takes the role {least!r} or above",
    )


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
        remember(current_container().verifier.verify(token.strip()))
    except AuthError:
        answer = plain_error(HTTPStatus.UNAUTHORIZED, "Unauthorized", "a valid Bearer token is required")
        answer["headers"]["WWW-Authenticate"] = "Bearer"
        return answer
    return None


def _refuse_inactive_or_over_limit(event: dict[str, Any]) -> dict[str, Any] | None:
    """The caller's tenant must be onboarded and active (a disabled tenant's tokens stop working at
    once), the caller not a user its admins disabled, and the tenant within its plan's requests per
    minute; every request counts, reads included."""
    caller = verified_caller()
    if caller is None:  # a public path
        return None
    from orchestrator.core.errors import DataStoreRejected, RepositoryError
    from orchestrator.tenancy.plans import TenantLimitReached, TenantNotActive, check_caller

    directory = current_container().tenants
    try:
        tenant = check_caller(caller.tenant_id, caller.subject, directory.get(caller.tenant_id))
        directory.admit_request(tenant)
    except (TenantNotActive, TenantLimitReached, RepositoryError, DataStoreRejected) as exc:
        # a disabled tenant or user (UserDisabled) 403, a limit 429, the tenant table failing 503 / 500
        if isinstance(exc, DataStoreRejected):
            from orchestrator.core.observability import logger

            logger.exception(exc.http_log)
        return error_answer(exc)
    return None


ROUTE_QUERY = {
    "/runs": ("limit", "cursor", "status"),
    "/runs/{run_id}/events": ("limit", "cursor"),
    "/usage": ("month",),
    "/webhooks/{endpoint_id}/deliveries": ("limit", "cursor"),
}
_QUERY_PATTERNS = [(_path_pattern(path), names) for path, names in ROUTE_QUERY.items()]


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
    answer = plain_error(
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
    for pattern, methods in _ROUTE_PATTERNS:  # {method: role}: its keys are the methods
        if pattern.match(path) and method not in methods:
            answer = plain_error(
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
        return plain_error(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "PayloadTooLarge",
            f"the request body is {size} bytes; at most {constants.MAX_REQUEST_BODY_BYTES}",
        )
    if body and not _is_json(event):
        return plain_error(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "request bodies are JSON: application/json",
        )
    if not event.get("isBase64Encoded") or not body:
        return None
    try:
        base64.b64decode(event["body"], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return plain_error(HTTPStatus.BAD_REQUEST, "InvalidRequest", "the request body is not UTF-8 text")
    return None


MAX_JSON_DEPTH = 32
"""No route takes a body nested deeper: a deeper one is refused before anything recurses over it."""


def _refuse_unusual_json(event: dict[str, Any]) -> dict[str, Any] | None:
    """JSON that parsers disagree on or that exhausts recursion is refused with a 400: ``NaN`` and
    ``Infinity`` (not JSON numbers) and bodies nested deeper than ``MAX_JSON_DEPTH``. Malformed
    JSON is left to the route's validation (422 naming where)."""
    raw = event.get("body")
    if not raw:
        return None
    text = base64.b64decode(raw).decode("utf-8") if event.get("isBase64Encoded") else str(raw)
    try:
        parsed = json.loads(text, parse_constant=_not_a_json_number)
    except _NotJsonNumber as exc:
        return plain_error(HTTPStatus.BAD_REQUEST, "InvalidRequest", f"{exc} is not a JSON number")
    except RecursionError:
        depth = MAX_JSON_DEPTH + 1
    except ValueError:
        return None
    else:
        depth = _depth(parsed)
    if depth > MAX_JSON_DEPTH:
        return plain_error(
            HTTPStatus.BAD_REQUEST,
            "InvalidRequest",
            f"the request body nests arrays and objects more than {MAX_JSON_DEPTH} levels deep",
        )
    return None


class _NotJsonNumber(ValueError):
    pass


def _not_a_json_number(name: str) -> Any:
    raise _NotJsonNumber(name)


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest (a scalar: 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        current, level = stack.pop()
        children = (
            current.values() if isinstance(current, dict) else current if isinstance(current, list) else None
        )
        if children is None:
            continue
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def _is_json(event: dict[str, Any]) -> bool:
    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    media_type = str(headers.get("content-type") or "application/json").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def error_answer(exc: OrchestratorError) -> dict[str, Any]:
    """A domain error as an API Gateway proxy answer (its status, body and headers: ``core/errors.py``)."""
    return {
        "statusCode": int(exc.http_status or HTTPStatus.INTERNAL_SERVER_ERROR),
        "headers": {"Content-Type": "application/json", **exc.http_headers()},
        "body": json.dumps(exc.http_body()),
        "isBase64Encoded": False,
    }


def plain_error(status: HTTPStatus, error: str, message: str) -> dict[str, Any]:
    """An API Gateway proxy answer for a request refused before routing."""
    return {
        "statusCode": int(status),
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"error": error, "message": message}),
        "isBase64Encoded": False,
    }
