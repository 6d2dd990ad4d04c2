"""Records a run's lifecycle transitions (running, succeeded, compensating, compensated...)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core.observability import bind_run, logger, metrics, tracer
from orchestrator.core.records import RunStatusTaskInput
from orchestrator.runs.aws_costs import RunAccounting
from orchestrator.runs.status import record_status
from orchestrator.tenancy.acting import acting_for_tenant

start_function("run_status")  # in Lambda: settings read and checked during init


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handler(
    event: dict[str, Any], context: LambdaContext, container: Container | None = None
) -> dict[str, Any]:
    container = container or deployed_container()
    task = RunStatusTaskInput.model_validate(event)
    bind_run(task.tenant_id, task.run_id, task.correlation_id)
    accounting = RunAccounting(
        usage=container.aws_usage_so_far,
        prices=container.prices.aws,
        ledger=container.usage_ledger if container.settings.usage_table else None,
        memory=container.function_memory,
    )
    with container.metered(context), acting_for_tenant(task.tenant_id):  # tenant: from StartRun
        run = record_status(
            task,
            runs=container.runs,
            publisher=container.publisher,
            results=container.step_results,
            tenants=container.tenants,
            accounting=accounting,
        )
    metrics.add_dimension(name="status", value=run.status.value)
    metrics.add_metric(name="RunStatusChanged", unit=MetricUnit.Count, value=1)
    logger.info("run status recorded", extra={"status": run.status.value, "failed_step": run.failed_step})
    return {"status": run.status.value}
