"""Publishing lifecycle events (envelope as detail) to the EventBridge bus."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.core.records import EventEnvelope


def envelope_from_eventbridge(event: dict[str, Any]) -> EventEnvelope:
    """The envelope carried by an EventBridge event (detail may arrive as a string)."""
    detail = event.get("detail", {})
    if isinstance(detail, str):
        detail = json.loads(detail)
    return EventEnvelope.model_validate(detail)
