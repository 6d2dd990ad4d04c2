"""Undo one completed phase of a failed run (a step of the compensation chain)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator import wiring
from orchestrator.lifecycle import compensate_phase
from orchestrator.models import PhaseTaskInput
from orchestrator.observability import bind_run, logger, tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = PhaseTaskInput.model_validate(event)
    bind_run(task.tenant_id, task.run_id, task.correlation_id, phase=task.phase)
    outcome = compensate_phase(
        task, runs=wiring.runs(), results=wiring.phase_results(), publisher=wiring.publisher()
    )
    logger.info("phase compensation", extra=outcome)
    return outcome
