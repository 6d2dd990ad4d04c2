"""Publishing lifecycle events (the envelope as detail) to the EventBridge bus.

Inside ``batched()`` the events of the invocation are held and sent together when it ends (or
when the code flushes them, after a side effect), up to ten entries a call
(``orchestrator.core.event_batch``); they go out whether the block ends normally or with an error
(a failed step's ``STEP_RETRYING``/``PHASE_FAILED`` included). Given the function's time left,
what is held goes out ``FLUSH_MARGIN_MS`` before its hard timeout, and later events at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from orchestrator.core import event_batch
from orchestrator.core.aws_errors import domain_error
from orchestrator.core.constants import EVENT_SOURCE
from orchestrator.core.errors import OrchestratorError, RepositoryError
from orchestrator.core.observability import logger
from orchestrator.core.records import EventEnvelope

FLUSH_MARGIN_MS = 2_000
"""Held events go out this long before the function's hard timeout (a ``PutEvents`` call, with
its retries, takes well under it)."""


class EventBridgePublisher:
    def __init__(self, bus_name: str, client: Any | None = None) -> None:
        self._bus_name = bus_name
        self._client = client

    def _events(self) -> Any:
        if self._client is None:
            from orchestrator.adapters.aws_clients import client

            self._client = client("events")
        return self._client

    def publish(self, event: EventEnvelope) -> None:
        entry = {
            "Source": EVENT_SOURCE,
            "DetailType": event.event_type,
            "Detail": event.model_dump_json(),
            "EventBusName": self._bus_name,
            "Resources": [],
        }
        if not event_batch.hold(entry):
            self._put([entry])

    @contextmanager
    def batched(self, remaining_ms: Callable[[], int] | None = None) -> Iterator[None]:
        """Hold the events published inside; send them when the block ends (an error sending
        them is raised after a normal end, logged after an error: the block's error goes on).
        ``remaining_ms`` (the Lambda context's time left): send them before the hard timeout."""
        deadline_in = None
        if remaining_ms is not None:
            deadline_in = (remaining_ms() - FLUSH_MARGIN_MS) / 1000
        with event_batch.holding(self._put_all, deadline_in=deadline_in, on_error=_log_lost) as batch:
            try:
                yield
            except BaseException:
                try:
                    batch.flush()
                except OrchestratorError:
                    logger.exception("events of a failed invocation were not published")
                raise
            batch.flush()

    def _put_all(self, entries: list[dict[str, Any]]) -> None:
        for start in range(0, len(entries), event_batch.MAX_ENTRIES):
            self._put(entries[start : start + event_batch.MAX_ENTRIES])

    def _put(self, entries: list[dict[str, Any]]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        kinds = ", ".join(entry["DetailType"] for entry in entries)
        try:
            response = self._events().put_events(Entries=entries)
        except (ClientError, BotoCoreError) as exc:
            raise domain_error(f"publishing {kinds}", exc) from exc
        if response.get("FailedEntryCount"):
            failed = [
                f"{entry['DetailType']}: {answer.get('ErrorCode')} {answer.get('ErrorMessage')}"
                for entry, answer in zip(entries, response.get("Entries", []), strict=False)
                if answer.get("ErrorCode")
            ]
            raise RepositoryError(f"publishing failed: {'; '.join(failed)}")


def _log_lost(exc: BaseException) -> None:
    logger.error("events held before the timeout were not published", exc_info=exc)
