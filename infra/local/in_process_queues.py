"""The queue pollers' SQS, answered in the cloud's own process.

A poller (``queue_pollers.py``) stands for Lambda's event source mapping, which on AWS reads the
queue inside the Lambda service. Through a botocore client it sent every receive and delete as an
HTTP request to the cloud's own AWS endpoint, in the same process: the request built and signed,
parsed again by the server (werkzeug, Flask, moto's request parsing), the answer serialized and
parsed back, about as much CPU on the client's side as on the server's, all of it under the
cloud process's one interpreter lock. ``BackendQueueClient`` makes the poller's three calls
(``GetQueueUrl``, ``ReceiveMessage``, ``DeleteMessageBatch``) on moto's SQS backend directly and
answers them as botocore parses moto's server's answers (``moto.sqs.responses``: the same message
fields and system attributes, the same batch results); a delete counts as a write for the state
saver, as the server counts it (``moto_adapters.note_write``). ``tests/local_cloud/
test_in_process_queues.py`` compares its answers with the server's.
"""

from __future__ import annotations

from typing import Any

from infra.local import moto_adapters


def _system_attributes(message: Any) -> dict[str, str]:
    """Every system attribute of a received message, as ``SQSResponse.receive_message`` names them."""
    attributes = {
        "SenderId": message.sender_id,
        "SentTimestamp": str(message.sent_timestamp),
        "ApproximateReceiveCount": str(message.approximate_receive_count),
        "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
    }
    if message.deduplication_id is not None:
        attributes["MessageDeduplicationId"] = message.deduplication_id
    if message.group_id is not None:
        attributes["MessageGroupId"] = message.group_id
    trace = (message.system_attributes or {}).get("AWSTraceHeader")
    if trace:
        attributes["AWSTraceHeader"] = trace.get("StringValue")
    if message.sequence_number is not None:
        attributes["SequenceNumber"] = message.sequence_number
    return attributes


class BackendQueueClient:
    """The SQS calls of a poller, made on moto's backend of ``account_id`` and ``region``, with
    every system attribute of each message received (the poller asks for ``All``)."""

    def __init__(self, account_id: str, region: str) -> None:
        from moto.sqs.models import sqs_backends

        self._backend = sqs_backends[account_id][region]
        self._account_id = account_id

    def get_queue_url(self, QueueName: str) -> dict[str, str]:
        queue = self._backend.get_queue(QueueName)  # an unknown queue raises as the server's answer does
        return {"QueueUrl": f"local://{self._account_id}/{queue.name}"}

    def receive_message(
        self,
        QueueUrl: str,
        MaxNumberOfMessages: int,
        WaitTimeSeconds: int,
        AttributeNames: list[str],
        MessageAttributeNames: list[str],
    ) -> dict[str, Any]:
        if AttributeNames != ["All"] or not 1 <= MaxNumberOfMessages <= 10 or not 0 <= WaitTimeSeconds <= 20:
            raise ValueError(
                "a poller receives 1 to 10 messages, waits 0 to 20 s, with every system attribute"
            )
        name = QueueUrl.rsplit("/", 1)[-1]
        visibility = self._backend.get_queue(name).visibility_timeout  # type: ignore[attr-defined]
        received = self._backend.receive_message(
            name, MaxNumberOfMessages, WaitTimeSeconds, visibility, MessageAttributeNames
        )
        messages = []
        for message in received:
            answer: dict[str, Any] = {
                "MessageId": message.id,
                "ReceiptHandle": message.receipt_handle,
                "MD5OfBody": message.body_md5,
                "Body": message.body,
            }
            if message.message_attributes:
                answer["MessageAttributes"] = message.message_attributes
                answer["MD5OfMessageAttributes"] = message.attribute_md5
            answer["Attributes"] = _system_attributes(message)
            messages.append(answer)
        return {"Messages": messages} if messages else {}

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
        handles = [entry["ReceiptHandle"] for entry in Entries]
        if not Entries or len(set(handles)) != len(handles):
            raise ValueError("a poller deletes a batch of distinct receipt handles")
        try:
            success, failed = self._backend.delete_message_batch(QueueUrl.rsplit("/", 1)[-1], Entries)
        finally:
            moto_adapters.note_write()
        return {"Successful": [{"Id": id_} for id_ in success], "Failed": failed}
