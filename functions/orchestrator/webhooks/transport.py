"""One delivery attempt over HTTP(S), guarded against server-side request forgery with the archive
fetch's guard (``orchestrator.ingestion.fetch``): the target's host is resolved at every attempt,
each address checked (no private, loopback, link-local... address unless allowed), and the
connection made to the checked address itself, so a second lookup cannot answer differently (DNS
rebinding). Redirects are not followed (a 3xx is a failed attempt, as the specification advises).

``TargetPolicy``: a deployed stack reaches only public addresses, plus the ``host:port`` pairs its
configuration allows (``webhookAllowedHosts``); the local cloud also reaches loopback (the
developer's own machine), over plain http too.
"""

from __future__ import annotations

import http.client
import ipaddress
import ssl
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from orchestrator.core.errors import SourceFetchFailed, SourceFetchRefused
from orchestrator.ingestion.fetch import (
    PinnedConnection,
    Resolver,
    Target,
    check_url,
    cut_connection,
    resolve,
)
from orchestrator.webhooks.model import RESPONSE_EXCERPT_CHARS

USER_AGENT = "ai-orchestrator-webhooks/1"


@dataclass(frozen=True)
class TargetPolicy:
    allowed_hosts: Collection[tuple[str, int]] = field(default_factory=frozenset)
    allow_loopback: bool = False
    resolver: Resolver = resolve

    def check(self, url: str) -> Target:
        """Where to connect for ``url``, or ``SourceFetchRefused`` saying why it may not be reached
        (``SourceFetchFailed``: its host does not resolve now)."""
        try:
            parts = urlsplit(url)
            host, port = (parts.hostname or "").lower(), parts.port
        except ValueError:
            return check_url(url)  # raises, saying what is wrong with the URL
        if not host:
            return check_url(url)
        port = port or (443 if parts.scheme.lower() == "https" else 80)
        addresses = self.resolver(host, port)  # resolved once: what is checked is what is connected to
        allowed = set(self.allowed_hosts)
        if self.allow_loopback and addresses and all(_is_loopback(a) for a in addresses):
            allowed.add((host, port))
        return check_url(url, allowed_hosts=allowed, resolver=lambda _h, _p: addresses)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Answer:
    """What one attempt got: the endpoint's status and the start of its body, or why there was none."""

    status_code: int | None
    excerpt: str | None
    error: str | None
    duration_ms: int
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    policy: TargetPolicy,
    timeout_seconds: float,
    tls_context: ssl.SSLContext | None = None,
) -> Answer:
    """POST ``body`` to ``url`` once; never raises for what the endpoint or the network does."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = policy.check(url)
    except (SourceFetchRefused, SourceFetchFailed) as exc:
        return Answer(None, None, f"{type(exc).__name__}: {exc}", elapsed())
    connection = PinnedConnection(target, tls_context or ssl.create_default_context(), timeout_seconds)
    watchdog = threading.Timer(timeout_seconds, cut_connection, args=(connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", target.path, body=body, headers={"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        excerpt = response.read(RESPONSE_EXCERPT_CHARS * 4).decode("utf-8", "replace")[
            :RESPONSE_EXCERPT_CHARS
        ]
        return Answer(
            response.status, excerpt, None, elapsed(), _retry_after(response.getheader("Retry-After"))
        )
    except ssl.SSLCertVerificationError as exc:
        return Answer(
            None, None, f"the certificate of {target.host} is not valid: {exc.verify_message}", elapsed()
        )
    except (OSError, http.client.HTTPException) as exc:
        if connection.cut or isinstance(exc, TimeoutError):
            return Answer(None, None, f"no answer within {timeout_seconds:g} s", elapsed())
        return Answer(None, None, f"connection to {target.host} failed: {exc}", elapsed())
    finally:
        watchdog.cancel()
        connection.close()


def _retry_after(value: str | None) -> float | None:
    """A ``Retry-After`` in seconds (the HTTP-date form is not read: the schedule's wait stands)."""
    value = (value or "").strip()
    return float(value) if value.isdigit() else None
