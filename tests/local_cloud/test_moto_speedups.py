"""The emulation's CPU savings (``infra/local/moto_speedups.py``) give moto's own answers and leave
the tables as moto would."""

from __future__ import annotations

import contextlib
import datetime
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.local import moto_adapters
from tests.local_cloud.emulation import Emulation


def _tables(emulation: Emulation, name: str, *, with_range: bool, items: int) -> Any:
    ddb = emulation.client("dynamodb")
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attributes = [{"AttributeName": "pk", "AttributeType": "S"}]
    if with_range:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attributes.append({"AttributeName": "sk", "AttributeType": "S"})
    ddb.create_table(
        TableName=name, KeySchema=keys, AttributeDefinitions=attributes, BillingMode="PAY_PER_REQUEST"
    )
    table = emulation.session.resource("dynamodb", endpoint_url=emulation.endpoint).Table(name)
    with table.batch_writer() as batch:
        for i in range(items):
            batch.put_item(
                Item={"pk": f"p{i % 7}", "sk": f"{i:04}", "n": i} if with_range else {"pk": f"p{i}", "n": i}
            )
    return ddb


def _state(name: str) -> tuple[list[str], list[Any]]:
    """A table as the backend holds it: its partitions, and every item (sorted)."""
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends["123456789012"]["us-east-1"].tables[name]
    partitions = sorted(str(key.value) for key in table.items)
    items = sorted(json.dumps(item.to_json(), sort_keys=True, default=repr) for item in table.all_items())
    return partitions, items


