"""Events an invocation publishes, held until it ends and sent together (one ``PutEvents`` call
for up to ``MAX_ENTRIES`` of them) instead of one call each.

The publisher holds an event while a batch is open in the current context (``EventBridgePublisher
.batched()``, opened by a handler around its work); outside one it sends at once. Each context
has its own batch, so concurrent invocations in one process never mix their events. ``flush()``
sends what is held now: after a side effect, so that its event is never lost with a function
stopped later. ``pending()`` is what the open batch holds: a step that counts its own requests
before its last write knows how many entries the one call after it carries.
"""

from __future__ import annotations

import math
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

    def flush(self) -> None:
        entries, self.held = self.held, []
        if entries:
            self.send(entries)


_open: ContextVar[_Batch | None] = ContextVar("event_batch", default=None)


@contextmanager
def holding(send: Callable[[list[Any]], None]) -> Iterator[_Batch]:
    """Open a batch for the current context; ``send`` sends what it holds (on ``flush``)."""
    batch = _Batch(send)
    token = _open.set(batch)
    try:
        yield batch
    finally:
        _open.reset(token)


def hold(entry: Any) -> bool:
    """Hold ``entry`` in the open batch; False when none is open (send it now)."""
    batch = _open.get()
    if batch is None:
        return False
    batch.held.append(entry)
    return True


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
