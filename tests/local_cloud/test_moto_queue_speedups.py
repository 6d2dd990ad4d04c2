"""The SQS speedups (``infra/local/moto_queue_speedups.py``) give moto's own answers with less CPU,
and a long poll waits rather than walking the queue again and again."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from infra.local import moto_adapters
from tests.local_cloud.emulation import Emulation


def _delete_batches(emulation: Emulation, name: str) -> list[Any]:
    """Deletes from a queue of 10 messages, each received twice (an old and a current handle),
    in two batches: current and old handles, both of one message, a handle deleted already and
    unknown ones. The answers, then what the queue holds, by body."""
    from moto.sqs.models import sqs_backends

    sqs = emulation.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    for i in range(10):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    handles: dict[str, list[str]] = {}
    for visibility in (0, 60):  # each message received twice: an old handle, then a current one
        seen: dict[str, str] = {}
        for _ in range(20):
            for m in sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=visibility
            ).get("Messages", []):
                seen.setdefault(m["Body"], m["ReceiptHandle"])
            if len(seen) == 10:
                break
        for body, handle in seen.items():
            handles.setdefault(body, []).append(handle)
    assert all(len(h) == 2 for h in handles.values()) and len(handles) == 10
    batches = [
        [handles["m0"][1], handles["m1"][0], handles["m2"][0], handles["m2"][1], "unknown", handles["m3"][1]],
        [handles["m0"][1], handles["m2"][0], "unknown too", handles["m4"][0]],
    ]
    outcomes: list[Any] = []
    for batch in batches:
        answer = sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": f"e{i}", "ReceiptHandle": h} for i, h in enumerate(batch)]
        )
        outcomes.append((answer.get("Successful"), answer.get("Failed")))
    queue = sqs_backends["123456789012"]["us-east-1"].get_queue(name)
    outcomes.append(sorted(m.body for m in queue._messages))
    outcomes.append(sorted(m.body for m in queue.pending_messages))
    outcomes.append(len(queue.deleted_messages))
    outcomes.append(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"][
            "ApproximateNumberOfMessagesNotVisible"
        ]
    )
    return outcomes


@pytest.mark.parametrize("queue_delete", ["the local cloud's", "moto's own"])
def test_message_batches_are_deleted_as_moto_deletes_them(
    emulation: Emulation, monkeypatch: pytest.MonkeyPatch, queue_delete: str
) -> None:
    from moto.sqs.models import Queue, SQSBackend

    if queue_delete == "moto's own":  # the delete that keeps deleted messages' handles
        monkeypatch.setattr(Queue, "delete_message", moto_adapters._original(Queue, "delete_message"))
    # Given the same deletes, by current, old, repeated and unknown handles, in one pass per batch
    name = "speedups-deletes-" + queue_delete.split("'")[0].replace(" ", "-")
    ours = _delete_batches(emulation, name)
    # When they are made again by moto's own batch, message by message
    monkeypatch.setattr(
        SQSBackend, "delete_message_batch", moto_adapters._original(SQSBackend, "delete_message_batch")
    )
    own = _delete_batches(emulation, name + "-own")
    # Then every answer and what the queue holds are the same
    assert ours == own
    assert len(ours[0][1]) == 1 and len(ours[1][0]) == 3  # an unknown handle failed; a repeat succeeded
    assert len(ours[2]) == 5 and "m2" not in ours[2]  # five messages deleted, by either handle


def test_a_batch_of_deletes_reads_the_queue_once(
    emulation: Emulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.sqs.models import Message

    # Given a queue of 40 messages, 10 of them received
    sqs = emulation.client("sqs")
    url = sqs.create_queue(QueueName="speedups-deletes-once")["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(10)])
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)["Messages"]
    for start in range(10, 40, 10):
        sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(start, start + 10)]
        )
    reads = [0]
    handles_of = Message.all_receipt_handles.fget
    monkeypatch.setattr(
        Message,
        "all_receipt_handles",
        property(lambda m: reads.__setitem__(0, reads[0] + 1) or handles_of(m)),
    )
    # When the 10 are deleted in one batch
    answer = sqs.delete_message_batch(
        QueueUrl=url,
        Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)],
    )
    # Then each message's handles were read about once, not once per delete
    assert len(answer["Successful"]) == 10
    assert reads[0] <= 40 + 10
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"
    ] == {"ApproximateNumberOfMessages": "30"}


def _queue(name: str) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends["123456789012"]["us-east-1"].get_queue(name)


def _moto_attributes(queue: Any) -> dict[str, Any]:
    from moto.sqs.models import Queue

    return moto_adapters._original(Queue, "attributes").fget(queue)


def _answers(sqs: Any, names: list[str]) -> list[Any]:
    """GetQueueAttributes of each queue: all of them, and a few by name."""
    some = ["ApproximateNumberOfMessages", "RedrivePolicy", "FifoQueue", "Policy"]
    return [
        sqs.get_queue_attributes(
            QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"], AttributeNames=which
        )["Attributes"]
        for name in names
        for which in (["All"], some)
    ]


def test_queue_attributes_are_moto_s_own(emulation: Emulation, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.sqs.models import Queue

    # Given queues of every kind: plain with messages in every state, FIFO, encrypted, with a
    # policy and a dead-letter queue
    sqs = emulation.client("sqs")
    dead = sqs.create_queue(QueueName="attributes-dead")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    plain = sqs.create_queue(
        QueueName="attributes-plain",
        Attributes={
            "DelaySeconds": "0",
            "Policy": json.dumps({"Version": "2012-10-17", "Statement": []}),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": 3}),
        },
    )["QueueUrl"]
    for i in range(4):
        sqs.send_message(QueueUrl=plain, MessageBody=f"m{i}", DelaySeconds=60 if i == 3 else 0)
    sqs.receive_message(QueueUrl=plain, MaxNumberOfMessages=1, VisibilityTimeout=60)
    fifo = sqs.create_queue(
        QueueName="attributes.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    sqs.send_message(QueueUrl=fifo, MessageBody="f", MessageGroupId="g")
    sqs.create_queue(QueueName="attributes-kms", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    names = ["attributes-dead", "attributes-plain", "attributes.fifo", "attributes-kms"]
    # When their attributes are read one by one, all at once, and through GetQueueAttributes
    ours = [list(_queue(name).attributes.items()) for name in names]
    answers = _answers(sqs, names)
    # Then they are moto's own, names in the same order, values the same
    assert ours == [list(_moto_attributes(_queue(name)).items()) for name in names]
    assert dict(ours[1])["ApproximateNumberOfMessages"] == 2 and dict(ours[2])["FifoQueue"] == "true"
    monkeypatch.setattr(Queue, "attributes", moto_adapters._original(Queue, "attributes"))
    assert answers == _answers(sqs, names)
    assert "KmsMasterKeyId" in _queue("attributes-kms").attributes
    assert "KmsMasterKeyId" not in _queue("attributes-plain").attributes


def _counting_message_walks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts each walk over a queue's messages: its visible messages and its approximate counts."""
    from moto.sqs.models import Queue

    walks = [0]
    for name in (
        "messages",
        "approximate_number_of_messages_delayed",
        "approximate_number_of_messages_not_visible",
    ):
        read = getattr(Queue, name).fget

        def counted(queue: Any, read: Any = read) -> Any:
            walks[0] += 1
            return read(queue)

        monkeypatch.setattr(Queue, name, property(counted))
    return walks


