"""Function configuration: one pydantic model, read from the environment once per cold start.

Each field reads the variable its alias names (the names in ``orchestrator.core.constants``); an
empty variable is an unset one, and the mappings (``JSON_FIELDS``) are JSON. A plain model with
its own reading, not pydantic-settings: that library's import (its CLI, dotenv and cloud
sources) cost every function's cold start ~30 ms of CPU, a quarter of ``import boto3``
(``bench/handler_imports.py``).
The CDK stack writes each function's variables with ``Settings.environment(field=value, ...)``,
so a field name the functions do not know fails the synth, and ``REQUIRED_BY_FUNCTION`` says what
each function cannot start without: the stack checks it at synth, the function at init.

Only the container (``orchestrator.container``) reads settings; domain code receives values.
"""

from __future__ import annotations

import gc
import json
import os
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from orchestrator.core import constants
from orchestrator.core.errors import ConfigurationMissing

HostPorts = frozenset[tuple[str, int]]
ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


JSON_FIELDS = ("state_machines", "provider_secrets", "jwt_jwks")
"""The fields whose variable holds JSON (the others are plain text, or parsed by their validator)."""


class Settings(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        validate_by_name=True,  # tests and the CDK stack use field names
        validate_by_alias=True,  # the environment uses the variables' names
    )

    runs_table: str = Field("", alias=constants.ENV_RUNS_TABLE)
    step_results_table: str = Field("", alias=constants.ENV_STEP_RESULTS_TABLE)
    events_table: str = Field("", alias=constants.ENV_EVENTS_TABLE)
    idempotency_table: str = Field("", alias=constants.ENV_IDEMPOTENCY_TABLE)
    commands_table: str = Field("", alias=constants.ENV_COMMANDS_TABLE)
    event_retention_days: int = Field(
        constants.DEFAULT_EVENT_RETENTION_DAYS, ge=0, alias=constants.ENV_EVENT_RETENTION_DAYS
    )
    workspace_bucket: str = Field("", alias=constants.ENV_WORKSPACE_BUCKET)
    vector_bucket: str = Field("", alias=constants.ENV_VECTOR_BUCKET)
    fetch_allowed_hosts: HostPorts = Field(frozenset(), alias=constants.ENV_FETCH_ALLOWED_HOSTS)
    cors_allowed_origins: tuple[str, ...] = Field((), alias=constants.ENV_CORS_ALLOWED_ORIGINS)
    event_bus: str = Field("", alias=constants.ENV_EVENT_BUS)
    webhooks_table: str = Field("", alias=constants.ENV_WEBHOOKS_TABLE)
    webhook_retries: str = Field("", alias=constants.ENV_WEBHOOK_RETRIES)
    webhook_retry_schedule: str = Field(
        constants.DEFAULT_WEBHOOK_RETRY_SCHEDULE, alias=constants.ENV_WEBHOOK_RETRY_SCHEDULE
    )
    webhook_disable_after: int = Field(
        constants.DEFAULT_WEBHOOK_DISABLE_AFTER, ge=1, le=1000, alias=constants.ENV_WEBHOOK_DISABLE_AFTER
    )
    webhook_allowed_hosts: HostPorts = Field(frozenset(), alias=constants.ENV_WEBHOOK_ALLOWED_HOSTS)
    webhook_allow_loopback: bool = Field(False, alias=constants.ENV_WEBHOOK_ALLOW_LOOPBACK)
    webhook_secrets_key: str = Field("", alias=constants.ENV_WEBHOOK_SECRETS_KEY)  # "": kept unsealed
    webhook_timeout_seconds: float = Field(
        constants.DEFAULT_WEBHOOK_TIMEOUT_SECONDS, gt=0, le=60, alias=constants.ENV_WEBHOOK_TIMEOUT_SECONDS
    )
    webhook_rotation_grace_seconds: int = Field(
        constants.DEFAULT_WEBHOOK_ROTATION_GRACE_SECONDS,
        ge=0,
        le=30 * 24 * 3600,
        alias=constants.ENV_WEBHOOK_ROTATION_GRACE_SECONDS,
    )
    state_machines: dict[str, str] = Field(default_factory=dict, alias=constants.ENV_STATE_MACHINES)
    agent_type: str = Field("", alias=constants.ENV_AGENT_TYPE)
    model_provider: str = Field("offline", alias=constants.ENV_MODEL_PROVIDER)
    model_name: str | None = Field(None, alias=constants.ENV_MODEL_NAME)
    openai_base_url: str | None = Field(None, alias=constants.ENV_OPENAI_BASE_URL)
    provider_api_key: str | None = Field(None, alias=constants.ENV_PROVIDER_API_KEY)
    provider_api_key_secret_arn: str | None = Field(None, alias=constants.ENV_PROVIDER_API_KEY_SECRET)
    provider_secrets: dict[str, str] = Field(default_factory=dict, alias=constants.ENV_PROVIDER_SECRETS)
    tenant_key_prefix: str = Field(constants.DEFAULT_TENANT_KEY_PREFIX, alias=constants.ENV_TENANT_KEY_PREFIX)
    bedrock_enabled: bool = Field(False, alias=constants.ENV_BEDROCK_ENABLED)
    tenant_settings_table: str = Field("", alias=constants.ENV_TENANT_SETTINGS_TABLE)
    prompts_table: str = Field("", alias=constants.ENV_PROMPTS_TABLE)
    model_cache_table: str = Field("", alias=constants.ENV_MODEL_CACHE_TABLE)
    usage_table: str = Field("", alias=constants.ENV_USAGE_TABLE)
    circuit_table: str = Field("", alias=constants.ENV_CIRCUIT_TABLE)
    tenants_table: str = Field("", alias=constants.ENV_TENANTS_TABLE)
    user_pool_id: str = Field("", alias=constants.ENV_USER_POOL_ID)  # "": tokens of another issuer
    model_prices: str = Field("", alias=constants.ENV_MODEL_PRICES)  # JSON overrides of the price table
    function_memory: str = Field("", alias=constants.ENV_FUNCTION_MEMORY)  # JSON memory size overrides
    model_cassette: str = Field("", alias=constants.ENV_MODEL_CASSETTE)  # replay / record: the cassette
    model_cassette_mode: str = Field("", alias=constants.ENV_MODEL_CASSETTE_MODE)  # "record": calls written
    provider_timeout_seconds: float = Field(45.0, gt=0, le=600, alias=constants.ENV_PROVIDER_TIMEOUT_SECONDS)
    guardrail_id: str = Field("", alias=constants.ENV_GUARDRAIL_ID)
    guardrail_version: str = Field("DRAFT", alias=constants.ENV_GUARDRAIL_VERSION)
    moderation_timeout_seconds: float = Field(
        5.0, gt=0, le=30, alias=constants.ENV_MODERATION_TIMEOUT_SECONDS
    )
    response_cache_ttl_seconds: int = Field(
        constants.DEFAULT_RESPONSE_CACHE_TTL_SECONDS, ge=0, alias=constants.ENV_RESPONSE_CACHE_TTL_SECONDS
    )
    connections_table: str = Field("", alias=constants.ENV_CONNECTIONS_TABLE)
    websocket_callback_url: str = Field("", alias=constants.ENV_WEBSOCKET_CALLBACK_URL)
    jwt_issuer: str = Field("", alias=constants.ENV_JWT_ISSUER)
    jwt_audience: str = Field("", alias=constants.ENV_JWT_AUDIENCE)
    jwt_jwks: dict[str, Any] | None = Field(None, alias=constants.ENV_JWT_JWKS)
    jwt_jwks_uri: str | None = Field(None, alias=constants.ENV_JWT_JWKS_URI)

    def __init__(self, **values: Any) -> None:
        """The settings the environment's variables give (``values``, by field name, before them)."""
        named = {
            variable_of(name) if name in type(self).model_fields else name: v for name, v in values.items()
        }
        super().__init__(**(_variables(os.environ) | named))

    @field_validator(*JSON_FIELDS, mode="before")
    @classmethod
    def _json(cls, value: Any) -> Any:
        """A variable's JSON text -> its value; malformed JSON is an error naming the variable."""
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON ({exc})") from None

    @field_validator("fetch_allowed_hosts", "webhook_allowed_hosts", mode="before")
    @classmethod
    def _host_ports(cls, value: Any) -> Any:
        """``"127.0.0.1:8765,files.internal:443"`` -> {(host, port), ...}; a malformed entry is an error."""
        if not isinstance(value, str):
            return value
        found = set()
        for entry in filter(None, (part.strip() for part in value.split(","))):
            host, _, port = entry.rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"{entry!r} is not host:port")
            found.add((host.strip("[]").lower(), int(port)))
        return frozenset(found)

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        """``"https://console.example.com,http://localhost:8081"`` -> a tuple of origins; an entry
        that is not ``scheme://host[:port]`` (a path, ``*``, another scheme) is an error."""
        entries = value.split(",") if isinstance(value, str) else list(value)
        origins = tuple(entry.strip().rstrip("/") for entry in entries if entry.strip())
        for origin in origins:
            if not ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin (scheme://host[:port], http or https)")
        return origins

    @field_validator("webhook_retry_schedule")
    @classmethod
    def _retry_schedule(cls, value: str) -> str:
        retry_delays(value)  # a malformed schedule fails the start, naming the entry
        return value

    @classmethod
    def of(cls, **fields: Any) -> Settings:
        """Settings from these field values only, the environment unread (tests, tools)."""
        return cls.model_validate(fields)

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
            variables = ", ".join(f"{name} ({variable_of(name)})" for name in missing)
            raise ConfigurationMissing(f"function is missing configuration: {variables}")
        return self

    @classmethod
    def environment(cls, **values: Any) -> dict[str, str]:
        """The variables that configure these fields: ``environment(runs_table="t")`` ->
        ``{"RUNS_TABLE_NAME": "t"}``. Values that are not strings are written the way the field
        reads them back (JSON for mappings, ``1`` for true, ``host:port,...`` for host lists);
        strings pass unchanged (a CDK token, or JSON the stack already rendered)."""
        return {variable_of(name): _as_variable(value) for name, value in values.items()}


MAX_RETRIES = 20
MAX_RETRY_DELAY = 7 * 24 * 3600


def retry_delays(text: str) -> tuple[int, ...]:
    """A webhook retry schedule, ``"5,300,1800"``: whole seconds before each retry (at most 20, each
    at most 7 days); a malformed one is a ``ValueError`` naming the entry."""
    entries = [part.strip() for part in text.split(",")] if text.strip() else []
    for entry in entries:
        if not entry.isdigit() or int(entry) > MAX_RETRY_DELAY:
            raise ValueError(
                f"webhook retry schedule {text!r}: {entry!r} is not a whole number of seconds "
                f"between 0 and {MAX_RETRY_DELAY}"
            )
    if len(entries) > MAX_RETRIES:
        raise ValueError(f"webhook retry schedule {text!r}: at most {MAX_RETRIES} retries")
    return tuple(int(entry) for entry in entries)


def _variables(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment's value of every field's variable (names are case-sensitive), empty ones left out."""
    variables = (info.alias for info in Settings.model_fields.values() if info.alias)
    return {name: environ[name] for name in variables if environ.get(name)}


def variable_of(field: str) -> str:
    """The environment variable a settings field is read from."""
    info = Settings.model_fields.get(field)
    if info is None or info.alias is None:
        raise KeyError(f"no setting named {field!r}")
    return info.alias


def _as_variable(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, Mapping):
        return json.dumps(dict(value))
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, frozenset | set):
        return ",".join(f"{host}:{port}" for host, port in sorted(value))
    return str(value)


_TABLES = ("runs_table", "step_results_table", "commands_table", "events_table", "tenants_table")
_RUN_DATA = (*_TABLES, "workspace_bucket", "event_bus")
_MODEL_TABLES = ("tenant_settings_table", "prompts_table", "usage_table")
REQUIRED_BY_FUNCTION: dict[str, tuple[str, ...]] = {
    "api": (
        *_RUN_DATA,
        *_MODEL_TABLES,
        "model_cache_table",
        "idempotency_table",
        "webhooks_table",
        "jwt_issuer",
        "jwt_audience",
    ),
    "run_agent": (*_RUN_DATA, "agent_type"),
    "start_run": (*_RUN_DATA, *_MODEL_TABLES, "state_machines"),
    "execution_ended": _RUN_DATA,
    "run_status": _RUN_DATA,
    "approval_gate": _RUN_DATA,
    "prepare_map": _RUN_DATA,
    "undo_completed_work": _RUN_DATA,
    "audit_writer": _RUN_DATA,
    "webhook_dispatch": ("webhooks_table", "webhook_retries", "event_bus"),
    "webhook_attempt": ("webhooks_table", "event_bus"),
    "authorizer": ("jwt_issuer", "jwt_audience"),
    "websocket_authorizer": ("jwt_issuer", "jwt_audience"),
    "websocket_routes": ("connections_table", "runs_table", "tenants_table"),
    "push_events": ("connections_table", "websocket_callback_url"),
}
"""What each function (by its handler module) cannot start without; optional parts (the vector
bucket, the model cache and circuits of agents, a provider key) are used when they are set."""


@cache
def deployed_settings() -> Settings:
    """The settings of this execution environment, read from its environment once."""
    return Settings()


def check_at_init(function: str) -> Settings | None:
    """Called where a handler module loads. In a Lambda execution environment (the runtime's
    ``AWS_LAMBDA_FUNCTION_NAME`` is set) the settings are read and the function's required ones
    checked now, during init: a missing variable fails the start, naming it, instead of every
    invocation. Elsewhere (tests, tools) nothing is read until a handler runs. Either way the
    garbage collector, paused while the handler module loaded (``handlers/__init__.py``), runs
    again from here on."""
    try:
        if not os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
            return None
        # What the handler module loaded lives as long as the execution environment: out of the
        # collector's sight, a cold start does not spend ~15 ms scanning it (nor does any later
        # collection); objects made from here on are collected as usual.
        gc.freeze()
        return deployed_settings().require(*REQUIRED_BY_FUNCTION[function])
    finally:
        gc.enable()
