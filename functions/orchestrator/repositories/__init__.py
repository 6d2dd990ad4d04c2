"""Repositories: one per table, every key built inside the tenant (no Scan anywhere)."""

from orchestrator.repositories.interfaces import (
    CommandLogRepository,
    EventRepository,
    IdempotencyRepository,
    RunRepository,
    StepResultRepository,
)

__all__ = [
    "CommandLogRepository",
    "EventRepository",
    "IdempotencyRepository",
    "RunRepository",
    "StepResultRepository",
]
