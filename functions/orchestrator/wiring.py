"""Production wiring: repositories, publisher and providers built from settings (lazily, once)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from orchestrator.adapters.dynamodb import (
    DynamoCommandLogRepository,
    DynamoEventRepository,
    DynamoIdempotencyRepository,
    DynamoRunRepository,
    DynamoStepResultRepository,
)
from orchestrator.adapters.eventbridge import EventBridgePublisher
from orchestrator.adapters.s3_vectors import S3VectorStore
from orchestrator.adapters.s3_workspace import S3Workspace
from orchestrator.adapters.step_functions import StepFunctionsTaskTokens
from orchestrator.core.aws_errors import domain_error, is_aws_error
from orchestrator.core.errors import DataStoreRejected, ProviderNotConfigured
from orchestrator.core.settings import get_settings
from orchestrator.providers import ModelProvider, create_provider

if TYPE_CHECKING:
    from orchestrator.adapters.dynamodb_model_settings import DynamoTenantSettings
    from orchestrator.adapters.dynamodb_response_cache import DynamoResponseCache
    from orchestrator.adapters.dynamodb_tenants import DynamoTenantDirectory
    from orchestrator.adapters.dynamodb_usage_ledger import DynamoUsageLedger
    from orchestrator.llm.circuits import ProviderCircuits
    from orchestrator.llm.gateway import ModelGateway
    from orchestrator.llm.model_settings import DeploymentModels
    from orchestrator.llm.prompts import PromptLibrary
    from orchestrator.providers.pricing import PriceTable
    from orchestrator.runs.planning import RunPlanner


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
def tenants() -> DynamoTenantDirectory:
    from orchestrator.adapters.dynamodb_tenants import DynamoTenantDirectory

    return DynamoTenantDirectory(get_settings().require("tenants_table").tenants_table)


@cache
def publisher() -> EventBridgePublisher:
    return EventBridgePublisher(get_settings().require("event_bus").event_bus)


@cache
def provider(name: str | None) -> ModelProvider:
    """The run's provider, or the deployment's default (with its default model): what an agent's
    own work uses (embeddings). Model calls of steps go through ``gateway()``."""
    settings = get_settings()
    chosen = name or settings.model_provider
    return model_provider(chosen, settings.model_name if chosen == settings.model_provider else None, None)


@lru_cache(maxsize=64)
def model_provider(name: str, model: str | None, key_tenant: str | None) -> ModelProvider:
    """A provider serving ``model`` (None: its default) with the deployment's key for it, or with
    ``key_tenant``'s own key. Kept for the life of the execution environment (keys included)."""
    settings = get_settings()
    if name == "replay":
        from orchestrator.providers.cassette import ReplayProvider, open_cassette

        if not settings.model_cassette:
            raise ProviderNotConfigured("provider 'replay' needs a cassette (MODEL_CASSETTE)")
        return ReplayProvider(open_cassette(settings.model_cassette), model or settings.model_name or "")
    built = create_provider(
        name,
        model=model,
        api_key=None if name in ("offline", "bedrock") else api_key_for(name, key_tenant),
        base_url=settings.openai_base_url if name in ("openai_compatible", "openai") else None,
    )
    if settings.model_cassette_mode == "record" and settings.model_cassette and name != "offline":
        from orchestrator.providers.cassette import RecordingProvider, open_cassette

        return RecordingProvider(built, open_cassette(settings.model_cassette))
    return built


def provider_source(name: str, model: str | None, tenant_id: str, use_tenant_key: bool) -> ModelProvider:
    return model_provider(name, model, tenant_id if use_tenant_key else None)


def api_key_for(name: str, key_tenant: str | None) -> str | None:
    """The key for ``name``: the tenant's own secret, the deployment's default key, or the
    deployment's secret for that provider. Never logged, never part of state or events."""
    settings = get_settings()
    if key_tenant is not None:
        secret = f"{settings.tenant_key_prefix}{key_tenant}/{name}"
        value = _read_secret(secret, f"tenant {key_tenant}'s {name} key")
        if not value:
            raise ProviderNotConfigured(f"tenant {key_tenant} asks for its own {name} key but it is empty")
        return value
    if name == settings.model_provider:
        return _provider_api_key()
    arn = settings.provider_secrets.get(name)
    return _read_secret(arn, f"the {name} API key") if arn else None


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
    return _read_secret(settings.provider_api_key_secret_arn, "the provider API key")


