"""Events an invocation publishes, held until it ends and sent together (one ``PutEvents`` call
for up to ``MAX_ENTRIES`` of them) instead of one call each.

The publisher holds an event while a batch is open in the current context (``EventBridgePublisher
.batched()``, opened by a handler around its work); outside one it sends at once. Each context
has its own batch, so concurrent invocations in one process never mix their events. ``pending()``
is what the open batch holds: a step that counts its own requests before its last write knows how
many entries the one call after it carries.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

MAX_ENTRIES = 10
"""The most entries one ``PutEvents`` call takes."""

_open: ContextVar[list[Any] | None] = ContextVar("event_batch", default=None)


@contextmanager
def holding() -> Iterator[list[Any]]:
    """Open a batch for the current context; yields what it holds (to send when the block ends)."""
    held: list[Any] = []
    token = _open.set(held)
    try:
        yield held
    finally:
        _open.reset(token)


def open_batch() -> list[Any] | None:
    """The batch open in the current context (None: events go out at once)."""
    return _open.get()


def pending() -> int:
    """How many events the open batch holds (0 without one)."""
    held = _open.get()
    return len(held) if held is not None else 0


def calls_for(entries: int) -> int:
    """The ``PutEvents`` calls that send ``entries`` events."""
    return math.ceil(entries / MAX_ENTRIES)
