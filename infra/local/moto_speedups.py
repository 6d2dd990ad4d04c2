"""Adaptations of moto that spend less CPU per request, with the same answers (moto pinned: see
pyproject). Installed with the others of ``moto_adapters`` (whose ``restore_all`` undoes them).

1. ``roll_back_transactions_by_item``: moto's ``TransactWriteItems`` deep-copies every table a
   transaction names before applying it, to put the copies back if it fails: its CPU grows with
   the tables (a burst's runs fill the runs table, so a burst's transactions cost quadratically).
   Here only the items the transaction names are copied, and put back if it fails.
2. ``pick_response_values_by_cached_keys``: moto's response serializer looks every member of the
   answer's shape up in the result through six alias providers, each tried under two spellings,
   for every attribute of every item (an ``AttributeValue`` has ten members, nine of them absent):
   half the emulation's CPU under a run's load. The keys it tries depend only on the member and
   its shape when the result is a plain ``dict`` (DynamoDB's always is): found once here, tried in
   the same order.
3. ``find_response_methods_once``: moto lists a handler class's methods (every attribute of the
   class) for every request; the SQS backend converts each queue attribute's name (18 per send)
   every time: both kept.
4. ``match_request_ids_only_in_xml``: the request id goes into a body by a regular expression that
   scanned every JSON answer in full; skipped where it cannot match.
5. ``list_expression_node_kinds_once``: the update-expression validators rebuilt, at every node of
   the tree, the tuple of node kinds they handle (constants of each class): listed once.
6. ``parse_each_update_expression_once``: each update expression's tree, parsed twice per
   ``UpdateItem``, kept (moto's validator works on a copy of it).
7. ``check_each_update_expression_once``: that copy made by ``pickle`` instead of ``deepcopy``,
   and the validator's three checks that read only the expression, its attribute names and the
   table's key attributes skipped for an expression that passed them with the same ones.
8. ``walk_expression_trees_by_node_kind``: the walkers' questions at every node (is it a node,
   is it of a kind the walker handles, which of its methods handles it) answered once per node
   class and walker class.
9. ``serialize_attribute_values_directly``: a DynamoDB attribute value (a one-member dict) is
   written as moto's serializer writes it without walking its shape's ten members.
10. and on: ``moto_item_speedups`` and ``moto_queue_speedups`` (installed with these); the Step
   Functions interpreter's: ``sfn_speedups`` (installed with these too).

``tests/local_cloud/test_moto_speedups.py`` checks that the answers and the tables are the same
as moto's own.
"""

from __future__ import annotations

import copy
import functools
import pickle
from typing import Any, cast

from infra.local import moto_adapters, moto_item_speedups, moto_queue_speedups, sfn_speedups
from infra.local.moto_adapters import _dynamodb_lock, _original, _patch


# --- 1. TransactWriteItems: copy the items a transaction names, not its tables ----------------------
class _CopyModule:
    """``copy`` as moto's DynamoDB backend module sees it: a ``Table`` is "copied" as itself (the
    transaction's rollback of whole tables then puts each table back as it is; the items it
    touched are restored by ``roll_back_transactions_by_item``); anything else is copied."""

    def __init__(self, table_class: type) -> None:
        self._table_class = table_class

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if type(value) is self._table_class:
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def roll_back_transactions_by_item() -> None:
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    original = _original(models.DynamoDBBackend, "transact_write_items")

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with _dynamodb_lock:  # nothing else writes between the items' copies and a rollback
            saved = _items_named(self, transact_items)
            try:
                original(self, transact_items)
            except Exception:
                _put_back(saved)
                raise

    _patch(models, "copy", _CopyModule(Table))
    _patch(models.DynamoDBBackend, "transact_write_items", transact_write_items)


# table, hash key, range key, the item's copy (None: no item), its partition existed, stream length
_Saved = tuple[Any, Any, Any, Any, bool, int]


