"""`orchestrator local up` in a subprocess, as a developer runs it: started, asked, stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from infra.local.assembly import synthesize
from infra.local.cloud import LocalCloud, free_port
from tests.synthesized import synthesize_from_shared


def start_local_up(
    state_dir: Path,
    api_port: int,
    aws_port: int,
    *extra: str,
    console_port: int = 0,
    websocket_port: int = 0,
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """A running `local up` and what its ready file says (API, endpoint, an admin token).
    The web console and the WebSocket API get the ports given, or free ones (not the defaults,
    which other tests may hold). With a console port given, the assembly `local up` would
    synthesize is made ahead in this process (``synthesize_ahead``)."""
    if console_port:
        synthesize_ahead(state_dir, console_port)
    ready = state_dir / "ready.json"
    ready.unlink(missing_ok=True)
    ports = ["--api-port", str(api_port), "--aws-port", str(aws_port), "--console-port", str(console_port)]
    ports += ["--websocket-port", str(websocket_port or free_port())]
    process = subprocess.Popen(  # noqa: S603 - the product's own CLI
        [sys.executable, "-m", "infra.cli", "--state-dir", str(state_dir), "local", "up", *ports, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ | {"ORCHESTRATOR_READY_FILE": str(ready)},
    )
    deadline = time.monotonic() + 240
    while not ready.exists() or not ready.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"local up did not start:\n{process.communicate()[0][-3000:]}")
        time.sleep(0.2)
    return process, json.loads(ready.read_text())


def synthesize_ahead(state_dir: Path, console_port: int) -> None:
    """The assembly of `local up --state-dir state_dir --console-port console_port` (its signing key,
    its console's origins), made from the suite's shared synthesis (``synthesize_from_shared``)
    instead of by `local up` in a CDK runtime of its own: `local up` finds it made from the same
    sources and context and reuses it, as it does on a restart."""
    cloud = LocalCloud(state_dir, console_port=console_port)
    synthesize(cloud.state_dir / "cdk.out", cloud.synthesis_context(), run=synthesize_from_shared)


def stop_local_up(process: subprocess.Popen[str], sig: signal.Signals) -> tuple[float, str]:
    """How long the stop took, and everything the process printed."""
    started = time.monotonic()
    process.send_signal(sig)
    output, _ = process.communicate(timeout=60)
    return time.monotonic() - started, output


def call(up: dict[str, str], method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    """One API request; the answer's status and JSON body."""
    request = urllib.request.Request(  # noqa: S310 - a local URL
        f"{up['api_url']}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token or up['token']}", "content-type": "application/json"},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local URL
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
