"""What a function's code is given: repositories, publisher, providers and model services, built
from one ``Settings`` once per cold start and passed to handlers (tests build their own).

Each part is made on first use and kept for the life of the container (a Lambda execution
environment), so a function pays only for what its invocations use: an offline run never reads a
provider key, a function without a vector bucket never builds a vector store.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from orchestrator.adapters.dynamodb import (
    DynamoCommandLogRepository,
    DynamoEventRepository,
    DynamoIdempotencyRepository,
    DynamoRunRepository,
    DynamoStepResultRepository,
)
from orchestrator.adapters.eventbridge import EventBridgePublisher
from orchestrator.adapters.request_meter import metered, usage_so_far
from orchestrator.adapters.s3_workspace import S3Workspace
from orchestrator.adapters.step_functions import (
    StepFunctionsHistory,
    StepFunctionsStarter,
    StepFunctionsTaskTokens,
)
from orchestrator.core.aws_errors import domain_error, is_aws_error
from orchestrator.core.errors import DataStoreRejected, ProviderNotConfigured
from orchestrator.core.settings import Settings, check_at_init, deployed_settings
from orchestrator.providers import ModelProvider, create_provider

if TYPE_CHECKING:
    from orchestrator.adapters.dynamodb_connections import DynamoConnectionRepository
    from orchestrator.adapters.dynamodb_model_settings import DynamoTenantSettings
    from orchestrator.adapters.dynamodb_response_cache import DynamoResponseCache
    from orchestrator.adapters.dynamodb_tenants import DynamoTenantDirectory
    from orchestrator.adapters.dynamodb_usage_ledger import DynamoUsageLedger
    from orchestrator.adapters.s3_vectors import S3VectorStore
    from orchestrator.adapters.websocket_connections import ApiGatewayConnections
    from orchestrator.core.aws_usage import AwsUsage
    from orchestrator.llm.circuits import ProviderCircuits
    from orchestrator.llm.gateway import ModelGateway
    from orchestrator.llm.model_settings import DeploymentModels
    from orchestrator.llm.prompts import PromptLibrary
    from orchestrator.providers.pricing import PriceTable
    from orchestrator.runs.planning import RunPlanner
    from orchestrator.safety import Moderator, SafetyScreen
    from orchestrator.safety.moderation import BedrockGuardrail, OpenAIModeration
    from orchestrator.webhooks.delivery import Deliverer
    from orchestrator.webhooks.store import SecretBox, WebhookStore
    from orchestrator.webhooks.transport import TargetPolicy


KEY_TTL_SECONDS = 300.0
"""How long a provider keeps the key it was built with: a rotated or revoked key is read again
(from Secrets Manager, past any cache) within this time."""


class Container:
    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._clock = clock
        self._providers: dict[tuple[str, str | None, str | None], tuple[ModelProvider, float]] = {}
        self._moderation: tuple[OpenAIModeration | None, float] | None = None

    # --- what an invocation asks of AWS (counted, priced with the run it serves) ----------------
    @staticmethod
    def metered(context: Any) -> AbstractContextManager[None]:
        """Count the AWS requests of one invocation (its memory size from the Lambda context)."""
        return metered(getattr(context, "memory_limit_in_mb", None))

    @staticmethod
    def aws_usage_so_far() -> AwsUsage | None:
        return usage_so_far()

    # --- run data ---------------------------------------------------------------------------
    @cached_property
    def runs(self) -> DynamoRunRepository:
        return DynamoRunRepository(self.settings.require("runs_table").runs_table)

    @cached_property
    def step_results(self) -> DynamoStepResultRepository:
        return DynamoStepResultRepository(self.settings.require("step_results_table").step_results_table)

    @cached_property
    def command_log(self) -> DynamoCommandLogRepository:
        return DynamoCommandLogRepository(self.settings.require("commands_table").commands_table)

    @cached_property
    def events(self) -> DynamoEventRepository:
        settings = self.settings.require("events_table")
        return DynamoEventRepository(settings.events_table, retention_days=settings.event_retention_days)

    @cached_property
    def idempotency(self) -> DynamoIdempotencyRepository:
        return DynamoIdempotencyRepository(self.settings.require("idempotency_table").idempotency_table)

    @cached_property
    def tenants(self) -> DynamoTenantDirectory:
        from orchestrator.adapters.dynamodb_tenants import DynamoTenantDirectory

        return DynamoTenantDirectory(self.settings.require("tenants_table").tenants_table)

    @cached_property
    def connections(self) -> DynamoConnectionRepository:
        from orchestrator.adapters.dynamodb_connections import DynamoConnectionRepository

        return DynamoConnectionRepository(self.settings.require("connections_table").connections_table)

    @cached_property
    def connection_sender(self) -> ApiGatewayConnections:
        from orchestrator.adapters.websocket_connections import ApiGatewayConnections

        return ApiGatewayConnections(self.settings.require("websocket_callback_url").websocket_callback_url)

    @cached_property
    def workspace(self) -> S3Workspace:
        return S3Workspace(self.settings.require("workspace_bucket").workspace_bucket)

    @cached_property
    def vectors(self) -> S3VectorStore:
        from orchestrator.adapters.s3_vectors import S3VectorStore

        return S3VectorStore(self.settings.require("vector_bucket").vector_bucket)

    @property
    def vectors_if_configured(self) -> S3VectorStore | None:
        """The vector store for functions that declare it (agents storing vectors, the undo loop)."""
        return self.vectors if self.settings.vector_bucket else None

    @cached_property
    def publisher(self) -> EventBridgePublisher:
        return EventBridgePublisher(self.settings.require("event_bus").event_bus)

    @cached_property
    def task_tokens(self) -> StepFunctionsTaskTokens:
        return StepFunctionsTaskTokens()

    @cached_property
    def execution_history(self) -> StepFunctionsHistory:
        return StepFunctionsHistory()

    @cached_property
    def starter(self) -> StepFunctionsStarter:
        return StepFunctionsStarter(self.settings.state_machines)

    def archive_fetcher(self) -> Callable[[str], bytes]:
        """Fetch an archive over https with the deployment's limits and allowed private hosts."""
        allowed = self.settings.fetch_allowed_hosts

        def fetch(url: str) -> bytes:
            from orchestrator.ingestion.fetch import fetch_archive  # only the agent that fetches pays

            return fetch_archive(url, allowed_hosts=allowed)

        return fetch

    # --- webhooks ------------------------------------------------------------------------------
    @cached_property
    def webhooks(self) -> WebhookStore:
        from orchestrator.adapters.dynamodb_webhooks import DynamoWebhookStore

        return DynamoWebhookStore(self.settings.require("webhooks_table").webhooks_table)

    @cached_property
    def webhook_secrets(self) -> SecretBox:
        """Where signing secrets are sealed: the deployment's KMS key (unsealed without one)."""
        from orchestrator.webhooks.store import UnsealedBox

        key = self.settings.webhook_secrets_key
        if not key:
            return UnsealedBox()
        from orchestrator.adapters.kms_secrets import KmsSecretBox

        return KmsSecretBox(key)

    @cached_property
    def webhook_policy(self) -> TargetPolicy:
        """Where webhooks may be delivered: public addresses, the allowed hosts, loopback locally."""
        from orchestrator.webhooks.transport import TargetPolicy

        settings = self.settings
        return TargetPolicy(settings.webhook_allowed_hosts, settings.webhook_allow_loopback)

    @cached_property
    def webhook_deliverer(self) -> Deliverer:
        from orchestrator.webhooks.delivery import Deliverer
        from orchestrator.webhooks.model import RetrySchedule
        from orchestrator.webhooks.transport import post

        settings, policy = self.settings, self.webhook_policy

        def send(url: str, body: bytes, headers: Any) -> Any:
            return post(url, body, headers, policy=policy, timeout_seconds=settings.webhook_timeout_seconds)

        return Deliverer(
            store=self.webhooks,
            send=send,
            publisher=self.publisher,
            schedule=RetrySchedule.parse(settings.webhook_retry_schedule),
            disable_after=settings.webhook_disable_after,
            box=self.webhook_secrets,
        )

    @cached_property
    def webhook_retries(self) -> Any:
        from orchestrator.adapters.step_functions import StepFunctionsWebhookRetries

        return StepFunctionsWebhookRetries(self.settings.require("webhook_retries").webhook_retries)

    # --- models: providers, settings, prompts, cache, budgets, circuits -----------------------
    def provider(self, name: str | None) -> ModelProvider:
        """The run's provider, or the deployment's default (with its default model): what an
        agent's own work uses (embeddings). Model calls of steps go through ``gateway()``."""
        chosen = name or self.settings.model_provider
        default_model = self.settings.model_name if chosen == self.settings.model_provider else None
        return self.model_provider(chosen, default_model, None)

    def model_provider(self, name: str, model: str | None, key_tenant: str | None) -> ModelProvider:
        """A provider serving ``model`` (None: its default) with the deployment's key for it, or
        with ``key_tenant``'s own key. Kept ``KEY_TTL_SECONDS``, then built again with the key
        read afresh (a rotated key is picked up, a revoked one stops working)."""
        key = (name, model, key_tenant)
        now = self._clock()
        kept = self._providers.get(key)
        if kept is None or now - kept[1] >= KEY_TTL_SECONDS:
            self._providers[key] = (
                self._build_provider(name, model, key_tenant, fresh=kept is not None),
                now,
            )
        return self._providers[key][0]

    def provider_source(
        self, name: str, model: str | None, tenant_id: str, use_tenant_key: bool
    ) -> ModelProvider:
        return self.model_provider(name, model, tenant_id if use_tenant_key else None)

    def _build_provider(
        self, name: str, model: str | None, key_tenant: str | None, *, fresh: bool = False
    ) -> ModelProvider:
        settings = self.settings
        if name == "replay":
            from orchestrator.providers.cassette import ReplayProvider, open_cassette

            if not settings.model_cassette:
                raise ProviderNotConfigured("provider 'replay' needs a cassette (MODEL_CASSETTE)")
            return ReplayProvider(open_cassette(settings.model_cassette), model or settings.model_name or "")
        built = create_provider(
            name,
            model=model,
            api_key=None
            if name in ("offline", "bedrock")
            else self.api_key_for(name, key_tenant, fresh=fresh),
            base_url=settings.openai_base_url if name in ("openai_compatible", "openai") else None,
        )
        if settings.model_cassette_mode == "record" and settings.model_cassette and name != "offline":
            from orchestrator.providers.cassette import RecordingProvider, open_cassette

            return RecordingProvider(built, open_cassette(settings.model_cassette))
        return built

    def api_key_for(self, name: str, key_tenant: str | None, *, fresh: bool = False) -> str | None:
        """The key for ``name``: the tenant's own secret, the deployment's default key, or the
        deployment's secret for that provider. Never logged, never part of state or events.
        ``fresh``: read from Secrets Manager, not from the parameters cache."""
        settings = self.settings
        if key_tenant is not None:
            value = _read_secret(
                f"{settings.tenant_key_prefix}{key_tenant}/{name}", f"tenant {key_tenant}'s {name} key", fresh
            )
            if not value:
                raise ProviderNotConfigured(
                    f"tenant {key_tenant} asks for its own {name} key but it is empty"
                )
            return value
        if name == settings.model_provider:
            if settings.provider_api_key:  # a plain variable (local servers, tests)
                return settings.provider_api_key
            arn = settings.provider_api_key_secret_arn
            return _read_secret(arn, "the provider API key", fresh) if arn else None
        arn = settings.provider_secrets.get(name)
        return _read_secret(arn, f"the {name} API key", fresh) if arn else None

    @cached_property
    def tenant_settings(self) -> DynamoTenantSettings:
        from orchestrator.adapters.dynamodb_model_settings import DynamoTenantSettings

        return DynamoTenantSettings(self.settings.require("tenant_settings_table").tenant_settings_table)

    @cached_property
    def prompt_library(self) -> PromptLibrary:
        from orchestrator.adapters.dynamodb_prompts import DynamoPromptStore
        from orchestrator.llm.prompts import PromptLibrary

        return PromptLibrary(DynamoPromptStore(self.settings.require("prompts_table").prompts_table))

    @property
    def prompts_if_configured(self) -> PromptLibrary | None:
        return self.prompt_library if self.settings.prompts_table else None

    @cached_property
    def usage_ledger(self) -> DynamoUsageLedger:
        from orchestrator.adapters.dynamodb_usage_ledger import DynamoUsageLedger

        return DynamoUsageLedger(self.settings.require("usage_table").usage_table)

    @cached_property
    def response_cache(self) -> DynamoResponseCache:
        from orchestrator.adapters.dynamodb_response_cache import DynamoResponseCache

        return DynamoResponseCache(self.settings.require("model_cache_table").model_cache_table)

    @cached_property
    def circuits(self) -> ProviderCircuits:
        from orchestrator.adapters.dynamodb_circuits import circuit_persistence
        from orchestrator.llm.circuits import ProviderCircuits

        return ProviderCircuits(circuit_persistence(self.settings.require("circuit_table").circuit_table))

    @cached_property
    def prices(self) -> PriceTable:
        from orchestrator.providers.pricing import PriceTable

        return PriceTable.with_overrides(self.settings.model_prices or None)

    @cached_property
    def function_memory(self) -> dict[str, int]:
        """The deployment's memory size overrides (what the run cost estimates use)."""
        from orchestrator.core.memory_sizes import parse_memory_overrides

        return parse_memory_overrides(self.settings.function_memory)

    @cached_property
    def deployment_models(self) -> DeploymentModels:
        from orchestrator.llm.model_settings import DeploymentModels

        settings = self.settings
        return DeploymentModels(
            provider=settings.model_provider, model=settings.model_name, served=settings.available_providers
        )

    def gateway(self, remaining_ms: Callable[[], int] | None = None) -> ModelGateway:
        """The model gateway of an agent function: every model table it was given is used."""
        from orchestrator.llm.gateway import ModelGateway

        settings = self.settings
        return ModelGateway(
            providers=self.provider_source,
            deployment=self.deployment_models,
            tenant_settings=self.tenant_settings if settings.tenant_settings_table else None,
            cache=self.response_cache if settings.model_cache_table else None,
            ledger=self.usage_ledger if settings.usage_table else None,
            circuits=self.circuits if settings.circuit_table else None,
            publisher=self.publisher,
            prices=self.prices,
            cache_ttl_seconds=settings.response_cache_ttl_seconds,
            remaining_ms=remaining_ms,
            timeout_seconds=settings.provider_timeout_seconds,
        )

    # --- safety: the rules in code, then the provider's moderation ----------------------------
    def safety_screen(self, provider: str) -> SafetyScreen:
        """The safety check of a request answered by ``provider``: the rules in code, then OpenAI's
        moderation when the provider is OpenAI and this function has the deployment's OpenAI key
        (the moderation endpoint costs nothing: a tenant's own key is never read for it), then the
        deployment's Bedrock guardrail when one is configured."""
        from orchestrator.safety import SafetyScreen

        moderators: list[Moderator] = []
        if provider == "openai":
            moderation = self.openai_moderation()
            if moderation is not None:
                moderators.append(moderation)
        if self.settings.guardrail_id:
            moderators.append(self.guardrail)
        return SafetyScreen(moderators)

    def openai_moderation(self) -> OpenAIModeration | None:
        """OpenAI's moderation with the deployment's OpenAI key, kept ``KEY_TTL_SECONDS`` like a
        provider (and so is its absence). No key here, or one that cannot be read: None, logged once;
        the other layers stand."""
        from orchestrator.core.errors import OrchestratorError
        from orchestrator.safety.moderation import OpenAIModeration

        now = self._clock()
        kept = self._moderation
        if kept is not None and now - kept[1] < KEY_TTL_SECONDS:
            return kept[0]
        moderation = None
        try:
            key = self.api_key_for("openai", None, fresh=kept is not None)
        except OrchestratorError as exc:
            key = None
            _log_no_moderation(f"the OpenAI key could not be read ({type(exc).__name__})")
        if key:
            moderation = OpenAIModeration(
                key,
                base_url=self.settings.openai_base_url,
                timeout_seconds=self.settings.moderation_timeout_seconds,
            )
        elif kept is None:
            _log_no_moderation("this function has no OpenAI key")
        self._moderation = (moderation, now)
        return moderation

    @cached_property
    def guardrail(self) -> BedrockGuardrail:
        from orchestrator.safety.moderation import BedrockGuardrail

        settings = self.settings.require("guardrail_id")
        return BedrockGuardrail(
            settings.guardrail_id,
            settings.guardrail_version,
            timeout_seconds=settings.moderation_timeout_seconds,
        )

    @cached_property
    def planner(self) -> RunPlanner:
        """What starting a run checks: its free text against the safety policy, pinned prompts, the
        estimate against the tenant's budget."""
        from orchestrator.runs.planning import RunPlanner

        settings = self.settings
        return RunPlanner(
            deployment=self.deployment_models,
            tenant_settings=self.tenant_settings if settings.tenant_settings_table else None,
            ledger=self.usage_ledger if settings.usage_table else None,
            prompts=self.prompts_if_configured,
            prices=self.prices,
            safety=self.safety_screen,
        )

    # --- the API's token verifier -------------------------------------------------------------
    @cached_property
    def verifier(self) -> Any:
        """Verifies the API's Bearer tokens: issuer, audience, RS256 signature, expiry, subject."""
        from orchestrator.tenancy.roles import token_verifier

        return token_verifier(self.settings)


@cache
def deployed_container() -> Container:
    """The container of this execution environment: its settings, read once."""
    return Container(deployed_settings())


def start_function(function: str) -> Container | None:
    """In a Lambda execution environment: the settings checked (``check_at_init``) and the
    container built during init. Elsewhere (tests, tools) nothing is read until a handler runs."""
    return deployed_container() if check_at_init(function) is not None else None


def _log_no_moderation(why: str) -> None:
    from orchestrator.core.observability import logger

    logger.warning("OpenAI moderation is not used; the code rules stand alone", extra={"reason": why})


def _read_secret(name: str, what: str, fresh: bool = False) -> str | None:
    from aws_lambda_powertools.utilities import parameters

    try:
        value = parameters.get_secret(name, max_age=int(KEY_TTL_SECONDS), force_fetch=fresh)
    except parameters.exceptions.GetParameterError as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
        if is_aws_error(cause):  # throttled: retried; access denied, no such secret: not
            raise domain_error(f"reading {what}", cause) from exc
        raise DataStoreRejected(f"reading {what} failed: {exc}") from exc
    return str(value) if value else None
