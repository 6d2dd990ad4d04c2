"""Posting a lifecycle event to the clients that subscribed to it: each connection of the event's
tenant subscribed to its run (or to every run) gets the envelope as one JSON message. A connection
that is gone (the client left without a ``$disconnect`` reaching us: 410) is forgotten; a post that
fails otherwise is logged and the others go on (a client's trouble never holds back another's).

The tenant is the envelope's: lifecycle events are put on the bus by this product's functions only
(the bus policy refuses the source to anyone else), and only that tenant's connections are read.

A batch of events reads each of its tenants' subscribed connections once (``BatchSubscribers``: one
query per tenant, not one per event); a connection found gone is left out of the batch's later
events, and a subscription made while a batch is pushed counts from the next batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from orchestrator.core.errors import OrchestratorError
from orchestrator.core.observability import logger
from orchestrator.core.ports import ConnectionRepository, ConnectionSender
from orchestrator.core.records import ALL_RUNS, Connection, EventEnvelope


class SubscribedConnections(Protocol):
    def subscribed(self, tenant_id: str, run_id: str) -> list[Connection]: ...

    def remove(self, tenant_id: str, connection_id: str) -> None: ...


@dataclass
class BatchSubscribers:
    """The connections as one batch of events sees them: each tenant's subscribers read once."""

    connections: ConnectionRepository
    _read: dict[str, list[Connection]] = field(default_factory=dict)

    def subscribed(self, tenant_id: str, run_id: str) -> list[Connection]:
        if tenant_id not in self._read:
            self._read[tenant_id] = self.connections.subscribers(tenant_id)
        return [c for c in self._read[tenant_id] if run_id in c.subscriptions or ALL_RUNS in c.subscriptions]

    def remove(self, tenant_id: str, connection_id: str) -> None:
        self.connections.remove(tenant_id, connection_id)
        if tenant_id in self._read:
            self._read[tenant_id] = [c for c in self._read[tenant_id] if c.connection_id != connection_id]


@dataclass(frozen=True)
class Fanout:
    delivered: int = 0
    gone: int = 0
    failed: int = 0


def push_event(
    envelope: EventEnvelope, connections: SubscribedConnections, sender: ConnectionSender
) -> Fanout:
    """Post ``envelope`` to every subscribed connection of its tenant. Reading the connections may
    fail (a ``RepositoryError``): then nothing was posted and the event can be retried whole."""
    data = envelope.model_dump_json().encode("utf-8")
    delivered = gone = failed = 0
    for connection in connections.subscribed(envelope.tenant_id, envelope.run_id):
        try:
            if sender.post(connection.connection_id, data):
                delivered += 1
                continue
        except OrchestratorError as exc:
            failed += 1
            logger.warning(
                "could not push an event to a connection",
                extra={"connection_id": connection.connection_id, "error": str(exc)},
            )
            continue
        gone += 1
        connections.remove(envelope.tenant_id, connection.connection_id)
    return Fanout(delivered=delivered, gone=gone, failed=failed)
