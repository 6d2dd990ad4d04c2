"""The functions of a run as deployed, with their tenant data access role: every DynamoDB and S3
request of a task is signed with credentials STS (moto's) issued for the task's tenant, nothing is
signed once the task is done, and a call made for no tenant fails closed.

What moto (5.2.5) can and cannot show of IAM's fence, checked in ``moto/iam/access_control.py``
and ``moto/core/authorization.py``:

- it authorizes requests only with IAM authentication switched on (``enable_iam_authentication``
  or ``set_initial_no_auth_action_count``); then it matches a statement's ``Action`` and
  ``Resource`` (``*`` as a wildcard), for S3 against ``arn:aws:s3:::<bucket>/<key>``;
- it substitutes no policy variables: ``${aws:PrincipalTag/tenant_id}`` is matched as a regular
  expression, so a resource holding it matches nothing;
- it evaluates no condition but ``StringEquals`` on a trust policy's request values: the
  ``dynamodb:LeadingKeys`` fence and the ``s3:prefix`` of ``ListBucketVersions`` are taken as met;
- DynamoDB (and S3 Vectors) requests are authorized against the resource ``*``.

So the S3 prefix is shown below by handing moto the policy IAM evaluates for one tenant's session
(the template's statements with the session's tag put in), and the DynamoDB fence is not shown by
moto at all: ``test_moto_does_not_evaluate_the_leading_keys_fence`` pins that, and the fence itself
is asserted on the template (``tests/infrastructure/test_every_role_is_fenced_per_tenant.py``).
Locally, the fence is our credential layer's: no tenant in context, no request.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.core.authorization import enable_iam_authentication

from infra.local.queue_pollers import sqs_event
from orchestrator.adapters import aws_clients
from orchestrator.core import constants
from orchestrator.core.errors import DataStoreRejected
from orchestrator.core.ids import new_run_id
from orchestrator.core.records import OfflineOptions, Run, RunOptions, RunStatus
from orchestrator.tenancy.credentials import acting_for, acting_for_tenant
from tests.fakes.lambda_context import FakeLambdaContext
from tests.integration.conftest import MotoAws
from tests.integration.test_api_signs_as_the_tenant import ACCOUNT, SignedRequests
from tests.synthesized import resources_of_type, synthesized_template, workspace_bucket_id

TENANT, NEIGHBOUR = "acme", "acme-corp"  # the neighbour's id begins with the tenant's


@pytest.fixture
def signed(aws: MotoAws, monkeypatch: pytest.MonkeyPatch) -> Iterator[SignedRequests]:
    """The functions with ``TENANT_DATA_ACCESS_ROLE_ARN`` set, as the stack deploys them: every
    DynamoDB and S3 request they send is recorded with the access key that signed it."""
    role = f"arn:aws:iam::{ACCOUNT}:role/tenant-data-{uuid.uuid4().hex[:8]}"  # fresh credentials
    monkeypatch.setenv(constants.ENV_TENANT_DATA_ACCESS_ROLE, role)
    aws.configure()  # a new container: its repositories and workspace use the tenant data session
    recorder = SignedRequests(role)
    clients = (aws_clients.dynamodb_resource().meta.client, aws_clients.client("s3"))
    for client in clients:
        client.meta.events.register_first("before-send", recorder.record)
    try:
        yield recorder
    finally:
        for client in clients:
            client.meta.events.unregister("before-send", recorder.record)


def _reference(run_id: str, tenant: str = TENANT) -> dict[str, str]:
    return {"tenant_id": tenant, "run_id": run_id, "correlation_id": "corr-1", "template": "graph_showcase"}


def _new_run(aws: MotoAws, tenant: str) -> str:
    run = Run(
        tenant_id=tenant,
        run_id=new_run_id(),
        template="graph_showcase",
        topic="a todo app",
        correlation_id="corr-1",
        options=RunOptions(offline=OfflineOptions(list_items=2)),
    )
    with acting_for_tenant(tenant):
        aws.container.runs.create(run)
    return run.run_id


def test_each_task_of_a_run_signs_its_tenant_data_requests_as_the_runs_tenant(
    aws: MotoAws, signed: SignedRequests
) -> None:
    from handlers import prepare_map, run_agent, run_status, undo_completed_work

    runs = {tenant: _new_run(aws, tenant) for tenant in (TENANT, NEIGHBOUR)}
    signed.take()
    for tenant, run_id in runs.items():
        # When the state machine runs the tasks of the tenant's run, then undoes them
        reference = _reference(run_id, tenant)
        running = reference | {"status": RunStatus.RUNNING.value, "execution_arn": "arn:aws:states:x:y"}
        run_status.handler(running, FakeLambdaContext(), container=aws.container)
        for step in ("intake", "risks", "plan"):
            agent = {"intake": "request_analyst", "risks": "risk_assessor", "plan": "planner"}[step]
            aws.configure(agent_type=agent)
            run_agent.handler(reference | {"step": step}, FakeLambdaContext(), container=aws.container)
            assert acting_for() is None  # a warm function carries no tenant into its next task
        prepared = prepare_map.handler(
            reference | {"step": "execute"}, FakeLambdaContext(), container=aws.container
        )
        assert prepared["manifest"]["key"].startswith(f"{tenant}/")
        undo_completed_work.handler(reference | {"rounds": 0}, FakeLambdaContext(), container=aws.container)

        # Then every DynamoDB and S3 request was signed with keys STS issued for that tenant
        assert signed.signers() == {tenant}
        assert acting_for() is None

    # And each tenant's role was assumed once, however many tasks and calls it made
    assert signed.assumed() == sorted(runs)


def test_bus_triggered_functions_act_for_the_tenant_their_trusted_event_names(
    aws: MotoAws, signed: SignedRequests
) -> None:
    from handlers import audit_writer, execution_ended

    run_id = _new_run(aws, NEIGHBOUR)
    signed.take()
    envelope = {
        "event_id": uuid.uuid4().hex,
        "event_type": constants.ORCHESTRATION_STARTED,
        "tenant_id": NEIGHBOUR,
        "run_id": run_id,
        "correlation_id": "corr-1",
        "timestamp": "2026-12-04T10:00:00+00:00",
        "payload": {},
    }
    bus_event = {
        "version": "0",
        "id": uuid.uuid4().hex,
        "detail-type": constants.ORCHESTRATION_STARTED,
        "source": constants.EVENT_SOURCE,
        "account": ACCOUNT,
        "time": "2026-12-04T10:00:00Z",
        "region": "us-east-1",
        "resources": [],
    }
    record = {"MessageId": "m0", "ReceiptHandle": "r0", "Body": json.dumps(bus_event | {"detail": envelope})}
    audit_writer.handler(
        sqs_event([record], f"arn:aws:sqs:us-east-1:{ACCOUNT}:audit", "us-east-1"),
        FakeLambdaContext(),
        container=aws.container,
    )
    ended = {
        "status": "FAILED",
        "input": json.dumps(_reference(run_id, NEIGHBOUR)),
        "error": "States.Runtime",
        "cause": "boom",
    }
    status_change = bus_event | {
        "source": "aws.states",
        "detail-type": "Step Functions Execution Status Change",
    }
    execution_ended.handler(status_change | {"detail": ended}, FakeLambdaContext(), container=aws.container)

    assert signed.signers() == {NEIGHBOUR}
    assert acting_for() is None


def test_a_call_made_for_no_tenant_fails_closed_for_tables_and_the_workspace(
    aws: MotoAws, signed: SignedRequests
) -> None:
    run_id = _new_run(aws, TENANT)
    signed.take()

    # Outside any task (no tenant in context) nothing is signed and nothing is sent
    with pytest.raises(DataStoreRejected, match="NoTenantInContext"):
        aws.container.runs.get(TENANT, run_id)
    with pytest.raises(DataStoreRejected, match="NoTenantInContext"):
        aws.container.workspace.put(f"{TENANT}/notes.md", b"x", "text/markdown", {})
    assert signed.take() == []


# --- what moto can show of IAM's evaluation ------------------------------------------------------
def _workspace_statements_for(tenant: str, bucket: str) -> list[dict[str, Any]]:
    """The S3 statements of the agents' tenant data access role, as IAM evaluates them for a session
    tagged ``tenant_id = <tenant>`` (moto substitutes no policy variables: the test puts it in)."""
    template = synthesized_template()
    (agent,) = [
        fn
        for fn in resources_of_type(template, "AWS::Lambda::Function").values()
        if fn["Properties"]["Environment"]["Variables"].get(constants.ENV_AGENT_TYPE) == "releaser"
    ]
    role = agent["Properties"]["Environment"]["Variables"][constants.ENV_TENANT_DATA_ACCESS_ROLE][
        "Fn::GetAtt"
    ][0]
    statements = [
        statement
        for policy in resources_of_type(template, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if any(str(action).startswith("s3:") for action in statement["Action"])
    ]
    assert statements
    workspace = workspace_bucket_id(template)
    text = json.dumps(statements).replace(
        json.dumps({"Fn::GetAtt": [workspace, "Arn"]}), json.dumps(f"arn:aws:s3:::{bucket}")
    )
    resolved = json.loads(text.replace("${aws:PrincipalTag/tenant_id}", tenant))
    for statement in resolved:
        for key, value in statement.items():
            if key == "Resource" and isinstance(value, dict):
                statement[key] = "".join(value["Fn::Join"][1])
    return list(resolved)


@pytest.fixture
def iam_enforced(aws: MotoAws, monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoAws]:
    """A tenant data access role on moto whose policy is the template's for an ``acme`` session,
    acme's credentials issued, and IAM authentication on for what follows."""
    role_name = f"tenant-data-{uuid.uuid4().hex[:8]}"
    iam = boto3.client("iam")
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=role_name,
        PolicyName="fenced",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": _workspace_statements_for(TENANT, aws.bucket)}
        ),
    )
    s3 = boto3.client("s3")  # the neighbour's workspace holds a document
    s3.put_object(Bucket=aws.bucket, Key=f"{NEIGHBOUR}/plans/q1.md", Body=b"acme-corp's plan")
    monkeypatch.setenv(constants.ENV_TENANT_DATA_ACCESS_ROLE, arn)
    aws.configure()
    with acting_for_tenant(TENANT):
        aws_clients.client("s3")._request_signer._credentials.get_frozen_credentials()  # assumed now
        with enable_iam_authentication():
            yield aws


