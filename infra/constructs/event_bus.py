"""The custom EventBridge bus and its rules (audit, event-triggered runs)."""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from orchestrator.constants import EVENT_SOURCE, LIFECYCLE_DETAIL_TYPES, REQUEST_DETAIL_TYPE


class OrchestratorBus(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "Bus")


class EventRoutes(Construct):
    """Rules: every lifecycle event -> audit writer; ``OrchestrationRequested`` -> start run."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bus: events.IEventBus,
        audit_writer: lambda_.IFunction,
        start_run: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        self.audit_rule = events.Rule(
            self,
            "AuditEveryEvent",
            event_bus=bus,
            description="Write every orchestrator lifecycle event to the audit table",
            event_pattern=events.EventPattern(
                source=[EVENT_SOURCE], detail_type=list(LIFECYCLE_DETAIL_TYPES)
            ),
            targets=[targets.LambdaFunction(audit_writer, retry_attempts=8)],
        )
        self.request_rule = events.Rule(
            self,
            "StartRunOnRequest",
            event_bus=bus,
            description="Start a run when an OrchestrationRequested event arrives",
            event_pattern=events.EventPattern(detail_type=[REQUEST_DETAIL_TYPE]),
            targets=[targets.LambdaFunction(start_run, retry_attempts=8)],
        )
