"""Every policy of the synthesized template, walked statement by statement: no role reaches tenant
data except as one tenant (DynamoDB under the ``dynamodb:LeadingKeys`` fence, S3 objects under the
session tag's prefix, vector indexes under its index key), the named operator roles aside.

Policies come from everywhere a template can hold them: ``AWS::IAM::Policy`` (CDK's default
policies), ``AWS::IAM::ManagedPolicy`` (attached through ``Roles`` or a role's
``ManagedPolicyArns``), a role's inline ``Policies``, and AWS managed policies named by ARN (only
the known ones that touch no data are allowed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from orchestrator.core import constants
from tests.synthesized import resources_of_type, synthesized_template

TENANT = f"${{aws:PrincipalTag/{constants.TENANT_SESSION_TAG}}}"
INDEX_KEY = "${aws:PrincipalTag/tenant_index}"  # the session tag naming the tenant's index key
FENCE = {
    "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [TENANT, f"{TENANT}#*"]},
    "Null": {"dynamodb:LeadingKeys": "false"},
}
SHARED_TABLES = {"Circuits": "every provider's circuit: one partition (circuits#providers) no tenant owns"}
OPERATOR_ROLES: dict[str, str] = {}
"""Roles allowed across tenants, by logical id prefix, with why. None of the stack's functions needs
one: onboarding, limits and disabling run from the operator's own credentials (``orchestrator
tenants``), and the run-slot reclaim reads and frees slots inside the starting tenant's partition."""
MAX_OPERATOR_ROLES = 3
DATA_FREE_MANAGED_POLICIES = {
    "service-role/AWSLambdaBasicExecutionRole",  # the function's own log stream
    "service-role/AmazonAPIGatewayPushToCloudWatchLogs",  # API Gateway's account logging role
}
ITEM_ACTION_PREFIXES = (
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:Batch",
    "dynamodb:PartiQL",
    "dynamodb:*",
    "dynamodb:Get*",
    "dynamodb:Put*",
    "dynamodb:Update*",
    "dynamodb:Delete*",
    "*",
)
OBJECT_ACTION_PREFIXES = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:*",
    "s3:Get*",
    "s3:Put*",
    "*",
)
MANIFEST_READER = ({"s3:GetObject"}, f"/*/{constants.RUN_DATA_PREFIX}/*/manifests/*")
"""The one object grant not scoped by a session tag: a state machine's Distributed Map reads its
manifests with the machine's own role (``infra/cdk/constructs/workflows.py``)."""


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return synthesized_template()


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def render(value: Any) -> str:
    """A resource as text: ``<Logical.Arn>`` for GetAtt, ``<Logical>`` for Ref, joins joined."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(render(part) for part in parts)
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        return f"<{logical_id}.{attribute}>"
    if isinstance(value, dict) and "Ref" in value:
        return f"<{value['Ref']}>"
    return json.dumps(value, sort_keys=True)


def role_statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(role logical id, statement) for every statement of every policy any role holds."""
    resources = template["Resources"]
    managed = resources_of_type(template, "AWS::IAM::ManagedPolicy")
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        for role in policy["Properties"].get("Roles", []):
            for statement in _list(policy["Properties"]["PolicyDocument"]["Statement"]):
                yield role["Ref"], statement
    for policy_id, policy in managed.items():
        holders = {ref["Ref"] for ref in policy["Properties"].get("Roles", [])}
        holders |= {
            role_id
            for role_id, role in resources_of_type(template, "AWS::IAM::Role").items()
            if {"Ref": policy_id} in role["Properties"].get("ManagedPolicyArns", [])
        }
        for role_id in holders:
            for statement in _list(policy["Properties"]["PolicyDocument"]["Statement"]):
                yield role_id, statement
    for role_id, role in resources_of_type(template, "AWS::IAM::Role").items():
        for inline in role["Properties"].get("Policies", []):
            for statement in _list(inline["PolicyDocument"]["Statement"]):
                yield role_id, statement
        for arn in role["Properties"].get("ManagedPolicyArns", []):
            if isinstance(arn, dict) and "Ref" in arn and arn["Ref"] in resources:
                continue  # one of the template's managed policies, walked above
            name = render(arn).split(":policy/")[-1]
            assert name in DATA_FREE_MANAGED_POLICIES, f"{role_id} holds the managed policy {name}"


def _logical_ids(template: dict[str, Any], resource_type: str, prefix: str = "") -> set[str]:
    return {lid for lid in resources_of_type(template, resource_type) if lid.startswith(prefix)}


def tenant_tables(template: dict[str, Any]) -> set[str]:
    tables = _logical_ids(template, "AWS::DynamoDB::Table")
    shared = {lid for lid in tables for name in SHARED_TABLES if lid.startswith(f"Tables{name}")}
    assert len(shared) == len(SHARED_TABLES)
    return tables - shared


def _matches(actions: set[str], prefixes: tuple[str, ...]) -> bool:
    return any(action.startswith(prefix) or action == prefix for action in actions for prefix in prefixes)


