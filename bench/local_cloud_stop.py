"""How quickly `orchestrator local up` stops with runs in progress, and starts again on its ports.

Starts the local cloud as a developer does (a separate process, fixed ports), posts ``--runs``
runs, sends SIGINT (Ctrl-C) while they are in progress and measures the time until the process
has exited; then starts it again on the same ports and measures the time until it is ready.
Repeated ``--rounds`` times; the median and worst are reported.

Targets: every stop within 3 s, with no traceback in the output, and every restart on the same
ports succeeds (exit 1 otherwise; ``--no-fail`` only reports).

    .venv/bin/python bench/local_cloud_stop.py [--rounds 3] [--runs 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STOP_TARGET_SECONDS = 3.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(state_dir: Path, ports: list[str]) -> tuple[subprocess.Popen[str], dict[str, str], float]:
    ready = state_dir / "ready.json"
    ready.unlink(missing_ok=True)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.cli", "--state-dir", str(state_dir), "local", "up", *ports],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ | {"ORCHESTRATOR_READY_FILE": str(ready)},
    )
    while not ready.exists() or not ready.read_text():
        if process.poll() is not None or time.monotonic() - started > 300:
            process.kill()
            raise SystemExit(f"local up did not start:\n{process.communicate()[0][-2000:]}")
        time.sleep(0.1)
    return process, json.loads(ready.read_text()), time.monotonic() - started


def _post_run(up: dict[str, str]) -> None:
    request = urllib.request.Request(  # noqa: S310 - a local URL
        f"{up['api_url']}/runs",
        data=json.dumps({"template": "generic", "topic": "stopped mid-run"}).encode(),
        headers={"Authorization": f"Bearer {up['token']}", "content-type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=60).close()  # noqa: S310


def measure(rounds: int, runs: int) -> dict[str, Any]:
    ports = [
        "--api-port",
        str(_free_port()),
        "--aws-port",
        str(_free_port()),
        "--console-port",
        str(_free_port()),
        "--websocket-port",  # by default the API's port + 1, which another program may hold
        str(_free_port()),
    ]
    stops: list[float] = []
    restarts: list[float] = []
    tracebacks = 0
    with tempfile.TemporaryDirectory() as tmp:
        process, up, _ = _start(Path(tmp), ports)
        for round_ in range(rounds):
            try:
                with ThreadPoolExecutor(max_workers=runs) as pool:
                    list(pool.map(_post_run, [up] * runs))
            except BaseException:  # no local cloud left running behind a failed measurement
                process.kill()
                raise
            started = time.monotonic()
            process.send_signal(signal.SIGINT)
            output, _ = process.communicate(timeout=60)
            stops.append(time.monotonic() - started)
            tracebacks += output.count("Traceback")
            if round_ < rounds - 1:
                process, up, took = _start(Path(tmp), ports)
                restarts.append(took)
    return {
        "runs_in_progress": runs,
        "stop_seconds_median": round(statistics.median(stops), 2),
        "stop_seconds_worst": round(max(stops), 2),
        "restart_seconds_median": round(statistics.median(restarts), 2) if restarts else None,
        "restarts_on_the_same_ports": len(restarts),
        "tracebacks": tracebacks,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-fail", action="store_true")
    args = parser.parse_args()
    result = measure(args.rounds, args.runs)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"local cloud stop with {result['runs_in_progress']} runs in progress: "
            f"median {result['stop_seconds_median']} s, worst {result['stop_seconds_worst']} s "
            f"(target {STOP_TARGET_SECONDS} s); restart on the same ports: "
            f"{result['restarts_on_the_same_ports']} of {args.rounds - 1}, median "
            f"{result['restart_seconds_median']} s to ready; tracebacks: {result['tracebacks']}"
        )
    ok = result["stop_seconds_worst"] <= STOP_TARGET_SECONDS and result["tracebacks"] == 0
    return 0 if ok or args.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
