"""Which URLs an archive may be fetched from: schemes, credentials, resolved addresses and the
allow-list. No socket is opened: the resolver is a function the test passes in."""

from __future__ import annotations

import pytest

from orchestrator.core.errors import TRANSIENT_ERROR_NAMES, SourceFetchFailed, SourceFetchRefused
from orchestrator.ingestion.fetch import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT_SECONDS,
    MAX_REDIRECTS,
    address_refusal,
    check_url,
    fetch_archive,
)

PUBLIC = "93.184.215.14"


def _resolver(*addresses: str):  # type: ignore[no-untyped-def]
    calls: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append((host, port))
        return list(addresses)

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def test_the_defaults_are_those_documented() -> None:
    assert DEFAULT_TIMEOUT_SECONDS == 20
    assert DEFAULT_MAX_BYTES == 20 * 1024 * 1024
    assert MAX_REDIRECTS == 3


def test_a_refusal_is_permanent_and_a_failure_is_retried() -> None:
    assert not SourceFetchRefused.transient
    assert SourceFetchFailed.transient
    assert "SourceFetchFailed" in TRANSIENT_ERROR_NAMES


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.7", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.20", "private"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("169.254.0.1", "link-local"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 (an address to refuse, not to bind)
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not globally routable"),  # carrier-grade NAT
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped IPv6
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of the metadata address
        ("64:ff9b::a00:1", "private"),
        ("not-an-ip", "not an IP address"),
    ],
)
def test_internal_addresses_are_refused_with_their_kind(address: str, reason: str) -> None:
    refusal = address_refusal(address)

    assert refusal is not None and reason in refusal


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111", "172.32.0.1"])
def test_public_addresses_are_accepted(address: str) -> None:
    assert address_refusal(address) is None


def test_an_https_url_on_a_public_address_becomes_a_pinned_target() -> None:
    # Given a host that resolves to a public address
    resolver = _resolver(PUBLIC)

    # When its URL is checked
    target = check_url("https://Codeload.Example.com/acme/repo/tar.gz/main?x=1", resolver=resolver)

    # Then the fetch will connect to that very address, asking for the path and query
    assert target.scheme == "https"
    assert target.host == "codeload.example.com"
    assert target.port == 443
    assert target.path == "/acme/repo/tar.gz/main?x=1"
    assert target.address == PUBLIC
    assert resolver.calls == [("codeload.example.com", 443)]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example.com/repo.zip", "plain http is not allowed"),
        ("ftp://example.com/repo.zip", "scheme 'ftp' is not allowed"),
        ("file:///etc/passwd", "scheme 'file' is not allowed"),
        ("gopher://example.com/", "scheme 'gopher' is not allowed"),
        ("https:///repo.zip", "has no host"),
        ("https://user:secret@example.com/repo.zip", "may not carry credentials"),
        ("https://example.com:99999/repo.zip", "is invalid"),
        ("https://example.com/repo zip", "spaces or control characters"),
        ("https://example.com/a?x=\x7f", "spaces or control characters"),
    ],
)
def test_urls_that_are_not_plain_https_are_refused(url: str, message: str) -> None:
    resolver = _resolver(PUBLIC)

    with pytest.raises(SourceFetchRefused, match=message):
        check_url(url, resolver=resolver)


def test_a_host_resolving_to_the_metadata_address_is_refused() -> None:
    with pytest.raises(SourceFetchRefused, match=r"resolves to 169\.254\.169\.254, a link-local"):
        check_url("https://metadata.attacker.example/", resolver=_resolver("169.254.169.254"))


def test_one_internal_address_among_public_ones_is_enough_to_refuse() -> None:
    # Given a name with a public and a private record (a rebinding trick)
    resolver = _resolver(PUBLIC, "10.0.0.5")

    with pytest.raises(SourceFetchRefused, match=r"10\.0\.0\.5, a private address"):
        check_url("https://mixed.example/", resolver=resolver)


def test_an_allowed_host_and_port_may_use_http_and_an_internal_address() -> None:
    # Given the local cloud's test server on a loopback address, allowed explicitly
    allowed = [("localhost", 4566)]

    target = check_url(
        "http://LOCALHOST:4566/archive.tar.gz", allowed_hosts=allowed, resolver=_resolver("127.0.0.1")
    )

    assert (target.scheme, target.host, target.port, target.address) == (
        "http",
        "localhost",
        4566,
        "127.0.0.1",
    )


def test_the_allowance_is_for_one_port_only() -> None:
    allowed = [("localhost", 4566)]

    with pytest.raises(SourceFetchRefused, match="plain http is not allowed for localhost:8080"):
        check_url("http://localhost:8080/", allowed_hosts=allowed, resolver=_resolver("127.0.0.1"))
    with pytest.raises(SourceFetchRefused, match="loopback"):
        check_url("https://localhost/", allowed_hosts=allowed, resolver=_resolver("127.0.0.1"))


def test_a_host_without_addresses_is_a_passing_failure() -> None:
    with pytest.raises(SourceFetchFailed, match="has no address"):
        check_url("https://nowhere.example/", resolver=_resolver())


def test_fetching_a_refused_url_never_opens_a_connection() -> None:
    # Given sockets are disabled in unit tests: any connection attempt would fail differently
    with pytest.raises(SourceFetchRefused, match="link-local"):
        fetch_archive("https://repo.example/archive.zip", resolver=_resolver("169.254.169.254"))
    with pytest.raises(SourceFetchRefused, match="plain http"):
        fetch_archive("http://169.254.169.254/latest/meta-data/", resolver=_resolver("169.254.169.254"))
