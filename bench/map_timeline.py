"""Where the wall time of a bounded map goes, item by item, on the local cloud.

Runs the ``graph_showcase`` map as ``map_concurrency.py`` does (8 items, every model call
``--latency-ms``, the executor's workers started first by a warm-up run) at the bounds asked
(``--bounds 1,8``), and notes for every item, on one clock (``time.time()`` of this process, where
the cloud runs):

- ``iteration``: the interpreter's ``MapIterationStarted`` event for the item,
- ``sent``: the interpreter's thread sends the Lambda ``Invoke`` (its boto3 call begins),
- ``received``: moto's server thread hands the invocation to the local Lambda runtime,
- ``worker``: the runtime has a worker for it and writes the event to the worker's input,
- ``handler`` / ``handler_end``: the worker's ``START`` and ``END`` lines reach the runtime,
- ``recorded`` / ``completed``: the item's own ``started_at`` and ``completed_at`` (the handler's
  writes to the runs table: the map's wall time in ``map_concurrency.py`` is the first to the last),
- ``result``: the runtime has the worker's result,
- ``response``: the interpreter's thread has the ``Invoke`` answer,
- ``iteration_end``: the interpreter's ``MapIterationSucceeded`` event for the item,

then the map's state exit and the next state's entry. Each item's row is printed in milliseconds
from the first item's ``iteration``, with the gaps between the marks; the medians of the gaps are
the per-item overhead of each hop, and what the bound-8 map's wall time holds beyond one item's
latency shows as growing gaps (waits for the interpreter lock, the DynamoDB lock, a worker).

Every request moto's server answers inside the map's window (the first item's ``iteration`` to the
last one's ``iteration_end``) is counted by action with its server thread's CPU and its wall time,
per item. The cloud process's CPU by thread kind and its workers' CPU by function
(``cpu_components.ComponentSampler``) are read over each measured run and printed per item (the
whole run's CPU divided by its items: the planner, approval and report steps included).

    .venv/bin/python bench/map_timeline.py [--bounds 1,8] [--runs 1] [--latency-ms 200] [--items 8]
        [--json [PATH]]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "functions")]

from cpu_components import ComponentSampler, per_run_rows  # noqa: E402
from emulation_cpu import action_of  # noqa: E402
from json_output import add_json_argument, report  # noqa: E402
from map_concurrency import MAP_STEP, WORKER_IDLE_SECONDS, Api, measure_run  # noqa: E402

from infra.local.cloud import LocalCloud  # noqa: E402
from infra.local.worker_limits import WorkerLimits  # noqa: E402

MARKS = (
    "iteration",
    "sent",
    "received",
    "worker",
    "handler",
    "recorded",
    "completed",
    "handler_end",
    "result",
    "response",
    "iteration_end",
)
_local = threading.local()


class Marks:
    """Every mark of every map item: (run id, item index) -> mark -> ``time.time()``."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
        self.requests: list[tuple[float, str, float, float]] = []  # (start, action, CPU s, wall s)
        self.lock = threading.Lock()

    def note(self, event: Any, mark: str, at: float | None = None) -> None:
        if isinstance(event, dict) and isinstance(event.get("item"), int):  # a map item's agent step
            with self.lock:
                self.items[(str(event.get("run_id")), int(event["item"]))].setdefault(mark, at or time.time())

    def install(self, cloud: LocalCloud) -> None:
        """Wraps the interpreter's Lambda call and the runtime's invocation steps (this process only)."""
        from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

        invoke_from_interpreter = lambda_eval_utils._invoke_lambda_function
        runtime = cloud.runtime
        assert runtime is not None
        invoke, acquire, write_log = runtime.invoke, runtime._acquire, runtime._write_log

        def _invoke_lambda_function(parameters: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
            event = _payload(parameters.get("Payload"))
            self.note(event, "sent")
            try:
                return invoke_from_interpreter(parameters, *args, **kwargs)
            finally:
                self.note(event, "response")

        def invoke_noted(name_or_arn: str, event: Any) -> Any:
            _local.event = event
            self.note(event, "received")
            try:
                return invoke(name_or_arn, event)
            finally:
                self.note(event, "result")
                _local.event = None

        def acquire_noted(spec: Any) -> Any:
            worker = acquire(spec)
            self.note(getattr(_local, "event", None), "worker")
            return worker

        def write_log_noted(function_name: str, line: str) -> None:
            if line.startswith("START RequestId"):
                self.note(getattr(_local, "event", None), "handler")
            elif line.startswith("END RequestId"):
                self.note(getattr(_local, "event", None), "handler_end")
            write_log(function_name, line)

        from moto.moto_server.werkzeug_app import DomainDispatcherApplication

        dispatch = DomainDispatcherApplication.__call__

        def __call__(app: Any, environ: dict[str, Any], start_response: Any) -> Any:
            started, cpu = time.time(), time.thread_time()
            try:
                return dispatch(app, environ, start_response)
            finally:
                noted = (started, action_of(environ), time.thread_time() - cpu, time.time() - started)
                with self.lock:
                    self.requests.append(noted)

        DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]
        lambda_eval_utils._invoke_lambda_function = _invoke_lambda_function
        runtime.invoke = invoke_noted  # type: ignore[method-assign]
        runtime._acquire = acquire_noted  # type: ignore[method-assign]
        runtime._write_log = write_log_noted  # type: ignore[method-assign]


