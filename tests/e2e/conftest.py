"""Whole runs through the HTTP API on the local cloud (started once for this suite)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from infra.local.cloud import LocalCloud

FINAL = {"SUCCEEDED", "COMPENSATED", "COMPENSATION_FAILED", "FAILED_TO_START", "REJECTED", "CANCELLED"}


@dataclass
class Client:
    cloud: LocalCloud
    token: str

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"} | kwargs.pop("headers", {})
        return requests.request(method, f"{self.cloud.api_url}{path}", headers=headers, timeout=30, **kwargs)

    def start(self, body: dict[str, Any], **kwargs: Any) -> str:
        response = self.request("POST", "/runs", json=body, **kwargs)
        assert response.status_code == 202, response.text
        return str(response.json()["run_id"])

    def wait(self, run_id: str, timeout: float = 90, until: set[str] | None = None) -> dict[str, Any]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            view = self.request("GET", f"/runs/{run_id}").json()
            if view["status"] in (until or FINAL):
                return view
            time.sleep(0.2)
        raise TimeoutError(f"run {run_id} still {view['status']}")

    def events(self, run_id: str, *required: str, timeout: float = 20) -> list[dict[str, Any]]:
        """The run's audit events once every ``required`` type is there (repeat a type to need
        it several times). The audit is written asynchronously and EventBridge does not keep
        order, so events are waited for, not assumed."""
        deadline = time.time() + timeout
        events: list[dict[str, Any]] = []
        while time.time() < deadline:
            events = self.request("GET", f"/runs/{run_id}/events?limit=200").json()["events"]
            types = [e["event_type"] for e in events]
            if all(types.count(t) >= required.count(t) for t in set(required)):
                return events
            time.sleep(0.2)
        raise TimeoutError(
            f"{required} never all reached the audit table: {[e['event_type'] for e in events]}"
        )


@pytest.fixture(scope="package")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    with LocalCloud(tmp_path_factory.mktemp("local-cloud")) as local_cloud:
        yield local_cloud


@pytest.fixture(scope="package")
def acme(cloud: LocalCloud) -> Client:
    return Client(cloud, cloud.mint_token(tenant_id="acme", subject="alice"))


@pytest.fixture(scope="package")
def globex(cloud: LocalCloud) -> Client:
    return Client(cloud, cloud.mint_token(tenant_id="globex", subject="bob"))