def _read_secret(name: str, what: str) -> str | None:
    from aws_lambda_powertools.utilities import parameters

    try:
        value = parameters.get_secret(name, max_age=300)
    except parameters.exceptions.GetParameterError as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
        if is_aws_error(cause):  # throttled: retried; access denied, no such secret: not
            raise domain_error(f"reading {what}", cause) from exc
        raise DataStoreRejected(f"reading {what} failed: {exc}") from exc
    return str(value) if value else None


# --- models: settings, prompts, cache, budgets, circuits ------------------------------------
@cache
def tenant_settings() -> DynamoTenantSettings:
    from orchestrator.adapters.dynamodb_model_settings import DynamoTenantSettings

    return DynamoTenantSettings(get_settings().require("tenant_settings_table").tenant_settings_table)


@cache
def prompt_library() -> PromptLibrary:
    from orchestrator.adapters.dynamodb_prompts import DynamoPromptStore
    from orchestrator.llm.prompts import PromptLibrary

    return PromptLibrary(DynamoPromptStore(get_settings().require("prompts_table").prompts_table))


@cache
def usage_ledger() -> DynamoUsageLedger:
    from orchestrator.adapters.dynamodb_usage_ledger import DynamoUsageLedger

    return DynamoUsageLedger(get_settings().require("usage_table").usage_table)


@cache
def response_cache() -> DynamoResponseCache:
    from orchestrator.adapters.dynamodb_response_cache import DynamoResponseCache

    return DynamoResponseCache(get_settings().require("model_cache_table").model_cache_table)


@cache
def circuits() -> ProviderCircuits:
    from orchestrator.adapters.dynamodb_circuits import circuit_persistence
    from orchestrator.llm.circuits import ProviderCircuits

    return ProviderCircuits(circuit_persistence(get_settings().require("circuit_table").circuit_table))


@cache
def prices() -> PriceTable:
    from orchestrator.providers.pricing import PriceTable

    return PriceTable.with_overrides(get_settings().model_prices or None)


@cache
def deployment_models() -> DeploymentModels:
    from orchestrator.llm.model_settings import DeploymentModels

    settings = get_settings()
    return DeploymentModels(
        provider=settings.model_provider, model=settings.model_name, served=settings.available_providers
    )


def gateway(remaining_ms: Callable[[], int] | None = None) -> ModelGateway:
    """The model gateway of an agent function: every model table it was given is used."""
    from orchestrator.llm.gateway import ModelGateway

    settings = get_settings()
    return ModelGateway(
        providers=provider_source,
        deployment=deployment_models(),
        tenant_settings=tenant_settings() if settings.tenant_settings_table else None,
        cache=response_cache() if settings.model_cache_table else None,
        ledger=usage_ledger() if settings.usage_table else None,
        circuits=circuits() if settings.circuit_table else None,
        publisher=publisher(),
        prices=prices(),
        cache_ttl_seconds=settings.response_cache_ttl_seconds,
        remaining_ms=remaining_ms,
        timeout_seconds=settings.provider_timeout_seconds,
    )


def prompts_if_configured() -> PromptLibrary | None:
    return prompt_library() if get_settings().prompts_table else None


def planner() -> RunPlanner:
    """What starting a run checks: pinned prompts, the estimate against the tenant's budget."""
    from orchestrator.runs.planning import RunPlanner

    settings = get_settings()
    return RunPlanner(
        deployment=deployment_models(),
        tenant_settings=tenant_settings() if settings.tenant_settings_table else None,
        ledger=usage_ledger() if settings.usage_table else None,
        prompts=prompts_if_configured(),
        prices=prices(),
    )
