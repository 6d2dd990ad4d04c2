"""What the local Lambda runtime's pool did, per function, and what it may hold.

``PoolUsage`` counts each function's invocations since the cloud started: how many, how many
failed and why (``errorType``: ``Sandbox.Timedout`` is a function that hit its timeout), the
longest an invocation waited for a worker and the longest one ran. ``reserves`` turns the
functions' reserved concurrency (the bulkheads the stack declares) into worker slots of a pool
with fewer workers than an account has concurrency. ``return_freed_memory`` hands the memory a
process freed back to the system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import sys
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

RESERVED_SHARE = 0.5
"""At most this share of the pool's workers is kept for functions with reserved concurrency: the
rest serves every function (agents have no reservation)."""
BACKGROUND_NICENESS = 10
"""How much lower the CPU priority of a background function's worker is than the cloud's own (the
scheduler then gives a foreground worker, the API's, about nine times its share)."""


@dataclass
class _FunctionUsage:
    invocations: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    longest_wait_ms: int = 0
    longest_run_ms: int = 0


class PoolUsage:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._functions: dict[str, _FunctionUsage] = {}

    def record(self, function: str, *, waited_ms: int, ran_ms: int, error_type: str | None) -> None:
        with self._lock:
            usage = self._functions.setdefault(function, _FunctionUsage())
            usage.invocations += 1
            usage.longest_wait_ms = max(usage.longest_wait_ms, waited_ms)
            usage.longest_run_ms = max(usage.longest_run_ms, ran_ms)
            if error_type is not None:
                usage.errors[error_type] += 1

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {
                name: {
                    "invocations": u.invocations,
                    "errors": dict(u.errors),
                    "longest_wait_ms": u.longest_wait_ms,
                    "longest_run_ms": u.longest_run_ms,
                }
                for name, u in sorted(self._functions.items())
            }


def reserves(reserved: Mapping[str, int], *, per_function: int, max_workers: int) -> dict[str, int]:
    """Worker slots kept for each function with reserved concurrency: its reservation, at most
    ``per_function``, scaled down together so that they keep at most ``RESERVED_SHARE`` of the pool
    (each reserving function keeps at least one while that share allows)."""
    wanted = {name: min(count, per_function) for name, count in reserved.items() if count > 0}
    budget = int(max_workers * RESERVED_SHARE)
    total = sum(wanted.values())
    if total <= budget:
        return wanted
    scaled = {name: max(1, count * budget // total) for name, count in wanted.items()}
    while sum(scaled.values()) > budget and any(scaled.values()):  # the max(1, ...) went over
        largest = max(scaled, key=lambda name: scaled[name])
        scaled[largest] -= 1
    return {name: count for name, count in scaled.items() if count}


def lower_priority(pid: int, niceness: int = BACKGROUND_NICENESS) -> None:
    """Runs ``pid`` at ``niceness`` below this process's CPU priority (where there is one)."""
    if not hasattr(os, "setpriority") or niceness <= 0:
        return
    try:
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, pid, min(19, ours + niceness))
    except OSError:  # it ended already, or the system refuses: it runs at the default priority
        return


def return_freed_memory() -> None:
    """Collects garbage, then asks the C allocator to give the free pages at the top and inside its
    heaps back to the system (glibc's ``malloc_trim``; nothing elsewhere): Python's own arenas go
    back once empty, but the allocator keeps what it freed for the next allocation."""
    gc.collect()
    name = ctypes.util.find_library("c")
    if not name or not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim.argtypes = [ctypes.c_size_t]
    trim(0)
