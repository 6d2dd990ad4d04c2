"""Reads SQS queues into functions as Lambda's event source mappings do (moto records a mapping but
would invoke the function inside the sender's request, one message at a time).

One poller per mapping: it long-polls the queue (1 s at a time, so a stop is quick), gathers a
batch of up to the mapping's ``BatchSize`` (10 messages per receive; with a batching window,
receives go on until the batch is full or the window, counted from its first message, has passed),
invokes the function with the batch as an SQS event, and deletes what the function handled: the
whole batch, or with ``ReportBatchItemFailures`` all but the ``batchItemFailures`` it answered. A
failed invocation leaves the batch in the queue; it comes back after the queue's visibility
timeout, and a message received too often goes to the queue's dead-letter queue (moto applies the
redrive policy). A FIFO queue hands a message group's messages out one batch at a time, in order.

A mapping with a ``MaximumConcurrency`` is read by that many threads at once, at most
``MAX_THREADS`` (one otherwise): Lambda reads a queue with several pollers too. A FIFO queue's
message group stays in order however many read it (a group with a batch in flight gives nothing).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.local.lambda_runtime import LocalLambdaRuntime
    from infra.local.websocket_resources import EventSourceSpec

log = logging.getLogger(__name__)

WAIT_SECONDS = 1
RECEIVE_MAX = 10  # messages per ReceiveMessage and per DeleteMessageBatch: SQS's limits
WINDOW_POLL_SECONDS = 0.2  # within a batching window, how often an empty queue is looked at again
MAX_THREADS = 2
"""Threads reading one queue at most, whatever its mapping's ``MaximumConcurrency``: the machine's
cores, not Lambda's scaling, bound what runs at once locally."""


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda gives a function for a batch of SQS messages."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for message in messages
        ]
    }


class QueuePoller:
    def __init__(
        self, runtime: LocalLambdaRuntime, sqs: Callable[[], Any], spec: EventSourceSpec, region: str
    ) -> None:
        self._runtime = runtime
        self._sqs = sqs
        self._spec = spec
        self._region = region
        self._stop = threading.Event()
        name = spec.queue_arn.rsplit(":", 1)[-1]
        self._threads = [
            threading.Thread(target=self._run, daemon=True, name=f"sqs-poller-{name}-{i}")
            for i in range(max(1, min(spec.max_concurrency or 1, MAX_THREADS)))
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop polling (the thread ends after its current wait, at most ``WAIT_SECONDS``)."""
        self._stop.set()

    def join(self, timeout: float) -> None:
        """Wait for the threads to end (a batch being handled is deleted first)."""
        for thread in self._threads:
            thread.join(timeout)

    def _run(self) -> None:
        try:
            sqs = self._sqs()
            url = sqs.get_queue_url(QueueName=self._spec.queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
            while not self._stop.is_set():
                self._poll_once(sqs, url)
        except Exception:  # the emulation stopped under it, or a bug: said unless the cloud is stopping
            if not self._stop.is_set() and not self._runtime.stopping:
                log.exception("the poller of %s stopped", self._spec.queue_arn)

    def _receive(self, sqs: Any, url: str, count: int, wait: int) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(count, RECEIVE_MAX),
            WaitTimeSeconds=wait,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        return messages

    def _batch(self, sqs: Any, url: str) -> list[dict[str, Any]]:
        """The next batch: a long poll, then (with a batching window) more until the batch is full
        or the window, counted from the first message, has passed."""
        size = self._spec.batch_size
        messages = self._receive(sqs, url, size, WAIT_SECONDS)
        window_ends = time.monotonic() + self._spec.batching_window_seconds
        while messages and len(messages) < size and not self._stop.is_set():
            left = window_ends - time.monotonic()
            if left <= 0:
                break
            more = self._receive(sqs, url, size - len(messages), 0)
            if not more:
                self._stop.wait(min(left, WINDOW_POLL_SECONDS))
            messages += more
        return messages

    def _poll_once(self, sqs: Any, url: str) -> None:
        messages = self._batch(sqs, url)
        if not messages or self._stop.is_set():
            return
        invocation = self._runtime.invoke(
            self._spec.function, sqs_event(messages, self._spec.queue_arn, self._region)
        )
        if invocation.errored:
            if not self._runtime.stopping:
                log.warning("%s failed on a batch from %s: %s", self._spec.function, url, invocation.payload)
            return
        failed: set[str] = set()
        if self._spec.report_item_failures and isinstance(invocation.payload, dict):
            failed = {str(f.get("itemIdentifier")) for f in invocation.payload.get("batchItemFailures") or []}
        handled = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(handled), RECEIVE_MAX):  # a DeleteMessageBatch takes ten at most
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(handled[start : start + RECEIVE_MAX])
                ],
            )
