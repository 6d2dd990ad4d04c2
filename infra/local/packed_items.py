"""moto's DynamoDB items held as their JSON text between requests, the same answers (installed by
``moto_memory.install_all``, undone by ``moto_adapters.restore_all``).

moto holds every item attribute by attribute: a ``DynamoType`` object per value, nested values
included, each with its own copy of the attribute name (a run's step result of 22 attributes takes
about 17 KB so, against 2 KB as JSON text). The tables keep every item of every run, so this is
most of what a burst leaves in the cloud process.

Here an item no request is using is a ``PackedItem``: its key values (``hash_key``, ``range_key``)
as moto's, its attributes as the JSON text of their DynamoDB form and its size. Reading its
``attrs`` (anything moto does with an item but order it by key, size it, or write it out whole with
``to_json``) turns it back into moto's ``Item`` with the same attributes; when the DynamoDB
request ends (``DynamoHandler.call_action``, whose requests apply one at a time, see
``moto_adapters.serialize_dynamodb_requests``), every item made, copied or read during it is
packed again (after a read, from the text it was read from: nothing is encoded again). An item
holding a value of a shape not handled here (binary, or a type other than moto's own) stays an
``Item``.

``tests/local_cloud/test_packed_items.py`` compares the emulation's answers with and without.
"""

from __future__ import annotations

import json
import threading
import weakref
from typing import Any

from infra.local.moto_adapters import _original, _patch, dynamodb_requests_held

_TEXT = frozenset({"S", "N"})
_SETS = frozenset({"SS", "NS"})
_READS = ("DynamoDB_20120810.Get", "DynamoDB_20120810.Query", "DynamoDB_20120810.Scan",
          "DynamoDB_20120810.BatchGet", "DynamoDB_20120810.TransactGet", "DynamoDB_20120810.Describe",
          "DynamoDB_20120810.List")  # fmt: skip
"""Requests that change no item: the items they read are packed again as the text they came from."""


class _Unusual(Exception):
    """A value this module does not pack: its item stays moto's ``Item``."""


class _Requests(threading.local):
    reading = False  # set while a read request runs (under the DynamoDB lock)


_request = _Requests()
_touched: list[weakref.ref[Any]] = []  # items made, copied or unpacked since the last pack
_touched_lock = threading.Lock()


def _touch(item: Any) -> None:
    with _touched_lock:
        _touched.append(weakref.ref(item))


def plain(value: Any) -> Any:
    """A ``DynamoType`` as the DynamoDB JSON it was made from (``{"S": "text"}``)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    if type(value) is not DynamoType:
        raise _Unusual
    kind, inner = value.type, value.value
    if kind in _TEXT:
        if type(inner) is not str:
            raise _Unusual
    elif kind == "M":
        if type(inner) is not dict:
            raise _Unusual
        inner = {_text(key): plain(member) for key, member in inner.items()}
    elif kind == "L":
        if type(inner) is not list:
            raise _Unusual
        inner = [plain(member) for member in inner]
    elif kind in _SETS:
        if type(inner) is not list or any(type(member) is not str for member in inner):
            raise _Unusual
        inner = list(inner)
    elif kind not in ("BOOL", "NULL") or type(inner) is not bool:
        raise _Unusual  # binary values (moto holds them as text or bytes) and anything else
    return {kind: inner}


def _text(key: Any) -> str:
    if type(key) is not str:
        raise _Unusual
    return key


def encode(attrs: Any) -> str:
    """An item's attributes as JSON text, in their order (raises ``_Unusual``)."""
    return json.dumps({_text(name): plain(value) for name, value in attrs.items()}, separators=(",", ":"))


def decode(text: str) -> Any:
    """moto's attributes of an item (a ``LimitedSizeDict`` of ``DynamoType``) from ``encode``'s text."""
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

    attrs = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.__init__(attrs)  # sized when they were written: as moto's own copy, not sized again
    for name, value in json.loads(text).items():
        dict.__setitem__(attrs, name, DynamoType(value))
    return attrs


def pack(item: Any) -> bool:
    """``item`` as a ``PackedItem`` if it is moto's ``Item`` and holds only what is packed here."""
    from moto.dynamodb.models.dynamo_type import Item

    if type(item) is not Item:
        return False
    held = item.__dict__
    text = held.pop("_text", None)
    if text is None:
        try:
            text = encode(held["attrs"])
        except (_Unusual, KeyError):
            return False
        held["_size"] = Item.size(item)
    del held["attrs"]
    held["_packed"] = text
    item.__class__ = _packed_class()
    return True


def pack_touched() -> int:
    """Packs every item made, copied or unpacked since the last call; how many it packed."""
    with _touched_lock:
        touched = list(_touched)
        _touched.clear()
    return sum(pack(item) for ref in touched if (item := ref()) is not None)


_classes: dict[str, type] = {}


def _packed_class() -> type:
    """``PackedItem``, made on first use (moto imported by then)."""
    packed = _classes.get("PackedItem")
    if packed is None:
        from moto.dynamodb.models.dynamo_type import Item

        class PackedItem(Item):
            """An ``Item`` whose attributes are held as JSON text until they are read."""

            @property
            def attrs(self) -> Any:
                held = self.__dict__
                attrs = decode(held["_packed"])
                text, size = held.pop("_packed"), held.pop("_size")
                if _request.reading:  # nothing will change it: packed again as it was
                    held["_text"], held["_size"] = text, size
                self.__class__ = Item  # type: ignore[assignment]
                held["attrs"] = attrs
                _touch(self)
                return attrs

            @attrs.setter
            def attrs(self, attrs: Any) -> None:
                for name in ("_packed", "_size"):
                    self.__dict__.pop(name, None)
                self.__class__ = Item  # type: ignore[assignment]
                self.__dict__["attrs"] = attrs
                _touch(self)

            def size(self) -> int:
                return int(self.__dict__["_size"])

            def to_json(self, root_attr_name: str = "Attributes") -> dict[str, Any]:
                return {root_attr_name: json.loads(self.__dict__["_packed"])}

        packed = _classes["PackedItem"] = PackedItem
    return packed


def pack_items() -> None:
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.responses import DynamoHandler

    made = _original(Item, "__init__")
    copied = _original(Item, "__deepcopy__")
    handled = DynamoHandler.call_action  # moto's, behind the adaptations installed before this one

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        _touch(self)

    def __deepcopy__(self: Any, memo: dict[int, Any]) -> Any:
        copy = copied(self, memo)
        _touch(copy)
        return copy

    def call_action(self: Any) -> Any:
        with dynamodb_requests_held():  # no other request sees an item while it is being packed
            _request.reading = str(self.headers.get("X-Amz-Target", "")).startswith(_READS)
            try:
                return handled(self)
            finally:
                _request.reading = False
                pack_touched()

    _patch(Item, "__init__", __init__)
    _patch(Item, "__deepcopy__", __deepcopy__)
    _patch(DynamoHandler, "call_action", call_action)
