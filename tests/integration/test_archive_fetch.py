"""Fetching archives from a real local HTTP(S) server in a thread: refused without the
allowance, fetched with it, redirects re-checked, size and time limits, Host and SNI."""

from __future__ import annotations

import datetime
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from orchestrator.core.errors import SourceFetchFailed, SourceFetchRefused
from orchestrator.ingestion.archive import build_archive, read_archive
from orchestrator.ingestion.fetch import fetch_archive

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "repositories" / "inventory_service"
ARCHIVE = build_archive(SAMPLE)
TLS_HOST = "archive.test"  # resolves nowhere: only the test's resolver knows it


@dataclass
class Server:
    host: str
    port: int
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Host header)
    server_names: list[str | None] = field(default_factory=list)  # SNI seen in TLS handshakes
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def allowed(self) -> list[tuple[str, int]]:
        return [(self.host, self.port)]

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://{self.host}:{self.port}{path}"


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {"Content-Length": str(len(body))}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            server.requests.append((self.path, self.headers.get("Host")))
            routes = {
                "/archive.tar.gz": lambda: self._send(200, ARCHIVE),
                "/redirect": lambda: self._send(
                    302, headers={"Location": "/archive.tar.gz", "Content-Length": "0"}
                ),
                "/redirect-metadata": lambda: self._send(
                    302,
                    headers={"Location": "http://169.254.169.254/latest/meta-data/", "Content-Length": "0"},
                ),
                "/redirect-loop": lambda: self._send(
                    301, headers={"Location": "/redirect-loop", "Content-Length": "0"}
                ),
                "/large": lambda: self._send(200, headers={"Content-Length": str(50 * 1024 * 1024)}),
                "/missing": lambda: self._send(404, b"not here"),
                "/broken": lambda: self._send(503, b"try later"),
            }
            if self.path in routes:
                routes[self.path]()
            elif self.path == "/stream":  # no Content-Length: the body ends when the connection does
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                for _ in range(64):
                    self.wfile.write(b"x" * 65536)
            elif self.path == "/slow":
                server.stop.wait(10)
                self._send(200, b"late")
            elif self.path == "/drip":  # headers at once, then one byte every 0.1 s
                self._send(200, headers={"Content-Length": "1000"})
                for _ in range(1000):
                    if server.stop.wait(0.1):
                        break
                    self.wfile.write(b"x")
                    self.wfile.flush()
            elif self.path == "/drip-headers":  # a header line that never ends, a byte every 0.1 s
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                while not server.stop.wait(0.1):
                    self.wfile.write(b"x")
                    self.wfile.flush()
            else:
                self._send(404)

    return Handler


