"""Whole runs through the HTTP API on the local cloud (started once for this suite)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
import requests

from infra.local.cloud import LocalCloud
from infra.local.worker_limits import WorkerLimits
from orchestrator.core.constants import PK, SK
from orchestrator.tenancy.plans import TenantLimits
from tests.synthesized import synthesize_from_shared


def holds_for(seconds: float, condition: Callable[[], bool], every: float = 0.2) -> bool:
    """Whether ``condition`` stays true for ``seconds`` (checked every ``every``): for what must
    not happen, where there is no event to wait for. False as soon as it fails."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not condition():
            return False
        time.sleep(every)
    return condition()


def ended_execution(cloud: LocalCloud, execution_arn: str, timeout: float = 30) -> dict[str, Any]:
    """The execution once it is no longer RUNNING (a run's status is recorded before its last state)."""
    sfn = cloud.client("stepfunctions")
    deadline = time.monotonic() + timeout
    execution = sfn.describe_execution(executionArn=execution_arn)
    while execution["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.2)
        execution = sfn.describe_execution(executionArn=execution_arn)
    return dict(execution)


FINAL = {"SUCCEEDED", "COMPENSATED", "COMPENSATION_FAILED", "FAILED_TO_START", "REJECTED", "CANCELLED"}


API_LOOK_EVERY = 2.0
"""A wait reads the run's records in the emulation between its looks through the API, and looks
through the API when they show what it waits for, and at least this often (seconds) whatever they show."""


@dataclass
class Client:
    """A tenant's caller of the HTTP API.

    Its waits read the run's records straight from the emulation's tables (one request each) and
    only look through the API when those show what is waited for: a look through the API runs the
    API function (token check, tenant limits, the view's queries), about ten times the CPU, and a
    run of a minute polled through it five times a second spent more CPU on the polls than on the
    run. What a wait returns, and what it checks, is still the API's answer."""

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
        wanted = until or FINAL
        return self.until(
            run_id, lambda view: view["status"] in wanted, timeout, may_hold=lambda status: status in wanted
        )

    def until(
        self,
        run_id: str,
        condition: Callable[[dict[str, Any]], Any],
        timeout: float = 90,
        may_hold: Callable[[str | None], bool] = lambda status: True,
    ) -> dict[str, Any]:
        """The run's view (through the API) once ``condition(view)`` holds. The API is asked
        whenever ``may_hold(status)`` says the condition may hold at the status the runs table
        has, and every ``API_LOOK_EVERY`` seconds whatever it says."""
        view: dict[str, Any] = {"status": None}

        def looked() -> bool:
            nonlocal view
            view = self.request("GET", f"/runs/{run_id}").json()
            return bool(condition(view))

        if self._poll(lambda: may_hold(self._stored_status(run_id)), looked, timeout):
            return view
        raise TimeoutError(f"run {run_id} still {view['status']}: {view}")

    def events(self, run_id: str, *required: str, timeout: float = 20) -> list[dict[str, Any]]:
        """The run's audit events once every ``required`` type is there (repeat a type to need
        it several times). The audit is written asynchronously and EventBridge does not keep
        order, so events are waited for, not assumed."""
        events: list[dict[str, Any]] = []

        def complete(types: list[str]) -> bool:
            return all(types.count(t) >= required.count(t) for t in set(required))

        def looked() -> bool:
            nonlocal events
            events = self.request("GET", f"/runs/{run_id}/events?limit=200").json()["events"]
            return complete([e["event_type"] for e in events])

        if self._poll(lambda: complete(self._stored_event_types(run_id)), looked, timeout):
            return events
        raise TimeoutError(
            f"{required} never all reached the audit table: {[e['event_type'] for e in events]}"
        )

    @staticmethod
    def _poll(stored: Callable[[], bool], looked: Callable[[], bool], timeout: float) -> bool:
        """Whether ``looked()`` (through the API) held before ``timeout``: tried whenever
        ``stored()`` (the emulation's tables) says it may, and every ``API_LOOK_EVERY`` seconds."""
        deadline = time.monotonic() + timeout
        next_look = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() >= next_look or stored():
                if looked():
                    return True
                next_look = time.monotonic() + API_LOOK_EVERY
            time.sleep(0.2)
        return False

    @property
    def tenant_id(self) -> str:
        return str(jwt.decode(self.token, options={"verify_signature": False})["tenant_id"])

    def _stored_status(self, run_id: str) -> str | None:
        """The run's status as its functions last recorded it (the runs table)."""
        item = self.cloud.client("dynamodb").get_item(
            TableName=self.cloud.physical_id("TablesRuns"),
            Key={PK: {"S": self.tenant_id}, SK: {"S": run_id}},
            ProjectionExpression="#status",
            ExpressionAttributeNames={"#status": "status"},
        )
        return str(item["Item"]["status"]["S"]) if "Item" in item else None

    def _stored_event_types(self, run_id: str) -> list[str]:
        """The types of the run's audit events written so far (the events table)."""
        pages = (
            self.cloud.client("dynamodb")
            .get_paginator("query")
            .paginate(
                TableName=self.cloud.physical_id("TablesEvents"),
                KeyConditionExpression=f"{PK} = :run",
                ExpressionAttributeValues={":run": {"S": f"{self.tenant_id}#{run_id}"}},
                ProjectionExpression="event_type",
            )
        )
        return [item["event_type"]["S"] for page in pages for item in page["Items"] if "event_type" in item]


class ArchiveServer:
    """A plain-http file server on loopback for archive fetches: refused by default, reachable only
    because the local cloud is deployed with it as the one allowed private host."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    def url(self, name: str) -> str:
        return f"http://{self.address}/{name}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        files = self.files

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = files.get(self.path.lstrip("/"))
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

        return Handler


@pytest.fixture(scope="package")
def archive_server() -> Iterator[ArchiveServer]:
    server = ArchiveServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture(scope="package")
def cloud(tmp_path_factory: pytest.TempPathFactory, archive_server: ArchiveServer) -> Iterator[LocalCloud]:
    context = {
        "archiveFetchAllowedHosts": archive_server.address,  # the one private host a fetch may reach
        # webhook retries in seconds, not hours; an endpoint is disabled at its first dead letter
        "webhookRetrySchedule": "1,2",
        "webhookDisableAfter": "1",
    }
    # tests start many runs at once per tenant: a plan with room for them (the limits have their tests)
    roomy = TenantLimits(requests_per_minute=100_000, max_concurrent_runs=1_000)
    # a function's workers are kept for the suite instead of retired after 20 s idle: the next
    # test's runs would otherwise fork and import most of them again (the pool's size limits hold,
    # and its retirement has its own tests)
    workers = WorkerLimits.configured({"idle_seconds": 600})
    with LocalCloud(
        tmp_path_factory.mktemp("local-cloud"),
        context=context,
        tenant_plan="enterprise",
        tenant_limits=roomy,
        worker_limits=workers,
        synthesizer=synthesize_from_shared,  # one synthesis for every cloud of the suite
    ) as local_cloud:
        yield local_cloud


@pytest.fixture(scope="package")
def acme(cloud: LocalCloud) -> Client:
    return Client(cloud, cloud.mint_token(tenant_id="acme", subject="alice"))


@pytest.fixture(scope="package")
def globex(cloud: LocalCloud) -> Client:
    return Client(cloud, cloud.mint_token(tenant_id="globex", subject="bob"))
