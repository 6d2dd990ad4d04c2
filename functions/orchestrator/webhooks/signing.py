"""Standard Webhooks signatures (symmetric, ``v1``): HMAC-SHA256 over ``{id}.{timestamp}.{body}``
with the endpoint's secret, ``whsec_`` + base64 of 32 random bytes.

Written out here (a dozen lines of the standard library) rather than taken from the
``standardwebhooks`` package, whose dependencies (an HTTP client among them) the functions would
carry for one HMAC; the tests verify every signature made here with that package.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

from orchestrator.webhooks.model import SECRET_PREFIX

SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """``v1,<base64 HMAC-SHA256>`` of ``{message_id}.{timestamp}.{body}`` with ``secret``."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"


def signed_headers(
    secrets_in_force: Sequence[str], message_id: str, timestamp: int, body: str
) -> dict[str, str]:
    """The headers of one attempt: its id, its time, and one signature per secret in force,
    space-separated (the current secret's and, during a rotation's grace period, the old one's)."""
    if not secrets_in_force:
        raise ValueError("a delivery needs at least one signing secret")
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, message_id, timestamp, body) for s in secrets_in_force),
        "content-type": "application/json",
    }
