"""The API in front of the tenants table: a tenant that is not onboarded, or disabled, is refused
(403) on its next request; one past its plan's request rate gets 429 with Retry-After, and the
refused write is audited; a run past its concurrent runs is queued (``test_run_queue.py``)."""

from __future__ import annotations

import json
from typing import Any

from infra.local.tokens import LocalSigningKey
from orchestrator.core.records import RunStatus
from orchestrator.tenancy.plans import TenantStatus
from tests.integration.conftest import MotoAws, onboard
from tests.integration.test_api_handler import call

BODY = {"template": "generic", "topic": "a todo app"}


def _unonboarded_token(signing_key: LocalSigningKey, tenant_id: str) -> str:
    return LocalSigningKey.mint(signing_key, tenant_id=tenant_id, role="admin", subject="mallory")


def test_a_tenant_that_is_not_onboarded_is_refused_on_every_request(
    api: Any, signing_key: LocalSigningKey, aws: MotoAws
) -> None:
    token = _unonboarded_token(signing_key, "stranger")
    for method, path in (("GET", "/runs"), ("POST", "/runs"), ("GET", "/usage")):
        status, body, headers = call(api, method, path, token=token, body=BODY if method == "POST" else None)
        assert status == 403 and body["error"] == "TenantNotActive", (path, body)
        assert "not onboarded" in body["message"] and headers.get("x-correlation-id")
    # the refused write is in the audit, with its caller and outcome
    actions = [e["detail"] for e in aws.published() if e["detail-type"] == "USER_ACTION"]
    assert [(a["payload"]["action"], a["payload"]["caller"], a["payload"]["outcome"]) for a in actions] == [
        ("start_run", "mallory", "TenantNotActive")
    ]
    assert all(a["tenant_id"] == "stranger" for a in actions)


def test_a_disabled_tenant_is_refused_at_once(api: Any, signing_key: LocalSigningKey) -> None:
    token = signing_key.mint(tenant_id="soon-gone", role="user", subject="u")
    assert call(api, "GET", "/runs", token=token)[0] == 200
    api.container.tenants.set_status("soon-gone", TenantStatus.DISABLED, by="operator")
    status, body, _ = call(api, "GET", "/runs", token=token)  # the same warm function, the next request
    assert status == 403 and "disabled" in body["message"]


def test_a_tenant_past_its_request_rate_gets_429_and_others_do_not(
    api: Any, signing_key: LocalSigningKey
) -> None:
    onboard("chatty", requests_per_minute=2)
    chatty = signing_key.mint(tenant_id="chatty", role="viewer", subject="v")
    quiet = signing_key.mint(tenant_id="quiet", role="viewer", subject="v")
    answers = [call(api, "GET", "/runs", token=chatty) for _ in range(5)]
    statuses = [status for status, _, _ in answers]
    assert statuses.count(429) >= 1, statuses  # a minute may turn over once: at most 4 get through
    _, body, headers = next(a for a in answers if a[0] == 429)
    assert body["error"] == "TenantLimitReached" and body["limit"] == "requests_per_minute"
    assert 1 <= int(headers["retry-after"]) <= 60
    assert call(api, "GET", "/runs", token=quiet)[0] == 200


def test_a_run_past_the_concurrent_run_limit_is_queued_not_refused(
    api: Any, signing_key: LocalSigningKey
) -> None:
    onboard("single", max_concurrent_runs=1)
    token = signing_key.mint(tenant_id="single", role="user", subject="u")
    first = call(api, "POST", "/runs", token=token, body=BODY)
    assert first[0] == 202, first[1]
    status, body, _ = call(api, "POST", "/runs", token=token, body=BODY)
    assert status == 202 and body["status"] == "QUEUED" and body["queue_position"] == 1, body
    assert api.container.tenants.active_run_ids("single") == [first[1]["run_id"]]
    assert json.dumps(body).find("Traceback") == -1


def test_a_slot_an_ended_run_never_gave_back_is_reclaimed_when_the_plan_is_full(
    api: Any, signing_key: LocalSigningKey
) -> None:
    onboard("leaky", max_concurrent_runs=1)
    token = signing_key.mint(tenant_id="leaky", role="user", subject="u")
    first = call(api, "POST", "/runs", token=token, body=BODY)[1]["run_id"]
    # the run ends, but its slot's release is lost (the function stopped in between)
    api.container.runs.update_status(
        "leaky", first, RunStatus.SUCCEEDED, finished_at="2026-01-01T00:00:00+00:00"
    )
    assert api.container.tenants.active_run_ids("leaky") == [first]
    status, body, _ = call(api, "POST", "/runs", token=token, body=BODY)
    assert status == 202 and body["status"] == "PENDING", body  # it started at once
    assert api.container.tenants.active_run_ids("leaky") == [body["run_id"]]
    # a run still in progress keeps its slot: the next one waits
    assert call(api, "POST", "/runs", token=token, body=BODY)[1]["status"] == "QUEUED"
