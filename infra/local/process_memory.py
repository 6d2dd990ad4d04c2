"""The local cloud process's own memory: fewer C allocator arenas, and what it freed given back once
it is idle.

glibc's ``malloc`` gives a thread that finds the others' arenas busy an arena of its own, up to 8
per core; the cloud serves every request on a thread of its own (moto's server, the interpreter's
executions, the API, the deliveries), so a burst spreads its allocations over many arenas, each
keeping the free space it grew into. ``limit_arenas`` caps them (``mallopt(M_ARENA_MAX)``, as the
``MALLOC_ARENA_MAX`` variable would at the process's start). ``IdleTrimmer`` collects garbage and
trims the C heap (``worker_pool_usage.return_freed_memory``) once the emulation has answered no
request that writes for a while: queue pollers' long polls and reads go on all the time, so a
quiet spell is one without writes (``moto_adapters.last_write_at``). Elsewhere than glibc both do
nothing but collect garbage.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from infra.local import moto_adapters
from infra.local.worker_pool_usage import return_freed_memory

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2
"""C allocator arenas at most: the main one and one that threads share when it is busy (the GIL lets
one thread run Python at a time, so threads seldom allocate at once)."""
QUIET_SECONDS = 10.0
"""How long without a write before the cloud counts as idle and gives its freed memory back."""


def glibc() -> Any | None:
    """The C library when it is glibc (it has ``mallopt`` and ``malloc_trim``), else None."""
    name = ctypes.util.find_library("c")
    if not name or not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.gnu_get_libc_version  # noqa: B018 - glibc's own: musl has no such function
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(arenas: int = ARENAS) -> bool:
    """At most ``arenas`` C allocator arenas in this process from now on; whether glibc took it."""
    libc = glibc()
    if libc is None:
        return False
    mallopt = libc.mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(M_ARENA_MAX, arenas))


class IdleTrimmer:
    """Gives the freed memory back once per quiet spell: when ``quiet_seconds`` passed since the
    last write (``last_write_at``, a ``time.monotonic()``), and not again before the next write."""

    def __init__(
        self,
        quiet_seconds: float = QUIET_SECONDS,
        *,
        last_write_at: Callable[[], float] = moto_adapters.last_write_at,
        give_back: Callable[[], None] = return_freed_memory,
    ) -> None:
        self.quiet_seconds = quiet_seconds
        self._last_write_at = last_write_at
        self._give_back = give_back
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._given_after: float | None = None  # the write after which memory was last given back

    def check(self, now: float | None = None) -> bool:
        """Gives the memory back if the cloud is idle and has not since its last write; whether it did."""
        last = self._last_write_at()
        now = time.monotonic() if now is None else now
        if last == self._given_after or now - last < self.quiet_seconds:
            return False
        self._given_after = last
        self._give_back()
        return True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="local-cloud-idle-trim", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        period = max(0.05, min(2.0, self.quiet_seconds / 4))
        while not self._stop.wait(period):
            try:
                self.check()
            except Exception:  # memory not given back this time: the cloud goes on
                log.debug("could not give the idle cloud's memory back", exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
