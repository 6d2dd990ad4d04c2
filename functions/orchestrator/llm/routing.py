"""Routing tiers: cheap steps go to a small model, hard or long ones to a large one (seeds 002, 003).

A step's tier is ``small`` or ``large``. A pin in the model settings (``tier: small|large``) wins;
otherwise (``auto``) an agent declared ``complexity = "small"`` whose prompt is shorter than
``LARGE_PROMPT_CHARS`` runs on the small tier, and everything else on the large one.

Which model serves a tier (``model_for_tier``), first match wins:

- small tier: the settings' ``small_model``; else the provider's known small model
  (``DEFAULT_TIER_MODELS``); else the settings' ``model``; else None (the provider's default);
- large tier: the settings' ``large_model``; else the settings' ``model``; else the provider's known
  large model; else None (the provider's default).

So naming only ``model`` pins the large tier, while small steps still go to the provider's small
model; name ``small_model`` too (or pin ``tier: large``) to keep every step on one model. Providers
without known models (``openai_compatible``, ``replay``) use the configured model for both tiers.
"""

from __future__ import annotations

from typing import Literal

Tier = Literal["small", "large"]
ModelSource = Literal["small_model", "large_model", "model", "default", "none"]

LARGE_PROMPT_CHARS = 12_000
"""A prompt this long (system + user, in characters) goes to the large tier even for a small step."""

DEFAULT_TIER_MODELS: dict[str, dict[str, str]] = {
    "anthropic": {"small": "claude-haiku-5-5", "large": "claude-sonnet-5-5"},
    "openai": {"small": "gpt-4.1-mini", "large": "gpt-4.1"},
    "bedrock": {
        "small": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "large": "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    },
    "offline": {"small": "offline-deterministic-1", "large": "offline-deterministic-1"},
}
"""The small and large model of each provider that has known ones (openai_compatible and replay:
none, they serve the configured model)."""


def choose_tier(complexity: str, prompt_chars: int, pin: str | None) -> tuple[Tier, str]:
    """The step's tier and why (the reason is shown with the step's result and estimate)."""
    if pin == "small":
        return "small", "pinned to the small tier by the model settings"
    if pin == "large":
        return "large", "pinned to the large tier by the model settings"
    if complexity != "small":
        return "large", f"the agent's work is {complexity or 'large'}: large tier"
    if prompt_chars >= LARGE_PROMPT_CHARS:
        return "large", (
            f"a small step, but its prompt is {prompt_chars} characters "
            f"(large from {LARGE_PROMPT_CHARS}): large tier"
        )
    return "small", f"a small step with a short prompt ({prompt_chars} characters): small tier"


def pick_for_tier(
    provider: str, tier: str, model: str | None, small_model: str | None, large_model: str | None
) -> tuple[str | None, ModelSource]:
    """The model serving ``tier`` on ``provider`` and which setting chose it (see the module doc)."""
    defaults = DEFAULT_TIER_MODELS.get(provider, {})
    if tier == "small":
        if small_model:
            return small_model, "small_model"
        if "small" in defaults:
            return defaults["small"], "default"
        if model:
            return model, "model"
        return None, "none"
    if large_model:
        return large_model, "large_model"
    if model:
        return model, "model"
    if "large" in defaults:
        return defaults["large"], "default"
    return None, "none"


def model_for_tier(
    provider: str, tier: str, model: str | None, small_model: str | None, large_model: str | None
) -> str | None:
    """The model serving ``tier`` on ``provider`` (None: the provider's default model)."""
    return pick_for_tier(provider, tier, model, small_model, large_model)[0]
