"""One phase of a run (one function per agent type; ``PHASE_NAME`` says which)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator import wiring
from orchestrator.errors import OrchestratorError
from orchestrator.models import PhaseTaskInput
from orchestrator.observability import bind_run, logger, metrics, tracer
from orchestrator.phase_runner import PhaseRunner


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = PhaseTaskInput.model_validate(event)
    bind_run(task.tenant_id, task.run_id, task.correlation_id, phase=task.phase)
    runner = PhaseRunner(
        runs=wiring.runs(),
        results=wiring.phase_results(),
        publisher=wiring.publisher(),
        provider_factory=wiring.provider,
    )
    metrics.add_dimension(name="phase", value=task.phase)
    try:
        summary = runner.run(task)
    except OrchestratorError as exc:
        metrics.add_metric(name="PhaseFailed", unit=MetricUnit.Count, value=1)
        logger.warning("phase failed", extra={"error": type(exc).__name__, "transient": exc.transient})
        raise
    metrics.add_metric(name="PhaseSucceeded", unit=MetricUnit.Count, value=1)
    logger.info("phase completed", extra={"attempts": summary.attempts, "provider": summary.provider})
    return summary.model_dump(mode="json")
