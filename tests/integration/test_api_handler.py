"""The API function in-process against moto: auth, tenancy, validation, runs and events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local.api_server import proxy_event
from infra.local.tokens import LOCAL_AUDIENCE, LOCAL_ISSUER, LocalSigningKey
from orchestrator import constants
from orchestrator.models import EventEnvelope
from orchestrator.repositories.dynamodb import DynamoEventRepository
from tests.integration.conftest import FakeLambdaContext, MotoAws, clear_caches


@pytest.fixture(scope="session")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> LocalSigningKey:
    return LocalSigningKey.load_or_create(Path(tmp_path_factory.mktemp("keys")))


@pytest.fixture
def api(aws: MotoAws, signing_key: LocalSigningKey, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    role = boto3.client("iam").create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    arn = boto3.client("stepfunctions").create_state_machine(
        name="generic", definition=json.dumps(definition), roleArn=role
    )["stateMachineArn"]
    monkeypatch.setenv(constants.ENV_STATE_MACHINES, json.dumps({"generic": arn, "feature_delivery": arn}))
    monkeypatch.setenv(constants.ENV_JWT_ISSUER, LOCAL_ISSUER)
    monkeypatch.setenv(constants.ENV_JWT_AUDIENCE, LOCAL_AUDIENCE)
    monkeypatch.setenv(constants.ENV_JWT_JWKS, json.dumps(signing_key.jwks()))
    clear_caches()
    from handlers import api as api_module

    yield api_module


def call(
    api: Any,
    method: str,
    path: str,
    token: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, dict[str, str]]:
    all_headers = {"Content-Type": "application/json"} | (headers or {})
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    raw = json.dumps(body).encode() if body is not None else b""
    response = api.handler(
        proxy_event(method, path, all_headers, raw, "127.0.0.1", "123456789012"), FakeLambdaContext()
    )
    text = response.get("body") or ""
    merged = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    merged |= {k.lower(): ", ".join(v) for k, v in (response.get("multiValueHeaders") or {}).items()}
    return response["statusCode"], json.loads(text) if text else None, merged


def test_health_needs_no_token(api: Any) -> None:
    assert call(api, "GET", "/health")[:2] == (200, {"status": "ok"})


def test_requests_without_a_valid_token_are_refused(api: Any, signing_key: LocalSigningKey) -> None:
    assert call(api, "GET", "/runs")[0] == 401
    assert call(api, "GET", "/runs", token="not-a-jwt")[0] == 401
    wrong_audience = signing_key.mint(tenant_id="acme", audience="someone-else")
    assert call(api, "GET", "/runs", token=wrong_audience)[0] == 401
    other_key = LocalSigningKey.load_or_create(Path(__import__("tempfile").mkdtemp()))
    assert call(api, "GET", "/runs", token=other_key.mint(tenant_id="acme"))[0] == 401
    expired = signing_key.mint(tenant_id="acme", ttl_seconds=-3600)
    assert call(api, "GET", "/runs", token=expired)[0] == 401


def test_viewers_read_but_cannot_start_runs(api: Any, signing_key: LocalSigningKey) -> None:
    viewer = signing_key.mint(tenant_id="acme", role="viewer")
    assert call(api, "GET", "/runs", token=viewer)[0] == 200
    assert call(api, "POST", "/runs", token=viewer, body={"topic": "x"})[0] == 403
    no_tenant = signing_key.mint(tenant_id="BAD#TENANT")
    assert call(api, "GET", "/runs", token=no_tenant)[0] == 403


def test_a_run_is_accepted_recorded_and_started(api: Any, aws: MotoAws, signing_key: LocalSigningKey) -> None:
    token = signing_key.mint(tenant_id="acme", subject="alice")
    status, body, headers = call(
        api,
        "POST",
        "/runs",
        token=token,
        body={"template": "generic", "topic": "a todo app"},
        headers={"X-Correlation-Id": "corr-123"},
    )
    assert status == 202
    assert body["status"] == "PENDING" and body["correlation_id"] == "corr-123"
    assert headers[constants.CORRELATION_HEADER] == "corr-123"
    executions = boto3.client("stepfunctions").list_executions(
        stateMachineArn=json.loads(__import__("os").environ[constants.ENV_STATE_MACHINES])["generic"]
    )["executions"]
    assert [e["name"] for e in executions] == [body["run_id"]]  # execution name = run id

    status, view, _ = call(api, "GET", f"/runs/{body['run_id']}", token=token)
    assert status == 200
    assert view["topic"] == "a todo app" and view["created_by"] == "alice"
    assert [p["phase"] for p in view["phases"]] == [
        "ideation",
        "research",
        "design",
        "development",
        "execution",
        "review",
        "deployment",
    ]
    assert all(p["status"] == "NOT_STARTED" for p in view["phases"])


def test_another_tenants_run_is_not_found(api: Any, aws: MotoAws, signing_key: LocalSigningKey) -> None:
    acme = signing_key.mint(tenant_id="acme")
    globex = signing_key.mint(tenant_id="globex")
    run_id = call(api, "POST", "/runs", token=acme, body={"topic": "secret plan"})[1]["run_id"]
    status, body, _ = call(api, "GET", f"/runs/{run_id}", token=globex)
    assert status == 404 and body["error"] == "RunNotFound"
    assert call(api, "GET", f"/runs/{run_id}/events", token=globex)[0] == 404
    assert call(api, "GET", "/runs", token=globex)[1]["runs"] == []


def test_invalid_bodies_get_field_level_errors(api: Any, signing_key: LocalSigningKey) -> None:
    token = signing_key.mint(tenant_id="acme")
    status, body, _ = call(api, "POST", "/runs", token=token, body={"topic": "", "colour": "red"})
    assert status == 422
    locations = {d["location"] for d in body["details"]}
    assert "body.topic" in locations and "body.colour" in locations
    status, body, _ = call(api, "POST", "/runs", token=token, body={"topic": "x", "template": "nope"})
    assert status == 400 and "unknown template 'nope'" in body["message"]
    status, body, _ = call(
        api,
        "POST",
        "/runs",
        token=token,
        body={"topic": "x", "options": {"simulate_failure": {"phase": "Bad Phase!", "times": 0}}},
    )
    assert status == 422
    assert {d["location"] for d in body["details"]} == {
        "body.options.simulate_failure.phase",
        "body.options.simulate_failure.times",
    }
    status, body, _ = call(
        api,
        "POST",
        "/runs",
        token=token,
        body={"topic": "x", "options": {"simulate_failure": {"phase": "shipping"}}},
    )
    assert status == 400 and "not a phase of template" in body["message"]


def test_runs_are_listed_in_pages(api: Any, signing_key: LocalSigningKey) -> None:
    token = signing_key.mint(tenant_id="acme")
    created = [
        call(api, "POST", "/runs", token=token, body={"topic": f"t{i}"})[1]["run_id"] for i in range(3)
    ]
    status, page, _ = call(api, "GET", "/runs?limit=2", token=token)
    assert status == 200 and len(page["runs"]) == 2 and page["next_cursor"]
    rest = call(api, "GET", f"/runs?limit=2&cursor={page['next_cursor']}", token=token)[1]
    assert {r["run_id"] for r in page["runs"] + rest["runs"]} == set(created)
    assert call(api, "GET", "/runs?cursor=garbage", token=token)[0] == 400
    assert call(api, "GET", "/runs?limit=0", token=token)[0] == 422


def test_run_events_come_from_the_audit_table(api: Any, aws: MotoAws, signing_key: LocalSigningKey) -> None:
    token = signing_key.mint(tenant_id="acme")
    run_id = call(api, "POST", "/runs", token=token, body={"topic": "x"})[1]["run_id"]
    DynamoEventRepository(aws.tables["Events"]).append(
        EventEnvelope(
            event_type=constants.ORCHESTRATION_STARTED, correlation_id="c", tenant_id="acme", run_id=run_id
        )
    )
    status, body, _ = call(api, "GET", f"/runs/{run_id}/events", token=token)
    assert status == 200 and [e["event_type"] for e in body["events"]] == [constants.ORCHESTRATION_STARTED]


def test_templates_and_openapi_are_served(api: Any, signing_key: LocalSigningKey) -> None:
    token = signing_key.mint(tenant_id="acme", role="viewer")
    status, body, _ = call(api, "GET", "/templates", token=token)
    assert status == 200 and {t["name"] for t in body["templates"]} >= {"generic", "feature_delivery"}
    status, spec, _ = call(api, "GET", "/openapi.json")
    assert status == 200 and "/runs" in spec["paths"]


def test_an_idempotency_key_starts_one_run_however_often_it_is_sent(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme")
    body = {"topic": "charge the card once"}
    first = call(api, "POST", "/runs", token=token, body=body, headers={"Idempotency-Key": "order-42"})
    again = call(api, "POST", "/runs", token=token, body=body, headers={"Idempotency-Key": "order-42"})
    assert first[0] == again[0] == 202
    assert first[1]["run_id"] == again[1]["run_id"]
    assert "idempotent-replayed" not in first[2] and again[2]["idempotent-replayed"] == "true"
    arns = json.loads(__import__("os").environ[constants.ENV_STATE_MACHINES])
    executions = boto3.client("stepfunctions").list_executions(stateMachineArn=arns["generic"])["executions"]
    assert [e["name"] for e in executions] == [first[1]["run_id"]]
    assert len(call(api, "GET", "/runs", token=token)[1]["runs"]) == 1

    # the same key with another body is refused; another tenant's identical key is its own
    reused = call(
        api, "POST", "/runs", token=token, body={"topic": "other"}, headers={"Idempotency-Key": "order-42"}
    )
    assert reused[0] == 422 and reused[1]["error"] == "IdempotencyKeyReused"
    other = signing_key.mint(tenant_id="globex")
    theirs = call(api, "POST", "/runs", token=other, body=body, headers={"Idempotency-Key": "order-42"})
    assert theirs[0] == 202 and theirs[1]["run_id"] != first[1]["run_id"]
    bad = call(api, "POST", "/runs", token=token, body=body, headers={"Idempotency-Key": "x" * 200})
    assert bad[0] == 400 and "Idempotency-Key" in bad[1]["message"]
