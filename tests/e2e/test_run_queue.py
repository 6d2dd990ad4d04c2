"""Fair admission on the local cloud: a tenant allowed one run at a time posts four; all are
accepted (202), they run one at a time in the order posted, all succeed; another tenant's run
posted meanwhile starts at once."""

from __future__ import annotations

import itertools
import time

from infra.local.cloud import LocalCloud
from orchestrator.tenancy.plans import TenantLimits
from tests.e2e.conftest import FINAL, Client

RUN = {"template": "generic", "topic": "one at a time", "options": {"offline": {"latency_ms": 150}}}
IN_PROGRESS = {"PENDING", "RUNNING", "AWAITING_APPROVAL", "COMPENSATING"}


def test_runs_past_the_limit_wait_their_turn_and_another_tenant_does_not(
    cloud: LocalCloud, globex: Client
) -> None:
    # Given a tenant allowed one run in progress
    cloud.onboard("one-slot", limits=TenantLimits(requests_per_minute=100_000, max_concurrent_runs=1))
    tenant = Client(cloud, cloud.mint_token(tenant_id="one-slot", role="user"))

    # When it posts four runs
    answers = [tenant.request("POST", "/runs", json=RUN) for _ in range(4)]

    # Then all four are accepted: the first starts, the others wait at places 1, 2, 3
    assert [a.status_code for a in answers] == [202] * 4, [a.text for a in answers]
    bodies = [a.json() for a in answers]
    assert [b["status"] for b in bodies] == ["PENDING", "QUEUED", "QUEUED", "QUEUED"]
    assert [b.get("queue_position") for b in bodies] == [None, 1, 2, 3]
    ids = [b["run_id"] for b in bodies]

    # And another tenant's run posted meanwhile is not queued behind them
    other = globex.request("POST", "/runs", json=RUN)
    assert other.status_code == 202 and other.json()["status"] == "PENDING", other.text
    other_view = globex.wait(other.json()["run_id"], until={"RUNNING", *FINAL})
    tenant_runs = {r["run_id"]: r for r in tenant.request("GET", "/runs?limit=10").json()["runs"]}
    assert tenant_runs[ids[3]]["status"] == "QUEUED", "the other tenant started while these still wait"

    # And at every poll until all four end, at most one of them is in progress
    most_in_progress, deadline = 0, time.time() + 180
    views: dict[str, dict[str, object]] = {}
    while time.time() < deadline:
        listed = tenant.request("GET", "/runs?limit=10").json()["runs"]
        views = {r["run_id"]: r for r in listed if r["run_id"] in ids}
        most_in_progress = max(most_in_progress, sum(v["status"] in IN_PROGRESS for v in views.values()))
        if all(v["status"] in FINAL for v in views.values()):
            break
        time.sleep(0.1)
    assert most_in_progress == 1
    assert [views[run_id]["status"] for run_id in ids] == ["SUCCEEDED"] * 4

    # And they started in the order they were posted, each after the one before it had ended
    details = [tenant.request("GET", f"/runs/{run_id}").json() for run_id in ids]
    started = [d["started_at"] for d in details]
    assert started == sorted(started), started
    for earlier, later in itertools.pairwise(details):
        assert later["started_at"] >= earlier["finished_at"]
    assert details[0]["queued_at"] is None and all(d["queued_at"] for d in details[1:])
    assert other_view["status"] in {"RUNNING", *FINAL}
    assert globex.request("GET", f"/runs/{other.json()['run_id']}").json()["started_at"] < started[3]