def _items_named(backend: Any, transact_items: list[dict[str, Any]]) -> list[_Saved]:
    """A copy of each item the transaction names (None where there is none), with what is needed to
    put its table back as it was. An operation whose key cannot be read writes nothing: skipped."""
    saved: list[_Saved] = []
    for entry in transact_items:
        if not isinstance(entry, dict) or len(entry) != 1:
            continue  # moto refuses it before writing anything
        kind, operation = next(iter(entry.items()))
        if not isinstance(operation, dict):
            continue
        table: Any = backend.tables.get(operation.get("TableName"))
        key = _key(table, operation.get("Item" if kind == "Put" else "Key")) if table else None
        if key is None:
            continue
        hash_value, range_value = key
        existed = hash_value in table.items  # before a lookup adds an empty partition
        current = table.get_item(hash_value, range_value)
        stream = len(table.stream_shard.items) if table.stream_shard is not None else 0
        saved.append((table, hash_value, range_value, copy.deepcopy(current), existed, stream))
    return saved


def _key(table: Any, attributes: Any) -> tuple[Any, Any] | None:
    """The item's (hash, range) key values, None when they are missing or malformed (moto then fails
    the operation without writing)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
    if not isinstance(attributes, dict):
        return None
    try:
        values = [DynamoType(attributes[name]) for name in names]
    except (KeyError, IndexError, TypeError, AttributeError, ValueError):
        return None
    return values[0], values[1] if len(values) > 1 else None


def _put_back(saved: list[_Saved]) -> None:
    """Every saved item as it was, in reverse order (an item named twice ends as first saved)."""
    for table, hash_value, range_value, item, existed, stream in reversed(saved):
        if range_value is not None:
            partition = table.items[hash_value]
            if item is None:
                partition.pop(range_value, None)
            else:
                partition[range_value] = item
            if not partition and not existed:
                del table.items[hash_value]
        elif item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item
        if table.stream_shard is not None:
            del table.stream_shard.items[stream:]


# --- 2. the response serializer: each member's keys found once -------------------------------------
def pick_response_values_by_cached_keys() -> None:
    from moto.core import serialize

    original = _original(serialize.ResponseSerializer, "get_value")
    keys_of: dict[tuple[str, int, int], tuple[Any, Any, tuple[str, ...] | None]] = {}

    def get_value(self: Any, value: Any, key: str, shape: Any) -> Any:
        picker = self._value_picker
        if type(value) is not dict or not _default_picker(picker):
            return original(self, value, key, shape)
        parent = getattr(shape, "parent", None)
        found = keys_of.get((key, id(shape), id(parent)))
        if found is None or found[0] is not shape or found[1] is not parent:
            keys = tuple(picker.get_possible_keys(_context(self, value, key, shape)))
            # a dotted key is a path into nested values: moto's own lookup follows it
            found = (shape, parent, None if any("." in k for k in keys) else keys)
            if len(keys_of) < 65536:
                keys_of[(key, id(shape), id(parent))] = found  # the shapes are kept: ids stay theirs
        if found[2] is None:
            return original(self, value, key, shape)
        for candidate in found[2]:
            if candidate in value:
                return value[candidate]
        return None

    _patch(serialize.ResponseSerializer, "get_value", get_value)


def _default_picker(picker: Any) -> bool:
    """Whether the serializer looks values up as moto's server does (no transformer, its aliases)."""
    from moto.core import serialize

    return (
        type(picker) is serialize.XFormedAttributePicker
        and not picker.response_transformers
        and picker.alias_providers is serialize.DEFAULT_ALIAS_PROVIDERS
    )


# --- 3. per-request work done once: names, methods, the request id ---------------------------------
def find_response_methods_once() -> None:
    """moto lists a handler class's methods (``inspect.getmembers``: every attribute of the class)
    for every request, and converts the action's name again; the SQS backend converts each queue
    attribute's name every time it lists them (18 per send). Both kept here per class and per name
    (a method moto gains or loses through ``moto_adapters._add`` or ``restore_all`` lists again)."""
    from moto.core import responses
    from moto.sqs import models as sqs_models

    names_of = _original(responses, "method_names_from_class")
    listed: dict[tuple[type, int], list[str]] = {}

    def method_names_from_class(clazz: type) -> list[str]:
        key = (clazz, moto_adapters.attribute_changes())
        names = listed.get(key)
        if names is None:
            names = listed[key] = names_of(clazz)
        return names

    _patch(responses, "method_names_from_class", method_names_from_class)
    for module in (responses, sqs_models):
        convert = _original(module, "camelcase_to_underscores")
        _patch(module, "camelcase_to_underscores", functools.lru_cache(maxsize=4096)(convert))


