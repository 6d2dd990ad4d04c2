"""Counts the AWS requests of one function invocation: botocore event hooks on every session the
clients are made from (``aws_clients``), so every call of every adapter is seen, none is missed.

- ``provide-client-params`` (before any other parameter hook): a DynamoDB call that may report
  the capacity it consumed is asked to (``ReturnConsumedCapacity=TOTAL``); the entries of a
  ``PutEvents`` are counted.
- ``after-call``: the call is counted by ``service:Operation`` (once, whatever botocore's own
  retries did underneath), with the DynamoDB units it reports (a call that reports none, as a
  failed conditional write, counts one unit: a write for the five writing operations, else a read).

Counting happens only inside ``metered()`` (one invocation: ``with metered(memory_mb): ...``),
per thread of control (a context variable), so concurrent invocations in one process (tests, the
local cloud's in-process functions) never mix their counts. ``usage_so_far()`` is the invocation's
``AwsUsage`` until now, the Lambda invocation and its GB-seconds included.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from orchestrator.core.aws_usage import AwsUsage

WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
DEFAULT_MEMORY_MB = 128


@dataclass
class _Tally:
    memory_mb: int
    started: float = field(default_factory=time.perf_counter)
    requests: dict[str, int] = field(default_factory=dict)
    read_units: float = 0.0
    write_units: float = 0.0
    event_entries: int = 0


_current: ContextVar[_Tally | None] = ContextVar("aws_request_tally", default=None)


@contextmanager
def metered(memory_mb: int | None = None) -> Iterator[None]:
    """Count the AWS requests made inside (one function invocation of ``memory_mb`` MB)."""
    token = _current.set(_Tally(memory_mb or DEFAULT_MEMORY_MB))
    try:
        yield
    finally:
        _current.reset(token)


def usage_so_far() -> AwsUsage | None:
    """This invocation's requests until now (None outside ``metered``)."""
    tally = _current.get()
    if tally is None:
        return None
    seconds = time.perf_counter() - tally.started
    return AwsUsage(
        requests=dict(tally.requests),
        read_units=round(tally.read_units, 3),
        write_units=round(tally.write_units, 3),
        event_entries=tally.event_entries,
        lambda_invocations=1,
        lambda_gb_seconds=round(tally.memory_mb / 1024 * seconds, 6),
    )


def instrument(session: Any) -> Any:
    """Hooks the meter onto a boto3 session (before its clients are made); returns it."""
    session.events.register("provide-client-params", _before_parameters)
    session.events.register("after-call", _after_call)
    return session


def _before_parameters(params: dict[str, Any], model: Any, **_: Any) -> None:
    tally = _current.get()
    if tally is None:
        return
    service = model.service_model.service_name
    if service == "dynamodb" and "ReturnConsumedCapacity" in _members(model):
        params.setdefault("ReturnConsumedCapacity", "TOTAL")
    elif service == "events" and model.name == "PutEvents":
        tally.event_entries += len(params.get("Entries") or [])


def _after_call(model: Any, parsed: Any = None, **_: Any) -> None:
    tally = _current.get()
    if tally is None:
        return
    service = model.service_model.service_name
    name = f"{service}:{model.name}"
    tally.requests[name] = tally.requests.get(name, 0) + 1
    if service != "dynamodb":
        return
    units = _consumed(parsed.get("ConsumedCapacity") if isinstance(parsed, dict) else None)
    if units is None:
        units = 1.0  # none reported (a failed conditional write, a transaction cancelled)
    if model.name in WRITE_OPERATIONS:
        tally.write_units += units
    else:
        tally.read_units += units


def _consumed(capacity: Any) -> float | None:
    if isinstance(capacity, dict) and "CapacityUnits" in capacity:
        return float(capacity["CapacityUnits"])
    if isinstance(capacity, list) and capacity:
        return sum(float(part.get("CapacityUnits", 0)) for part in capacity if isinstance(part, dict))
    return None


def _members(model: Any) -> Any:
    shape = model.input_shape
    return shape.members if shape is not None else {}
