"""Publishing lifecycle events (the envelope as detail) to the EventBridge bus."""

from __future__ import annotations

from typing import Any

from orchestrator.core.aws_errors import domain_error
from orchestrator.core.constants import EVENT_SOURCE
from orchestrator.core.errors import RepositoryError
from orchestrator.core.records import EventEnvelope


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
        from botocore.exceptions import BotoCoreError, ClientError

        entry = {
            "Source": EVENT_SOURCE,
            "DetailType": event.event_type,
            "Detail": event.model_dump_json(),
            "EventBusName": self._bus_name,
            "Resources": [],
        }
        try:
            response = self._events().put_events(Entries=[entry])
        except (ClientError, BotoCoreError) as exc:
            raise domain_error(f"publishing {event.event_type}", exc) from exc
        if response.get("FailedEntryCount"):
            failure = response["Entries"][0]
            raise RepositoryError(
                f"publishing {event.event_type} failed: "
                f"{failure.get('ErrorCode')} {failure.get('ErrorMessage')}"
            )
