"""DynamoDB items held as their JSON text between requests (``infra/local/packed_items.py``): the
emulation answers every request byte for byte as moto does with its own items, and an item at rest
holds a fraction of the memory."""

from __future__ import annotations

import json
import tracemalloc
from typing import Any

import pytest
import requests

from infra.local import packed_items
from infra.local.backend_state import capture_tables
from infra.local.moto_adapters import _original
from tests.local_cloud.emulation import REGION, Emulation

ACCOUNT = "123456789012"
TABLE = "packed-items"
AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host;x-amz-date;x-amz-target, Signature=0"
)

NESTED = {
    "M": {
        "steps": {"L": [{"M": {"name": {"S": "plan"}, "tokens": {"N": "120"}}}, {"S": "écrit ✓"}]},
        "flags": {"M": {"done": {"BOOL": True}, "none": {"NULL": True}}},
        "empty": {"M": {}},
    }
}
ITEMS: list[dict[str, Any]] = [
    {
        "pk": {"S": "acme"},
        "sk": {"S": "run#1"},
        "status": {"S": "RUNNING"},
        "count": {"N": "3"},
        "price": {"N": "0.0025"},
        "detail": NESTED,
        "tags": {"SS": ["b", "a"]},
        "sizes": {"NS": ["2", "10.5"]},
        "history": {"L": [{"N": "1"}, {"L": []}, {"S": ""}]},
        "quote": {"S": 'a "quoted" \\ line\nand a tab\t and \u0000'},
    },
    {"pk": {"S": "acme"}, "sk": {"S": "run#2"}, "status": {"S": "SUCCEEDED"}, "count": {"N": "7"}},
    {"pk": {"S": "acme"}, "sk": {"S": "run#3"}, "status": {"S": "FAILED"}, "blob": {"B": "aGVsbG8="}},
    {"pk": {"S": "globex"}, "sk": {"S": "run#1"}, "status": {"S": "RUNNING"}, "ok": {"BOOL": False}},
]
KEY_ONE = {"pk": {"S": "acme"}, "sk": {"S": "run#1"}}


