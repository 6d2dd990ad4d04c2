"""Tenants on the local cloud: a plan's request rate answers 429 with Retry-After for that tenant
only, a run past its concurrent runs waits in its queue; `orchestrator tenants` onboards, lists and
disables, and a disabled tenant's tokens stop at once while its runs in progress and queued are
cancelled (the one in progress undone)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from infra.cli import main
from infra.local.cloud import LocalCloud
from orchestrator.adapters.dynamodb import DynamoRunRepository
from orchestrator.tenancy.plans import TenantLimits
from tests.e2e.conftest import Client

SLOW = {"template": "generic", "topic": "a slow one", "options": {"offline": {"latency_ms": 1500}}}
"""A run that stays in progress for a while (each model call takes 1.5 s)."""


def _cli(cloud: LocalCloud, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--state-dir", str(cloud.state_dir), "tenants", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_request_rate_is_limited_per_tenant_with_retry_after(cloud: LocalCloud, acme: Client) -> None:
    # Given a tenant allowed 5 requests a minute
    cloud.onboard("rate-capped", limits=TenantLimits(requests_per_minute=5, max_concurrent_runs=5))
    capped = Client(cloud, cloud.mint_token(tenant_id="rate-capped", role="viewer"))
    # When it sends 12 at once (the window may turn over once meanwhile: at most 10 get through)
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda _: capped.request("GET", "/runs"), range(12)))
    # Then the rest are refused with 429, saying which limit and when to retry
    codes = sorted(a.status_code for a in answers)
    assert set(codes) == {200, 429} and codes.count(200) <= 10, codes
    refused = next(a for a in answers if a.status_code == 429)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["error"] == "TenantLimitReached"
    assert refused.json()["limit"] == "requests_per_minute"
    # And another tenant is served as before
    assert acme.request("GET", "/runs").status_code == 200


def test_onboarding_limits_and_disabling_through_the_cli(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a tenant onboarded with the CLI, allowed one run at a time
    code, out = _cli(
        cloud,
        capsys,
        "create",
        "one-at-a-time",
        "--plan",
        "free",
        "--max-concurrent-runs",
        "1",
        "--max-queued-runs",
        "3",
    )
    assert code == 0, out
    assert "export TOKEN=" in out  # the first admin's token
    admin = Client(cloud, out.split("export TOKEN=")[1].split()[0])
    code, out = _cli(cloud, capsys, "create", "one-at-a-time")
    assert code == 2 and "already exists" in out
    code, out = _cli(cloud, capsys, "create", "Bad Id!")
    assert code == 2 and "tenant id" in out.lower()
    code, out = _cli(cloud, capsys, "list", "--json")
    listed = {t["tenant_id"]: t for t in json.loads(out)}
    assert listed["one-at-a-time"]["plan"] == "free"
    assert listed["one-at-a-time"]["max_concurrent_runs"] == 1
    assert listed["one-at-a-time"]["requests_per_minute"] == 60
    assert listed["one-at-a-time"]["max_queued_runs"] == 3

    # When its run is in progress, a second run waits in its queue: 202 QUEUED, next in line
    run_id = admin.start(SLOW)
    assert admin.wait(run_id, until={"RUNNING", "SUCCEEDED", "COMPENSATED"})["status"] == "RUNNING"
    second = admin.request("POST", "/runs", json=SLOW)
    assert second.status_code == 202, second.text
    assert second.json()["status"] == "QUEUED" and second.json()["queue_position"] == 1
    queued_id = second.json()["run_id"]

    # When an operator disables the tenant
    code, out = _cli(cloud, capsys, "disable", "one-at-a-time")
    assert code == 0 and run_id in out and queued_id in out, out
    # Then its tokens stop working at once, on every endpoint
    for method, path in (("GET", f"/runs/{run_id}"), ("GET", "/runs"), ("POST", "/runs")):
        answer = admin.request(method, path, json=SLOW if method == "POST" else None)
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["error"] == "TenantNotActive"
    # And its run is cancelled: what it did is undone, it ends CANCELLED (the table says; the API: 403)
    runs = DynamoRunRepository(
        cloud.physical_id("TablesRuns"), cloud.session().resource("dynamodb", endpoint_url=cloud.aws_endpoint)
    )
    deadline_view = _wait_for_table_status(runs, "one-at-a-time", run_id)
    assert deadline_view == "CANCELLED"
    assert _wait_for_table_status(runs, "one-at-a-time", queued_id) == "CANCELLED"  # the queued one too

    # When it is enabled again, its slot is free: a run starts
    code, out = _cli(cloud, capsys, "enable", "one-at-a-time")
    assert code == 0, out
    assert admin.request("GET", f"/runs/{run_id}").json()["status"] == "CANCELLED"
    code, out = _cli(cloud, capsys, "limits", "one-at-a-time", "--requests-per-minute", "120")
    assert code == 0 and "120/min" in out and "/1 " in out + " ", out
    assert admin.request("POST", "/runs", json={"template": "generic", "topic": "again"}).status_code == 202


def _wait_for_table_status(runs: DynamoRunRepository, tenant_id: str, run_id: str) -> str:
    import time

    deadline = time.time() + 90
    status = ""
    while time.time() < deadline:
        status = runs.get(tenant_id, run_id, consistent=True).status.value
        if status in {"CANCELLED", "COMPENSATED", "COMPENSATION_FAILED", "SUCCEEDED"}:
            return status
        time.sleep(0.3)
    return status
