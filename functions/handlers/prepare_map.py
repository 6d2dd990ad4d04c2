"""Before a map step: write the item manifest; short lists also come back inline."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core.observability import bind_run, logger, tracer
from orchestrator.core.records import StepTaskInput
from orchestrator.runs.map_manifest import prepare_map
from orchestrator.tenancy.acting import acting_for_tenant

start_function("prepare_map")  # in Lambda: settings read and checked during init


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(
    event: dict[str, Any], context: LambdaContext, container: Container | None = None
) -> dict[str, Any]:
    container = container or deployed_container()
    task = StepTaskInput.model_validate(event)
    bind_run(task.tenant_id, task.run_id, task.correlation_id, step=task.step)
    with acting_for_tenant(task.tenant_id):  # the state machine's input, written by StartRun
        prepared = prepare_map(
            task,
            runs=container.runs,
            results=container.step_results,
            workspace=container.workspace,
            bucket=container.settings.workspace_bucket,
        )
    logger.info("map prepared", extra={"count": prepared["count"], "inline": prepared["inline"]})
    return prepared
