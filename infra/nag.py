"""cdk-nag (AWS Solutions rules) with every acknowledged rule's reason written down."""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Stack, Token, Validations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import AwsSolutionsChecks

from orchestrator.constants import RUN_DATA_PREFIX

MANAGED_POLICIES = {
    "service-role/AWSLambdaBasicExecutionRole": "Lambda's basic execution policy only allows writing the "
    "function's own CloudWatch logs.",
    "service-role/AmazonAPIGatewayPushToCloudWatchLogs": "API Gateway's account-level logging role, the "
    "policy AWS documents for it.",
}
XRAY_WILDCARD_REASON = (
    "X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions (Resource: *)."
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
        id="AwsSolutions::AwsSolutions-APIG4",
        reason="Every route but /health and /openapi.json verifies a JWT (issuer, audience, signature, "
        "expiry) in the API function with the Powertools JWT verifier; the tenant comes from that token.",
    ),
    Acknowledgment(
        id="AwsSolutions::AwsSolutions-COG4",
        reason="Authorization is JWT verification in the function (any OIDC issuer, Cognito included), "
        "not an API Gateway Cognito authorizer.",
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


WORKSPACE_OBJECTS_REASON = (
    "Tenant prefixes in the workspace are created at run time; the functions build every key "
    "from the run's tenant (trusted state input), and may only get, put and delete versions of "
    "objects (no bucket-wide delete, no ACL or policy changes)."
)
MANIFESTS_REASON = "A Distributed Map reads its item manifest, written under <tenant>/.runs/<run>/manifests/."
CHILD_EXECUTIONS_REASON = (
    "A Distributed Map starts, describes and stops its own child executions (CDK's grant for "
    "DistributedMap, scoped to this state machine's executions)."
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
        for resource, reason in (
            (f"<{bucket}.Arn>/*", WORKSPACE_OBJECTS_REASON),
            (f"arn:<AWS::Partition>:s3:::<{bucket}>/*", WORKSPACE_OBJECTS_REASON),
            (f"<{bucket}.Arn>/*/{RUN_DATA_PREFIX}/*/manifests/*", MANIFESTS_REASON),
        ):
            acks.append(
                Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{resource}]", reason=reason)
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
    return acks


def apply_nag(
    app: App,
    stack: Stack,
    functions: list[lambda_.Function],
    workspace: s3.IBucket | None = None,
    state_machines: list[sfn.StateMachine] | None = None,
) -> None:
    """Run the AWS Solutions pack at synthesis; a finding not acknowledged here fails synthesis."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    Validations.of(stack).acknowledge(
        *SUPPRESSIONS, *granular_acknowledgments(stack, functions, workspace, state_machines)
    )
