"""Following a run live on the local cloud: a step is seen RUNNING while its function works, RETRYING
with its error between a throttled attempt and the state machine's retry, then SUCCEEDED; the
timeline tells the same story from the execution history, the step results and the events."""

from __future__ import annotations

import itertools
import time
from typing import Any

from infra.local.cloud import LocalCloud
from orchestrator.templates.graph import get_template
from tests.e2e.conftest import FINAL, Client, ended_execution

GENERIC = get_template("generic")


def watch(
    client: Client, run_id: str, step: str, timeout: float = 120
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every change of ``step`` a client polling the run sees (status, attempt, last error), and the
    run's final view. Polls as fast as the API answers."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = client.request("GET", f"/runs/{run_id}").json()
        shown = next(s for s in view["steps"] if s["step"] == step)
        state = {k: shown.get(k) for k in ("status", "attempt", "last_error", "started_at")}
        if not seen or seen[-1] != state:
            seen.append(state)
        if view["status"] in FINAL:
            return seen, view
    raise TimeoutError(f"run {run_id} did not end; {step} was seen {seen}")


def test_a_slow_step_is_seen_running_with_its_attempt(acme: Client) -> None:
    # Given a run whose offline model takes 800 ms a call
    run_id = acme.start({"topic": "slow model", "options": {"offline": {"latency_ms": 800}}})

    # When a client polls it
    seen, view = watch(acme, run_id, "design")

    # Then design was NOT_STARTED, then RUNNING (attempt 1, since it started), then SUCCEEDED
    assert view["status"] == "SUCCEEDED"
    assert [(s["status"], s["attempt"]) for s in seen] == [
        ("NOT_STARTED", None),
        ("RUNNING", 1),
        ("SUCCEEDED", 1),
    ]
    assert seen[1]["started_at"] is not None and seen[1]["last_error"] is None
    # And the bus said it started
    events = acme.events(run_id, *["PHASE_STARTED"] * 7)
    started = [e for e in events if e["event_type"] == "PHASE_STARTED" and e["phase"] == "design"]
    assert [e["payload"]["attempt"] for e in started] == [1]


def test_a_throttled_step_is_seen_retrying_with_its_error_then_succeeding(
    cloud: LocalCloud, acme: Client, globex: Client
) -> None:
    # Given a run whose research step is throttled on its first two attempts (each retry waits up to
    # 1 s, then 2 s, with full jitter: two windows in which to see it due for a retry)
    failure = {"step": "research", "times": 2, "error": "ProviderThrottled"}
    run_id = acme.start({"topic": "throttled provider", "options": {"simulate_failure": failure}})

    # When a client polls it
    seen, view = watch(acme, run_id, "research")

    # Then it saw research RETRYING with the error, and a later attempt RUNNING, before it SUCCEEDED
    assert view["status"] == "SUCCEEDED", view.get("error")
    statuses = [s["status"] for s in seen]
    assert "RETRYING" in statuses, seen
    retrying = [s for s in seen if s["status"] == "RETRYING"]
    assert all(s["last_error"]["name"] == "ProviderThrottled" and s["attempt"] in (1, 2) for s in retrying)
    assert statuses[-1] == "SUCCEEDED" and seen[-1]["attempt"] == 3
    assert all(
        earlier["attempt"] is None or earlier["attempt"] <= later["attempt"]
        for earlier, later in itertools.pairwise(seen)
    )
    # And the events say which attempts were retried, with the retry policy's limit
    events = acme.events(run_id, "STEP_RETRYING", "STEP_RETRYING", "PHASE_COMPLETED")
    retried = [e["payload"] for e in events if e["event_type"] == "STEP_RETRYING"]
    assert sorted(p["attempt"] for p in retried) == [1, 2]
    assert {(p["error"], p["max_attempts"]) for p in retried} == {
        ("ProviderThrottled", GENERIC.retry.max_attempts + 1)
    }

    # When the client reads the run's timeline, once the execution has ended (the run's status is
    # recorded by its last step, a moment before the execution's end)
    ended_execution(cloud, view["execution_arn"])
    response = acme.request("GET", f"/runs/{run_id}/timeline")

    # Then it is one list in time order: the execution's retries of Research with their waits, the
    # step results with what they used, and the run's events
    assert response.status_code == 200, response.text
    timeline = response.json()
    entries = timeline["entries"]
    assert timeline["history"] == "complete" and entries
    assert [e["at"] for e in entries] == sorted(entries_at := [e["at"] for e in entries]) and entries_at
    retries = [e for e in entries if e["kind"] == "retry"]
    assert [(e["name"], e["details"]["error"]) for e in retries] == [("Research", "ProviderThrottled")] * 2
    assert all(e["duration_ms"] is not None and e["duration_ms"] >= 0 for e in retries)
    (research,) = [e for e in entries if e["kind"] == "step" and e["name"] == "research"]
    assert research["details"]["attempt"] == 3 and research["details"]["provider"] == "offline"
    assert {"model", "prompt_version", "tokens", "cost_usd", "confidence"} <= set(research["details"])
    states = {e["name"] for e in entries if e["kind"] == "state"}
    assert {"Start run", "Ideation", "Research", "Finish run"} <= states
    assert {"STEP_RETRYING", "PHASE_STARTED", "PHASE_COMPLETED"} <= {
        e["name"] for e in entries if e["kind"] == "event"
    }
    (execution,) = [e for e in entries if e["kind"] == "execution"]
    assert execution["details"]["status"] == "SUCCEEDED" and execution["duration_ms"] > 0

    # And another tenant learns nothing of it
    assert globex.request("GET", f"/runs/{run_id}/timeline").status_code == 404


def test_the_timeline_of_a_failed_run_shows_the_catch_and_the_compensation(acme: Client) -> None:
    run_id = acme.start({"topic": "fails at design", "options": {"simulate_failure": {"step": "design"}}})
    assert acme.wait(run_id)["status"] == "COMPENSATED"
    entries = acme.request("GET", f"/runs/{run_id}/timeline").json()["entries"]
    kinds = [(e["kind"], e["name"]) for e in entries if e["source"] == "execution"]
    assert ("task_failed", "Design") in kinds
    assert ("catch", "Record failure at Design") in kinds
    compensation = [name for kind, name in kinds if kind == "compensation"]
    assert "Undo completed work" in compensation and "Mark run undone" in compensation
    assert kinds.index(("task_failed", "Design")) < kinds.index(("catch", "Record failure at Design"))
