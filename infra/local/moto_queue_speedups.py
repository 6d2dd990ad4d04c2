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
14. ``read_queue_attributes_one_by_one``: moto's ``Queue.attributes`` computes every attribute of
    the queue, the approximate counts included (each a walk over every message), and moto reads it
    to learn one setting: four times per message sent to a FIFO queue (``ContentBasedDeduplication``)
    and three times per message received (``MessageRetentionPeriod``, through
    ``get_queue_attributes``). With a burst's backlog of a thousand messages in the push queue, a
    send cost 160 ms of CPU and a receive of ten more than a second. Here ``attributes`` is a
    read-only mapping with the same names in the same order, each value computed as moto computes
    it when it is read; ``GetQueueAttributes`` answers the same.
15. ``wait_for_a_deliverable_message``: a long poll with nothing to give waits in moto until a
    message is *visible*; but in a FIFO queue whose message group has a batch in flight, the
    group's next messages are visible and not deliverable, so the wait returned at once and the
    receive walked the queue again, for the whole poll: a poller spun a core for a second at a
    time while the other poller's batch was being handled. Here the wait lasts until a message
    could be delivered (visible, not delayed, its group not in flight) or the poll ends, and a
    delete or a change of visibility wakes the waiting polls as a send does. Each look at the queue
    is moto's own receive without a wait, so it sees the groups in flight as they are then (moto's
    waiting receive keeps those of its start, and would not give a group freed meanwhile), and
    holds the queue's lock: two of moto's receives at once could each find a group free and each
    take a batch of it, out of order.
16. ``read_the_clock_directly``: SQS reads the clock for every message it looks at (is it visible?
    delayed?) through moto's ``unix_time``, which builds two datetimes and subtracts them: 20 us
    a reading, 20 ms to look through a backlog of a thousand messages at each receive. Here the
    queue's clock is ``time.time()``, the same seconds (moto's are the same clock, to the
    microsecond), read in a tenth of a microsecond; a datetime given to it is converted as moto does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
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
            queue._messages_lock.notify_all()  # a poll waiting on a group in flight may go on now
        return success, errors

    _patch(SQSBackend, "delete_message_batch", delete_message_batch)


class QueueAttributes(Mapping[str, Any]):
    """A queue's attributes as moto's ``Queue.attributes`` gives them, each computed when read."""

    __slots__ = ("_names", "_queue")

    def __init__(self, queue: Any) -> None:
        self._queue = queue
        names = list(queue.BASE_ATTRIBUTES)
        if queue.fifo_queue:
            names += queue.FIFO_ATTRIBUTES
        if queue.kms_master_key_id:
            names += queue.KMS_ATTRIBUTES
        self._names = names

    def __getitem__(self, name: str) -> Any:
        import json

        from moto.core.utils import camelcase_to_underscores

        if name not in self._names:
            raise KeyError(name)
        queue = self._queue
        if name == "RedrivePolicy" and queue.redrive_policy:
            return json.dumps(queue.redrive_policy)
        value = getattr(queue, camelcase_to_underscores(name))
        return str(value).lower() if isinstance(value, bool) else value

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def read_queue_attributes_one_by_one() -> None:
    from moto.sqs.models import Queue

    _patch(Queue, "attributes", property(QueueAttributes))


def _has_deliverable_message(queue: Any) -> bool:
    """Whether a receive would find a message to give: visible and not delayed and, in a FIFO
    queue, of a group with no message in flight (a message in flight whose visibility has ended
    is no longer in flight: moto's receive takes it back, as here)."""
    now = time.time() * 1000.0  # the queues' clock (``read_the_clock_directly``), read once
    busy = {m.group_id for m in queue.pending_messages if m.group_id is not None and now <= m.visible_at}
    fifo = queue.fifo_queue
    return any(
        now > m.visible_at and now >= m.delayed_until and not (fifo and m.group_id and m.group_id in busy)
        for m in queue._messages
    )


def wait_for_a_deliverable_message() -> None:
    from moto.core.utils import unix_time
    from moto.sqs.models import SQSBackend

    receive = _original(SQSBackend, "receive_message")

    def receive_message(
        self: Any,
        queue_name: str,
        count: int,
        wait_seconds_timeout: int,
        visibility_timeout: int,
        message_attribute_names: list[str] | None = None,
    ) -> list[Any]:
        queue = self.get_queue(queue_name)
        deadline = unix_time() + wait_seconds_timeout
        with queue._messages_lock:  # one receive looks at the queue at a time: a FIFO group stays in order
            while True:  # moto's own receive, without its wait: one look at the queue as it is now
                messages: list[Any] = receive(
                    self, queue_name, count, 0, visibility_timeout, message_attribute_names
                )
                left = deadline - unix_time()
                if messages or left <= 0:
                    return messages
                queue._messages_lock.wait_for(lambda: _has_deliverable_message(queue), timeout=min(left, 1))

    def waking_the_polls(name: str) -> Any:
        original = _original(SQSBackend, name)

        def changed(self: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
            try:
                return original(self, queue_name, *args, **kwargs)
            finally:
                queue = self.queues.get(queue_name)
                if queue is not None:
                    with queue._messages_lock:
                        queue._messages_lock.notify_all()

        return changed

    _patch(SQSBackend, "receive_message", receive_message)
    for name in ("delete_message", "change_message_visibility"):  # a batch of deletes wakes them itself
        _patch(SQSBackend, name, waking_the_polls(name))


def read_the_clock_directly() -> None:
    from moto.sqs import models

    moto_seconds = _original(models, "unix_time")

    def unix_time(dt: Any = None) -> float:
        return time.time() if dt is None else float(moto_seconds(dt))

    def unix_time_millis(dt: Any = None) -> float:
        return unix_time(dt) * 1000.0

    _patch(models, "unix_time", unix_time)
    _patch(models, "unix_time_millis", unix_time_millis)


def install_all() -> None:
    delete_message_batches_in_one_pass()
    read_the_clock_directly()
    read_queue_attributes_one_by_one()
    wait_for_a_deliverable_message()