def _payload(payload: Any) -> Any:
    if isinstance(payload, (bytes, str)):
        try:
            return json.loads(payload)
        except ValueError:
            return None
    return payload


def _history_marks(cloud: LocalCloud, run_id: str) -> tuple[dict[int, dict[str, float]], dict[str, float]]:
    """Per item index, the ``MapIterationStarted`` / ``Succeeded`` times; and the map state's
    entry and exit and the next state's entry, of the run's execution."""
    sfn = cloud.client("stepfunctions")
    execution_arn = None
    for machine in sfn.list_state_machines()["stateMachines"]:
        for execution in sfn.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]:
            described = sfn.describe_execution(executionArn=execution["executionArn"])
            if run_id in described.get("input", ""):
                execution_arn = execution["executionArn"]
    if execution_arn is None:
        return {}, {}
    events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    items: dict[int, dict[str, float]] = defaultdict(dict)
    states: dict[str, float] = {}
    map_exited = False
    for event in events:
        at = event["timestamp"].timestamp()
        kind = event["type"]
        if kind == "MapIterationStarted":
            items[event["mapIterationStartedEventDetails"]["index"]]["iteration"] = at
        elif kind == "MapIterationSucceeded":
            items[event["mapIterationSucceededEventDetails"]["index"]]["iteration_end"] = at
        elif kind == "MapStateEntered":
            states.setdefault("map_entered", at)
        elif kind == "MapStateExited":
            states.setdefault("map_exited", at)
            map_exited = True
        elif map_exited and kind.endswith("StateEntered") and "next_state" not in states:
            states["next_state"] = at
    return items, states


def timeline(
    api: Api, cloud: LocalCloud, marks: Marks, bound: int, items: int, latency_ms: int
) -> dict[str, Any]:
    sampler = ComponentSampler(cloud.runtime)
    sampler.start()
    map_seconds, run_seconds, peak, _ = measure_run(api, bound, items, latency_ms)
    components = sampler.stop()
    runs = {run for run, _ in marks.items}
    if len(runs) != 1:
        raise RuntimeError(f"expected the map items of one run, noted {sorted(runs)}")
    run_id = runs.pop()
    view = api.call("GET", f"/runs/{run_id}")
    per_item = {index: dict(m) for (_, index), m in marks.items.items()}
    map_step = next(step for step in view["steps"] if step["step"] == MAP_STEP)
    for position, item in enumerate(map_step["items"]):
        step = item["steps"][0]
        index = item.get("item", step.get("item", position))
        per_item.setdefault(int(index), {}).update(
            recorded=datetime.fromisoformat(step["started_at"]).timestamp(),
            completed=datetime.fromisoformat(step["completed_at"]).timestamp(),
        )
    history, states = _history_marks(cloud, run_id)
    for index, found in history.items():
        per_item.setdefault(index, {}).update(found)
    origin = min(m["iteration"] for m in per_item.values() if "iteration" in m)
    rows = {
        index: {
            mark: round((per_item[index][mark] - origin) * 1000) for mark in MARKS if mark in per_item[index]
        }
        for index in sorted(per_item)
    }
    window = (origin, max(m["iteration_end"] for m in per_item.values() if "iteration_end" in m))
    by_action: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for started, action, cpu, wall in marks.requests:
        if window[0] <= started <= window[1]:
            row = by_action[action]
            row[0] += 1
            row[1] += cpu * 1000
            row[2] += wall * 1000
    marks.items.clear()
    marks.requests.clear()
    return {
        "bound": bound,
        "run_id": run_id,
        "map_seconds": round(map_seconds, 3),
        "run_seconds": round(run_seconds, 3),
        "most_at_once": peak,
        "items_ms": rows,
        "states_ms": {name: round((at - origin) * 1000) for name, at in states.items()},
        "gaps_median_ms": _gaps(rows),
        "cpu_ms_per_item": dict(per_run_rows(components, items)),
        "map_requests_per_item": {
            action: {"count": n / items, "cpu_ms": round(cpu / items, 1), "wall_ms": round(wall / items, 1)}
            for action, (n, cpu, wall) in sorted(by_action.items(), key=lambda r: -r[1][1])
        },
    }