def match_request_ids_only_in_xml() -> None:
    """moto puts the request id into every answer's body with a regular expression that only
    matches ``<RequestId>...</RequestId>`` (query-protocol XML), scanning the whole body of every
    JSON answer too (a ``Query`` of a hundred items). Here the scan is skipped where it cannot match."""
    from moto.core import responses

    original = _original(responses.BaseResponse, "_enrich_response")

    def _enrich_response(headers: dict[str, Any], body: Any) -> tuple[dict[str, Any], Any]:
        if isinstance(body, str) and "<RequestId>" in body:
            return original(headers, body)
        if "status" in headers:
            headers["status"] = str(headers["status"])
        responses.gen_amzn_requestid_long(headers)  # sets the request id header
        return headers, body

    _patch(responses.BaseResponse, "_enrich_response", staticmethod(_enrich_response))


def list_expression_node_kinds_once() -> None:
    """moto's DynamoDB update-expression validators walk the expression's tree ten times per
    ``UpdateItem``, and at every node build the tuple of node kinds the walker handles again from a
    new dict of bound methods; the kinds are each walker class's constants: listed once here."""
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser  # type: ignore[attr-defined]

    original = _original(DepthFirstTraverser, "nodes_to_be_processed")
    kinds: dict[type, tuple[type, ...]] = {}

    def nodes_to_be_processed(self: Any) -> tuple[type, ...]:
        found = kinds.get(type(self))
        if found is None:
            found = kinds[type(self)] = original(self)
        return found

    _patch(DepthFirstTraverser, "nodes_to_be_processed", nodes_to_be_processed)


def parse_each_update_expression_once() -> None:
    """moto parses an ``UpdateItem``'s expression twice per request (tokens, then the tree); the
    tree of each expression is kept here. moto only reads it: its validator works on a deep copy,
    and an expression that does not parse raises each time (nothing kept)."""
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

    original = _original(UpdateExpressionParser, "make")
    cached = functools.lru_cache(maxsize=1024)(lambda expression: original(expression))

    def make(expression: str) -> Any:
        return cached(expression) if isinstance(expression, str) else original(expression)

    _patch(UpdateExpressionParser, "make", staticmethod(make))


# --- 7. update expressions: the tree copied by pickle, its expression-only checks kept -------------
_EXPRESSION_ONLY_CHECKS = 3  # ActionCount, OverlappingPaths, UpdateHashRangeKey: see below


