"""API Gateway REST API in front of the API function; an authorizer guards every method but the
two public ones (``GET /health``, ``GET /openapi.json``).

The authorizer is either the user pool's (API Gateway verifies its ID tokens) or a Lambda token
authorizer (tokens of an external issuer, verified with the API function's own verifier). Either
way a request without a valid token is answered 401 by API Gateway and never reaches the function,
which verifies the token again and reads the tenant and role from its verified claims only.

With allowed origins (the web console's: ``corsAllowedOrigins``, and the console site's own when
``webConsole`` is on), API Gateway answers each path's CORS preflight (``OPTIONS``, no token, a
mock integration: it reaches no function) for those origins, the function adds the same origin to
its answers, and API Gateway's own refusals (a missing or invalid token) carry it too, so the
console can tell a person why.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from orchestrator.api.cors import PREFLIGHT_METHODS
from orchestrator.api.security import PUBLIC_PATHS  # GET only: the paths the function lets through
from orchestrator.core import constants

AUTHORIZER_CACHE_TTL = Duration.minutes(5)
# "Bearer <header>.<payload>.<signature>" (any case of the scheme, as the function accepts it)
BEARER_HEADER_PATTERN = r"^[Bb][Ee][Aa][Rr][Ee][Rr] +[-0-9A-Za-z_]+\.[-0-9A-Za-z_]+\.[-0-9A-Za-z_]+$"


class OrchestratorApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: lambda_.IFunction,
        user_pool: cognito.IUserPool | None = None,
        token_authorizer: lambda_.IFunction | None = None,
        rate_limit: float = 50,
        burst_limit: int = 100,
        cors_allowed_origins: list[str] | None = None,
    ) -> None:
        """Exactly one of ``user_pool`` (its tokens) and ``token_authorizer`` (a function that
        verifies an external issuer's tokens) says who may call."""
        super().__init__(scope, construct_id)
        if (user_pool is None) == (token_authorizer is None):
            raise ValueError("the API needs exactly one of user_pool and token_authorizer")
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        self.rest_api = apigw.LambdaRestApi(
            self,
            "RestApi",
            handler=handler,
            proxy=False,  # the routes below: public ones without an authorizer
            description="AI orchestrator: runs, their events and templates",
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.DESTROY,
            deploy_options=apigw.StageOptions(
                stage_name="v1",
                throttling_rate_limit=rate_limit,
                throttling_burst_limit=burst_limit,
                tracing_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
            ),
        )
        self.authorizer: apigw.IAuthorizer
        if user_pool is not None:
            self.authorizer = apigw.CognitoUserPoolsAuthorizer(
                self, "Authorizer", cognito_user_pools=[user_pool], results_cache_ttl=AUTHORIZER_CACHE_TTL
            )
        else:
            assert token_authorizer is not None
            self.authorizer = apigw.TokenAuthorizer(
                self,
                "Authorizer",
                handler=token_authorizer,
                validation_regex=BEARER_HEADER_PATTERN,  # anything else: 401 without an invocation
                results_cache_ttl=AUTHORIZER_CACHE_TTL,  # per Authorization header
            )
        root = self.rest_api.root
        # the root's method first: a proxy under the root would otherwise add one without the authorizer
        self.protected_methods = [root.add_method("ANY", authorizer=self.authorizer)]
        proxy = root.add_proxy(any_method=False)
        self.protected_methods.append(proxy.add_method("ANY", authorizer=self.authorizer))
        self.public_methods: list[apigw.Method] = []
        for path in PUBLIC_PATHS:
            resource = root.add_resource(path.strip("/"))
            self.public_methods.append(
                resource.add_method("GET", authorization_type=apigw.AuthorizationType.NONE)
            )
            # any other method of a public path is answered by the function (405), given a token
            self.protected_methods.append(resource.add_method("ANY", authorizer=self.authorizer))
        self.preflight_methods: list[apigw.Method] = []
        if cors_allowed_origins:
            public = [method.resource for method in self.public_methods]
            self._answer_preflights(cors_allowed_origins, [root, proxy, *public])
        self.url = self.rest_api.url

    def _answer_preflights(self, origins: list[str], resources: list[apigw.IResource]) -> None:
        """Each path's ``OPTIONS`` for these origins (a mock: no function, no token), and API
        Gateway's own 4xx and 5xx answers readable by the first of them."""
        self.preflight_methods = [
            resource.add_cors_preflight(
                allow_origins=origins,
                allow_methods=PREFLIGHT_METHODS.split(","),
                allow_headers=list(constants.CORS_REQUEST_HEADERS),
                expose_headers=list(constants.CORS_EXPOSED_HEADERS),
                max_age=Duration.seconds(constants.CORS_MAX_AGE_SECONDS),
            )
            for resource in resources
        ]
        headers = {"Access-Control-Allow-Origin": f"'{origins[0]}'", "Vary": "'Origin'"}
        for name, kind in (
            ("Default4xx", apigw.ResponseType.DEFAULT_4_XX),
            ("Default5xx", apigw.ResponseType.DEFAULT_5_XX),
        ):
            self.rest_api.add_gateway_response(name, type=kind, response_headers=headers)
