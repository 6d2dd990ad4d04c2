"""What the local cloud's orchestration costs per step, warm and cold, what each function holds in
memory, and what the API's first request after a cold start takes.

Starts the local cloud (moto, the real state machines, the real handlers in Lambda worker
processes) and runs the ``generic`` template (seven agent steps in a chain) with the offline
model at zero latency, so that all of a run's time is the orchestration's own: Step Functions
transitions, Lambda invocations, the reads and writes of every step, events.

- **overhead per step**: the execution's duration (from the run's timeline) divided by its
  agent steps, over ``--runs`` runs, p50 and p95; *warm* with every function's worker already
  started, *cold* with every worker stopped before the run (each function imports its handler
  again, as after a Lambda cold start);
- **peak memory per function**: the peak resident memory (``VmHWM``, what ``ru_maxrss`` of the
  worker reports, and what Lambda reports as "Max Memory Used") of each function's worker after
  its init and warm invocations, beside the memory size the stack gives the function;
- **CPU per warm run**: each function's workers' CPU time (user + system, from ``/proc/<pid>/stat``)
  over the warm runs, divided by the runs (an agent's function: its one invocation a run; the API
  also answers the polling, the audit writer every event): the work that Lambda's CPU share,
  proportional to the memory size, stretches;
- **API first call**: ``GET /runs`` answered by a new API worker (its init and first request)
  and by a warm one, median of ``--api-samples``.

    .venv/bin/python bench/step_overhead.py [--runs 20] [--api-samples 5] [--json [PATH]]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "functions")]

from json_output import add_json_argument, write_json  # noqa: E402
from map_concurrency import FINAL, Api  # noqa: E402

from infra.local.cloud import LocalCloud  # noqa: E402

TEMPLATE = "generic"
TOPIC = "Measure the orchestration of a seven-phase run"
CLOUD: list[LocalCloud] = []  # the local cloud being measured


# --- the worker processes, from /proc -------------------------------------------------------------
def workers() -> dict[int, str]:
    """The local cloud's Lambda workers (spawned by its runtime or forked from its zygote): pid ->
    function name."""
    return CLOUD[0].runtime.worker_pids() if CLOUD and CLOUD[0].runtime else {}


def peak_mib(pid: int) -> float | None:
    """The process's peak resident memory (VmHWM) in MiB, None once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), None)
    return int(line.split()[1]) / 1024 if line else None


def cpu_seconds(pid: int) -> float | None:
    """The process's CPU time so far (user + system), None once it has exited."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_by_function() -> dict[int, tuple[str, float]]:
    """Every worker's function and CPU time so far."""
    found = {}
    for pid, name in workers().items():
        spent = cpu_seconds(pid)
        if spent is not None:
            found[pid] = (name, spent)
    return found


def stop_workers(only: set[str] | None = None) -> int:
    """Stops every idle worker (of the functions named in ``only``): the next invocation of each
    function starts a new one, a cold start. Returns how many were stopped."""
    killed = [pid for pid, name in workers().items() if only is None or name in only]
    for pid in killed:
        with contextlib.suppress(ProcessLookupError):  # it exited (retired idle) since it was listed
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in killed) and time.monotonic() < deadline:
        time.sleep(0.01)  # the runtime must see each one exited, not hand it an invocation
    return len(killed)


def _alive(pid: int) -> bool:
    """Running still: neither gone nor a zombie (exited, waiting for the runtime to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


# --- runs -------------------------------------------------------------------------------------------
def one_run(api: Api) -> dict[str, float]:
    """A generic run at zero model latency: its execution's duration and its agent steps."""
    body = {"template": TEMPLATE, "topic": TOPIC, "options": {"offline": {"latency_ms": 0}}}
    started = time.monotonic()
    run_id = api.call("POST", "/runs", json=body)["run_id"]
    answered = time.monotonic() - started
    view = api.wait(run_id, FINAL, timeout=180)
    if view["status"] != "SUCCEEDED":
        raise RuntimeError(f"run {run_id} ended {view['status']}: {view.get('error')}")
    execution = _ended_execution(api, run_id)
    seconds = (
        datetime.fromisoformat(execution["ended_at"]) - datetime.fromisoformat(execution["started_at"])
    ).total_seconds()
    steps = sum(1 for step in view["steps"] if step.get("status") == "SUCCEEDED")
    return {"post_ms": answered * 1000, "execution_ms": seconds * 1000, "steps": steps}


def _ended_execution(api: Api, run_id: str, timeout: float = 30) -> dict[str, Any]:
    """The run's execution in its timeline once its end is there: the run's status can say it ended
    a moment before the execution's own end is recorded."""
    deadline = time.monotonic() + timeout
    while True:
        timeline = api.call("GET", f"/runs/{run_id}/timeline")["entries"]
        execution: dict[str, Any] = next(entry for entry in timeline if entry["kind"] == "execution")
        if execution.get("ended_at") or time.monotonic() > deadline:
            return execution
        time.sleep(0.1)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(samples: list[dict[str, float]]) -> dict[str, Any]:
    per_step = [s["execution_ms"] / s["steps"] for s in samples]
    posts = [s["post_ms"] for s in samples]
    return {
        "runs": len(samples),
        "steps_per_run": samples[0]["steps"],
        "per_step_ms_p50": round(_percentile(per_step, 0.5), 1),
        "per_step_ms_p95": round(_percentile(per_step, 0.95), 1),
        "execution_ms_p50": round(_percentile([s["execution_ms"] for s in samples], 0.5), 1),
        "post_ms_p50": round(_percentile(posts, 0.5), 1),
        "post_ms_p95": round(_percentile(posts, 0.95), 1),
    }


