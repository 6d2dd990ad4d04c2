"""Assertions on the synthesized CloudFormation template (what `cdk deploy` would deploy)."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from orchestrator.constants import PK, SK
from orchestrator.errors import TRANSIENT_ERROR_NAMES
from orchestrator.templates import TEMPLATES, agent_types
from tests.synthesized import resources_of_type, synthesized_template


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return synthesized_template()


def _definition(machine: dict[str, Any]) -> dict[str, Any]:
    """The ASL of a state machine, with the Fn::Join'd ARNs replaced by placeholders."""
    definition = machine["Properties"]["DefinitionString"]
    if isinstance(definition, dict) and "Fn::Join" in definition:
        parts = definition["Fn::Join"][1]
        definition = "".join(p if isinstance(p, str) else "ARN" for p in parts)
    return json.loads(definition)


def _machines(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    machines = resources_of_type(template, "AWS::StepFunctions::StateMachine")
    return {m["Properties"]["StateMachineName"].split("-", 1)[1]: _definition(m) for m in machines.values()}


def test_resource_counts_follow_the_templates(template: dict[str, Any]) -> None:
    # Given the templates declared as data, When the app is synthesized
    # Then there is one function per agent type plus six lifecycle functions, one state machine per template
    assert len(resources_of_type(template, "AWS::Lambda::Function")) == len(agent_types()) + 6
    assert len(resources_of_type(template, "AWS::StepFunctions::StateMachine")) == len(TEMPLATES)
    assert len(resources_of_type(template, "AWS::DynamoDB::Table")) == 4
    assert len(resources_of_type(template, "AWS::Events::EventBus")) == 1
    assert len(resources_of_type(template, "AWS::Events::Rule")) == 3
    assert len(resources_of_type(template, "AWS::ApiGateway::RestApi")) == 1


def test_every_table_is_keyed_by_tenant_and_on_demand(template: dict[str, Any]) -> None:
    for table in resources_of_type(template, "AWS::DynamoDB::Table").values():
        props = table["Properties"]
        assert props["KeySchema"] == [
            {"AttributeName": PK, "KeyType": "HASH"},
            {"AttributeName": SK, "KeyType": "RANGE"},
        ]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_no_function_may_scan_or_delete(template: dict[str, Any]) -> None:
    actions: set[str] = set()
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            value = statement["Action"]
            actions |= set(value if isinstance(value, list) else [value])
    assert "dynamodb:GetItem" in actions and "dynamodb:Query" in actions
    assert not {a for a in actions if a in ("dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:*")}


def test_every_function_has_its_own_role(template: dict[str, Any]) -> None:
    roles = [
        json.dumps(fn["Properties"]["Role"])
        for fn in resources_of_type(template, "AWS::Lambda::Function").values()
    ]
    assert len(roles) == len(set(roles))


@pytest.mark.parametrize("template_name", sorted(TEMPLATES))
def test_every_task_retries_transient_errors_with_jitter(
    template: dict[str, Any], template_name: str
) -> None:
    states = _machines(template)[template_name]["States"]
    tasks = {name: state for name, state in states.items() if state["Type"] == "Task"}
    assert tasks
    for name, task in tasks.items():
        retried = {error for retry in task.get("Retry", []) for error in retry["ErrorEquals"]}
        assert set(TRANSIENT_ERROR_NAMES) <= retried, name
        assert "States.ALL" not in retried, f"{name} must not retry permanent errors"
        assert all(retry.get("JitterStrategy") == "FULL" for retry in task["Retry"]), name
        assert all(retry["BackoffRate"] >= 1 for retry in task["Retry"]), name


@pytest.mark.parametrize("template_name", sorted(TEMPLATES))
def test_every_forward_step_catches_into_compensation(template: dict[str, Any], template_name: str) -> None:
    definition = _machines(template)[template_name]
    states = definition["States"]
    phases = TEMPLATES[template_name].phases
    forward = ["Start run", *[p.title for p in phases], "Finish run"]
    for name in forward:
        catch = states[name]["Catch"]
        assert catch[0]["ErrorEquals"] == ["States.ALL"]
        assert catch[0]["ResultPath"] == "$.error", "the original input must be kept"
        assert states[catch[0]["Next"]]["Type"] == "Task"
        assert catch[0]["Next"].startswith("Record failure at")
    # the forward path runs the phases in the declared order
    assert definition["StartAt"] == "Start run"
    for current, following in itertools.pairwise(forward):
        assert states[current]["Next"] == following


@pytest.mark.parametrize("template_name", sorted(TEMPLATES))
def test_compensation_undoes_completed_phases_in_reverse(
    template: dict[str, Any], template_name: str
) -> None:
    states = _machines(template)[template_name]["States"]
    phases = TEMPLATES[template_name].phases
    for index, phase in enumerate(phases):
        # a failure at phase k records the failure, then undoes phases k .. 1, then marks the run
        record = states[f"Record failure at {phase.title}"]
        state = record["Next"]
        assert record["Catch"][0]["Next"] == state, "compensation goes on even if recording fails"
        visited = []
        while state.startswith("Undo "):
            visited.append(state.removeprefix("Undo "))
            assert states[state]["Catch"][0]["Next"] == "Mark compensation failed"
            state = states[state]["Next"]
        assert visited == [p.title for p in reversed(phases[: index + 1])]
        assert state == "Mark run compensated"
        assert states[state]["Catch"][0]["Next"] == "Mark compensation failed"
        assert states[states[state]["Next"]]["Type"] == "Fail"
    # a failure to finish undoes every phase
    assert states[states["Record failure at Finish run"]["Next"]] is states[f"Undo {phases[-1].title}"]


def test_state_machines_have_timeouts_logging_and_tracing(template: dict[str, Any]) -> None:
    for machine in resources_of_type(template, "AWS::StepFunctions::StateMachine").values():
        props = machine["Properties"]
        assert props["StateMachineType"] == "STANDARD"
        assert props["TracingConfiguration"]["Enabled"] is True
        assert props["LoggingConfiguration"]["Level"] == "ALL"
    for definition in _machines(template).values():
        assert definition["TimeoutSeconds"] > 0


def test_phase_payloads_carry_references_not_outputs(template: dict[str, Any]) -> None:
    for definition in _machines(template).values():
        for name, state in definition["States"].items():
            if state["Type"] != "Task":
                continue
            payload = state["Parameters"]["Payload"]
            assert set(payload) <= {
                "tenant_id.$",
                "run_id.$",
                "correlation_id.$",
                "template.$",
                "phase",
                "status",
                "execution_arn.$",
                "error.$",
                "failed_phase",
            }, name
            if "ResultSelector" in state:  # phase tasks keep a short summary only
                assert set(state["ResultSelector"]) == {"status.$", "summary.$", "attempts.$"}


def test_rules_route_lifecycle_events_to_audit_and_requests_to_start(template: dict[str, Any]) -> None:
    rules = [r["Properties"] for r in resources_of_type(template, "AWS::Events::Rule").values()]
    patterns = {json.dumps(rule["EventPattern"], sort_keys=True) for rule in rules}
    assert any('"OrchestrationRequested"' in p for p in patterns)
    assert any('"ORCHESTRATION_STARTED"' in p and '"ai.orchestrator"' in p for p in patterns)
    ended = [rule for rule in rules if rule["EventPattern"].get("source") == ["aws.states"]]
    assert len(ended) == 1 and "EventBusName" not in ended[0], (
        "execution status changes come on the default bus"
    )
    assert ended[0]["EventPattern"]["detail"]["status"] == ["FAILED", "TIMED_OUT", "ABORTED"]
    assert len(ended[0]["EventPattern"]["detail"]["stateMachineArn"]) == len(TEMPLATES)
    for rule in rules:
        assert rule in ended or rule["EventBusName"], "our own events stay on the custom bus"
        assert len(rule["Targets"]) == 1 and rule["Targets"][0]["DeadLetterConfig"]


def test_api_function_knows_issuer_and_state_machines(template: dict[str, Any]) -> None:
    functions = resources_of_type(template, "AWS::Lambda::Function").values()
    api = next(f for f in functions if f["Properties"]["Handler"] == "handlers.api.handler")
    env = api["Properties"]["Environment"]["Variables"]
    assert {"JWT_ISSUER", "JWT_AUDIENCE", "JWT_JWKS", "STATE_MACHINE_ARNS", "RUNS_TABLE_NAME"} <= set(env)
    stage = next(iter(resources_of_type(template, "AWS::ApiGateway::Stage").values()))["Properties"]
    assert stage["MethodSettings"][0]["ThrottlingRateLimit"] > 0