def _requests() -> list[tuple[str, dict[str, Any]]]:
    """Every item operation the application uses, and more: (operation, request body)."""
    table = {"TableName": TABLE}
    calls: list[tuple[str, dict[str, Any]]] = [("PutItem", table | {"Item": item}) for item in ITEMS]
    calls += [
        ("GetItem", table | {"Key": KEY_ONE}),
        (
            "GetItem",
            table
            | {
                "Key": KEY_ONE,
                "ProjectionExpression": "detail.steps[0].#n, tags",
                "ExpressionAttributeNames": {"#n": "name"},
            },
        ),
        ("GetItem", table | {"Key": {"pk": {"S": "acme"}, "sk": {"S": "run#3"}}}),
        (
            "Query",
            table | {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "acme"}}},
        ),
        (
            "Query",
            table
            | {
                "KeyConditionExpression": "pk = :p AND begins_with(sk, :r)",
                "FilterExpression": "#s <> :s",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {
                    ":p": {"S": "acme"},
                    ":r": {"S": "run#"},
                    ":s": {"S": "FAILED"},
                },
                "ScanIndexForward": False,
                "Limit": 2,
            },
        ),
        (
            "Query",
            table
            | {
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": "acme"}},
                "ExclusiveStartKey": KEY_ONE,
                "Select": "COUNT",
            },
        ),
        (
            "UpdateItem",
            table
            | {
                "Key": KEY_ONE,
                "UpdateExpression": "SET detail.flags.done = :f, history = list_append(history, :h), "
                "#s = :s ADD #c :one, tags :t REMOVE price",
                "ExpressionAttributeNames": {"#s": "status", "#c": "count"},
                "ExpressionAttributeValues": {
                    ":f": {"BOOL": False},
                    ":h": {"L": [{"S": "more"}]},
                    ":s": {"S": "SUCCEEDED"},
                    ":one": {"N": "1"},
                    ":t": {"SS": ["c"]},
                },
                "ReturnValues": "ALL_NEW",
            },
        ),
        (
            "UpdateItem",
            table
            | {
                "Key": {"pk": {"S": "acme"}, "sk": {"S": "run#2"}},
                "UpdateExpression": "SET note = :n",
                "ConditionExpression": "#s = :r",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":n": {"S": "x"}, ":r": {"S": "RUNNING"}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            },
        ),
        (
            "UpdateItem",
            table
            | {
                "Key": {"pk": {"S": "acme"}, "sk": {"S": "run#2"}},
                "UpdateExpression": "SET note = :n",
                "ExpressionAttributeValues": {":n": {"M": {"a": {"S": "b"}}}},
                "ReturnValues": "UPDATED_OLD",
            },
        ),
        (
            "TransactWriteItems",
            {
                "TransactItems": [
                    {
                        "Put": table
                        | {
                            "Item": {"pk": {"S": "acme"}, "sk": {"S": "run#4"}, "status": {"S": "RUNNING"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": table
                        | {
                            "Key": KEY_ONE,
                            "UpdateExpression": "SET detail.#e.k = :v",
                            "ExpressionAttributeNames": {"#e": "empty"},
                            "ExpressionAttributeValues": {":v": {"N": "1"}},
                        }
                    },
                ]
            },
        ),
        (
            "TransactWriteItems",
            {
                "TransactItems": [
                    {
                        "Update": table
                        | {
                            "Key": KEY_ONE,
                            "UpdateExpression": "SET #s = :s",
                            "ConditionExpression": "#s = :r",
                            "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": {":s": {"S": "X"}, ":r": {"S": "RUNNING"}},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                ]
            },
        ),
        (
            "PutItem",
            table
            | {
                "Item": {"pk": {"S": "acme"}, "sk": {"S": "run#2"}, "status": {"S": "REPLACED"}},
                "ReturnValues": "ALL_OLD",
            },
        ),
        (
            "BatchGetItem",
            {"RequestItems": {TABLE: {"Keys": [KEY_ONE, {"pk": {"S": "globex"}, "sk": {"S": "run#1"}}]}}},
        ),
        ("Scan", table | {"FilterExpression": "attribute_exists(detail)"}),
        (
            "DeleteItem",
            table | {"Key": {"pk": {"S": "globex"}, "sk": {"S": "run#1"}}, "ReturnValues": "ALL_OLD"},
        ),
        ("Scan", table),
    ]
    return calls


def _answers(emulation: Emulation) -> list[tuple[int, bytes]]:
    """Each request of ``_requests`` against a new table, and its answer: (status, body)."""
    dynamodb = emulation.client("dynamodb")
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    answers = []
    for operation, body in _requests():
        answer = requests.post(
            emulation.endpoint,
            data=json.dumps(body),
            headers={
                "X-Amz-Target": f"DynamoDB_20120810.{operation}",
                "Content-Type": "application/x-amz-json-1.0",
                "Authorization": AUTHORIZATION,
            },
            timeout=30,
        )
        answers.append((answer.status_code, answer.content))
    return answers


def _table() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT][REGION].tables[TABLE]


def test_every_answer_is_moto_s_own_byte_for_byte(
    emulation: Emulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.responses import DynamoHandler

    # Given the answers with items packed between requests, and the tables as the state saver reads them
    packed = _answers(emulation)
    saved = capture_tables(ACCOUNT, REGION)[TABLE]
    kinds = sorted(type(item).__name__ for item in _table().all_items())
    emulation.client("dynamodb").delete_table(TableName=TABLE)

    # When the same requests are answered by moto's own items
    monkeypatch.setattr(Item, "__init__", _original(Item, "__init__"))
    monkeypatch.setattr(Item, "__deepcopy__", _original(Item, "__deepcopy__"))
    monkeypatch.setattr(DynamoHandler, "call_action", _original(DynamoHandler, "call_action"))
    own = _answers(emulation)
    own_saved = capture_tables(ACCOUNT, REGION)[TABLE]
    emulation.client("dynamodb").delete_table(TableName=TABLE)

    # Then every answer and the saved state are the same, and the items were packed (but the binary one)
    assert [status for status, _ in packed] == [status for status, _ in own]
    assert {status for status, _ in own} == {200, 400}  # the failed conditions among them
    for index, ((_, ours), (_, theirs)) in enumerate(zip(packed, own, strict=True)):
        assert ours == theirs, (_requests()[index][0], ours, theirs)
    assert saved == own_saved
    assert kinds == ["Item", "PackedItem", "PackedItem", "PackedItem"]


def test_an_item_at_rest_is_its_text_and_is_moto_s_item_again_when_read(emulation: Emulation) -> None:
    answers = _answers(emulation)
    try:
        assert all(status in (200, 400) for status, _ in answers)
        item = _table().get_item(_dynamo(KEY_ONE["pk"]), _dynamo(KEY_ONE["sk"]))

        # An item no request uses holds its attributes as text
        assert type(item).__name__ == "PackedItem" and "attrs" not in vars(item)
        text = vars(item)["_packed"]
        assert json.loads(text)["detail"]["M"]["flags"]["M"]["done"] == {"BOOL": False}

        # Read outside a request, it is moto's Item with the same attributes (and packed again later)
        attrs = item.attrs
        assert type(item).__name__ == "Item" and attrs["detail"].value["empty"].value["k"].value == "1"
        assert packed_items.encode(attrs) == text
        assert packed_items.pack_touched() >= 1 and type(item).__name__ == "PackedItem"
    finally:
        emulation.client("dynamodb").delete_table(TableName=TABLE)


def _dynamo(value: dict[str, Any]) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType(value)


def test_items_at_rest_hold_a_fraction_of_moto_s_memory() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    def step_result(index: int) -> dict[str, Any]:  # shaped as a run's step result
        fields = {f"field_{n}": {"S": f"value {index} {n} " * 3} for n in range(15)}
        return fields | {
            "pk": {"S": f"tenant#run-{index}"},
            "sk": {"S": f"step#{index}"},
            "output": {
                "M": {"summary": {"S": "x" * 200}, "items": {"L": [{"N": str(n)} for n in range(10)]}}
            },
        }

    def held(pack: bool) -> int:
        tracemalloc.start()
        items = [
            Item(DynamoType(attrs["pk"]), DynamoType(attrs["sk"]), attrs)
            for attrs in (step_result(index) for index in range(200))
        ]
        if pack:
            assert all(packed_items.pack(item) for item in items)
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        return size

    moto_s, packed = held(False), held(True)

    assert packed < moto_s / 3, (packed, moto_s)
