"""Download a repository archive from a URL without letting the URL reach internal addresses.

The URL comes from a tenant, so it may point anywhere, including the cloud metadata address or
a service inside the network (server-side request forgery). ``fetch_archive``:

- accepts only ``https`` (``http`` only for an allowed ``(host, port)``) and no credentials in
  the URL;
- resolves the host once and refuses it when any of its addresses is loopback, private,
  link-local (the metadata address 169.254.169.254 included), multicast, unspecified, reserved
  or otherwise not globally routable, unless ``(host, port)`` is in ``allowed_hosts`` (e.g. a
  test server on the local cloud);
- connects to the first checked address itself, so no second lookup can answer differently
  (DNS rebinding), while sending the URL's host in the ``Host`` header and in TLS SNI (the
  certificate is verified against that host);
- follows at most ``max_redirects`` (3) redirects by hand, each checked like the first URL;
- stops the whole fetch (resolution aside, which the system resolver bounds) after
  ``timeout_seconds`` (20) and refuses a body over ``max_bytes`` (20 MiB): a larger
  ``Content-Length`` up front, otherwise as soon as the body passes the limit.

Refusals raise ``SourceFetchRefused`` (permanent); timeouts, connection errors and server
errors (5xx, 408, 429) raise ``SourceFetchFailed`` (transient: a retry may succeed).
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from orchestrator.core.errors import InputsInvalid, SourceFetchFailed, SourceFetchRefused
from orchestrator.ingestion.uploads import ARCHIVE_URL_SUFFIX

MiB = 1024 * 1024
DEFAULT_TIMEOUT_SECONDS = 20.0
DEFAULT_MAX_BYTES = 20 * MiB
MAX_REDIRECTS = 3
USER_AGENT = "ai-orchestrator-ingestion/1"

Resolver = Callable[[str, int], list[str]]
"""``(host, port)`` -> the host's IP addresses (as ``socket.getaddrinfo`` finds them)."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRYABLE_STATUSES = frozenset({408, 429})
_READ_CHUNK = 64 * 1024
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``address``) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    address: str  # the checked IP address to connect to


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses, in the resolver's order, without duplicates."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as exc:
        raise SourceFetchRefused(f"the host name {host!r} is invalid: {exc}") from exc
    except socket.gaierror as exc:
        raise SourceFetchFailed(f"the host {host!r} could not be resolved: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_refusal(address: str) -> str | None:
    """Why a fetch may not connect to ``address`` (e.g. ``"loopback"``), or None if it may."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 scope id
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    elif isinstance(ip, ipaddress.IPv6Address) and ip in _NAT64:  # reaches the IPv4 address it embeds
        ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    checks: tuple[tuple[bool, str], ...] = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local (cloud metadata and similar)"),
        (ip.is_multicast, "multicast"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "not globally routable"),
    )
    return next((reason for refused, reason in checks if refused), None)


def check_url(
    url: str, *, allowed_hosts: Collection[tuple[str, int]] = (), resolver: Resolver = resolve
) -> Target:
    """The URL as a target to connect to, or ``SourceFetchRefused`` saying why it may not be."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise SourceFetchRefused(f"the URL {url!r} is invalid: {exc}") from exc
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("https", "http"):
        raise SourceFetchRefused(f"the URL scheme {parts.scheme!r} is not allowed: use https")
    if not host:
        raise SourceFetchRefused(f"the URL {url!r} has no host")
    if parts.username is not None or parts.password is not None:
        raise SourceFetchRefused("the URL may not carry credentials")
    port = port or (443 if scheme == "https" else 80)
    allowed = (host, port) in {(name.lower(), number) for name, number in allowed_hosts}
    if scheme == "http" and not allowed:
        raise SourceFetchRefused(f"plain http is not allowed for {host}:{port}: use https")
    addresses = resolver(host, port)
    if not addresses:
        raise SourceFetchFailed(f"the host {host!r} has no address")
    if not allowed:
        for address in addresses:
            if reason := address_refusal(address):
                raise SourceFetchRefused(f"the host {host!r} resolves to {address}, a {reason} address")
    path = parts.path or "/"
    if any(ord(character) <= 0x20 or ord(character) == 0x7F for character in path + parts.query):
        raise SourceFetchRefused("the URL's path or query holds spaces or control characters")
    return Target(scheme, host, port, f"{path}?{parts.query}" if parts.query else path, addresses[0])


def check_archive_url_inputs(
    inputs: Mapping[str, Any],
    *,
    allowed_hosts: Collection[tuple[str, int]] = (),
    resolver: Resolver = resolve,
) -> None:
    """Every ``*archive_url`` input is a URL ``fetch_archive`` would try (``check_url``): one it
    would refuse is an ``InputsInvalid`` (400) naming the input and why, before a run starts. A
    host that does not resolve now is left to the fetch (a passing failure, retried there)."""
    details = []
    for name, value in inputs.items():
        if not (name.endswith(ARCHIVE_URL_SUFFIX) and isinstance(value, str)):
            continue
        try:
            check_url(value, allowed_hosts=allowed_hosts, resolver=resolver)
        except SourceFetchRefused as exc:
            details.append({"location": f"body.inputs.{name}", "message": str(exc)})
        except SourceFetchFailed:
            continue
    if details:
        raise InputsInvalid("; ".join(f"{d['location']}: {d['message']}" for d in details), details)


def fetch_archive(
    url: str,
    *,
    allowed_hosts: Collection[tuple[str, int]] = (),
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    resolver: Resolver = resolve,
    tls_context: ssl.SSLContext | None = None,
) -> bytes:
    """The body found at ``url`` (after at most ``max_redirects`` redirects), fetched safely.

    ``tls_context`` defaults to the system's verifying context (tests pass one trusting their
    own certificate authority).
    """
    deadline = time.monotonic() + timeout_seconds
    context = tls_context or ssl.create_default_context()
    for _ in range(max_redirects + 1):
        target = check_url(url, allowed_hosts=allowed_hosts, resolver=resolver)
        status, location, body = _get(target, context, deadline, timeout_seconds, max_bytes)
        if status not in _REDIRECTS:
            return body
        if not location:
            raise SourceFetchRefused(f"{url} answered {status} without a Location")
        url = urljoin(url, location)
    raise SourceFetchRefused(f"more than {max_redirects} redirects")


class PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to a fixed IP address that names ``host`` in Host and SNI."""

    def __init__(self, target: Target, context: ssl.SSLContext, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.default_port = 443 if target.scheme == "https" else 80  # "Host: name" without the port
        self._target = target
        self._context = context
        self.pinned_socket: socket.socket | None = None
        self.cut = False  # set when the watchdog shut the socket at the deadline

    def connect(self) -> None:
        sock = socket.create_connection((self._target.address, self._target.port), self.timeout)
        self.sock = self.pinned_socket = sock
        if self._target.scheme == "https":
            tls = self._context.wrap_socket(
                sock, server_hostname=self._target.host, do_handshake_on_connect=False
            )
            self.sock = self.pinned_socket = tls
            tls.do_handshake()  # the watchdog can cut a handshake that drags on


def _get(
    target: Target, context: ssl.SSLContext, deadline: float, timeout_seconds: float, max_bytes: int
) -> tuple[int, str | None, bytes]:
    """Status, Location and body of one GET; a watchdog cuts the connection at the deadline."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _timed_out(timeout_seconds)
    connection = PinnedConnection(target, context, timeout=remaining)
    watchdog = threading.Timer(remaining, cut_connection, args=(connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(
            "GET", target.path, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        )
        response = connection.getresponse()
        if response.status in _REDIRECTS:
            return response.status, response.getheader("Location"), b""
        _check_status(target, response.status)
        body = _read_body(response, deadline, timeout_seconds, max_bytes)
        if connection.cut:  # the body may have ended only because the watchdog shut the socket
            raise _timed_out(timeout_seconds)
        return response.status, None, body
    except ssl.SSLCertVerificationError as exc:
        raise SourceFetchRefused(
            f"the certificate of {target.host} is not valid: {exc.verify_message}"
        ) from exc
    except (OSError, http.client.HTTPException) as exc:
        if connection.cut or time.monotonic() >= deadline or isinstance(exc, TimeoutError):
            raise _timed_out(timeout_seconds) from exc
        raise SourceFetchFailed(f"fetching from {target.host} failed: {exc}") from exc
    finally:
        watchdog.cancel()
        connection.close()


def cut_connection(connection: PinnedConnection) -> None:
    """Shut the socket down so that a blocked read returns at once (from the watchdog thread)."""
    connection.cut = True
    if connection.pinned_socket is not None:
        with contextlib.suppress(OSError):  # already closed
            socket.socket.shutdown(connection.pinned_socket, socket.SHUT_RDWR)


def _timed_out(timeout_seconds: float) -> SourceFetchFailed:
    return SourceFetchFailed(f"the fetch took longer than {timeout_seconds:g} s")


def _check_status(target: Target, status: int) -> None:
    if status >= 500 or status in _RETRYABLE_STATUSES:
        raise SourceFetchFailed(f"{target.host} answered {status}")
    if status >= 300:
        raise SourceFetchRefused(f"{target.host} answered {status} for {target.path}")


def _read_body(
    response: http.client.HTTPResponse, deadline: float, timeout_seconds: float, max_bytes: int
) -> bytes:
    header = response.getheader("Content-Length", "")
    length = int(header) if header.isdigit() else None
    if length is not None and length > max_bytes:
        raise SourceFetchRefused(f"the archive is {length:,} bytes, over the limit of {max_bytes:,}")
    chunks: list[bytes] = []
    received = 0
    while chunk := response.read1(_READ_CHUNK):
        received += len(chunk)
        if received > max_bytes:
            raise SourceFetchRefused(f"the archive is larger than the limit of {max_bytes:,} bytes")
        if time.monotonic() >= deadline:
            raise _timed_out(timeout_seconds)
        chunks.append(chunk)
    if length is not None and received != length:
        raise http.client.IncompleteRead(b"", length - received)
    return b"".join(chunks)
