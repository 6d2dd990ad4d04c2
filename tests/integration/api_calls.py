"""Calling the API function in-process as a caller of a role: the one place the admin-route tests
mint their tokens and send their requests (through ``call``: the real handler, its gate and its
error mapping, on the tables the ``aws`` fixture created)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.local.tokens import LocalSigningKey
from tests.integration.test_api_handler import call

SUBJECTS = {"admin": "alice", "user": "bob", "viewer": "carol"}
"""Who a token of each role is for: what ``updated_by`` / ``created_by`` answer."""


@dataclass(frozen=True)
class ApiClient:
    api: Any  # the ``handlers.api`` module, as the ``api`` fixture gives it
    signing_key: LocalSigningKey

    def token(self, role: str, tenant: str = "acme") -> str:
        return self.signing_key.mint(tenant_id=tenant, role=role, subject=SUBJECTS[role])

    def call_as(
        self,
        role: str | None,
        method: str,
        path: str,
        body: Any = None,
        *,
        tenant: str = "acme",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, dict[str, str]]:
        """(status, JSON body, lower-cased headers) of a request by a ``role`` of ``tenant``;
        ``role=None`` sends no token."""
        token = self.token(role, tenant) if role else None
        return call(self.api, method, path, token=token, body=body, headers=headers)

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI document the API serves."""
        status, spec, _ = call(self.api, "GET", "/openapi.json")
        assert status == 200
        document: dict[str, Any] = spec
        return document
