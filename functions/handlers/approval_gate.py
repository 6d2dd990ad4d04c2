"""A run reached an approval gate: keep the task token, mark the run AWAITING_APPROVAL.

Invoked with ``.waitForTaskToken``: the execution waits until the API sends the decision
(or the gate's timeout passes). The token is stored, never logged and never returned. At a
gate's reminder or escalation the same function re-arms it with a new token; at its deadline
it may take the gate's default decision (``orchestrator.runs.gate_deadlines``).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core.observability import bind_run, logger, tracer
from orchestrator.core.records import ApprovalTaskInput
from orchestrator.runs.control import open_gate
from orchestrator.runs.gate_deadlines import decide_by_default, rearm
from orchestrator.tenancy.acting import acting_for_tenant

start_function("approval_gate")  # in Lambda: settings read and checked during init


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(
    event: dict[str, Any], context: LambdaContext, container: Container | None = None
) -> dict[str, Any]:
    container = container or deployed_container()
    task = ApprovalTaskInput.model_validate(event)
    bind_run(task.tenant_id, task.run_id, task.correlation_id, step=task.step)
    with acting_for_tenant(task.tenant_id):  # the state machine's input, written by StartRun
        runs, results, publisher = container.runs, container.step_results, container.publisher
        if task.action == "open":
            outcome = open_gate(task, runs=runs, results=results, publisher=publisher)
        elif task.action == "decide_by_default":
            outcome = decide_by_default(task, runs=runs, results=results, publisher=publisher)
        else:  # a reminder or an escalation: the gate waits on with this task's token
            outcome = rearm(
                task, runs=runs, results=results, publisher=publisher, tokens=container.task_tokens
            )
    logger.info("approval gate", extra=outcome | {"action": task.action})
    return outcome
