"""Tenants: who may use the deployment, on which plan, within which limits.

A tenant is onboarded (``orchestrator tenants create``) before any of its tokens is accepted. Its
record holds its status (``active`` or ``disabled``: a disabled tenant's requests are refused at
once, whatever its tokens say), its plan and the limits the plan gives (which an operator may
raise or lower for one tenant):

- ``requests_per_minute``: API requests per calendar minute (a fixed window per tenant); the next
  request over it is a 429 whose ``Retry-After`` is the rest of the minute;
- ``max_concurrent_runs``: runs not yet ended; a run started past it waits in the tenant's queue
  (``QUEUED``) and starts when a slot frees, oldest first (``orchestrator.runs.queue``);
- ``max_queued_runs``: runs waiting in that queue; starting one more is a 429 until one starts.

API Gateway's stage throttling stays the outer limit, for all tenants together.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import StrEnum
from http import HTTPStatus
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from orchestrator.core.errors import OrchestratorError
from orchestrator.core.records import TENANT_ID_PATTERN

RATE_WINDOW_SECONDS = 60
RUN_SLOT_RETRY_AFTER_SECONDS = 30
"""A queue place frees when a queued run starts; when that is is not known, so a caller is told to
retry in 30 s."""
DEFAULT_MAX_QUEUED_RUNS = 100


class Promotion(StrEnum):
    """What moving a queued run to a slot did."""

    PROMOTED = "promoted"  # it left the queue and holds a slot: start it
    GONE = "gone"  # it was not queued (any more): another promotion or a cancel took it
    NO_SLOT = "no_slot"  # every slot is held (or the tenant is disabled): it waits


@dataclass(frozen=True)
class QueuedRun:
    run_id: str
    queued_at: float
    """Epoch seconds the queue entry was written."""


class TenantStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class TenantLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    requests_per_minute: int = Field(ge=1, le=1_000_000)
    max_concurrent_runs: int = Field(ge=1, le=10_000)
    max_queued_runs: int = Field(
        default=DEFAULT_MAX_QUEUED_RUNS, ge=0, le=10_000, description="runs waiting for a slot (0: none wait)"
    )


PLANS: dict[str, TenantLimits] = {
    "free": TenantLimits(requests_per_minute=60, max_concurrent_runs=2, max_queued_runs=10),
    "standard": TenantLimits(requests_per_minute=600, max_concurrent_runs=10, max_queued_runs=100),
    "enterprise": TenantLimits(requests_per_minute=6000, max_concurrent_runs=100, max_queued_runs=1000),
}
DEFAULT_PLAN = "standard"


class Tenant(BaseModel):
    """A tenant's record (its profile)."""

    model_config = ConfigDict(extra="ignore")

    tenant_id: str = Field(pattern=TENANT_ID_PATTERN.pattern)
    status: TenantStatus = TenantStatus.ACTIVE
    plan: str = DEFAULT_PLAN
    requests_per_minute: int = Field(ge=1)
    max_concurrent_runs: int = Field(ge=1)
    max_queued_runs: int = Field(
        default=-1, ge=-1, description="-1 (a record from before queues): the plan's"
    )
    active_runs: int = 0
    queued_runs: int = 0
    created_at: str
    created_by: str
    updated_at: str | None = None
    disabled_at: str | None = None
    disabled_by: str | None = None
    disabled_subjects: frozenset[str] = Field(
        default=frozenset(), description="token subjects (users) refused although the tenant is active"
    )

    @model_validator(mode="after")
    def _queue_cap_of_plan(self) -> Tenant:
        """A record written before queues existed has no ``max_queued_runs``: its plan's applies."""
        if self.max_queued_runs < 0:
            plan = PLANS.get(self.plan)
            self.max_queued_runs = plan.max_queued_runs if plan is not None else DEFAULT_MAX_QUEUED_RUNS
        return self

    @property
    def is_active(self) -> bool:
        return self.status is TenantStatus.ACTIVE


def limits_for(
    plan: str,
    *,
    requests_per_minute: int | None = None,
    max_concurrent_runs: int | None = None,
    max_queued_runs: int | None = None,
) -> TenantLimits:
    """The plan's limits, with an operator's overrides for one tenant."""
    if plan not in PLANS:
        raise ValueError(f"unknown plan {plan!r}; plans: {', '.join(PLANS)}")
    base = PLANS[plan]
    return TenantLimits(
        requests_per_minute=requests_per_minute or base.requests_per_minute,
        max_concurrent_runs=max_concurrent_runs or base.max_concurrent_runs,
        max_queued_runs=base.max_queued_runs if max_queued_runs is None else max_queued_runs,
    )


