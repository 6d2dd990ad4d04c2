"""The deployment's provider is built from its settings; the key is read from Secrets Manager."""

from __future__ import annotations

import boto3
import pytest

from orchestrator.core.errors import ProviderNotConfigured
from tests.integration.conftest import MotoAws


def test_the_api_key_is_read_from_the_secret_on_first_use(aws: MotoAws) -> None:
    arn = boto3.client("secretsmanager").create_secret(Name="orchestrator/key", SecretString="sk-test-123")[
        "ARN"
    ]
    container = aws.configure(
        model_provider="anthropic", model_name="claude-haiku-4-5", provider_api_key_secret_arn=arn
    )

    provider = container.provider(None)

    assert provider.name == "anthropic"
    assert provider.model == "claude-haiku-4-5"  # type: ignore[attr-defined]
    assert provider._api_key == "sk-test-123"  # type: ignore[attr-defined]
    assert container.provider("offline").name == "offline"  # runs may always ask for offline


def test_a_provider_without_a_key_is_a_clear_error(aws: MotoAws) -> None:
    container = aws.configure(model_provider="openai")
    with pytest.raises(ProviderNotConfigured, match="needs an API key"):
        container.provider(None)