def test_a_failing_transaction_leaves_every_table_as_it_was(emulation: Emulation) -> None:
    # Given two tables (one with a sort key) holding items
    ddb = _tables(emulation, "speedups-runs", with_range=False, items=30)
    _tables(emulation, "speedups-steps", with_range=True, items=30)
    before = _state("speedups-runs"), _state("speedups-steps")
    put_new = {"Put": {"TableName": "speedups-runs", "Item": {"pk": {"S": "new"}, "n": {"N": "1"}}}}
    update = {
        "Update": {
            "TableName": "speedups-steps",
            "Key": {"pk": {"S": "p1"}, "sk": {"S": "0001"}},
            "UpdateExpression": "SET n = :n, extra = :n",
            "ExpressionAttributeValues": {":n": {"N": "99"}},
        }
    }
    delete = {"Delete": {"TableName": "speedups-runs", "Key": {"pk": {"S": "p3"}}}}
    new_partition = {"Put": {"TableName": "speedups-steps", "Item": {"pk": {"S": "fresh"}, "sk": {"S": "0"}}}}
    failing_check = {
        "ConditionCheck": {
            "TableName": "speedups-runs",
            "Key": {"pk": {"S": "p4"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    # When a transaction writing each of them fails on its last condition
    with pytest.raises(ClientError) as failed:
        ddb.transact_write_items(TransactItems=[put_new, update, delete, new_partition, failing_check])
    assert failed.value.response["Error"]["Code"] == "TransactionCanceledException"
    # Then both tables are exactly as before (no item, no partition added or removed)
    assert (_state("speedups-runs"), _state("speedups-steps")) == before
    # And a transaction naming one item twice is refused, the tables as before
    with pytest.raises(ClientError) as refused:
        ddb.transact_write_items(TransactItems=[put_new, update, delete, delete])
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert (_state("speedups-runs"), _state("speedups-steps")) == before
    # And the same writes without the failing check all apply
    ddb.transact_write_items(TransactItems=[put_new, update, delete, new_partition])
    runs = {item["pk"]["S"] for item in ddb.scan(TableName="speedups-runs")["Items"]}
    assert "new" in runs and "p3" not in runs and len(runs) == 30
    step = ddb.get_item(TableName="speedups-steps", Key=update["Update"]["Key"])["Item"]
    assert step["extra"] == {"N": "99"}


def test_a_transaction_copies_the_items_it_names_not_its_tables(
    emulation: Emulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodb.models.dynamo_type import Item

    # Given a table of 400 items, and every copy moto makes of an item counted
    ddb = _tables(emulation, "speedups-big", with_range=False, items=400)
    copies = [0]
    deepcopy = Item.__deepcopy__

    def counted(self: Any, memo: dict[int, Any]) -> Any:
        copies[0] += 1
        return deepcopy(self, memo)

    monkeypatch.setattr(Item, "__deepcopy__", counted)
    # When a transaction writes two of its items
    ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "speedups-big", "Item": {"pk": {"S": "p1"}, "n": {"N": "-1"}}}},
            {
                "Update": {
                    "TableName": "speedups-big",
                    "Key": {"pk": {"S": "p2"}},
                    "UpdateExpression": "SET n = :n",
                    "ExpressionAttributeValues": {":n": {"N": "-2"}},
                }
            },
        ]
    )
    # Then only those items were copied (moto copied all 400), and both writes applied
    assert copies[0] <= 6
    got = ddb.get_item(TableName="speedups-big", Key={"pk": {"S": "p2"}})["Item"]
    assert got["n"] == {"N": "-2"}


ATTRIBUTES: dict[str, Any] = {
    "pk": {"S": "run#1"},
    "n": {"N": "12.5"},
    "blob": {"B": b"\x00\x01binary"},
    "flag": {"BOOL": False},
    "nothing": {"NULL": True},
    "tags": {"SS": ["a", "b"]},
    "sizes": {"NS": ["1", "2"]},
    "blobs": {"BS": [b"x", b"y"]},
    "nested": {"M": {"inner": {"L": [{"S": "deep"}, {"N": "0"}, {"M": {}}]}, "empty": {"L": []}}},
    "text": {"S": ""},
}


def _serialized(service: str, operation: str, result: Any, own: bool) -> str:
    from moto.core import serialize
    from moto.core.utils import get_service_model

    operation_model = get_service_model(service).operation_model(operation)
    base = serialize.get_serializer_class(service, get_service_model(service).protocol)
    own_methods = {"get_value": moto_adapters._original(serialize.ResponseSerializer, "get_value")}
    if issubclass(base, serialize.BaseJSONSerializer):
        own_methods["_serialize_type_structure"] = moto_adapters._original(
            serialize.BaseJSONSerializer, "_serialize_type_structure"
        )
    cls = type("MotoOwn", (base,), own_methods)
    serializer = (cls if own else base)(
        operation_model=operation_model, value_picker=serialize.XFormedAttributePicker()
    )
    return str(serializer.serialize(result)["body"])


class _Model:
    """A backend object (not a dict): moto's own lookup serves it."""

    def __init__(self) -> None:
        self.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:m:e"
        self.start_date = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
        self.status = "RUNNING"


@pytest.mark.parametrize(
    ("service", "operation", "result"),
    [
        (
            "dynamodb",
            "Query",
            {
                "Items": [ATTRIBUTES, {"pk": {"S": "run#2"}}],
                "Count": 2,
                "ScannedCount": "3",
                "LastEvaluatedKey": {"pk": {"S": "run#2"}},
                "ConsumedCapacity": {"TableName": "runs", "CapacityUnits": 0.5},
                "NotInTheShape": 1,
            },
        ),
        ("dynamodb", "GetItem", {"Item": ATTRIBUTES}),
        ("dynamodb", "GetItem", {}),
        # what only moto's own serializer writes: no value, two members, another spelling,
        # a number that is not text, a nested value that is none of these
        ("dynamodb", "GetItem", {"Item": {"a": None, "b": {"S": "x", "N": "1"}, "c": {"s": "x"}}}),
        ("dynamodb", "GetItem", {"Item": {"n": {"N": 12}, "m": {"M": {"x": {"S": "y"}, "z": None}}}}),
        ("dynamodb", "GetItem", {"Item": {"l": {"L": [{"BOOL": True}, None, {"NULL": True}]}}}),
        ("dynamodb", "GetItem", {"Item": {"ss": {"SS": ["a", 1]}, "bs": {"BS": ["text", b"bytes"]}}}),
        ("dynamodb", "UpdateItem", {"Attributes": ATTRIBUTES, "consumed_capacity": {"table_name": "t"}}),
        (
            "dynamodb",
            "TransactWriteItems",
            {"ItemCollectionMetrics": {"t": [{"SizeEstimateRangeGB": [0, 1]}]}},
        ),
        ("events", "PutEvents", {"FailedEntryCount": 0, "Entries": [{"EventId": "1"}, {"ErrorCode": "x"}]}),
        ("stepfunctions", "DescribeExecution", _Model()),
        (
            "stepfunctions",
            "StartExecution",
            {"executionArn": "arn", "startDate": datetime.datetime(2026, 1, 1)},
        ),
        ("sqs", "ReceiveMessage", {"Messages": [{"MessageId": "m", "Body": "b", "Attributes": {"A": "1"}}]}),
    ],
)
def test_answers_are_serialized_as_moto_serializes_them(
    emulation: Emulation, service: str, operation: str, result: Any
) -> None:
    # Given the cached lookup installed (the emulation's), when a result is serialized twice,
    # then the body is moto's own, byte for byte
    assert _serialized(service, operation, result, own=False) == _serialized(
        service, operation, result, own=True
    )


def test_handler_methods_and_names_are_moto_s_own(emulation: Emulation) -> None:
    from moto.core import responses
    from moto.dynamodb.responses import DynamoHandler
    from moto.sqs import models as sqs_models

    # Given the kept lists, when a handler's methods are listed, then they are moto's list
    own = moto_adapters._original(responses, "method_names_from_class")
    assert responses.method_names_from_class(DynamoHandler) == own(DynamoHandler)

    class Handler:
        def first(self) -> None: ...

    assert responses.method_names_from_class(Handler) == ["first"]
    # And a method an adaptation adds is listed from then on
    moto_adapters._add(Handler, "second", lambda self: None)
    try:
        assert responses.method_names_from_class(Handler) == ["first", "second"]
    finally:
        del moto_adapters._originals["Handler.second"]
        delattr(Handler, "second")
    # And every converted name is moto's conversion
    convert = moto_adapters._original(sqs_models, "camelcase_to_underscores")
    for name in ("ApproximateNumberOfMessagesNotVisible", "FifoQueue", "KmsMasterKeyId", "QueueArn", ""):
        assert sqs_models.camelcase_to_underscores(name) == convert(name)
        assert responses.camelcase_to_underscores(name) == convert(name)


@pytest.mark.parametrize(
    "body",
    [
        '{"Items": [{"RequestId": {"S": "<not xml>"}}]}',
        "<ReceiveMessageResponse><ResponseMetadata><RequestId>old</RequestId></ResponseMetadata>"
        "</ReceiveMessageResponse>",
        b"\x00bytes",
        "",
    ],
)
def test_request_ids_go_where_moto_puts_them(emulation: Emulation, body: Any) -> None:
    from moto.core import responses

    own = moto_adapters._original(responses.BaseResponse, "_enrich_response")
    # When an answer is finished by the adaptation and by moto
    headers, finished = responses.BaseResponse._enrich_response({"status": 200}, body)
    own_headers, own_finished = own({"status": 200}, body)
    # Then both set a request id and the status as text, and only an XML body carries its id
    assert headers.keys() == own_headers.keys() and headers["status"] == own_headers["status"] == "200"
    request_id, own_id = headers["x-amzn-requestid"], own_headers["x-amzn-requestid"]
    assert len(request_id) == len(own_id) == 52
    assert finished == own_finished.replace(own_id, request_id) if isinstance(body, str) else finished == body
    if isinstance(body, str) and "<RequestId>" in body:
        assert f"<RequestId>{request_id}</RequestId>" in finished


def test_update_expressions_apply_as_dynamodb_applies_them(emulation: Emulation) -> None:
    from moto.dynamodb.parsing import validators

    # Given every expression walker's node kinds, listed once: they are the walker's own
    walkers = [
        walker
        for walker in vars(validators).values()
        if isinstance(walker, type)
        and issubclass(walker, validators.DepthFirstTraverser)
        and walker is not validators.DepthFirstTraverser
    ]
    assert len(walkers) >= 8
    for walker in walkers:
        instance = walker.__new__(walker)
        assert instance.nodes_to_be_processed() == tuple(instance._processing_map())
    # When an item is updated with SET, ADD, REMOVE and functions, again and again
    ddb = _tables(emulation, "speedups-updates", with_range=False, items=0)
    key = {"pk": {"S": "run"}}
    for round_ in range(3):
        ddb.update_item(
            TableName="speedups-updates",
            Key=key,
            UpdateExpression="SET #s = :s, created = if_not_exists(created, :now), "
            "events = list_append(if_not_exists(events, :empty), :event) ADD attempts :one REMOVE gone",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":s": {"S": f"round {round_}"},
                ":now": {"N": str(round_)},
                ":empty": {"L": []},
                ":event": {"L": [{"S": f"e{round_}"}]},
                ":one": {"N": "1"},
            },
        )
        ddb.update_item(
            TableName="speedups-updates",
            Key=key,
            UpdateExpression="SET gone = :g",
            ExpressionAttributeValues={":g": {"BOOL": True}},
        )
    # Then the item is what DynamoDB makes of them
    item = ddb.get_item(TableName="speedups-updates", Key=key)["Item"]
    assert item == {
        "pk": {"S": "run"},
        "status": {"S": "round 2"},
        "created": {"N": "0"},
        "events": {"L": [{"S": "e0"}, {"S": "e1"}, {"S": "e2"}]},
        "attempts": {"N": "3"},
        "gone": {"BOOL": True},
    }
    # And an expression that does not parse is refused each time
    for _ in range(2):
        with pytest.raises(ClientError) as unparsed:
            ddb.update_item(TableName="speedups-updates", Key=key, UpdateExpression="SET = :v")
        assert unparsed.value.response["Error"]["Code"] == "ValidationException"
    # And an expression that sets the key is refused as DynamoDB refuses it
    with pytest.raises(ClientError) as refused:
        ddb.update_item(
            TableName="speedups-updates",
            Key=key,
            UpdateExpression="SET pk = :v",
            ExpressionAttributeValues={":v": {"S": "other"}},
        )
    assert refused.value.response["Error"]["Code"] == "ValidationException"


