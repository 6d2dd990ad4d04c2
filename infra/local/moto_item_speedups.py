"""More of moto's per-request work done with less CPU, the same results (see ``moto_speedups``,
whose ``install_all`` installs these too, and whose tests compare them with moto's own).

11. ``size_items_without_copies``: moto sizes a DynamoDB value (a ``Query`` sizes every item it
    returns, against the 1 MB page; every attribute an item is given sizes the whole item again,
    against the 400 KB limit) by wrapping every nested value in a new ``DynamoType`` first, all
    the way down. The same sizes are summed here from the values as they are; a value of a shape
    moto's own walk would treat otherwise (a nested value that is not a ``DynamoType``, a text
    that is not ``str`` or ``bytes``) is sized by moto's own method.
12. ``query_items_without_copies``: moto's ``Query`` deep-copies every item it found before
    answering (what it does next must not touch the table's own items): a third of a query's CPU.
    A query of the table itself (not of an index) only reads them after that (its filter reads
    an item, its projection expression builds a new one), and its answer is written while the
    DynamoDB lock is held: it answers from the items themselves here. (Index queries keep moto's
    copy.)
13. ``query_one_partition``: for a query of the table itself, moto lists every item of the table,
    sorts them all by key (``Table.all_items``) and keeps those of the query's partition: a cost
    that grows with the table, so with every run a burst adds (a table of 2,000 items sorted for
    each of a run's thirty-odd queries). Here that list is the partition's items alone, in the
    same order (by range key: moto's sort, then its filter, leaves them so).
"""

from __future__ import annotations

import copy
import inspect
import threading
from typing import Any

from infra.local.moto_adapters import _original, _patch


class _Unusual(Exception):
    """A value the fast sum does not size: moto's own method does."""


def size_items_without_copies() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    original = _original(DynamoType, "size")

    def size_of(kind: str, value: Any) -> int:
        if kind == "N":
            return len(str(value))
        if kind in ("SS", "NS", "BS"):
            return sum(size_of(kind[0], member) for member in value)
        if kind == "L":
            return sum(nested(member) for member in value)
        if kind == "M":
            return sum(text_size(key) + nested(member) for key, member in value.items())
        if isinstance(value, bool):
            return 1
        return text_size(value)

    def nested(member: Any) -> int:
        if type(member) is not DynamoType:
            raise _Unusual
        return size_of(member.type, member.value)

    def size(self: Any) -> int:
        try:
            return size_of(self.type, self.value)
        except _Unusual:
            pass
        return int(original(self))  # outside the handler: its errors are moto's own, unchained

    _patch(DynamoType, "size", size)


def text_size(value: Any) -> int:
    """moto's ``bytesize``, for the values it sizes that way (text or bytes)."""
    if type(value) is str:
        return len(value.encode("utf-8"))
    if type(value) is bytes:
        return len(value)
    raise _Unusual


_reading = threading.local()  # set while a query of a table itself (no index) runs
_partition = threading.local()  # the table and partition key of that query, for ``all_items``


class _TableCopy:
    """``copy`` as moto's table module sees it: a query's list of found items is copied as a list
    of the same items while ``_reading`` is set (the query's one copy); anything else is copied."""

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if memo is None and type(value) is list and getattr(_reading, "on", False):
            _reading.on = False  # one copy per query: later ones are moto's own
            return list(value)
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def query_items_without_copies() -> None:
    from moto.dynamodb.models import table as table_module

    original = _original(table_module.Table, "query")
    signature = inspect.signature(original)

    all_items = _original(table_module.Table, "all_items")

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(self, *args, **kwargs).arguments
        _reading.on = not arguments.get("index_name")
        hash_key = arguments.get("hash_key")
        _partition.of = (self, hash_key) if _reading.on and hash_key is not None else None
        try:
            return original(self, *args, **kwargs)
        finally:
            _reading.on = False
            _partition.of = None

    def partition_items(self: Any) -> list[Any]:
        asked = getattr(_partition, "of", None)
        if asked is None or asked[0] is not self:
            return list(all_items(self))
        _partition.of = None  # the query's one listing: any other is moto's own
        found = self.items.get(asked[1])
        if found is None:
            return []
        if not self.range_key_attr:
            return [found]
        return sorted(found.values(), key=lambda item: item.range_key)

    _patch(table_module, "copy", _TableCopy())
    _patch(table_module.Table, "query", query)
    _patch(table_module.Table, "all_items", partition_items)


def install_all() -> None:
    size_items_without_copies()
    query_items_without_copies()
