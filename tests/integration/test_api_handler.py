"""The API function in-process against moto: auth, tenancy, validation, runs, events, approvals, cancel."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local.api_server import proxy_event
from infra.local.tokens import LocalSigningKey
from orchestrator.adapters.dynamodb import DynamoEventRepository
from orchestrator.core import constants
from orchestrator.core.records import EventEnvelope, RunStatus
from tests.fakes.lambda_context import FakeLambdaContext
from tests.fakes.task_tokens import FakeTaskTokens
from tests.integration.conftest import MotoAws


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


def test_a_body_that_is_not_utf8_is_a_400_not_a_crash(api: Any, signing_key: LocalSigningKey) -> None:
    token = signing_key.mint(tenant_id="acme")
    for raw in (b"\xff\xfe{}", b'{"topic": "caf\xe9"}'):
        event = proxy_event(
            "POST",
            "/runs",
            {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            raw,
            "127.0.0.1",
            "123456789012",
        )
        assert event["isBase64Encoded"] is True  # as API Gateway passes bytes that are not text
        response = api.handler(event, FakeLambdaContext())
        assert response["statusCode"] == 400
        assert json.loads(response["body"]) == {
            "error": "InvalidRequest",
            "message": "the request body is not UTF-8 text",
        }
    # a base64 body that is text goes on to the route (and its validation) as usual
    ok = proxy_event("POST", "/runs", {"Authorization": f"Bearer {token}"}, b"not json", "127.0.0.1", "1")
    assert api.handler(ok, FakeLambdaContext())["statusCode"] in (400, 422)


def test_every_request_logs_under_its_own_correlation_id(
    api: Any, signing_key: LocalSigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestrator.core.observability import logger

    lines = io.StringIO()
    monkeypatch.setattr(logger.registered_handler, "stream", lines)
    token = signing_key.mint(tenant_id="acme")
    # Given a warm function that served a request with the caller's correlation id
    _, _, first = call(api, "GET", "/runs", token=token, headers={"X-Correlation-Id": "corr-first"})
    assert first["x-correlation-id"] == "corr-first"
    lines.seek(0)
    lines.truncate()
    # When the next requests come without one (or with one that is not a plain token)
    _, _, second = call(api, "POST", "/runs", token=token, body={"topic": "second"})
    bad = {"X-Correlation-Id": "bad id\n{}"}
    _, _, third = call(api, "POST", "/runs", token=token, body={"topic": "third"}, headers=bad)
    logs = lines.getvalue()
    # Then each gets its own id, in its logs and on its response; the earlier id never reappears
    assert "corr-first" not in logs
    assert second["x-correlation-id"] not in ("corr-first", third["x-correlation-id"])
    assert third["x-correlation-id"] != "bad id\n{}"
    assert second["x-correlation-id"] in logs and third["x-correlation-id"] in logs


def test_the_openapi_document_declares_every_answer_with_its_schema(api: Any) -> None:
    status, spec, _ = call(api, "GET", "/openapi.json")
    assert status == 200
    WRITE = {"400", "401", "403", "413", "415", "422", "429", "503"}
    expected = {
        ("post", "/runs"): WRITE | {"202", "402", "404"},
        ("get", "/runs"): {"200", "400", "401", "403", "422", "429", "503"},
        ("get", "/runs/{run_id}"): {"200", "401", "403", "404", "422", "429", "503"},
        ("post", "/runs/{run_id}/approval"): WRITE | {"200", "404", "409"},
        ("post", "/runs/{run_id}/cancel"): WRITE | {"202", "404", "409"},
        ("get", "/runs/{run_id}/events"): {"200", "400", "401", "403", "404", "422", "429", "503"},
        ("get", "/templates"): {"200", "401", "403", "422", "429", "503"},
    }
    for (method, path), codes in expected.items():
        answers = spec["paths"][path][method]["responses"]
        assert set(answers) == codes, (method, path, sorted(answers))
        for code, answer in answers.items():
            assert "$ref" in answer["content"]["application/json"]["schema"], (method, path, code)
    schemas = spec["components"]["schemas"]
    assert schemas["RunAccepted"]["required"] == ["run_id", "status", "template", "correlation_id", "links"]
    # the providers a run may name are in the request schema: an unknown one is a 422 naming the field
    options = schemas["RunOptions"]["properties"]["provider"]
    assert {"offline", "anthropic", "openai", "openai_compatible"} <= set(json.dumps(options).split('"'))


def test_an_unknown_provider_is_a_422_naming_the_field(api: Any, signing_key: LocalSigningKey) -> None:
    token = signing_key.mint(tenant_id="acme")
    status, body, _ = call(
        api, "POST", "/runs", token=token, body={"topic": "t", "options": {"provider": "gemini"}}
    )
    assert status == 422
    assert [d["location"] for d in body["details"]] == ["body.options.provider"]


def test_a_started_run_is_located_and_runs_can_be_listed_by_status(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme")
    status, body, headers = call(api, "POST", "/runs", token=token, body={"topic": "first"})
    assert status == 202 and headers["location"] == f"/runs/{body['run_id']}"
    first = body["run_id"]
    call(api, "POST", "/runs", token=token, body={"topic": "second"})
    api.container.runs.update_status("acme", first, RunStatus.CANCELLED)
    # Then a status filter finds exactly the runs in that status, following the cursor
    found: list[str] = []
    cursor: str | None = None
    while True:
        query = "/runs?status=CANCELLED&limit=1" + (f"&cursor={cursor}" if cursor else "")
        status, page, _ = call(api, "GET", query, token=token)
        assert status == 200, page
        found += [run["run_id"] for run in page["runs"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert found == [first]
    status, body, _ = call(api, "GET", "/runs?status=SOMETIMES", token=token)
    assert status == 422 and body["details"][0]["location"] == "query.status"


def test_a_run_without_a_template_runs_the_default_the_document_declares(
    api: Any, signing_key: LocalSigningKey
) -> None:
    # Given the published document: ``template`` is optional, its default named and explained
    status, spec, _ = call(api, "GET", "/openapi.json")
    request = spec["components"]["schemas"]["RunRequest"]
    assert "template" not in request["required"]
    assert request["properties"]["template"]["default"] == "generic"
    assert "absent: 'generic'" in request["properties"]["template"]["description"]
    # When a run is started without one
    token = signing_key.mint(tenant_id="acme")
    status, body, _ = call(api, "POST", "/runs", token=token, body={"topic": "no template named"})
    # Then it runs that default, and says so in its answer
    assert status == 202 and body["template"] == "generic"


def test_a_body_over_the_limit_is_a_413_before_anything_is_read(
    api: Any, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme")
    status, body, _ = call(api, "POST", "/runs", token=token, body={"topic": "x" * (70 * 1024)})
    assert status == 413 and body["error"] == "PayloadTooLarge" and "65536" in body["message"]


def test_requests_without_a_valid_token_are_refused(api: Any, signing_key: LocalSigningKey) -> None:
    assert call(api, "GET", "/runs")[0] == 401
    assert call(api, "GET", "/runs", token="not-a-jwt")[0] == 401
    wrong_audience = signing_key.mint(tenant_id="acme", audience="someone-else")
    assert call(api, "GET", "/runs", token=wrong_audience)[0] == 401
    other_key = LocalSigningKey.load_or_create(Path(__import__("tempfile").mkdtemp()))
    assert call(api, "GET", "/runs", token=other_key.mint(tenant_id="acme"))[0] == 401
    expired = signing_key.mint(tenant_id="acme", ttl_seconds=-3600)
    assert call(api, "GET", "/runs", token=expired)[0] == 401
    # a token whose payload was changed (another tenant) no longer matches its signature
    header, payload, signature = signing_key.mint(tenant_id="acme").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = (
        base64.urlsafe_b64encode(json.dumps(claims | {"tenant_id": "globex"}).encode()).rstrip(b"=").decode()
    )
    assert call(api, "GET", "/runs", token=f"{header}.{forged}.{signature}")[0] == 401
    # an unsigned token (alg: none) is never accepted
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    assert call(api, "GET", "/runs", token=f"{none_header}.{payload}.")[0] == 401
    # and a 401 says nothing about the request it refused
    status, body, headers = call(
        api, "POST", "/runs", body={"topic": ""}, headers={"Authorization": "Basic x"}
    )
    assert status == 401 and "topic" not in json.dumps(body) and headers["www-authenticate"] == "Bearer"


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
        stateMachineArn=api.container.settings.state_machines["generic"]
    )["executions"]
    assert [e["name"] for e in executions] == [body["run_id"]]  # execution name = run id

    status, view, _ = call(api, "GET", f"/runs/{body['run_id']}", token=token)
    assert status == 200
    assert view["topic"] == "a todo app" and view["created_by"] == "alice"
    assert [p["step"] for p in view["steps"]] == [
        "ideation",
        "research",
        "design",
        "development",
        "execution",
        "review",
        "deployment",
    ]
    assert all(p["status"] == "NOT_STARTED" for p in view["steps"])


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
        body={"topic": "x", "options": {"simulate_failure": {"step": "Bad Phase!", "times": 0}}},
    )
    assert status == 422
    assert {d["location"] for d in body["details"]} == {
        "body.options.simulate_failure.step",
        "body.options.simulate_failure.times",
    }
    status, body, _ = call(
        api,
        "POST",
        "/runs",
        token=token,
        body={"topic": "x", "options": {"simulate_failure": {"step": "shipping"}}},
    )
    assert status == 400 and "is not an agent step of template" in body["message"]


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
    arns = api.container.settings.state_machines
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


def test_a_refused_request_does_not_burn_its_idempotency_key(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme")
    key = {"Idempotency-Key": "order-43"}
    # Given a request refused with 400 (an unknown template, an unserved provider)
    for wrong in ({"topic": "t", "template": "nope"}, {"topic": "t", "options": {"provider": "openai"}}):
        status, body, _ = call(api, "POST", "/runs", token=token, body=wrong, headers=key)
        assert status in (400, 404), body
    # When the client corrects it and sends it again with the same key
    status, body, headers = call(api, "POST", "/runs", token=token, body={"topic": "t"}, headers=key)
    # Then the corrected request starts its run (not 422: the key was never claimed)
    assert status == 202, body
    assert "idempotent-replayed" not in headers


# --- approval gates and cancel -------------------------------------------------------------------
GATE_TOKEN = "AQCEAAAAKgAAAAMAAAAAAAAAAfake-task-token-of-sign-off"


@pytest.fixture
def tokens(api: Any) -> FakeTaskTokens:
    fake = FakeTaskTokens()
    api.container.task_tokens = fake  # type: ignore[assignment]  # the function's, from now on
    return fake


def _waiting_run(api: Any, token: str) -> str:
    """A graph_showcase run that reached its sign-off gate: started through the API, its gate
    opened by the real ApprovalGate handler (as the state machine's .waitForTaskToken task does)."""
    accepted = call(api, "POST", "/runs", token=token, body={"template": "graph_showcase", "topic": "x"})[1]
    run = api.container.runs.get("acme", accepted["run_id"])
    api.container.runs.update_status("acme", run.run_id, RunStatus.RUNNING)
    from handlers import approval_gate

    opened = approval_gate.handler(
        {
            "tenant_id": run.tenant_id,
            "run_id": run.run_id,
            "correlation_id": run.correlation_id,
            "template": run.template,
            "step": "sign_off",
            "task_token": GATE_TOKEN,
        },
        FakeLambdaContext(),
        container=api.container,
    )
    assert opened == {"step": "sign_off", "status": "WAITING"}
    return run.run_id


def _published(aws: MotoAws, event_type: str) -> list[dict[str, Any]]:
    return [m["detail"] for m in aws.published() if m["detail-type"] == event_type]


def _step(view: dict[str, Any], name: str) -> dict[str, Any]:
    return next(step for step in view["steps"] if step["step"] == name)


def test_a_waiting_run_shows_its_gate_but_never_the_token(
    api: Any, aws: MotoAws, tokens: FakeTaskTokens, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme", subject="alice")
    run_id = _waiting_run(api, token)
    status, view, _ = call(api, "GET", f"/runs/{run_id}", token=token)
    assert status == 200 and view["status"] == "AWAITING_APPROVAL"
    assert view["awaiting"]["step"] == "sign_off" and view["awaiting"]["title"] == "Sign off release"
    assert set(view["awaiting"]["roles"]) == {"user", "admin"}
    assert _step(view, "sign_off")["status"] == "WAITING"
    assert GATE_TOKEN not in json.dumps(view)
    requested = _published(aws, constants.APPROVAL_REQUESTED)
    assert [e["run_id"] for e in requested] == [run_id] and GATE_TOKEN not in json.dumps(requested)


def test_approving_resumes_the_run_with_the_gates_token(
    api: Any, aws: MotoAws, tokens: FakeTaskTokens, signing_key: LocalSigningKey
) -> None:
    # Given a run waiting at its sign-off gate
    token = signing_key.mint(tenant_id="acme", subject="alice")
    run_id = _waiting_run(api, token)
    aws.published()  # drain what starting and waiting published
    # When a user approves it
    status, body, _ = call(
        api,
        "POST",
        f"/runs/{run_id}/approval",
        token=token,
        body={"decision": "approve", "comment": "ship it"},
    )
    # Then the execution is resumed through the gate's own token, and the run runs again
    assert status == 200, body
    assert body == {"run_id": run_id, "status": "RUNNING", "decision": "approve"}
    assert tokens.calls == [("succeed", GATE_TOKEN, {"step": "sign_off", "decision": "approve"})]
    view = call(api, "GET", f"/runs/{run_id}", token=token)[1]
    assert view["status"] == "RUNNING" and view["awaiting"] is None
    gate = _step(view, "sign_off")
    assert gate["status"] == "APPROVED"
    assert gate["decision"]["decided_by"] == "alice" and gate["decision"]["comment"] == "ship it"
    (action,) = _published(aws, constants.USER_ACTION)
    assert action["payload"]["action"] == "approval" and action["payload"]["caller"] == "alice"
    # And the gate cannot be decided again
    again = call(api, "POST", f"/runs/{run_id}/approval", token=token, body={"decision": "reject"})
    assert again[0] == 409 and again[1]["error"] == "RunNotActive"
    assert len(tokens.calls) == 1


def test_rejecting_fails_the_gate_with_the_error_the_state_machine_catches(
    api: Any, tokens: FakeTaskTokens, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme", subject="bob", role="admin")
    run_id = _waiting_run(api, token)
    status, body, _ = call(
        api,
        "POST",
        f"/runs/{run_id}/approval",
        token=token,
        body={"decision": "reject", "comment": "too risky"},
    )
    assert status == 200 and body["decision"] == "reject"
    assert tokens.calls == [
        ("fail", GATE_TOKEN, "ApprovalRejected", "bob rejected at Sign off release: too risky")
    ]
    assert _step(call(api, "GET", f"/runs/{run_id}", token=token)[1], "sign_off")["status"] == "REJECTED"
    # a second decision, even while the run still shows AWAITING_APPROVAL, is refused
    again = call(api, "POST", f"/runs/{run_id}/approval", token=token, body={"decision": "approve"})
    assert again[0] == 409 and "decided already" in again[1]["message"]
    assert len(tokens.calls) == 1


def test_approvals_are_refused_to_viewers_other_tenants_and_runs_not_waiting(
    api: Any, tokens: FakeTaskTokens, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme")
    run_id = _waiting_run(api, token)
    approve = {"decision": "approve"}
    # a viewer may look, never decide
    viewer = signing_key.mint(tenant_id="acme", role="viewer")
    assert call(api, "POST", f"/runs/{run_id}/approval", token=viewer, body=approve)[0] == 403
    # another tenant's run does not exist for the caller
    globex = signing_key.mint(tenant_id="globex")
    status, body, _ = call(api, "POST", f"/runs/{run_id}/approval", token=globex, body=approve)
    assert status == 404 and body["error"] == "RunNotFound"
    # a run that is not waiting at a gate cannot be approved
    pending = call(api, "POST", "/runs", token=token, body={"topic": "no gate here"})[1]["run_id"]
    status, body, _ = call(api, "POST", f"/runs/{pending}/approval", token=token, body=approve)
    assert status == 409 and "not waiting for approval" in body["message"]
    assert tokens.calls == []
    assert call(api, "GET", f"/runs/{run_id}", token=token)[1]["status"] == "AWAITING_APPROVAL"


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"decision": "maybe"}, "body.decision"),
        ({"comment": "no decision"}, "body.decision"),
        ({"decision": "approve", "comment": "x" * 1001}, "body.comment"),
        ({"decision": "approve", "step": "sign_off"}, "body.step"),
    ],
)
def test_invalid_approval_bodies_get_field_level_errors(
    api: Any, tokens: FakeTaskTokens, signing_key: LocalSigningKey, body: dict[str, Any], location: str
) -> None:
    token = signing_key.mint(tenant_id="acme")
    run_id = _waiting_run(api, token)
    status, response, _ = call(api, "POST", f"/runs/{run_id}/approval", token=token, body=body)
    assert status == 422 and location in {d["location"] for d in response["details"]}
    assert tokens.calls == []


