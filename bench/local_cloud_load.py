"""Load on the local cloud: bursts of 10, 50 and 200 concurrent ``POST /runs`` from several
tenants, and what the local cloud holds (worker processes, memory) at peak and after a minute idle.

The local cloud runs in a process of its own (as ``orchestrator local up`` does, its state saved
every second), with the offline model at zero latency; this script only sends requests and watches
that process's tree from ``/proc``: the number of Lambda worker processes and the resident memory
(RSS) of the whole tree, of its workers and of the cloud process itself (the emulation and its
state); the cloud also says what it is still busy with (``LocalCloud.load``: workers busy, event
deliveries and queued messages not done yet).
For each burst it prints, as soon as the burst is over, the time until every POST was answered, the
runs started per second (answers) and ended per second, the errors (anything but 202, or no answer),
how every run ended, the peak of workers and memory, and the workers, memory and work left once
every run ended. After the last burst it leaves the cloud idle for ``--idle`` seconds (a minute),
noting when its last work was done and when its last worker was retired, and measures it again.
The pool's bounds are the local cloud's (``ORCHESTRATOR_LOCAL_MAX_WORKERS`` and the other
variables of ``infra/local/worker_limits.py`` apply).

Targets: zero errors, every run ends ``SUCCEEDED``, never more worker processes than the runtime's
ceiling, and no worker left after the idle minute (exit 1 otherwise; ``--no-fail`` only reports).
The JSON goes to ``--json PATH`` (default ``bench/results/local_cloud_load.json``), what the local
cloud printed to ``bench/results/local_cloud_load.log``.

    .venv/bin/python bench/local_cloud_load.py [--bursts 10,50,200] [--tenants 4] [--idle 60] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "functions")]


FINAL = {"SUCCEEDED", "COMPENSATED", "COMPENSATION_FAILED", "FAILED_TO_START", "REJECTED", "CANCELLED"}
CLIENT_TIMEOUT_SECONDS = 600
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PAGE_SIZE = ((os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096) or 4096) / (1024 * 1024)
LIMITS = ("max_workers", "max_workers_per_function", "idle_seconds")
IDLE_SECONDS = 60.0
"""How long the cloud is left idle after the last burst: the target is to be back to where it
started (no worker, its memory before any run) within this minute."""
WORKER_SCRIPT = "lambda_worker.py"
ZYGOTE_SCRIPT = "lambda_zygote.py"


# --- the local cloud, in its own process ----------------------------------------------------------
def serve(state_dir: str, tenants: list[str], burst: int, conn: Connection) -> None:
    """Runs the local cloud until told to stop; sends back its API URL and one token per tenant."""
    sys.path[:0] = [str(REPO), str(REPO / "functions")]
    # what the cloud prints (a client that gave up, a delivery that timed out) goes to its own log
    (REPO / "bench" / "results").mkdir(parents=True, exist_ok=True)
    log = (REPO / "bench" / "results" / "local_cloud_load.log").open("w", encoding="utf-8")
    sys.stdout = sys.stderr = log
    from infra.local.cloud import LocalCloud
    from orchestrator.tenancy.plans import TenantLimits

    with LocalCloud(Path(state_dir), persist=True) as cloud:  # saving its state, as `local up` does
        tokens = {}
        for tenant in tenants:  # each plan admits the whole burst: the limits are not what this measures
            limits = TenantLimits(requests_per_minute=100_000, max_concurrent_runs=max(burst, 1))
            cloud.onboard(tenant, plan="enterprise", limits=limits)
            tokens[tenant] = cloud.mint_token(tenant_id=tenant, subject="load")
        conn.send({"api_url": cloud.api_url, "tokens": tokens})
        while conn.recv() == "load":  # until "stop"
            conn.send(cloud.load())


# --- the process tree, from /proc -----------------------------------------------------------------
def _children(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found: list[int] = []
    for task in tasks:
        try:
            found += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            continue
    return found


def _rss_mib(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0.0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


_WORKERS: dict[tuple[int, int], bool] = {}


def _is_worker(pid: int, parent: int) -> bool:
    """A worker started as a new interpreter, or forked by the zygote (its command line is the
    zygote's: a child of the zygote is a worker, the zygote itself is not). Kept per process and
    parent: a process's command line is read once, not at every sample."""
    known = _WORKERS.get((pid, parent))
    if known is None:
        command = _cmdline(pid)
        if not command:  # gone, or not yet exec'd: asked again next time
            return False
        known = WORKER_SCRIPT in command or (ZYGOTE_SCRIPT in command and ZYGOTE_SCRIPT in _cmdline(parent))
        _WORKERS[(pid, parent)] = known
    return known


def _walk(pid: int) -> list[tuple[int, int]]:
    """(process, its parent) for ``pid`` and every process below it."""
    pending, seen = [(pid, 0)], []
    while pending:
        current, parent = pending.pop()
        seen.append((current, parent))
        pending += [(child, current) for child in _children(current)]
    return seen


def tree(pid: int, seen: list[tuple[int, int]] | None = None) -> tuple[int, float, float]:
    """(Lambda worker processes, RSS of the whole tree, RSS of its workers; in MiB) of ``pid``
    (or of the processes ``_walk`` found already)."""
    seen = _walk(pid) if seen is None else seen
    workers = [p for p, parent in seen if _is_worker(p, parent)]
    return len(workers), sum(_rss_mib(p) for p, _ in seen), sum(_rss_mib(p) for p in workers)


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a process (None once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class CpuWatch:
    """The CPU of the cloud process and of its workers and zygotes (Lambda's side) since ``reset``:
    each process's latest reading (one that ends between two readings keeps its last one, so the
    workers' figure is a little short), and how many worker processes were new since."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.reset()

    def reset(self) -> None:
        self._start: dict[int, float] = {}
        self._latest: dict[int, float] = {}
        self._new: set[int] = set()
        self._first = True
        self.sample()
        self._first = False
        self._client = _own_cpu_s()

    def sample(self, seen: list[tuple[int, int]] | None = None) -> None:
        for pid, parent in _walk(self.pid) if seen is None else seen:
            cpu = _cpu_s(pid)
            if cpu is None:
                continue
            if pid not in self._start:
                self._start[pid] = cpu if self._first else 0.0
                if not self._first and pid != self.pid and _is_worker(pid, parent):
                    self._new.add(pid)
            self._latest[pid] = cpu

    def totals(self) -> dict[str, float | int]:
        cloud = self._latest.get(self.pid, 0.0) - self._start.get(self.pid, 0.0)
        lambdas = sum(self._latest[p] - self._start[p] for p in self._latest if p != self.pid)
        return {
            "cloud_cpu_s": round(cloud, 1),
            "workers_cpu_s": round(lambdas, 1),
            "client_cpu_s": round(_own_cpu_s() - self._client, 1),
            "new_worker_processes": len(self._new),
        }


def _own_cpu_s() -> float:
    times = os.times()
    return times.user + times.system


class Watcher:
    """Samples the tree every ``every`` seconds and keeps the peaks since the last ``reset``. It
    shares the two cores with the cloud it measures: each sample walks the tree once (a walk reads
    a file per thread of the cloud process, hundreds in a burst)."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        self.pid, self.every = pid, every
        self.peak_workers, self.peak_rss = 0, 0.0
        self.cpu = CpuWatch(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            seen = _walk(self.pid)
            workers, rss, _ = tree(self.pid, seen)
            self.peak_workers = max(self.peak_workers, workers)
            self.peak_rss = max(self.peak_rss, rss)
            self.cpu.sample(seen)

    def reset(self) -> None:
        self.peak_workers, self.peak_rss, _ = tree(self.pid)
        self.cpu.reset()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


# --- the load ---------------------------------------------------------------------------------
def _post(url: str, token: str, index: int) -> tuple[str, str | None]:
    """('202', run id) or (another status, None) or ('connection error: ...', None)."""
    try:
        response = requests.post(
            f"{url}/runs",
            json={"template": "generic", "topic": f"load test run {index}"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=CLIENT_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        return f"connection error: {type(exc.__cause__ or exc).__name__}", None
    if response.status_code == 202:
        return "202", str(response.json()["run_id"])
    return str(response.status_code), None


def _statuses(url: str, token: str) -> dict[str, str] | None:
    """Every run of the token's tenant and its status (the listing, page by page); None when the
    API did not answer in time (it is busy with the burst: asked again later)."""
    found: dict[str, str] = {}
    cursor = None
    while True:
        params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        try:
            response = requests.get(
                f"{url}/runs", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=120
            )
            page = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError):
            return None
        if page is None:  # e.g. 503 while every API execution is busy
            return None
        found |= {run["run_id"]: run["status"] for run in page["runs"]}
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def burst(url: str, tokens: dict[str, str], size: int, watcher: Watcher, timeout: float) -> dict[str, Any]:
    """``size`` POST /runs at once, round-robin over the tenants; waits for every run to end."""
    watcher.reset()
    callers = list(tokens.values())
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=size) as pool:
        answers = list(pool.map(lambda i: (i, _post(url, callers[i % len(callers)], i)), range(size)))
    answered_s = time.monotonic() - started
    accepted = {run_id: callers[i % len(callers)] for i, (_, run_id) in answers if run_id}
    deadline = time.monotonic() + timeout
    status: dict[str, str] = {}
    while time.monotonic() < deadline and not all(status.get(r) in FINAL for r in accepted):
        time.sleep(2)
        for token in set(accepted.values()):
            status |= _statuses(url, token) or {}
    ended_s = time.monotonic() - started
    watcher.cpu.sample()
    cpu = watcher.cpu.totals()
    outcomes = Counter(answer for _, (answer, _) in answers)
    return {
        "concurrent_posts": size,
        "tenants": len(callers),
        "all_answered_seconds": round(answered_s, 2),
        "answers_per_second": round(size / answered_s, 2),
        "errors": size - outcomes.get("202", 0),
        "answers": dict(outcomes),
        "all_ended_seconds": round(ended_s, 2),
        "runs_ended_per_second": round(len(accepted) / ended_s, 2),
        "runs_final": dict(Counter(status.get(r, "NOT ENDED") for r in accepted)),
        "peak_workers": watcher.peak_workers,
        "peak_rss_mib": round(watcher.peak_rss),
        **cpu,
    }


def _snapshot(pid: int, cloud: Connection | None = None) -> dict[str, Any]:
    """Worker processes and memory of the local cloud now: the whole tree, its workers' part and
    the cloud process's own (the emulation's state, its threads); with ``cloud``, what the cloud
    says it is busy with (workers busy, deliveries and queued messages not done yet)."""
    workers, rss, workers_rss = tree(pid)
    snapshot = {
        "workers": workers,
        "rss_mib": round(rss),
        "workers_rss_mib": round(workers_rss),
        "cloud_process_rss_mib": round(_rss_mib(pid)),
    }
    if cloud is not None:
        cloud.send("load")
        load = cloud.recv()
        snapshot["busy_workers"] = sum(load.get("busy", {}).values())
        snapshot |= {k: load[k] for k in ("pending_deliveries", "queued_messages", "zygotes") if k in load}
    return snapshot


def watch_idle(pid: int, cloud: Connection, seconds: float, report: Callable[[str], None]) -> dict[str, Any]:
    """Watches the idle cloud for ``seconds``: when its last delivery and queued message were done,
    when its last worker was retired; then the snapshot at the end."""
    started = time.monotonic()
    drained_s = retired_s = None
    while (elapsed := time.monotonic() - started) < seconds:
        now = _snapshot(pid, cloud)
        busy = now["busy_workers"] or now["pending_deliveries"] or any(now["queued_messages"].values())
        drained_s = None if busy else (drained_s if drained_s is not None else round(elapsed, 1))
        retired_s = None if now["workers"] else (retired_s if retired_s is not None else round(elapsed, 1))
        time.sleep(min(2.0, max(0.0, seconds - elapsed)))
    final = {"seconds": seconds, "work_drained_after_s": drained_s, "workers_gone_after_s": retired_s}
    report(f"idle: work done after {drained_s} s, every worker retired after {retired_s} s")
    return final | _snapshot(pid, cloud)


def restored_idle(context: Any, state: str, idle: float) -> dict[str, Any] | None:
    """The memory of a new cloud started on the state the burst left (as ``local up`` restores it
    after a stop), after the same idle time: what the cloud process holds for that data alone, to
    set against what the burst's cloud held after its idle minute."""
    ours, theirs = context.Pipe()
    cloud = context.Process(target=serve, args=(state, [], 1, theirs))
    cloud.start()
    try:
        if not ours.poll(300):
            return None
        ours.recv()
        time.sleep(idle)
        return _snapshot(int(cloud.pid or 0), ours) | {"seconds": idle}
    finally:
        ours.send("stop")
        cloud.join(60)
        if cloud.is_alive():
            cloud.kill()


def measure(
    bursts: list[int], tenants: int, idle: float, timeout: float, report: Callable[[str], None] = print
) -> dict[str, Any]:
    """Each burst in turn (its line reported as soon as it is over), then the idle minute."""
    context = multiprocessing.get_context("spawn")
    names = [f"load-{chr(ord('a') + i)}" for i in range(tenants)]
    ours, theirs = context.Pipe()
    with tempfile.TemporaryDirectory(prefix="bench-local-cloud-") as state:
        cloud = context.Process(target=serve, args=(state, names, max(bursts), theirs))
        cloud.start()
        try:
            if not ours.poll(300):
                raise SystemExit("the local cloud did not start within 300 s")
            up = ours.recv()
            pid = int(cloud.pid or 0)
            ours.send("load")
            limits = {k: v for k, v in ours.recv().items() if k in LIMITS}
            before = _snapshot(pid, ours)
            report(_header(tenants, limits))
            watcher = Watcher(pid)
            rows = []
            for size in bursts:
                row = burst(up["api_url"], up["tokens"], size, watcher, timeout)
                rows.append(row | {"after": _snapshot(pid, ours)})
                report(_row(rows[-1]))
            watcher.stop()
            after_idle = watch_idle(pid, ours, idle, report)
            ours.send("load")
            load = ours.recv()
        finally:
            ours.send("stop")
            cloud.join(60)
            if cloud.is_alive():
                cloud.kill()
        restored = restored_idle(context, state, idle) if idle and not cloud.exitcode else None
    result = limits | {
        "before_any_run": before,
        "bursts": rows,
        "after_idle": after_idle,
        "restored_idle": restored,
        "reserved_workers": load["reserved"],
        "usage_by_function": load["usage"],
    }
    report(_footer(result))
    report(_usage(load["usage"], load["foreground"]))
    return result


def _usage(usage: dict[str, dict[str, Any]], foreground: list[str]) -> str:
    """The foreground functions' (the API's) longest wait for a worker and longest run, and every
    function's failures by kind (``Sandbox.Timedout``: its timeout was hit)."""
    lines = [
        f"{name}: {u['invocations']} invocations, longest wait for a worker "
        f"{u['longest_wait_ms'] / 1000:.1f} s, longest run {u['longest_run_ms'] / 1000:.1f} s"
        for name, u in usage.items()
        if name in foreground
    ]
    failures = {name: u["errors"] for name, u in usage.items() if u["errors"]}
    return "\n".join([*lines, f"failed invocations: {failures or 'none'}"])


def _header(tenants: int, limits: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"Load on the local cloud ({tenants} tenants, offline model, zero latency; at most "
            f"{limits['max_workers']} workers, {limits['max_workers_per_function']} per function, "
            f"idle workers retired after {limits['idle_seconds']:.0f} s)",
            "| POSTs at once | all answered | answers/s | errors | all ended | runs ended/s | final "
            "| peak workers | peak RSS | once ended: workers, RSS (cloud process), work left "
            "| CPU s: cloud, workers, client (new workers) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
    )


def _row(row: dict[str, Any]) -> str:
    after = row["after"]
    return (
        f"| {row['concurrent_posts']} | {row['all_answered_seconds']} s | {row['answers_per_second']} "
        f"| {row['errors']} | {row['all_ended_seconds']} s | {row['runs_ended_per_second']} "
        f"| {row['runs_final']} | {row['peak_workers']} | {row['peak_rss_mib']} MiB "
        f"| {after['workers']}, {after['rss_mib']} MiB ({after['cloud_process_rss_mib']} MiB), "
        f"{after['busy_workers']} busy, {after['pending_deliveries']} deliveries, "
        f"{sum(after['queued_messages'].values())} queued messages "
        f"| {row['cloud_cpu_s']}, {row['workers_cpu_s']}, {row['client_cpu_s']} "
        f"({row['new_worker_processes']}) |"
    )


def _footer(result: dict[str, Any]) -> str:
    before, after, restored = result["before_any_run"], result["after_idle"], result.get("restored_idle")
    zygotes = after["rss_mib"] - after["workers_rss_mib"] - after["cloud_process_rss_mib"]
    footer = (
        f"before any run: {before['workers']} workers, {before['rss_mib']} MiB "
        f"({before['cloud_process_rss_mib']} MiB the cloud process); "
        f"after {after['seconds']:.0f} s idle: {after['workers']} workers, {after['rss_mib']} MiB "
        f"({after['workers_rss_mib']} MiB of it in workers, {after['cloud_process_rss_mib']} MiB the cloud "
        f"process, {zygotes} MiB zygotes)"
    )
    if restored:
        footer += (
            f"\na new cloud on the state the bursts left, after {restored['seconds']:.0f} s idle: "
            f"{restored['cloud_process_rss_mib']} MiB the cloud process"
        )
    return footer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--bursts", default="10,50,200", help="concurrent POST /runs per burst, comma-separated"
    )
    parser.add_argument("--tenants", type=int, default=4)
    parser.add_argument("--idle", type=float, default=IDLE_SECONDS, help="seconds idle before the last look")
    parser.add_argument(
        "--timeout", type=float, default=900, help="seconds to wait for a burst's runs to end"
    )
    parser.add_argument(
        "--json",
        "--out",
        dest="out",
        type=Path,
        default=REPO / "bench" / "results" / "local_cloud_load.json",
        help="where the JSON goes",
    )
    parser.add_argument("--no-fail", action="store_true")
    args = parser.parse_args()
    report = lambda line: print(line, flush=True)  # noqa: E731 - each burst's line as it is over
    bursts = [int(b) for b in args.bursts.split(",")]
    result = measure(bursts, max(1, args.tenants), args.idle, args.timeout, report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {args.out}")
    ok = (
        all(
            row["errors"] == 0
            and row["runs_final"] == {"SUCCEEDED": row["concurrent_posts"]}
            and row["peak_workers"] <= result["max_workers"]
            for row in result["bursts"]
        )
        and result["after_idle"]["workers"] == 0
        and all(row["after"]["workers"] <= result["max_workers"] for row in result["bursts"])
    )
    if not ok:
        print(
            "MISSED: zero errors, every run SUCCEEDED, workers within the ceiling, none left idle",
            file=sys.stderr,
        )
    return 0 if ok or args.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
