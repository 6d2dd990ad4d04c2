"""The thread pool that delivers EventBridge events to Lambda functions and state machines, as
EventBridge does: asynchronously, after the ``PutEvents`` that matched them has been answered.

It counts what it has not delivered yet (``pending``): after a burst, the deliveries still queued
are work the local cloud has to do before it is idle (an audit record per lifecycle event).

Its threads start as deliveries come (at most ``threads`` at once) and end once they have had
nothing to deliver for ``idle_seconds``: an idle cloud holds none. A thread's stack keeps the
memory its deepest delivery touched (about 1.5 MiB each after a burst) for as long as it lives.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

DELIVERY_THREADS = 16
IDLE_SECONDS = 10.0

_Delivery = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class DeliveryPool(Executor):
    def __init__(self, threads: int = DELIVERY_THREADS, idle_seconds: float = IDLE_SECONDS) -> None:
        self._max_threads, self._idle_seconds = threads, idle_seconds
        self._queue: queue.SimpleQueue[_Delivery | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()
        self._waiting = 0  # threads waiting for a delivery
        self._queued = 0  # deliveries no thread has taken yet
        self._pending = 0  # deliveries queued or in progress
        self._closed = False
        self._names = itertools.count()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot deliver after the pool was shut down")
            self._pending += 1
            self._queued += 1
            self._queue.put((future, fn, args, kwargs))
            if self._queued > self._waiting and len(self._threads) < self._max_threads:
                name = f"eventbridge-delivery-{next(self._names)}"
                thread = threading.Thread(target=self._serve, name=name)
                self._threads.add(thread)
                thread.start()
        future.add_done_callback(self._done)
        return future

    def _serve(self) -> None:
        while True:
            delivery = self._next()
            if delivery is None:
                return
            future, fn, args, kwargs = delivery
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # the caller's future holds it, as ThreadPoolExecutor's does
                future.set_exception(exc)
            else:
                future.set_result(result)
            del delivery, future, fn, args, kwargs

    def _next(self) -> _Delivery | None:
        """The next delivery; None when this thread ends (shut down, or idle ``idle_seconds``)."""
        while True:
            with self._lock:
                self._waiting += 1
            try:
                delivery = self._queue.get(timeout=self._idle_seconds)
            except queue.Empty:
                delivery = None
            with self._lock:
                self._waiting -= 1
                if delivery is not None:
                    self._queued -= 1
                    return delivery
                if self._queued == 0 or self._closed:  # nothing came (or the pool is closing)
                    self._threads.discard(threading.current_thread())
                    return None

    def _done(self, _: Future[Any] | None) -> None:
        with self._lock:
            self._pending -= 1

    @property
    def pending(self) -> int:
        """Deliveries queued or in progress."""
        with self._lock:
            return self._pending

    @property
    def threads(self) -> int:
        """Threads alive (delivering or waiting for a delivery)."""
        with self._lock:
            return len(self._threads)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        while cancel_futures:
            try:
                delivery = self._queue.get_nowait()
            except queue.Empty:
                break
            if delivery is not None:
                with self._lock:
                    self._queued -= 1
                delivery[0].cancel()
        for _ in threads:
            self._queue.put(None)  # each thread ends on one (or on its idle timeout)
        if wait:
            for thread in threads:
                thread.join()
