"""`orchestrator local up` as a developer runs it: stopped with SIGTERM or Ctrl-C while runs are in
progress, then started again on the same ports at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from infra.local.cloud import free_port

STOP_LIMIT_SECONDS = 10.0  # a loaded test machine; the 3 s target is measured by bench/local_cloud_stop.py


def _start(
    state_dir: Path, api_port: int, aws_port: int, websocket_port: int
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    ready = state_dir / "ready.json"
    ready.unlink(missing_ok=True)
    ports = [
        "--api-port",
        str(api_port),
        "--aws-port",
        str(aws_port),
        "--websocket-port",
        str(websocket_port),
    ]
    process = subprocess.Popen(  # noqa: S603 - the product's own CLI
        [sys.executable, "-m", "infra.cli", "--state-dir", str(state_dir), "local", "up", *ports],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ | {"ORCHESTRATOR_READY_FILE": str(ready)},
    )
    deadline = time.monotonic() + 120
    while not ready.exists() or not ready.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"local up did not start:\n{process.communicate()[0][-3000:]}")
        time.sleep(0.2)
    return process, json.loads(ready.read_text())


def _post_run(up: dict[str, str]) -> str:
    request = urllib.request.Request(  # noqa: S310 - a local URL
        f"{up['api_url']}/runs",
        data=json.dumps({"template": "generic", "topic": "stopped mid-run"}).encode(),
        headers={"Authorization": f"Bearer {up['token']}", "content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local URL
        return str(json.loads(response.read())["run_id"])


def _stop(process: subprocess.Popen[str], sig: signal.Signals) -> tuple[float, str]:
    started = time.monotonic()
    process.send_signal(sig)
    output, _ = process.communicate(timeout=30)
    return time.monotonic() - started, output


def test_a_stop_is_quick_and_quiet_and_names_the_runs_it_cuts_off(tmp_path: Path) -> None:
    api_port, aws_port, websocket_port = free_port(), free_port(), free_port()
    # Given a local cloud with runs in progress
    process, up = _start(tmp_path, api_port, aws_port, websocket_port)
    run_ids = [_post_run(up) for _ in range(3)]
    # When it is stopped (SIGTERM, as a service manager stops it)
    took, output = _stop(process, signal.SIGTERM)
    # Then it ends within the limit, with no traceback, one line per run it cut off
    assert process.returncode == 0, output[-3000:]
    assert took < STOP_LIMIT_SECONDS, f"stopping took {took:.1f} s"
    assert "Traceback" not in output and "Error on request" not in output, output[-3000:]
    cut_off = [line for line in output.splitlines() if line.strip().startswith("run ")]
    assert {line.split()[1] for line in cut_off} <= set(run_ids)
    assert "run(s) in progress" in output and output.rstrip().endswith("stopped")
    # And it starts again on the same ports at once, and Ctrl-C stops it as quickly
    again, up_again = _start(tmp_path, api_port, aws_port, websocket_port)
    try:
        assert up_again["api_url"] == up["api_url"]
        assert up_again["websocket_url"] == up["websocket_url"] == f"ws://127.0.0.1:{websocket_port}"
        with urllib.request.urlopen(f"{up_again['api_url']}/health", timeout=10) as health:  # noqa: S310
            assert health.status == 200
    finally:
        took, output = _stop(again, signal.SIGINT)
    assert again.returncode == 0 and took < STOP_LIMIT_SECONDS, output[-3000:]
    assert "Traceback" not in output
