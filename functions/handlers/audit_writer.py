"""Writes every lifecycle event on the bus to the audit table.

Fed by the bus through the audit queue and read in batches (up to ``AUDIT_BATCH_SIZE`` events per
invocation, ``infra/cdk/constructs/event_bus.py``): each record's body is the bus event. The batch's
events are written with as few requests as DynamoDB allows (``BatchWriteItem``), each tenant's as
that tenant; a record that is not a lifecycle event, and the records of a tenant whose write
failed, are reported back (a partial batch response), so only they come back, until the queue
hands them to the dead-letter queue. A redelivered event is stored once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.data_classes import SQSEvent
from pydantic import ValidationError

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core.bus_events import LifecycleEvent
from orchestrator.core.observability import bind_run, logger, tracer
from orchestrator.core.records import EventEnvelope
from orchestrator.runs.status import write_audit_events
from orchestrator.tenancy.acting import acting_for_tenant

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

start_function("audit_writer")  # in Lambda: settings read and checked during init

Received = list[tuple[str, EventEnvelope]]  # (message id, its event)


def store(tenant_id: str, received: Received, container: Container) -> list[str]:
    """Write one tenant's events (acting for it); the message ids of those not stored."""
    envelopes = [envelope for _, envelope in received]
    try:
        with acting_for_tenant(tenant_id):  # events only our own functions may put
            write_audit_events(envelopes, events=container.events)
    except Exception:  # this tenant's records come back; the other tenants' are stored
        logger.exception("audit events not stored", extra={"tenant_id": tenant_id, "events": len(envelopes)})
        return [message_id for message_id, _ in received]
    for envelope in envelopes:
        bind_run(envelope.tenant_id, envelope.run_id, envelope.correlation_id)
        logger.info("audit event", extra={"event_type": envelope.event_type, "event_id": envelope.event_id})
    return []


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(
    event: dict[str, Any], context: LambdaContext, container: Container | None = None
) -> dict[str, Any]:
    container = container or deployed_container()
    failed: list[str] = []
    by_tenant: dict[str, Received] = {}
    for record in SQSEvent(event).records:
        try:
            envelope = LifecycleEvent.model_validate_json(record.body).detail
        except ValidationError as exc:
            logger.error("not a lifecycle event", extra={"message_id": record.message_id, "error": str(exc)})
            failed.append(record.message_id)
            continue
        by_tenant.setdefault(envelope.tenant_id, []).append((record.message_id, envelope))
    for tenant_id, received in by_tenant.items():
        failed += store(tenant_id, received, container)
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
