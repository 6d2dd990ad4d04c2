"""cdk-nag (AWS Solutions rules) with every acknowledged rule's reason written down."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Acknowledgment, App, Stack, Token, Validations
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import AwsSolutionsChecks

from orchestrator.core.constants import RUN_DATA_PREFIX

if TYPE_CHECKING:
    from infra.cdk.constructs.api import OrchestratorApi
    from infra.cdk.constructs.user_pool import OrchestratorUserPool

MANAGED_POLICIES = {
    "service-role/AWSLambdaBasicExecutionRole": "Lambda's basic execution policy only allows writing the "
    "function's own CloudWatch logs.",
    "service-role/AmazonAPIGatewayPushToCloudWatchLogs": "API Gateway's account-level logging role, the "
    "policy AWS documents for it.",
}
XRAY_WILDCARD_REASON = (
    "X-Ray PutTraceSegments/PutTelemetryRecords and Step Functions SendTaskSuccess/Failure/Heartbeat "
    "(the API's answers to approval gates) have no resource-level permissions in the AWS service "
    "authorization reference: a policy must name Resource '*'. The task token, a secret only the "
    "waiting gate's run record holds, is what names the task."
)
FUNCTION_VERSIONS_REASON = (
    "The state machine invokes the function's versions and aliases too ('<function arn>:*'), "
    "as CDK's LambdaInvoke grant declares."
)

SUPPRESSIONS = [
    Acknowledgment(
        id="AwsSolutions::AwsSolutions-APIG2",
        reason="Request bodies are validated in the API function by pydantic, which answers "
        "field-level 422 errors; API Gateway models would duplicate that schema.",
    ),
    Acknowledgment(
        id="AwsSolutions::AwsSolutions-APIG3",
        reason="WAF is account-specific and attached by the operator; stage throttling limits abuse.",
    ),
    Acknowledgment(
        id="AwsSolutions::AwsSolutions-L1",
        reason="Functions pin python3.12, the runtime the dependencies layer is built for; "
        "moving runtimes is a deliberate change together with the layer.",
    ),
]


MANIFESTS_REASON = (
    "A Distributed Map reads its item manifest, written under <tenant>/.runs/<run>/manifests/, with "
    "the state machine's own role (no session tag names a tenant there): only manifest keys."
)
CHILD_EXECUTIONS_REASON = (
    "A Distributed Map starts, describes and stops its own child executions (CDK's grant for "
    "DistributedMap, scoped to this state machine's executions)."
)

SELF_STOP_REASON = (
    "A cancelled run's execution stops itself once its work is undone (StopExecution, so that it "
    "ends ABORTED as a cancel does): only this state machine's own executions, named by its name."
)


def granular_acknowledgments(
    stack: Stack,
    functions: list[lambda_.Function],
    workspace: s3.IBucket | None = None,
    state_machines: list[sfn.StateMachine] | None = None,
) -> list[Acknowledgment]:
    """Wildcard findings acknowledged one by one, each with the reason it is needed."""
    acks = [
        Acknowledgment(
            id=f"AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{policy}]",
            reason=reason,
        )
        for policy, reason in MANAGED_POLICIES.items()
    ]
    acks.append(
        Acknowledgment(id="AwsSolutions::AwsSolutions-IAM5[Resource::*]", reason=XRAY_WILDCARD_REASON)
    )
    for fn in functions:
        logical_id = stack.get_logical_id(fn.node.default_child)  # type: ignore[arg-type]
        acks.append(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{logical_id}.Arn>:*]",
                reason=FUNCTION_VERSIONS_REASON,
            )
        )
    if workspace is not None:
        bucket = stack.get_logical_id(workspace.node.default_child)  # type: ignore[arg-type]
        resource = f"<{bucket}.Arn>/*/{RUN_DATA_PREFIX}/*/manifests/*"
        acks.append(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{resource}]", reason=MANIFESTS_REASON
            )
        )
    for machine in state_machines or []:
        logical_id = stack.get_logical_id(machine.node.default_child)  # type: ignore[arg-type]
        region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
        account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
        execution = (
            f"arn:<AWS::Partition>:states:{region}:{account}:execution:"
            '{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"' + logical_id + '"}]}]}'
        )
        for suffix in ("/*:*", ":*"):
            acks.append(
                Acknowledgment(
                    id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{execution}{suffix}]",
                    reason=CHILD_EXECUTIONS_REASON,
                )
            )
        name = machine.node.default_child.state_machine_name  # type: ignore[union-attr]
        own = f"arn:<AWS::Partition>:states:{region}:{account}:execution:{name}:*"
        acks.append(
            Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{own}]", reason=SELF_STOP_REASON)
        )
    return acks


PUBLIC_ROUTES_REASON = (
    "GET /health and GET /openapi.json are public by design (a load balancer's health check, the "
    "API's description); they read no tenant data. Every other method has the authorizer."
)
EXTERNAL_ISSUER_REASON = (
    "An external issuer signs this deployment's tokens (context jwtJwks/jwtJwksUri), so a Lambda "
    "token authorizer verifies them (issuer, audience, signature, expiry) instead of the user pool's "
    "authorizer; without an external issuer every method uses the Cognito authorizer."
)
MFA_REASON = (
    "MFA is optional (TOTP, no SMS): users are created by an operator only and sign in from a CLI "
    "with a 14-character password of four character classes; a tenant that requires MFA enrols "
    "its users' TOTP devices."
)
PLUS_TIER_REASON = (
    "The Plus feature plan (threat protection) is billed per monthly active user; nobody signs up "
    "(operators create every user) and sign-in is CLI only, so the Essentials plan is the default."
)


def authentication_acknowledgments(api: OrchestratorApi, users: OrchestratorUserPool) -> None:
    """Findings about sign-in and the API's authorizer, acknowledged on the resources they concern."""
    for method in api.public_methods:
        Validations.of(method).acknowledge(
            Acknowledgment(id="AwsSolutions::AwsSolutions-APIG4", reason=PUBLIC_ROUTES_REASON),
            Acknowledgment(id="AwsSolutions::AwsSolutions-COG4", reason=PUBLIC_ROUTES_REASON),
        )
    if not isinstance(api.authorizer, apigw.CognitoUserPoolsAuthorizer):
        for method in api.protected_methods:
            Validations.of(method).acknowledge(
                Acknowledgment(id="AwsSolutions::AwsSolutions-COG4", reason=EXTERNAL_ISSUER_REASON)
            )
    Validations.of(users.pool).acknowledge(
        Acknowledgment(id="AwsSolutions::AwsSolutions-COG2", reason=MFA_REASON),
        Acknowledgment(id="AwsSolutions::AwsSolutions-COG8", reason=PLUS_TIER_REASON),
    )


def apply_nag(
    app: App,
    stack: Stack,
    functions: list[lambda_.Function],
    workspace: s3.IBucket | None = None,
    state_machines: list[sfn.StateMachine] | None = None,
    *,
    api: OrchestratorApi | None = None,
    users: OrchestratorUserPool | None = None,
) -> None:
    """Run the AWS Solutions pack at synthesis; a finding not acknowledged here fails synthesis."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    Validations.of(stack).acknowledge(
        *SUPPRESSIONS, *granular_acknowledgments(stack, functions, workspace, state_machines)
    )
    if api is not None and users is not None:
        authentication_acknowledgments(api, users)
