"""The state saver reads the emulation only when something may have changed: a request that writes,
or an execution that moved on. Reads and queue pollers' long polls, which never stop, are not
writes: an idle cloud builds no snapshot."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from infra.local import moto_adapters
from infra.local.persistence import Persistence
from tests.local_cloud.emulation import REGION, Emulation, wait_until

ACCOUNT = "123456789012"
INTERVAL = 0.1


@pytest.fixture
def table(emulation: Emulation) -> str:
    dynamodb = emulation.client("dynamodb")
    name = f"saved{time.time_ns()}"
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName=name, Item={"pk": {"S": "first"}})
    return name


def _read_everything(emulation: Emulation, table: str, queue_url: str) -> None:
    """Reads of every kind the local cloud serves all the time, a long poll among them."""
    dynamodb = emulation.client("dynamodb")
    dynamodb.get_item(TableName=table, Key={"pk": {"S": "first"}})
    dynamodb.query(
        TableName=table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": "first"}}
    )
    dynamodb.scan(TableName=table)
    dynamodb.describe_table(TableName=table)
    emulation.client("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)
    emulation.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])
    emulation.client("stepfunctions").list_state_machines()
    emulation.client("lambda").list_functions()


def test_reads_and_long_polls_are_not_writes(emulation: Emulation, table: str) -> None:
    queue_url = emulation.client("sqs").create_queue(QueueName=f"q{time.time_ns()}")["QueueUrl"]
    wrote, asked = moto_adapters.last_write_at(), moto_adapters.last_request_at()

    _read_everything(emulation, table, queue_url)

    assert moto_adapters.last_request_at() > asked
    assert moto_adapters.last_write_at() == wrote
    emulation.client("dynamodb").put_item(TableName=table, Item={"pk": {"S": "second"}})
    assert moto_adapters.last_write_at() > wrote
    wrote = moto_adapters.last_write_at()
    emulation.client("sqs").send_message(QueueUrl=queue_url, MessageBody="x")
    assert moto_adapters.last_write_at() > wrote


@pytest.mark.parametrize(
    ("method", "path", "target", "writes"),
    [
        ("POST", "/", "DynamoDB_20120810.GetItem", False),
        ("POST", "/", "DynamoDB_20120810.BatchGetItem", False),
        ("POST", "/", "DynamoDB_20120810.TransactWriteItems", True),
        ("POST", "/", "AmazonSQS.ReceiveMessage", False),
        ("POST", "/", "AmazonSQS.DeleteMessageBatch", True),
        ("POST", "/", "AWSStepFunctions.GetExecutionHistory", False),
        ("POST", "/", "AWSStepFunctions.SendTaskSuccess", True),
        ("POST", "/QueryVectors", None, False),
        ("POST", "/PutVectors", None, True),
        ("POST", "/2015-03-31/functions/api/invocations", None, True),
        ("GET", "/bucket/key", None, False),
        ("HEAD", "/bucket/key", None, False),
        ("PUT", "/bucket/key", None, True),
        ("DELETE", "/bucket/key", None, True),
        ("POST", "/", None, True),  # the query protocol (STS, IAM): its action is in the body
    ],
)
def test_a_request_writes_unless_it_reads(method: str, path: str, target: str | None, writes: bool) -> None:
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path}
    if target:
        environ["HTTP_X_AMZ_TARGET"] = target
    assert moto_adapters.is_write(environ) is writes


class _CountedPersistence(Persistence):
    def __init__(self, state_dir: Path) -> None:
        super().__init__(state_dir, ACCOUNT, REGION, interval=INTERVAL)
        self.captures = 0

    def capture(self) -> dict[str, Any]:
        self.captures += 1
        return super().capture()


def _saved_keys(persistence: Persistence, table: str) -> set[str]:
    saved = json.loads(persistence.files.snapshot_path.read_text())
    return {item["pk"]["S"] for item in saved["dynamodb"].get(table, [])}


def _quiet(persistence: _CountedPersistence) -> int:
    """Once the saver stopped reading after the last write: how many snapshots it built."""
    counts: list[int] = []

    def settled() -> bool:
        counts.append(persistence.captures)
        return len(counts) > 5 and counts[-1] == counts[-6]

    wait_until(settled, 30, "the saver stops after the last write", interval=INTERVAL)
    return counts[-1]


def test_the_saver_builds_no_snapshot_while_only_reads_happen(
    emulation: Emulation, table: str, tmp_path: Path
) -> None:
    queue_url = emulation.client("sqs").create_queue(QueueName=f"q{time.time_ns()}")["QueueUrl"]
    persistence = _CountedPersistence(tmp_path)
    persistence.start_saving()
    try:
        # Given a saver that has saved everything written so far
        captured = _quiet(persistence)
        assert _saved_keys(persistence, table) == {"first"}
        # When only reads come, long polls among them, for many of its intervals
        deadline = time.monotonic() + 20 * INTERVAL
        while time.monotonic() < deadline:
            _read_everything(emulation, table, queue_url)
        # Then it builds no snapshot
        assert persistence.captures == captured
        # And a write is saved within about its interval
        emulation.client("dynamodb").put_item(TableName=table, Item={"pk": {"S": "second"}})
        wait_until(lambda: _saved_keys(persistence, table) == {"first", "second"}, 30, "the write saved")
    finally:
        persistence.close()


def test_an_execution_moving_on_without_a_request_is_saved(emulation: Emulation, tmp_path: Path) -> None:
    sfn = emulation.client("stepfunctions")
    definition = {
        "StartAt": "Short",
        "States": {
            "Short": {"Type": "Wait", "Seconds": 1, "Next": "Moved"},
            "Moved": {"Type": "Pass", "Next": "Long"},
            "Long": {"Type": "Wait", "Seconds": 60, "End": True},
        },
    }
    machine = sfn.create_state_machine(
        name=f"waits{time.time_ns()}", definition=json.dumps(definition), roleArn=emulation.role_arn
    )["stateMachineArn"]
    persistence = _CountedPersistence(tmp_path)
    persistence.start_saving()
    try:
        # Given an execution in a Wait state, saved, and no request after it
        arn = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
        wrote = moto_adapters.last_write_at()

        def saved_states() -> list[str]:
            saved = json.loads(persistence.files.snapshot_path.read_text())
            events = next((e["events"] for e in saved.get("executions", []) if e["arn"] == arn), [])
            return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]

        wait_until(lambda: saved_states() == ["Short"], 30, "the execution saved in its first wait")
        # When the wait ends and the execution moves on without any request
        # Then the saver sees it and saves it
        wait_until(lambda: saved_states() == ["Short", "Moved", "Long"], 30, "the execution's move saved")
        assert moto_adapters.last_write_at() == wrote
    finally:
        persistence.close()
        sfn.stop_execution(executionArn=arn)
