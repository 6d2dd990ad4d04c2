"""Events an invocation publishes, held until it ends and sent together (one ``PutEvents`` call
for up to ``MAX_ENTRIES`` of them) instead of one call each.

The publisher holds an event while a batch is open in the current context (``EventBridgePublisher
.batched()``, opened by a handler around its work); outside one it sends at once. Each context
has its own batch, so concurrent invocations in one process never mix their events. ``flush()``
sends what is held now: after a side effect, so that its event is never lost with a function
stopped later. ``pending()`` is what the open batch holds: a step that counts its own requests
before its last write knows how many entries the one call after it carries.

A batch opened with a deadline (``holding(send, deadline_in=...)``: a Lambda function's time left
less a margin) sends what it holds when the deadline comes, from a timer thread, and sends every
later event at once: a function that Lambda stops at its hard timeout loses no event it held.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

MAX_ENTRIES = 10
"""The most entries one ``PutEvents`` call takes."""


@dataclass
class _Batch:
    send: Callable[[list[Any]], None]
    held: list[Any] = field(default_factory=list)
    expired: bool = False
    """Past its deadline: events go out at once."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hold(self, entry: Any) -> bool:
        with self.lock:
            if self.expired:
                return False
            self.held.append(entry)
            return True

    def flush(self) -> None:
        with self.lock:
            entries, self.held = self.held, []
        if entries:
            self.send(entries)

    def expire(self, on_error: Callable[[BaseException], None]) -> None:
        """The deadline came: send what is held, and every later event at once."""
        with self.lock:
            self.expired = True
        try:
            self.flush()
        except Exception as exc:  # a timer thread has no caller to raise to
            on_error(exc)


_open: ContextVar[_Batch | None] = ContextVar("event_batch", default=None)


@contextmanager
def holding(
    send: Callable[[list[Any]], None],
    *,
    deadline_in: float | None = None,
    on_error: Callable[[BaseException], None] = lambda exc: None,
) -> Iterator[_Batch]:
    """Open a batch for the current context; ``send`` sends what it holds (on ``flush``). With
    ``deadline_in`` (seconds), what it holds is sent then, and later events at once; ``on_error``
    hears an error of that send (it happens on a timer thread)."""
    batch = _Batch(send)
    timer = None
    if deadline_in is not None:
        timer = threading.Timer(max(deadline_in, 0.0), batch.expire, args=(on_error,))
        timer.daemon = True
        timer.start()
    token = _open.set(batch)
    try:
        yield batch
    finally:
        if timer is not None:
            timer.cancel()
        _open.reset(token)


def hold(entry: Any) -> bool:
    """Hold ``entry`` in the open batch; False when none is open (send it now)."""
    batch = _open.get()
    return batch is not None and batch.hold(entry)


def is_open() -> bool:
    return _open.get() is not None


def flush() -> None:
    """Send what the open batch holds now (nothing without one)."""
    batch = _open.get()
    if batch is not None:
        batch.flush()


def pending() -> int:
    """How many events the open batch holds (0 without one)."""
    batch = _open.get()
    return len(batch.held) if batch is not None else 0


def calls_for(entries: int) -> int:
    """The ``PutEvents`` calls that send ``entries`` events."""
    return math.ceil(entries / MAX_ENTRIES)
