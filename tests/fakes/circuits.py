"""An in-memory Powertools circuit-breaker persistence layer: ``ProviderCircuits`` runs its real
logic on it. Instances built on one ``SharedCircuitTable`` behave like function instances sharing
the Circuits table (each has its own local state cache, as each Lambda environment does)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from aws_lambda_powertools.utilities.circuit_breaker.persistence.base import (
    CircuitBreakerExistingLockError,
    CircuitBreakerPersistenceLayer,
)
from aws_lambda_powertools.utilities.circuit_breaker.persistence.record import CircuitStateRecord
from aws_lambda_powertools.utilities.circuit_breaker.states import CircuitState


class StoreDown(Exception):
    """The table cannot be reached."""


class SharedCircuitTable:
    def __init__(self) -> None:
        self.records: dict[str, CircuitStateRecord] = {}
        self.down = False  # every read and write fails
        self.reads = 0


class InMemoryCircuitStore(CircuitBreakerPersistenceLayer):
    def __init__(self, table: SharedCircuitTable | None = None) -> None:
        super().__init__()
        self.table = table or SharedCircuitTable()

    def _get_record(self, name: str) -> CircuitStateRecord | None:
        self.table.reads += 1
        if self.table.down:
            raise StoreDown("circuit table unreachable")
        record = self.table.records.get(name)
        return dataclasses.replace(record) if record else None

    def _put_record(
        self, record: CircuitStateRecord, condition: str | None = None, expected_opened_at: int | None = None
    ) -> None:
        if self.table.down:
            raise StoreDown("circuit table unreachable")
        if condition == "half_open":  # the DynamoDB layer's conditional write, as an expression
            now = int(dt.datetime.now().timestamp())
            current = self.table.records.get(record.name)
            may_take = current is not None and (
                (
                    current.state == CircuitState.OPEN
                    and current.half_open_owner is None
                    and (expected_opened_at is None or current.opened_at == expected_opened_at)
                )
                or (
                    current.state == CircuitState.HALF_OPEN
                    and current.probe_lease_expiry is not None
                    and current.probe_lease_expiry <= now
                )
            )
            if not may_take:
                raise CircuitBreakerExistingLockError()
        self.table.records[record.name] = dataclasses.replace(record)

    def _update_record(self, record: CircuitStateRecord) -> None:
        if self.table.down:
            raise StoreDown("circuit table unreachable")
        # as the DynamoDB layer's UpdateItem: the probe owner and its lease go with every change
        self.table.records[record.name] = dataclasses.replace(
            record, half_open_owner=None, probe_lease_expiry=None
        )