@pytest.fixture
def http_server() -> Iterator[Server]:
    yield from _serve(None)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | bytes]:
    """A certificate authority and a server certificate for ``archive.test``."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ingestion test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, TLS_HOST)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(TLS_HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "server.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return {
        "cert": folder / "server.pem",
        "key": folder / "server.key",
        "ca": ca.public_bytes(serialization.Encoding.PEM),
    }


@pytest.fixture
def https_server(tls_files: dict[str, Path | bytes]) -> Iterator[Server]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls_files["cert"], tls_files["key"])  # type: ignore[arg-type]
    yield from _serve(context)


def _serve(context: ssl.SSLContext | None) -> Iterator[Server]:
    state = Server(host="127.0.0.1", port=0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    if context is not None:

        def record(sock: ssl.SSLSocket, server_name: str | None, _: ssl.SSLContext) -> None:
            state.server_names.append(server_name)

        context.sni_callback = record
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _client_context(tls_files: dict[str, Path | bytes]) -> ssl.SSLContext:
    return ssl.create_default_context(cadata=tls_files["ca"].decode())  # type: ignore[union-attr]


def _to_loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


def test_a_loopback_server_is_refused_without_the_allowance(http_server: Server) -> None:
    # Given a server on 127.0.0.1 that nobody allowed
    with pytest.raises(SourceFetchRefused):
        fetch_archive(http_server.url("/archive.tar.gz"))
    with pytest.raises(SourceFetchRefused, match="loopback"):
        fetch_archive(http_server.url("/archive.tar.gz", scheme="https"))

    # Then no request ever reached it
    assert http_server.requests == []


def test_an_allowed_server_is_fetched_and_its_archive_read(http_server: Server) -> None:
    # When the archive is fetched from the allowed (host, port)
    data = fetch_archive(http_server.url("/archive.tar.gz"), allowed_hosts=http_server.allowed)

    # Then it is the archive the server holds, readable, and the request named the host
    assert data == ARCHIVE
    assert read_archive(data).file("inventory/config.py") is not None
    assert http_server.requests == [("/archive.tar.gz", f"127.0.0.1:{http_server.port}")]


def test_a_redirect_on_the_allowed_server_is_followed(http_server: Server) -> None:
    data = fetch_archive(http_server.url("/redirect"), allowed_hosts=http_server.allowed)

    assert data == ARCHIVE
    assert [path for path, _ in http_server.requests] == ["/redirect", "/archive.tar.gz"]


def test_a_redirect_to_the_metadata_address_is_refused(http_server: Server) -> None:
    with pytest.raises(SourceFetchRefused, match=r"plain http is not allowed for 169\.254\.169\.254:80"):
        fetch_archive(http_server.url("/redirect-metadata"), allowed_hosts=http_server.allowed)


def test_a_redirect_to_another_loopback_port_is_refused(http_server: Server) -> None:
    # Given an allowance for another port of the same host, reached only through a redirect
    with pytest.raises(SourceFetchRefused, match="plain http is not allowed"):
        fetch_archive(http_server.url("/redirect"), allowed_hosts=[("127.0.0.1", http_server.port + 1)])


def test_a_redirect_loop_stops_after_three_redirects(http_server: Server) -> None:
    with pytest.raises(SourceFetchRefused, match="more than 3 redirects"):
        fetch_archive(http_server.url("/redirect-loop"), allowed_hosts=http_server.allowed)

    assert len(http_server.requests) == 4  # the first request and three redirects


def test_a_body_announced_too_large_is_refused_up_front(http_server: Server) -> None:
    with pytest.raises(SourceFetchRefused, match="52,428,800 bytes, over the limit of 20,971,520"):
        fetch_archive(http_server.url("/large"), allowed_hosts=http_server.allowed)


def test_a_body_growing_past_the_limit_is_refused_while_reading(http_server: Server) -> None:
    with pytest.raises(SourceFetchRefused, match="larger than the limit of 1,048,576 bytes"):
        fetch_archive(http_server.url("/stream"), allowed_hosts=http_server.allowed, max_bytes=1024 * 1024)


def test_a_server_that_does_not_answer_times_out(http_server: Server) -> None:
    started = time.monotonic()

    with pytest.raises(SourceFetchFailed, match=r"took longer than 0\.5 s"):
        fetch_archive(http_server.url("/slow"), allowed_hosts=http_server.allowed, timeout_seconds=0.5)

    assert time.monotonic() - started < 3


def test_a_body_dripping_in_times_out_as_a_whole(http_server: Server) -> None:
    # Given a server sending a byte every 0.1 s: no single read waits long, the fetch does
    started = time.monotonic()

    with pytest.raises(SourceFetchFailed, match=r"took longer than 0\.5 s"):
        fetch_archive(http_server.url("/drip"), allowed_hosts=http_server.allowed, timeout_seconds=0.5)

    assert time.monotonic() - started < 3


def test_headers_dripping_in_time_out_as_a_whole(http_server: Server) -> None:
    started = time.monotonic()

    with pytest.raises(SourceFetchFailed, match=r"took longer than 0\.5 s"):
        fetch_archive(
            http_server.url("/drip-headers"), allowed_hosts=http_server.allowed, timeout_seconds=0.5
        )

    assert time.monotonic() - started < 3


def test_a_missing_archive_is_refused_and_a_failing_server_is_retryable(http_server: Server) -> None:
    with pytest.raises(SourceFetchRefused, match="answered 404"):
        fetch_archive(http_server.url("/missing"), allowed_hosts=http_server.allowed)
    with pytest.raises(SourceFetchFailed, match="answered 503"):
        fetch_archive(http_server.url("/broken"), allowed_hosts=http_server.allowed)


def test_a_closed_port_is_a_passing_failure(http_server: Server) -> None:
    closed = [("127.0.0.1", 1)]

    with pytest.raises(SourceFetchFailed, match="failed"):
        fetch_archive("http://127.0.0.1:1/archive.tar.gz", allowed_hosts=closed, timeout_seconds=2)


def test_https_connects_to_the_checked_address_with_the_host_in_sni_and_host(
    https_server: Server, tls_files: dict[str, Path | bytes]
) -> None:
    # Given a name only the resolver knows, resolved once to the test server's address
    url = f"https://{TLS_HOST}:{https_server.port}/archive.tar.gz"

    # When it is fetched over TLS, trusting the test's certificate authority
    data = fetch_archive(
        url,
        allowed_hosts=[(TLS_HOST, https_server.port)],
        resolver=_to_loopback,
        tls_context=_client_context(tls_files),
    )

    # Then the certificate was checked for that name, sent in SNI and in the Host header
    assert data == ARCHIVE
    assert https_server.server_names == [TLS_HOST]
    assert https_server.requests == [("/archive.tar.gz", f"{TLS_HOST}:{https_server.port}")]


def test_a_certificate_for_another_name_is_refused(
    https_server: Server, tls_files: dict[str, Path | bytes]
) -> None:
    url = f"https://other.test:{https_server.port}/archive.tar.gz"

    with pytest.raises(SourceFetchRefused, match=r"certificate of other\.test is not valid"):
        fetch_archive(
            url,
            allowed_hosts=[("other.test", https_server.port)],
            resolver=_to_loopback,
            tls_context=_client_context(tls_files),
        )

    assert https_server.requests == []
