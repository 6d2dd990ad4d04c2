"""Writes every lifecycle event on the bus to the audit table.

Fed by the bus through the audit queue and read in batches (up to ``AUDIT_BATCH_SIZE`` events per
invocation, ``infra/cdk/constructs/event_bus.py``): each record's body is the bus event. A record
that cannot be stored (a malformed event, a failed write) is reported back alone (Powertools'
``BatchProcessor``), so only it comes back, until the queue hands it to the dead-letter queue; a
redelivered event is stored once."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core.bus_events import LifecycleEvent
from orchestrator.core.observability import bind_run, logger, tracer
from orchestrator.runs.status import write_audit_event
from orchestrator.tenancy.acting import acting_for_tenant

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

start_function("audit_writer")  # in Lambda: settings read and checked during init


def audit_record(record: SQSRecord, container: Container) -> dict[str, Any]:
    """Store the bus event ``record`` carries (a ``ValidationError`` names what is wrong with it)."""
    envelope = LifecycleEvent.model_validate_json(record.body).detail
    bind_run(envelope.tenant_id, envelope.run_id, envelope.correlation_id)
    with acting_for_tenant(envelope.tenant_id):  # an event only our own functions may put
        stored = write_audit_event(envelope, events=container.events)
    logger.info("audit event", extra={"event_type": envelope.event_type, "stored": stored})
    return {"event_id": envelope.event_id, "stored": stored}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(
    event: dict[str, Any], context: LambdaContext, container: Container | None = None
) -> dict[str, Any]:
    return process_partial_response(  # type: ignore[return-value]
        event=event,
        record_handler=partial(audit_record, container=container or deployed_container()),
        processor=BatchProcessor(event_type=EventType.SQS),
        context=context,
    )