def agent_roles(template: dict[str, Any]) -> set[str]:
    return {
        fn["Properties"]["Role"]["Fn::GetAtt"][0]
        for fn in resources_of_type(template, "AWS::Lambda::Function").values()
        if fn["Properties"]["Handler"] == "handlers.run_agent.handler"
    }


def _is_operator(role: str) -> bool:
    return any(role.startswith(prefix) for prefix in OPERATOR_ROLES)


def unfenced_item_grants(template: dict[str, Any]) -> set[tuple[str, str]]:
    """(role, table) where a role may use an item action on a tenant table outside the fence."""
    tables = tenant_tables(template)
    found = set()
    for role, statement in role_statements(template):
        actions = set(_list(statement.get("Action", [])))
        if statement["Effect"] != "Allow" or not _matches(actions, ITEM_ACTION_PREFIXES):
            continue
        for resource in map(render, _list(statement["Resource"])):
            covered = {t for t in tables if f"<{t}." in resource or f"<{t}>" in resource}
            if resource == "*" or ":table/*" in resource:
                covered = tables
            if covered and statement.get("Condition") != FENCE:
                found |= {(role, table) for table in covered}
    return found


def unscoped_object_grants(template: dict[str, Any]) -> set[tuple[str, str]]:
    """(role, resource) where a role may use an object action on the workspace outside one tenant's
    prefix (the whole bucket ``<arn>/*`` among them)."""
    (bucket,) = _logical_ids(template, "AWS::S3::Bucket", "WorkspaceBucket")
    machine_roles = {
        machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]
        for machine in resources_of_type(template, "AWS::StepFunctions::StateMachine").values()
    }
    found = set()
    for role, statement in role_statements(template):
        actions = set(_list(statement.get("Action", [])))
        if statement["Effect"] != "Allow" or not _matches(actions, OBJECT_ACTION_PREFIXES):
            continue
        for resource in map(render, _list(statement["Resource"])):
            for root in (f"<{bucket}.Arn>", f"arn:<AWS::Partition>:s3:::<{bucket}>"):
                if resource == "*" or resource == "arn:<AWS::Partition>:s3:::*":
                    found.add((role, resource))
                elif resource.startswith(root):
                    path = resource.removeprefix(root)
                    manifests = (actions, path) == MANIFEST_READER and role in machine_roles
                    if not path.startswith(f"/{TENANT}/") and not manifests:
                        found.add((role, resource))
    return found


def test_the_walk_sees_every_kind_of_policy_and_every_function(template: dict[str, Any]) -> None:
    roles = {role for role, _ in role_statements(template)}
    functions = resources_of_type(template, "AWS::Lambda::Function").values()
    assert {fn["Properties"]["Role"]["Fn::GetAtt"][0] for fn in functions} <= roles
    assert len(agent_roles(template)) >= 40  # one function per agent type
    assert len(tenant_tables(template)) == 12


def test_no_role_but_a_named_operator_role_reaches_a_tenant_table_outside_the_leading_keys_fence(
    template: dict[str, Any],
) -> None:
    assert len(OPERATOR_ROLES) <= MAX_OPERATOR_ROLES
    unfenced = unfenced_item_grants(template)

    assert not {role for role, _ in unfenced} & agent_roles(template)
    assert {(role, table) for role, table in unfenced if not _is_operator(role)} == set()


def test_no_role_reaches_workspace_objects_outside_one_tenants_prefix(template: dict[str, Any]) -> None:
    # the state machines' manifest reader aside: GetObject on <tenant>/.runs/<run>/manifests/ only
    assert {(role, r) for role, r in unscoped_object_grants(template) if not _is_operator(role)} == set()


def test_agent_roles_hold_no_tenant_data_grant_of_their_own(template: dict[str, Any]) -> None:
    # Given every agent function's own role
    tables = tenant_tables(template)
    (workspace,) = _logical_ids(template, "AWS::S3::Bucket", "WorkspaceBucket")
    for role, statement in role_statements(template):
        if role not in agent_roles(template):
            continue
        text = json.dumps(statement["Resource"])
        # Then it names no tenant table, no workspace object and no vector index: those it reaches
        # only through its tenant data access role, as the run's tenant
        assert not [t for t in tables if t in text], statement
        assert workspace not in text, statement
        assert "s3vectors:" not in json.dumps(statement["Action"]), statement


def test_every_vector_grant_is_limited_to_the_sessions_tenant_indexes(template: dict[str, Any]) -> None:
    vector_grants = [
        (role, render(resource))
        for role, statement in role_statements(template)
        if any(str(action).startswith("s3vectors:") for action in _list(statement["Action"]))
        for resource in _list(statement["Resource"])
    ]
    assert vector_grants
    for role, resource in vector_grants:
        assert resource.endswith(f".VectorBucketArn>/index/c-{INDEX_KEY}-*"), (role, resource)
