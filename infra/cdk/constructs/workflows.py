"""One Standard state machine per template, generated from its step graph. No template needs code here.

Shape (state names are what operators see in the console)::

    Start run -> <step> -> <step> -> ... -> Finish run -> Run succeeded
      agent step     one task (the agent type's function)
      parallel       a Parallel state, one branch per named sequence
      map            Prepare <map> (manifest) -> Choice: inline Map | Distributed Map (S3 manifest)
      approval       .waitForTaskToken tasks with the gate's timeouts: a reminder, an escalation
                     or a default decision at the deadline (approval_gates.py)
                       | Catch at every top-level state (original input kept, error in $.error)
                       v
    Record failure at <step> -> Begin undo -> Undo completed work <-+  (bounded loop: newest
        -> Anything left to undo? --- yes, rounds left --------------+   completion first, across
        -> Mark run undone -> How did it end? -> Run compensated | Run rejected | Stop cancelled run (ABORTED)
    undo fails for good, or too many rounds -> Mark compensation failed -> Compensation failed

Compensation is driven by the run's command log and step results (what really completed,
in completion order), not by the shape of the graph: every parallel branch and every map
item that completed, before or while another failed, is undone. An approval gate whose
deadline (and escalation) passes with nobody deciding is recorded as ``ApprovalTimedOut``.

Every task gets the one retry policy (transient errors, backoff with full jitter). State
payloads carry references only: results go to DynamoDB, lists to S3 manifests.
"""

from __future__ import annotations

from typing import Any, TypeVar

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra.cdk.constructs.approval_gates import ApprovalGateStates
from orchestrator.core.constants import CATCH_STATE_PREFIX, RUN_DATA_PREFIX
from orchestrator.core.errors import (
    RETRIED_ERROR_NAMES,
    CompensationIncomplete,
    RunCancelled,
)
from orchestrator.core.records import RunStatus
from orchestrator.runs.compensation import MAX_ROUNDS
from orchestrator.templates.graph import AgentStep, ApprovalStep, MapStep, ParallelStep, RetryPolicy, Template

REFERENCE = {
    "tenant_id": sfn.JsonPath.string_at("$.tenant_id"),
    "run_id": sfn.JsonPath.string_at("$.run_id"),
    "correlation_id": sfn.JsonPath.string_at("$.correlation_id"),
    "template": sfn.JsonPath.string_at("$.template"),
}


def manifests_arn(workspace: s3.IBucket) -> str:
    """Every map manifest of every tenant's runs, and no other object of the workspace."""
    return workspace.arn_for_objects(f"*/{RUN_DATA_PREFIX}/*/manifests/*")


CANCELLED = "The run was cancelled; its work was undone"


TaskT = TypeVar("TaskT", bound=sfn.TaskStateBase)


