"""Tenant onboarding for operators: create, disable, enable and list tenants of a deployment.

Used by ``orchestrator tenants ...`` against a deployed stack (its Cognito user pool and tables,
found through the stack's outputs, with the operator's AWS credentials) or against the local cloud
(its tables on the emulated endpoint, its local signing key). Functions never do this: onboarding
is the one thing that reads across tenants.

- ``create``: the tenant's record (plan and limits) and its first admin user. On AWS the user is
  created in the pool with ``custom:tenant_id`` and ``custom:role`` (attributes only an
  administrator can write) and gets a temporary password by email; locally a token is minted.
- ``disable``: the tenant's requests are refused at once (the API reads its status on every
  request), its users are disabled and signed out (AWS), and its runs in progress are cancelled:
  each one undoes what it did and ends ``CANCELLED``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from orchestrator.adapters.cognito_user_pool import CognitoUserPool, temporary_password
from orchestrator.adapters.dynamodb_tenants import PROFILE_SK, DynamoTenantDirectory, tenant_from_item
from orchestrator.core.constants import SK
from orchestrator.core.errors import ConflictError, NotFound, RunNotActive
from orchestrator.core.records import utc_now, validate_tenant_id
from orchestrator.tenancy.plans import PLANS, Tenant, TenantLimits, TenantStatus, limits_for

__all__ = [
    "CognitoAccounts",
    "DeploymentHandle",
    "LocalAccounts",
    "TenantAdmin",
    "list_tenants",
    "temporary_password",
]

USERNAME_MAX = 128
LOCAL_CLOUD_FILE = "local-cloud.json"
"""Written in the local cloud's state directory while it is up: where its API, endpoint and tables are."""
STACK_OUTPUTS = {
    "tenants_table": "TenantsTableName",
    "runs_table": "RunsTableName",
    "step_results_table": "StepResultsTableName",
    "event_bus": "EventBusName",
    "user_pool_id": "UserPoolId",
    "api_url": "ApiUrl",
}


class UserAccounts(Protocol):
    """Where a tenant's users sign in."""

    def create_admin(self, tenant_id: str, username: str, email: str | None) -> str:
        """Create the tenant's first admin; returns how that user signs in."""
        ...

    def disable(self, username: str) -> None: ...

    def enable(self, username: str) -> None: ...


class CognitoAccounts:
    """The deployment's Cognito user pool."""

    def __init__(self, user_pool_id: str, client: Any) -> None:
        self._pool = CognitoUserPool(user_pool_id, client)

    def create_admin(self, tenant_id: str, username: str, email: str | None) -> str:
        password = self._pool.create_user(tenant_id, username, "admin", email)
        how = (
            f"a temporary password was sent to {email}"
            if password is None
            else f"temporary password (shown once; changed at first sign-in): {password}"
        )
        return (
            f"user {username!r} (admin of {tenant_id!r}) created in user pool {self._pool.pool_id}; {how}; "
            "they sign in with USER_PASSWORD_AUTH or SRP and send the ID token as the Bearer token"
        )

    def disable(self, username: str) -> None:
        self._pool.disable(username)

    def enable(self, username: str) -> None:
        self._pool.enable(username)


class LocalAccounts:
    """The local cloud: tokens signed by its local key (``infra/local/tokens.py``)."""

    def __init__(self, mint: Callable[..., str]) -> None:
        self._mint = mint

    def create_admin(self, tenant_id: str, username: str, email: str | None) -> str:
        token = self._mint(tenant_id=tenant_id, role="admin", subject=username)
        return (
            f"a token for {username!r} (admin of {tenant_id!r}, valid 1 h; "
            f"`orchestrator token --tenant {tenant_id} --role admin` mints more):\n  export TOKEN={token}"
        )

    def disable(self, username: str) -> None:
        """Nothing to do: the API refuses every token of a disabled tenant."""

    def enable(self, username: str) -> None:
        """Nothing to do."""


