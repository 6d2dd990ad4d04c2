"""Production wiring: repositories, publisher and providers built from settings (lazily, once)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from orchestrator.aws_errors import domain_error, is_aws_error
from orchestrator.errors import DataStoreRejected
from orchestrator.events import EventBridgePublisher
from orchestrator.providers import ModelProvider, create_provider
from orchestrator.repositories.dynamodb import (
    DynamoCommandLogRepository,
    DynamoEventRepository,
    DynamoIdempotencyRepository,
    DynamoRunRepository,
    DynamoStepResultRepository,
)
from orchestrator.repositories.s3_vectors import S3VectorStore
from orchestrator.repositories.s3_workspace import S3Workspace
from orchestrator.repositories.step_functions import StepFunctionsTaskTokens
from orchestrator.settings import get_settings


@cache
def runs() -> DynamoRunRepository:
    return DynamoRunRepository(get_settings().require("runs_table").runs_table)


@cache
def step_results() -> DynamoStepResultRepository:
    return DynamoStepResultRepository(get_settings().require("step_results_table").step_results_table)


@cache
def command_log() -> DynamoCommandLogRepository:
    return DynamoCommandLogRepository(get_settings().require("commands_table").commands_table)


@cache
def workspace() -> S3Workspace:
    return S3Workspace(get_settings().require("workspace_bucket").workspace_bucket)


@cache
def vectors() -> S3VectorStore:
    return S3VectorStore(get_settings().require("vector_bucket").vector_bucket)


def vectors_if_configured() -> S3VectorStore | None:
    """The vector store for functions that declare it (agents storing vectors, the undo loop)."""
    return vectors() if get_settings().vector_bucket else None


def archive_fetcher() -> Callable[[str], bytes]:
    """Fetch an archive over https with the deployment's limits and allowed private hosts."""
    allowed = get_settings().fetch_allowed_hosts

    def fetch(url: str) -> bytes:
        from orchestrator.ingestion.fetch import fetch_archive  # only the agent that fetches pays for it

        return fetch_archive(url, allowed_hosts=allowed)

    return fetch


@cache
def task_tokens() -> StepFunctionsTaskTokens:
    return StepFunctionsTaskTokens()


@cache
def events() -> DynamoEventRepository:
    settings = get_settings().require("events_table")
    return DynamoEventRepository(settings.events_table, retention_days=settings.event_retention_days)


@cache
def idempotency() -> DynamoIdempotencyRepository:
    return DynamoIdempotencyRepository(get_settings().require("idempotency_table").idempotency_table)


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
        api_key=_provider_api_key() if same_as_default and chosen != "offline" else None,
        base_url=settings.openai_base_url if same_as_default else None,
    )


def _provider_api_key() -> str | None:
    """The provider key: a plain variable, or the Secrets Manager secret the stack names.

    Read on the first call that needs it (offline runs never fetch it), then kept with the
    provider for the life of the execution environment.
    """
    settings = get_settings()
    if settings.provider_api_key:
        return settings.provider_api_key
    if not settings.provider_api_key_secret_arn:
        return None
    from aws_lambda_powertools.utilities import parameters

    try:
        value = parameters.get_secret(settings.provider_api_key_secret_arn, max_age=300)
    except parameters.exceptions.GetParameterError as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
        if is_aws_error(cause):  # throttled: retried; access denied, no such secret: not
            raise domain_error("reading the provider API key", cause) from exc
        raise DataStoreRejected(f"reading the provider API key failed: {exc}") from exc
    return str(value) if value else None
