"""Functions read and write tenant data only as one tenant: asserted on the synthesized policies.

The API function's own role holds no DynamoDB permission. It may assume its tenant data access
role, tagging the session with the tenant, and that role allows each table's item actions only
where every leading (partition) key is the tag's value or begins with it and the key delimiter.
Every other function that touches tenant data has a role of its own of the same kind (the agents
share two); ``test_every_role_is_fenced_per_tenant.py`` walks every policy of the template.
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
INDEX_TAG = constants.TENANT_INDEX_SESSION_TAG
TRUST_CONDITIONS = {
    "StringLike": {f"aws:RequestTag/{TAG}": "??*", f"aws:RequestTag/{INDEX_TAG}": "?" * 16},
    "ForAllValues:StringEquals": {"aws:TagKeys": [TAG, INDEX_TAG]},
}
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
    "Commands": READ,  # a run's lineage: the commands each step ran
    "Idempotency": READ | WRITE,
    "Tenants": READ | WRITE | {"dynamodb:DeleteItem"},  # request windows, run slots (transactions)
    "Webhooks": READ | WRITE,  # endpoints (a deleted one is marked, never deleted), delivery logs
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
    dynamodb = [s for s in statements if any(a.startswith("dynamodb:") for a in _actions(s))]
    others = [s for s in statements if s not in dynamodb]
    # the rest: sealing the tenant's webhook secrets, presigning and checking its uploads,
    # searching its vector indexes
    assert sorted(sorted(_actions(s)) for s in others) == [
        ["kms:Encrypt"],
        ["s3:GetObject", "s3:PutObject"],
        ["s3vectors:GetVectors", "s3vectors:QueryVectors"],
    ]
    (sealing,) = [s for s in others if _actions(s) == {"kms:Encrypt"}]
    assert sealing["Condition"] == {
        "StringEquals": {"kms:EncryptionContext:tenant_id": "${aws:PrincipalTag/tenant_id}"}
    }

    granted: dict[str, set[str]] = {}
    for statement in dynamodb:
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
            "Condition": TRUST_CONDITIONS,
            "Effect": "Allow",
            "Principal": api_role,
        },
    ]
    # a session lasts as long as the function asks for, the most a chained role session may last
    assert role["MaxSessionDuration"] == SESSION_SECONDS == 3600
    assert not role.get("ManagedPolicyArns") and not role.get("Policies")


def _tenant_roles(template: dict[str, Any]) -> dict[str, set[str]]:
    """Each tenant data access role and the roles of the functions that assume it."""
    roles: dict[str, set[str]] = {}
    for fn in resources_of_type(template, "AWS::Lambda::Function").values():
        variables = fn["Properties"].get("Environment", {}).get("Variables", {})
        if constants.ENV_TENANT_DATA_ACCESS_ROLE in variables:
            tenant_role = variables[constants.ENV_TENANT_DATA_ACCESS_ROLE]["Fn::GetAtt"][0]
            roles.setdefault(tenant_role, set()).add(_role_of(fn))
    return roles


def test_every_function_that_touches_tenant_data_has_a_tenant_data_access_role(
    template: dict[str, Any],
) -> None:
    with_role = {
        fn["Properties"]["Handler"]
        for fn in resources_of_type(template, "AWS::Lambda::Function").values()
        if constants.ENV_TENANT_DATA_ACCESS_ROLE
        in fn["Properties"].get("Environment", {}).get("Variables", {})
    }
    every_handler = {
        fn["Properties"]["Handler"]
        for fn in resources_of_type(template, "AWS::Lambda::Function").values()
        if fn["Properties"]["Handler"].startswith("handlers.")
    }
    # the token authorizers read no data: they only verify tokens
    assert with_role == every_handler - {
        "handlers.authorizer.handler",
        "handlers.websocket_authorizer.handler",
    }
    tenant_roles = _tenant_roles(template)
    # the API's, one per service function (webhooks' two included), and two the agents share (with
    # and without vectors)
    assert len(tenant_roles) == 14
    agents = [callers for callers in tenant_roles.values() if len(callers) > 1]
    assert len(agents) == 1 and len(agents[0]) >= 40


def test_each_tenant_role_is_assumed_only_by_its_functions_and_only_with_the_tenant_tags(
    template: dict[str, Any],
) -> None:
    for tenant_role, callers in _tenant_roles(template).items():
        trust = template["Resources"][tenant_role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assume, tag = trust
        assert assume["Action"] == "sts:AssumeRole" and tag["Action"] == "sts:TagSession"
        if len(callers) == 1:  # its function's role, by ARN
            (caller,) = callers
            principal = {"AWS": {"Fn::GetAtt": [caller, "Arn"]}}
            assert assume == {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": principal}
            assert tag == {
                "Action": "sts:TagSession",
                "Condition": TRUST_CONDITIONS,
                "Effect": "Allow",
                "Principal": principal,
            }
            continue
        # shared by the agents: the account's principals carrying the caller tag only these roles carry
        caller_tag = assume["Condition"]["StringEquals"]
        ((key, value),) = caller_tag.items()
        assert key.startswith("aws:PrincipalTag/") and "Fn::Join" in json.dumps(assume["Principal"])
        assert tag["Condition"] == TRUST_CONDITIONS | {"StringEquals": caller_tag}
        tagged = {
            lid
            for lid, role in resources_of_type(template, "AWS::IAM::Role").items()
            if {"Key": key.removeprefix("aws:PrincipalTag/"), "Value": value}
            in role["Properties"].get("Tags", [])
        }
        assert tagged == callers


def test_no_other_role_may_assume_a_tenant_role_or_is_fenced(template: dict[str, Any]) -> None:
    tenant_roles = _tenant_roles(template)
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        roles = {ref["Ref"] for ref in policy["Properties"]["Roles"]}
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            for tenant_role, callers in tenant_roles.items():
                if tenant_role in json.dumps(statement.get("Resource")):
                    assert roles <= callers and _actions(statement) == {"sts:AssumeRole", "sts:TagSession"}
            if "dynamodb:LeadingKeys" in json.dumps(statement.get("Condition", {})):
                assert roles <= set(tenant_roles), roles


def test_function_roles_keep_only_the_shared_circuits_table_as_a_plain_dynamodb_grant(
    template: dict[str, Any],
) -> None:
    tenant_roles = _tenant_roles(template)
    function_roles = {
        _role_of(fn): fn["Properties"]["Handler"]
        for fn in resources_of_type(template, "AWS::Lambda::Function").values()
        if fn["Properties"]["Handler"].startswith("handlers.")
    }
    plain = set()
    for role, handler in function_roles.items():
        assert role not in tenant_roles
        for statement in _statements_of(template, role):
            if any(a.startswith("dynamodb:") for a in _actions(statement)):
                assert "Condition" not in statement, handler
                plain |= {
                    (handler, r["Fn::GetAtt"][0].startswith("TablesCircuits")) for r in statement["Resource"]
                }
    # only the agents, and only on the table every tenant's provider circuits share
    assert plain == {("handlers.run_agent.handler", True)}


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
