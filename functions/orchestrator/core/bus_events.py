"""The bus events our own functions consume, as Powertools parser models."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import field_validator

from orchestrator.core.records import EventEnvelope


class LifecycleEvent(EventBridgeModel):
    """A lifecycle event of this product's bus: its detail is the envelope (JSON text accepted)."""

    detail: EventEnvelope

    @field_validator("detail", mode="before")
    @classmethod
    def _detail_from_json(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value
