"""Pagination cursors and item conversion."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest

from orchestrator.adapters.dynamodb_keys import (
    decode_cursor,
    encode_cursor,
    from_item,
    run_partition,
    to_item,
)
from orchestrator.core.errors import InvalidRequest


def test_cursor_round_trip() -> None:
    last_key = {"pk": "acme", "sk": "01jabcdefghjkmnpqrstvwxyz0"}

    cursor = encode_cursor(last_key)

    assert isinstance(cursor, str)
    assert decode_cursor(cursor, "acme") == last_key


def test_cursor_is_url_safe() -> None:
    # Given a key whose standard base64 would contain '+' and '/'
    last_key = {"pk": "acme#r1", "sk": "???>>>~~~"}

    cursor = encode_cursor(last_key)

    # Then the cursor can go in a query string as it is
    assert cursor is not None
    assert not set(cursor) & set("+/ ")
    assert decode_cursor(cursor, "acme#r1") == last_key


def test_no_last_key_means_no_cursor() -> None:
    assert encode_cursor(None) is None
    assert encode_cursor({}) is None
    assert decode_cursor(None, "acme") is None
    assert decode_cursor("", "acme") is None


def test_cursor_of_another_tenant_is_rejected() -> None:
    # Given a cursor from tenant acme's listing
    cursor = encode_cursor({"pk": "acme", "sk": "01jabc"})

    # When globex presents it, Then it is refused
    with pytest.raises(InvalidRequest, match="not valid for this listing"):
        decode_cursor(cursor, "globex")


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!!",
        "abc",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
        _b64(["acme", "01jabc"]),
        _b64({"pk": "acme"}),
        _b64({"pk": "acme", "sk": 5}),
        _b64("acme"),
    ],
    ids=[
        "garbage",
        "bad-padding",
        "not-json",
        "not-utf8",
        "list",
        "no-sort-key",
        "numeric-sort-key",
        "string",
    ],
)
def test_malformed_cursor_is_an_invalid_request(cursor: str) -> None:
    with pytest.raises(InvalidRequest, match="cursor is not valid"):
        decode_cursor(cursor, "acme")


def test_run_partition_is_tenant_then_run() -> None:
    assert run_partition("acme", "r1") == "acme#r1"
    with pytest.raises(ValueError, match="tenant id"):
        run_partition("acme#r0", "r1")


def test_items_round_trip_numbers_and_drop_nones() -> None:
    item = to_item({"a": 1, "b": 0.25, "c": None, "d": {"e": [1.5, 2]}, "f": "x"})

    assert item == {"a": 1, "b": Decimal("0.25"), "d": {"e": [Decimal("1.5"), 2]}, "f": "x"}
    assert from_item(item | {"pk": "p", "sk": "s"}) == {"a": 1, "b": 0.25, "d": {"e": [1.5, 2]}, "f": "x"}
