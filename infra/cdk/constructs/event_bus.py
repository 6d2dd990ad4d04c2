"""The custom EventBridge bus and its rules (audit, event-triggered runs).

The audit trail is written in batches: every lifecycle event goes to the audit queue (standard: an
audit record is keyed by its time and event id, its order on the queue does not matter), which the
audit writer reads up to ``AUDIT_BATCH_SIZE`` events per invocation (an SQS event source with a
batching window), reporting the records it could not store so that only those come back. A run
puts about 17 lifecycle events: one invocation per event would be 17 per run.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from orchestrator.core.constants import (
    EVENT_SOURCE,
    LIFECYCLE_DETAIL_TYPES,
    REQUEST_DETAIL_TYPE,
    TENANT_SOURCE_PREFIX,
)

ASYNC_RETRIES = 2  # Lambda's own retries of a failed asynchronous invocation
AUDIT_BATCH_SIZE = 25
"""Events per invocation of the audit writer, at most: a write each, well within its timeout even
when each write takes a second (the local cloud under a burst); a standard queue allows 10,000."""
AUDIT_BATCH_WINDOW = Duration.seconds(1)
"""How long the event source gathers a batch before it invokes the writer with what it has."""
AUDIT_RECEIVES = 5
"""Receives of an audit event before it goes to the dead-letter queue (its writes failed each time)."""


class OrchestratorBus(Construct):
    """The bus, and the queue where events end up that no consumer could handle."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "Bus")
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            retention_period=Duration.days(14),
            enforce_ssl=True,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
        )
        Validations.of(self.dead_letters).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-SQS3",
                reason="This queue is itself the dead-letter queue of the event rules and of the "
                "asynchronous consumers; an alarm watches it.",
            )
        )


def bind_event_sources(
    bus: events.EventBus, *, orchestrator_roles: list[iam.IRole], tenant_producers: dict[str, list[str]]
) -> None:
    """The bus's resource policy: who may put events under which source.

    - the orchestrator's own source (lifecycle events) only from the orchestrator's functions;
    - ``orchestrator.tenant.<id>`` (run requests for that tenant) only from that tenant's producer
      principals (CDK context ``tenantEventProducers``: ``{"acme": ["arn:aws:iam::...:role/acme-crm"]}``);
      a tenant source nobody was given is refused to everyone.
    Explicit denies: an identity policy of the same account cannot override them.
    """

    def deny(sid: str, conditions: dict[str, Any]) -> None:
        bus.add_to_resource_policy(
            iam.PolicyStatement(
                sid=sid,
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["events:PutEvents"],
                resources=[bus.event_bus_arn],
                conditions=conditions,
            )
        )

    deny(
        "OnlyTheOrchestratorPutsLifecycleEvents",
        {
            "StringEquals": {"events:source": EVENT_SOURCE},
            "ArnNotEquals": {"aws:PrincipalArn": [role.role_arn for role in orchestrator_roles]},
        },
    )
    producers = sorted({arn for arns in tenant_producers.values() for arn in arns})
    any_tenant: dict[str, Any] = {"StringLike": {"events:source": f"{TENANT_SOURCE_PREFIX}*"}}
    if producers:
        any_tenant["ArnNotEquals"] = {"aws:PrincipalArn": producers}
    deny("OnlyTenantProducersRequestRuns", any_tenant)
    for index, (tenant, arns) in enumerate(sorted(tenant_producers.items())):
        source = f"{TENANT_SOURCE_PREFIX}{tenant}"
        deny(
            f"Tenant{index}ProducersOnly",
            {"StringEquals": {"events:source": source}, "ArnNotEquals": {"aws:PrincipalArn": sorted(arns)}},
        )
        bus.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"Tenant{index}ProducersPut",
                effect=iam.Effect.ALLOW,
                principals=[iam.ArnPrincipal(arn) for arn in sorted(arns)],
                actions=["events:PutEvents"],
                resources=[bus.event_bus_arn],
                conditions={"StringEquals": {"events:source": source}},
            )
        )


class EventRoutes(Construct):
    """Rules: every lifecycle event -> the audit queue, read in batches by the audit writer;
    ``OrchestrationRequested`` -> start run; a run's execution ending FAILED/TIMED_OUT/ABORTED ->
    mark the run if it could not.

    Nothing is lost silently: an event EventBridge cannot deliver, an event whose function still
    fails after Lambda's retries, and an audit event the writer failed to store ``AUDIT_RECEIVES``
    times all land in the dead-letter queue.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bus: events.IEventBus,
        audit_writer: lambda_.Function,
        start_run: lambda_.IFunction,
        execution_ended: lambda_.IFunction,
        state_machines: list[sfn.IStateMachine],
        dead_letters: sqs.IQueue,
        audit_concurrency: int | None = None,
    ) -> None:
        """``audit_concurrency``: the audit writer's reserved concurrency, if any (the event source
        then invokes it at most that many times at once, so that no batch is throttled)."""
        super().__init__(scope, construct_id)
        for consumer in (start_run, execution_ended):
            consumer.configure_async_invoke(
                retry_attempts=ASYNC_RETRIES,
                max_event_age=Duration.hours(6),
                on_failure=destinations.SqsDestination(dead_letters),
            )
        timeout = audit_writer.timeout or Duration.seconds(30)
        self.audit_queue = sqs.Queue(
            self,
            "AuditQueue",
            enforce_ssl=True,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            retention_period=Duration.days(4),
            # what Lambda asks of a queue it reads: six times the function's timeout, plus the window
            visibility_timeout=Duration.seconds(6 * timeout.to_seconds() + AUDIT_BATCH_WINDOW.to_seconds()),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=AUDIT_RECEIVES, queue=dead_letters),
        )
        self.audit_rule = events.Rule(
            self,
            "AuditEveryEvent",
            event_bus=bus,
            description="Write every orchestrator lifecycle event to the audit table",
            event_pattern=events.EventPattern(
                source=[EVENT_SOURCE], detail_type=list(LIFECYCLE_DETAIL_TYPES)
            ),
            targets=[targets.SqsQueue(self.audit_queue, retry_attempts=8, dead_letter_queue=dead_letters)],
        )
        audit_writer.add_event_source(
            event_sources.SqsEventSource(
                self.audit_queue,
                batch_size=AUDIT_BATCH_SIZE,
                max_batching_window=AUDIT_BATCH_WINDOW,
                report_batch_item_failures=True,
                max_concurrency=max(2, audit_concurrency) if audit_concurrency else None,
            )
        )
        self.request_rule = events.Rule(
            self,
            "StartRunOnRequest",
            event_bus=bus,
            description="Start a run when a tenant's source puts an OrchestrationRequested event",
            event_pattern=events.EventPattern(
                source=events.Match.prefix(TENANT_SOURCE_PREFIX), detail_type=[REQUEST_DETAIL_TYPE]
            ),
            targets=[targets.LambdaFunction(start_run, retry_attempts=8, dead_letter_queue=dead_letters)],
        )
        self.ended_rule = events.Rule(
            self,
            "MarkEndedExecutions",
            description="Every end of a run's execution: its slot, its status if unrecorded, queued runs",
            event_pattern=events.EventPattern(
                source=["aws.states"],
                detail_type=["Step Functions Execution Status Change"],
                detail={
                    "status": ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"],
                    "stateMachineArn": [machine.state_machine_arn for machine in state_machines],
                },
            ),
            targets=[
                targets.LambdaFunction(execution_ended, retry_attempts=8, dead_letter_queue=dead_letters)
            ],
        )
