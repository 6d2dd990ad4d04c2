"""A path no route serves is answered as every other refusal is: a JSON ``{"error", "message"}``
body with a 404, the caller's correlation id, and (for a write) an audit of the attempt."""

from __future__ import annotations

import pytest

from tests.integration.api_calls import ApiClient


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/nothing-here"), ("POST", "/runs/abc/rewind"), ("DELETE", "/cache")]
)
def test_an_unknown_path_is_a_404_in_the_apis_error_shape(
    api_client: ApiClient, method: str, path: str
) -> None:
    # Given a caller with a valid token
    # When they ask for a path no route serves
    status, body, headers = api_client.call_as("admin", method, path, {} if method != "GET" else None)
    # Then the answer is a 404 with the body every other error has, naming the path
    assert status == 404
    assert body == {"error": "NotFound", "message": f"no route serves {method} {path}"}
    assert headers["content-type"] == "application/json"
    assert headers["x-correlation-id"]


def test_an_unknown_path_still_needs_a_token(api_client: ApiClient) -> None:
    status, body, _ = api_client.call_as(None, "GET", "/nothing-here")
    assert status == 401 and body["error"] == "Unauthorized"
