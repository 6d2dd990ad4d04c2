"""Pick a provider by name (strategy). Unknown names and missing keys are clear errors."""

from __future__ import annotations

from typing import get_args

from orchestrator.core.errors import ProviderNotConfigured
from orchestrator.core.records import ProviderName
from orchestrator.providers.base import ModelProvider
from orchestrator.providers.offline import OfflineProvider

_KNOWN: tuple[str, ...] = get_args(ProviderName)  # the request schema lists the same names


def known_providers() -> tuple[str, ...]:
    return _KNOWN


def create_provider(
    name: str,
    *,
    model: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    region: str | None = None,
) -> ModelProvider:
    """The provider ``name``. ``region``: Bedrock's region (default: the function's own)."""
    if name == "offline":
        return OfflineProvider(model=model) if model else OfflineProvider()
    if name == "anthropic":
        if not api_key:
            raise ProviderNotConfigured("provider 'anthropic' needs an API key (PROVIDER_API_KEY)")
        from orchestrator.providers.anthropic_provider import AnthropicProvider

        return AnthropicProvider(api_key=api_key, model=model)
    if name in ("openai", "openai_compatible"):
        from orchestrator.providers.openai_provider import OpenAIProvider

        if name == "openai_compatible":
            if not base_url:
                raise ProviderNotConfigured("provider 'openai_compatible' needs OPENAI_BASE_URL")
            # local servers usually accept any key
            return OpenAIProvider(api_key=api_key or "not-needed", model=model, base_url=base_url, name=name)
        if not api_key:
            raise ProviderNotConfigured("provider 'openai' needs an API key (PROVIDER_API_KEY)")
        return OpenAIProvider(api_key=api_key, model=model, base_url=base_url)
    if name == "bedrock":  # IAM: the function's role is the credential, no key
        from orchestrator.providers.bedrock_provider import BedrockProvider

        return BedrockProvider(model=model, region=region)
    raise ProviderNotConfigured(f"unknown provider {name!r}; known providers: {', '.join(_KNOWN)}")
