"""Production wiring: repositories, publisher and providers built from settings (lazily, once)."""

from __future__ import annotations

from functools import cache

from orchestrator.events import EventBridgePublisher
from orchestrator.providers import ModelProvider, create_provider
from orchestrator.repositories.dynamodb import (
    DynamoEventRepository,
    DynamoPhaseResultRepository,
    DynamoRunRepository,
)
from orchestrator.settings import get_settings


@cache
def runs() -> DynamoRunRepository:
    return DynamoRunRepository(get_settings().require("runs_table").runs_table)


@cache
def phase_results() -> DynamoPhaseResultRepository:
    return DynamoPhaseResultRepository(get_settings().require("phase_results_table").phase_results_table)


@cache
def events() -> DynamoEventRepository:
    return DynamoEventRepository(get_settings().require("events_table").events_table)


@cache
def publisher() -> EventBridgePublisher:
    return EventBridgePublisher(get_settings().require("event_bus").event_bus)


@cache
def provider(name: str | None) -> ModelProvider:
    """The run's provider, or the deployment's default. Runs may always choose ``offline``."""
    settings = get_settings()
    chosen = name or settings.model_provider
    same_as_default = chosen == settings.model_provider
    return create_provider(
        chosen,
        model=settings.model_name if same_as_default else None,
        api_key=settings.provider_api_key if same_as_default else None,
        base_url=settings.openai_base_url if same_as_default else None,
    )
