"""A tenant's users in the deployment's Cognito user pool: created by an administrator only, with
``custom:tenant_id`` and ``custom:role`` set here (the app client cannot write either), so a user
never chooses their own tenant or role. Used by ``/tenant/users`` (a tenant's admins, for their
own tenant) and by ``orchestrator tenants`` (operators)."""

from __future__ import annotations

import secrets
import string
from typing import Any

from orchestrator.core.errors import ConflictError, NotFound

TENANT_ATTRIBUTE = "custom:tenant_id"
ROLE_ATTRIBUTE = "custom:role"
PASSWORD_SYMBOLS = "!#%+-.:=@^_~"  # noqa: S105 (the symbols a generated password draws from)


def temporary_password(length: int = 20) -> str:
    """Random, with every character class the user pool's password policy asks for."""
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits, PASSWORD_SYMBOLS)
    chosen = [secrets.choice(chars) for chars in classes]
    chosen += [secrets.choice("".join(classes)) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


class CognitoUserPool:
    def __init__(self, user_pool_id: str, client: Any | None = None) -> None:
        self.pool_id = user_pool_id
        self._client = client

    def _cognito(self) -> Any:
        if self._client is None:
            from orchestrator.adapters.aws_clients import client

            self._client = client("cognito-idp")
        return self._client

    def create_user(self, tenant_id: str, username: str, role: str, email: str | None) -> str | None:
        """The user, invited by email (returns None) or with a temporary password to hand over."""
        attributes = [{"Name": TENANT_ATTRIBUTE, "Value": tenant_id}, {"Name": ROLE_ATTRIBUTE, "Value": role}]
        request: dict[str, Any] = {"UserPoolId": self.pool_id, "Username": username}
        password = None
        if email:  # Cognito mails the temporary password
            attributes += [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
            request["DesiredDeliveryMediums"] = ["EMAIL"]
        else:
            password = temporary_password()
            request |= {"TemporaryPassword": password, "MessageAction": "SUPPRESS"}
        cognito = self._cognito()
        try:
            cognito.admin_create_user(**request, UserAttributes=attributes)
        except cognito.exceptions.UsernameExistsException:
            raise ConflictError(f"user {username!r} exists already") from None
        return password

    def tenant_of(self, username: str) -> str | None:
        """The tenant the user belongs to; None: no such user."""
        return self.attributes(username).get(TENANT_ATTRIBUTE)

    def subject_of(self, username: str) -> str | None:
        """The ``sub`` claim of the user's tokens."""
        return self.attributes(username).get("sub")

    def attributes(self, username: str) -> dict[str, str]:
        """The user's attributes; empty: no such user."""
        cognito = self._cognito()
        try:
            user = cognito.admin_get_user(UserPoolId=self.pool_id, Username=username)
        except cognito.exceptions.UserNotFoundException:
            return {}
        return {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}

    def disable(self, username: str) -> None:
        """The user cannot sign in, and every token already issued to them stops refreshing."""
        cognito = self._cognito()
        try:
            cognito.admin_disable_user(UserPoolId=self.pool_id, Username=username)
            cognito.admin_user_global_sign_out(UserPoolId=self.pool_id, Username=username)
        except cognito.exceptions.UserNotFoundException:
            raise NotFound(f"user {username!r} not found") from None

    def enable(self, username: str) -> None:
        self._cognito().admin_enable_user(UserPoolId=self.pool_id, Username=username)
