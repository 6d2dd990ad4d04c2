"""Webhooks: the function fed by the bus that delivers a tenant's events to its endpoints, the
state machine that retries a failed delivery (Wait, attempt, as long as the schedule lasts), the
function making one attempt, and an alarm when an endpoint is disabled.

::

    bus rule (the event types endpoints may subscribe to) -> WebhookDispatch
        -> one delivery per subscribed endpoint, attempted at once
        -> failed: an execution of WebhookRetries named after the delivery
             Wait $.delay_seconds -> Attempt delivery (WebhookAttempt) -> Done? -- no --> Wait
                                                                           yes -> Delivered or dead-lettered

Both functions reach the Webhooks table only as one tenant (their tenant data access roles);
a delivery goes out from the function's own network (no VPC): the target policy of
``orchestrator/webhooks/transport.py`` refuses private, loopback and link-local addresses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra.cdk.constructs.event_bus import ASYNC_RETRIES
from infra.cdk.constructs.function_settings import add_settings
from infra.cdk.constructs.tenant_access import TenantDataAccess
from infra.cdk.constructs.workflows import apply_retry
from orchestrator.core import constants
from orchestrator.core.constants import EVENT_SOURCE, METRICS_NAMESPACE, SERVICE_NAME
from orchestrator.core.settings import Settings
from orchestrator.templates.graph import RetryPolicy
from orchestrator.webhooks.model import WEBHOOK_EVENT_TYPES, RetrySchedule

MAX_ROUNDS = RetrySchedule.MAX_RETRIES + 2  # the loop's bound: more rounds than any schedule has

FunctionFactory = Callable[..., lambda_.Function]


@dataclass(frozen=True)
class WebhookConfig:
    """CDK context ``webhookRetrySchedule``, ``webhookDisableAfter``, ``webhookAllowedHosts``,
    ``webhookAllowLoopback`` (the local cloud's), ``webhookTimeoutSeconds``,
    ``webhookRotationGraceSeconds``."""

    retry_schedule: str = constants.DEFAULT_WEBHOOK_RETRY_SCHEDULE
    disable_after: int = constants.DEFAULT_WEBHOOK_DISABLE_AFTER
    allowed_hosts: str = ""  # "host:port,..." private targets a delivery may reach
    allow_loopback: bool = False
    timeout_seconds: float = constants.DEFAULT_WEBHOOK_TIMEOUT_SECONDS
    rotation_grace_seconds: int = constants.DEFAULT_WEBHOOK_ROTATION_GRACE_SECONDS

    def __post_init__(self) -> None:
        Settings.of(**self._fields())  # a bad value fails the synth, naming the setting

    def _fields(self) -> dict[str, object]:
        fields: dict[str, object] = {
            "webhook_retry_schedule": self.retry_schedule,
            "webhook_disable_after": self.disable_after,
            "webhook_timeout_seconds": self.timeout_seconds,
            "webhook_rotation_grace_seconds": self.rotation_grace_seconds,
        }
        if self.allowed_hosts:
            fields["webhook_allowed_hosts"] = self.allowed_hosts
        if self.allow_loopback:
            fields["webhook_allow_loopback"] = True
        return fields

    def target_settings(self) -> dict[str, str]:
        """Where webhooks may go (the API checks a URL when it is registered)."""
        names = ("webhook_allowed_hosts", "webhook_allow_loopback")
        return Settings.environment(**{k: v for k, v in self._fields().items() if k in names})

    def delivery_settings(self) -> dict[str, str]:
        return Settings.environment(**self._fields())


class WebhookDelivery(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.ITable,
        bus: events.IEventBus,
        dead_letters: sqs.IQueue,
        make_function: FunctionFactory,
        settings: dict[str, str],
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        retries_name: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.secrets_key = kms.Key(
            self,
            "SecretsKey",
            description="Seals tenants' webhook signing secrets (encryption context: tenant, endpoint)",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        environment = (
            Settings.environment(
                webhooks_table=table.table_name,
                event_bus=bus.event_bus_name,
                webhook_secrets_key=self.secrets_key.key_arn,
            )
            | settings
        )
        self.attempt = make_function(
            "WebhookAttempt",
            "handlers.webhook_attempt.handler",
            "Makes one attempt of a webhook delivery (a task of the retry state machine)",
            environment,
            timeout=Duration.seconds(60),
        )
        self.dispatch = make_function(
            "WebhookDispatch",
            "handlers.webhook_dispatch.handler",
            "Delivers a tenant's lifecycle events to its webhook endpoints",
            environment,
            timeout=Duration.seconds(120),
        )
        for name, function in (("WebhookAttempt", self.attempt), ("WebhookDispatch", self.dispatch)):
            access = TenantDataAccess(self, f"{name}TenantData", functions=[function], description=name)
            access.grant_items(table, write=True)
            self.grant_secrets(access.role, "kms:Decrypt")
            bus.grant_put_events_to(function)  # WEBHOOK_ENDPOINT_DISABLED
        self.retries = self._retry_machine(retries_name)
        self.retries.grant_start_execution(self.dispatch)
        add_settings(self.dispatch, webhook_retries=self.retries.state_machine_arn)
        self.dispatch.configure_async_invoke(
            retry_attempts=ASYNC_RETRIES,
            max_event_age=Duration.hours(6),
            on_failure=destinations.SqsDestination(dead_letters),
        )
        self.rule = events.Rule(
            self,
            "DeliverToWebhooks",
            event_bus=bus,
            description="Deliver the lifecycle events endpoints subscribe to (Standard Webhooks)",
            event_pattern=events.EventPattern(source=[EVENT_SOURCE], detail_type=list(WEBHOOK_EVENT_TYPES)),
            targets=[targets.LambdaFunction(self.dispatch, retry_attempts=8, dead_letter_queue=dead_letters)],
        )

    def grant_secrets(self, role: iam.IRole, *actions: str) -> None:
        """``actions`` on the secrets key, for the session's own tenant's secrets only: the
        encryption context names the tenant, and must name the tenant the session is tagged with."""
        tenant = f"${{aws:PrincipalTag/{constants.TENANT_SESSION_TAG}}}"
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(actions),
                resources=[self.secrets_key.key_arn],
                conditions={"StringEquals": {"kms:EncryptionContext:tenant_id": tenant}},
            )
        )

    def _retry_machine(self, name: str | None) -> sfn.StateMachine:
        wait = sfn.Wait(
            self, "Wait before the next attempt", time=sfn.WaitTime.seconds_path("$.delay_seconds")
        )
        attempt = apply_retry(
            tasks.LambdaInvoke(
                self,
                "Attempt delivery",
                lambda_function=self.attempt,
                payload_response_only=True,
                retry_on_service_exceptions=False,
            ),
            RetryPolicy(),
        )
        ended = (
            sfn.Choice(self, "Delivered or dead-lettered?")
            .when(sfn.Condition.boolean_equals("$.done", True), sfn.Succeed(self, "Delivery ended"))
            .when(
                sfn.Condition.number_greater_than("$.round", MAX_ROUNDS),
                sfn.Fail(
                    self, "Too many rounds", error="WebhookRetryBound", cause="more rounds than any schedule"
                ),
            )
            .otherwise(wait)
        )
        log_group = logs.LogGroup(
            self, "RetryLogs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        return sfn.StateMachine(
            self,
            "Retries",
            state_machine_name=name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_chainable(wait.next(attempt).next(ended)),
            comment="Retries a failed webhook delivery on its schedule, then dead-letters it",
            timeout=Duration.days(8),  # longer than the longest schedule (7 days between two attempts)
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )

    def alarm_on_disabled_endpoints(self, topic: sns.ITopic) -> cloudwatch.Alarm:
        """Operators hear of every endpoint disabled (its tenant's admins: the event, their webhooks)."""
        alarm = cloudwatch.Alarm(
            self,
            "EndpointDisabled",
            alarm_description="A tenant's webhook endpoint was disabled: its deliveries kept failing",
            metric=cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name="WebhookEndpointsDisabled",
                dimensions_map={"service": SERVICE_NAME},
                statistic="Sum",
                period=Duration.minutes(5),
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(topic))
        alarm.add_ok_action(cw_actions.SnsAction(topic))
        return alarm
