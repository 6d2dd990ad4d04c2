"""Which tenant the current invocation acts for: the one piece of tenant context every function sets.

Kept apart from ``credentials`` (which imports botocore's credential classes) so that a handler can
set and clear its tenant without paying for those imports at init: botocore is loaded by the first
AWS client the invocation makes anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from orchestrator.core.records import TENANT_ID_PATTERN

_ACTING_FOR: ContextVar[str | None] = ContextVar("acting_for_tenant", default=None)


def act_for_tenant(tenant_id: str | None) -> None:
    """The tenant data calls that follow (in this context) sign as ``tenant_id``; None: as no tenant."""
    if tenant_id is not None and not TENANT_ID_PATTERN.fullmatch(tenant_id):  # no trailing newline
        raise ValueError(f"tenant id {tenant_id[:64]!r} is invalid")
    _ACTING_FOR.set(tenant_id)


@contextmanager
def acting_for_tenant(tenant_id: str) -> Iterator[None]:
    """Tenant data calls inside the block sign as ``tenant_id`` (from the handler's trusted input);
    after it, as no tenant again, however the block ends."""
    act_for_tenant(tenant_id)
    try:
        yield
    finally:
        act_for_tenant(None)


def acting_for() -> str | None:
    return _ACTING_FOR.get()
