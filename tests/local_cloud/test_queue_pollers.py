"""The local event source mappings (``queue_pollers.py``) against an in-process SQS emulation: a
batch is gathered up to the mapping's batch size within its window, the function sees each message
once, only what it handled is deleted, a FIFO group stays in order, and the mapping's values are
read from the template as CloudFormation declares them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local import moto_adapters, moto_memory, moto_queue_speedups
from infra.local.lambda_runtime import Invocation
from infra.local.queue_pollers import QueuePoller
from infra.local.websocket_resources import EventSourceSpec, WebSocketApiDeployer

REGION = "us-east-1"


class RecordingRuntime:
    """Stands in for the Lambda runtime: records each batch, fails the bodies it is told to."""

    stopping = False

    def __init__(self, failing: frozenset[str] = frozenset()) -> None:
        self.batches: list[list[str]] = []
        self.failing = failing
        self.lock = threading.Lock()

    def invoke(self, function: str, event: dict[str, Any]) -> Invocation:
        bodies = [record["body"] for record in event["Records"]]
        with self.lock:
            self.batches.append(bodies)
        failures = [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] in self.failing]
        return Invocation(payload={"batchItemFailures": failures}, errored=False, logs="", duration_ms=1)

    def seen(self) -> list[str]:
        with self.lock:
            return [body for batch in self.batches for body in batch]


@pytest.fixture
def sqs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    moto_queue_speedups.install_all()  # SQS as the local cloud runs it: one receive at a time, locked deletes
    moto_memory.forget_deleted_messages()
    try:
        with mock_aws():
            yield boto3.client("sqs", region_name=REGION)
    finally:
        moto_adapters.restore_all()


def _queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "60", **attributes})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _poll_until(runtime: RecordingRuntime, count: int, poller: QueuePoller) -> None:
    deadline = time.monotonic() + 60
    try:
        while len(runtime.seen()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        poller.stop()
        poller.join(timeout=10)  # the last batch handled is deleted before its thread ends


def _remaining(sqs: Any, url: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(v) for v in attributes.values())


def test_a_batching_window_gathers_batches_beyond_ten_and_deletes_all_but_the_reported_failures(
    sqs: Any,
) -> None:
    url, arn = _queue(sqs, "audit")
    bodies = [json.dumps({"n": n}) for n in range(45)]
    for start in range(0, len(bodies), 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start : start + 10])],
        )
    runtime = RecordingRuntime(failing=frozenset({bodies[7]}))
    spec = EventSourceSpec(arn, "writer", batch_size=40, report_item_failures=True, batching_window_seconds=5)
    poller = QueuePoller(runtime, lambda: sqs, spec, REGION)  # type: ignore[arg-type]
    poller.start()
    _poll_until(runtime, 45, poller)

    assert sorted(runtime.seen()) == sorted(bodies)  # each once (the failed one is invisible for 60 s)
    assert [len(batch) for batch in runtime.batches] == [40, 5]
    assert _remaining(sqs, url) == 1  # only the reported failure stays, to come back


def test_two_threads_keep_a_fifo_groups_order(sqs: Any) -> None:
    url, arn = _queue(sqs, "push.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    for run in ("a", "b"):
        for n in range(25):
            sqs.send_message(QueueUrl=url, MessageBody=f"{run}{n:02}", MessageGroupId=run)
    runtime = RecordingRuntime()
    spec = EventSourceSpec(arn, "push", batch_size=10, report_item_failures=True, max_concurrency=5)
    poller = QueuePoller(runtime, lambda: sqs, spec, REGION)  # type: ignore[arg-type]
    poller.start()
    _poll_until(runtime, 50, poller)

    seen = runtime.seen()
    for run in ("a", "b"):
        assert [b for b in seen if b.startswith(run)] == [f"{run}{n:02}" for n in range(25)]
    assert all(len(batch) <= 10 for batch in runtime.batches)
    assert _remaining(sqs, url) == 0


def test_the_mapping_is_read_with_its_window_and_maximum_concurrency() -> None:
    class Target:
        event_sources: list[EventSourceSpec] = []

    deployment = Target()
    properties = {
        "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:audit",
        "FunctionName": "writer",
        "BatchSize": 100,
        "MaximumBatchingWindowInSeconds": 1,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "ScalingConfig": {"MaximumConcurrency": 5},
    }
    WebSocketApiDeployer()._lambda_eventsourcemapping("Mapping", "", properties, None, deployment)

    assert deployment.event_sources == [
        EventSourceSpec(
            "arn:aws:sqs:us-east-1:123456789012:audit",
            "writer",
            batch_size=100,
            report_item_failures=True,
            batching_window_seconds=1.0,
            max_concurrency=5,
        )
    ]


def test_a_rule_sends_its_queue_the_whole_event_account_included(sqs: Any) -> None:
    from moto.events.utils import EventTemplateParser

    from infra.local import moto_adapters
    from infra.local.eventbridge_fidelity import send_whole_events_to_queues

    url, arn = _queue(sqs, "tap")
    events = boto3.client("events", region_name=REGION)
    events.put_rule(Name="all", EventPattern=json.dumps({"source": ["ai.orchestrator"]}))
    events.put_targets(Rule="all", Targets=[{"Id": "tap", "Arn": arn}])
    key = "EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE"
    template = EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE
    try:
        send_whole_events_to_queues()
        send_whole_events_to_queues()  # a second cloud in the same process patches nothing more
        events.put_events(Entries=[{"Source": "ai.orchestrator", "DetailType": "X", "Detail": '{"a": 1}'}])
    finally:
        EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE = template
        moto_adapters._originals.pop(key, None)
    (message,) = sqs.receive_message(QueueUrl=url).get("Messages", [])
    event = json.loads(message["Body"])
    assert event["account"] == "123456789012" and event["detail"] == {"a": 1}
    assert {"id", "time", "region", "source", "detail-type", "resources", "version"} <= set(event)
