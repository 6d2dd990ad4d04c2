"""What the deployment's context options change in the synthesized template: bulkheads (reserved
concurrency), the workspace's access record, the operators' alarm topic; and the task-token grant."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.cdk.constructs.bulkheads import DEFAULT_RESERVATIONS, reservations_from_context
from infra.cdk.constructs.workspace import access_record_from_context
from orchestrator.core import constants
from tests.synthesized import resources_of_type, synthesized_template, workspace_bucket_id

ALTERNATE = {
    "reservedConcurrency": json.dumps({"api": 50, "agents": 3}),
    "workspaceAccessRecord": "cloudtrail",
    "alarmEmails": "ops@example.com, oncall@example.com",
    "archiveFetchAllowedHosts": "files.internal:443",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return synthesized_template()


def _reserved(template: dict[str, Any]) -> dict[str, int | None]:
    """Reserved concurrency by handler module (agents: one entry per agent function's id)."""
    reserved: dict[str, int | None] = {}
    for logical_id, fn in resources_of_type(template, "AWS::Lambda::Function").items():
        handler = fn["Properties"]["Handler"].split(".")[1]
        key = logical_id if handler == "run_agent" else handler
        reserved[key] = fn["Properties"].get("ReservedConcurrentExecutions")
    return reserved


def _workspace_bucket(template: dict[str, Any]) -> dict[str, Any]:
    bucket: dict[str, Any] = template["Resources"][workspace_bucket_id(template)]
    return bucket


def test_the_api_and_run_control_functions_have_reserves_that_agents_cannot_take(
    template: dict[str, Any],
) -> None:
    # Given the default deployment, When synthesized
    reserved = _reserved(template)
    # Then the API and every function that moves runs on have their own reserved concurrency
    assert reserved["api"] == DEFAULT_RESERVATIONS["api"]
    for handler in (
        "run_status",
        "approval_gate",
        "undo_completed_work",
        "execution_ended",
        "start_run",
        "audit_writer",
        "prepare_map",
    ):
        assert reserved[handler] == 5, handler
    # And the agents share the unreserved pool, leaving at least 100 of a 1,000 quota unreserved
    agents = {k: v for k, v in reserved.items() if k.startswith("FunctionsAgent")}
    assert agents and all(v is None for v in agents.values())
    assert sum(v or 0 for v in reserved.values()) <= 900


def test_reservations_and_the_access_record_are_configurable() -> None:
    # Given a deployment asking for a bigger API reserve, a ceiling per agent and CloudTrail
    template = synthesized_template(**ALTERNATE)
    reserved = _reserved(template)
    # Then the API has 50, each agent function at most 3, the others keep their defaults
    assert reserved["api"] == 50
    assert {v for k, v in reserved.items() if k.startswith("FunctionsAgent")} == {3}
    assert reserved["run_status"] == 5
    # And the workspace's object-level reads and writes go to a trail instead of server access logs
    assert "LoggingConfiguration" not in _workspace_bucket(template)["Properties"]
    (trail,) = resources_of_type(template, "AWS::CloudTrail::Trail").values()
    (selector,) = trail["Properties"]["EventSelectors"]
    assert selector["IncludeManagementEvents"] is False
    assert selector["ReadWriteType"] == "All"
    (data,) = selector["DataResources"]
    assert data["Type"] == "AWS::S3::Object"
    assert "WorkspaceBucket" in json.dumps(data["Values"])


def test_the_workspace_bucket_logs_every_request_to_a_separate_bucket(template: dict[str, Any]) -> None:
    # Given the default deployment
    logging = _workspace_bucket(template)["Properties"]["LoggingConfiguration"]
    # Then its server access logs go to the access-log bucket, which expires them after a year
    target = logging["DestinationBucketName"]["Ref"]
    assert target.startswith("WorkspaceAccessLogs")
    assert logging["LogFilePrefix"] == "workspace-access/"
    logs_bucket = template["Resources"][target]["Properties"]
    assert logs_bucket["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 365
    assert logs_bucket["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
    assert not resources_of_type(template, "AWS::CloudTrail::Trail")


def test_task_token_answers_are_granted_as_the_authorization_reference_requires(
    template: dict[str, Any],
) -> None:
    # SendTaskSuccess/Failure/Heartbeat have no resource types: only Resource "*" authorizes them
    statements = [
        (lid, statement)
        for lid, policy in resources_of_type(template, "AWS::IAM::Policy").items()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if any("SendTask" in action for action in _actions(statement))
    ]
    assert statements
    answering: dict[str, set[str]] = {"FunctionsApi": set(), "FunctionsApprovalGate": set()}  # no one else
    for lid, statement in statements:
        owner = next((prefix for prefix in answering if lid.startswith(prefix)), None)
        assert owner is not None, lid
        assert statement["Resource"] == "*"
        answering[owner] |= set(_actions(statement))
    assert answering["FunctionsApi"] == {
        "states:SendTaskSuccess",
        "states:SendTaskFailure",
        "states:SendTaskHeartbeat",
    }
    # the gate answers its own re-armed token when a decision crossed a deadline
    assert answering["FunctionsApprovalGate"] == {"states:SendTaskSuccess", "states:SendTaskFailure"}


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement.get("Action", [])
    return [actions] if isinstance(actions, str) else actions


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("{", "JSON object"),
        ("[1]", "JSON object"),
        ('{"apii": 5}', "unknown function(s) apii"),
        ('{"api": -1}', "reservedConcurrency['api'] must be a whole number"),
        ('{"api": "5"}', "must be a whole number"),
        ('{"api": true}', "must be a whole number"),
        ('{"agents": 10001}', "to 10000"),
    ],
)
def test_a_bad_reservation_fails_synthesis_naming_the_problem(value: str, problem: str) -> None:
    with pytest.raises(ValueError, match="reservedConcurrency") as raised:
        reservations_from_context(value)
    assert problem in str(raised.value)


def test_reservations_can_be_turned_off_or_partly_overridden() -> None:
    assert set(reservations_from_context("off").values()) == {0}
    assert reservations_from_context('{"api": 0}') == DEFAULT_RESERVATIONS | {"api": 0}
    assert reservations_from_context(None) == DEFAULT_RESERVATIONS


def test_an_unknown_access_record_fails_synthesis() -> None:
    with pytest.raises(ValueError, match="workspaceAccessRecord must be one of server-access-logs"):
        access_record_from_context("s3")
    assert access_record_from_context("off") == "off"


def test_the_configured_variant_has_no_cfn_lint_errors() -> None:
    from cfnlint.api import lint

    matches = lint(json.dumps(synthesized_template(**ALTERNATE)))
    assert [f"{m.rule.id}: {m.message}" for m in matches if m.rule.id[0] == "E"] == []


def test_every_alarm_tells_the_operators_topic_and_the_topic_emails_whom_the_context_names(
    template: dict[str, Any],
) -> None:
    # Given the default deployment: a topic, no subscription, every alarm notifying it both ways
    (topic_id,) = resources_of_type(template, "AWS::SNS::Topic")
    alarms = resources_of_type(template, "AWS::CloudWatch::Alarm")
    assert alarms
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["Properties"]["OKActions"] == [{"Ref": topic_id}]
    assert not resources_of_type(template, "AWS::SNS::Subscription")
    assert template["Outputs"]["OperatorAlertsTopicArn"]["Value"] == {"Ref": topic_id}
    # And the product's own metrics are watched: provider errors and circuit opens
    watched = {a["Properties"].get("MetricName") for a in alarms.values()}
    assert {"ProviderErrors", "CircuitOpened"} <= watched
    (policy,) = resources_of_type(template, "AWS::SNS::TopicPolicy").values()
    assert any(s["Effect"] == "Deny" for s in policy["Properties"]["PolicyDocument"]["Statement"])
    # When the context names two addresses, Then each is subscribed by email
    configured = synthesized_template(**ALTERNATE)
    emails = sorted(
        s["Properties"]["Endpoint"] for s in resources_of_type(configured, "AWS::SNS::Subscription").values()
    )
    assert emails == ["oncall@example.com", "ops@example.com"]


def test_the_dashboard_draws_the_product_metrics_per_template_and_per_tenant(
    template: dict[str, Any],
) -> None:
    (dashboard,) = resources_of_type(template, "AWS::CloudWatch::Dashboard").values()
    parts = dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
    widgets = json.loads("".join(p if isinstance(p, str) else "ref" for p in parts))["widgets"]
    expressions = json.dumps([w["properties"].get("metrics") for w in widgets])
    for name in ("StepLatency", "InputTokens", "OutputTokens", "ModelCostUSD", "CacheHits", "ProviderErrors"):
        for dimension in ("template", "tenant_id"):
            assert f'service,{dimension}}} MetricName=\\"{name}\\"' in expressions, (name, dimension)
    assert 'service,provider} MetricName=\\"CircuitOpened\\"' in expressions


def test_a_bad_alarm_address_fails_synthesis() -> None:
    from infra.cdk.app_factory import _alarm_emails

    assert _alarm_emails("a@example.com, b@example.org") == ["a@example.com", "b@example.org"]
    assert _alarm_emails("") == []
    with pytest.raises(ValueError, match="alarmEmails: not an email address: ops"):
        _alarm_emails("ops, a@example.com")


def test_the_api_checks_archive_urls_with_the_hosts_the_fetch_may_reach(template: dict[str, Any]) -> None:
    # Given a deployment letting archive fetches reach one private host
    configured = synthesized_template(**ALTERNATE)
    # Then the API, which checks an archive URL at run start, knows that host as the fetch does
    for synthesized, expected in ((template, None), (configured, "files.internal:443")):
        functions = resources_of_type(synthesized, "AWS::Lambda::Function").values()
        (api,) = (f for f in functions if f["Properties"]["Handler"] == "handlers.api.handler")
        variables = api["Properties"]["Environment"]["Variables"]
        assert variables.get(constants.ENV_FETCH_ALLOWED_HOSTS) == expected
