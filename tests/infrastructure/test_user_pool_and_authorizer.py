"""Who may call the API: the user pool, its app client, the authorizer in front of every method."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orchestrator.core.constants import ENV_JWT_AUDIENCE, ENV_JWT_ISSUER, ENV_JWT_JWKS, ENV_JWT_JWKS_URI
from tests.synthesis_service import in_cdk_runtime
from tests.synthesized import resources_of_type, synthesized_template

PUBLIC = {("GET", "/health"), ("GET", "/openapi.json")}


@pytest.fixture(scope="module")
def pool_tokens() -> dict[str, Any]:
    """`cdk deploy` without an external issuer: the stack's user pool signs the tokens."""
    return synthesized_template(jwtJwks="")


@pytest.fixture(scope="module")
def external_issuer() -> dict[str, Any]:
    """The suite's default context: an external key set (as the local cloud's)."""
    return synthesized_template()


def _only(template: dict[str, Any], resource_type: str) -> tuple[str, dict[str, Any]]:
    ((logical_id, resource),) = resources_of_type(template, resource_type).items()
    return logical_id, resource["Properties"]


def _function(template: dict[str, Any], handler: str) -> tuple[str, dict[str, Any]]:
    functions = resources_of_type(template, "AWS::Lambda::Function")
    ((logical_id, fn),) = [(lid, f) for lid, f in functions.items() if f["Properties"]["Handler"] == handler]
    return logical_id, fn["Properties"]


