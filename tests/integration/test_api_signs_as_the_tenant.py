"""The API function as deployed: with its tenant data access role, every DynamoDB request of a
tenant's request is signed with credentials assumed for that tenant (STS on moto), and a request
acting for no tenant signs nothing. IAM's LeadingKeys fence itself is asserted on the template
(``tests/infrastructure/test_tenant_data_fencing.py``): moto does not evaluate conditions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from infra.local.tokens import LocalSigningKey
from orchestrator.adapters import aws_clients
from orchestrator.core import constants
from orchestrator.core.errors import DataStoreRejected
from orchestrator.tenancy.credentials import act_for_tenant, acting_for
from tests.integration.test_api_handler import call

ACCOUNT = "123456789012"  # moto's: credentials of a role in this account reach the same tables


@dataclass
class SignedRequests:
    """The access key of every DynamoDB request the API sent, and whom STS issued each key to."""

    role: str
    keys: list[str] = field(default_factory=list)

    def record(self, request: Any, **_: Any) -> None:
        header = request.headers["Authorization"]
        header = header.decode() if isinstance(header, bytes) else header
        self.keys.append(header.split("Credential=")[1].split("/")[0])

    def take(self) -> list[str]:
        taken, self.keys = self.keys, []
        return taken

    def signers(self) -> set[str | None]:
        """The tenants the requests recorded since the last ``take`` were signed as (None: not by STS)."""
        issued = dict(_issued(self.role))
        return {issued.get(key) for key in self.take()}

    def assumed(self) -> list[str]:
        return sorted(tenant for _, tenant in _issued(self.role))


def _issued(role: str) -> list[tuple[str, str]]:
    """(access key, role session name: the tenant) of every session moto's STS issued for ``role``."""
    from moto.sts.models import sts_backends

    return [
        (assumed.access_key_id, assumed.session_name)
        for assumed in sts_backends[ACCOUNT]["aws"].assumed_roles
        if assumed.role_arn == role
    ]


@pytest.fixture
def fenced_api(api: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, SignedRequests]]:
    """The API function with ``TENANT_DATA_ACCESS_ROLE_ARN`` set, as the stack deploys it."""
    role = f"arn:aws:iam::{ACCOUNT}:role/tenant-data-access-{uuid.uuid4().hex[:8]}"  # fresh credentials
    monkeypatch.setenv(constants.ENV_TENANT_DATA_ACCESS_ROLE, role)  # read by the boto3 client factory
    api.aws.configure()  # a new container: its repositories use the tenant data session
    signed = SignedRequests(role)
    events = aws_clients.dynamodb_resource().meta.client.meta.events
    events.register_first("before-send.dynamodb", signed.record)
    try:
        yield api, signed
    finally:
        events.unregister("before-send.dynamodb", signed.record)
        act_for_tenant(None)


def test_each_tenants_requests_sign_every_dynamodb_call_as_that_tenant(
    fenced_api: tuple[Any, SignedRequests], signing_key: LocalSigningKey
) -> None:
    api, signed = fenced_api
    tokens = {tenant: signing_key.mint(tenant_id=tenant, role="admin") for tenant in ("acme", "acme-corp")}
    signed.take()  # onboarding the tenants wrote with the tests' own credentials

    for _ in range(2):  # a warm function: the second round reuses each tenant's credentials
        for tenant, token in tokens.items():
            # When the tenant starts a run and reads it back through every read route
            status, accepted, _ = call(api, "POST", "/runs", token=token, body={"topic": f"{tenant} plan"})
            assert status == 202, accepted
            for path in ("/runs", f"/runs/{accepted['run_id']}", f"/runs/{accepted['run_id']}/events"):
                assert call(api, "GET", path, token=token)[0] == 200, path
            assert call(api, "GET", "/usage", token=token)[0] == 200

            # Then every DynamoDB request was signed with keys STS issued for that tenant
            assert signed.signers() == {tenant}

    # And each tenant's role was assumed once, however many requests and calls it made
    assert signed.assumed() == ["acme", "acme-corp"]


def test_a_public_or_refused_request_after_a_tenants_request_acts_for_no_tenant(
    fenced_api: tuple[Any, SignedRequests], signing_key: LocalSigningKey
) -> None:
    api, signed = fenced_api
    token = signing_key.mint(tenant_id="acme", role="admin")
    status, accepted, _ = call(api, "POST", "/runs", token=token, body={"topic": "acme plan"})
    assert status == 202 and acting_for() == "acme"

    for method, path, bearer in (
        ("GET", "/health", None),
        ("GET", "/openapi.json", None),
        ("GET", "/runs", None),
        ("GET", "/runs", "not-a-token"),
        ("POST", "/runs", signing_key.mint(tenant_id="acme", role="admin", issuer="https://elsewhere")),
    ):
        signed.take()
        call(api, method, path, token=bearer, body={"topic": "x"} if method == "POST" else None)
        # Then the warm function does not carry acme over: nothing was signed, no tenant is set
        assert acting_for() is None, path
        assert signed.take() == [], path

    # And a DynamoDB call made outside a tenant's request fails closed instead of signing as one
    with pytest.raises(DataStoreRejected, match="NoTenantInContext"):
        api.container.runs.get("acme", accepted["run_id"])