def _fifo_backlog(emulation: Emulation, name: str, messages: int) -> tuple[Any, str]:
    """A FIFO queue holding ``messages`` of one group (m0, m1, ...): its client and URL."""
    sqs = emulation.client("sqs")
    url = sqs.create_queue(
        QueueName=name, Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    for start in range(0, messages, 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": f"{i}", "MessageBody": f"m{start + i}", "MessageGroupId": "g"} for i in range(10)
            ],
        )
    return sqs, str(url)


def test_sends_and_receives_do_not_count_the_queue_s_messages(
    emulation: Emulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a FIFO queue holding a backlog
    sqs, url = _fifo_backlog(emulation, "walks.fifo", 50)
    walks = _counting_message_walks(monkeypatch)
    # When a message is sent and ten are received
    sqs.send_message(QueueUrl=url, MessageBody="one more", MessageGroupId="g")
    sent = walks[0]
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    # Then the send walked no message list, and the receive walked its visible messages once
    # (moto's attributes walk them three times per read, four reads per send, three per message received)
    assert sent == 0
    assert [m["Body"] for m in received] == [f"m{i}" for i in range(10)]
    assert walks[0] == 1


def _blocked_poll(emulation: Emulation, name: str, walks: list[int]) -> tuple[int, float, Any]:
    """A second long poll of a FIFO queue whose only group has a batch in flight: the walks it made,
    how long after the batch's delete it got the group's next message, and that message."""
    sqs = emulation.client("sqs")
    url = sqs.create_queue(
        QueueName=name, Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    sqs.send_message_batch(
        QueueUrl=url,
        Entries=[{"Id": str(i), "MessageBody": f"m{i}", "MessageGroupId": "g"} for i in range(3)],
    )
    in_flight = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=60)["Messages"]
    walks[0] = 0
    got: dict[str, Any] = {}

    def poll() -> None:
        got["answer"] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=2)
        got["at"] = time.monotonic()

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(0.6)  # the poll waits, the group being in flight
    waited_walks = walks[0]
    deleted_at = time.monotonic()
    sqs.delete_message_batch(
        QueueUrl=url, Entries=[{"Id": "0", "ReceiptHandle": in_flight[0]["ReceiptHandle"]}]
    )
    poller.join(timeout=10)
    return waited_walks, got["at"] - deleted_at, [m["Body"] for m in got["answer"].get("Messages", [])]


