"""`orchestrator tenants` against a deployed stack, on moto: the stack's outputs name the tables
and the user pool; onboarding makes the first admin a Cognito user whose tenant and role are
administrator-set attributes; disabling disables and signs out its users and cancels its runs."""

from __future__ import annotations

import boto3
import pytest

from infra.admin.tenants import DeploymentHandle, temporary_password
from orchestrator.adapters.dynamodb import DynamoRunRepository
from orchestrator.core.errors import ConflictError
from orchestrator.core.ids import new_run_id
from orchestrator.core.records import Run, RunStatus
from orchestrator.tenancy.plans import TenantStatus
from tests.integration.conftest import MotoAws


def _pool() -> str:
    cognito = boto3.client("cognito-idp")
    return str(
        cognito.create_user_pool(
            PoolName="users",
            Schema=[
                {"Name": "tenant_id", "AttributeDataType": "String", "Mutable": True},
                {"Name": "role", "AttributeDataType": "String", "Mutable": True},
            ],
        )["UserPool"]["Id"]
    )


def _stack(aws: MotoAws, pool_id: str) -> None:
    outputs = {
        "TenantsTableName": aws.tables["Tenants"],
        "RunsTableName": aws.tables["Runs"],
        "StepResultsTableName": aws.tables["StepResults"],
        "EventBusName": aws.bus_name,
        "UserPoolId": pool_id,
        "ApiUrl": "https://example.execute-api.us-east-1.amazonaws.com/v1/",
    }
    boto3.client("cloudformation").create_stack(
        StackName="Orchestrator",
        TemplateBody='{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Outputs": {'
        + ", ".join(f'"{k}": {{"Value": "{v}"}}' for k, v in outputs.items())
        + "}}",
    )


def test_onboarding_and_disabling_a_tenant_of_a_deployed_stack(aws: MotoAws) -> None:
    pool_id = _pool()
    _stack(aws, pool_id)
    admin = DeploymentHandle.from_stack("Orchestrator", boto3.session.Session()).admin(operator="ops")

    # When a tenant is created with its first admin (no email: the operator gets the password)
    tenant, sign_in = admin.create("acme", plan="free", admin_user="alice", requests_per_minute=30)
    assert (tenant.plan, tenant.requests_per_minute, tenant.max_concurrent_runs) == ("free", 30, 2)
    assert "temporary password" in sign_in
    cognito = boto3.client("cognito-idp")
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["custom:tenant_id"] == "acme" and attributes["custom:role"] == "admin"
    with pytest.raises(ConflictError):
        admin.create("acme", plan="free", admin_user="alice2")

    # And it has a run in progress
    runs = DynamoRunRepository(aws.tables["Runs"])
    run = Run(tenant_id="acme", run_id=new_run_id(), template="generic", topic="t", correlation_id="c")
    runs.create(run)
    runs.update_fields("acme", run.run_id, allowed_from={RunStatus.PENDING}, status=RunStatus.RUNNING)
    assert admin.directory.acquire_run_slot("acme", run.run_id)

    # When it is disabled
    disabled, cancelled = admin.disable("acme")
    # Then it is refused from now on, its user is disabled, and its run is asked to stop
    assert disabled.status is TenantStatus.DISABLED and cancelled == [run.run_id]
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["Enabled"] is False
    stopped = runs.get("acme", run.run_id, consistent=True)
    assert stopped.cancel_requested_at is not None and stopped.cancel_requested_by == "ops"
    assert [t.tenant_id for t in admin.list()] == ["acme"]
    assert admin.enable("acme").status is TenantStatus.ACTIVE
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["Enabled"] is True


def test_a_stack_without_the_outputs_is_named_in_the_error(aws: MotoAws) -> None:
    with pytest.raises(RuntimeError, match="cannot read stack 'Missing'"):
        DeploymentHandle.from_stack("Missing", boto3.session.Session())


def test_temporary_passwords_meet_the_pool_policy() -> None:
    for _ in range(50):
        password = temporary_password()
        assert len(password) == 20
        assert any(c.islower() for c in password) and any(c.isupper() for c in password)
        assert any(c.isdigit() for c in password) and any(not c.isalnum() for c in password)
