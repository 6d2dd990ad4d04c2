"""One Standard state machine per template, generated from the template declaration.

Shape (state names are what operators see in the console)::

    Start run -> <Phase 1> -> ... -> <Phase n> -> Finish run -> Run succeeded
                     | Catch (States.ALL, original input kept in $.error)
                     v
    Record failure at <Phase k> -> Undo <Phase k> -> Undo <Phase k-1> -> ... -> Undo <Phase 1>
        -> Mark run compensated -> Run compensated (Fail)
    any Undo fails -> Mark compensation failed -> Compensation failed (Fail)

The chain starts at the failed phase itself: an attempt that stored its result and then
failed (publishing, timeout) is undone too; a phase with nothing to undo is skipped. If
recording the failure fails for good, compensation goes on regardless; if recording the
end of compensation fails, the run is marked COMPENSATION_FAILED for an operator.

Every task retries the transient errors (backoff with full jitter); permanent errors go
straight to Catch. Payloads carry references (tenant, run, phase) and short summaries.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from orchestrator.errors import TRANSIENT_ERROR_NAMES
from orchestrator.models import RunStatus
from orchestrator.templates import RetryPolicy, Template

LAMBDA_TRANSIENT_ERRORS = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)
RETRIED_ERRORS = [*TRANSIENT_ERROR_NAMES, *LAMBDA_TRANSIENT_ERRORS]

REFERENCE = {
    "tenant_id": sfn.JsonPath.string_at("$.tenant_id"),
    "run_id": sfn.JsonPath.string_at("$.run_id"),
    "correlation_id": sfn.JsonPath.string_at("$.correlation_id"),
    "template": sfn.JsonPath.string_at("$.template"),
}


def apply_retry(task: tasks.LambdaInvoke, policy: RetryPolicy) -> tasks.LambdaInvoke:
    """The one retry policy of every task: transient errors only, exponential backoff, full jitter."""
    task.add_retry(
        errors=RETRIED_ERRORS,
        interval=Duration.seconds(policy.interval_seconds),
        backoff_rate=policy.backoff_rate,
        max_attempts=policy.max_attempts,
        max_delay=Duration.seconds(policy.max_delay_seconds),
        jitter_strategy=sfn.JitterType.FULL,
    )
    return task


class TemplateWorkflow(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        template: Template,
        phase_functions: dict[str, lambda_.IFunction],
        compensate_phase: lambda_.IFunction,
        run_status: lambda_.IFunction,
        state_machine_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.template = template
        self._run_status = run_status
        policy = template.retry

        # --- compensation chain (built backwards so each Undo knows its next state) ----------
        compensated = sfn.Fail(
            self,
            "Run compensated",
            error="RunCompensated",
            cause="A phase failed for good; the completed phases were undone in reverse order",
        )
        compensation_failed = sfn.Fail(
            self, "Compensation failed", error="CompensationFailed", cause="Undoing a completed phase failed"
        )
        mark_compensation_failed = self._status_task(
            "Mark compensation failed", RunStatus.COMPENSATION_FAILED, error_path="$.compensation_error"
        )
        mark_compensation_failed.next(compensation_failed)
        mark_compensated = self._status_task("Mark run compensated", RunStatus.COMPENSATED)
        mark_compensated.add_catch(
            mark_compensation_failed, errors=["States.ALL"], result_path="$.compensation_error"
        )
        mark_compensated.next(compensated)

        undo_entry: dict[str, sfn.IChainable] = {}
        following: sfn.IChainable = mark_compensated
        for phase in template.phases:  # Undo <first> is last in the chain
            undo = apply_retry(
                tasks.LambdaInvoke(
                    self,
                    f"Undo {phase.title}",
                    lambda_function=compensate_phase,
                    payload=sfn.TaskInput.from_object(REFERENCE | {"phase": phase.name}),
                    result_path=sfn.JsonPath.DISCARD,
                    retry_on_service_exceptions=False,
                ),
                policy,
            )
            undo.add_catch(
                mark_compensation_failed, errors=["States.ALL"], result_path="$.compensation_error"
            )
            undo.next(following)
            undo_entry[phase.name] = undo
            following = undo

        def record_failure(label: str, failed_phase: str | None, entry: sfn.IChainable) -> sfn.IChainable:
            record = self._status_task(
                f"Record failure at {label}",
                RunStatus.COMPENSATING,
                error_path="$.error",
                failed_phase=failed_phase,
            )
            record.add_catch(entry, errors=["States.ALL"], result_path="$.record_error")
            record.next(entry)
            return record

        # --- forward path -------------------------------------------------------------------
        start = self._status_task("Start run", RunStatus.RUNNING)
        start.add_catch(
            record_failure("Start run", None, mark_compensated), errors=["States.ALL"], result_path="$.error"
        )
        chain: sfn.Chain = sfn.Chain.start(start)
        for phase in template.phases:
            task = apply_retry(
                tasks.LambdaInvoke(
                    self,
                    phase.title,
                    lambda_function=phase_functions[phase.agent],
                    payload=sfn.TaskInput.from_object(REFERENCE | {"phase": phase.name}),
                    result_selector={
                        "status": sfn.JsonPath.string_at("$.Payload.status"),
                        "summary": sfn.JsonPath.string_at("$.Payload.summary"),
                        "attempts": sfn.JsonPath.number_at("$.Payload.attempts"),
                    },
                    result_path=f"$.phases.{phase.name}",
                    retry_on_service_exceptions=False,
                ),
                policy,
            )
            task.add_catch(
                record_failure(phase.title, phase.name, undo_entry[phase.name]),
                errors=["States.ALL"],
                result_path="$.error",
            )
            chain = chain.next(task)

        finish = self._status_task("Finish run", RunStatus.SUCCEEDED)
        finish.add_catch(
            record_failure("Finish run", None, undo_entry[template.phases[-1].name]),
            errors=["States.ALL"],
            result_path="$.error",
        )
        chain = chain.next(finish).next(sfn.Succeed(self, "Run succeeded"))

        log_group = logs.LogGroup(
            self,
            "ExecutionLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=state_machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_chainable(chain),
            comment=f"{template.title}: {template.description}",
            timeout=Duration.minutes(template.timeout_minutes),
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )

    def _status_task(
        self,
        name: str,
        status: RunStatus,
        *,
        error_path: str | None = None,
        failed_phase: str | None = None,
    ) -> tasks.LambdaInvoke:
        payload: dict[str, Any] = REFERENCE | {"status": status.value}
        if status is RunStatus.RUNNING:
            payload["execution_arn"] = sfn.JsonPath.string_at("$$.Execution.Id")
        if error_path:
            payload["error"] = sfn.JsonPath.object_at(error_path)
        if failed_phase:
            payload["failed_phase"] = failed_phase
        return apply_retry(
            tasks.LambdaInvoke(
                self,
                name,
                lambda_function=self._run_status,
                payload=sfn.TaskInput.from_object(payload),
                result_path=sfn.JsonPath.DISCARD,
                retry_on_service_exceptions=False,
            ),
            self.template.retry,
        )
