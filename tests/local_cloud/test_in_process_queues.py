"""The queue pollers' in-process SQS (``infra/local/in_process_queues.py``) answers as the cloud's
AWS endpoint answers a botocore client."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local import moto_adapters
from infra.local.in_process_queues import BackendQueueClient
from tests.local_cloud.emulation import Emulation

VARYING = (
    "MessageId",
    "ReceiptHandle",
    "SentTimestamp",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
)


def _fill(emulation: Emulation, name: str) -> str:
    sqs = emulation.client("sqs")
    fifo = name.endswith(".fifo")
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "60", **attributes})["QueueUrl"]
    for i in range(12):
        sqs.send_message(
            QueueUrl=url,
            MessageBody=f'{{"n": {i}}}',
            MessageAttributes={"kind": {"DataType": "String", "StringValue": f"k{i % 3}"}} if i % 2 else {},
            MessageSystemAttributes={
                "AWSTraceHeader": {
                    "DataType": "String",
                    "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793",
                }
            }
            if i == 4
            else {},
            **({"MessageGroupId": f"g{i % 2}"} if fifo else {}),
        )
    return url


def _without_varying(answer: dict[str, Any]) -> list[dict[str, Any]]:
    messages = []
    for message in answer.get("Messages", []):
        kept = {k: v for k, v in message.items() if k not in VARYING}
        kept["Attributes"] = {k: v for k, v in message.get("Attributes", {}).items() if k not in VARYING}
        messages.append(kept)
    return messages


@pytest.mark.parametrize("name", ["in-process-standard", "in-process.fifo"])
def test_receives_and_deletes_answer_as_the_endpoint_does(emulation: Emulation, name: str) -> None:
    # Given two queues holding the same messages: attributes, a trace header, FIFO groups
    sqs = emulation.client("sqs")
    theirs = _fill(emulation, "endpoint-" + name)
    ours_client = BackendQueueClient("123456789012", "us-east-1")
    ours = ours_client.get_queue_url(QueueName=_fill(emulation, "backend-" + name).rsplit("/", 1)[-1])[
        "QueueUrl"
    ]
    asked: dict[str, Any] = {"MaxNumberOfMessages": 10, "WaitTimeSeconds": 0, "AttributeNames": ["All"]}
    # When each is received twice and deleted, through the endpoint and in process
    answers = []
    for client, url in ((sqs, theirs), (ours_client, ours)):
        rounds: list[Any] = []
        for which in (["All"], ["kind"]):
            received = client.receive_message(QueueUrl=url, MessageAttributeNames=which, **asked)
            rounds.append(_without_varying(received))
            handles = [m["ReceiptHandle"] for m in received.get("Messages", [])]
            entries = [{"Id": f"e{i}", "ReceiptHandle": h} for i, h in enumerate(handles)]
            entries.append({"Id": "stale", "ReceiptHandle": "not a handle"})
            deleted = client.delete_message_batch(QueueUrl=url, Entries=entries)
            rounds.append(
                (
                    sorted(e["Id"] for e in deleted["Successful"]),
                    [(f["Id"], f["Code"]) for f in deleted["Failed"]],
                )
            )
        answers.append(rounds)
    # Then the answers are the same (but for ids, handles and times), and so is what each queue holds
    assert answers[0] == answers[1]
    assert answers[0][0] and answers[0][2]  # messages were received in both rounds
    assert any("MessageAttributes" in m for m in answers[0][0])
    remaining = [
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
        for url in (theirs, sqs.get_queue_url(QueueName="backend-" + name)["QueueUrl"])
    ]
    assert remaining[0] == remaining[1]


def test_a_delete_counts_as_a_write_for_the_state_saver(emulation: Emulation) -> None:
    client = BackendQueueClient("123456789012", "us-east-1")
    url = client.get_queue_url(QueueName=_fill(emulation, "in-process-writes").rsplit("/", 1)[-1])["QueueUrl"]
    received = client.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=1,
        WaitTimeSeconds=0,
        AttributeNames=["All"],
        MessageAttributeNames=[],
    )
    before = moto_adapters.last_write_at()
    client.delete_message_batch(
        QueueUrl=url, Entries=[{"Id": "0", "ReceiptHandle": received["Messages"][0]["ReceiptHandle"]}]
    )
    assert moto_adapters.last_write_at() > before
