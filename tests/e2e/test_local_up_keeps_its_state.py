"""`orchestrator local up` keeps its state across a stop: a run waiting at a gate, one cut off
mid-step and one finished, and a tenant created before, are all there after Ctrl-C and a new
`local up` on the same state directory and ports; `--fresh` starts empty."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from infra.local.cloud import free_port
from tests.e2e.conftest import FINAL
from tests.e2e.local_up import call, start_local_up, stop_local_up


def _start_run(up: dict[str, str], body: dict[str, Any]) -> str:
    status, answer = call(up, "POST", "/runs", body)
    assert status == 202, answer
    return str(answer["run_id"])


def _wait(up: dict[str, str], run_id: str, done: Any, timeout: float = 240) -> dict[str, Any]:
    """The run's view once ``done(view)`` holds (polled at a pace the tenant's rate limit allows)."""
    deadline = time.monotonic() + timeout
    view: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status, view = call(up, "GET", f"/runs/{run_id}")
        if status == 200 and done(view):
            return view
        time.sleep(0.5)
    raise TimeoutError(f"run {run_id} is still {view.get('status')}: {view.get('error')}")


def _settled_timeline(up: dict[str, str], run_id: str, timeout: float = 60) -> dict[str, Any]:
    """The run's timeline once its audit trail has caught up with its end (the trail is written in
    batches, a moment after the events): it holds ``ORCHESTRATION_COMPLETED`` and two reads a
    second apart agree."""
    deadline = time.monotonic() + timeout
    previous: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        status, timeline = call(up, "GET", f"/runs/{run_id}/timeline")
        assert status == 200, timeline
        names = {entry["name"] for entry in timeline["entries"]}
        if "ORCHESTRATION_COMPLETED" in names and timeline == previous:
            return timeline
        previous = timeline
        time.sleep(1.0)
    raise TimeoutError(f"the timeline of run {run_id} did not settle: {previous}")


def _create_tenant(state_dir: Path, tenant_id: str) -> str:
    """`orchestrator tenants create` on the running local cloud; the admin token it prints."""
    created = subprocess.run(  # noqa: S603 - the product's own CLI
        [sys.executable, "-m", "infra.cli", "--state-dir", str(state_dir), "tenants", "create", tenant_id],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    tokens = re.findall(r"eyJ[\w-]+\.[\w-]+\.[\w-]+", created.stdout)
    assert tokens, created.stdout
    return tokens[0]


def _step_running(view: dict[str, Any]) -> bool:
    return view["status"] == "RUNNING" and any(step["status"] == "RUNNING" for step in view["steps"])


def test_runs_and_tenants_survive_a_stop_and_fresh_starts_empty(tmp_path: Path) -> None:
    api_port, aws_port, console_port = free_port(), free_port(), free_port()
    process, up = start_local_up(tmp_path, api_port, aws_port, console_port=console_port)
    try:
        # Given a finished run, a tenant created with the CLI, a run waiting at its approval gate
        finished = _start_run(up, {"template": "generic", "topic": "finished before the stop"})
        finished_view = _wait(up, finished, lambda view: view["status"] in FINAL)
        assert finished_view["status"] == "SUCCEEDED", finished_view.get("error")
        finished_timeline = _settled_timeline(up, finished)
        newco_token = _create_tenant(tmp_path, "newco")
        gated = _start_run(
            up, {"template": "graph_showcase", "topic": "gated", "options": {"offline": {"list_items": 2}}}
        )
        waiting = _wait(up, gated, lambda view: view["status"] in FINAL | {"AWAITING_APPROVAL"})
        assert waiting["status"] == "AWAITING_APPROVAL", waiting.get("error")
        # And a run whose step is in progress (each model call takes 3 s)
        slow = _start_run(
            up, {"template": "generic", "topic": "cut off", "options": {"offline": {"latency_ms": 3000}}}
        )
        _wait(up, slow, _step_running)
    finally:
        # When the local cloud is stopped with Ctrl-C
        _, output = stop_local_up(process, signal.SIGINT)
    assert process.returncode == 0 and "Traceback" not in output, output[-3000:]
    assert f"run {slow}" in output and "goes on at the next" in output, output[-3000:]

    # And started again on the same ports and state directory
    process, up = start_local_up(tmp_path, api_port, aws_port, console_port=console_port)
    try:
        # Then the finished run reads the same, steps and timeline included
        assert call(up, "GET", f"/runs/{finished}") == (200, finished_view)
        assert call(up, "GET", f"/runs/{finished}/timeline") == (200, finished_timeline)
        # And the tenant created before still works with its token
        status, _ = call(up, "GET", "/runs", token=newco_token)
        assert status == 200
        # And the run cut off mid-step goes on and succeeds
        assert _wait(up, slow, lambda view: view["status"] in FINAL)["status"] == "SUCCEEDED"
        # And the gate can be approved, after which the run succeeds
        assert _wait(up, gated, lambda view: True)["status"] == "AWAITING_APPROVAL"
        status, answer = call(up, "POST", f"/runs/{gated}/approval", {"decision": "approve"})
        assert status == 200, answer
        done = _wait(up, gated, lambda view: view["status"] in FINAL)
        assert done["status"] == "SUCCEEDED", done.get("error")
    finally:
        _, output = stop_local_up(process, signal.SIGTERM)
    assert process.returncode == 0 and "Traceback" not in output, output[-3000:]
    assert "Restored from" in output and f"run {slow}: resumed at" in output, output[-3000:]

    # When it starts with --fresh, nothing of that is left
    process, up = start_local_up(tmp_path, api_port, aws_port, "--fresh", console_port=console_port)
    try:
        assert call(up, "GET", f"/runs/{finished}")[0] == 404
        assert call(up, "GET", "/runs", token=newco_token)[0] in (401, 403)
    finally:
        _, output = stop_local_up(process, signal.SIGINT)
    assert "Starting empty (--fresh)" in output, output[-3000:]


def test_a_killed_local_cloud_starts_again_from_its_last_snapshot(tmp_path: Path) -> None:
    api_port, aws_port, console_port = free_port(), free_port(), free_port()
    process, up = start_local_up(tmp_path, api_port, aws_port, console_port=console_port)
    try:
        # Given a finished run, and time for a snapshot (one a second while something changes)
        run_id = _start_run(up, {"template": "generic", "topic": "before the crash"})
        view = _wait(up, run_id, lambda view: view["status"] in FINAL)
        time.sleep(3)
    finally:
        # When the process is killed outright
        process.kill()
        process.communicate(timeout=60)
    # Then a new start finds the run as it was
    process, up = start_local_up(tmp_path, api_port, aws_port, console_port=console_port)
    try:
        assert call(up, "GET", f"/runs/{run_id}") == (200, view)
    finally:
        _, output = stop_local_up(process, signal.SIGINT)
    assert "Restored from" in output and "Traceback" not in output, output[-3000:]
