"""An idle local cloud gives back the memory it freed: once its worker pool has emptied, and once it
has answered no write for a while, garbage is collected and the C allocator asked to return its free
pages (glibc's ``malloc_trim``); the allocator's arenas are capped from the start."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from infra.local import lambda_runtime, process_memory, worker_pool_usage
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


class _Mallopt:
    """glibc's ``mallopt`` as ctypes gives it, recording its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []
        self.argtypes: list[Any] = []

    def __call__(self, option: int, value: int) -> int:
        self.calls.append((option, value))
        return 1


class _Glibc:
    def __init__(self) -> None:
        self.mallopt = _Mallopt()
        self.gnu_get_libc_version = lambda: b"2.36"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")
def test_the_cloud_caps_the_c_allocators_arenas(monkeypatch: pytest.MonkeyPatch) -> None:
    libc = _Glibc()
    monkeypatch.setattr(process_memory.ctypes, "CDLL", lambda name: libc)

    assert process_memory.limit_arenas()

    assert libc.mallopt.calls == [(process_memory.M_ARENA_MAX, process_memory.ARENAS)]


def test_without_glibc_the_arenas_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    class Musl:  # a C library without glibc's functions
        pass

    monkeypatch.setattr(process_memory.ctypes, "CDLL", lambda name: Musl())

    assert not process_memory.limit_arenas()


def test_the_real_c_library_takes_the_cap() -> None:
    if process_memory.glibc() is None:
        pytest.skip("not glibc")
    assert process_memory.limit_arenas(8)  # more than this test process needs


class _Clock:
    def __init__(self) -> None:
        self.last_write = 100.0
        self.given_back = 0

    def give_back(self) -> None:
        self.given_back += 1


def test_memory_is_given_back_once_per_quiet_spell() -> None:
    clock = _Clock()
    trimmer = process_memory.IdleTrimmer(
        10.0, last_write_at=lambda: clock.last_write, give_back=clock.give_back
    )
    # Given writes until 100 s: nothing is given back while the cloud is busy
    assert not trimmer.check(now=105.0)
    # When it stays quiet for 10 s, the memory is given back, once
    assert trimmer.check(now=110.0)
    assert not trimmer.check(now=200.0)
    assert clock.given_back == 1
    # And after the next write, once more when it is quiet again
    clock.last_write = 300.0
    assert not trimmer.check(now=305.0)
    assert trimmer.check(now=311.0)
    assert clock.given_back == 2


def test_the_idle_cloud_gives_its_memory_back_while_reads_go_on() -> None:
    clock = _Clock()
    clock.last_write = time.monotonic()  # the last write: now; reads after it change nothing
    trimmer = process_memory.IdleTrimmer(
        0.3, last_write_at=lambda: clock.last_write, give_back=clock.give_back
    )
    trimmer.start()
    try:
        deadline = time.monotonic() + 20
        while not clock.given_back and time.monotonic() < deadline:
            time.sleep(0.05)
        assert clock.given_back == 1
    finally:
        trimmer.stop()


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
