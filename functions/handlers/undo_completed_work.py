"""One round of compensation: undo the run's completed work, newest first
(``orchestrator.runs.compensation``)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core.observability import bind_run, logger, tracer
from orchestrator.runs.compensation import UndoTaskInput, undo_round
from orchestrator.tenancy.acting import acting_for_tenant

SAFETY_MARGIN_MS = 10_000

start_function("undo_completed_work")  # in Lambda: settings read and checked during init


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(
    event: dict[str, Any], context: LambdaContext, container: Container | None = None
) -> dict[str, Any]:
    container = container or deployed_container()
    task = UndoTaskInput.model_validate(event)
    bind_run(task.tenant_id, task.run_id, task.correlation_id)
    budget_ms = max(1_000, context.get_remaining_time_in_millis() - SAFETY_MARGIN_MS)
    with acting_for_tenant(task.tenant_id):  # the state machine's input, written by StartRun
        outcome = undo_round(
            task,
            runs=container.runs,
            results=container.step_results,
            command_log=container.command_log,
            workspace=container.workspace,
            publisher=container.publisher,
            time_budget_seconds=budget_ms / 1000,
            vectors=container.vectors_if_configured,
        )
    logger.info("compensation round", extra=outcome)
    return outcome