def test_acting_for_a_tenant_the_workspace_is_refused_its_neighbours_objects(iam_enforced: MotoAws) -> None:
    workspace = iam_enforced.container.workspace

    # The tenant's own prefix is open to it
    version = workspace.put(f"{TENANT}/plans/q1.md", b"acme's plan", "text/markdown", {})
    assert workspace.get(f"{TENANT}/plans/q1.md") == b"acme's plan"
    workspace.delete_version(f"{TENANT}/plans/q1.md", version)

    # And its neighbour's (whose id begins with the tenant's) is refused, read and write
    for attempt in (
        lambda: workspace.get(f"{NEIGHBOUR}/plans/q1.md"),
        lambda: workspace.put(f"{NEIGHBOUR}/plans/q1.md", b"overwritten", "text/markdown", {}),
        lambda: workspace.put(f"{TENANT}-corp/plans/q2.md", b"x", "text/markdown", {}),
    ):
        with pytest.raises(DataStoreRejected, match="AccessDenied"):
            attempt()


def test_moto_does_not_evaluate_the_leading_keys_fence(aws: MotoAws) -> None:
    # moto takes the LeadingKeys condition as met and authorizes DynamoDB against "*": locally the
    # fence is only our credential layer's (keys built per tenant, no tenant -> no request). If moto
    # starts evaluating the condition, this fails: then show the refusal here instead.
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    fenced = {
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem"],
        "Resource": "*",
        "Condition": {
            "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenant_id}"]},
            "Null": {"dynamodb:LeadingKeys": "false"},
        },
    }
    outcome = IAMPolicyStatement(fenced).is_action_permitted("dynamodb:GetItem", "*", None, {})
    assert outcome is PermissionResult.PERMITTED
