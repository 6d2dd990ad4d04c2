"""Tenancy and roles on every endpoint: another tenant's resource is a 404 that changes nothing
(tenants whose ids are prefixes of each other included); each role may do exactly what it may."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from infra.local.tokens import LocalSigningKey
from tests.integration.conftest import MotoAws
from tests.integration.test_api_handler import call

WRITES = [
    ("POST", "/runs/{run_id}/approval", {"decision": "approve"}),
    ("POST", "/runs/{run_id}/cancel", None),
    ("POST", "/runs/{run_id}/resume", {}),
]
READS = ["/runs/{run_id}", "/runs/{run_id}/events", "/runs/{run_id}/timeline", "/runs/{run_id}/lineage"]


def _table_items(aws: MotoAws) -> dict[str, list[dict[str, Any]]]:
    """Every item of every table, but the request counters (each request counts for its caller)."""
    dynamodb = boto3.resource("dynamodb")
    return {
        name: [
            item for item in dynamodb.Table(table).scan()["Items"] if not str(item["sk"]).startswith("rate#")
        ]
        for name, table in aws.tables.items()
    }


@pytest.mark.parametrize(
    ("owner", "intruder"), [("acme", "acme-corp"), ("acme-corp", "acme"), ("acme", "globex")]
)
def test_another_tenants_run_is_not_found_on_every_endpoint_and_nothing_changes(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey, owner: str, intruder: str
) -> None:
    owner_token = signing_key.mint(tenant_id=owner, role="admin")
    status, body, _ = call(api, "POST", "/runs", token=owner_token, body={"topic": f"{owner}'s secret plan"})
    assert status == 202
    run_id = body["run_id"]
    tokens = {role: signing_key.mint(tenant_id=intruder, role=role) for role in ("viewer", "user", "admin")}
    before = _table_items(aws)

    for role, token in tokens.items():
        for path in READS:
            status, answer, _ = call(api, "GET", path.format(run_id=run_id), token=token)
            assert status == 404, (role, path, answer)
            assert "secret plan" not in str(answer)
        for method, path, payload in WRITES:
            status, answer, _ = call(api, method, path.format(run_id=run_id), token=token, body=payload)
            # a viewer may not write at all (403, before any lookup); others learn nothing of the run
            assert status == (403 if role == "viewer" else 404), (role, path, answer)
            assert "secret plan" not in str(answer)
        listed = call(api, "GET", "/runs", token=token)[1]["runs"]
        assert run_id not in {run["run_id"] for run in listed}

    assert _table_items(aws) == before, "nothing changed for anyone"


def test_each_role_may_do_exactly_what_it_may(api: Any, signing_key: LocalSigningKey) -> None:
    admin = signing_key.mint(tenant_id="acme", role="admin")
    run_id = call(api, "POST", "/runs", token=admin, body={"topic": "roles"})[1]["run_id"]
    expected = {
        # (method, path): {role: status}; the run is PENDING, so a decision finds no gate (409)
        ("GET", "/templates"): {"viewer": 200, "user": 200, "admin": 200},
        ("GET", "/runs"): {"viewer": 200, "user": 200, "admin": 200},
        ("GET", f"/runs/{run_id}"): {"viewer": 200, "user": 200, "admin": 200},
        ("GET", f"/runs/{run_id}/events"): {"viewer": 200, "user": 200, "admin": 200},
        ("GET", f"/runs/{run_id}/timeline"): {"viewer": 200, "user": 200, "admin": 200},
        ("POST", "/runs"): {"viewer": 403, "user": 202, "admin": 202},
        ("POST", f"/runs/{run_id}/approval"): {"viewer": 403, "user": 409, "admin": 409},
        ("POST", f"/runs/{run_id}/cancel"): {"viewer": 403, "user": 202, "admin": 202},
        ("GET", "/tenant"): {"viewer": 200, "user": 200, "admin": 200},
        ("GET", "/tenant/users"): {"viewer": 403, "user": 403, "admin": 200},
    }
    bodies = {"/runs": {"topic": "by role"}, f"/runs/{run_id}/approval": {"decision": "approve"}}
    for (method, path), by_role in expected.items():
        for role, status in by_role.items():
            token = signing_key.mint(tenant_id="acme", role=role)
            got, answer, _ = call(
                api, method, path, token=token, body=bodies.get(path) if method == "POST" else None
            )
            assert got == status, (method, path, role, answer)
    # and a token with a role the API does not know may not even read
    assert call(api, "GET", "/runs", token=signing_key.mint(tenant_id="acme", role="owner"))[0] == 403


def test_every_api_write_is_audited_with_caller_tenant_and_outcome(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey
) -> None:
    user = signing_key.mint(tenant_id="acme", role="user", subject="alice")
    viewer = signing_key.mint(tenant_id="acme", role="viewer", subject="victor")
    run_id = call(api, "POST", "/runs", token=user, body={"topic": "audited"})[1]["run_id"]
    call(api, "POST", "/runs", token=user, body={"topic": ""})  # invalid: 422
    call(api, "POST", f"/runs/{run_id}/approval", token=user, body={"decision": "approve"})  # no gate: 409
    call(api, "POST", "/runs", token=viewer, body={"topic": "not allowed"})  # 403
    call(api, "POST", f"/runs/{run_id}/cancel", token=user)  # 202 (audited with its details)
    call(api, "POST", "/runs", body={"topic": "no token"})  # 401: no verified tenant, nothing to audit

    actions = [m["detail"] for m in aws.published() if m["detail-type"] == "USER_ACTION"]
    seen = {
        (a["payload"]["action"], a["payload"]["caller"], a["run_id"], a["payload"]["outcome"])
        for a in actions
    }
    assert all(a["tenant_id"] == "acme" for a in actions)
    assert ("start_run", "alice", run_id, "accepted") in seen
    assert ("start_run", "alice", "-", "ValidationError") in seen
    assert ("approval", "alice", run_id, "RunNotActive") in seen
    assert ("cancel", "alice", run_id, "accepted") in seen
    assert len(actions) == 5, seen  # the viewer's refused start included, the tokenless one not
