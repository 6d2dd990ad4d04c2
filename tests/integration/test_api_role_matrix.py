"""Every route of the API against every role: viewers read; users also start, cancel and approve
runs, upload and search; admins also manage prompts, budgets, settings, the cache, the
tenant's users and its webhooks. A role that may not gets 403 before anything else is looked at;
one that may is never refused for its role. A route added without a line here fails this test."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.tokens import LocalSigningKey
from orchestrator.api.request_gate import ROUTE_METHODS
from orchestrator.api.security import PUBLIC_PATHS
from tests.integration.test_api_handler import call

READ, WRITE, ADMIN = "viewer", "user", "admin"
LEAST_ROLE = {
    ("GET", "/templates"): READ,
    ("GET", "/runs"): READ,
    ("GET", "/runs/{run_id}"): READ,
    ("GET", "/runs/{run_id}/events"): READ,
    ("GET", "/runs/{run_id}/timeline"): READ,
    ("GET", "/runs/{run_id}/lineage"): READ,
    ("GET", "/runs/{a}/diff/{b}"): READ,
    ("GET", "/usage"): READ,
    ("GET", "/prompts"): READ,
    ("GET", "/prompts/{agent}"): READ,
    ("GET", "/tenant"): READ,
    ("POST", "/collections/{run_id}/search"): READ,
    ("POST", "/runs"): WRITE,
    ("POST", "/runs/{run_id}/approval"): WRITE,
    ("POST", "/runs/{run_id}/cancel"): WRITE,
    ("POST", "/runs/{run_id}/resume"): WRITE,
    ("POST", "/runs/{run_id}/replay"): WRITE,
    ("POST", "/uploads"): WRITE,
    ("POST", "/runs/bulk/cancel"): ADMIN,
    ("POST", "/runs/bulk/resume"): ADMIN,
    ("GET", "/settings/models"): ADMIN,
    ("PUT", "/settings/models"): ADMIN,
    ("GET", "/settings/budget"): ADMIN,
    ("PUT", "/settings/budget"): ADMIN,
    ("POST", "/prompts/{agent}/versions"): ADMIN,
    ("POST", "/prompts/{agent}/versions/{version}/activate"): ADMIN,
    ("POST", "/prompts/{agent}/rollback"): ADMIN,
    ("POST", "/cache/invalidations"): ADMIN,
    ("GET", "/tenant/users"): ADMIN,
    ("POST", "/tenant/users"): ADMIN,
    ("POST", "/tenant/users/{username}/disable"): ADMIN,
    ("GET", "/webhooks"): ADMIN,
    ("POST", "/webhooks"): ADMIN,
    ("DELETE", "/webhooks/{endpoint_id}"): ADMIN,
    ("POST", "/webhooks/{endpoint_id}/rotate"): ADMIN,
    ("GET", "/webhooks/{endpoint_id}/deliveries"): ADMIN,
}
RANK = {READ: 0, WRITE: 1, ADMIN: 2}
PARAMS = {
    "run_id": "01m8xafwjzfbhmj10fzjhv7f3q",
    "a": "01m8xafwjzfbhmj10fzjhv7f3q",
    "b": "01m8xafwjzfbhmj10fzjhv7f3r",
    "agent": "ideation",
    "version": "1",
    "username": "bob",
    "endpoint_id": "wh_01m8xafwjzfbhmj10fzjhv7f3q",
}


def test_every_route_is_in_the_matrix() -> None:
    routes = {
        (method, path)
        for path, methods in ROUTE_METHODS.items()
        if path not in PUBLIC_PATHS
        for method in methods
    }
    assert routes == set(LEAST_ROLE)


@pytest.mark.parametrize(("method", "path"), sorted(LEAST_ROLE))
def test_a_role_below_the_routes_gets_403_and_one_at_or_above_is_never_refused_for_its_role(
    api: Any, signing_key: LocalSigningKey, method: str, path: str
) -> None:
    url = path.format(**PARAMS)
    for role, rank in RANK.items():
        token = signing_key.mint(tenant_id="matrix", role=role, subject=f"{role}-1")
        status, body, _ = call(api, method, url, token=token, body={} if method in ("POST", "PUT") else None)
        if rank < RANK[LEAST_ROLE[(method, path)]]:
            assert status == 403 and body["error"] == "ForbiddenAction", (role, method, path, body)
        else:
            assert status not in (401, 403, 500), (role, method, path, body)
