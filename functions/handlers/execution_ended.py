"""Every end of a run's execution: gives the run's concurrent-run slot back, marks a run whose
execution ended FAILED, TIMED_OUT or ABORTED without recording it, and starts the tenant's oldest
queued runs while it has free slots (``orchestrator.runs.queue``).

Triggered by Step Functions' "Execution Status Change" events (default bus). The run's
references come from the execution's input, which the state machine was started with. A failure
is raised: Lambda retries the event (then dead-letters it), and the retry makes the pass again.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Json

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core.observability import bind_run, logger, tracer
from orchestrator.core.records import EndedExecution
from orchestrator.runs.queue import promote_due
from orchestrator.runs.status import reconcile_ended_execution
from orchestrator.tenancy.acting import acting_for_tenant

start_function("execution_ended")  # in Lambda: settings read and checked during init


class ExecutionStatusChange(BaseModel):
    """The detail of Step Functions' "Execution Status Change" event, the fields read here."""

    status: str
    input: Json[dict[str, Any]]  # the execution's input: the run's references
    error: str | None = None
    cause: str | None = None

    def ended(self) -> EndedExecution:
        """The run whose execution ended, and how (a status that is no end is refused)."""
        return EndedExecution.model_validate(
            self.input | {"status": self.status, "error": self.error, "cause": self.cause}
        )


class ExecutionEnded(EventBridgeModel):
    detail: ExecutionStatusChange


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_parser(model=ExecutionEnded)
def handler(
    event: ExecutionEnded, context: LambdaContext, container: Container | None = None
) -> dict[str, Any]:
    container = container or deployed_container()
    ended = event.detail.ended()
    bind_run(ended.tenant_id, ended.run_id, ended.correlation_id)
    with acting_for_tenant(ended.tenant_id):  # the execution's input, written by StartRun
        updated = reconcile_ended_execution(
            ended, runs=container.runs, publisher=container.publisher, tenants=container.tenants
        )
        started = promote_due(
            ended.tenant_id,
            tenants=container.tenants,
            runs=container.runs,
            starter=container.starter,
            publisher=container.publisher,
        )
    logger.info(
        "execution ended",
        extra={
            "execution_status": ended.status,
            "run_marked": updated is not None,
            "queued_runs_started": [run.run_id for run in started],
        },
    )
    return {
        "run_id": ended.run_id,
        "marked": updated is not None,
        "started_from_queue": [run.run_id for run in started],
    }