def test_a_long_poll_waits_while_its_group_is_in_flight(
    emulation: Emulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.sqs.models import SQSBackend

    walks = _counting_message_walks(monkeypatch)
    # Given a long poll of a FIFO queue whose one message group has a batch in flight
    waited_walks, after_delete, bodies = _blocked_poll(emulation, "blocked.fifo", walks)
    # Then it walked the queue a few times while it waited, not again and again, and the batch's
    # delete woke it at once with the group's next message
    assert waited_walks <= 3
    assert bodies == ["m1"]
    assert after_delete < 0.5
    # (moto's own wait returns at once while a message is visible, so its poll walks the queue without end)
    monkeypatch.setattr(SQSBackend, "receive_message", moto_adapters._original(SQSBackend, "receive_message"))
    spun, _, _ = _blocked_poll(emulation, "spinning.fifo", walks)
    assert spun > 20 * max(waited_walks, 1)


def test_the_queues_clock_is_moto_s_clock_read_directly(
    emulation: Emulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime

    from moto.core import utils
    from moto.sqs import models

    # Given the queues' clock and moto's
    # Then they read the same time, and convert a given datetime the same way
    before = utils.unix_time()
    ours = models.unix_time()
    after = utils.unix_time()
    assert before <= ours <= after
    moment = datetime.datetime(2026, 12, 5, 13, 0, 0, 123456)
    assert models.unix_time(moment) == utils.unix_time(moment)
    assert models.unix_time_millis(moment) == utils.unix_time_millis(moment)
    # And a receive that looks through a backlog of 100 messages builds no datetime to do so
    sqs, url = _fifo_backlog(emulation, "clock.fifo", 100)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)
    built = [0]
    now = utils.utcnow
    monkeypatch.setattr(utils, "utcnow", lambda: built.__setitem__(0, built[0] + 1) or now())
    assert "Messages" not in sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10
    )  # the group is in flight
    assert built[0] <= 3  # moto reads its clock through a new datetime for each of the 100
