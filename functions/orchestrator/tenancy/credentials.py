"""Credentials of one tenant: every function that touches tenant data reads and writes it as the
tenant it acts for, and IAM (not only our key building) keeps it inside that tenant's data.

A function's tenant data access role (``infra/cdk/constructs/tenant_access.py``) allows DynamoDB
item actions only on partition keys ``<tenant>`` and ``<tenant>#...``, S3 object actions only under
``<tenant>/`` and S3 Vectors actions only on the indexes ``c-<tenant index key>-*``, where the
tenant and its index key are the session's ``tenant_id`` and ``tenant_index`` tags. This module
assumes that role once per tenant with the tags set, keeps the credentials until 16 minutes before
they expire (an upload URL signed with them stays valid its full 15 minutes), and hands botocore the
ones of the tenant the current invocation acts for.

Who sets the tenant: the API once the token is verified (``act_for_tenant``); every other handler
around its work, from its trusted input (``acting_for_tenant``): the state machine's input written
by StartRun, the source of a tenant's request event, or a lifecycle event our own functions
published. The tenant is cleared when the work ends, so a warm function never carries it over.

One cached client per service serves every tenant: botocore's signer asks its credentials object
for frozen credentials on every request it signs (``RequestSigner.get_auth_instance`` calls
``get_frozen_credentials()``, and endpoint resolution reads ``account_id`` through a deferred
property, also per request). With no tenant in context, signing raises ``NoTenantInContext``
before anything is sent: there is no fallback to the function's own role.

A ContextVar does not follow work into a thread pool: a thread started by the invocation sees no
tenant (and fails closed) unless it runs in ``contextvars.copy_context()``.

Cost: the first call of a tenant in an execution environment makes one extra STS ``AssumeRole``
call before its first data call (about 2 ms median in-process on moto, 50 tenants; on AWS a
regional endpoint's round trip, not measured here); the tenant's later calls in that environment
reuse the credentials for up to 44 minutes. Looking the credentials up costs about 4 µs, two or
three times per request. An environment serving many tenants holds one set of credentials per
tenant seen in the last hour.

Where the local cloud differs: moto issues the sessions and checks nothing of the fence (it
evaluates no ``Condition`` but ``StringEquals`` on trust policies, substitutes no policy
variables such as ``${aws:PrincipalTag/tenant_id}``, and authorizes nothing unless IAM
authentication is switched on). Locally the fence is what this module does: no tenant, no request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.credentials import CredentialProvider, Credentials, ReadOnlyCredentials
from botocore.exceptions import NoCredentialsError

from orchestrator.core.constants import TENANT_INDEX_SESSION_TAG, TENANT_SESSION_TAG, UPLOAD_URL_TTL_SECONDS
from orchestrator.tenancy.acting import act_for_tenant, acting_for, acting_for_tenant

__all__ = [
    "NoTenantInContext",
    "TenantScopedCredentials",
    "act_for_tenant",
    "acting_for",
    "acting_for_tenant",
]

SESSION_SECONDS = 3600
"""How long one tenant's credentials last: the most a role chained from the function's own role
may have, and the tenant data access role's maximum session duration."""
REFRESH_MARGIN_SECONDS = UPLOAD_URL_TTL_SECONDS + 60
"""Credentials this close to their expiry are replaced before they are used again: a URL presigned
with them is refused once they expire, and an upload URL must work for its full 15 minutes."""


class NoTenantInContext(NoCredentialsError):
    """A tenant data call was made outside an invocation acting for a tenant."""

    fmt = (
        "no tenant to sign this request for: the tenant-scoped credentials are only available "
        "while an invocation acts for a tenant (act_for_tenant, acting_for_tenant)"
    )


@dataclass(frozen=True)
class _Issued:
    credentials: ReadOnlyCredentials
    expires_at: float  # epoch seconds


