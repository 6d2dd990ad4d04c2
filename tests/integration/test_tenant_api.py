"""``/tenant``: a tenant's own plan and limits for every role; its users for its admins, created
in the stack's user pool with the caller's tenant (never the body's) and disabled only there."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from infra.local.tokens import LocalSigningKey
from tests.integration.api_calls import ApiClient
from tests.integration.conftest import MotoAws, onboard
from tests.integration.test_api_handler import call


@pytest.fixture
def user_pool(aws: MotoAws) -> str:
    pool_id = str(
        boto3.client("cognito-idp").create_user_pool(
            PoolName="users",
            Schema=[
                {"Name": "tenant_id", "AttributeDataType": "String", "Mutable": True},
                {"Name": "role", "AttributeDataType": "String", "Mutable": True},
            ],
        )["UserPool"]["Id"]
    )
    aws.configure(user_pool_id=pool_id)
    return pool_id


def _attributes(pool_id: str, username: str) -> dict[str, Any]:
    user = boto3.client("cognito-idp").admin_get_user(UserPoolId=pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]} | {"Enabled": user["Enabled"]}


def test_every_role_sees_its_own_tenants_plan_and_limits(api: Any, signing_key: LocalSigningKey) -> None:
    onboard("acme-corp", requests_per_minute=1234, max_concurrent_runs=7)
    status, body, _ = call(
        api, "GET", "/tenant", token=signing_key.mint(tenant_id="acme-corp", role="viewer")
    )
    assert status == 200, body
    assert body["tenant_id"] == "acme-corp" and body["status"] == "active"
    assert (body["requests_per_minute"], body["max_concurrent_runs"], body["active_runs"]) == (1234, 7, 0)
    other = call(api, "GET", "/tenant", token=signing_key.mint(tenant_id="acme", role="viewer"))[1]
    assert other["tenant_id"] == "acme"  # its own, whatever the prefix


def test_an_admin_adds_a_user_to_its_own_tenant_only(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey, user_pool: str
) -> None:
    admin = signing_key.mint(tenant_id="acme", role="admin", subject="alice")
    # the tenant is the caller's: a body naming one is refused, as is any unknown field
    status, body, _ = call(
        api,
        "POST",
        "/tenant/users",
        token=admin,
        body={"username": "bob", "role": "user", "tenant_id": "globex"},
    )
    assert status == 422 and body["details"][0]["location"].endswith("tenant_id"), body
    status, body, _ = call(
        api, "POST", "/tenant/users", token=admin, body={"username": "bob", "role": "owner"}
    )
    assert status == 422

    status, body, _ = call(
        api, "POST", "/tenant/users", token=admin, body={"username": "bob", "role": "user"}
    )
    assert status == 201, body
    assert body["username"] == "bob" and body["role"] == "user" and body["created_by"] == "alice"
    assert len(body["temporary_password"]) == 20  # no email: the admin hands it over
    assert _attributes(user_pool, "bob")["custom:tenant_id"] == "acme"
    assert _attributes(user_pool, "bob")["custom:role"] == "user"
    status, body, _ = call(
        api, "POST", "/tenant/users", token=admin, body={"username": "bob", "role": "viewer"}
    )
    assert status == 409, body

    listed = call(api, "GET", "/tenant/users", token=admin)[1]["users"]
    assert [(u["username"], u["role"], u["enabled"]) for u in listed] == [("bob", "user", True)]
    assert all(u["temporary_password"] is None for u in listed)  # shown once, at creation

    # another tenant's admin neither sees nor disables bob
    intruder = signing_key.mint(tenant_id="acme-corp", role="admin")
    assert call(api, "GET", "/tenant/users", token=intruder)[1]["users"] == []
    status, body, _ = call(api, "POST", "/tenant/users/bob/disable", token=intruder)
    assert status == 404 and _attributes(user_pool, "bob")["Enabled"] is True

    bob = signing_key.mint(tenant_id="acme", role="user", subject=_attributes(user_pool, "bob")["sub"])
    assert call(api, "GET", "/runs", token=bob)[0] == 200
    status, body, _ = call(api, "POST", "/tenant/users/bob/disable", token=admin)
    assert status == 200 and body["enabled"] is False
    assert _attributes(user_pool, "bob")["Enabled"] is False
    # the token bob already has stops at once; the tenant's other users go on
    status, body, _ = call(api, "GET", "/runs", token=bob)
    assert status == 403 and body["error"] == "UserDisabled", body
    assert call(api, "GET", "/runs", token=admin)[0] == 200

    actions = [m["detail"]["payload"] for m in aws.published() if m["detail-type"] == "USER_ACTION"]
    done = [(a["action"], a["outcome"]) for a in actions if a["caller"] == "alice"]
    assert ("create_user", "accepted") in done and ("disable_user", "accepted") in done


def test_only_admins_manage_users_and_another_issuers_users_are_managed_there(
    api: Any, signing_key: LocalSigningKey
) -> None:
    for role in ("viewer", "user"):
        token = signing_key.mint(tenant_id="acme", role=role)
        assert call(api, "GET", "/tenant/users", token=token)[0] == 403
        assert (
            call(api, "POST", "/tenant/users", token=token, body={"username": "x", "role": "user"})[0] == 403
        )
    admin = signing_key.mint(tenant_id="acme", role="admin")
    status, body, _ = call(api, "POST", "/tenant/users", token=admin, body={"username": "x", "role": "user"})
    assert status == 403 and body["error"] == "UserPoolNotConfigured", body


def test_a_percent_encoded_path_segment_names_what_it_encodes(api_client: ApiClient) -> None:
    # API Gateway's REST proxy passes the path still encoded: "%40" is the user's "@"
    status, body, _ = api_client.call_as("admin", "POST", "/tenant/users/ann%40acme/disable")
    assert status == 404 and body["message"] == "user 'ann@acme' not found", body
    # an encoded "/" is never a path separator: it names no route and no user
    status, body, _ = api_client.call_as("admin", "POST", "/tenant/users/ann%2Fdisable/disable")
    assert status == 422 and "path.username" in body["message"], body
    status, body, _ = api_client.call_as("admin", "POST", "/tenant/users/%ff/disable")  # not UTF-8
    assert status == 422, body