UPDATES: list[dict[str, Any]] = [
    {
        "UpdateExpression": "SET #s = :s, created = if_not_exists(created, :now), "
        "events = list_append(if_not_exists(events, :empty), :event), m.inner = :s ADD attempts :one",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {
            ":s": {"S": "running"},
            ":now": {"N": "1"},
            ":empty": {"L": []},
            ":event": {"L": [{"S": "e"}]},
            ":one": {"N": "1"},
        },
    },
    {"UpdateExpression": "SET m = :m", "ExpressionAttributeValues": {":m": {"M": {"inner": {"S": "x"}}}}},
    {"UpdateExpression": "SET m.inner = :v REMOVE gone", "ExpressionAttributeValues": {":v": {"N": "2"}}},
    # refused: a key attribute, the same path twice, overlapping paths, two SET clauses, a name
    # the expression does not define, a missing value, a type mismatch
    {
        "UpdateExpression": "SET #k = :v",
        "ExpressionAttributeNames": {"#k": "pk"},
        "ExpressionAttributeValues": {":v": {"S": "x"}},
    },
    {"UpdateExpression": "SET a = :v, a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
    {"UpdateExpression": "SET m = :v, m.inner = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
    {"UpdateExpression": "SET a = :v SET b = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
    {"UpdateExpression": "SET #missing = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
    {"UpdateExpression": "SET a = :nothing", "ExpressionAttributeValues": {":v": {"S": "x"}}},
    {
        "UpdateExpression": "ADD #s :one",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    },
    # the same expression with other names: one that sets the key, then one that does not
    {
        "UpdateExpression": "SET #k = :v",
        "ExpressionAttributeNames": {"#k": "other"},
        "ExpressionAttributeValues": {":v": {"S": "x"}},
    },
]


def _apply_updates(ddb: Any, table: str) -> list[Any]:
    """Each update applied twice to a new item and to an existing one: the answer or the error,
    then the items."""
    outcomes: list[Any] = []
    for round_ in range(2):
        for index, update in enumerate(UPDATES):
            for key in ({"pk": {"S": f"new-{round_}-{index}"}}, {"pk": {"S": "kept"}}):
                try:
                    answer = ddb.update_item(TableName=table, Key=key, ReturnValues="ALL_NEW", **update)
                    outcomes.append(answer["Attributes"])
                except ClientError as error:
                    outcomes.append((error.response["Error"]["Code"], error.response["Error"]["Message"]))
    outcomes.append(sorted(json.dumps(i, sort_keys=True) for i in ddb.scan(TableName=table)["Items"]))
    return outcomes


def test_update_expressions_are_checked_and_applied_as_moto_checks_and_applies_them(
    emulation: Emulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodb.parsing import ast_nodes, validators

    # Given the same updates (applied and refused ones) applied with the kept checks, copies and
    # node kinds
    ddb = _tables(emulation, "speedups-checked", with_range=False, items=0)
    ours = _apply_updates(ddb, "speedups-checked")
    # When they are applied again by moto's own validator and walkers, on a table of their own
    for owner, name in (
        (validators, "deepcopy"),
        (validators.UpdateExpressionValidator, "__init__"),
        (validators.UpdateExpressionValidator, "validate"),
        (ast_nodes.DepthFirstTraverser, "traverse_node_recursively"),
        (ast_nodes.DepthFirstTraverser, "process"),
        (ast_nodes.DepthFirstTraverser, "nodes_to_be_processed"),
    ):
        monkeypatch.setattr(owner, name, moto_adapters._original(owner, name))
    _tables(emulation, "speedups-unchecked", with_range=False, items=0)
    own = _apply_updates(ddb, "speedups-unchecked")
    # Then every answer, every error and every item is the same
    assert ours == own
    assert sum(isinstance(o, tuple) for o in ours) >= 28  # the refusals were tried, each time


def test_update_expression_trees_are_copied_as_deepcopy_copies_them(emulation: Emulation) -> None:
    import copy

    from moto.dynamodb.parsing import validators
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

    def shape(node: Any, seen: dict[int, int]) -> Any:
        if id(node) in seen:
            return ("seen", seen[id(node)])
        seen[id(node)] = len(seen)
        if isinstance(node, list):
            return [shape(n, seen) for n in node]
        if hasattr(node, "__dict__"):
            return (type(node).__name__, {k: shape(v, seen) for k, v in sorted(vars(node).items())})
        return node

    # Given the trees of the updates' expressions (those that parse)
    trees = []
    for update in UPDATES:
        with contextlib.suppress(Exception):
            trees.append(UpdateExpressionParser.make(update["UpdateExpression"]))
    assert len(trees) >= 10
    for tree in trees:
        # When one is copied for a validation, twice, then each copy is a new tree, node for node
        # (class, attributes, parent links) what moto's deepcopy makes
        first, second = validators.deepcopy(tree), validators.deepcopy(tree)
        assert first is not tree and second is not first and first.children[0] is not tree.children[0]
        assert shape(first, {}) == shape(second, {}) == shape(copy.deepcopy(tree), {})


def test_values_are_sized_as_moto_sizes_them(emulation: Emulation) -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    own = moto_adapters._original(DynamoType, "size")
    # Given values of every type, nested ones, and some only moto's own walk sizes
    unusual_list = DynamoType({"L": []})
    unusual_list.value = [{"S": "raw dict"}, DynamoType({"N": "1"})]
    unusual_map = DynamoType({"M": {}})
    unusual_map.value = {"k": DynamoType({"L": [{"S": "é"}]}), b"bytes key": DynamoType({"BOOL": True})}
    values = [DynamoType(value) for value in ATTRIBUTES.values()] + [
        DynamoType({"S": "ünïcode €"}),
        DynamoType({"N": "-12.50e3"}),
        DynamoType({"SS": ["é", "bb"]}),
        DynamoType({"BS": [b"\x00", "YmFzZTY0"]}),
        DynamoType({"M": {"é": {"L": [{"M": {"x": {"NS": ["1", "22"]}}}, {"NULL": True}]}}}),
        unusual_list,
        unusual_map,
    ]
    broken = [DynamoType({"S": 12}), DynamoType({"M": {"k": {"S": None}}})]

    def outcome(size: Any, value: Any) -> Any:
        try:
            return size(value)
        except Exception as error:  # what moto refuses to size is refused the same way
            return type(error), str(error)

    # Then each is the size moto gives it (or moto's error), and an item's size too
    for value in values + broken:
        assert outcome(DynamoType.size, value) == outcome(own, value), value
    assert [outcome(own, value)[0] for value in [unusual_list, *broken]] == [AttributeError] * 3
    item = Item(DynamoType({"S": "pk"}), None, {k: v for k, v in ATTRIBUTES.items()})
    assert item.size() == sum(len(k) + own(DynamoType(v)) for k, v in ATTRIBUTES.items())


def _queries(ddb: Any, table: str) -> list[Any]:
    """Queries of the table and of its index (with a filter, a projection, a limit, backwards)."""
    key = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p1"}}}
    answers = [
        ddb.query(TableName=table, **key),
        ddb.query(TableName=table, ScanIndexForward=False, Limit=2, **key),
        ddb.query(
            TableName=table,
            FilterExpression="n > :n",
            ProjectionExpression="sk, nested.inner",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p1"}, ":n": {"N": "3"}},
        ),
        ddb.query(TableName=table, IndexName="by-n", **key),
        ddb.query(TableName=table, Select="COUNT", **key),
    ]
    for answer in answers:
        answer.pop("ResponseMetadata")
    return answers


def test_queries_answer_as_moto_answers_them(emulation: Emulation, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models import table as table_module

    # Given a table with an index that projects only its keys, and items with nested values
    ddb = emulation.client("dynamodb")
    ddb.create_table(
        TableName="speedups-queries",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "n", "AttributeType": "N"},
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-n",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "n", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for i in range(8):
        item = {**ATTRIBUTES, "pk": {"S": f"p{i % 2}"}, "sk": {"S": f"{i:02}"}, "n": {"N": str(i)}}
        ddb.put_item(TableName="speedups-queries", Item=item)
    before = _state("speedups-queries")
    # When the same queries run with the items answered as they are, then with moto's copies
    ours = _queries(ddb, "speedups-queries")
    monkeypatch.setattr(table_module, "copy", moto_adapters._original(table_module, "copy"))
    monkeypatch.setattr(table_module.Table, "query", moto_adapters._original(table_module.Table, "query"))
    monkeypatch.setattr(
        table_module.Table, "all_items", moto_adapters._original(table_module.Table, "all_items")
    )
    own = _queries(ddb, "speedups-queries")
    # Then the answers are the same, and the table's items are as they were
    assert ours == own
    assert [len(a.get("Items", [])) for a in ours] == [4, 2, 2, 4, 0]
    assert _state("speedups-queries") == before


def _partition_queries(ddb: Any) -> list[Any]:
    """Queries of a table of many partitions and of a table with no range key: whole partitions,
    backwards, by range condition, page by page, a partition that does not exist."""
    answers: list[Any] = []
    for p in ("p3", "p17", "nowhere"):
        key = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": p}}}
        answers.append(ddb.query(TableName="speedups-partitions", **key))
        answers.append(ddb.query(TableName="speedups-partitions", ScanIndexForward=False, **key))
        answers.append(
            ddb.query(
                TableName="speedups-partitions",
                KeyConditionExpression="pk = :p AND sk > :s",
                ExpressionAttributeValues={":p": {"S": p}, ":s": {"S": "01"}},
            )
        )
        page = ddb.query(TableName="speedups-partitions", Limit=2, **key)
        answers.append(page)
        if "LastEvaluatedKey" in page:
            answers.append(
                ddb.query(TableName="speedups-partitions", ExclusiveStartKey=page["LastEvaluatedKey"], **key)
            )
        answers.append(ddb.query(TableName="speedups-hash-only", **key))
    for answer in answers:
        answer.pop("ResponseMetadata")
    return answers


def test_a_query_lists_its_partition_only(emulation: Emulation, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models import table as table_module

    # Given a table of 40 partitions of 4 items each (put in no order), and a table with no range key
    ddb = emulation.client("dynamodb")
    for name, with_range in (("speedups-partitions", True), ("speedups-hash-only", False)):
        keys = [("pk", "HASH"), ("sk", "RANGE")] if with_range else [("pk", "HASH")]
        ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": n, "KeyType": k} for n, k in keys],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n, _ in keys],
            BillingMode="PAY_PER_REQUEST",
        )
    for i in range(160):
        item = {**ATTRIBUTES, "pk": {"S": f"p{(i * 7) % 40}"}, "sk": {"S": f"{3 - i // 40:02}"}}
        ddb.put_item(TableName="speedups-partitions", Item=item)
        ddb.put_item(TableName="speedups-hash-only", Item={"pk": {"S": f"p{i % 40}"}, "n": {"N": str(i)}})
    listed: list[int] = []
    listing = table_module.Table.all_items
    monkeypatch.setattr(table_module.Table, "all_items", lambda t: listed.append(len(r := listing(t))) or r)
    # When the same queries run with the partition listed alone, then with moto's listing of the table
    ours = _partition_queries(ddb)
    ours_listed, listed[:] = list(listed), []
    monkeypatch.setattr(
        table_module.Table, "all_items", moto_adapters._original(table_module.Table, "all_items")
    )
    own = _partition_queries(ddb)
    # Then the answers are the same, and each query listed its partition's items, not the table's
    assert ours == own
    assert [len(a.get("Items", [])) for a in ours[:5]] == [4, 4, 2, 2, 2]
    assert [i["sk"]["S"] for i in ours[0]["Items"]] == ["00", "01", "02", "03"]
    assert ours_listed and max(ours_listed) <= 4
