"""The thread pool that delivers EventBridge events to Lambda functions and state machines, as
EventBridge does: asynchronously, after the ``PutEvents`` that matched them has been answered.

It counts what it has not delivered yet (``pending``): after a burst, the deliveries still queued
are work the local cloud has to do before it is idle (an audit record per lifecycle event).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

DELIVERY_THREADS = 16


class DeliveryPool(ThreadPoolExecutor):
    def __init__(self, threads: int = DELIVERY_THREADS) -> None:
        super().__init__(max_workers=threads, thread_name_prefix="eventbridge-delivery")
        self._pending = 0
        self._count_lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._count_lock:
            self._pending += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)
        return future

    def _done(self, _: Future[Any] | None) -> None:
        with self._count_lock:
            self._pending -= 1

    @property
    def pending(self) -> int:
        """Deliveries queued or in progress."""
        with self._count_lock:
            return self._pending
