"""Routing tiers: small steps with short prompts go to the provider's small model, the rest to its
large one, and a pin in the settings wins."""

from __future__ import annotations

import pytest

from orchestrator.llm.routing import DEFAULT_TIER_MODELS, LARGE_PROMPT_CHARS, choose_tier, model_for_tier


def test_a_small_step_with_a_short_prompt_goes_to_the_small_tier() -> None:
    # Given a small agent and a short prompt, no pin
    tier, reason = choose_tier("small", 2_000, None)
    # Then it runs on the small tier, and the reason says why
    assert tier == "small"
    assert "2000 characters" in reason


def test_a_long_prompt_sends_even_a_small_step_to_the_large_tier() -> None:
    tier, reason = choose_tier("small", LARGE_PROMPT_CHARS, "auto")
    assert tier == "large"
    assert f"{LARGE_PROMPT_CHARS} characters" in reason


def test_a_large_step_stays_large_however_short_its_prompt() -> None:
    assert choose_tier("large", 10, None)[0] == "large"


@pytest.mark.parametrize(
    ("complexity", "chars", "pin", "expected"),
    [("large", 10, "small", "small"), ("small", 10, "large", "large"), ("small", 99_999, "small", "small")],
)
def test_a_pin_wins_over_complexity_and_length(complexity: str, chars: int, pin: str, expected: str) -> None:
    tier, reason = choose_tier(complexity, chars, pin)
    assert tier == expected
    assert "pinned" in reason


@pytest.mark.parametrize(
    ("provider", "small", "large"),
    [
        ("anthropic", "claude-haiku-5-5", "claude-sonnet-5-5"),
        ("openai", "gpt-4.1-mini", "gpt-4.1"),
        (
            "bedrock",
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        ),
        ("offline", "offline-deterministic-1", "offline-deterministic-1"),
    ],
)
def test_each_known_provider_has_a_small_and_a_large_default(provider: str, small: str, large: str) -> None:
    assert model_for_tier(provider, "small", None, None, None) == small
    assert model_for_tier(provider, "large", None, None, None) == large


def test_a_named_model_serves_the_large_tier_and_small_steps_keep_the_small_default() -> None:
    # Given settings that name only a model on anthropic
    # Then large steps use it, small steps the provider's small model
    assert model_for_tier("anthropic", "large", "claude-opus-4-1", None, None) == "claude-opus-4-1"
    assert model_for_tier("anthropic", "small", "claude-opus-4-1", None, None) == "claude-haiku-5-5"


def test_explicit_tier_models_come_first() -> None:
    assert model_for_tier("openai", "small", "gpt-4.1", "gpt-4.1-nano", "o3") == "gpt-4.1-nano"
    assert model_for_tier("openai", "large", "gpt-4.1", "gpt-4.1-nano", "o3") == "o3"


@pytest.mark.parametrize("provider", ["openai_compatible", "replay"])
def test_providers_without_known_models_use_the_configured_model_for_both_tiers(provider: str) -> None:
    assert provider not in DEFAULT_TIER_MODELS
    assert model_for_tier(provider, "small", "llama-3.1-8b", None, None) == "llama-3.1-8b"
    assert model_for_tier(provider, "large", "llama-3.1-8b", None, None) == "llama-3.1-8b"
    assert model_for_tier(provider, "small", None, None, None) is None
