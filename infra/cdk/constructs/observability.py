"""Alarms and a dashboard over the state machines and functions."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct


class OrchestratorObservability(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        state_machines: dict[str, sfn.StateMachine],
        functions: list[lambda_.Function],
        dead_letters: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard")
        self.alarms: list[cloudwatch.Alarm] = []
        for template, machine in state_machines.items():
            failed = machine.metric_failed(period=Duration.minutes(5), statistic="Sum")
            self.alarms.append(
                cloudwatch.Alarm(
                    self,
                    f"{template}-failed-runs",
                    metric=failed,
                    threshold=1,
                    evaluation_periods=1,
                    alarm_description=f"Runs of template '{template}' ended failed or compensated",
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
            )
            self.dashboard.add_widgets(
                cloudwatch.GraphWidget(
                    title=f"Runs: {template}",
                    left=[machine.metric_started(), machine.metric_succeeded(), failed],
                )
            )
        self.alarms.append(
            cloudwatch.Alarm(
                self,
                "dead-letters",
                metric=dead_letters.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)),
                threshold=1,
                evaluation_periods=1,
                alarm_description="Events no consumer could handle are waiting in the dead-letter queue",
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Function errors",
                left=[fn.metric_errors(period=Duration.minutes(5)) for fn in functions],
            )
        )
