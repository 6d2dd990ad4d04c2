"""Cross-origin calls from the web console: the origins the deployment allows (``CORS_ALLOWED_ORIGINS``).

A browser page on an allowed origin may call every route with its token; its answers carry
``Access-Control-Allow-Origin`` (that origin, with ``Vary: Origin``), refusals included, so the
page can read why it was refused. Another origin gets no CORS header: the browser keeps the
answer from the page. The preflight (``OPTIONS`` with ``Access-Control-Request-Method``) needs
no token: on a deployed stack API Gateway answers it from the same list; the local cloud passes
it to the function, answered here. With no origin configured the API answers no preflight
(405, as before) and adds no header. The headers are Powertools' ``CORSConfig``'s.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import CORSConfig

from orchestrator.core import constants

PREFLIGHT_METHODS = "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"


def _config(origins: tuple[str, ...]) -> CORSConfig:
    return CORSConfig(
        allow_origin=origins[0],
        extra_origins=list(origins[1:]),
        allow_headers=list(constants.CORS_REQUEST_HEADERS),
        expose_headers=list(constants.CORS_EXPOSED_HEADERS),
        max_age=constants.CORS_MAX_AGE_SECONDS,
    )


def _origin(event: dict[str, Any]) -> str | None:
    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    origin = headers.get("origin")
    return str(origin) if origin else None


def is_preflight(event: dict[str, Any], origins: tuple[str, ...]) -> bool:
    headers = {key.lower() for key in (event.get("headers") or {})}
    return (
        bool(origins)
        and str(event.get("httpMethod") or "").upper() == "OPTIONS"
        and "access-control-request-method" in headers
    )


def preflight(event: dict[str, Any], origins: tuple[str, ...]) -> dict[str, Any]:
    """The answer to a preflight: 204 with the allowed methods and headers for an allowed origin,
    a bare 204 for another (the browser then refuses the call)."""
    headers = _config(origins).to_dict(_origin(event))
    if headers:
        headers["Access-Control-Allow-Methods"] = PREFLIGHT_METHODS
    headers["Vary"] = "Origin"
    return {"statusCode": HTTPStatus.NO_CONTENT, "headers": headers, "body": "", "isBase64Encoded": False}


def with_cors(event: dict[str, Any], answer: dict[str, Any], origins: tuple[str, ...]) -> dict[str, Any]:
    """``answer`` (a proxy response) with the CORS headers for the request's origin, if allowed."""
    if not origins:
        return answer
    headers = _config(origins).to_dict(_origin(event))
    headers.pop("Access-Control-Allow-Headers", None)  # the preflight's business
    headers.pop("Access-Control-Max-Age", None)
    headers["Vary"] = "Origin"
    multi = answer.get("multiValueHeaders")
    if isinstance(multi, dict) and multi:
        for key, value in headers.items():
            multi[key] = [value]
    else:
        answer["headers"] = {**(answer.get("headers") or {}), **headers}
    return answer
