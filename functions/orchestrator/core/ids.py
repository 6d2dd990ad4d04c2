"""Run ids: time-sortable (newest runs list first), valid Step Functions execution names."""

from __future__ import annotations

import hashlib
import os
import re
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestrator.core.records import RunFilter

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lowercase


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, index = divmod(value, 32)
        chars.append(_ALPHABET[index])
    return "".join(reversed(chars))


def new_run_id(now_ms: int | None = None, entropy: bytes | None = None) -> str:
    """26 characters: 10 of milliseconds since the epoch, 16 of randomness (a ULID)."""
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    random_bits = int.from_bytes((entropy or os.urandom(10))[:10], "big")
    return _encode(millis, 10) + _encode(random_bits, 16)


def run_id_for_event(event_id: str, event_time_ms: int) -> str:
    """The same event (redelivered) always maps to the same run id: starting is idempotent."""
    return new_run_id(event_time_ms, hashlib.sha256(event_id.encode()).digest())


RUN_ID_PATTERN = re.compile(r"^[0-9a-hjkmnp-tv-z]{26}$")


def is_run_id(value: str) -> bool:
    """True for ids this module makes; anything else cannot name a run."""
    return bool(RUN_ID_PATTERN.match(value))


FIRST_RUN_ID = "0" * 26
"""Below every run id a clock makes: ``after`` it is every run."""
LAST_RUN_ID = "z" * 26
"""Above every run id."""


def run_id_bound(millis: int, *, upper: bool) -> str:
    """The smallest (or, ``upper``, the largest) run id made at ``millis``: run ids made between two
    instants sort between their bounds."""
    return _encode(max(0, millis), 10) + ("z" if upper else "0") * 16


def run_id_range(run_filter: RunFilter) -> tuple[str, str]:
    """The run ids (inclusive bounds) of the runs a filter's ``started_after``/``started_before`` hold."""
    low = FIRST_RUN_ID
    if run_filter.started_after is not None:
        low = run_id_bound(int(run_filter.started_after.timestamp() * 1000), upper=False)
    high = LAST_RUN_ID
    if run_filter.started_before is not None:  # before: the millisecond before it, at the latest
        high = run_id_bound(int(run_filter.started_before.timestamp() * 1000) - 1, upper=True)
    return low, high
