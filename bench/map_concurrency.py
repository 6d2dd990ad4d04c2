"""Wall time of a Map over 8 items at max_concurrency 1, 4 and 8, on the local cloud.

Starts the local cloud (moto, the real state machines, the real Lambda handlers in worker
processes), then runs the ``graph_showcase`` template through the HTTP API with the offline
provider: its planner yields ``--items`` tasks, every model call waits ``--latency-ms``, and
``options.max_concurrency`` lowers the map's bound (8 in the template) for each run. The map's
wall time is measured from the items' own timestamps (first start to last completion), as is
the most items that ever ran at once. Each bound is measured ``--runs`` times, interleaved, and
the median is reported with the speedup against a bound of 1, beside the CPU spent per item
inside the map's time (read from ``/proc`` every 50 ms, Linux only): the local cloud's own process
(moto, the Step Functions interpreter, the API gateway, event deliveries, this script's polling)
and its Lambda workers. On a machine shared with other work the wall times follow the load; the
CPU per item much less.

The run is read every ``--poll-seconds`` (0.5) while it runs. The cloud keeps idle workers
``--worker-idle-seconds`` (900: Lambda keeps an execution environment warm for minutes; the local
cloud's default of 20 s would retire the executor's eight workers between two maps whenever a run
takes longer than that, and every map at a bound of 8 would then start eight, measuring their
start instead of the map).

Targets: the bound is never exceeded (exit 1 otherwise), and a bound of 8 is at least 5x faster
than a bound of 1 (``--no-fail`` only reports).

    .venv/bin/python bench/map_concurrency.py [--runs 3] [--latency-ms 200] [--items 8] [--json]
        [--poll-seconds 0.5] [--worker-idle-seconds 900]
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "functions")]

from infra.local.cloud import LocalCloud  # noqa: E402
from infra.local.worker_limits import WorkerLimits  # noqa: E402

TEMPLATE = "graph_showcase"
MAP_STEP = "execute"
BOUNDS = (1, 4, 8)
MIN_SPEEDUP_AT_8 = 5.0
FINAL = {"SUCCEEDED", "COMPENSATED", "COMPENSATION_FAILED", "FAILED_TO_START", "REJECTED", "CANCELLED"}
WORKER_IDLE_SECONDS = 900.0
MAP_POLL_SECONDS = 0.5
"""Every read of the run costs the cloud a request through the API function and a query of all the
run's records: read ten times a second, the bench competed for the CPU with the map it measures.
The map's time comes from the items' timestamps, not from the reads."""


@dataclass
class Measurements:
    bound: int
    map_seconds: list[float] = field(default_factory=list)
    run_seconds: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    cloud_cpu_ms: list[float] = field(default_factory=list)
    worker_cpu_ms: list[float] = field(default_factory=list)

    def row(self, baseline: float) -> dict[str, Any]:
        median = statistics.median(self.map_seconds)
        return {
            "max_concurrency": self.bound,
            "map_seconds_median": round(median, 3),
            "map_seconds": [round(s, 3) for s in self.map_seconds],
            "run_seconds_median": round(statistics.median(self.run_seconds), 3),
            "most_at_once": max(self.peaks),
            "speedup_vs_1": round(baseline / median, 2),
            "cloud_cpu_ms_per_item": _median(self.cloud_cpu_ms),
            "worker_cpu_ms_per_item": _median(self.worker_cpu_ms),
        }


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values)) if values else None


class TreeCpu:
    """CPU seconds of this process and of all its descendants (the Lambda workers), read from
    ``/proc`` every ``PERIOD`` seconds in a thread of its own; nothing where there is no ``/proc``.

    The sampler runs in the measured process: finding the descendants reads every process's
    ``stat`` (3-5 ms of CPU on a machine running 160 processes, 5-9% of a core at 20 readings a
    second, taken from the cloud the map runs in), so the process table is read every
    ``RESCAN_SECONDS`` only, and the descendants found then in between (a worker started meanwhile
    is counted from the next scan, all of its CPU then)."""

    PERIOD = 0.05
    RESCAN_SECONDS = 1.0

    def __init__(self) -> None:
        self.available = os.path.exists(f"/proc/{os.getpid()}/stat")
        self._ticks = os.sysconf("SC_CLK_TCK") if self.available else 100
        self._samples: list[tuple[float, float, float]] = []  # (time.time(), own, descendants)
        self._descendants: list[int] = []
        self._scanned = float("-inf")  # time.monotonic() of the last scan of the process table
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="bench-tree-cpu", daemon=True)

    def __enter__(self) -> TreeCpu:
        if self.available:
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()

    def _sample(self) -> None:
        while not self._stop.wait(self.PERIOD):
            self._samples.append((time.time(), *self._read()))

    def _stat(self, pid: int | str) -> list[str] | None:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
                return stat.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            return None

    def _cpu(self, fields: list[str]) -> float:
        return (int(fields[11]) + int(fields[12])) / self._ticks  # utime + stime

    def _scan(self) -> float:
        """Reads every process: this process's descendants now, and their CPU."""
        children: dict[int, list[int]] = {}
        cpu: dict[int, float] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            fields = self._stat(entry)
            if fields is None:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
            cpu[int(entry)] = self._cpu(fields)
        descendants, pending = [], list(children.get(os.getpid(), []))
        while pending:
            pid = pending.pop()
            descendants.append(pid)
            pending.extend(children.get(pid, []))
        self._descendants = descendants
        return sum(cpu.get(pid, 0.0) for pid in descendants)

    def _read(self) -> tuple[float, float]:
        own = self._stat(os.getpid())
        if time.monotonic() - self._scanned >= self.RESCAN_SECONDS:
            self._scanned = time.monotonic()
            descendants = self._scan()
        else:
            descendants = sum(self._cpu(fields) for pid in self._descendants if (fields := self._stat(pid)))
        return (self._cpu(own) if own else 0.0), descendants

    def between(self, start: float, end: float) -> tuple[float, float] | None:
        """(own, descendants) CPU seconds from ``start`` to ``end`` (``time.time()``), None when
        the samples do not cover them. A worker that exits meanwhile takes its CPU along."""
        times = [sample[0] for sample in self._samples]
        first, last = bisect.bisect_right(times, start) - 1, bisect.bisect_left(times, end)
        if first < 0 or last >= len(times):
            return None
        (_, own0, rest0), (_, own1, rest1) = self._samples[first], self._samples[last]
        return own1 - own0, max(0.0, rest1 - rest0)