def _gaps(rows: dict[int, dict[str, int]]) -> dict[str, float]:
    gaps: dict[str, list[int]] = defaultdict(list)
    for row in rows.values():
        present = [mark for mark in MARKS if mark in row]
        for before, after in itertools.pairwise(present):
            gaps[f"{before} -> {after}"].append(row[after] - row[before])
    return {name: statistics.median(values) for name, values in gaps.items()}


def render(results: dict[str, Any]) -> str:
    lines = [f"load average {results['load_average']}"]
    for measured in results["timelines"]:
        lines.append(
            f"\nbound {measured['bound']}: map {measured['map_seconds']} s, run {measured['run_seconds']} s, "
            f"most at once {measured['most_at_once']} (ms from the first item's MapIterationStarted)"
        )
        lines.append("item " + " ".join(f"{mark[:11]:>11}" for mark in MARKS))
        for index, row in measured["items_ms"].items():
            lines.append(f"{index:>4} " + " ".join(f"{row.get(mark, ''):>11}" for mark in MARKS))
        lines.append("states: " + ", ".join(f"{k} {v}" for k, v in measured["states_ms"].items()))
        lines.append(
            "median gaps (ms): " + ", ".join(f"{k} {v}" for k, v in measured["gaps_median_ms"].items())
        )
        lines.append("requests inside the map's window, per item: count, server thread CPU ms, wall ms")
        lines += [
            f"  {action}: {r['count']:.2f}, {r['cpu_ms']}, {r['wall_ms']}"
            for action, r in measured["map_requests_per_item"].items()
        ]
        lines.append("CPU per item over the run (ms):")
        lines += [f"  {name}: {ms}" for name, ms in measured["cpu_ms_per_item"].items() if abs(ms) >= 0.5]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bounds", default="1,8", help="the map's bounds to measure, comma-separated")
    parser.add_argument("--runs", type=int, default=1, help="runs per bound")
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--items", type=int, default=8)
    add_json_argument(parser)
    args = parser.parse_args()
    bounds = [int(b) for b in args.bounds.split(",")]
    marks = Marks()
    limits = WorkerLimits.configured({"idle_seconds": WORKER_IDLE_SECONDS})
    with (
        tempfile.TemporaryDirectory(prefix="bench-local-cloud-") as state,
        LocalCloud(Path(state), worker_limits=limits) as cloud,
    ):
        api = Api(cloud)
        api.POLL_SECONDS = 0.5
        marks.install(cloud)
        measure_run(api, max(bounds), args.items, args.latency_ms)  # every worker started
        marks.items.clear()
        marks.requests.clear()
        timelines = [
            timeline(api, cloud, marks, bound, args.items, args.latency_ms)
            for _ in range(args.runs)
            for bound in bounds
        ]
    results = {"load_average": round(os.getloadavg()[0], 1), "timelines": timelines}
    report(args.json, results, render)
    return 0


if __name__ == "__main__":
    sys.exit(main())
