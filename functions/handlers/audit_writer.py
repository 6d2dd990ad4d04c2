"""Writes every lifecycle event on the bus to the audit table."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core.bus_events import LifecycleEvent
from orchestrator.core.observability import bind_run, logger, tracer
from orchestrator.runs.status import write_audit_event
from orchestrator.tenancy.acting import acting_for_tenant

start_function("audit_writer")  # in Lambda: settings read and checked during init


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_parser(model=LifecycleEvent)
def handler(
    event: LifecycleEvent, context: LambdaContext, container: Container | None = None
) -> dict[str, Any]:
    container = container or deployed_container()
    envelope = event.detail
    bind_run(envelope.tenant_id, envelope.run_id, envelope.correlation_id)
    with acting_for_tenant(envelope.tenant_id):  # an event only our own functions may put
        stored = write_audit_event(envelope, events=container.events)
    logger.info("audit event", extra={"event_type": envelope.event_type, "stored": stored})
    return {"event_id": envelope.event_id, "stored": stored}
