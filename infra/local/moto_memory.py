"""Adaptations of moto that hold less memory for the same answers (moto pinned: see pyproject).
Installed with the others of ``moto_adapters`` (whose ``restore_all`` undoes them).

1. ``record_no_model_instances``: moto's ``BaseModel`` records every instance of every model
   class it ever makes, for its debug listing (``/moto-api/data.json``), and releases none until a
   reset: every SQS message ever sent (its body with it), every role session a function's
   invocation assumed, every object version ever written. Nothing is recorded here; the backends
   still hold every resource they have (only that debug listing lacks them).
2. ``forget_deleted_messages``: a deleted SQS message leaves all its receipt handles (185
   characters each, one per receipt) in its queue's ``deleted_messages`` forever, so that deleting
   it again succeeds as on SQS. Here a receipt handle carries a checksum of itself: one the queue
   no longer holds a message for deletes nothing and succeeds when the emulation issued it (the
   message was deleted, as SQS answers a stale handle), and is refused as invalid otherwise, as
   before; nothing is kept of a deleted message.
3. ``keep_only_running_interpreter_threads``: moto's Step Functions interpreter appends every thread
   it starts (one per execution, per task state with a timeout, per Map iteration, per Parallel
   branch, per task token wait) to a module list, ``TMP_THREADS``, that nothing in moto reads or
   empties: about 12 ended ``Thread`` objects (each with its lock, condition and event) per run,
   kept for the process's life. Here that list drops the threads that have ended whenever one is
   added, so it holds the running ones (and those ended since the last start), not every one.
4. ``packed_items.pack_items``: DynamoDB items no request is using held as their JSON text (see
   that module).

``tests/local_cloud/test_moto_memory.py`` checks the answers and what is held.
"""

from __future__ import annotations

import hashlib
import random
import string
import threading
from typing import Any

from infra.local import packed_items
from infra.local.moto_adapters import _patch

# --- 1. no record of every model instance ----------------------------------------------------------


def record_no_model_instances() -> None:
    from moto.core.common_models import BaseModel

    def __new__(cls: Any, *args: Any, **kwargs: Any) -> Any:
        return super(BaseModel, cls).__new__(cls)  # the next class's, as moto's own does

    _patch(BaseModel, "__new__", staticmethod(__new__))


# --- 2. receipt handles that tell they were issued, instead of a set of every deleted one ----------
RECEIPT_HANDLE_LENGTH = 185  # as moto's (``moto.sqs.utils.generate_receipt_handle``)
_CHECKSUM_LENGTH = 32
_LETTERS = string.ascii_lowercase


def _checksum(body: str) -> str:
    digest = hashlib.blake2b(body.encode(), digest_size=_CHECKSUM_LENGTH, person=b"local-sqs").digest()
    return "".join(_LETTERS[byte % len(_LETTERS)] for byte in digest)


def issue_receipt_handle() -> str:
    """A receipt handle as moto's (185 lowercase letters), its last 32 a checksum of the others."""
    body = "".join(random.choices(_LETTERS, k=RECEIPT_HANDLE_LENGTH - _CHECKSUM_LENGTH))
    return body + _checksum(body)


def was_issued(receipt_handle: str) -> bool:
    """Whether ``issue_receipt_handle`` made ``receipt_handle`` (in this process or another)."""
    if len(receipt_handle) != RECEIPT_HANDLE_LENGTH:
        return False
    body, checksum = receipt_handle[:-_CHECKSUM_LENGTH], receipt_handle[-_CHECKSUM_LENGTH:]
    return _checksum(body) == checksum


def forget_deleted_messages() -> None:
    from moto.sqs import models
    from moto.sqs.exceptions import ReceiptHandleIsInvalid

    _patch(models, "generate_receipt_handle", issue_receipt_handle)

    def delete_message(self: Any, receipt_handle: str) -> None:
        with self._messages_lock:  # two deletes at once must not each put back what the other took
            deleted = [message for message in self._messages if message.had_receipt_handle(receipt_handle)]
            if deleted:
                for message in deleted:
                    self.pending_messages.discard(message)
                gone = {id(message) for message in deleted}
                self._messages = [message for message in self._messages if id(message) not in gone]
                return
        if receipt_handle in self.deleted_messages or was_issued(receipt_handle):
            return  # deleted already: SQS answers a stale receipt handle with success
        raise ReceiptHandleIsInvalid()

    _patch(models.Queue, "delete_message", delete_message)


# --- 3. the interpreter's list of its threads, without the ended ones ------------------------------
INTERPRETER_THREAD_LISTS = (
    "moto.stepfunctions.parser.utils",
    "moto.stepfunctions.parser.backend.execution_worker",
    "moto.stepfunctions.parser.asl.component.program.program",
    "moto.stepfunctions.parser.asl.component.test_state.program.test_state_program",
    "moto.stepfunctions.parser.asl.component.state.exec.execute_state",
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.inline_iteration_component",
    "moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branch_worker",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback",
)
"""The modules of moto's interpreter that import ``TMP_THREADS`` (each holds the list by name)."""


class RunningThreads(list[threading.Thread]):
    """A list of threads that drops the ended ones each time one is added."""

    def __init__(self, threads: list[threading.Thread] | None = None) -> None:
        super().__init__(thread for thread in threads or [] if thread.is_alive())
        self._lock = threading.Lock()

    def append(self, thread: threading.Thread) -> None:
        with self._lock:  # two starts at once must not each drop what the other added
            self[:] = [running for running in self if running.is_alive()]
            super().append(thread)


def keep_only_running_interpreter_threads() -> None:
    import importlib

    modules = [importlib.import_module(name) for name in INTERPRETER_THREAD_LISTS]
    running = RunningThreads(modules[0].TMP_THREADS)
    for module in modules:
        _patch(module, "TMP_THREADS", running)


def install_all() -> None:
    """Every adaptation above (``moto_adapters.restore_all`` undoes them)."""
    record_no_model_instances()
    forget_deleted_messages()
    keep_only_running_interpreter_threads()
    packed_items.pack_items()
