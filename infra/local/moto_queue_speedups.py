"""SQS deletes with less CPU, the same results (see ``moto_speedups``, whose ``install_all``
installs this too, and whose tests compare it with moto's own).

13. ``delete_message_batches_in_one_pass``: moto deletes each message of a ``DeleteMessageBatch``
    on its own, and each delete reads every message of the queue (twice in moto's own delete): a
    batch of ten from a queue holding a burst's backlog of a thousand messages compared tens of
    thousands of receipt handles. Here the queue's messages are read once per batch, into a table
    of every handle each message was ever received with, and the list is rebuilt once, without the
    batch's messages. A handle found there deletes its message as the queue's own delete does (its
    pending mark dropped; its handles kept as deleted where the queue's delete is moto's own, which
    keeps them, and not where the local cloud's replaces it, ``moto_memory``, which keeps nothing);
    any other handle (unknown, or of a message deleted already, in this batch or before) is answered
    by the queue's own delete, so a stale or unknown handle gets the answer it got before. The
    queue's message lock is held meanwhile, so a message sent during the delete is not lost.
"""

from __future__ import annotations

from typing import Any

from infra.local.moto_adapters import _original, _patch


def delete_message_batches_in_one_pass() -> None:
    from moto.sqs.exceptions import ReceiptHandleIsInvalid
    from moto.sqs.models import Queue, SQSBackend

    def delete_message_batch(
        self: Any, queue_name: str, receipts: list[dict[str, Any]]
    ) -> tuple[list[str], list[dict[str, Any]]]:
        queue = self.get_queue(queue_name)
        keeps_handles = Queue.delete_message is _original(Queue, "delete_message")  # moto's own delete
        success: list[str] = []
        errors: list[dict[str, Any]] = []
        with queue._messages_lock:
            index: dict[Any, Any] | None = None
            deleted: set[int] = set()
            listed = True  # the queue's list is without every message deleted so far

            def relist() -> None:
                queue._messages = [m for m in queue._messages if id(m) not in deleted]

            for receipt in receipts:
                handle = receipt["ReceiptHandle"]
                if index is None:
                    index = {h: m for m in queue._messages for h in m.all_receipt_handles}
                message = index.get(handle)
                if message is not None and id(message) not in deleted:
                    queue.pending_messages.discard(message)
                    if keeps_handles:
                        queue.deleted_messages.update(message.all_receipt_handles)
                    deleted.add(id(message))
                    listed = False
                    success.append(receipt["Id"])
                    continue
                if not listed:
                    relist()
                    listed = True
                try:  # unknown here: the queue's own delete answers it (stale, or invalid)
                    queue.delete_message(handle)
                    success.append(receipt["Id"])
                except ReceiptHandleIsInvalid:
                    errors.append(
                        {
                            "Id": receipt["Id"],
                            "SenderFault": True,
                            "Code": "ReceiptHandleIsInvalid",
                            "Message": f'The input receipt handle "{handle}" is not a valid receipt handle.',
                        }
                    )
            if not listed:
                relist()
        return success, errors

    _patch(SQSBackend, "delete_message_batch", delete_message_batch)


def install_all() -> None:
    delete_message_batches_in_one_pass()
