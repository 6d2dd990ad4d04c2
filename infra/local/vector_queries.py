"""S3 Vectors' ``QueryVectors`` semantics, for the local cloud's emulation and the tests' in-memory store.

Exact nearest neighbours by the index's distance metric (cosine: 1 - cosine similarity;
euclidean: the Euclidean distance), computed in float32 as the service does, ascending, at most
``topK``, after the metadata ``filter``. A bad ``topK``, vector or filter raises
``InvalidVectorQuery`` (the service's ``ValidationException``). ``moto_adapters.answer_vector_queries``
serves this through moto's S3 Vectors; ``tests/unit/fake_vector_store.py`` reads filters and
distances with the same functions, so both mean the same.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from typing import Any

MAX_TOP_K = 100  # the service's limit of results per query
FILTER_COMPARISONS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists")
FILTER_LOGICAL = ("$and", "$or")
Metadata = dict[str, Any]


class InvalidVectorQuery(ValueError):
    """A query S3 Vectors refuses (a ValidationException)."""


def parse_query_vector(value: Any, query_texts: Any) -> list[float]:
    if query_texts:
        raise InvalidVectorQuery("queryTexts needs a vector index in ENHANCED mode")
    data = value.get("float32") if isinstance(value, dict) else None
    if not isinstance(data, list) or not data:
        raise InvalidVectorQuery("queryVector must hold float32 data")
    if not all(_is_number(x) for x in data):
        raise InvalidVectorQuery("queryVector must hold numbers only")
    vector = list(array("f", data))  # the service computes in float32
    if not all(math.isfinite(x) for x in vector):
        raise InvalidVectorQuery("Invalid query vector: values must be finite float32 numbers")
    return vector


def parse_top_k(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_TOP_K:
        raise InvalidVectorQuery(
            f"1 validation error detected. Value at '/topK' failed to satisfy constraint: "
            f"Member must be between 1 and {MAX_TOP_K}, inclusive"
        )
    return value


def nearest(
    index: Any,
    query: list[float],
    top_k: int,
    matches: Callable[[Metadata], bool],
    *,
    return_metadata: bool,
    return_distance: bool,
) -> list[dict[str, Any]]:
    scored = []
    for vector in list(index.vectors.values()):
        metadata = vector.metadata if isinstance(vector.metadata, dict) else {}
        if matches(metadata):
            stored = list(array("f", vector.data[index.data_type]))
            scored.append((vector_distance(index.distance_metric, query, stored), vector.key, metadata))
    scored.sort(key=lambda item: item[0])
    found = []
    for value, key, metadata in scored[:top_k]:
        match: dict[str, Any] = {"key": key}
        if return_distance:
            match["distance"] = value
        if return_metadata:
            match["metadata"] = metadata
        found.append(match)
    return found


def vector_distance(metric: str, a: list[float], b: list[float]) -> float:
    """The distance S3 Vectors reports, as a float32 value (also used by the tests' in-memory store)."""
    distance = _cosine_distance(a, b) if metric == "cosine" else _euclidean_distance(a, b)
    return array("f", [distance])[0]


def _cosine_distance(a: list[float], b: list[float]) -> float:
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    if norms == 0:
        return 1.0  # a stored zero vector is similar to nothing
    return max(0.0, 1.0 - sum(x * y for x, y in zip(a, b, strict=True)) / norms)


def _euclidean_distance(a: list[float], b: list[float]) -> float:
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)))


def metadata_filter(node: Any) -> Callable[[Metadata], bool]:
    """The metadata filter as a predicate; an invalid filter raises ``InvalidVectorQuery``
    (also used by the tests' in-memory store, so both read a filter the same way).

    ``{"key": value}`` is ``$eq``; several keys or operators in one object must all hold;
    ``$and``/``$or`` take a non-empty list of filters. Against a list value, a comparison holds
    when it holds for one element; ``$ne`` and ``$nin`` also hold when the key is absent.
    """
    if node is None:
        return lambda metadata: True
    if not isinstance(node, dict) or not node:
        raise InvalidVectorQuery("Invalid query filter: a filter must be a non-empty object")
    tests: list[Callable[[Metadata], bool]] = []
    for key, value in node.items():
        if key in FILTER_LOGICAL:
            if not isinstance(value, list) or not value:
                raise InvalidVectorQuery(f"Invalid query filter: {key} takes a non-empty array of filters")
            tests.append(_logical(key, [metadata_filter(part) for part in value]))
        elif key.startswith("$"):
            raise InvalidVectorQuery(f"Invalid query filter: unsupported operator {key}")
        else:
            tests.append(_field_test(key, value))
    return lambda metadata: all(test(metadata) for test in tests)


def _logical(operator: str, parts: list[Callable[[Metadata], bool]]) -> Callable[[Metadata], bool]:
    if operator == "$and":
        return lambda metadata: all(part(metadata) for part in parts)
    return lambda metadata: any(part(metadata) for part in parts)


def _field_test(key: str, condition: Any) -> Callable[[Metadata], bool]:
    if _is_primitive(condition):
        condition = {"$eq": condition}
    if not isinstance(condition, dict) or not condition:
        raise InvalidVectorQuery(f"Invalid query filter for {key!r}: expected a value or an operator object")
    checks: list[Callable[[bool, list[Any]], bool]] = []
    for operator, argument in condition.items():
        if operator not in FILTER_COMPARISONS:
            raise InvalidVectorQuery(f"Invalid query filter for {key!r}: unsupported operator {operator}")
        checks.append(_comparison(key, operator, argument))

    def test(metadata: Metadata) -> bool:
        present = key in metadata
        value = metadata.get(key)
        values = value if isinstance(value, list) else [value]
        return all(check(present, values) for check in checks)

    return test


def _comparison(key: str, operator: str, argument: Any) -> Callable[[bool, list[Any]], bool]:
    def refuse(expected: str) -> InvalidVectorQuery:
        return InvalidVectorQuery(f"Invalid query filter for {key!r}: {operator} takes {expected}")

    if operator in ("$eq", "$ne"):
        if not _is_primitive(argument):
            raise refuse("a string, number or boolean")
        if operator == "$eq":
            return lambda present, values: present and any(_same(v, argument) for v in values)
        return lambda present, values: not present or not any(_same(v, argument) for v in values)
    if operator in ("$gt", "$gte", "$lt", "$lte"):
        if not _is_number(argument):
            raise refuse("a number")
        holds: Callable[[float], bool] = {
            "$gt": lambda v: v > argument,
            "$gte": lambda v: v >= argument,
            "$lt": lambda v: v < argument,
            "$lte": lambda v: v <= argument,
        }[operator]
        return lambda present, values: present and any(_is_number(v) and holds(v) for v in values)
    if operator in ("$in", "$nin"):
        if not isinstance(argument, list) or not argument or not all(_is_primitive(a) for a in argument):
            raise refuse("a non-empty array of strings, numbers or booleans")

        def listed(values: list[Any]) -> bool:
            return any(_same(v, a) for v in values for a in argument)

        if operator == "$in":
            return lambda present, values: present and listed(values)
        return lambda present, values: not present or not listed(values)
    if not isinstance(argument, bool):  # $exists
        raise refuse("a boolean")
    return lambda present, values: present is argument


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_primitive(value: Any) -> bool:
    return isinstance(value, str | bool) or _is_number(value)


def _same(value: Any, argument: Any) -> bool:
    if isinstance(value, bool) or isinstance(argument, bool):
        return isinstance(value, bool) and isinstance(argument, bool) and value is argument
    if _is_number(value) and _is_number(argument):
        return bool(value == argument)
    return isinstance(value, str) and value == argument
