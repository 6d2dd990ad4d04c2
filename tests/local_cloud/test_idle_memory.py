"""An idle local cloud gives back the memory it freed: once its worker pool has emptied, garbage is
collected and the C allocator asked to return its free pages (glibc's ``malloc_trim``)."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from infra.local import lambda_runtime, worker_pool_usage
from tests.local_cloud.test_local_lambda_runtime import _bounded_runtime, spec


def test_once_its_workers_are_retired_the_runtime_gives_the_freed_memory_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given_back: list[int] = []
    monkeypatch.setattr(lambda_runtime, "return_freed_memory", lambda: given_back.append(1))
    runtime = _bounded_runtime(tmp_path, idle_seconds=0.3)
    runtime.register(spec("once", "sample_handlers.sleepy"))
    try:
        assert not runtime.invoke("once", {"seconds": 0}).errored
        deadline = time.monotonic() + 20
        while runtime.worker_count() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runtime.worker_count() == 0
        while not given_back and time.monotonic() < deadline:
            time.sleep(0.05)
        assert given_back
    finally:
        runtime.shutdown()


class _Trim:
    """glibc's ``malloc_trim`` as ctypes gives it (arguments declared on it), recording its calls."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.argtypes: list[Any] = []

    def __call__(self, pad: int) -> int:
        self.calls.append(pad)
        return 1


class _Collections:
    """``gc.collect``, counting its calls."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> int:
        self.count += 1
        return 0


class _Libc:
    def __init__(self) -> None:
        self.malloc_trim = _Trim()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_freed_memory_is_collected_and_the_c_heap_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    libc, collected = _Libc(), _Collections()
    monkeypatch.setattr(worker_pool_usage.ctypes, "CDLL", lambda name: libc)
    monkeypatch.setattr(worker_pool_usage.gc, "collect", collected)

    worker_pool_usage.return_freed_memory()

    assert collected.count == 1 and libc.malloc_trim.calls == [0]


def test_without_glibc_only_garbage_is_collected(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_libc(name: Any) -> Any:
        raise OSError("no C library here")

    monkeypatch.setattr(worker_pool_usage.ctypes, "CDLL", no_libc)
    collected = _Collections()
    monkeypatch.setattr(worker_pool_usage.gc, "collect", collected)

    worker_pool_usage.return_freed_memory()  # no error

    assert collected.count == 1


def test_a_worker_retired_while_others_stay_does_not_collect_the_cloud_s_heap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a pool whose workers retire after 0.3 s idle, one of them kept busy for 4 s
    workers_when_given_back: list[int] = []
    runtime = _bounded_runtime(tmp_path, idle_seconds=0.3)
    monkeypatch.setattr(
        lambda_runtime, "return_freed_memory", lambda: workers_when_given_back.append(runtime.worker_count())
    )
    runtime.register(spec("brief", "sample_handlers.sleepy"))
    runtime.register(spec("busy", "sample_handlers.sleepy"))
    try:
        assert not runtime.invoke("brief", {"seconds": 0}).errored
        busy = threading.Thread(target=runtime.invoke, args=("busy", {"seconds": 4}))
        busy.start()
        deadline = time.monotonic() + 20
        while runtime.worker_count() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)

        # When the idle worker is retired while the busy one runs
        while runtime.worker_count() > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runtime.worker_count() == 1
        busy.join()

        # Then nothing is collected until the pool has emptied
        while runtime.worker_count() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runtime.worker_count() == 0
        while not workers_when_given_back and time.monotonic() < deadline:
            time.sleep(0.05)
        assert workers_when_given_back and set(workers_when_given_back) == {0}
    finally:
        runtime.shutdown()
