"""Before a map step: write the item manifest; short lists also come back inline."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator import wiring
from orchestrator.core.observability import bind_run, logger, tracer
from orchestrator.core.records import StepTaskInput
from orchestrator.core.settings import get_settings
from orchestrator.runs.map_manifest import prepare_map


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = StepTaskInput.model_validate(event)
    bind_run(task.tenant_id, task.run_id, task.correlation_id, step=task.step)
    prepared = prepare_map(
        task,
        runs=wiring.runs(),
        results=wiring.step_results(),
        workspace=wiring.workspace(),
        bucket=get_settings().require("workspace_bucket").workspace_bucket,
    )
    logger.info("map prepared", extra={"count": prepared["count"], "inline": prepared["inline"]})
    return prepared
