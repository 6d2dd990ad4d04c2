"""Posts each lifecycle event to the WebSocket connections subscribed to its run.

Fed by the bus through a FIFO queue (one message group) and read in batches in order: a failed
record stops the batch there, and it and every record after it come back in the same order
(Powertools' ``SqsFifoPartialProcessor``), so a run's events reach its clients in the order they
were put on the bus. A batch reads each of its tenants' subscribed connections once."""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core.observability import bind_run, logger
from orchestrator.core.records import EventEnvelope
from orchestrator.push.fanout import BatchSubscribers, push_event
from orchestrator.tenancy.acting import acting_for_tenant

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

start_function("push_events")  # in Lambda: settings read and checked during init


def envelope_of(record: SQSRecord) -> EventEnvelope:
    """The envelope of the bus event a record carries (its detail: an object, or JSON text)."""
    detail = json.loads(record.body)["detail"]
    return (
        EventEnvelope.model_validate_json(detail)
        if isinstance(detail, str)
        else EventEnvelope.model_validate(detail)
    )


def push_record(record: SQSRecord, container: Container, subscribers: BatchSubscribers) -> None:
    envelope = envelope_of(record)
    bind_run(envelope.tenant_id, envelope.run_id, envelope.correlation_id)
    with acting_for_tenant(envelope.tenant_id):  # an event only our own functions may put
        outcome = push_event(envelope, subscribers, container.connection_sender)
    logger.info(
        "event pushed",
        extra={
            "event_type": envelope.event_type,
            "delivered": outcome.delivered,
            "gone": outcome.gone,
            "failed": outcome.failed,
        },
    )


@logger.inject_lambda_context(clear_state=True)
def handler(
    event: dict[str, Any], context: LambdaContext, container: Container | None = None
) -> dict[str, Any]:
    processor = SqsFifoPartialProcessor()
    container = container or deployed_container()
    subscribers = BatchSubscribers(container.connections)  # each tenant's read once per batch
    return process_partial_response(  # type: ignore[return-value]
        event=event,
        record_handler=partial(push_record, container=container, subscribers=subscribers),
        processor=processor,
        context=context,
    )
