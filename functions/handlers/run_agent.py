"""One agent step of a run (one function per agent type; ``AGENT_TYPE`` says which)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core.errors import OrchestratorError
from orchestrator.core.observability import bind_run, logger, metrics, tracer
from orchestrator.core.records import StepTaskInput
from orchestrator.runs.step_runner import AgentRunner
from orchestrator.tenancy.acting import acting_for_tenant

start_function("run_agent")  # in Lambda: settings read and checked during init


def build_runner(container: Container, context: LambdaContext | None = None) -> AgentRunner:
    remaining = context.get_remaining_time_in_millis if context is not None else None
    return AgentRunner(
        runs=container.runs,
        results=container.step_results,
        command_log=container.command_log,
        workspace=container.workspace,
        publisher=container.publisher,
        provider_factory=container.provider,
        agent_type=container.settings.agent_type or None,
        vectors=container.vectors_if_configured,
        fetch=container.archive_fetcher(),
        gateway=container.gateway(remaining),
        prompts=container.prompts_if_configured,
        usage=container.aws_usage_so_far,
    )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handler(
    event: dict[str, Any],
    context: LambdaContext,
    runner: AgentRunner | None = None,
    container: Container | None = None,
) -> dict[str, Any]:
    container = container or deployed_container()
    task = StepTaskInput.model_validate(event)
    bind_run(task.tenant_id, task.run_id, task.correlation_id, step=task.step)
    metrics.add_dimension(name="agent", value=container.settings.agent_type or "unknown")
    try:
        with (
            container.metered(context),
            acting_for_tenant(task.tenant_id),  # tenant: from StartRun
            # the step's events: one request when it ends, or before its hard timeout
            container.publisher.batched(context.get_remaining_time_in_millis),
        ):
            summary = (runner or build_runner(container, context)).run(task)
    except OrchestratorError as exc:
        metrics.add_metric(name="StepFailed", unit=MetricUnit.Count, value=1)
        logger.warning("step failed", extra={"error": type(exc).__name__, "transient": exc.transient})
        raise
    metrics.add_metric(name="StepSucceeded", unit=MetricUnit.Count, value=1)
    logger.info("step completed", extra={"attempts": summary.attempts, "item": summary.item})
    return summary.model_dump(mode="json")
