"""Builds the CDK app from context (shared by app.py, the local cloud and the tests)."""

from __future__ import annotations

import json
import re
from typing import Any

from aws_cdk import App, Environment

from infra.cdk.constructs.bulkheads import reservations_from_context
from infra.cdk.constructs.functions import AuthConfig, ProviderConfig
from infra.cdk.constructs.webhooks import WebhookConfig
from infra.cdk.constructs.workspace import access_record_from_context
from infra.cdk.nag import apply_nag
from infra.cdk.stack import OrchestratorStack
from orchestrator.core.constants import DEFAULT_EVENT_RETENTION_DAYS
from orchestrator.core.memory_sizes import parse_memory_overrides
from orchestrator.templates.graph import validate_catalog

DEFAULT_STACK_NAME = "AiOrchestrator"
DEFAULT_ISSUER = "https://auth.orchestrator.local/"
DEFAULT_AUDIENCE = "ai-orchestrator-api"


def _context(app: App, key: str, default: Any = None) -> Any:
    value = app.node.try_get_context(key)
    return default if value in (None, "") else value


def _retention_days(value: Any) -> int:
    """``eventRetentionDays``: days an audit event is kept (0: for good)."""
    try:
        days = int(str(value))
    except ValueError:
        days = -1
    if days < 0:
        raise ValueError(
            f"context eventRetentionDays must be a whole number of days >= 0 (0 keeps events), got {value!r}"
        )
    return days


def _tenant_producers(value: Any) -> dict[str, list[str]]:
    """``tenantEventProducers``: ``{"<tenant id>": ["<IAM principal ARN>", ...]}`` (JSON or a mapping)."""
    from orchestrator.core.records import validate_tenant_id

    mapping = json.loads(value) if isinstance(value, str) else value
    if not isinstance(mapping, dict):
        raise ValueError("context tenantEventProducers must map tenant ids to lists of principal ARNs")
    producers: dict[str, list[str]] = {}
    for tenant, arns in mapping.items():
        validate_tenant_id(tenant)
        if (
            not isinstance(arns, list)
            or not arns
            or not all(isinstance(arn, str) and arn.startswith("arn:") for arn in arns)
        ):
            raise ValueError(f"context tenantEventProducers[{tenant!r}] must be a non-empty list of ARNs")
        producers[tenant] = arns
    return producers


EMAIL_PATTERN = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")


def _origins(value: Any) -> list[str]:
    """``corsAllowedOrigins``: the origins (``https://console.example.com``) whose pages may call
    the API from a browser, comma-separated (or a list)."""
    from pydantic import ValidationError

    from orchestrator.core.settings import Settings

    try:
        return list(Settings.of(cors_allowed_origins=value).cors_allowed_origins)
    except ValidationError as exc:
        why = "; ".join(str(error["msg"]).removeprefix("Value error, ") for error in exc.errors())
        raise ValueError(f"context corsAllowedOrigins: {why}") from None


def _alarm_emails(value: Any) -> list[str]:
    """``alarmEmails``: addresses the operators' alarm topic emails, comma-separated (or a list)."""
    addresses = value if isinstance(value, list) else [a.strip() for a in str(value).split(",") if a.strip()]
    bad = [a for a in addresses if not isinstance(a, str) or not EMAIL_PATTERN.match(a)]
    if bad:
        raise ValueError(f"context alarmEmails: not an email address: {', '.join(map(str, bad))}")
    return addresses


def _flag(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes")


def _json_mapping(value: Any, name: str) -> dict[str, str]:
    """``providerSecrets``: ``{"openai": "<secret name or ARN>", ...}`` (JSON or a mapping)."""
    mapping = json.loads(value) if isinstance(value, str) else value
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in mapping.items()
    ):
        raise ValueError(f"context {name} must map provider names to secret names or ARNs")
    from orchestrator.providers import known_providers

    unknown = sorted(set(mapping) - set(known_providers()))
    if unknown:
        raise ValueError(f"context {name}: unknown provider(s) {', '.join(unknown)}")
    return mapping


def _prices(value: Any) -> str | None:
    """``modelPrices``: price overrides, checked at synthesis (a typo fails here, not in a run)."""
    if value in (None, "", {}):
        return None
    from orchestrator.providers.pricing import PriceTable

    text = value if isinstance(value, str) else json.dumps(value)
    PriceTable.with_overrides(text)
    return text


