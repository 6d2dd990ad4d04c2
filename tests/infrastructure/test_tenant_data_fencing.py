"""The API reads and writes DynamoDB items only as one tenant: asserted on the synthesized policies.

The API function's own role holds no DynamoDB permission. It may assume the tenant data access
role, tagging the session with the tenant, and that role allows each table's item actions only
where every leading (partition) key is the tag's value or begins with it and the key delimiter.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from orchestrator.adapters.dynamodb_keys import DELIMITER
from orchestrator.core import constants
from orchestrator.core.records import TENANT_ID_PATTERN
from orchestrator.tenancy.credentials import SESSION_SECONDS
from tests.synthesized import resources_of_type, synthesized_template

TAG = constants.TENANT_SESSION_TAG
FENCE = {
    "ForAllValues:StringLike": {
        "dynamodb:LeadingKeys": [f"${{aws:PrincipalTag/{TAG}}}", f"${{aws:PrincipalTag/{TAG}}}{DELIMITER}*"]
    },
    "Null": {"dynamodb:LeadingKeys": "false"},
}
READ = {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"}
WRITE = {"dynamodb:PutItem", "dynamodb:UpdateItem"}
FENCED = {  # what the API does with each table, one tenant's items at a time
    "TenantSettings": READ | WRITE,
    "Prompts": READ | WRITE,
    "Usage": READ | WRITE,  # budgets
    "ModelCache": READ | WRITE,  # invalidation counters
    "Runs": READ | WRITE,
    "StepResults": READ | WRITE,  # approval decisions
    "Events": READ,
    "Idempotency": READ | WRITE,
    "Tenants": READ | WRITE | {"dynamodb:DeleteItem"},  # request windows, run slots (transactions)
}
NO_LEADING_KEY = {"dynamodb:Scan", "dynamodb:DescribeTable", "dynamodb:ListTables", "dynamodb:*"}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return synthesized_template()


def _actions(statement: dict[str, Any]) -> set[str]:
    value = statement["Action"]
    return set(value if isinstance(value, list) else [value])


def _api_function(template: dict[str, Any]) -> dict[str, Any]:
    (function,) = [
        fn
        for fn in resources_of_type(template, "AWS::Lambda::Function").values()
        if fn["Properties"]["Handler"] == "handlers.api.handler"
    ]
    return function


def _role_of(function: dict[str, Any]) -> str:
    return str(function["Properties"]["Role"]["Fn::GetAtt"][0])


def _tenant_data_role(template: dict[str, Any]) -> str:
    variables = _api_function(template)["Properties"]["Environment"]["Variables"]
    return str(variables[constants.ENV_TENANT_DATA_ACCESS_ROLE]["Fn::GetAtt"][0])


def _statements_of(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """Every statement of the policies attached to ``role``."""
    return [
        statement
        for policy in resources_of_type(template, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _table_name(template: dict[str, Any], resource: Any) -> str:
    """The short table name (``Runs``) of a statement's resource: a table's own ARN, nothing wider."""
    assert isinstance(resource, dict) and list(resource) == ["Fn::GetAtt"], resource
    logical_id, attribute = resource["Fn::GetAtt"]
    assert attribute == "Arn" and template["Resources"][logical_id]["Type"] == "AWS::DynamoDB::Table"
    return next(name for name in FENCED if logical_id.startswith(f"Tables{name}"))


def test_the_api_functions_own_role_has_no_dynamodb_permission_and_may_only_become_a_tenant(
    template: dict[str, Any],
) -> None:
    # Given the API function's own role
    statements = _statements_of(template, _role_of(_api_function(template)))

    # Then none of its statements names a DynamoDB action
    assert not [s for s in statements if any(a.startswith("dynamodb:") for a in _actions(s))]
    # And its only STS permission is to assume (and tag) the tenant data access role
    sts = [s for s in statements if any(a.startswith("sts:") for a in _actions(s))]
    assert sts == [
        {
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [_tenant_data_role(template), "Arn"]},
        }
    ]


def test_every_dynamodb_statement_of_the_tenant_role_is_fenced_by_the_tenants_leading_keys(
    template: dict[str, Any],
) -> None:
    statements = _statements_of(template, _tenant_data_role(template))

    granted: dict[str, set[str]] = {}
    for statement in statements:
        # Then every statement allows DynamoDB item actions on one table, under exactly the fence
        assert statement["Effect"] == "Allow"
        assert all(action.startswith("dynamodb:") for action in _actions(statement)), statement
        assert statement["Condition"] == FENCE, statement
        table = _table_name(template, statement["Resource"])
        assert table not in granted, f"{table} is granted twice"
        granted[table] = _actions(statement)

    # And exactly the tables the API uses, with exactly the actions it needs on each
    assert granted == FENCED


def test_the_tenant_role_has_no_action_without_a_leading_key(template: dict[str, Any]) -> None:
    # Scan and DescribeTable carry no leading key: under ``ForAllValues`` they would be unfenced
    actions = set().union(*map(_actions, _statements_of(template, _tenant_data_role(template))))
    assert not actions & NO_LEADING_KEY
    assert not {a for a in actions if a.startswith(("dynamodb:Batch", "dynamodb:PartiQL"))}


def test_only_the_api_functions_role_may_assume_the_tenant_role_and_only_with_the_tenant_tag(
    template: dict[str, Any],
) -> None:
    role = template["Resources"][_tenant_data_role(template)]["Properties"]
    api_role = {"AWS": {"Fn::GetAtt": [_role_of(_api_function(template)), "Arn"]}}

    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": api_role},
        {
            "Action": "sts:TagSession",
            "Condition": {
                "StringLike": {f"aws:RequestTag/{TAG}": "??*"},
                "ForAllValues:StringEquals": {"aws:TagKeys": [TAG]},
            },
            "Effect": "Allow",
            "Principal": api_role,
        },
    ]
    # a session lasts as long as the function asks for, the most a chained role session may last
    assert role["MaxSessionDuration"] == SESSION_SECONDS == 3600
    assert not role.get("ManagedPolicyArns") and not role.get("Policies")


def test_no_other_role_is_allowed_to_assume_the_tenant_role_or_is_fenced(template: dict[str, Any]) -> None:
    tenant_role, api_role = _tenant_data_role(template), _role_of(_api_function(template))
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        roles = [ref["Ref"] for ref in policy["Properties"]["Roles"]]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if roles != [api_role]:
                assert tenant_role not in json.dumps(statement.get("Resource")), roles
            if roles != [tenant_role]:
                assert "dynamodb:LeadingKeys" not in json.dumps(statement.get("Condition", {})), roles


def test_every_other_function_keeps_its_own_plain_dynamodb_grants(template: dict[str, Any]) -> None:
    # Given every function but the API (the workflow's functions act for the tenant in their input)
    api_role = _role_of(_api_function(template))
    others = {
        _role_of(fn): fn["Properties"]["Handler"]
        for fn in resources_of_type(template, "AWS::Lambda::Function").values()
        if _role_of(fn) != api_role and fn["Properties"]["Handler"].startswith("handlers.")
    }
    assert others

    for role, handler in others.items():
        dynamodb = [
            s for s in _statements_of(template, role) if any(a.startswith("dynamodb:") for a in _actions(s))
        ]
        # Then each one's DynamoDB access is its own role's, on table ARNs, with no condition
        for statement in dynamodb:
            assert "Condition" not in statement, handler
            assert "*" not in json.dumps(statement["Resource"]), handler
    # And the functions that record a run's lifecycle still read and write runs directly
    with_runs = {
        handler
        for role, handler in others.items()
        for s in _statements_of(template, role)
        if "dynamodb:UpdateItem" in _actions(s) and "TablesRuns" in json.dumps(s["Resource"])
    }
    assert {"handlers.start_run.handler", "handlers.run_status.handler"} <= with_runs


def test_fenced_tables_are_keyed_by_a_partition_key_that_begins_with_the_tenant(
    template: dict[str, Any],
) -> None:
    # LeadingKeys is the partition key of the table, or of an index: fenced tables have no index
    tables = resources_of_type(template, "AWS::DynamoDB::Table")
    for name in FENCED:
        (table,) = [t for lid, t in tables.items() if lid.startswith(f"Tables{name}")]
        properties = table["Properties"]
        assert properties["KeySchema"][0] == {"AttributeName": constants.PK, "KeyType": "HASH"}, name
        assert "GlobalSecondaryIndexes" not in properties and "LocalSecondaryIndexes" not in properties


@pytest.mark.parametrize("tenant_id", ["acme*", "ac?me", f"acme{DELIMITER}x", "${aws:username}", "a"])
def test_a_tenant_id_cannot_widen_the_fence(tenant_id: str) -> None:
    # The tag's value is matched with StringLike: a wildcard or the delimiter in it would widen it
    assert not TENANT_ID_PATTERN.fullmatch(tenant_id)
