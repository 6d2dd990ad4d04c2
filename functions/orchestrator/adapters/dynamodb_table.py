"""What every DynamoDB repository does with its table: open it, turn SDK failures into domain
errors, update an item under a condition, and read a partition a page at a time.

``conditional_update`` writes ``SET``/``ADD``/``REMOVE`` from plain dicts: every attribute gets
the placeholders ``#<name>`` and ``:<name>``, the condition brings its own, and a condition that
does not hold becomes the caller's domain outcome (``on_failed``). Updates that compute in the
expression (``#a = #a + :x``, ``list_append``, ``if_not_exists``) are written out where they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from orchestrator.adapters.dynamodb_keys import decode_cursor, encode_cursor
from orchestrator.core.aws_errors import domain_error
from orchestrator.core.constants import PK

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table
else:
    Table = Any

ReturnValues = Literal["ALL_NEW", "UPDATED_NEW"]
_ATTRIBUTE = re.compile(r"[A-Za-z0-9_]+")


def open_table(name: str, resource: Any | None) -> Table:
    if resource is None:
        from orchestrator.adapters.aws_clients import dynamodb_resource

        resource = dynamodb_resource()
    return resource.Table(name)


@contextmanager
def domain_errors(action: str, on_conditional: Callable[[], Exception] | None = None) -> Iterator[None]:
    """Turn SDK failures into domain errors: a failed condition into ``on_conditional()``."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ConditionalCheckFailedException" and on_conditional is not None:
            raise on_conditional() from exc
        raise domain_error(action, exc) from exc
    except BotoCoreError as exc:
        raise domain_error(action, exc) from exc


class ConditionFailed(Exception):
    """The update's condition did not hold: nothing was written."""


@dataclass(frozen=True)
class Condition:
    """A ``ConditionExpression`` with the placeholders it uses."""

    expression: str
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)

    def __and__(self, other: Condition) -> Condition:
        return Condition(
            f"{self.expression} AND {other.expression}",
            _merged(self.names, other.names, "name"),
            _merged(self.values, other.values, "value"),
        )


def exists(attribute: str) -> Condition:
    """The item exists (``attribute``: one of its key attributes)."""
    return Condition(f"attribute_exists(#{_checked(attribute)})", {f"#{attribute}": attribute})


def update_arguments(
    set_fields: Mapping[str, Any] | None = None,
    *,
    add: Mapping[str, Any] | None = None,
    remove: Iterable[str] = (),
    condition: Condition | None = None,
) -> dict[str, Any]:
    """The UpdateItem arguments that set ``set_fields``, add ``add`` (numbers, sets) and remove
    ``remove``, under ``condition``. Placeholders that mean two things are refused."""
    set_fields, add, remove = dict(set_fields or {}), dict(add or {}), list(remove)
    written = [*set_fields, *add, *remove]
    if not written:
        raise ValueError("an update must set, add or remove at least one attribute")
    if len(set(written)) != len(written):
        raise ValueError(f"an attribute is written twice in one update: {sorted(written)}")
    clauses = []
    if set_fields:
        clauses.append("SET " + ", ".join(f"#{name} = :{name}" for name in set_fields))
    if add:
        clauses.append("ADD " + ", ".join(f"#{name} :{name}" for name in add))
    if remove:
        clauses.append("REMOVE " + ", ".join(f"#{name}" for name in remove))
    names = {f"#{_checked(name)}": name for name in written}
    values = {f":{name}": value for name, value in (set_fields | add).items()}
    arguments: dict[str, Any] = {"UpdateExpression": " ".join(clauses)}
    if condition is not None:
        arguments["ConditionExpression"] = condition.expression
        names = _merged(names, condition.names, "name")
        values = _merged(values, condition.values, "value")
    arguments["ExpressionAttributeNames"] = names
    if values:  # DynamoDB refuses an empty map
        arguments["ExpressionAttributeValues"] = values
    return arguments


def conditional_update(
    table: Table,
    key: dict[str, Any],
    *,
    action: str,
    condition: Condition | None,
    set_fields: Mapping[str, Any] | None = None,
    add: Mapping[str, Any] | None = None,
    remove: Iterable[str] = (),
    on_failed: Callable[[], Exception] = ConditionFailed,
    returns: ReturnValues | None = None,
) -> dict[str, Any]:
    """UpdateItem ``key`` (see ``update_arguments``); a condition that does not hold raises
    ``on_failed()``, any other failure the domain error of ``action``. The attributes ``returns``
    asks for (none by default)."""
    arguments = update_arguments(set_fields, add=add, remove=remove, condition=condition)
    if returns is not None:
        arguments["ReturnValues"] = returns
    with domain_errors(action, on_failed if condition is not None else None):
        response = table.update_item(Key=key, **arguments)
    return dict(response.get("Attributes", {}))


def _checked(attribute: str) -> str:
    if not _ATTRIBUTE.fullmatch(attribute):
        raise ValueError(f"attribute {attribute!r} cannot be a placeholder: letters, digits and '_' only")
    return attribute


def _merged(first: Mapping[str, Any], second: Mapping[str, Any], kind: str) -> dict[str, Any]:
    clashes = sorted(p for p in first.keys() & second.keys() if first[p] != second[p])
    if clashes:
        raise ValueError(f"{kind} placeholders {clashes} stand for two different things")
    return {**first, **second}


def query_page(
    table: Table, partition: str, *, limit: int, cursor: str | None, action: str, newest_first: bool = False
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a partition's items in sort key order (``newest_first``: backwards), and the
    cursor of the next page (None: the last); a cursor of another partition is refused."""
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": PK},
        "ExpressionAttributeValues": {":pk": partition},
        "ScanIndexForward": not newest_first,
        "Limit": limit,
    }
    start = decode_cursor(cursor, partition)
    if start:
        kwargs["ExclusiveStartKey"] = start
    with domain_errors(action):
        response = table.query(**kwargs)
    return list(response.get("Items", [])), encode_cursor(response.get("LastEvaluatedKey"))
