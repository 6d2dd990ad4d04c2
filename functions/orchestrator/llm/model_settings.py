"""Which model answers a step: a tenant's model settings, per template and per step, over the
deployment's defaults, with a fallback chain and routing tiers.

Precedence, field by field (a field left out or null at a level is not set there):
``step ("template.step") > template > tenant default > deployment``. So a step may change only the
temperature and keep the provider and model its template chose.

Provider changes start afresh: a level that names a provider other than the one it inherits
clears the inherited ``model``, ``small_model`` and ``large_model`` (a model name for anthropic
means nothing to openai); the ones it does not name itself become that provider's defaults. A level
that names only a model keeps the inherited provider.

The tier (small / large) then comes from ``model_routing.choose_tier`` (a ``tier`` pin wins, else the
agent's complexity and the prompt's length), and the model of that tier from
``model_routing.model_for_tier``. The fallback chain is the highest level's ``fallback`` (entries equal
to the resolved primary are dropped, and so are providers the deployment does not serve).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from orchestrator.core.errors import InputsInvalid
from orchestrator.core.records import STEP_NAME_PATTERN, ProviderName, RequestModel
from orchestrator.llm.routing import choose_tier, pick_for_tier

if TYPE_CHECKING:
    from collections.abc import Iterator

MODEL_NAME_PATTERN = r"^[A-Za-z0-9._:/@-]+$"
MAX_FALLBACKS = 3
MAX_TEMPLATE_SETTINGS = 50
MAX_STEP_SETTINGS = 200
_NAME = STEP_NAME_PATTERN.strip("^$")
STEP_KEY_PATTERN = rf"^{_NAME}\.{_NAME}$"

ModelName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=MODEL_NAME_PATTERN,
        description="a model id of the provider, e.g. 'claude-sonnet-5-5' (letters, digits, . _ : / @ -)",
    ),
]
TemplateKey = Annotated[str, Field(pattern=STEP_NAME_PATTERN, description="a template name (GET /templates)")]
StepKey = Annotated[str, Field(pattern=STEP_KEY_PATTERN, description="'<template>.<agent step>'")]
Level = Literal["step", "template", "tenant", "deployment"]


class ModelTarget(RequestModel):
    """One model of a fallback chain: a provider and its model (null: the provider's default)."""

    model_config = ConfigDict(frozen=True)

    provider: ProviderName
    model: ModelName | None = None

    def __str__(self) -> str:
        return f"{self.provider}/{self.model or '(default model)'}"


class ModelChoice(RequestModel):
    """The model settings of one level; every field is optional (null: inherited from below)."""

    provider: ProviderName | None = Field(default=None, description="the provider answering the steps")
    model: ModelName | None = Field(
        default=None, description="the model (both tiers unless small_model / large_model say otherwise)"
    )
    small_model: ModelName | None = Field(default=None, description="the model of the small tier")
    large_model: ModelName | None = Field(default=None, description="the model of the large tier")
    tier: Literal["auto", "small", "large"] | None = Field(
        default=None, description="pin a tier; 'auto': by the agent's complexity and the prompt's length"
    )
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    max_output_tokens: int | None = Field(default=None, ge=1, le=64_000)
    fallback: list[ModelTarget] | None = Field(
        default=None,
        max_length=MAX_FALLBACKS,
        description="tried in order when the primary provider's circuit is open ([]: no fallback)",
    )
    use_tenant_key: bool | None = Field(
        default=None,
        description="call the provider with the tenant's own API key (Secrets Manager), not the deployment's",
    )

    def fallback_problems(self) -> list[tuple[int, str]]:
        """Fallback entries that are the primary itself or listed twice (``check_settings``: 400)."""
        problems: list[tuple[int, str]] = []
        seen: set[ModelTarget] = set()
        for index, target in enumerate(self.fallback or ()):
            if self.provider is not None and target == ModelTarget(provider=self.provider, model=self.model):
                problems.append((index, f"fallback {index} ({target}) is the primary model itself"))
            elif target in seen:
                problems.append((index, f"fallback {index} ({target}) is listed twice"))
            seen.add(target)
        return problems


class TenantModelSettings(RequestModel):
    """A tenant's model settings: its default, per template, and per step of a template."""

    default: ModelChoice = Field(default_factory=ModelChoice, description="every step of every template")
    # keys are checked by check_settings (400 naming the key): a pattern on them would not be part
    # of the served document's schema (patternProperties does not forbid other names)
    templates: dict[str, ModelChoice] = Field(
        default_factory=dict, max_length=MAX_TEMPLATE_SETTINGS, description="template name -> its steps"
    )
    steps: dict[str, ModelChoice] = Field(
        default_factory=dict,
        max_length=MAX_STEP_SETTINGS,
        description="'<template>.<step>' -> that agent step (e.g. 'sales_call_analysis.report')",
    )


class StoredModelSettings(BaseModel):
    """A tenant's model settings as stored: the revision grows by one with every write."""

    settings: TenantModelSettings
    revision: int = Field(ge=1)
    updated_by: str
    updated_at: datetime


class TenantSettingsStore(Protocol):
    def get_models(self, tenant_id: str) -> StoredModelSettings | None: ...

    def put_models(
        self, tenant_id: str, settings: TenantModelSettings, by: str, expected_revision: int | None
    ) -> StoredModelSettings:
        """Store them (revision + 1). ``expected_revision``: only if the stored revision is that one
        (0: nothing stored yet), else ``ConflictError``."""
        ...


@dataclass
class DeploymentModels:
    """The deployment's defaults: its provider and model, and the providers it can serve."""

    provider: str
    model: str | None
    served: frozenset[str]
    fallback: tuple[ModelTarget, ...] = ()


@dataclass(frozen=True)
class ResolvedModel:
    provider: str
    model: str | None  # None: the provider's default model
    tier: Literal["small", "large"]
    tier_reason: str
    temperature: float | None  # None: the agent's own
    max_output_tokens: int | None  # None: the agent's own
    fallback: tuple[ModelTarget, ...]
    use_tenant_key: bool
    decided_by: dict[str, str] = field(default_factory=dict)
    """Field -> the level that decided it: ``step``, ``template``, ``tenant`` or ``deployment``."""


_MODEL_FIELDS = ("model", "small_model", "large_model")
_PLAIN_FIELDS = ("tier", "temperature", "max_output_tokens", "fallback", "use_tenant_key")


def resolve(
    deployment: DeploymentModels,
    tenant: TenantModelSettings | None,
    template: str,
    step: str,
    *,
    complexity: str,
    prompt_chars: int,
) -> ResolvedModel:
    """The model of one step (see the module doc for the precedence and the provider rule)."""
    values: dict[str, Any] = {
        "provider": deployment.provider,
        "model": deployment.model,
        "small_model": None,
        "large_model": None,
        "tier": None,
        "temperature": None,
        "max_output_tokens": None,
        "fallback": list(deployment.fallback),
        "use_tenant_key": False,
    }
    decided: dict[str, str] = dict.fromkeys(values, "deployment")
    for level, choice in _levels(tenant, template, step):
        if choice.provider is not None:
            if choice.provider != values["provider"]:
                for name in _MODEL_FIELDS:  # the inherited model names are the old provider's
                    values[name], decided[name] = None, level
            values["provider"], decided["provider"] = choice.provider, level
        for name in (*_MODEL_FIELDS, *_PLAIN_FIELDS):
            value = getattr(choice, name)
            if value is not None:
                values[name], decided[name] = value, level
    provider: str = values["provider"]
    tier, reason = choose_tier(complexity, prompt_chars, values["tier"])
    model, source = pick_for_tier(
        provider, tier, values["model"], values["small_model"], values["large_model"]
    )
    model_level = decided[source] if source in _MODEL_FIELDS else decided["provider"]
    fallback = tuple(
        target
        for target in values["fallback"]
        if (target.provider, target.model) != (provider, model)
        and (not deployment.served or target.provider in deployment.served)
    )
    return ResolvedModel(
        provider=provider,
        model=model,
        tier=tier,
        tier_reason=reason,
        temperature=values["temperature"],
        max_output_tokens=values["max_output_tokens"],
        fallback=fallback,
        use_tenant_key=bool(values["use_tenant_key"]),
        decided_by={
            "provider": decided["provider"],
            "model": model_level,
            "tier": decided["tier"],
            "temperature": decided["temperature"],
            "max_output_tokens": decided["max_output_tokens"],
            "fallback": decided["fallback"],
            "use_tenant_key": decided["use_tenant_key"],
        },
    )


def _levels(
    tenant: TenantModelSettings | None, template: str, step: str
) -> Iterator[tuple[Level, ModelChoice]]:
    """The tenant's levels from the lowest to the highest (each one set)."""
    if tenant is None:
        return
    yield "tenant", tenant.default
    if template in tenant.templates:
        yield "template", tenant.templates[template]
    key = f"{template}.{step}"
    if key in tenant.steps:
        yield "step", tenant.steps[key]


def check_settings(settings: TenantModelSettings, served: frozenset[str]) -> None:
    """What the request schema cannot know: templates and agent steps that exist, providers this
    deployment serves. ``InputsInvalid`` (400) with one detail per problem."""
    from orchestrator.templates.graph import TEMPLATES

    problems: list[dict[str, str]] = []
    known = ", ".join(sorted(TEMPLATES))
    choices: list[tuple[str, ModelChoice]] = [("body.default", settings.default)]
    for name, choice in settings.templates.items():
        where = f"body.templates.{name}"
        if name not in TEMPLATES:
            problems.append({"location": where, "message": f"unknown template {name!r}; known: {known}"})
        choices.append((where, choice))
    for key, choice in settings.steps.items():
        where = f"body.steps.{key}"
        template_name, _, step = key.partition(".")
        template = TEMPLATES.get(template_name)
        if template is None:
            problems.append(
                {"location": where, "message": f"unknown template {template_name!r}; known: {known}"}
            )
        else:
            steps = [agent_step.name for agent_step in template.agent_steps()]
            if step not in steps:
                problems.append(
                    {
                        "location": where,
                        "message": f"template {template_name!r} has no agent step {step!r}; "
                        f"its agent steps: {', '.join(steps)}",
                    }
                )
        choices.append((where, choice))
    offered = ", ".join(sorted(served))
    for where, choice in choices:
        for index, message in choice.fallback_problems():
            problems.append({"location": f"{where}.fallback.{index}", "message": message})
        if choice.provider is not None and choice.provider not in served:
            problems.append(
                {
                    "location": f"{where}.provider",
                    "message": f"provider {choice.provider!r} is not served by this deployment "
                    f"(it serves: {offered})",
                }
            )
        for index, target in enumerate(choice.fallback or ()):
            if target.provider not in served:
                problems.append(
                    {
                        "location": f"{where}.fallback.{index}.provider",
                        "message": f"provider {target.provider!r} is not served by this deployment "
                        f"(it serves: {offered})",
                    }
                )
    if problems:
        summary = "; ".join(f"{p['location']}: {p['message']}" for p in problems)
        raise InputsInvalid(f"the model settings cannot be used: {summary}", details=problems)
