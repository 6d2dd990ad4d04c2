"""Starts a run when an ``OrchestrationRequested`` event arrives on the bus.

The tenant is the one the event's source names (``orchestrator.tenant.<tenant id>``), a source
the bus's resource policy lets only that tenant's producers use. The detail is
``{"template": ..., "topic": ..., "options": {...}}``; a ``tenant_id`` in it must be the same
tenant, else nothing starts and the refusal is audited (``RUN_REQUEST_REFUSED``); so is a request
of a disabled tenant, and one whose topic the safety policy refuses (its categories and deciding
layer in the event, never the text). A run past its tenant's concurrent-run limit is queued
(``QUEUED``) and starts when a slot frees, like one posted to the API; only a full queue raises
``TenantLimitReached``: the event is retried later (Lambda's asynchronous retries), then
dead-lettered. A redelivered event starts nothing new: the run id is derived from the event id.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core import constants
from orchestrator.core.errors import SafetyViolation
from orchestrator.core.events import RunIds, new_envelope
from orchestrator.core.ids import run_id_for_event
from orchestrator.core.observability import bind_run, logger, tracer
from orchestrator.core.records import RunRequest, new_id, validate_tenant_id
from orchestrator.runs.start import start_run
from orchestrator.tenancy.acting import acting_for_tenant
from orchestrator.tenancy.plans import TenantNotActive

start_function("start_run")  # in Lambda: settings read and checked during init


class OrchestrationRequested(RunRequest):
    tenant_id: str | None = None
    correlation_id: str | None = Field(default=None, max_length=128)
    requested_by: str | None = Field(default=None, max_length=128)


class OrchestrationRequestedEvent(EventBridgeModel):
    detail: OrchestrationRequested


class RequestRefused(Exception):
    """An event that must not start a run (it is audited, not retried)."""


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_parser(model=OrchestrationRequestedEvent)
def handler(
    received: OrchestrationRequestedEvent, context: LambdaContext, container: Container | None = None
) -> dict[str, Any]:
    container = container or deployed_container()
    detail = received.detail
    if not received.source.startswith(constants.TENANT_SOURCE_PREFIX):
        # the rule only routes tenant sources here: anything else is a misrouted event
        raise RequestRefused(f"source {received.source!r} is not a tenant's source")
    tenant_id = validate_tenant_id(received.source.removeprefix(constants.TENANT_SOURCE_PREFIX))
    correlation_id = detail.correlation_id or new_id()
    run_id = run_id_for_event(received.id, int(received.time.timestamp() * 1000))
    bind_run(tenant_id, run_id, correlation_id, trigger="event")
    if detail.tenant_id is not None and detail.tenant_id != tenant_id:
        reason = f"the event names tenant {detail.tenant_id!r} but comes from {received.source!r}"
        return _refuse(container, received, tenant_id, run_id, correlation_id, reason)
    try:
        with acting_for_tenant(tenant_id):  # the source the bus lets only this tenant's producers use
            run = start_run(
                tenant_id=tenant_id,
                request=RunRequest(template=detail.template, topic=detail.topic, options=detail.options),
                correlation_id=correlation_id,
                runs=container.runs,
                starter=container.starter,
                allowed_providers=container.settings.available_providers,
                publisher=container.publisher,
                created_by=detail.requested_by or f"event:{received.id}",
                run_id=run_id,
                planner=container.planner,
                tenants=container.tenants,  # a full queue raises: the event is retried, then dead-lettered
            )
    except TenantNotActive as exc:  # disabled or never onboarded: audited, not retried
        return _refuse(container, received, tenant_id, run_id, correlation_id, str(exc))
    except SafetyViolation as exc:  # a retry would be refused again: audited, not retried
        return _refuse(container, received, tenant_id, run_id, correlation_id, str(exc), exc.audit)
    logger.info("run started from event", extra={"status": run.status.value})  # or QUEUED
    return {"run_id": run.run_id, "status": run.status.value}


def _refuse(
    container: Container,
    received: OrchestrationRequestedEvent,
    tenant_id: str,
    run_id: str,
    correlation_id: str,
    reason: str,
    safety: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Nothing starts; the refusal is audited under the source's tenant (``RUN_REQUEST_REFUSED``)."""
    logger.warning("run request refused", extra={"reason": reason, "event_id": received.id})
    named = received.detail.tenant_id
    payload: dict[str, Any] = {"reason": reason, "event_id": received.id}
    payload |= {"named_tenant": named[:128]} if named else {}
    payload |= {"safety": safety} if safety else {}
    container.publisher.publish(
        new_envelope(
            constants.RUN_REQUEST_REFUSED,
            RunIds(tenant_id=tenant_id, run_id=run_id, correlation_id=correlation_id),
            payload=payload,
        )
    )
    return {"run_id": None, "status": "REFUSED", "reason": reason}