class Api:
    POLL_SECONDS = 0.1
    """How often ``wait`` reads the run."""

    def __init__(self, cloud: LocalCloud) -> None:
        self.url = cloud.api_url
        self.headers = {"Authorization": f"Bearer {cloud.mint_token(tenant_id='bench', subject='bench')}"}

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = requests.request(method, self.url + path, headers=self.headers, timeout=30, **kwargs)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return dict(response.json())

    def wait(self, run_id: str, until: set[str], timeout: float = 300) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            view = self.call("GET", f"/runs/{run_id}")
            if view["status"] in until:
                return view
            time.sleep(self.POLL_SECONDS)
        raise TimeoutError(f"run {run_id} did not reach {until}")


def _interval(item: dict[str, Any]) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(item["started_at"]), datetime.fromisoformat(item["completed_at"])


def _most_at_once(intervals: list[tuple[datetime, datetime]]) -> int:
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = peak = 0
    for _, change in edges:  # an end sorts before a start at the same instant
        running += change
        peak = max(peak, running)
    return peak


def measure_once(api: Api, bound: int, items: int, latency_ms: int) -> tuple[float, float, int]:
    """(map wall seconds, run wall seconds, most items at once) of one run."""
    map_seconds, run_seconds, peak, _ = measure_run(api, bound, items, latency_ms)
    return map_seconds, run_seconds, peak


