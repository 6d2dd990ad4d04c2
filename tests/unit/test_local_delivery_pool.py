"""The local cloud's EventBridge delivery pool: every delivery done, at most its threads at once,
and no thread left once it has been idle a while (a thread's stack holds memory while it lives)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from infra.local.deliveries import DeliveryPool


def _until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_burst_is_delivered_by_at_most_its_threads_and_none_is_left_once_idle() -> None:
    pool = DeliveryPool(threads=3, idle_seconds=0.2)
    running, peak, lock = [0], [0], threading.Lock()

    def deliver(index: int) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return index

    try:
        futures = [pool.submit(deliver, index) for index in range(30)]
        assert [f.result(timeout=30) for f in futures] == list(range(30))
        assert 1 <= peak[0] <= 3
        assert _until(lambda: pool.pending == 0, 5)
        # Then, idle, its threads end; a later delivery starts one again
        assert _until(lambda: pool.threads == 0, 10), pool.threads
        assert pool.submit(deliver, 99).result(timeout=10) == 99
    finally:
        pool.shutdown(wait=True)
    assert pool.threads == 0


def test_a_failed_delivery_is_in_its_future_and_the_pool_goes_on() -> None:
    pool = DeliveryPool(threads=1, idle_seconds=5)

    def fail() -> None:
        raise ValueError("target refused")

    try:
        failed = pool.submit(fail)
        assert isinstance(failed.exception(timeout=10), ValueError)
        assert pool.submit(lambda: "next").result(timeout=10) == "next"
    finally:
        pool.shutdown(wait=True)


def test_shutdown_cancels_what_is_queued_and_refuses_more() -> None:
    pool = DeliveryPool(threads=1, idle_seconds=5)
    release = threading.Event()
    busy = pool.submit(release.wait, 10)
    assert _until(busy.running, 10)
    queued = [pool.submit(lambda: None) for _ in range(5)]

    pool.shutdown(wait=False, cancel_futures=True)
    release.set()

    assert busy.result(timeout=10) is True
    assert all(f.cancelled() for f in queued)
    assert _until(lambda: pool.pending == 0 and pool.threads == 0, 10), (pool.pending, pool.threads)
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit(lambda: None)
