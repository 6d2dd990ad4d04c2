"""Marks a run whose execution ended FAILED, TIMED_OUT or ABORTED without recording it.

Triggered by Step Functions' "Execution Status Change" events (default bus). The run's
references come from the execution's input, which the state machine was started with.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core.observability import bind_run, logger, tracer
from orchestrator.core.records import EndedExecution
from orchestrator.runs.status import reconcile_ended_execution

start_function("execution_ended")  # in Lambda: settings read and checked during init


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(
    event: dict[str, Any], context: LambdaContext, container: Container | None = None
) -> dict[str, Any]:
    container = container or deployed_container()
    detail = event["detail"]
    ended = EndedExecution.model_validate(
        json.loads(detail["input"])
        | {"status": detail["status"], "error": detail.get("error"), "cause": detail.get("cause")}
    )
    bind_run(ended.tenant_id, ended.run_id, ended.correlation_id)
    updated = reconcile_ended_execution(
        ended, runs=container.runs, publisher=container.publisher, tenants=container.tenants
    )
    logger.info(
        "execution ended", extra={"execution_status": ended.status, "run_marked": updated is not None}
    )
    return {"run_id": ended.run_id, "marked": updated is not None}
