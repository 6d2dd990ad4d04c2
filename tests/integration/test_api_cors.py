"""Cross-origin calls from the web console: the API function answers the origins it is configured
with (``CORS_ALLOWED_ORIGINS``) and no other, on answers and refusals alike."""

from __future__ import annotations

import pytest

from infra.local.tokens import LocalSigningKey
from orchestrator.core.settings import Settings
from tests.integration.conftest import ApiFunction
from tests.integration.test_api_handler import call

CONSOLE = "http://127.0.0.1:8081"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}


@pytest.fixture
def console_api(api: ApiFunction) -> ApiFunction:
    api.aws.configure(cors_allowed_origins=f"{CONSOLE},https://console.example.com")
    return api


def test_the_consoles_preflight_is_answered_without_a_token(console_api: ApiFunction) -> None:
    status, _, headers = call(
        console_api, "OPTIONS", "/runs/01abc/approval", headers={"Origin": CONSOLE} | PREFLIGHT
    )
    assert status == 204
    assert headers["access-control-allow-origin"] == CONSOLE
    assert "POST" in headers["access-control-allow-methods"].split(",")
    allowed = {h.strip().lower() for h in headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "if-match"} <= allowed
    assert headers["vary"] == "Origin"


def test_another_origin_gets_no_cors_header(console_api: ApiFunction, signing_key: LocalSigningKey) -> None:
    elsewhere = {"Origin": "https://evil.example"}
    status, _, headers = call(console_api, "OPTIONS", "/runs", headers=elsewhere | PREFLIGHT)
    assert status == 204 and "access-control-allow-origin" not in headers
    token = signing_key.mint(tenant_id="acme")
    status, _, headers = call(console_api, "GET", "/runs", token=token, headers=elsewhere)
    assert status == 200 and "access-control-allow-origin" not in headers


def test_answers_and_refusals_carry_the_consoles_origin(
    console_api: ApiFunction, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme")
    status, _, headers = call(console_api, "GET", "/runs", token=token, headers={"Origin": CONSOLE})
    assert status == 200 and headers["access-control-allow-origin"] == CONSOLE
    assert "x-correlation-id" in headers["access-control-expose-headers"].lower()
    # a refusal by the request gate (no token) is readable by the console too
    status, body, headers = call(console_api, "GET", "/runs", headers={"Origin": CONSOLE})
    assert (status, body["error"]) == (401, "Unauthorized")
    assert headers["access-control-allow-origin"] == CONSOLE
    # and so is a refusal by a route (another tenant's run is not found)
    status, _, headers = call(
        console_api, "GET", "/runs/01m9nosuchrun00000000000000", token=token, headers={"Origin": CONSOLE}
    )
    assert status == 404 and headers["access-control-allow-origin"] == CONSOLE


def test_without_configured_origins_there_is_no_preflight_and_no_header(
    api: ApiFunction, signing_key: LocalSigningKey
) -> None:
    status, _, headers = call(api, "OPTIONS", "/runs", headers={"Origin": CONSOLE} | PREFLIGHT)
    assert status == 405 and "access-control-allow-origin" not in headers
    token = signing_key.mint(tenant_id="acme")
    _, _, headers = call(api, "GET", "/runs", token=token, headers={"Origin": CONSOLE})
    assert "access-control-allow-origin" not in headers


@pytest.mark.parametrize(
    "bad", ["*", "https://console.example.com/path", "ftp://files.example", "console.example"]
)
def test_an_allowed_origin_must_be_an_origin(bad: str) -> None:
    with pytest.raises(ValueError, match="is not an origin"):
        Settings.of(cors_allowed_origins=f"http://127.0.0.1:8081,{bad}")
