"""The one conditional UpdateItem of the DynamoDB repositories: expressions built from plain dicts."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from orchestrator.adapters.dynamodb_table import (
    Condition,
    ConditionFailed,
    conditional_update,
    exists,
    update_arguments,
)
from orchestrator.core.errors import DataStoreRejected, NotFound, RepositoryError


def test_set_add_and_remove_get_one_placeholder_pair_per_attribute() -> None:
    arguments = update_arguments(
        {"status": "DONE", "updated_at": "t1"}, add={"attempts": 1}, remove=["data", "task_token"]
    )

    assert arguments == {
        "UpdateExpression": "SET #status = :status, #updated_at = :updated_at ADD #attempts :attempts "
        "REMOVE #data, #task_token",
        "ExpressionAttributeNames": {
            "#status": "status",
            "#updated_at": "updated_at",
            "#attempts": "attempts",
            "#data": "data",
            "#task_token": "task_token",
        },
        "ExpressionAttributeValues": {":status": "DONE", ":updated_at": "t1", ":attempts": 1},
    }


def test_the_condition_brings_its_own_placeholders_and_conditions_combine_with_and() -> None:
    waiting = Condition("#status = :waiting", {"#status": "status"}, {":waiting": "WAITING"})

    arguments = update_arguments({"status": "APPROVED"}, condition=exists("sk") & waiting)

    assert arguments["ConditionExpression"] == "attribute_exists(#sk) AND #status = :waiting"
    assert arguments["ExpressionAttributeNames"] == {"#status": "status", "#sk": "sk"}
    assert arguments["ExpressionAttributeValues"] == {":status": "APPROVED", ":waiting": "WAITING"}


def test_a_remove_only_update_sends_no_empty_value_map() -> None:
    arguments = update_arguments(remove=["disabled_at"], condition=exists("pk"))

    assert arguments["UpdateExpression"] == "REMOVE #disabled_at"
    assert "ExpressionAttributeValues" not in arguments


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: update_arguments({}), "at least one attribute"),
        (lambda: update_arguments({"a": 1}, remove=["a"]), "written twice"),
        (lambda: update_arguments({"a": 1}, add={"a": 2}), "written twice"),
        (lambda: update_arguments({"a-b": 1}), "cannot be a placeholder"),
        (
            lambda: update_arguments({"a": 1}, condition=Condition("#a = :a", {"#a": "b"})),
            "placeholders \\['#a'\\] stand for two different things",
        ),
        (
            lambda: update_arguments({"a": 1}, condition=Condition("#a = :a", {"#a": "a"}, {":a": 2})),
            "placeholders \\[':a'\\] stand for two different things",
        ),
    ],
)
def test_ambiguous_updates_are_refused_before_any_call(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


class RecordingTable:
    def __init__(self, answer: dict[str, Any] | str) -> None:
        self.answer = answer
        self.calls: list[dict[str, Any]] = []

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if isinstance(self.answer, str):
            raise ClientError({"Error": {"Code": self.answer, "Message": "stub"}}, "UpdateItem")
        return self.answer


def test_the_update_goes_out_with_its_key_and_returns_the_attributes_asked_for() -> None:
    table = RecordingTable({"Attributes": {"counter": 3}})

    attributes = conditional_update(
        table,
        {"pk": "p", "sk": "s"},
        action="count",
        add={"counter": 1},
        condition=None,
        returns="UPDATED_NEW",
    )

    assert attributes == {"counter": 3}
    assert table.calls == [
        {
            "Key": {"pk": "p", "sk": "s"},
            "UpdateExpression": "ADD #counter :counter",
            "ExpressionAttributeNames": {"#counter": "counter"},
            "ExpressionAttributeValues": {":counter": 1},
            "ReturnValues": "UPDATED_NEW",
        }
    ]


def test_a_failed_condition_is_the_callers_outcome_other_failures_are_domain_errors() -> None:
    key = {"pk": "p", "sk": "s"}
    failed = RecordingTable("ConditionalCheckFailedException")

    with pytest.raises(ConditionFailed):
        conditional_update(failed, key, action="mark", set_fields={"a": 1}, condition=exists("sk"))
    with pytest.raises(NotFound, match="gone"):
        conditional_update(
            failed,
            key,
            action="mark",
            set_fields={"a": 1},
            condition=exists("sk"),
            on_failed=lambda: NotFound("gone"),
        )
    with pytest.raises(RepositoryError, match="mark failed: ProvisionedThroughputExceededException"):
        conditional_update(
            RecordingTable("ProvisionedThroughputExceededException"),
            key,
            action="mark",
            set_fields={"a": 1},
            condition=exists("sk"),
        )
    with pytest.raises(DataStoreRejected, match="ValidationException"):
        conditional_update(
            RecordingTable("ValidationException"), key, action="mark", set_fields={"a": 1}, condition=None
        )