def _external_issuer(app: App) -> AuthConfig | None:
    """``jwtJwks`` (a key set, JSON) or ``jwtJwksUri`` with ``jwtIssuer``/``jwtAudience``: tokens
    of another issuer (the local cloud's key, a team's own identity provider). Without a key set the
    stack's user pool signs the tokens (``jwtIssuer``/``jwtAudience`` are then not used)."""
    jwks = _context(app, "jwtJwks")
    if isinstance(jwks, dict):
        jwks = json.dumps(jwks)
    jwks_uri = _context(app, "jwtJwksUri")
    if not (jwks or jwks_uri):
        return None
    if jwks and jwks_uri:
        raise ValueError("context jwtJwks and jwtJwksUri are alternatives: give one")
    return AuthConfig(
        issuer=_context(app, "jwtIssuer", DEFAULT_ISSUER),
        audience=_context(app, "jwtAudience", DEFAULT_AUDIENCE),
        jwks_json=jwks,
        jwks_uri=jwks_uri,
    )


def _webhooks(app: App) -> WebhookConfig:
    """``webhook*`` context: the retry schedule, when to disable an endpoint, where deliveries may go."""
    defaults = WebhookConfig()
    try:
        return WebhookConfig(
            retry_schedule=str(_context(app, "webhookRetrySchedule", defaults.retry_schedule)),
            disable_after=int(_context(app, "webhookDisableAfter", defaults.disable_after)),
            allowed_hosts=str(_context(app, "webhookAllowedHosts", "")),
            allow_loopback=_flag(_context(app, "webhookAllowLoopback", "false")),
            timeout_seconds=float(_context(app, "webhookTimeoutSeconds", defaults.timeout_seconds)),
            rotation_grace_seconds=int(
                _context(app, "webhookRotationGraceSeconds", defaults.rotation_grace_seconds)
            ),
        )
    except ValueError as exc:
        raise ValueError(f"context webhook*: {exc}") from exc


def build_app(app: App | None = None, *, nag: bool = True) -> tuple[App, OrchestratorStack]:
    validate_catalog()  # every template against its agents: a bad one fails synthesis, naming it
    app = app or App()
    auth = _external_issuer(app)
    provider = ProviderConfig(
        provider=_context(app, "modelProvider", "offline"),
        model=_context(app, "modelName"),
        openai_base_url=_context(app, "openaiBaseUrl"),
        api_key_secret=_context(app, "providerApiKeySecret"),
        api_key_kms_key=_context(app, "providerApiKeyKmsKey"),
        provider_secrets=_json_mapping(_context(app, "providerSecrets", {}), "providerSecrets"),
        bedrock=_flag(_context(app, "bedrock", "false")),
        tenant_keys=_flag(_context(app, "tenantKeys", "false")),
        prices=_prices(_context(app, "modelPrices")),
        cassette=_context(app, "modelCassette"),
        cassette_mode=_context(app, "modelCassetteMode"),
        timeout_seconds=float(_context(app, "providerTimeoutSeconds", 45)),
        guardrail_id=_context(app, "guardrailId"),
        guardrail_version=str(_context(app, "guardrailVersion", "DRAFT")),
        openai_moderation_at_start=_flag(_context(app, "openaiModerationAtStart", "false")),
    )
    stack = OrchestratorStack(
        app,
        _context(app, "stackName", DEFAULT_STACK_NAME),
        auth=auth,
        provider=provider,
        retain_data=str(_context(app, "retainData", "true")).lower() == "true",
        tenant_event_producers=_tenant_producers(_context(app, "tenantEventProducers", {})),
        fetch_allowed_hosts=str(_context(app, "archiveFetchAllowedHosts", "")),
        reserved_concurrency=reservations_from_context(_context(app, "reservedConcurrency")),
        workspace_access_record=access_record_from_context(_context(app, "workspaceAccessRecord")),
        alarm_emails=_alarm_emails(_context(app, "alarmEmails", "")),
        cors_allowed_origins=_origins(_context(app, "corsAllowedOrigins", "")),
        web_console=_flag(_context(app, "webConsole", "false")),
        webhooks=_webhooks(app),
        function_memory=parse_memory_overrides(_context(app, "functionMemory")),
        event_retention_days=_retention_days(
            _context(app, "eventRetentionDays", DEFAULT_EVENT_RETENTION_DAYS)
        ),
        env=Environment(account=_context(app, "account"), region=_context(app, "region")),
        description="Multi-tenant serverless AI orchestrator",
    )
    if auth is None and _context(app, "jwtIssuer", DEFAULT_ISSUER) != DEFAULT_ISSUER:
        from aws_cdk import Annotations

        Annotations.of(stack).add_warning_v2(
            "orchestrator:issuer-without-keys",
            "jwtIssuer is ignored without jwtJwks or jwtJwksUri: the stack's user pool signs the tokens",
        )
    if nag:
        apply_nag(
            app,
            stack,
            stack.every_function,
            stack.workspace.bucket,
            [workflow.state_machine for workflow in stack.workflows.values()],
            api=stack.api,
            users=stack.users,
            web_console=stack.web_console,
        )
    return app, stack
