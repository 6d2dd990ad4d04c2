"""Where a local cloud's CPU goes, by component: the cloud process's threads by kind and each
function's Lambda worker processes, read from ``/proc`` (Linux only).

A :class:`ComponentSampler` reads, every ``period`` seconds while it runs, the CPU (user + system)
of every thread of this process (``/proc/self/task/TID/stat``) and of every worker the runtime
holds (``/proc/PID/stat``), and keeps each one's latest figure: a thread or worker that ends
between two readings keeps what it had used at the last one (so the sums are a little short; the
process's total from ``os.times`` is exact, the remainder is shown as "threads ended unread").
A thread's kind is what it runs: the server class of a connection's thread (moto's endpoint, the
API gateway's), or its target's name, or its name without numbers. The zygotes are counted too.
"""

from __future__ import annotations

import os
import re
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def proc_cpu(path: str) -> float | None:
    """User + system CPU seconds of ``/proc/.../stat`` (None if it is gone)."""
    try:
        stat = Path(path).read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def thread_kind(thread: threading.Thread) -> str:
    target = getattr(thread, "_target", None)
    owner = getattr(target, "__self__", None)
    if owner is not None and getattr(target, "__name__", "") == "process_request_thread":
        return f"connections of {type(owner).__name__}"
    if target is not None:
        return str(getattr(target, "__qualname__", getattr(target, "__name__", "?")))
    return re.sub(r"[-_ ]?\d+", "", thread.name) or "?"


class ComponentSampler:
    def __init__(self, runtime: Any, period: float = 0.25) -> None:
        self.runtime = runtime
        self.period = period
        self._threads: dict[int, tuple[str, float]] = {}  # native id -> (kind, CPU at first sight)
        self._thread_cpu: dict[int, float] = {}
        self._workers: dict[int, str] = {}
        self._worker_start: dict[int, float] = {}
        self._worker_cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started_cpu = 0.0

    def _sample(self) -> None:
        for thread in threading.enumerate():
            tid = thread.native_id
            if tid is None:
                continue
            cpu = proc_cpu(f"/proc/self/task/{tid}/stat")
            if cpu is None:
                continue
            if tid not in self._threads:
                self._threads[tid] = (thread_kind(thread), cpu if self._thread is None else 0.0)
            self._thread_cpu[tid] = cpu
        pids = dict(self.runtime.worker_pids())
        for zygote in list(getattr(self.runtime, "_zygotes", {}).values()):
            if zygote is not None:
                pids[zygote.process.pid] = "(zygote)"
        for pid, function in pids.items():
            cpu = proc_cpu(f"/proc/{pid}/stat")
            if cpu is None:
                continue
            if pid not in self._workers:
                self._workers[pid] = function
                # a worker alive before the start counts from then; one new since, all of its CPU
                self._worker_start[pid] = cpu if self._thread is None else 0.0
            self._worker_cpu[pid] = cpu

    def _usage(self) -> dict[str, int]:
        return {name: u["invocations"] for name, u in self.runtime.usage.snapshot().items()}

    def _loop(self) -> None:
        while not self._stop.wait(self.period):
            self._sample()

    def start(self) -> None:
        times = os.times()
        self._started_cpu = times.user + times.system
        self._invocations = self._usage()
        self._sample()  # what was used before: the baseline
        self._thread = threading.Thread(target=self._loop, name="cpu-component-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self._sample()
        times = os.times()
        process = times.user + times.system - self._started_cpu
        threads: dict[str, float] = defaultdict(float)
        for tid, (kind, start) in self._threads.items():
            threads[kind] += self._thread_cpu[tid] - start
        threads["threads ended unread"] = process - sum(threads.values())
        workers: dict[str, float] = defaultdict(float)
        counts: dict[str, int] = defaultdict(int)
        for pid, function in self._workers.items():
            workers[function] += self._worker_cpu[pid] - self._worker_start[pid]
            counts[function] += 1
        invocations = {n: c - self._invocations.get(n, 0) for n, c in self._usage().items()}
        return {
            "invocations": {n: c for n, c in invocations.items() if c},
            "process_s": process,
            "threads_s": dict(threads),
            "workers_s": dict(workers),
            "worker_processes": dict(counts),
        }


def short_name(function: str) -> str:
    """``AiOrchestrator-FunctionsAgentideation2F2DAEA1`` -> ``Agentideation``."""
    return re.sub(r"[0-9A-F]{8}$", "", function.split("-Functions", 1)[-1])


def per_run_rows(components: dict[str, Any], runs: int) -> list[tuple[str, float]]:
    """(component, CPU ms per run), largest first within each group; a function's workers with
    its invocations and worker processes over the measurement."""
    rows = [("cloud process: " + k, v) for k, v in components["threads_s"].items()]
    rows.sort(key=lambda r: -r[1])
    workers = sorted(components["workers_s"].items(), key=lambda r: -r[1])
    invocations, processes = components.get("invocations", {}), components["worker_processes"]
    rows += [
        (f"workers: {short_name(k)} ({invocations.get(k, 0)} inv., {processes[k]} proc.)", v)
        for k, v in workers
    ]
    return [(name, round(seconds * 1000 / runs, 1)) for name, seconds in rows]
