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
    from infra.cdk.constructs.web_console import WebConsoleSite

MANAGED_POLICIES = {
    "service-role/AWSLambdaBasicExecutionRole": "Lambda's basic execution policy only allows writing the "
    "function's own CloudWatch logs.",
    "service-role/AmazonAPIGatewayPushToCloudWatchLogs": "API Gateway's account-level logging role, the "
    "policy AWS documents for it.",
}
XRAY_WILDCARD_REASON = (
    "X-Ray PutTraceSegments/PutTelemetryRecords and Step Functions SendTaskSuccess/Failure/Heartbeat "
    "(the API's answers to approval gates, and a re-armed gate's answer to a decision that crossed "
    "its deadline) have no resource-level permissions in the AWS service "
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
PREFLIGHT_REASON = (
    "The CORS preflight (OPTIONS) of the web console's allowed origins: browsers send it without "
    "credentials, so it cannot carry a token; a mock integration answers it with the allowed origins, "
    "methods and headers, reaching no function and reading no data."
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
    for method in api.preflight_methods:
        Validations.of(method).acknowledge(
            Acknowledgment(id="AwsSolutions::AwsSolutions-APIG4", reason=PREFLIGHT_REASON),
            Acknowledgment(id="AwsSolutions::AwsSolutions-COG4", reason=PREFLIGHT_REASON),
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


WEB_CONSOLE_REASONS = {
    "AwsSolutions-S1": "The web console's bucket holds copies of its public static files (HTML, CSS, "
    "JavaScript, config.json naming the API), no tenant data; only CloudFront reads it (origin access "
    "control). What the console does is logged where it happens: the API's access logs.",
    "AwsSolutions-CFR1": "The web console serves tenants wherever they are; it holds no data, and every "
    "call it makes is authorized by the API with the person's token.",
    "AwsSolutions-CFR2": "The distribution serves static files only (no origin logic to attack); the API "
    "the console calls has its own stage throttling and per-tenant limits.",
    "AwsSolutions-CFR3": "Static files only: the requests that matter (the console's API calls, each with "
    "its caller) are in the API's access logs; CloudFront standard logs would need an ACL-enabled bucket.",
    "AwsSolutions-CFR4": "The distribution uses CloudFront's default *.cloudfront.net certificate, whose "
    "viewer TLS policy CloudFront sets; a custom domain with its own certificate would pin TLSv1.2_2021.",
}
BUCKET_DEPLOYMENT_REASON = (
    "CDK's BucketDeployment function copies the console's files from the CDK asset bucket into the "
    "site bucket on deploy: CDK's grants read the asset bucket's objects and write, list and delete "
    "the site bucket's (wildcards of CDK's grant shapes, on those two buckets only)."
)


def web_console_acknowledgments(stack: Stack, site: WebConsoleSite) -> None:
    """Findings about the web console's static site, acknowledged on the resources they concern."""
    Validations.of(site.bucket).acknowledge(
        Acknowledgment(id="AwsSolutions::AwsSolutions-S1", reason=WEB_CONSOLE_REASONS["AwsSolutions-S1"])
    )
    Validations.of(site.distribution).acknowledge(
        *(
            Acknowledgment(id=f"AwsSolutions::{rule}", reason=reason)
            for rule, reason in WEB_CONSOLE_REASONS.items()
            if rule.startswith("AwsSolutions-CFR")
        )
    )
    region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
    account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
    site_bucket = stack.get_logical_id(site.bucket.node.default_child)  # type: ignore[arg-type]
    granted = [
        *(
            f"Action::s3:{action}"
            for action in ("GetObject*", "GetBucket*", "List*", "DeleteObject*", "Abort*")
        ),
        f"Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-{account}-{region}/*",
        f"Resource::<{site_bucket}.Arn>/*",
    ]
    Validations.of(stack.node.find_child(site.publisher_function_id)).acknowledge(
        *(
            Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[{grant}]", reason=BUCKET_DEPLOYMENT_REASON)
            for grant in granted
        )
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
    web_console: WebConsoleSite | None = None,
) -> None:
    """Run the AWS Solutions pack at synthesis; a finding not acknowledged here fails synthesis."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    Validations.of(stack).acknowledge(
        *SUPPRESSIONS, *granular_acknowledgments(stack, functions, workspace, state_machines)
    )
    if api is not None and users is not None:
        authentication_acknowledgments(api, users)
    if web_console is not None:
        web_console_acknowledgments(stack, web_console)
