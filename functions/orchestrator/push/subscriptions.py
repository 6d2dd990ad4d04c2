"""What the WebSocket API's routes do for a connection: ``$connect`` records it for the tenant of
its verified token, ``subscribe`` adds one run of that tenant (or every run) to what it receives,
``$disconnect`` forgets it. Anything else a client sends is answered with an error naming what was
wrong; nothing a client sends can reach another tenant's runs or connections.

The tenant, role and subject come from the authorizer's context only (the token verified on
connect), never from a message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from orchestrator.core.constants import CONNECTION_TTL_SECONDS
from orchestrator.core.errors import NotFound, RepositoryError
from orchestrator.core.ids import is_run_id
from orchestrator.core.ports import ConnectionRepository, RunRepository
from orchestrator.core.records import ALL_RUNS, Connection, utc_now

if TYPE_CHECKING:
    from orchestrator.tenancy.plans import Tenant
    from orchestrator.tenancy.roles import Caller

SUBSCRIBE_FIELDS = frozenset({"action", "run_id"})
USAGE = '{"action": "subscribe", "run_id": "<run id>"} (without run_id: every run of your tenant)'


@dataclass(frozen=True)
class Reply:
    """A route's answer: on ``$connect`` its status accepts (2xx) or refuses the connection; on a
    message route ``body`` is the message the client gets back."""

    status: HTTPStatus
    body: dict[str, Any]

    def as_integration_response(self) -> dict[str, Any]:
        return {"statusCode": int(self.status), "body": json.dumps(self.body)}


def error(status: HTTPStatus, name: str, message: str) -> Reply:
    return Reply(status, {"type": "error", "error": name, "message": message})


def connect(
    caller: Caller, connection_id: str, tenant: Tenant | None, connections: ConnectionRepository
) -> Reply:
    """Record the connection for the caller's tenant, if the tenant is active and the caller not
    one of its disabled users (403 otherwise: the connection is refused)."""
    from orchestrator.tenancy.plans import TenantNotActive, check_caller

    try:
        check_caller(caller.tenant_id, caller.subject, tenant)
    except TenantNotActive as exc:  # UserDisabled is one
        return error(HTTPStatus.FORBIDDEN, type(exc).__name__, str(exc))
    now = utc_now()
    connections.add(
        Connection(
            tenant_id=caller.tenant_id,
            connection_id=connection_id,
            subject=caller.subject,
            role=caller.role,
            connected_at=now,
            expires_at=int((now + timedelta(seconds=CONNECTION_TTL_SECONDS)).timestamp()),
        )
    )
    return Reply(HTTPStatus.OK, {"type": "connected"})


def subscribe(
    caller: Caller,
    connection_id: str,
    body: str | None,
    runs: RunRepository,
    connections: ConnectionRepository,
) -> Reply:
    """``{"action": "subscribe", "run_id": "<id>"}``: that run's events from now on, if the run is
    the caller's tenant's (an unknown run and another tenant's get the same answer); without
    ``run_id``: every run of the tenant."""
    message = parse_message(body)
    if isinstance(message, Reply):
        return message
    unknown = sorted(set(message) - SUBSCRIBE_FIELDS)
    if unknown:
        return error(
            HTTPStatus.BAD_REQUEST,
            "InvalidMessage",
            f"subscribe takes only 'action' and 'run_id'; unknown field(s) {', '.join(map(repr, unknown))}",
        )
    run_id = message.get("run_id")
    if run_id is not None and not isinstance(run_id, str):
        return error(HTTPStatus.BAD_REQUEST, "InvalidMessage", f"run_id must be a string, got {run_id!r}")
    try:
        if run_id is not None:
            if not is_run_id(run_id):
                raise NotFound(f"run {run_id[:64]!r} not found")
            runs.get(caller.tenant_id, run_id)  # RunNotFound for an unknown run and another tenant's
        connections.subscribe(caller.tenant_id, connection_id, run_id)
    except NotFound as exc:  # RunNotFound, ConnectionGone
        return error(HTTPStatus.NOT_FOUND, type(exc).__name__, str(exc))
    except RepositoryError as exc:
        return error(HTTPStatus.SERVICE_UNAVAILABLE, type(exc).__name__, "try again: " + str(exc))
    return Reply(HTTPStatus.OK, {"type": "subscribed", "run_id": run_id if run_id is not None else ALL_RUNS})


def unknown_action(body: str | None) -> Reply:
    """What ``$default`` answers: a message that is not JSON, has no ``action`` or an unknown one."""
    message = parse_message(body)
    if isinstance(message, Reply):
        return message
    action = message.get("action")
    what = "has no 'action'" if action is None else f"has the unknown action {action!r}"
    return error(HTTPStatus.BAD_REQUEST, "UnknownAction", f"the message {what}; send {USAGE}")


def parse_message(body: str | None) -> dict[str, Any] | Reply:
    """The message as a JSON object, or the error reply saying why it is not one."""
    try:
        message = json.loads(body or "")
    except ValueError as exc:
        return error(
            HTTPStatus.BAD_REQUEST, "InvalidMessage", f"the message is not JSON ({exc}); send {USAGE}"
        )
    if not isinstance(message, dict):
        return error(
            HTTPStatus.BAD_REQUEST,
            "InvalidMessage",
            f"the message is JSON but not an object ({type(message).__name__}); send {USAGE}",
        )
    return message
