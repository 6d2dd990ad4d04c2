"""Real handlers and repositories in-process against moto; tables as the stack declares them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from orchestrator import constants, settings, wiring
from tests.synthesized import resources_of_type, synthesized_template

TABLE_ENV = {
    "Runs": constants.ENV_RUNS_TABLE,
    "PhaseResults": constants.ENV_PHASE_RESULTS_TABLE,
    "Events": constants.ENV_EVENTS_TABLE,
    "Idempotency": constants.ENV_IDEMPOTENCY_TABLE,
}


@dataclass
class MotoAws:
    tables: dict[str, str]  # Runs / PhaseResults / Events -> table name
    bus_name: str
    queue_url: str  # receives every event on the bus (to assert what was published)

    def published(self) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs")
        messages: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return messages
            messages.extend(json.loads(m["Body"]) for m in batch)


def _table_declarations() -> dict[str, dict[str, Any]]:
    """Key schema of each table exactly as the CDK stack declares it."""
    declared = {}
    for logical_id, table in resources_of_type(synthesized_template(), "AWS::DynamoDB::Table").items():
        short = next(name for name in TABLE_ENV if logical_id.startswith(f"Tables{name}"))
        declared[short] = table["Properties"]
    return declared


@pytest.fixture(scope="session")
def table_declarations() -> dict[str, dict[str, Any]]:
    return _table_declarations()


def clear_caches() -> None:
    settings.get_settings.cache_clear()
    for factory in (
        wiring.runs,
        wiring.phase_results,
        wiring.events,
        wiring.idempotency,
        wiring.publisher,
        wiring.provider,
    ):
        factory.cache_clear()


@pytest.fixture
def aws(table_declarations: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoAws]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        names = {}
        for short, props in table_declarations.items():
            name = f"test-{short}"
            dynamodb.create_table(
                TableName=name,
                KeySchema=props["KeySchema"],
                AttributeDefinitions=props["AttributeDefinitions"],
                BillingMode=props["BillingMode"],
            )
            names[short] = name
            monkeypatch.setenv(TABLE_ENV[short], name)
        events = boto3.client("events")
        events.create_event_bus(Name="test-bus")
        sqs = boto3.client("sqs")
        queue_url = sqs.create_queue(QueueName="bus-tap")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events.put_rule(
            Name="tap", EventBusName="test-bus", EventPattern=json.dumps({"source": [constants.EVENT_SOURCE]})
        )
        events.put_targets(Rule="tap", EventBusName="test-bus", Targets=[{"Id": "tap", "Arn": queue_arn}])
        monkeypatch.setenv(constants.ENV_EVENT_BUS, "test-bus")
        clear_caches()
        yield MotoAws(tables=names, bus_name="test-bus", queue_url=queue_url)
        clear_caches()


class FakeLambdaContext:
    function_name = "test-function"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    memory_limit_in_mb = 256
    aws_request_id = "req-1"
    log_group_name = "/aws/lambda/test-function"
    log_stream_name = "stream"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()