def apply_retry(task: TaskT, policy: RetryPolicy) -> TaskT:
    """The one retry policy of every task: transient errors only, exponential backoff, full jitter."""
    task.add_retry(
        errors=list(RETRIED_ERROR_NAMES),
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
        agent_functions: dict[str, lambda_.IFunction],
        prepare_map: lambda_.IFunction,
        approval_gate: lambda_.IFunction,
        undo_work: lambda_.IFunction,
        run_status: lambda_.IFunction,
        workspace: s3.IBucket,
        state_machine_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.template = template
        self._agents = agent_functions
        self._prepare_map = prepare_map
        self._approval_gate = approval_gate
        self._undo_work = undo_work
        self._run_status = run_status
        self._failure_records: dict[str, sfn.IChainable] = {}
        self._reads_manifests = False
        # its own executions, named before the machine exists (a reference to it would be a cycle)
        self._own_executions_arn = Stack.of(self).format_arn(
            service="states",
            resource="execution",
            resource_name=f"{state_machine_name}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self._begin_undo = self._compensation()

        start = self._status_task("Start run", RunStatus.RUNNING)
        self._catch(start, "Start run", None)
        chain: sfn.Chain = sfn.Chain.start(start)
        for step in template.steps:
            chain = chain.next(self._step(step, top=True, variant=""))
        finish = self._status_task("Finish run", RunStatus.SUCCEEDED)
        self._catch(finish, "Finish run", None)
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
            comment=f"{template.title}: {template.description}"[:1000],
            timeout=Duration.minutes(template.timeout_minutes),
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        if self._reads_manifests:
            # A Distributed Map's ItemReader reads with the state machine's own role: no session tag
            # names a tenant there, so the grant is limited by key shape instead, to the manifests
            # PrepareMap writes (<tenant>/.runs/<run id>/manifests/<step>.json), nothing else of the
            # workspace. The reader names its bucket by path (PrepareMap's answer): CDK's reader
            # given the bucket object would add s3:GetObject on the whole bucket (``<bucket>/*``).
            self.state_machine.add_to_role_policy(
                iam.PolicyStatement(actions=["s3:GetObject"], resources=[manifests_arn(workspace)])
            )

    # --- forward path ------------------------------------------------------------------------
    def _step(self, step: Any, *, top: bool, variant: str) -> sfn.IChainable:
        if isinstance(step, AgentStep):
            task = self._agent_task(step, variant, item=False)
            if top:
                self._catch(task, step.label, step.name)
            return task
        if isinstance(step, ParallelStep):
            parallel = sfn.Parallel(
                self,
                f"{step.name}{variant}",
                state_name=step.label + variant,
                result_path=sfn.JsonPath.DISCARD,
            )
            for branch_steps in step.branches.values():
                parallel.branch(self._sequence(branch_steps, top=False, variant=variant))
            if top:
                self._catch(parallel, step.label, step.name)
            return parallel
        if isinstance(step, MapStep):
            return self._map(step, top=top, variant=variant)
        assert isinstance(step, ApprovalStep)
        return self._approval(step)

    def _sequence(self, steps: list[Any], *, top: bool, variant: str) -> sfn.Chain:
        chain = sfn.Chain.start(self._step(steps[0], top=top, variant=variant))
        for step in steps[1:]:
            chain = chain.next(self._step(step, top=top, variant=variant))
        return chain

    def _agent_task(self, step: AgentStep, variant: str, *, item: bool) -> tasks.LambdaInvoke:
        # which attempt this is: the function shows it (RUNNING, RETRYING) and knows if a failure is retried
        payload: dict[str, Any] = REFERENCE | {
            "step": step.name,
            "retry_count": sfn.JsonPath.number_at("$$.State.RetryCount"),
        }
        if item:
            payload["item"] = sfn.JsonPath.number_at("$.item")
        return apply_retry(
            tasks.LambdaInvoke(
                self,
                f"{step.name}{variant}",
                state_name=step.label + variant,
                lambda_function=self._agents[step.agent],
                payload=sfn.TaskInput.from_object(payload),
                result_path=sfn.JsonPath.DISCARD,
                retry_on_service_exceptions=False,
            ),
            self.template.retry,
        )

    def _map(self, step: MapStep, *, top: bool, variant: str) -> sfn.IChainable:
        prepare = apply_retry(
            tasks.LambdaInvoke(
                self,
                f"{step.name}{variant}-prepare",
                state_name=f"Prepare {step.label}{variant}",
                lambda_function=self._prepare_map,
                payload=sfn.TaskInput.from_object(REFERENCE | {"step": step.name}),
                result_selector={
                    "count": sfn.JsonPath.number_at("$.Payload.count"),
                    "max_concurrency": sfn.JsonPath.number_at("$.Payload.max_concurrency"),
                    "inline": sfn.JsonPath.string_at("$.Payload.inline"),
                    "items": sfn.JsonPath.list_at("$.Payload.items"),
                    "manifest": sfn.JsonPath.object_at("$.Payload.manifest"),
                },
                result_path=f"$.maps.{step.name}",
                retry_on_service_exceptions=False,
            ),
            self.template.retry,
        )
        item_selector = REFERENCE | {"item": sfn.JsonPath.number_at("$$.Map.Item.Value.index")}
        inline = sfn.Map(
            self,
            f"{step.name}{variant}-inline",
            state_name=step.label + variant,
            items_path=f"$.maps.{step.name}.items",
            max_concurrency_path=f"$.maps.{step.name}.max_concurrency",
            item_selector=item_selector,
            result_path=sfn.JsonPath.DISCARD,
        )
        inline.item_processor(self._item_sequence(step, variant))
        manifest_variant = f"{variant} (manifest)"
        self._reads_manifests = True
        distributed = sfn.DistributedMap(
            self,
            f"{step.name}{variant}-distributed",
            state_name=step.label + manifest_variant,
            item_reader=sfn.S3JsonItemReader(
                bucket_name_path=sfn.JsonPath.string_at(f"$.maps.{step.name}.manifest.bucket"),
                key=sfn.JsonPath.string_at(f"$.maps.{step.name}.manifest.key"),
            ),
            max_concurrency_path=f"$.maps.{step.name}.max_concurrency",
            item_selector=item_selector,
            result_path=sfn.JsonPath.DISCARD,
        )
        distributed.item_processor(self._item_sequence(step, manifest_variant))
        choose = sfn.Choice(
            self, f"{step.name}{variant}-choice", state_name=f"{step.label}{variant}: list in state?"
        )
        if top:
            for state in (prepare, inline, distributed):
                self._catch(state, step.label, step.name)
        choice = choose.when(
            sfn.Condition.boolean_equals(f"$.maps.{step.name}.inline", True), inline
        ).otherwise(distributed)
        return sfn.Chain.start(prepare).next(choice.afterwards())

    def _item_sequence(self, step: MapStep, variant: str) -> sfn.Chain:
        inner = [s for s in step.steps if isinstance(s, AgentStep)]
        chain = sfn.Chain.start(self._agent_task(inner[0], variant, item=True))
        for agent_step in inner[1:]:
            chain = chain.next(self._agent_task(agent_step, variant, item=True))
        return chain

    def _approval(self, step: ApprovalStep) -> sfn.IChainable:
        return ApprovalGateStates(
            self,
            step,
            function=self._approval_gate,
            reference=REFERENCE,
            retry=lambda task: apply_retry(task, self.template.retry),
            catch=self._catch,
            record_failure=self._record_failure,
        ).chain

    # --- compensation --------------------------------------------------------------------------
    def _compensation(self) -> sfn.IChainable:
        compensation_failed = sfn.Fail(
            self, "Compensation failed", error="CompensationFailed", cause="Undoing the run's work failed"
        )
        mark_compensation_failed = self._status_task(
            "Mark compensation failed", RunStatus.COMPENSATION_FAILED, error_path="$.compensation_error"
        )
        mark_compensation_failed.next(compensation_failed)
        mark_undone = self._mark_undone(mark_compensation_failed)
        undo = self._undo_rounds(mark_undone, mark_compensation_failed)
        begin = sfn.Pass(
            self,
            "Begin undo",
            result=sfn.Result.from_object({"rounds": 0, "remaining": 1}),
            result_path="$.undo",
        )
        begin.next(undo)
        return begin

    def _mark_undone(self, mark_compensation_failed: sfn.IChainable) -> sfn.IChainable:
        """Records the run as undone, then ends it as what it was: rejected, cancelled or compensated."""
        ends = sfn.Choice(self, "How did it end?")
        ends.when(
            sfn.Condition.string_equals("$.outcome.status", RunStatus.REJECTED.value),
            sfn.Fail(
                self, "Run rejected", error="RunRejected", cause="The run was rejected; its work was undone"
            ),
        ).when(
            sfn.Condition.string_equals("$.outcome.status", RunStatus.CANCELLED.value),
            self._stop_cancelled_run(),
        ).otherwise(
            sfn.Fail(
                self,
                "Run compensated",
                error="RunCompensated",
                cause="A step failed for good; everything the run completed was undone, newest first",
            )
        )
        mark_undone = self._status_task(
            "Mark run undone",
            RunStatus.COMPENSATED,
            result_selector={"status": sfn.JsonPath.string_at("$.Payload.status")},
            result_path="$.outcome",
        )
        mark_undone.add_catch(
            mark_compensation_failed, errors=["States.ALL"], result_path="$.compensation_error"
        )
        mark_undone.next(ends)
        return mark_undone

    def _stop_cancelled_run(self) -> sfn.IChainable:
        """A cancelled run's execution ends as a cancel ends one on Step Functions: ABORTED (it stops
        itself, with the reason, once its work is undone). Should the stop not take, it fails."""
        stop = tasks.CallAwsService(
            self,
            "Stop cancelled run",
            service="sfn",
            action="stopExecution",
            parameters={
                "ExecutionArn": sfn.JsonPath.execution_id,
                "Error": RunCancelled.__name__,
                "Cause": CANCELLED,
            },
            iam_resources=[self._own_executions_arn],
            result_path=sfn.JsonPath.DISCARD,
        )
        apply_retry(stop, self.template.retry)
        failed = sfn.Fail(self, "Run cancelled", error=RunCancelled.__name__, cause=CANCELLED)
        stop.add_catch(failed, errors=["States.ALL"], result_path="$.stop_error")
        return stop.next(failed)

    def _undo_rounds(
        self, mark_undone: sfn.IChainable, mark_compensation_failed: sfn.IChainable
    ) -> tasks.LambdaInvoke:
        """The bounded loop: one round of undoing at a time while work is left, at most MAX_ROUNDS."""
        undo = apply_retry(
            tasks.LambdaInvoke(
                self,
                "Undo completed work",
                lambda_function=self._undo_work,
                payload=sfn.TaskInput.from_object(
                    REFERENCE | {"rounds": sfn.JsonPath.number_at("$.undo.rounds")}
                ),
                result_selector={
                    "remaining": sfn.JsonPath.number_at("$.Payload.remaining"),
                    "undone": sfn.JsonPath.number_at("$.Payload.undone"),
                    "rounds": sfn.JsonPath.number_at("$.Payload.rounds"),
                },
                result_path="$.undo",
                retry_on_service_exceptions=False,
            ),
            self.template.retry,
        )
        undo.add_catch(mark_compensation_failed, errors=["States.ALL"], result_path="$.compensation_error")
        give_up = sfn.Pass(
            self,
            "Too much to undo",
            parameters={
                "Error": CompensationIncomplete.__name__,
                "Cause": f"work was left after {MAX_ROUNDS} rounds of undoing",
            },
            result_path="$.compensation_error",
        )
        give_up.next(mark_compensation_failed)
        more = sfn.Choice(self, "Anything left to undo?")
        more.when(
            sfn.Condition.and_(
                sfn.Condition.number_greater_than("$.undo.remaining", 0),
                sfn.Condition.number_less_than("$.undo.rounds", MAX_ROUNDS),
            ),
            undo,
        ).when(sfn.Condition.number_greater_than("$.undo.remaining", 0), give_up).otherwise(mark_undone)
        undo.next(more)
        return undo

    def _record_failure(self, label: str, failed_step: str | None) -> sfn.IChainable:
        name = f"{CATCH_STATE_PREFIX}{label}"[:80]
        if name in self._failure_records:
            return self._failure_records[name]
        record = self._status_task(
            name,
            RunStatus.COMPENSATING,
            error_path="$.error",
            failed_step=failed_step,
        )
        record.add_catch(self._begin_undo, errors=["States.ALL"], result_path="$.record_error")
        record.next(self._begin_undo)
        self._failure_records[name] = record
        return record

    def _catch(self, state: Any, label: str, failed_step: str | None) -> None:
        state.add_catch(
            self._record_failure(label, failed_step), errors=["States.ALL"], result_path="$.error"
        )

    def _status_task(
        self,
        name: str,
        status: RunStatus,
        *,
        error_path: str | None = None,
        failed_step: str | None = None,
        result_selector: dict[str, Any] | None = None,
        result_path: str | None = None,
    ) -> tasks.LambdaInvoke:
        payload: dict[str, Any] = REFERENCE | {"status": status.value}
        if status is RunStatus.RUNNING:
            payload["execution_arn"] = sfn.JsonPath.string_at("$$.Execution.Id")
        if error_path:
            payload["error"] = sfn.JsonPath.object_at(error_path)
        if failed_step:
            payload["failed_step"] = failed_step
        return apply_retry(
            tasks.LambdaInvoke(
                self,
                name,
                lambda_function=self._run_status,
                payload=sfn.TaskInput.from_object(payload),
                result_selector=result_selector,
                result_path=result_path or sfn.JsonPath.DISCARD,
                retry_on_service_exceptions=False,
            ),
            self.template.retry,
        )