class TenantNotActive(OrchestratorError):
    """The tenant was never onboarded, or it is disabled: none of its requests is served (403)."""

    http_status = HTTPStatus.FORBIDDEN


class TenantLimitReached(OrchestratorError):
    """A limit of the tenant's plan is reached (429 with ``Retry-After``)."""

    http_status = HTTPStatus.TOO_MANY_REQUESTS

    def __init__(self, message: str, *, limit: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.retry_after_seconds = max(1, retry_after_seconds)

    def http_body(self) -> dict[str, Any]:
        return super().http_body() | {"limit": self.limit}

    def http_headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


def rate_window(now: float | None = None) -> tuple[int, int]:
    """The current request window (its start, epoch seconds) and the seconds left in it."""
    now = time.time() if now is None else now
    start = int(now // RATE_WINDOW_SECONDS) * RATE_WINDOW_SECONDS
    return start, max(1, math.ceil(start + RATE_WINDOW_SECONDS - now))


class TenantDirectory(Protocol):
    """The tenants table, as the API, the run lifecycle and the operator's CLI use it."""

    def get(self, tenant_id: str) -> Tenant | None: ...

    def create(self, tenant: Tenant) -> Tenant:
        """Onboard a tenant; ``ConflictError`` when it exists."""
        ...

    def set_status(self, tenant_id: str, status: TenantStatus, by: str) -> Tenant: ...

    def set_limits(self, tenant_id: str, plan: str, limits: TenantLimits, by: str) -> Tenant: ...

    def admit_request(self, tenant: Tenant, now: float | None = None) -> None:
        """Count one request in the tenant's current window; ``TenantLimitReached`` when it is full."""
        ...

    def acquire_run_slot(self, tenant_id: str, run_id: str) -> bool:
        """Hold one of the tenant's concurrent-run slots for ``run_id``: True when taken now, False
        when the run already held it. ``TenantLimitReached`` when all are taken, ``TenantNotActive``
        when the tenant is disabled or unknown."""
        ...

    def release_run_slot(self, tenant_id: str, run_id: str) -> bool:
        """Give the run's slot back (exactly once, however often it is called): True when released now."""
        ...

    def active_run_ids(self, tenant_id: str) -> list[str]:
        """The runs holding a slot (not yet ended)."""
        ...

    def enqueue_run(self, tenant_id: str, run_id: str, *, cap: int) -> bool:
        """Put ``run_id`` at the end of the tenant's queue: True when queued now, False when it was
        queued already. ``TenantLimitReached`` (``max_queued_runs``) when ``cap`` runs wait,
        ``TenantNotActive`` when the tenant is disabled or unknown."""
        ...

    def queued_runs(self, tenant_id: str, limit: int | None = None) -> list[QueuedRun]:
        """The runs waiting for a slot, oldest first."""
        ...

    def queue_position(self, tenant_id: str, run_id: str) -> int | None:
        """Where ``run_id`` waits (1: next to start), None when it does not wait."""
        ...

    def promote_queued_run(self, tenant_id: str, run_id: str) -> Promotion:
        """Move ``run_id`` from the queue to a free slot, in one transaction."""
        ...

    def dequeue_run(self, tenant_id: str, run_id: str) -> bool:
        """Take ``run_id`` out of the queue without a slot: True when taken out now."""
        ...


class UserDisabled(TenantNotActive):
    """An administrator disabled this user: their tokens are refused at once (403)."""


def check_caller(tenant_id: str, subject: str, tenant: Tenant | None) -> Tenant:
    """The tenant, if it is active and the caller (a token's subject) is not disabled in it."""
    tenant = check_active(tenant_id, tenant)
    if subject in tenant.disabled_subjects:
        raise UserDisabled(f"this user of tenant {tenant_id!r} is disabled")
    return tenant


def check_active(tenant_id: str, tenant: Tenant | None) -> Tenant:
    if tenant is None:
        raise TenantNotActive(f"tenant {tenant_id!r} is not onboarded in this deployment")
    if not tenant.is_active:
        raise TenantNotActive(f"tenant {tenant_id!r} is disabled")
    return tenant
