"""The served OpenAPI document is a contract: schemathesis generates requests from it (valid and
invalid, with and without a token) and checks every answer against it, with every check it has
and in every phase: the document's examples, coverage (boundaries and each way to be invalid),
fuzzing, and stateful sequences that follow the document's links (start a run, then read, page,
decide or cancel it). Each runs as the tenant's user and as its admin.

The API function runs in-process behind a small WSGI adapter that turns each request into the
API Gateway proxy event the function receives on AWS; AWS is moto. Every operation gets
``EXAMPLES`` generated requests per role besides its coverage cases, and the stateful phase
``SCENARIOS`` sequences of up to ``STEPS`` calls; hypothesis is derandomized, so a run is repeatable.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote

import hypothesis
import pytest
import schemathesis
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.modes import GenerationMode

from handlers import api as api_module
from infra.local.api_server import proxy_event
from infra.local.tokens import LocalSigningKey
from tests.fakes.lambda_context import FakeLambdaContext
from tests.integration.conftest import ApiFunction

EXAMPLES = 30  # per operation and role (fuzzing); 29 operations
SCENARIOS = 15  # stateful sequences per role
STEPS = 6  # calls per sequence at most
ROLES = ("user", "admin")
SETTINGS = hypothesis.settings(
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
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


@pytest.fixture(params=ROLES)
def token(request: pytest.FixtureRequest, api: ApiFunction, signing_key: LocalSigningKey) -> Iterator[str]:
    CALLED.append(api)
    try:
        yield signing_key.mint(tenant_id="acme", role=request.param)
    finally:
        CALLED.remove(api)


@schema.parametrize()
@hypothesis.settings(SETTINGS, max_examples=EXAMPLES)
def test_every_answer_conforms_to_the_served_document(case: Any, token: str) -> None:
    case.call_and_validate(headers=_auth(case, token))


def _auth(case: Any, token: str) -> dict[str, str] | None:
    """The caller's token, unless the case's headers were made invalid on purpose (the token left
    out or mangled): it is sent as generated then, since adding the token would undo the mutation
    and a valid request would be reported as invalid data accepted."""
    headers = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    negative = headers is not None and headers.mode == GenerationMode.NEGATIVE
    return None if negative else {"Authorization": f"Bearer {token}"}


def test_linked_calls_conform_to_the_served_document(token: str) -> None:
    # Given the document's links (a started run leads to its view, events, timeline, approval and
    # cancel; a page of runs or events to the next one)
    assert {"GetRun", "CancelRun", "DecideApproval"} <= set(_links("/runs", "post", "202"))
    assert "NextPage" in _links("/runs", "get", "200")  # (schemathesis adds the links it infers)

    class LinkedCalls(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            headers = _auth(case, token)
            return {"headers": headers} if headers else {}

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            # as schemathesis' own, and the checks told which headers were ours (the token is not
            # generated auth that the API should have refused)
            case.validate_response(
                response,
                additional_checks=additional_checks,
                headers=kwargs.get("headers"),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    # When schemathesis follows them in sequences of calls, Then every answer conforms
    run_state_machine_as_test(
        LinkedCalls, settings=hypothesis.settings(SETTINGS, max_examples=SCENARIOS, stateful_step_count=STEPS)
    )


def test_every_listing_with_a_cursor_documents_the_refusal_of_a_cursor_not_its_own() -> None:
    # Given every operation that takes a cursor
    operations = [
        (path, method, op)
        for path, methods in schema.raw_schema["paths"].items()
        for method, op in methods.items()
        if any(p["name"] == "cursor" for p in op.get("parameters", []))
    ]
    assert {(path, method) for path, method, _ in operations} == {
        ("/runs", "get"),
        ("/runs/{run_id}/events", "get"),
        ("/webhooks/{endpoint_id}/deliveries", "get"),
    }
    for path, method, op in operations:
        # Then a cursor it did not hand out (a schema-valid string) is a documented 400 in the error shape
        refused = op["responses"]["400"]["content"]["application/json"]["schema"]
        assert refused == {"$ref": "#/components/schemas/ErrorBody"}, (path, method)
        # And the parameter says where a valid cursor comes from, and the next page links it
        cursor = next(p for p in op["parameters"] if p["name"] == "cursor")
        assert "next_cursor" in cursor.get("description", ""), (path, method)
        assert (
            _links(path, method, "200")["NextPage"]["parameters"]["cursor"] == "$response.body#/next_cursor"
        )


def _links(path: str, method: str, status: str) -> dict[str, Any]:
    return dict(schema.raw_schema["paths"][path][method]["responses"][status].get("links", {}))
