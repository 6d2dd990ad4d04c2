"""Repositories: one per table, every key built inside the tenant (no Scan anywhere)."""

from orchestrator.repositories.interfaces import (
    EventRepository,
    IdempotencyRepository,
    PhaseResultRepository,
    RunRepository,
)

__all__ = ["EventRepository", "IdempotencyRepository", "PhaseResultRepository", "RunRepository"]
