"""The deployment's provider is built from its settings; the key is read from Secrets Manager."""

from __future__ import annotations

import boto3
import pytest

from orchestrator import wiring
from orchestrator.core import constants
from orchestrator.core.errors import ProviderNotConfigured
from tests.integration.conftest import MotoAws, clear_caches


def test_the_api_key_is_read_from_the_secret_on_first_use(
    aws: MotoAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn = boto3.client("secretsmanager").create_secret(Name="orchestrator/key", SecretString="sk-test-123")[
        "ARN"
    ]
    monkeypatch.setenv(constants.ENV_MODEL_PROVIDER, "anthropic")
    monkeypatch.setenv(constants.ENV_MODEL_NAME, "claude-haiku-4-5")
    monkeypatch.setenv(constants.ENV_PROVIDER_API_KEY_SECRET, arn)
    clear_caches()

    provider = wiring.provider(None)

    assert provider.name == "anthropic"
    assert provider.model == "claude-haiku-4-5"  # type: ignore[attr-defined]
    assert provider._api_key == "sk-test-123"  # type: ignore[attr-defined]
    assert wiring.provider("offline").name == "offline"  # runs may always ask for offline


def test_a_provider_without_a_key_is_a_clear_error(aws: MotoAws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(constants.ENV_MODEL_PROVIDER, "openai")
    clear_caches()
    with pytest.raises(ProviderNotConfigured, match="needs an API key"):
        wiring.provider(None)