def measure_run(
    api: Api, bound: int, items: int, latency_ms: int
) -> tuple[float, float, int, tuple[float, float]]:
    """``measure_once``'s figures and the map's first start and last end (``time.time()``)."""
    started = time.monotonic()
    body = {
        "template": TEMPLATE,
        "topic": "Benchmark the bounded fan-out of the executors",
        # no response cache: the warm-up run would otherwise answer every later run's items from it,
        # and the map would be measured without its model latency
        "options": {
            "use_cache": False,
            "max_concurrency": bound,
            "offline": {"latency_ms": latency_ms, "list_items": items},
        },
    }
    run_id = api.call("POST", "/runs", json=body)["run_id"]
    view = api.wait(run_id, {"AWAITING_APPROVAL"} | FINAL)
    if view["status"] == "AWAITING_APPROVAL":
        api.call("POST", f"/runs/{run_id}/approval", json={"decision": "approve", "comment": "bench"})
        view = api.wait(run_id, FINAL)
    if view["status"] != "SUCCEEDED":
        raise RuntimeError(f"run {run_id} ended {view['status']}: {view.get('error')}")
    run_seconds = time.monotonic() - started
    map_step = next(step for step in view["steps"] if step["step"] == MAP_STEP)
    map_items = [item["steps"][0] for item in map_step["items"] if item["steps"][0]["status"] == "SUCCEEDED"]
    if len(map_items) != items:
        raise RuntimeError(f"run {run_id}: {len(map_items)} map items, expected {items}")
    intervals = [_interval(item) for item in map_items]
    first, last = min(start for start, _ in intervals), max(end for _, end in intervals)
    window = (first.timestamp(), last.timestamp())
    return (last - first).total_seconds(), run_seconds, _most_at_once(intervals), window


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="measurements per bound (median reported)")
    parser.add_argument("--latency-ms", type=int, default=200, help="simulated latency of every model call")
    parser.add_argument("--items", type=int, default=8, help="map items (the planner's tasks)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--no-fail", action="store_true", help="report only; exit 0 even when a target is missed"
    )
    parser.add_argument(
        "--poll-seconds",
        type=float,
        default=MAP_POLL_SECONDS,
        help="how often a run is read while it runs (the map's time comes from its items' own timestamps)",
    )
    parser.add_argument(
        "--worker-idle-seconds",
        type=float,
        default=WORKER_IDLE_SECONDS,
        help="how long the cloud keeps an idle Lambda worker (the local cloud's default: 20)",
    )
    args = parser.parse_args()

    results = {bound: Measurements(bound) for bound in BOUNDS}
    limits = WorkerLimits.configured({"idle_seconds": args.worker_idle_seconds})
    with (
        tempfile.TemporaryDirectory(prefix="bench-local-cloud-") as state,
        LocalCloud(Path(state), worker_limits=limits) as cloud,
        TreeCpu() as cpu,
    ):
        api = Api(cloud)
        api.POLL_SECONDS = args.poll_seconds
        # every function's workers started first: at the measured latency the bound of 8 needs 8 workers of
        # the executor, which a run at zero latency (its items done before the next one starts) never starts
        measure_once(api, max(BOUNDS), args.items, args.latency_ms)
        for _ in range(args.runs):
            for bound in BOUNDS:
                map_seconds, run_seconds, peak, window = measure_run(api, bound, args.items, args.latency_ms)
                results[bound].map_seconds.append(map_seconds)
                results[bound].run_seconds.append(run_seconds)
                results[bound].peaks.append(peak)
                time.sleep(2 * TreeCpu.PERIOD)  # a sample after the map's end
                spent = cpu.between(*window)
                if spent is not None:
                    results[bound].cloud_cpu_ms.append(spent[0] * 1000 / args.items)
                    results[bound].worker_cpu_ms.append(spent[1] * 1000 / args.items)

    baseline = statistics.median(results[1].map_seconds)
    rows = [results[bound].row(baseline) for bound in BOUNDS]
    if args.json:
        print(
            json.dumps(
                {
                    "items": args.items,
                    "latency_ms": args.latency_ms,
                    "runs": args.runs,
                    "worker_idle_seconds": args.worker_idle_seconds,
                    "load_average": round(os.getloadavg()[0], 1),
                    "results": rows,
                }
            )
        )
    else:
        print(
            f"Map over {args.items} items, {args.latency_ms} ms per model call, median of {args.runs} runs "
            f"(load average {os.getloadavg()[0]:.1f})"
        )
        header = (
            "max_concurrency",
            "map wall (s)",
            "speedup",
            "most at once",
            "run (s)",
            "CPU/item cloud+workers",
        )
        widths = (15, 12, 7, 12, 7, 22)
        print("  ".join(f"{name:>{width}}" for name, width in zip(header, widths, strict=True)))
        for row in rows:
            per_item = f"{row['cloud_cpu_ms_per_item']} + {row['worker_cpu_ms_per_item']} ms"
            print(
                f"{row['max_concurrency']:>15}  {row['map_seconds_median']:>12.2f}  "
                f"{row['speedup_vs_1']:>6.2f}x  {row['most_at_once']:>12}  "
                f"{row['run_seconds_median']:>7.2f}  {per_item:>22}"
            )
    exceeded = [row for row in rows if row["most_at_once"] > row["max_concurrency"]]
    slow = rows[-1]["speedup_vs_1"] < MIN_SPEEDUP_AT_8
    for row in exceeded:
        print(
            f"MISSED: bound {row['max_concurrency']} exceeded ({row['most_at_once']} at once)",
            file=sys.stderr,
        )
    if slow:
        print(f"MISSED: speedup at 8 is {rows[-1]['speedup_vs_1']}x (< {MIN_SPEEDUP_AT_8}x)", file=sys.stderr)
    return 1 if (exceeded or slow) and not args.no_fail else 0


if __name__ == "__main__":
    sys.exit(main())