def check_each_update_expression_once() -> None:
    """moto validates an ``UpdateItem``'s expression with ten walks of a deep copy of its tree
    (twice when the item is new). The copy is made here by ``pickle`` (the same objects, rebuilt
    from the same state as ``deepcopy`` rebuilds them, several times faster), from the tree's
    pickled bytes kept with the tree. The first three walks read only the tree, the expression's
    attribute names and the table's key attributes (one clause of each kind, no overlapping
    paths, no key attribute set): an expression that passed them with the same names and key
    attributes passes them again, so they are skipped for it; one that failed is checked again
    (and fails again, with moto's own error)."""
    from moto.dynamodb.parsing import validators
    from moto.dynamodb.parsing.ast_nodes import UpdateExpression  # type: ignore[attr-defined]

    expression_only = (
        validators.ActionCountValidator,
        validators.OverlappingPathsValidator,
        validators.UpdateHashRangeKeyValidator,
    )
    init = _original(validators.UpdateExpressionValidator, "__init__")
    deepcopy = _original(validators, "deepcopy")
    pickled: dict[int, tuple[Any, bytes | None]] = {}
    passed: dict[int, tuple[Any, set[Any]]] = {}  # the tree kept: its id stays its own

    def copy_tree(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if type(value) is not UpdateExpression or memo is not None:
            return deepcopy(value, memo)
        kept = pickled.get(id(value))
        if kept is None or kept[0] is not value:
            try:
                kept = (value, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
            except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
                kept = (value, None)
            if len(pickled) >= 4096:
                pickled.clear()
            pickled[id(value)] = kept
        return deepcopy(value) if kept[1] is None else pickle.loads(kept[1])  # noqa: S301 - its own bytes

    def __init__(self: Any, expression: Any, *args: Any, **kwargs: Any) -> None:
        self._tree = expression
        init(self, expression, *args, **kwargs)

    def validate(self: Any) -> Any:
        processors = self.processors
        known, key = _passed_set(passed, self), None
        if known is not None and tuple(map(type, processors[:_EXPRESSION_ONLY_CHECKS])) == expression_only:
            key = (
                frozenset((self.expression_attribute_names or {}).items()),
                tuple(self.table.table_key_attrs),
            )
        node = self.node_to_validate
        for index, processor in enumerate(processors):
            if key is not None and index < _EXPRESSION_ONLY_CHECKS and key in known:  # type: ignore[operator]
                continue
            node = processor.traverse(node)
            if key is not None and index == _EXPRESSION_ONLY_CHECKS - 1:
                known.add(key)  # type: ignore[union-attr]
        return node

    _patch(validators, "deepcopy", copy_tree)
    _patch(validators.UpdateExpressionValidator, "__init__", __init__)
    _patch(validators.UpdateExpressionValidator, "validate", validate)


def _passed_set(passed: dict[int, tuple[Any, set[Any]]], validator: Any) -> set[Any] | None:
    """The (names, key attributes) the validator's tree passed its expression-only checks with;
    None when they cannot be told apart (attribute names that are not text)."""
    tree = getattr(validator, "_tree", None)
    names = validator.expression_attribute_names or {}
    if tree is None or not all(type(k) is str and type(v) is str for k, v in names.items()):
        return None
    kept = passed.get(id(tree))
    if kept is None or kept[0] is not tree:
        if len(passed) >= 4096:
            passed.clear()
        kept = passed[id(tree)] = (tree, set())
    return kept[1]


# --- 8. the expression walkers: what each does with a kind of node, found once ----------------------
def walk_expression_trees_by_node_kind() -> None:
    """moto's expression walkers (ten per ``UpdateItem``, over trees of about a hundred nodes) ask
    at every node whether it is a node (an abstract class's ``isinstance``, through ``abc``),
    whether the walker handles its kind, and then build a dict of the walker's bound methods to
    find the one for it. Each answer depends only on the node's class and the walker's class:
    found once per pair here, the walk itself unchanged (same order, same hooks, same results)."""
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser, Node  # type: ignore[attr-defined]

    no_hook = _original(DepthFirstTraverser, "pre_processing_of_child")
    original_process = _original(DepthFirstTraverser, "process")
    is_node: dict[type, bool] = {}
    handles: dict[tuple[type, type], bool] = {}
    processor_of: dict[tuple[type, type], Any] = {}

    def traverse_node_recursively(self: Any, node: Any, child_id: int = -1) -> Any:
        kind = type(node)
        node_like = is_node.get(kind)
        if node_like is None:
            node_like = is_node[kind] = isinstance(node, Node)
        if not node_like:
            return node
        parent_node = node.parent
        if node.children is not None:
            hook = type(self).pre_processing_of_child
            for i, child_node in enumerate(node.children):
                if hook is not no_hook:
                    hook(self, node, i)
                self.traverse_node_recursively(child_node, i)
        walker = type(self)
        handled = handles.get((walker, kind))
        if handled is None:
            handled = handles[(walker, kind)] = isinstance(node, self.nodes_to_be_processed())
        if handled:
            node = self.process(node)
            node.parent = parent_node
            if parent_node:
                parent_node.children[child_id] = node
        return node

    def process(self: Any, node: Any) -> Any:
        key = (type(self), type(node))
        function = processor_of.get(key)
        if function is None:
            found = next((p for k, p in self._processing_map().items() if isinstance(node, k)), None)
            if getattr(found, "__self__", None) is not self:  # not one of its own methods: as moto does
                return original_process(self, node)
            function = processor_of[key] = found.__func__  # type: ignore[union-attr]
        return function(self, node)

    _patch(DepthFirstTraverser, "traverse_node_recursively", traverse_node_recursively)
    _patch(DepthFirstTraverser, "process", process)


# --- 9. DynamoDB attribute values serialized as they are --------------------------------------------
_AS_IS = {"S", "N", "SS", "NS"}, {"BOOL", "NULL"}  # text members, then boolean ones
_NOT_HERE = object()  # a value moto's own serializer handles (anything unusual)


def serialize_attribute_values_directly() -> None:
    """moto serializes every DynamoDB ``AttributeValue`` of an answer (every attribute of every
    item, nested ones included) through its shape's ten members, one lookup and one call each:
    most of a ``Query``'s CPU. An attribute value that is a one-member dict (as DynamoDB's are)
    is written here as moto writes it: text as it is, booleans as they are, binaries in base64,
    maps and lists member by member; anything else (another type, ``None``, a key that another
    member's lookup would also find) goes through moto's own serializer."""
    from moto.core import serialize

    original = _original(serialize.BaseJSONSerializer, "_serialize_type_structure")
    members_of: dict[int, tuple[Any, frozenset[str]]] = {}

    def own_members(self: Any, shape: Any, value: dict[str, Any]) -> frozenset[str]:
        """The members each found only under its own name by moto's lookup (the shape kept)."""
        kept = members_of.get(id(shape))
        if kept is None or kept[0] is not shape:
            keys = {
                name: set(self._value_picker.get_possible_keys(_context(self, value, name, member)))
                for name, member in shape.members.items()
            }
            own = {n for n in keys if n in keys[n] and all(n not in k for m, k in keys.items() if m != n)}
            kept = members_of[id(shape)] = (shape, frozenset(own))
        return kept[1]

    def attribute(self: Any, shape: Any, value: Any) -> Any:
        if type(value) is not dict or len(value) != 1:
            return _NOT_HERE
        ((name, member),) = value.items()
        if name not in own_members(self, shape, value):
            return _NOT_HERE
        written = _written(self, shape, name, member, attribute)
        return _NOT_HERE if written is _NOT_HERE else {name: written}

    def _serialize_type_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if (
            shape.name == "AttributeValue"
            and not shape.serialization
            and self.operation_model.service_model.service_name == "dynamodb"
            and self.MAP_TYPE is dict
            and _default_picker(self._value_picker)
        ):
            written = attribute(self, shape, value)
            if written is not _NOT_HERE:
                if key:
                    serialized[self.get_serialized_name(shape, key)] = written
                else:
                    serialized.update(written)
                return
        original(self, serialized, value, shape, key)

    _patch(serialize.BaseJSONSerializer, "_serialize_type_structure", _serialize_type_structure)


def _context(serializer: Any, value: Any, name: str, member: Any) -> Any:
    from moto.core import serialize

    return serialize.AttributePickerContext(
        obj=value,
        key=name,
        shape=member,
        operation_model=serializer.operation_model,
        service_model=serializer.operation_model.service_model,
        key_path=".".join(serializer.path),
    )


def _written(serializer: Any, shape: Any, name: str, member: Any, attribute: Any) -> Any:
    """One member of an attribute value as moto's serializer writes it (``_NOT_HERE``: not here)."""
    text, boolean = _AS_IS
    if name in text:
        if name in ("S", "N") and type(member) is str:
            return member
        if name in ("SS", "NS") and type(member) is list and all(type(m) is str for m in member):
            return list(member)
    elif name in boolean:
        return member if type(member) is bool else _NOT_HERE
    elif name == "B" and type(member) in (bytes, str):
        return serializer._base64(member)
    elif name == "BS" and type(member) is list and all(type(m) in (bytes, str) for m in member):
        return [serializer._base64(m) for m in member]
    elif name in ("M", "L"):
        inner = shape.members[name].value if name == "M" else shape.members[name].member
        kind = dict if name == "M" else list
        if inner.name != shape.name or inner.serialization or type(member) is not kind:
            return _NOT_HERE
        pairs = cast(Any, member).items() if kind is dict else enumerate(member)
        written = {k: attribute(serializer, shape, v) for k, v in pairs}
        if any(w is _NOT_HERE for w in written.values()):
            return _NOT_HERE
        return written if name == "M" else list(written.values())
    return _NOT_HERE


def install_all() -> None:
    """Every speedup above (the local cloud and the local-cloud tests install the same set)."""
    roll_back_transactions_by_item()
    pick_response_values_by_cached_keys()
    find_response_methods_once()
    match_request_ids_only_in_xml()
    list_expression_node_kinds_once()
    parse_each_update_expression_once()
    check_each_update_expression_once()
    walk_expression_trees_by_node_kind()
    serialize_attribute_values_directly()
    moto_item_speedups.install_all()
    moto_queue_speedups.install_all()
    sfn_speedups.install_all()
