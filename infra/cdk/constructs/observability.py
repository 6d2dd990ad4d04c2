"""Alarms, the operators' topic they notify, and a dashboard over the state machines, the
functions and the product's own metrics (``functions/orchestrator/core/operator_metrics.py``).

Every alarm notifies the ``OperatorAlerts`` SNS topic, both when it fires and when it recovers;
the CDK context ``alarmEmails`` (``"ops@example.com,oncall@example.com"``) subscribes addresses
to it (each confirms by email). The topic's ARN is a stack output, for pagers and chat hooks.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from orchestrator.core.constants import METRICS_NAMESPACE, SERVICE_NAME

PROVIDER_ERRORS_PER_5_MINUTES = 5
FIVE_MINUTES = Duration.minutes(5)
PER_TEMPLATE = ["StepLatency", "InputTokens", "OutputTokens", "ModelCostUSD", "CacheHits", "ProviderErrors"]
UNENCRYPTED_TOPIC_REASON = (
    "Alarm notifications carry alarm names, states and metric values, no tenant data. CloudWatch "
    "cannot publish to a topic encrypted with the AWS managed SNS key, and a customer managed key "
    "would protect nothing here."
)


def _product_metric(name: str, statistic: str = "Sum") -> cloudwatch.Metric:
    """A product metric over every template and tenant (the ``[service]`` dimension set)."""
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": SERVICE_NAME},
        statistic=statistic,
        period=FIVE_MINUTES,
    )


def _search(name: str, dimension: str, statistic: str) -> cloudwatch.MathExpression:
    """One line per template (or tenant) that has reported ``name``."""
    return cloudwatch.MathExpression(
        expression=(
            f"SEARCH('{{{METRICS_NAMESPACE},service,{dimension}}} MetricName=\"{name}\"', '{statistic}', 300)"
        ),
        using_metrics={},
        label=f"{name} by {dimension}",
        period=FIVE_MINUTES,
    )


class OrchestratorObservability(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        state_machines: dict[str, sfn.StateMachine],
        functions: list[lambda_.Function],
        dead_letters: sqs.IQueue,
        alarm_emails: list[str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self, "OperatorAlerts", display_name="AI orchestrator alarms", enforce_ssl=True
        )
        Validations.of(self.topic).acknowledge(
            Acknowledgment(id="AwsSolutions::AwsSolutions-SNS2", reason=UNENCRYPTED_TOPIC_REASON)
        )
        for address in alarm_emails or []:
            self.topic.add_subscription(subscriptions.EmailSubscription(address))
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard")
        self.alarms: list[cloudwatch.Alarm] = []
        for template, machine in state_machines.items():
            failed = machine.metric_failed(period=FIVE_MINUTES, statistic="Sum")
            self._alarm(
                f"{template}-failed-runs",
                failed,
                1,
                f"Runs of template '{template}' ended failed or compensated",
            )
            self.dashboard.add_widgets(
                cloudwatch.GraphWidget(
                    title=f"Runs: {template}",
                    left=[machine.metric_started(), machine.metric_succeeded(), failed],
                )
            )
        self._alarm(
            "dead-letters",
            dead_letters.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES),
            1,
            "Events no consumer could handle are waiting in the dead-letter queue",
        )
        self._alarm(
            "provider-errors",
            _product_metric("ProviderErrors"),
            PROVIDER_ERRORS_PER_5_MINUTES,
            f"Model providers failed {PROVIDER_ERRORS_PER_5_MINUTES} or more step attempts in 5 minutes "
            "(throttled, unavailable, timed out or refused)",
        )
        self._alarm(
            "circuit-opened",
            _product_metric("CircuitOpened"),
            1,
            "A model provider's circuit opened: its calls are refused or sent to a fallback",
        )
        self._product_widgets()
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Function errors",
                left=[fn.metric_errors(period=FIVE_MINUTES) for fn in functions],
            )
        )

    def alarm_on_dead_letters(self, construct_id: str, queue: sqs.IQueue, description: str) -> None:
        """An alarm when ``queue`` (another consumer's dead-letter queue) holds a message."""
        self._alarm(
            construct_id,
            queue.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES),
            1,
            description,
        )

    def _alarm(
        self, construct_id: str, metric: cloudwatch.IMetric, threshold: float, description: str
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            alarm_description=description,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        action = cloudwatch_actions.SnsAction(self.topic)
        alarm.add_alarm_action(action)
        alarm.add_ok_action(action)
        self.alarms.append(alarm)

    def _product_widgets(self) -> None:
        """Step latency (p95), tokens, cost, cache hits and provider errors, per template and per
        tenant; circuit opens per provider."""
        statistics = {"StepLatency": "p95"}
        for dimension in ("template", "tenant_id"):
            self.dashboard.add_widgets(
                *[
                    cloudwatch.GraphWidget(
                        title=f"{name} by {dimension}",
                        left=[_search(name, dimension, statistics.get(name, "Sum"))],
                        width=8,
                    )
                    for name in PER_TEMPLATE
                ]
            )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Circuit opens by provider", left=[_search("CircuitOpened", "provider", "Sum")], width=8
            )
        )