class TenantScopedCredentials(Credentials):
    """Botocore credentials that are those of the tenant the current context acts for.

    ``sts`` gives the STS client that assumes the role (the function's own role signs that call).
    Thread-safe: one tenant's role is assumed once however many threads ask at the same time,
    and a tenant's assumption never waits for another tenant's.
    """

    method = "assume-role-for-tenant"

    def __init__(
        self,
        role_arn: str,
        sts: Callable[[], Any],
        *,
        session_seconds: int = SESSION_SECONDS,
        refresh_margin_seconds: int = REFRESH_MARGIN_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # no super().__init__(): keys, token and account are per tenant, looked up on every use
        self._role_arn = role_arn
        self._sts = sts
        self._session_seconds = session_seconds
        self._margin = refresh_margin_seconds
        self._clock = clock
        self._issued: dict[str, _Issued] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    # what botocore reads: every request asks again, so a cached client serves every tenant
    def get_frozen_credentials(self) -> ReadOnlyCredentials:
        tenant_id = acting_for()
        if tenant_id is None:
            raise NoTenantInContext()
        return self._for(tenant_id)

    @property
    def access_key(self) -> str:
        return str(self.get_frozen_credentials().access_key)

    @property
    def secret_key(self) -> str:
        return str(self.get_frozen_credentials().secret_key)

    @property
    def token(self) -> str | None:
        return self.get_frozen_credentials().token

    @property
    def account_id(self) -> str | None:
        return self.get_frozen_credentials().account_id

    def _for(self, tenant_id: str) -> ReadOnlyCredentials:
        issued = self._issued.get(tenant_id)
        if issued is not None and self._fresh(issued):
            return issued.credentials
        with self._lock_of(tenant_id):
            issued = self._issued.get(tenant_id)
            if issued is None or not self._fresh(issued):  # nobody renewed them while this waited
                issued = self._assume(tenant_id)
                now = self._clock()
                with self._locks_lock:  # drop tenants whose credentials expired meanwhile
                    for other in [t for t, i in self._issued.items() if i.expires_at <= now]:
                        del self._issued[other]
                    self._issued[tenant_id] = issued
        return issued.credentials

    def _fresh(self, issued: _Issued) -> bool:
        return issued.expires_at - self._clock() > self._margin

    def _lock_of(self, tenant_id: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(tenant_id, threading.Lock())

    def _assume(self, tenant_id: str) -> _Issued:
        from orchestrator.core.vectors import tenant_index_key

        response = self._sts().assume_role(
            RoleArn=self._role_arn,
            RoleSessionName=tenant_id,  # 2-63 of [a-z0-9_-]: a valid session name, in CloudTrail
            Tags=[
                {"Key": TENANT_SESSION_TAG, "Value": tenant_id},
                {"Key": TENANT_INDEX_SESSION_TAG, "Value": tenant_index_key(tenant_id)},
            ],
            DurationSeconds=self._session_seconds,
        )
        issued = response["Credentials"]
        arn = str(response.get("AssumedRoleUser", {}).get("Arn", ""))
        account_id = arn.split(":")[4] if arn.count(":") >= 5 else None
        return _Issued(
            credentials=ReadOnlyCredentials(
                issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"], account_id
            ),
            expires_at=_epoch(issued["Expiration"]),
        )


def _epoch(expiration: Any) -> float:
    """STS answers a datetime (botocore parses the timestamp); a string is read as ISO 8601."""
    if isinstance(expiration, int | float):
        return float(expiration)
    if isinstance(expiration, str):
        return datetime.fromisoformat(expiration.replace("Z", "+00:00")).timestamp()
    return float(expiration.timestamp())


class _TenantCredentialProvider(CredentialProvider):
    """The only provider of the tenant data session: no environment, profile or role fallback."""

    METHOD = TenantScopedCredentials.method
    CANONICAL_NAME = "TenantScoped"

    def __init__(self, credentials: TenantScopedCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> TenantScopedCredentials:
        return self._credentials


def tenant_data_session(role_arn: str, sts: Callable[[], Any], data_loader: Any | None = None) -> Any:
    """A boto3 session whose every client signs as the tenant the current context acts for.

    ``data_loader``: botocore's loader of service models to share (the function's own session's):
    a new session otherwise reads and parses every model and endpoint file again for its first
    clients (about 50 ms of CPU of a new execution environment's first DynamoDB calls). The loader
    holds only botocore's data files; credentials, clients and their events stay this session's."""
    import boto3
    import botocore.session
    from botocore.credentials import CredentialResolver

    core = botocore.session.Session()
    if data_loader is not None:
        core.register_component("data_loader", data_loader)
    provider = _TenantCredentialProvider(TenantScopedCredentials(role_arn, sts))
    core.register_component("credential_provider", CredentialResolver([provider]))
    return boto3.session.Session(botocore_session=core)
