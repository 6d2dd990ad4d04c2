"""JSON schema helpers for native structured output: pydantic's schema -> OpenAI's strict subset.

OpenAI's strict mode (``response_format={"type": "json_schema", ..., "strict": True}``) takes a
subset of JSON schema: every object lists all its properties in ``required`` and has
``additionalProperties: false``; an optional field is a union with null. Keywords outside the
subset are refused, so :func:`strict_json_schema` keeps only the structural ones (types,
properties, items, unions, enums, refs, descriptions) and drops the rest (titles, defaults,
formats, length and numeric bounds): our own pydantic validation still enforces all of them.

A model answering a strict schema writes ``null`` for an optional field it has no value for;
:func:`drop_added_nulls` removes those nulls again where the original schema did not allow null,
so pydantic applies the field's default instead of rejecting the answer.
"""

from __future__ import annotations

import copy
from typing import Any

_KEPT = frozenset(
    {"type", "properties", "required", "items", "anyOf", "enum", "const", "$ref", "$defs", "description"}
)
"""Keywords passed through to a strict schema (plus ``additionalProperties``, set by us)."""

_SCHEMA_MAPS = ("properties", "$defs", "definitions")


def strict_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` (a pydantic JSON schema) that OpenAI's strict mode accepts.

    Objects get ``additionalProperties: false`` and all their properties required (a property
    that was optional becomes ``anyOf [its schema, null]``); ``oneOf`` becomes ``anyOf``; a
    ``allOf`` is inlined; ``$ref`` loses its siblings (strict mode refuses them);
    tuples (``prefixItems``) become arrays of the union of their item types; unsupported keywords
    are dropped. Free-form maps cannot be expressed (see :func:`is_strict_expressible`)."""
    return _strict(copy.deepcopy(schema))


def is_strict_expressible(schema: dict[str, Any]) -> bool:
    """False when ``schema`` has a free-form map (``additionalProperties`` other than false, e.g.
    ``dict[str, int]``): strict mode would force it empty, so the caller should not send it strict."""
    if not isinstance(schema, dict):
        return True
    extra = schema.get("additionalProperties")
    if extra is not None and extra is not False:
        return False
    if schema.get("type") == "object" and "properties" not in schema and extra is None:
        return False  # a bare {"type": "object"} is a free-form map too
    for key, value in schema.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            subschemas = list(value.values())
        elif isinstance(value, dict):
            subschemas = [value]
        elif isinstance(value, list):
            subschemas = value
        else:
            continue
        if not all(is_strict_expressible(sub) for sub in subschemas):
            return False
    return True


def _strict(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if "oneOf" in node and "anyOf" not in node:
        node["anyOf"] = node.pop("oneOf")
    all_of = node.pop("allOf", None)
    if isinstance(all_of, list):  # strict mode has no allOf: its entries are merged (pydantic emits one)
        merged: dict[str, Any] = {}
        for entry in all_of:
            if isinstance(entry, dict):
                merged.update(entry)
        node = {**merged, **node}
    prefix = node.pop("prefixItems", None)
    if isinstance(prefix, list) and prefix and "items" not in node:
        node["items"] = prefix[0] if len(prefix) == 1 else {"anyOf": prefix}
    if "$ref" in node:
        out: dict[str, Any] = {"$ref": node["$ref"]}
        if "$defs" in node:  # a root that is itself a ref keeps its definitions
            out["$defs"] = {name: _strict(sub) for name, sub in node["$defs"].items()}
        return out
    out = {key: value for key, value in node.items() if key in _KEPT}
    if "definitions" in node and "$defs" not in out:
        out["$defs"] = node["definitions"]
    if "$defs" in out:
        out["$defs"] = {name: _strict(sub) for name, sub in out["$defs"].items()}
    if "anyOf" in out:
        out["anyOf"] = [_strict(variant) for variant in out["anyOf"]]
    if isinstance(out.get("items"), dict):
        out["items"] = _strict(out["items"])
    if out.get("type") == "object" or "properties" in out:
        properties: dict[str, Any] = out.get("properties") or {}
        required = set(node.get("required") or ())
        out["properties"] = {
            name: _strict(sub) if name in required else _nullable(_strict(sub))
            for name, sub in properties.items()
        }
        out["required"] = list(properties)
        out["additionalProperties"] = False
        out.setdefault("type", "object")
    return out


def _accepts_null(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    kind = node.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    if "const" in node and node["const"] is None:
        return True
    if None in (node.get("enum") or ()):
        return True
    return any(_accepts_null(variant) for variant in node.get("anyOf") or ())


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    if _accepts_null(node):
        return node
    description = node.pop("description", None)
    wrapped: dict[str, Any] = {"anyOf": [node, {"type": "null"}]}
    if description is not None:
        wrapped["description"] = description
    return wrapped


# --- the answer: nulls the strict schema forced, removed again -----------------------------
def drop_added_nulls(data: Any, schema: dict[str, Any] | None) -> Any:
    """``data`` without the ``null`` values strict mode made the model write for optional fields
    the original ``schema`` does not let be null (pydantic then applies their defaults)."""
    if schema is None:
        return data
    return _drop(data, schema, schema, depth=0)


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
        ref: str = node["$ref"]
        if not ref.startswith("#/"):
            return node
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            return node
        node, seen = target, seen + 1
    return node


def _object_branch(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any] | None:
    """The one object schema ``node`` stands for (itself, or its only object union branch)."""
    if "properties" in node:
        return node
    branches = [_resolve(v, root) for v in node.get("anyOf") or node.get("oneOf") or ()]
    objects = [b for b in branches if isinstance(b, dict) and "properties" in b]
    return objects[0] if len(objects) == 1 else None


def _drop(data: Any, node: Any, root: dict[str, Any], depth: int) -> Any:
    node = _resolve(node, root)
    if depth > 64 or not isinstance(node, dict):
        return data
    if isinstance(data, dict):
        shape = _object_branch(node, root)
        if shape is None:
            return data
        properties: dict[str, Any] = shape.get("properties") or {}
        required = set(shape.get("required") or ())
        cleaned: dict[str, Any] = {}
        for key, value in data.items():
            sub = properties.get(key)
            if (
                value is None
                and sub is not None
                and key not in required
                and not _accepts_null(_resolve(sub, root))
            ):
                continue  # a null strict mode forced: the field's default applies
            cleaned[key] = _drop(value, sub, root, depth + 1) if sub is not None else value
        return cleaned
    if isinstance(data, list):
        items = node.get("items")
        if items is None:
            branches = [_resolve(v, root) for v in node.get("anyOf") or ()]
            arrays = [b for b in branches if isinstance(b, dict) and "items" in b]
            items = arrays[0]["items"] if len(arrays) == 1 else None
        if items is None:
            return data
        return [_drop(value, items, root, depth + 1) for value in data]
    return data
