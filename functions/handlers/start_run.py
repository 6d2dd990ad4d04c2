"""Starts a run when an ``OrchestrationRequested`` event arrives on the bus.

The event's detail is ``{"tenant_id": ..., "template": ..., "topic": ..., "options": {...}}``
(tenant from the trusted producer, not from an end user). A redelivered event starts
nothing new: the run id is derived from the event id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from orchestrator import wiring
from orchestrator.ids import run_id_for_event
from orchestrator.models import RunRequest, new_id, validate_tenant_id
from orchestrator.observability import bind_run, logger, tracer
from orchestrator.run_service import StepFunctionsStarter, start_run
from orchestrator.settings import get_settings


class OrchestrationRequested(RunRequest):
    tenant_id: str
    correlation_id: str | None = Field(default=None, max_length=128)
    requested_by: str | None = Field(default=None, max_length=128)


class EventBridgeEvent(BaseModel):
    id: str
    time: datetime
    detail: OrchestrationRequested


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    received = EventBridgeEvent.model_validate(event)
    detail = received.detail
    tenant_id = validate_tenant_id(detail.tenant_id)
    correlation_id = detail.correlation_id or new_id()
    run_id = run_id_for_event(received.id, int(received.time.timestamp() * 1000))
    bind_run(tenant_id, run_id, correlation_id, trigger="event")
    run = start_run(
        tenant_id=tenant_id,
        request=RunRequest(template=detail.template, topic=detail.topic, options=detail.options),
        correlation_id=correlation_id,
        runs=wiring.runs(),
        starter=StepFunctionsStarter(get_settings().state_machines),
        allowed_providers=get_settings().available_providers,
        publisher=wiring.publisher(),
        created_by=detail.requested_by or f"event:{received.id}",
        run_id=run_id,
    )
    logger.info("run started from event", extra={"status": run.status.value})
    return {"run_id": run.run_id, "status": run.status.value}
