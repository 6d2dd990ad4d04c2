"""The local Lambda runtime's worker pool after a burst: at most its configured workers per function
and in all, idle workers retired, and once the pool has been empty a while the zygote too, so that
the local cloud returns to what it held before any invocation. Timings are generous: the machine
running the tests is loaded."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from infra.local.lambda_forks import forking_available
from infra.local.worker_pool_usage import BACKGROUND_NICENESS, reserves
from tests.local_cloud.test_local_lambda_runtime import _bounded_runtime as _runtime
from tests.local_cloud.test_local_lambda_runtime import spec


def _until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_one_function_never_holds_more_workers_than_its_own_bound(tmp_path: Path) -> None:
    # Given at most 2 workers per function in a pool of 10, and one function invoked 6 times at once
    runtime = _runtime(tmp_path, max_concurrency=2, max_workers=10)
    runtime.register(spec("sleepy", "sample_handlers.sleepy"))
    try:
        peak, waited = 0, 0
        with ThreadPoolExecutor(max_workers=6) as pool:
            futures = [pool.submit(runtime.invoke, "sleepy", {"seconds": 0.5}) for _ in range(6)]
            while not all(f.done() for f in futures):
                state = runtime.pool_state()
                peak = max(peak, state["workers"])
                waited = max(waited, state["waiting"].get("sleepy", 0))
                time.sleep(0.01)
        # Then all succeed on at most 2 workers, the others having waited for one of them
        results = [f.result() for f in futures]
        assert all(not r.errored for r in results), [r.payload for r in results]
        assert 1 <= peak <= 2
        assert len({r.payload["pid"] for r in results}) <= 2
        assert waited >= 1
        assert runtime.pool_state()["max_workers_per_function"] == 2
    finally:
        runtime.shutdown()


def test_a_busy_worker_is_not_retired_however_long_it_works(tmp_path: Path) -> None:
    # Given an idle timeout of 0.3 s and an invocation that runs for 1.5 s
    runtime = _runtime(tmp_path, idle_seconds=0.3)
    runtime.register(spec("sleepy", "sample_handlers.sleepy"))
    try:
        result = runtime.invoke("sleepy", {"seconds": 1.5})
        # Then it ends normally: only idle workers are retired
        assert not result.errored, result.payload
        assert _until(lambda: runtime.worker_count() == 0, 10)
    finally:
        runtime.shutdown()


def test_after_a_burst_every_worker_is_retired_and_the_pool_serves_again(tmp_path: Path) -> None:
    # Given two functions, a burst of 8 invocations each, and an idle timeout of 0.5 s
    runtime = _runtime(tmp_path, max_concurrency=3, max_workers=5, idle_seconds=0.5)
    for name in ("one", "two"):
        runtime.register(spec(name, "sample_handlers.sleepy"))
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(lambda n: runtime.invoke(n, {"seconds": 0.1}), ["one", "two"] * 8))
        assert all(not r.errored for r in results)
        assert 1 <= runtime.worker_count() <= 5
        # Then, idle, the pool empties by itself
        assert _until(lambda: runtime.worker_count() == 0, 15), runtime.pool_state()
        state = runtime.pool_state()
        assert state["busy"] == {} and state["idle"] == {} and state["waiting"] == {}
        # And it starts workers again for the next invocation
        assert not runtime.invoke("one", {"seconds": 0}).errored
        assert runtime.worker_count() == 1
    finally:
        runtime.shutdown()


@pytest.mark.skipif(not forking_available(), reason="workers are forked on Linux only")
def test_once_the_pool_has_been_empty_a_while_the_zygote_goes_too_and_comes_back(tmp_path: Path) -> None:
    # Given forked workers and an idle timeout of 0.5 s
    runtime = _runtime(tmp_path, fork_workers=True, idle_seconds=0.5)
    runtime.register(spec("echo", "sample_handlers.echo"))
    try:
        first = runtime.invoke("echo", {})
        assert not first.errored
        zygote = first.payload["parent_pid"]
        assert runtime.pool_state()["zygotes"] == 1
        # When the pool stays idle: the worker is retired, then the zygote (its process ends)
        assert _until(lambda: runtime.pool_state()["zygotes"] == 0, 20), runtime.pool_state()
        assert runtime.worker_count() == 0
        assert _until(lambda: not Path(f"/proc/{zygote}").exists(), 10)
        # Then the next invocation forks from a new zygote
        again = runtime.invoke("echo", {})
        assert not again.errored
        assert again.payload["parent_pid"] != zygote
        assert runtime.pool_state()["zygotes"] == 1
    finally:
        runtime.shutdown()


def test_reservations_become_worker_slots_that_keep_at_most_half_the_pool() -> None:
    defaults = {"api": 20, "run_status": 5, "audit_writer": 5, "undo_work": 5, "agent": 0}
    kept = reserves(defaults, per_function=10, max_workers=48)
    assert sum(kept.values()) <= 24 and set(kept) == {"api", "run_status", "audit_writer", "undo_work"}
    assert kept["api"] > kept["run_status"] >= 1
    assert reserves(defaults, per_function=10, max_workers=200) == {
        "api": 10,
        "run_status": 5,
        "audit_writer": 5,
        "undo_work": 5,
    }
    assert reserves({"api": 3, "agent": 0}, per_function=10, max_workers=4) == {"api": 2}
    assert reserves({}, per_function=10, max_workers=48) == {}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the priorities from /proc")
def test_a_burst_of_background_work_leaves_the_api_its_reserved_workers_and_the_cpu_first(
    tmp_path: Path,
) -> None:
    # Given a pool of 4 workers, an API function with a reservation (2 slots of the 4) answering
    # users first, and an agent function without one
    runtime = _runtime(tmp_path, max_workers=4, max_concurrency=4)
    runtime.register(replace(spec("api", "sample_handlers.echo"), reserved_concurrency=20))
    runtime.register(spec("agent", "sample_handlers.sleepy", timeout=30))
    runtime.foreground = {"api"}
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            # When the agent is invoked 6 times at once, for 6 s each
            agents = [pool.submit(runtime.invoke, "agent", {"seconds": 6}) for _ in range(6)]
            assert _until(lambda: runtime.pool_state()["busy"].get("agent") == 2, 30), runtime.pool_state()
            # Then it holds at most the 2 unreserved workers, and the API answers at once meanwhile
            answer = runtime.invoke("api", {})
            assert not answer.errored, answer.payload
            assert not all(f.done() for f in agents)
            assert runtime.pool_state()["busy"].get("agent", 0) <= 2
            results = [f.result() for f in agents]
        assert all(not r.errored for r in results)
        assert len({r.payload["pid"] for r in results}) <= 2
        # And the agent's workers run at a lower CPU priority than the API's
        assert _nice(int(answer.payload["pid"])) == _nice(os.getpid())
        assert _nice(int(results[0].payload["pid"])) == min(19, _nice(os.getpid()) + BACKGROUND_NICENESS)
        usage = runtime.pool_state()["usage"]
        assert usage["agent"]["invocations"] == 6 and usage["agent"]["longest_wait_ms"] >= 2000
        assert usage["api"]["invocations"] == 1 and usage["api"]["errors"] == {}
    finally:
        runtime.shutdown()


def test_the_pool_counts_each_function_s_failures_by_kind(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)
    runtime.register(spec("slow", "sample_handlers.sleepy", timeout=1))
    try:
        assert runtime.invoke("slow", {"seconds": 5}).errored
        assert not runtime.invoke("slow", {"seconds": 0}).errored
        usage = runtime.pool_state()["usage"]["slow"]
        assert usage["invocations"] == 2 and usage["errors"] == {"Sandbox.Timedout": 1}
        assert usage["longest_run_ms"] >= 900
    finally:
        runtime.shutdown()


def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