def _methods(template: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every API method by (HTTP method, path), the path built from the resources' path parts."""
    resources = resources_of_type(template, "AWS::ApiGateway::Resource")

    def path(resource_id: Any) -> str:
        if "Fn::GetAtt" in resource_id:  # the API's root resource
            return ""
        props = resources[resource_id["Ref"]]["Properties"]
        return f"{path(props['ParentId'])}/{props['PathPart']}"

    return {
        (m["Properties"]["HttpMethod"], path(m["Properties"]["ResourceId"]) or "/"): m["Properties"]
        for m in resources_of_type(template, "AWS::ApiGateway::Method").values()
    }


# --- the user pool and its app client -------------------------------------------------------------
def test_nobody_signs_up_and_passwords_are_strong(pool_tokens: dict[str, Any]) -> None:
    _, pool = _only(pool_tokens, "AWS::Cognito::UserPool")
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    password = pool["Policies"]["PasswordPolicy"]
    assert password["MinimumLength"] >= 12
    assert all(password[f"Require{kind}"] for kind in ("Lowercase", "Uppercase", "Numbers", "Symbols"))
    assert pool["AliasAttributes"] == ["email"]  # a username, or the verified email
    custom = {a["Name"]: a for a in pool["Schema"] if a.get("AttributeDataType") == "String"}
    assert set(custom) == {"tenant_id", "role"}
    assert all(attribute["Mutable"] for attribute in custom.values())  # an administrator may change them


def test_the_cli_client_has_no_secret_and_signs_in_with_srp_or_a_password(
    pool_tokens: dict[str, Any],
) -> None:
    _, client = _only(pool_tokens, "AWS::Cognito::UserPoolClient")
    assert client["GenerateSecret"] is False
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert client["TokenValidityUnits"]["IdToken"] == "minutes" and client["IdTokenValidity"] <= 60
    assert client["EnableTokenRevocation"] is True
    assert client["PreventUserExistenceErrors"] == "ENABLED"


def test_the_client_reads_tenant_and_role_but_can_never_write_them(pool_tokens: dict[str, Any]) -> None:
    # Given the app client users sign in with
    _, client = _only(pool_tokens, "AWS::Cognito::UserPoolClient")
    # Then the ID token carries the tenant and role
    assert {"custom:tenant_id", "custom:role"} <= set(client["ReadAttributes"])
    # And a signed-in user cannot change them (no WriteAttributes would mean: every attribute)
    assert client["WriteAttributes"], "an absent list lets the client write every attribute"
    assert not [a for a in client["WriteAttributes"] if a.startswith("custom:")]


def user_pool_of(removal_policy: str) -> dict[str, Any]:
    """The user pool construct's pool, synthesized in a stack of its own with ``removal_policy``
    (a ``RemovalPolicy`` name): run in the session's CDK runtime (``in_cdk_runtime``)."""
    from aws_cdk import App, RemovalPolicy, Stack
    from aws_cdk.assertions import Template

    from infra.cdk.constructs.user_pool import OrchestratorUserPool

    stack = Stack(App(), "Users")
    OrchestratorUserPool(stack, "Users", removal_policy=RemovalPolicy[removal_policy])
    (pool,) = Template.from_stack(stack).find_resources("AWS::Cognito::UserPool").values()
    return dict(pool)


def test_the_pool_is_kept_with_the_data_and_removed_with_it() -> None:
    for policy in ("RETAIN", "DESTROY"):
        pool = in_cdk_runtime(user_pool_of, policy)
        expected = "Retain" if policy == "RETAIN" else "Delete"
        assert pool["DeletionPolicy"] == expected
        assert pool["Properties"]["DeletionProtection"] == ("ACTIVE" if expected == "Retain" else "INACTIVE")


@pytest.mark.parametrize("configuration", ["pool_tokens", "external_issuer"])
def test_the_outputs_name_the_pool_and_its_client(configuration: str, request: pytest.FixtureRequest) -> None:
    # Given either configuration (operators create users in the pool on a deployed stack either way)
    template = request.getfixturevalue(configuration)
    pool_id, _ = _only(template, "AWS::Cognito::UserPool")
    client_id, _ = _only(template, "AWS::Cognito::UserPoolClient")
    assert template["Outputs"]["UserPoolId"]["Value"] == {"Ref": pool_id}
    assert template["Outputs"]["UserPoolClientId"]["Value"] == {"Ref": client_id}


# --- the user pool signs the tokens ---------------------------------------------------------------
def test_the_api_function_verifies_the_pools_id_tokens(pool_tokens: dict[str, Any]) -> None:
    pool_id, _ = _only(pool_tokens, "AWS::Cognito::UserPool")
    client_id, _ = _only(pool_tokens, "AWS::Cognito::UserPoolClient")
    _, api = _function(pool_tokens, "handlers.api.handler")
    env = api["Environment"]["Variables"]
    issuer = env[ENV_JWT_ISSUER]["Fn::Join"][1]
    assert issuer == [
        "https://cognito-idp.",
        {"Ref": "AWS::Region"},
        ".",
        {"Ref": "AWS::URLSuffix"},
        "/",
        {"Ref": pool_id},
    ]
    assert env[ENV_JWT_AUDIENCE] == {"Ref": client_id}  # an ID token's audience: the app client
    assert env[ENV_JWT_JWKS_URI]["Fn::Join"][1] == [*issuer, "/.well-known/jwks.json"]
    assert ENV_JWT_JWKS not in env
    functions = resources_of_type(pool_tokens, "AWS::Lambda::Function").values()
    assert "handlers.authorizer.handler" not in {f["Properties"]["Handler"] for f in functions}


def test_every_method_but_the_public_ones_has_the_pools_authorizer(pool_tokens: dict[str, Any]) -> None:
    # Given the API whose tokens the pool signs
    pool_id, _ = _only(pool_tokens, "AWS::Cognito::UserPool")
    authorizer_id, authorizer = _only(pool_tokens, "AWS::ApiGateway::Authorizer")
    assert authorizer["Type"] == "COGNITO_USER_POOLS"
    assert authorizer["ProviderARNs"] == [{"Fn::GetAtt": [pool_id, "Arn"]}]
    assert authorizer["IdentitySource"] == "method.request.header.Authorization"
    methods = _methods(pool_tokens)
    # Then every path is routed (the root and the proxy) and only the public routes go without a token
    assert {("ANY", "/"), ("ANY", "/{proxy+}")} | PUBLIC <= set(methods)
    for route, method in methods.items():
        if route in PUBLIC:
            assert method["AuthorizationType"] == "NONE", route
        else:
            assert method["AuthorizationType"] == "COGNITO_USER_POOLS", route
            assert method["AuthorizerId"] == {"Ref": authorizer_id}, route


# --- an external issuer signs the tokens ----------------------------------------------------------
def test_an_external_issuers_tokens_are_verified_by_a_token_authorizer(
    external_issuer: dict[str, Any],
) -> None:
    # Given a deployment whose tokens an external issuer signs (a key set in the context)
    function_id, function = _function(external_issuer, "handlers.authorizer.handler")
    authorizer_id, authorizer = _only(external_issuer, "AWS::ApiGateway::Authorizer")
    # Then a token authorizer runs that function, caching its answer per Authorization header
    assert authorizer["Type"] == "TOKEN"
    assert authorizer["IdentitySource"] == "method.request.header.Authorization"
    assert authorizer["AuthorizerResultTtlInSeconds"] > 0
    assert {"Fn::GetAtt": [function_id, "Arn"]} in authorizer["AuthorizerUri"]["Fn::Join"][1]
    # And it verifies exactly what the API function verifies
    _, api = _function(external_issuer, "handlers.api.handler")
    jwt = {k: v for k, v in api["Environment"]["Variables"].items() if k.startswith("JWT_")}
    assert jwt and {k: function["Environment"]["Variables"][k] for k in jwt} == jwt
    assert jwt[ENV_JWT_JWKS] == json.dumps({"keys": []})
    for route, method in _methods(external_issuer).items():
        if route in PUBLIC:
            assert method["AuthorizationType"] == "NONE", route
        else:
            assert method["AuthorizationType"] == "CUSTOM", route
            assert method["AuthorizerId"] == {"Ref": authorizer_id}, route


def test_the_token_authorizer_has_no_grants(external_issuer: dict[str, Any]) -> None:
    _, function = _function(external_issuer, "handlers.authorizer.handler")
    role = function["Role"]["Fn::GetAtt"][0]
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources_of_type(external_issuer, "AWS::IAM::Policy").values()
        if {"Ref": role} in p["Properties"]["Roles"]
    ]
    actions = {
        a
        for statements in policies
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert actions <= {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


# --- the token authorizer's handler ---------------------------------------------------------------
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/GET/runs"


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from infra.local.tokens import LocalSigningKey

    return LocalSigningKey.load_or_create(Path(tmp_path_factory.mktemp("key")))


@pytest.fixture(scope="module")
def verifier(signing_key: Any) -> Any:
    from aws_lambda_powertools.utilities.auth_alpha import JWTVerifier

    from infra.local.tokens import LOCAL_AUDIENCE, LOCAL_ISSUER

    return JWTVerifier(
        issuer=LOCAL_ISSUER,
        audience=LOCAL_AUDIENCE,
        algorithms=["RS256"],
        jwks=signing_key.jwks(),
        required_claims=["sub"],
    )


def _authorize(verifier: Any, header: str) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
        APIGatewayAuthorizerTokenEvent,
    )

    from handlers.authorizer import authorize

    event = {"type": "TOKEN", "authorizationToken": header, "methodArn": METHOD_ARN}
    return authorize(APIGatewayAuthorizerTokenEvent(event), verifier)


def test_a_valid_token_is_allowed_on_every_route_of_the_stage(signing_key: Any, verifier: Any) -> None:
    # Given a token of the configured issuer
    token = signing_key.mint(tenant_id="acme", role="viewer", subject="alice")
    # When the authorizer answers (API Gateway caches it for this header, whatever the route)
    policy = _authorize(verifier, f"Bearer {token}")
    # Then the caller is allowed on every method of this API's stage, as themselves
    assert policy["principalId"] == "alice"
    (statement,) = policy["policyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == ["arn:aws:execute-api:us-east-1:123456789012:abc123/v1/*/*"]


@pytest.mark.parametrize("problem", ["expired", "another issuer", "not bearer", "garbage"])
def test_an_invalid_token_is_unauthorized(signing_key: Any, verifier: Any, problem: str) -> None:
    from handlers.authorizer import Unauthorized

    token = signing_key.mint(tenant_id="acme", ttl_seconds=-3600 if problem == "expired" else 3600)
    header = {
        "expired": f"Bearer {token}",
        "another issuer": "Bearer " + signing_key.mint(tenant_id="acme", issuer="https://elsewhere.example/"),
        "not bearer": f"Basic {token}",
        "garbage": "Bearer a.b.c",
    }[problem]
    # When the authorizer sees it, Then API Gateway is told "Unauthorized" (its 401)
    with pytest.raises(Unauthorized, match=r"^Unauthorized$"):
        _authorize(verifier, header)


def test_unavailable_keys_never_allow(signing_key: Any) -> None:
    from aws_lambda_powertools.utilities.auth_alpha.jwt.exceptions import JWKSFetchError

    from handlers.authorizer import KeysUnavailable

    class KeysDown:
        def verify_authorization_header(self, value: str | None) -> dict[str, Any]:
            raise JWKSFetchError()

    with pytest.raises(KeysUnavailable):
        _authorize(KeysDown(), "Bearer " + signing_key.mint(tenant_id="acme"))


def _api_user_pool_actions(template: dict[str, Any]) -> set[str]:
    _, api = _function(template, "handlers.api.handler")
    role = {"Ref": api["Role"]["Fn::GetAtt"][0]}
    actions: set[str] = set()
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        if role not in policy["Properties"].get("Roles", []):
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            granted = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            actions |= {a for a in granted if a.startswith("cognito-idp:")}
    return actions


def test_a_tenants_admins_manage_its_users_only_where_the_pool_signs_the_tokens(
    pool_tokens: dict[str, Any], external_issuer: dict[str, Any]
) -> None:
    pool_id, _ = _only(pool_tokens, "AWS::Cognito::UserPool")
    _, api = _function(pool_tokens, "handlers.api.handler")
    assert api["Environment"]["Variables"]["USER_POOL_ID"] == {"Ref": pool_id}
    assert _api_user_pool_actions(pool_tokens) == {
        "cognito-idp:AdminCreateUser",
        "cognito-idp:AdminGetUser",
        "cognito-idp:AdminDisableUser",
        "cognito-idp:AdminUserGlobalSignOut",
    }
    _, external_api = _function(external_issuer, "handlers.api.handler")
    assert "USER_POOL_ID" not in external_api["Environment"]["Variables"]
    assert _api_user_pool_actions(external_issuer) == set()
