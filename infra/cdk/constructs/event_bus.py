"""The custom EventBridge bus and its rules (audit, event-triggered runs)."""

from __future__ import annotations

from typing import Any

from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
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
    """Rules: every lifecycle event -> audit writer; ``OrchestrationRequested`` -> start run;
    a run's execution ending FAILED/TIMED_OUT/ABORTED -> mark the run if it could not.

    Nothing is lost silently: an event EventBridge cannot deliver, and an event whose function
    still fails after Lambda's retries, both land in the dead-letter queue (with the error).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bus: events.IEventBus,
        audit_writer: lambda_.IFunction,
        start_run: lambda_.IFunction,
        execution_ended: lambda_.IFunction,
        state_machines: list[sfn.IStateMachine],
        dead_letters: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        for consumer in (audit_writer, start_run, execution_ended):
            consumer.configure_async_invoke(
                retry_attempts=ASYNC_RETRIES,
                max_event_age=Duration.hours(6),
                on_failure=destinations.SqsDestination(dead_letters),
            )
        self.audit_rule = events.Rule(
            self,
            "AuditEveryEvent",
            event_bus=bus,
            description="Write every orchestrator lifecycle event to the audit table",
            event_pattern=events.EventPattern(
                source=[EVENT_SOURCE], detail_type=list(LIFECYCLE_DETAIL_TYPES)
            ),
            targets=[targets.LambdaFunction(audit_writer, retry_attempts=8, dead_letter_queue=dead_letters)],
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
