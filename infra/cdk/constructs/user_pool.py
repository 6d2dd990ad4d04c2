"""The Cognito user pool the API's users sign in to, and the app client a CLI signs in with.

Users are created by an operator only (``orchestrator tenants create``); nobody signs up. The
tenant and role are the custom attributes ``custom:tenant_id`` and ``custom:role``: the app client
may read them but never write them, so only an administrator (``AdminCreateUser``,
``AdminUpdateUserAttributes``, with IAM credentials) sets them. They arrive in the ID token, whose
audience is the app client id: that ID token is the API's Bearer token.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.cdk.constructs.functions import AuthConfig
from orchestrator.core.settings import Settings

TENANT_ATTRIBUTE = "tenant_id"
ROLE_ATTRIBUTE = "role"
PASSWORD_MIN_LENGTH = 14
TOKEN_VALIDITY = Duration.hours(1)  # ID and access tokens: a disabled user's token lapses within the hour
REFRESH_TOKEN_VALIDITY = Duration.days(30)


def jwt_environment(auth: AuthConfig) -> dict[str, str]:
    """What a function needs to verify the API's tokens: issuer, audience and the key set."""
    env = Settings.environment(jwt_issuer=auth.issuer, jwt_audience=auth.audience)
    if auth.jwks_json:
        env |= Settings.environment(jwt_jwks=auth.jwks_json)
    if auth.jwks_uri:
        env |= Settings.environment(jwt_jwks_uri=auth.jwks_uri)
    return env


class OrchestratorUserPool(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, removal_policy: RemovalPolicy = RemovalPolicy.RETAIN
    ) -> None:
        super().__init__(scope, construct_id)
        self.pool = cognito.UserPool(
            self,
            "Pool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True, email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            keep_original=cognito.KeepOriginalAttrs(email=True),  # a new email counts once verified
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=False, mutable=True)
            ),
            custom_attributes={
                # mutable: an administrator may move a user to another role (or tenant); the app
                # client cannot write either (write_attributes below)
                TENANT_ATTRIBUTE: cognito.StringAttribute(min_len=2, max_len=63, mutable=True),
                ROLE_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=16, mutable=True),
            },
            password_policy=cognito.PasswordPolicy(
                min_length=PASSWORD_MIN_LENGTH,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            user_invitation=cognito.UserInvitationConfig(
                email_subject="Your AI orchestrator account",
                email_body="Your AI orchestrator username is {username} and your temporary password "
                "is {####}. You choose a new one at your first sign-in.",
            ),
            deletion_protection=removal_policy == RemovalPolicy.RETAIN,
            removal_policy=removal_policy,
        )
        self.client = self.pool.add_client(
            "CliClient",
            generate_secret=False,  # a CLI cannot keep a secret
            auth_flows=cognito.AuthFlow(user_srp=True, user_password=True),
            disable_o_auth=True,  # no hosted UI: the CLI calls InitiateAuth
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=TOKEN_VALIDITY,
            access_token_validity=TOKEN_VALIDITY,
            refresh_token_validity=REFRESH_TOKEN_VALIDITY,
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True, email_verified=True)
            .with_custom_attributes(TENANT_ATTRIBUTE, ROLE_ATTRIBUTE),
            # never the custom attributes: a user must not choose their own tenant or role
            write_attributes=cognito.ClientAttributes().with_standard_attributes(email=True),
        )
        stack = Stack.of(self)
        self.issuer = f"https://cognito-idp.{stack.region}.{stack.url_suffix}/{self.pool.user_pool_id}"

    @property
    def auth_config(self) -> AuthConfig:
        """Tokens this pool signs: its issuer, the app client as audience (ID tokens), its key set."""
        return AuthConfig(
            issuer=self.issuer,
            audience=self.client.user_pool_client_id,
            jwks_uri=f"{self.issuer}/.well-known/jwks.json",
        )
