"""Records a run's lifecycle transitions (running, succeeded, compensating, compensated...)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator import wiring
from orchestrator.core.observability import bind_run, logger, metrics, tracer
from orchestrator.core.records import RunStatusTaskInput
from orchestrator.runs.status import record_status


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = RunStatusTaskInput.model_validate(event)
    bind_run(task.tenant_id, task.run_id, task.correlation_id)
    run = record_status(
        task,
        runs=wiring.runs(),
        publisher=wiring.publisher(),
        results=wiring.step_results(),
        tenants=wiring.tenants(),
    )
    metrics.add_dimension(name="status", value=run.status.value)
    metrics.add_metric(name="RunStatusChanged", unit=MetricUnit.Count, value=1)
    logger.info("run status recorded", extra={"status": run.status.value, "failed_step": run.failed_step})
    return {"status": run.status.value}
