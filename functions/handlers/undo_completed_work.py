"""One round of compensation: undo the run's completed work, newest first
(``orchestrator.runs.compensation``)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator import wiring
from orchestrator.core.observability import bind_run, logger, tracer
from orchestrator.runs.compensation import UndoTaskInput, undo_round

SAFETY_MARGIN_MS = 10_000


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = UndoTaskInput.model_validate(event)
    bind_run(task.tenant_id, task.run_id, task.correlation_id)
    budget_ms = max(1_000, context.get_remaining_time_in_millis() - SAFETY_MARGIN_MS)
    outcome = undo_round(
        task,
        runs=wiring.runs(),
        results=wiring.step_results(),
        command_log=wiring.command_log(),
        workspace=wiring.workspace(),
        publisher=wiring.publisher(),
        time_budget_seconds=budget_ms / 1000,
        vectors=wiring.vectors_if_configured(),
    )
    logger.info("compensation round", extra=outcome)
    return outcome