def test_a_late_decision_on_a_gate_that_timed_out_is_a_conflict(
    api: Any, tokens: FakeTaskTokens, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme")
    run_id = _waiting_run(api, token)
    tokens.expired = True  # Step Functions answers TaskTimedOut
    status, body, _ = call(api, "POST", f"/runs/{run_id}/approval", token=token, body={"decision": "reject"})
    assert status == 409 and body["error"] == "RunNotActive"


def test_cancelling_a_running_run_asks_its_next_step_to_stop(
    api: Any, aws: MotoAws, tokens: FakeTaskTokens, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme", subject="carol")
    run_id = call(api, "POST", "/runs", token=token, body={"topic": "x"})[1]["run_id"]
    aws.published()
    status, body, _ = call(api, "POST", f"/runs/{run_id}/cancel", token=token)
    assert status == 202 and body == {"run_id": run_id, "status": "PENDING", "cancel_requested": True}
    view = call(api, "GET", f"/runs/{run_id}", token=token)[1]
    assert view["cancel_requested_by"] == "carol" and view["cancel_requested_at"]
    assert tokens.calls == [], "no gate is open"
    (action,) = _published(aws, constants.USER_ACTION)
    assert action["payload"] == {"action": "cancel", "caller": "carol", "outcome": "accepted"}
    # asking again changes nothing: the first request stands
    dave = signing_key.mint(tenant_id="acme", subject="dave")
    assert call(api, "POST", f"/runs/{run_id}/cancel", token=dave)[0] == 202
    again = call(api, "GET", f"/runs/{run_id}", token=token)[1]
    assert again["cancel_requested_by"] == "carol"
    assert again["cancel_requested_at"] == view["cancel_requested_at"]


def test_cancelling_a_waiting_run_fails_its_gate_at_once(
    api: Any, tokens: FakeTaskTokens, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme", subject="carol")
    run_id = _waiting_run(api, token)
    status, body, _ = call(api, "POST", f"/runs/{run_id}/cancel", token=token)
    assert status == 202 and body["status"] == "AWAITING_APPROVAL"
    assert tokens.calls == [("fail", GATE_TOKEN, "RunCancelled", "carol cancelled the run")]


def test_a_cancel_racing_the_gates_end_still_succeeds(
    api: Any, tokens: FakeTaskTokens, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme")
    run_id = _waiting_run(api, token)
    tokens.expired = True  # the gate timed out meanwhile: the next step sees the cancel
    assert call(api, "POST", f"/runs/{run_id}/cancel", token=token)[0] == 202
    assert call(api, "GET", f"/runs/{run_id}", token=token)[1]["cancel_requested_at"]


def test_cancel_is_refused_to_viewers_other_tenants_and_ended_runs(
    api: Any, tokens: FakeTaskTokens, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme")
    run_id = call(api, "POST", "/runs", token=token, body={"topic": "x"})[1]["run_id"]
    viewer = signing_key.mint(tenant_id="acme", role="viewer")
    assert call(api, "POST", f"/runs/{run_id}/cancel", token=viewer)[0] == 403
    globex = signing_key.mint(tenant_id="globex")
    assert call(api, "POST", f"/runs/{run_id}/cancel", token=globex)[0] == 404
    assert call(api, "GET", f"/runs/{run_id}", token=token)[1]["cancel_requested_at"] is None
    api.container.runs.update_status("acme", run_id, RunStatus.SUCCEEDED)
    status, body, _ = call(api, "POST", f"/runs/{run_id}/cancel", token=token)
    assert status == 409 and "nothing to cancel" in body["message"]
    assert call(api, "POST", "/runs/0123456789abcdefghijklmnop/cancel", token=token)[0] == 404


def test_searching_a_collection_on_a_deployment_without_vector_storage_is_a_404(
    api: Any, signing_key: LocalSigningKey
) -> None:
    # Given a deployment without a vector bucket (the api fixture's), and a run of the caller's
    token = signing_key.mint(tenant_id="acme")
    run_id = call(api, "POST", "/runs", token=token, body={"topic": "a repository"})[1]["run_id"]
    # When its collection is searched
    status, body, _ = call(api, "POST", f"/collections/{run_id}/search", token=token, body={"query": "x"})
    # Then the answer says there is none, instead of a server error
    assert status == 404, body
    assert body["error"] == "CollectionNotFound" and "stores no vectors" in body["message"]


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b'{"topic": ' + b"[" * 990 + b"]" * 990 + b"}", "more than 32 levels deep"),
        (b'{"topic": "t", "options": ' + b'{"a": ' * 40 + b"1" + b"}" * 41, "more than 32 levels deep"),
        (b'{"topic": "t", "inputs": {"x": NaN}}', "NaN is not a JSON number"),
        (b'{"topic": "t", "inputs": {"x": -Infinity}}', "-Infinity is not a JSON number"),
    ],
)
def test_a_body_nested_too_deeply_or_with_non_json_numbers_is_a_400(
    api: Any, signing_key: LocalSigningKey, raw: bytes, says: str
) -> None:
    token = signing_key.mint(tenant_id="acme")
    event = proxy_event(
        "POST",
        "/runs",
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        raw,
        "127.0.0.1",
        "123456789012",
    )
    response = api.handler(event, FakeLambdaContext())
    body = json.loads(response["body"])
    assert response["statusCode"] == 400, body
    assert says in body["message"]
    assert call(api, "GET", "/runs", token=token)[1]["runs"] == []  # nothing started
