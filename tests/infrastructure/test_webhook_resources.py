"""The webhook delivery resources as synthesized: the bus rule, the retry state machine (a bounded
Wait-attempt loop), the functions' settings, and a deployed stack that delivers to public addresses only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orchestrator.core import constants
from orchestrator.webhooks.model import WEBHOOK_EVENT_TYPES
from tests.synthesis_service import in_cdk_runtime
from tests.synthesized import resources_of_type, synthesized_template


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return synthesized_template()


def _function(template: dict[str, Any], handler: str) -> dict[str, Any]:
    functions = resources_of_type(template, "AWS::Lambda::Function").values()
    return next(f for f in functions if f["Properties"]["Handler"] == handler)


def test_the_bus_hands_every_subscribable_event_type_to_the_dispatch_function(
    template: dict[str, Any],
) -> None:
    rules = resources_of_type(template, "AWS::Events::Rule").values()
    (rule,) = [r for r in rules if r["Properties"]["Description"].startswith("Deliver the lifecycle events")]
    pattern = rule["Properties"]["EventPattern"]
    assert pattern == {"source": [constants.EVENT_SOURCE], "detail-type": list(WEBHOOK_EVENT_TYPES)}
    (target,) = rule["Properties"]["Targets"]
    assert "DeadLetterConfig" in target and target["RetryPolicy"]["MaximumRetryAttempts"] == 8


def test_the_retry_machine_waits_then_attempts_in_a_bounded_loop(template: dict[str, Any]) -> None:
    machines = resources_of_type(template, "AWS::StepFunctions::StateMachine")
    (machine,) = [m for lid, m in machines.items() if lid.startswith("WebhooksRetries")]
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    definition = json.loads("".join(p if isinstance(p, str) else "ARN" for p in parts))
    states = definition["States"]
    assert definition["StartAt"] == "Wait before the next attempt"
    assert states["Wait before the next attempt"] == {
        "Type": "Wait",
        "SecondsPath": "$.delay_seconds",
        "Next": "Attempt delivery",
    }
    choices = states["Delivered or dead-lettered?"]
    assert choices["Default"] == "Wait before the next attempt"
    assert any(c.get("NumericGreaterThan") for c in choices["Choices"])  # the loop's counter bound
    assert states["Attempt delivery"]["Retry"]  # transient failures of the attempt function
    assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}
    assert machine["Properties"]["StateMachineName"] == "AiOrchestrator-webhook-retries"


def test_the_functions_have_their_settings_and_a_deployed_stack_does_not_deliver_to_loopback(
    template: dict[str, Any],
) -> None:
    dispatch = _function(template, "handlers.webhook_dispatch.handler")["Properties"]["Environment"][
        "Variables"
    ]
    attempt = _function(template, "handlers.webhook_attempt.handler")["Properties"]["Environment"][
        "Variables"
    ]
    api = _function(template, "handlers.api.handler")["Properties"]["Environment"]["Variables"]
    assert constants.ENV_WEBHOOK_RETRIES in dispatch and constants.ENV_WEBHOOK_RETRIES not in attempt
    for variables in (dispatch, attempt, api):
        assert constants.ENV_WEBHOOKS_TABLE in variables
        assert constants.ENV_WEBHOOK_ALLOW_LOOPBACK not in variables
        assert constants.ENV_TENANT_DATA_ACCESS_ROLE in variables
    assert dispatch[constants.ENV_WEBHOOK_RETRY_SCHEDULE] == constants.DEFAULT_WEBHOOK_RETRY_SCHEDULE


def build_app_with_retry_schedule(schedule: str) -> None:
    """The app built with ``webhookRetrySchedule`` set to ``schedule``: run in the session's CDK
    runtime (``in_cdk_runtime``)."""
    from aws_cdk import App

    from infra.cdk.app_factory import build_app

    build_app(App(context={"webhookRetrySchedule": schedule}), nag=False)


def test_a_bad_retry_schedule_fails_synthesis_naming_it() -> None:
    with pytest.raises(ValueError, match="webhook retry schedule '5,soon'"):
        in_cdk_runtime(build_app_with_retry_schedule, "5,soon")


def test_secrets_are_sealed_by_a_rotated_key_each_role_opening_only_its_sessions_tenants(
    template: dict[str, Any],
) -> None:
    (key_id,) = [
        lid for lid in resources_of_type(template, "AWS::KMS::Key") if lid.startswith("WebhooksSecretsKey")
    ]
    assert template["Resources"][key_id]["Properties"]["EnableKeyRotation"] is True
    grants = [
        statement
        for policy in resources_of_type(template, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if {"Fn::GetAtt": [key_id, "Arn"]} == statement["Resource"]
    ]
    assert sorted(str(g["Action"]) for g in grants) == ["kms:Decrypt", "kms:Decrypt", "kms:Encrypt"]
    tenant = {"StringEquals": {"kms:EncryptionContext:tenant_id": "${aws:PrincipalTag/tenant_id}"}}
    assert all(g["Condition"] == tenant for g in grants)
