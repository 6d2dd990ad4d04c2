"""One attempt of a webhook delivery, as a task of the retry state machine: its answer says whether
the delivery is done (delivered or dead-lettered) or how long to wait before the next attempt."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core.observability import logger, tracer
from orchestrator.tenancy.acting import acting_for_tenant

start_function("webhook_attempt")  # in Lambda: settings read and checked during init


class AttemptTask(BaseModel):
    """The retry state machine's state: which delivery, written by the dispatch function."""

    model_config = ConfigDict(extra="ignore")

    tenant_id: str
    endpoint_id: str
    delivery_id: str
    round: int = Field(0, ge=0)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_parser(model=AttemptTask)
def handler(event: AttemptTask, context: LambdaContext, container: Container | None = None) -> dict[str, Any]:
    container = container or deployed_container()
    logger.append_keys(
        tenant_id=event.tenant_id, endpoint_id=event.endpoint_id, delivery_id=event.delivery_id
    )
    with acting_for_tenant(event.tenant_id):  # the state machine's input, written by the dispatch function
        outcome = container.webhook_deliverer.attempt(event.tenant_id, event.endpoint_id, event.delivery_id)
    logger.info("webhook attempt", extra={"status": outcome.status, "delay_seconds": outcome.delay_seconds})
    return event.model_dump() | {
        "round": event.round + 1,
        "done": outcome.done,
        "status": outcome.status,
        "delay_seconds": outcome.delay_seconds or 0,
    }
