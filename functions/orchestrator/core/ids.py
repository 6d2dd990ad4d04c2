"""Run ids: time-sortable (newest runs list first), valid Step Functions execution names."""

from __future__ import annotations

import hashlib
import os
import re
import time

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
