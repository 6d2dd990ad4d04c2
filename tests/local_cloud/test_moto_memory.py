"""The emulation's memory savings (``infra/local/moto_memory.py``): the same answers, without a
record of every model instance, of every deleted message or of every thread the interpreter ran."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.local import moto_memory
from tests.local_cloud.emulation import Emulation, wait_until

ACCOUNT = "123456789012"


def _queue(emulation: Emulation, name: str) -> tuple[Any, str]:
    sqs = emulation.client("sqs")
    return sqs, str(sqs.create_queue(QueueName=name)["QueueUrl"])


def _held_queue(name: str) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[ACCOUNT]["us-east-1"].queues[name]


def _receive(sqs: Any, url: str, *, visibility: int = 30) -> list[dict[str, Any]]:
    return list(
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=visibility).get(
            "Messages", []
        )
    )


def test_no_message_or_role_session_is_recorded_once_released(emulation: Emulation) -> None:
    from moto.sqs.models import Message
    from moto.sts.models import AssumedRole

    messages, sessions = len(Message.instances_tracked), len(AssumedRole.instances_tracked)
    sqs, url = _queue(emulation, "memory-records")
    for index in range(20):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"index": index, "padding": "x" * 1000}))
    received = _receive(sqs, url)
    for message in received:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    emulation.client("sts").assume_role(RoleArn=emulation.role_arn, RoleSessionName="invocation")

    # Then the queue still holds what was not deleted, and moto's debug listing records nothing more
    assert len(_held_queue("memory-records")._messages) == 20 - len(received)
    assert (len(Message.instances_tracked), len(AssumedRole.instances_tracked)) == (messages, sessions)


def test_a_deleted_message_leaves_nothing_and_deleting_it_again_succeeds(emulation: Emulation) -> None:
    sqs, url = _queue(emulation, "memory-deletes")
    sqs.send_message(QueueUrl=url, MessageBody="once")
    first = _receive(sqs, url, visibility=0)[0]["ReceiptHandle"]
    second = _receive(sqs, url)[0]["ReceiptHandle"]  # received again: a new receipt handle
    assert first != second and moto_memory.was_issued(first) and moto_memory.was_issued(second)

    # An earlier receipt handle of a message still deletes it, as moto's own
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first)

    queue = _held_queue("memory-deletes")
    assert queue._messages == [] and not queue.pending_messages
    assert queue.deleted_messages == set()  # nothing kept of the deleted message
    for handle in (first, second):  # a stale receipt handle deletes nothing and succeeds, as on SQS
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)


@pytest.mark.parametrize(
    "handle",
    ["not-a-receipt-handle", "a" * moto_memory.RECEIPT_HANDLE_LENGTH],
    ids=["malformed", "never issued"],
)
def test_a_receipt_handle_the_emulation_never_issued_is_refused(emulation: Emulation, handle: str) -> None:
    name = f"memory-refused-{len(handle)}"
    sqs, url = _queue(emulation, name)
    sqs.send_message(QueueUrl=url, MessageBody="kept")

    with pytest.raises(ClientError) as refused:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)

    assert refused.value.response["Error"]["Code"] == "ReceiptHandleIsInvalid"
    assert len(_held_queue(name)._messages) == 1


def test_receipt_handles_have_moto_s_shape_and_a_changed_letter_is_not_issued() -> None:
    handle = moto_memory.issue_receipt_handle()
    changed = handle[:10] + ("b" if handle[10] == "a" else "a") + handle[11:]

    assert len(handle) == moto_memory.RECEIPT_HANDLE_LENGTH and handle.isalpha() and handle.islower()
    assert moto_memory.was_issued(handle) and not moto_memory.was_issued(changed)


def _interpreter_threads() -> list[Any]:
    from moto.stepfunctions.parser import utils

    return list(utils.TMP_THREADS)


def test_the_interpreter_keeps_no_thread_of_an_ended_execution(
    emulation: Emulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an execution (a task state with a timeout, a Map and a Parallel: each starts threads) that ended
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "One", "States": {"One": {"Type": "Pass", "End": True}}},
                    {"StartAt": "Two", "States": {"Two": {"Type": "Pass", "End": True}}},
                ],
                "ResultPath": "$.fan",
                "Next": "Each",
            },
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
                "End": True,
            },
        },
    }
    first: list[threading.Thread] = []  # every thread the interpreter starts for it
    start = threading.Thread.start

    def recorded(thread: threading.Thread) -> None:
        if str(getattr(getattr(thread, "_target", None), "__module__", "")).startswith("moto.stepfunctions"):
            first.append(thread)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", recorded)
    assert emulation.run_machine(definition, {"items": [1, 2, 3]})["status"] == "SUCCEEDED"
    monkeypatch.setattr(threading.Thread, "start", start)
    assert len(first) >= 6  # the execution, two branches, three iterations
    wait_until(lambda: not any(thread.is_alive() for thread in first), 10, "the first execution's threads")

    # When another execution starts
    assert emulation.run_machine(definition, {"items": [4]})["status"] == "SUCCEEDED"

    # Then the interpreter holds none of the first one's threads: each that ended is let go
    held = _interpreter_threads()
    assert not [thread for thread in first if any(thread is kept for kept in held)]


def test_every_module_of_the_interpreter_adds_to_the_list_that_lets_ended_threads_go(
    emulation: Emulation,
) -> None:
    import sys

    holders = [
        name
        for name, module in list(sys.modules.items())
        if name.startswith("moto.") and isinstance(getattr(module, "TMP_THREADS", None), list)
    ]

    assert holders and all(
        type(sys.modules[name].TMP_THREADS) is moto_memory.RunningThreads for name in holders
    ), holders