def memory_by_function(
    cloud: LocalCloud, cpu_before: dict[int, tuple[str, float]], runs: int
) -> list[dict[str, Any]]:
    """Each running worker's peak memory, the highest per function, with the function's memory size,
    and its CPU per warm run (its workers alive since ``cpu_before``, over ``runs``)."""
    specs = {spec.name: spec for spec in cloud.runtime.functions} if cloud.runtime else {}
    peaks: dict[str, float] = {}
    for pid, name in workers().items():
        peak = peak_mib(pid)
        if peak is not None:
            peaks[name] = max(peak, peaks.get(name, 0.0))
    spent: dict[str, float] = {}
    for pid, (name, now) in cpu_by_function().items():
        if pid in cpu_before:
            spent[name] = spent.get(name, 0.0) + now - cpu_before[pid][1]
    rows = []
    for name, peak in sorted(peaks.items()):
        spec = specs.get(name)
        cpu = spent.get(name)
        rows.append(
            {
                "function": name,
                "handler": spec.handler.rsplit(".", 1)[0] if spec else "",
                "peak_mib": round(peak, 1),
                "memory_mb": spec.memory_mb if spec else None,
                "cpu_ms_per_run": None if cpu is None else round(cpu * 1000 / runs, 1),
            }
        )
    return rows


def api_first_call(cloud: LocalCloud, api: Api, samples: int) -> dict[str, Any]:
    """``GET /runs`` by a new API worker (init and first request), then by the same warm worker."""
    functions = cloud.runtime.functions if cloud.runtime else []
    api_functions = {spec.name for spec in functions if spec.handler == "handlers.api.handler"}
    cold: list[float] = []
    warm: list[float] = []
    for _ in range(samples):
        stop_workers(only=api_functions)
        for into in (cold, warm):
            started = time.monotonic()
            api.call("GET", "/runs", params={"limit": 1})
            into.append((time.monotonic() - started) * 1000)
    return {
        "samples": samples,
        "cold_ms_median": round(statistics.median(cold), 1),
        "warm_ms_median": round(statistics.median(warm), 1),
    }


def measure(runs: int, api_samples: int) -> dict[str, Any]:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-local-cloud-") as state, LocalCloud(Path(state)) as cloud:
        _progress(started, "local cloud started")
        CLOUD[:] = [cloud]
        api = Api(cloud)
        one_run(api)  # every function of the template has a warm worker
        time.sleep(0.2)  # its last events are delivered: the CPU counted next is the warm runs'
        cpu_before = cpu_by_function()
        warm = [one_run(api) for _ in range(runs)]
        _progress(started, f"{runs} warm runs")
        time.sleep(0.2)
        # after init and warm invocations: the peak Lambda reports
        memory = memory_by_function(cloud, cpu_before, runs)
        first_call = api_first_call(cloud, api, api_samples)
        cold = []
        for _ in range(runs):
            time.sleep(0.2)  # the previous run's last events are delivered: every worker is idle
            stop_workers()
            cold.append(one_run(api))
        _progress(started, f"{runs} cold runs")
    return {
        "template": TEMPLATE,
        "model_latency_ms": 0,
        "warm": summary(warm),
        "cold": summary(cold),
        "memory": memory,
        "api_first_call": first_call,
    }


def _progress(started: float, what: str) -> None:
    print(f"{time.monotonic() - started:6.1f} s  {what}", file=sys.stderr, flush=True)


def render(result: dict[str, Any]) -> str:
    lines = [
        f"Orchestration per step, {result['template']} template, offline model at zero latency "
        f"({result['warm']['steps_per_run']} steps, {result['warm']['runs']} runs each)",
        f"{'':6} {'p50 ms/step':>12} {'p95 ms/step':>12} {'run p50 ms':>11} {'POST p50 ms':>12}",
    ]
    for kind in ("warm", "cold"):
        row = result[kind]
        lines.append(
            f"{kind:6} {row['per_step_ms_p50']:>12} {row['per_step_ms_p95']:>12} "
            f"{row['execution_ms_p50']:>11} {row['post_ms_p50']:>12}"
        )
    first = result["api_first_call"]
    lines.append(
        f"API GET /runs: first call of a new worker {first['cold_ms_median']} ms, "
        f"warm {first['warm_ms_median']} ms (median of {first['samples']})"
    )
    lines.append(f"\n{'function':60} {'handler':28} {'peak MiB':>8} {'memory MB':>9} {'CPU ms/run':>10}")
    for row in result["memory"]:
        lines.append(
            f"{row['function'][:60]:60} {row['handler']:28} {row['peak_mib']:>8} {row['memory_mb']:>9} "
            f"{row['cpu_ms_per_run']!s:>10}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", type=int, default=20, help="runs warm and runs cold (p50 and p95 over them)"
    )
    parser.add_argument("--api-samples", type=int, default=5, help="API cold first calls (median reported)")
    add_json_argument(parser)
    args = parser.parse_args()
    if args.runs < 1 or args.api_samples < 1:
        parser.error("--runs and --api-samples must be at least 1")
    result = measure(args.runs, args.api_samples)
    if args.json != "-":
        print(render(result))
    write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
