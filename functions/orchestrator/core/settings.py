"""Function configuration: read from the environment once, validated, cached.

Only handlers call ``get_settings()``; domain code receives values as arguments.
"""

from __future__ import annotations

import json
import os
from functools import cache

from pydantic import BaseModel, Field

from orchestrator.core import constants


class Settings(BaseModel):
    runs_table: str = ""
    step_results_table: str = ""
    events_table: str = ""
    idempotency_table: str = ""
    commands_table: str = ""
    event_retention_days: int = Field(default=constants.DEFAULT_EVENT_RETENTION_DAYS, ge=0)
    workspace_bucket: str = ""
    vector_bucket: str = ""
    fetch_allowed_hosts: frozenset[tuple[str, int]] = frozenset()
    event_bus: str = ""
    state_machines: dict[str, str] = Field(default_factory=dict)
    agent_type: str = ""
    model_provider: str = "offline"
    model_name: str | None = None
    openai_base_url: str | None = None
    provider_api_key: str | None = None
    provider_api_key_secret_arn: str | None = None
    provider_secrets: dict[str, str] = Field(default_factory=dict)
    tenant_key_prefix: str = constants.DEFAULT_TENANT_KEY_PREFIX
    bedrock_enabled: bool = False
    tenant_settings_table: str = ""
    prompts_table: str = ""
    model_cache_table: str = ""
    usage_table: str = ""
    circuit_table: str = ""
    tenants_table: str = ""
    user_pool_id: str = ""  # the Cognito user pool whose tokens the API trusts ("": another issuer)
    model_prices: str = ""  # JSON overrides of the price table (orchestrator.providers.pricing)
    model_cassette: str = ""  # replay provider / record mode: path of the cassette (JSON lines)
    model_cassette_mode: str = ""  # "record": real calls are written to the cassette
    provider_timeout_seconds: float = Field(default=45.0, gt=0, le=600)
    response_cache_ttl_seconds: int = Field(default=constants.DEFAULT_RESPONSE_CACHE_TTL_SECONDS, ge=0)
    jwt_issuer: str = ""
    jwt_audience: str = ""
    jwt_jwks: dict | None = None
    jwt_jwks_uri: str | None = None

    @property
    def available_providers(self) -> frozenset[str]:
        """What runs and tenant settings of this deployment may ask for: offline, the configured
        default, every provider with a deployment key, Bedrock when enabled, an OpenAI-compatible
        server when its URL is configured, and replay when a cassette is."""
        served = {"offline", self.model_provider, *self.provider_secrets}
        if self.bedrock_enabled:
            served.add("bedrock")
        if self.openai_base_url:
            served.add("openai_compatible")
        if self.model_cassette:
            served.add("replay")
        return frozenset(served)

    def require(self, *names: str) -> Settings:
        missing = [name for name in names if not getattr(self, name)]
        if missing:
            raise RuntimeError(f"function is missing configuration: {', '.join(missing)}")
        return self


@cache
def get_settings() -> Settings:
    env = os.environ
    jwks = env.get(constants.ENV_JWT_JWKS)
    return Settings(
        runs_table=env.get(constants.ENV_RUNS_TABLE, ""),
        step_results_table=env.get(constants.ENV_STEP_RESULTS_TABLE, ""),
        events_table=env.get(constants.ENV_EVENTS_TABLE, ""),
        idempotency_table=env.get(constants.ENV_IDEMPOTENCY_TABLE, ""),
        commands_table=env.get(constants.ENV_COMMANDS_TABLE, ""),
        event_retention_days=int(
            env.get(constants.ENV_EVENT_RETENTION_DAYS) or constants.DEFAULT_EVENT_RETENTION_DAYS
        ),
        workspace_bucket=env.get(constants.ENV_WORKSPACE_BUCKET, ""),
        vector_bucket=env.get(constants.ENV_VECTOR_BUCKET, ""),
        fetch_allowed_hosts=_host_ports(env.get(constants.ENV_FETCH_ALLOWED_HOSTS, "")),
        event_bus=env.get(constants.ENV_EVENT_BUS, ""),
        state_machines=json.loads(env.get(constants.ENV_STATE_MACHINES) or "{}"),
        agent_type=env.get(constants.ENV_AGENT_TYPE, ""),
        model_provider=env.get(constants.ENV_MODEL_PROVIDER) or "offline",
        model_name=env.get(constants.ENV_MODEL_NAME) or None,
        openai_base_url=env.get(constants.ENV_OPENAI_BASE_URL) or None,
        provider_api_key=env.get(constants.ENV_PROVIDER_API_KEY) or None,
        provider_api_key_secret_arn=env.get(constants.ENV_PROVIDER_API_KEY_SECRET) or None,
        provider_secrets=json.loads(env.get(constants.ENV_PROVIDER_SECRETS) or "{}"),
        tenant_key_prefix=env.get(constants.ENV_TENANT_KEY_PREFIX) or constants.DEFAULT_TENANT_KEY_PREFIX,
        bedrock_enabled=env.get(constants.ENV_BEDROCK_ENABLED, "") in ("1", "true"),
        tenant_settings_table=env.get(constants.ENV_TENANT_SETTINGS_TABLE, ""),
        prompts_table=env.get(constants.ENV_PROMPTS_TABLE, ""),
        model_cache_table=env.get(constants.ENV_MODEL_CACHE_TABLE, ""),
        usage_table=env.get(constants.ENV_USAGE_TABLE, ""),
        circuit_table=env.get(constants.ENV_CIRCUIT_TABLE, ""),
        tenants_table=env.get(constants.ENV_TENANTS_TABLE, ""),
        user_pool_id=env.get(constants.ENV_USER_POOL_ID, ""),
        model_prices=env.get(constants.ENV_MODEL_PRICES, ""),
        model_cassette=env.get(constants.ENV_MODEL_CASSETTE, ""),
        model_cassette_mode=env.get(constants.ENV_MODEL_CASSETTE_MODE, ""),
        provider_timeout_seconds=float(env.get(constants.ENV_PROVIDER_TIMEOUT_SECONDS) or 45.0),
        response_cache_ttl_seconds=int(
            env.get(constants.ENV_RESPONSE_CACHE_TTL_SECONDS) or constants.DEFAULT_RESPONSE_CACHE_TTL_SECONDS
        ),
        jwt_issuer=env.get(constants.ENV_JWT_ISSUER, ""),
        jwt_audience=env.get(constants.ENV_JWT_AUDIENCE, ""),
        jwt_jwks=json.loads(jwks) if jwks else None,
        jwt_jwks_uri=env.get(constants.ENV_JWT_JWKS_URI) or None,
    )


def _host_ports(text: str) -> frozenset[tuple[str, int]]:
    """``"127.0.0.1:8765,files.internal:443"`` -> {(host, port), ...}; a malformed entry is an error."""
    found = set()
    for entry in filter(None, (part.strip() for part in text.split(","))):
        host, _, port = entry.rpartition(":")
        if not host or not port.isdigit():
            raise RuntimeError(f"{constants.ENV_FETCH_ALLOWED_HOSTS}: {entry!r} is not host:port")
        found.add((host.strip("[]").lower(), int(port)))
    return frozenset(found)
