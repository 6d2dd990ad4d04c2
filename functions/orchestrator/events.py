"""Publishing lifecycle events (envelope as detail) to the EventBridge bus."""

from __future__ import annotations

import json
from typing import Any, Protocol

from orchestrator.aws_errors import domain_error
from orchestrator.constants import EVENT_SOURCE
from orchestrator.errors import RepositoryError
from orchestrator.models import EventEnvelope


class EventPublisher(Protocol):
    def publish(self, event: EventEnvelope) -> None: ...


class EventBridgePublisher:
    def __init__(self, bus_name: str, client: Any | None = None) -> None:
        self._bus_name = bus_name
        self._client = client

    def _events(self) -> Any:
        if self._client is None:
            from orchestrator.aws import client

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


def envelope_from_eventbridge(event: dict[str, Any]) -> EventEnvelope:
    """The envelope carried by an EventBridge event (detail may arrive as a string)."""
    detail = event.get("detail", {})
    if isinstance(detail, str):
        detail = json.loads(detail)
    return EventEnvelope.model_validate(detail)