def list_tenants(table: Any) -> list[Tenant]:
    """Every tenant's profile, by id: a Scan of the tenants table (``table``: the boto3 Table).
    Operators only; no function reads across tenants, and none may Scan."""
    kwargs: dict[str, Any] = {
        "FilterExpression": "#sk = :profile",
        "ExpressionAttributeNames": {"#sk": SK},
        "ExpressionAttributeValues": {":profile": PROFILE_SK},
    }
    tenants: list[Tenant] = []
    while True:
        page = table.scan(**kwargs)
        tenants.extend(tenant_from_item(item) for item in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return sorted(tenants, key=lambda t: t.tenant_id)
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


RunCanceller = Callable[[str, str], None]
"""``(tenant id, run id)``: ask the run to stop (it undoes its work and ends CANCELLED)."""


@dataclass
class TenantAdmin:
    directory: DynamoTenantDirectory
    accounts: UserAccounts
    cancel_run: RunCanceller
    operator: str = "operator"

    def create(
        self,
        tenant_id: str,
        *,
        plan: str,
        admin_user: str,
        admin_email: str | None = None,
        requests_per_minute: int | None = None,
        max_concurrent_runs: int | None = None,
        max_queued_runs: int | None = None,
    ) -> tuple[Tenant, str]:
        """Onboard the tenant and its first admin; returns it and how the admin signs in."""
        validate_tenant_id(tenant_id)
        if not admin_user or len(admin_user) > USERNAME_MAX:
            raise ValueError(f"the admin user name must be 1-{USERNAME_MAX} characters")
        limits = limits_for(
            plan,
            requests_per_minute=requests_per_minute,
            max_concurrent_runs=max_concurrent_runs,
            max_queued_runs=max_queued_runs,
        )
        tenant = self.directory.create(self._new(tenant_id, plan, limits))
        sign_in = self.accounts.create_admin(tenant_id, admin_user, admin_email)
        self.directory.add_user(tenant_id, admin_user, role="admin", by=self.operator)
        return tenant, sign_in

    def disable(self, tenant_id: str) -> tuple[Tenant, list[str]]:
        """Refuse the tenant's requests from now on, disable its users, cancel its runs in progress
        and its queued runs (those never start)."""
        tenant = self.directory.set_status(tenant_id, TenantStatus.DISABLED, by=self.operator)
        for username in self.directory.usernames(tenant_id):
            self.accounts.disable(username)
        cancelled = []
        queued = [entry.run_id for entry in self.directory.queued_runs(tenant_id)]
        for run_id in [*self.directory.active_run_ids(tenant_id), *queued]:
            with contextlib.suppress(RunNotActive, NotFound):  # it ended meanwhile
                self.cancel_run(tenant_id, run_id)
                cancelled.append(run_id)
        return tenant, cancelled

    def enable(self, tenant_id: str) -> Tenant:
        tenant = self.directory.set_status(tenant_id, TenantStatus.ACTIVE, by=self.operator)
        for username in self.directory.usernames(tenant_id):
            self.accounts.enable(username)
        return tenant

    def _new(self, tenant_id: str, plan: str, limits: TenantLimits) -> Tenant:
        return Tenant(
            tenant_id=validate_tenant_id(tenant_id),
            plan=plan,
            created_at=utc_now().isoformat(),
            created_by=self.operator,
            **limits.model_dump(),
        )

    def list(self) -> list[Tenant]:
        return list_tenants(self.directory.table)

    def ensure(
        self,
        tenant_id: str,
        *,
        plan: str,
        requests_per_minute: int | None = None,
        max_concurrent_runs: int | None = None,
        max_queued_runs: int | None = None,
    ) -> Tenant:
        """The tenant as it is, or onboarded now without users (the local cloud mints tokens)."""
        existing = self.directory.get(tenant_id)
        if existing is not None:
            return existing
        limits = limits_for(
            plan,
            requests_per_minute=requests_per_minute,
            max_concurrent_runs=max_concurrent_runs,
            max_queued_runs=max_queued_runs,
        )
        try:
            return self.directory.create(self._new(tenant_id, plan, limits))
        except ConflictError:  # onboarded meanwhile
            found = self.directory.get(tenant_id)
            assert found is not None
            return found


@dataclass(frozen=True)
class DeploymentHandle:
    """Where a deployment's tenants, runs and bus are, and the credentials that reach them."""

    tenants_table: str
    runs_table: str
    step_results_table: str
    event_bus: str
    session: Any  # boto3 session: the operator's (AWS) or the local cloud's
    endpoint_url: str | None = None  # the local cloud's emulated AWS
    user_pool_id: str | None = None  # a deployed stack's Cognito user pool
    api_url: str | None = None

    @classmethod
    def from_description(cls, description: dict[str, Any]) -> DeploymentHandle:
        """The local cloud, from what it wrote (``LocalCloud.describe``)."""
        import boto3

        session = boto3.session.Session(
            aws_access_key_id=description.get("access_key_id", "local"),
            aws_secret_access_key=description.get("secret_access_key", "local"),
            region_name=description["region"],
        )
        return cls(
            tenants_table=description["tenants_table"],
            runs_table=description["runs_table"],
            step_results_table=description["step_results_table"],
            event_bus=description["event_bus"],
            session=session,
            endpoint_url=description["aws_endpoint"],
            api_url=description.get("api_url"),
        )

    @classmethod
    def from_local(cls, state_dir: Path) -> DeploymentHandle:
        path = state_dir / LOCAL_CLOUD_FILE
        try:
            description = json.loads(path.read_text())
        except FileNotFoundError:
            raise RuntimeError(
                f"no local cloud is up with state directory {state_dir}: start one with "
                "`orchestrator local up` (or name a deployed stack with --stack)"
            ) from None
        return cls.from_description(description)

    @classmethod
    def from_stack(cls, stack_name: str, session: Any) -> DeploymentHandle:
        """A deployed stack, from its CloudFormation outputs (the operator's credentials)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            stacks = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
        except (BotoCoreError, ClientError) as exc:
            raise RuntimeError(f"cannot read stack {stack_name!r}: {exc}") from exc
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
        missing = [
            name for key, name in STACK_OUTPUTS.items() if key != "user_pool_id" and name not in outputs
        ]
        if missing:
            raise RuntimeError(
                f"stack {stack_name!r} has no output(s) {', '.join(missing)}: deploy this version first"
            )
        return cls(
            session=session,
            user_pool_id=outputs.get(STACK_OUTPUTS["user_pool_id"]),
            **{key: outputs[name] for key, name in STACK_OUTPUTS.items() if key != "user_pool_id"},
        )

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint_url)

    def admin(self, *, mint: Callable[..., str] | None = None, operator: str = "operator") -> TenantAdmin:
        """``mint``: the local cloud's token signer (its users are tokens, not pool users)."""
        from orchestrator.adapters.dynamodb import DynamoRunRepository, DynamoStepResultRepository
        from orchestrator.adapters.eventbridge import EventBridgePublisher
        from orchestrator.adapters.step_functions import StepFunctionsTaskTokens
        from orchestrator.runs import control as run_control

        dynamodb = self.session.resource("dynamodb", endpoint_url=self.endpoint_url)
        runs = DynamoRunRepository(self.runs_table, dynamodb)
        results = DynamoStepResultRepository(self.step_results_table, dynamodb)
        tokens = StepFunctionsTaskTokens(self.client("stepfunctions"))
        publisher = EventBridgePublisher(self.event_bus, self.client("events"))
        directory = DynamoTenantDirectory(self.tenants_table, dynamodb)

        def cancel(tenant_id: str, run_id: str) -> None:
            run_control.cancel(
                tenant_id,
                run_id,
                caller_subject=operator,
                runs=runs,
                results=results,
                tokens=tokens,
                publisher=publisher,
                tenants=directory,  # a queued run leaves its queue, never started
            )

        accounts: UserAccounts
        if mint is not None:
            accounts = LocalAccounts(mint)
        elif self.user_pool_id:
            accounts = CognitoAccounts(self.user_pool_id, self.client("cognito-idp"))
        else:
            raise RuntimeError("this stack has no UserPoolId output: deploy this version first")
        return TenantAdmin(directory, accounts, cancel, operator=operator)


def describe(tenant: Tenant) -> str:
    return (
        f"{tenant.tenant_id:<24} {tenant.status.value:<9} {tenant.plan:<11} "
        f"{tenant.requests_per_minute:>8}/min {tenant.active_runs:>4}/{tenant.max_concurrent_runs:<4} "
        f"{tenant.queued_runs:>5}/{tenant.max_queued_runs:<5}"
    )


PLAN_HELP = ", ".join(
    f"{name} ({limits.requests_per_minute}/min, {limits.max_concurrent_runs} runs, "
    f"{limits.max_queued_runs} queued)"
    for name, limits in PLANS.items()
)
