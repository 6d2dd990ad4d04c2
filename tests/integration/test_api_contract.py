"""The served OpenAPI document is a contract: schemathesis generates requests from it (valid and
invalid, with and without a token) and checks every answer against it.

The API function runs in-process behind a small WSGI adapter that turns each request into the
API Gateway proxy event the function receives on AWS; AWS is moto. Every operation gets
``EXAMPLES`` generated requests: more than 1,000 in all.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote

import hypothesis
import pytest
import schemathesis
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.modes import GenerationMode

from handlers import api as api_module
from infra.local.api_server import proxy_event
from infra.local.tokens import LocalSigningKey
from tests.fakes.lambda_context import FakeLambdaContext
from tests.integration.conftest import ApiFunction

EXAMPLES = 60  # per operation; 27 operations
CALLED: list[ApiFunction] = []
"""The API function of the running test (its container); the served document is read without one."""


def _wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """WSGI -> API Gateway proxy event -> the API function -> WSGI."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    headers = {
        key[5:].replace("_", "-").title(): value for key, value in environ.items() if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    # the request target as sent (still percent-encoded), as the local API server passes it on
    query = environ.get("QUERY_STRING")
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(environ.get("PATH_INFO", "/"))
    path = target if "?" in target or not query else f"{target}?{query}"
    event = proxy_event(environ["REQUEST_METHOD"], path, headers, body, "127.0.0.1", "123456789012")
    function = CALLED[-1] if CALLED else api_module
    answer = function.handler(event, FakeLambdaContext())
    text = answer.get("body") or ""
    payload = base64.b64decode(text) if answer.get("isBase64Encoded") else text.encode()
    out_headers = [(k, str(v)) for k, v in (answer.get("headers") or {}).items()]
    for key, values in (answer.get("multiValueHeaders") or {}).items():
        out_headers += [(key, str(v)) for v in values]
    status = int(answer["statusCode"])
    start_response(f"{status} {_phrase(status)}", out_headers)
    return [payload]


def _phrase(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase


schema = schemathesis.openapi.from_wsgi("/openapi.json", _wsgi)  # the document the API serves
# A schema-valid request may still be refused for what a schema cannot say: a cursor that is not
# one of ours, a template or a provider this deployment does not have (400), a run that is not
# the caller's (404) or not waiting (409).
schema.config.checks.positive_data_acceptance.expected_statuses = ["2xx", "400", "401", "403", "404", "409"]
# An invalid body may also be refused for its size before it is parsed (413: bodies over 64 KiB).
schema.config.checks.negative_data_rejection.expected_statuses = [
    "400",
    "401",
    "403",
    "404",
    "405",
    "406",
    "409",
    "413",
    "415",
    "422",
    "428",
    "429",
]


@pytest.fixture
def token(api: ApiFunction, signing_key: LocalSigningKey) -> Iterator[str]:
    CALLED.append(api)
    try:
        yield signing_key.mint(tenant_id="acme", role="admin")
    finally:
        CALLED.remove(api)


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_every_answer_conforms_to_the_served_document(case: Any, token: str) -> None:
    # A case whose headers were made invalid on purpose (the token left out or mangled) is sent as
    # generated: adding the token would undo the mutation, and a valid request would then be
    # reported as invalid data accepted.
    headers = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    negative = headers is not None and headers.mode == GenerationMode.NEGATIVE
    case.call_and_validate(headers=None if negative else {"Authorization": f"Bearer {token}"})
