"""Key building and item (de)serialisation shared by the DynamoDB repositories."""

from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal
from typing import Any

from orchestrator.core.constants import PK, SK
from orchestrator.core.errors import InvalidRequest
from orchestrator.core.records import validate_tenant_id

DELIMITER = "#"


def run_partition(tenant_id: str, run_id: str) -> str:
    """Partition key of a run's children (phase results, events): ``<tenant>#<run>``."""
    return f"{validate_tenant_id(tenant_id)}{DELIMITER}{run_id}"


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    """JSON-compatible dict -> DynamoDB item (floats become Decimal, None is dropped)."""
    cleaned = {key: value for key, value in data.items() if value is not None}
    result: dict[str, Any] = json.loads(json.dumps(cleaned), parse_float=Decimal)
    return result


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB item -> plain dict (Decimal becomes int or float, keys dropped)."""

    def convert(value: Any) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    return {k: convert(v) for k, v in item.items() if k not in (PK, SK)}


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key, default=str).encode()).decode()


def decode_cursor(cursor: str | None, expected_partition: str) -> dict[str, Any] | None:
    """Decode a pagination cursor; a cursor of another partition (tenant) is rejected."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error) as exc:
        raise InvalidRequest("cursor is not valid: pass the 'next_cursor' of the previous page") from exc
    if (
        not isinstance(key, dict)
        or set(key) != {PK, SK}
        or key[PK] != expected_partition
        or not isinstance(key[SK], str)
        or len(key[SK]) > 1024
    ):
        raise InvalidRequest("cursor is not valid for this listing")
    return key
