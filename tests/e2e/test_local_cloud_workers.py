"""The local cloud's worker pool on the deployed stack: its bulkheads (the API's reserved workers and
CPU priority), what it tells of its work after a run, and its return to idle."""

from __future__ import annotations

from typing import Any

from infra.local.cloud import LocalCloud
from tests.e2e.conftest import Client
from tests.local_cloud.test_worker_pool_limits import _until


def _api(load: dict[str, Any]) -> str:
    (api,) = load["foreground"]
    return str(api)


def test_after_a_run_the_cloud_tells_its_work_done_and_keeps_the_api_s_bulkhead(
    acme: Client, cloud: LocalCloud
) -> None:
    # When a tenant's run ends
    run_id = acme.start({"template": "generic", "topic": "a plant watering planner"})
    assert acme.wait(run_id, timeout=180)["status"] == "SUCCEEDED"

    # Then the API function answers first and keeps worker slots of its own (the stack's reservation)
    load = cloud.load()
    api = _api(load)
    assert "Api" in api
    assert load["reserved"][api] >= 1 and sum(load["reserved"].values()) <= load["max_workers"] // 2
    assert any("AuditWriter" in name for name in load["reserved"])
    assert not any("Agent" in name for name in load["reserved"])  # agents share the rest of the pool
    assert load["usage"][api]["invocations"] >= 2 and load["usage"][api]["errors"] == {}
    assert load["workers"] <= load["max_workers"]

    # And the cloud's work after the run (audit records, pushes to clients) is done soon after
    def drained() -> bool:
        now = cloud.load()
        return now["pending_deliveries"] == 0 and not any(now["queued_messages"].values())

    assert _until(drained, 120), cloud.load()
    # And the audit writer stored every event of the run (started, seven phases, completed...),
    # reading them from its queue in batches, none failed
    events = acme.events(run_id)
    assert len(events) >= 9
    audit = next(u for name, u in cloud.load()["usage"].items() if "AuditWriter" in name)
    assert audit["invocations"] >= 1 and audit["errors"] == {}
