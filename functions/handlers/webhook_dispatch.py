"""Delivers a lifecycle event to the webhook endpoints of its tenant that asked for its type:
each attempted at once, its retries scheduled on the retry state machine (``webhook_attempt``).

Triggered by the bus (the event types an endpoint may subscribe to). A failure is raised: Lambda
retries the event (then dead-letters it), and the retry resumes each delivery where it was.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core.bus_events import LifecycleEvent
from orchestrator.core.observability import bind_run, logger, tracer
from orchestrator.tenancy.acting import acting_for_tenant
from orchestrator.webhooks.delivery import dispatch

start_function("webhook_dispatch")  # in Lambda: settings read and checked during init

ATTEMPT_MARGIN_MS = 5_000  # what an attempt needs beyond its HTTP timeout (signing, two writes)


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
        statuses = dispatch(
            envelope,
            deliverer=container.webhook_deliverer,
            retries=container.webhook_retries,
            time_left_ms=context.get_remaining_time_in_millis,
            attempt_needs_ms=int(container.settings.webhook_timeout_seconds * 1000) + ATTEMPT_MARGIN_MS,
        )
    logger.info("webhook deliveries", extra={"event_type": envelope.event_type, "deliveries": statuses})
    return {"event_id": envelope.event_id, "deliveries": statuses}
