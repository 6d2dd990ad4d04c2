"""The deployment's provider is built from its settings; the key is read from Secrets Manager."""

from __future__ import annotations

import boto3
import pytest

from orchestrator.container import KEY_TTL_SECONDS, Container
from orchestrator.core.errors import DataStoreRejected, ProviderNotConfigured
from orchestrator.core.settings import Settings
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


def test_a_rotated_key_is_used_within_the_key_ttl_and_not_before(aws: MotoAws) -> None:
    secrets = boto3.client("secretsmanager")
    arn = secrets.create_secret(Name="orchestrator/rotating", SecretString="sk-old")["ARN"]
    now = [1000.0]
    container = Container(
        Settings.of(
            **(
                aws.settings.model_dump()
                | {"model_provider": "anthropic", "provider_api_key_secret_arn": arn}
            )
        ),
        clock=lambda: now[0],
    )
    assert container.provider(None)._api_key == "sk-old"  # type: ignore[attr-defined]

    secrets.put_secret_value(SecretId=arn, SecretString="sk-new")  # rotated
    now[0] += KEY_TTL_SECONDS - 1
    assert container.provider(None)._api_key == "sk-old"  # type: ignore[attr-defined]  # kept
    now[0] += 1
    assert container.provider(None)._api_key == "sk-new"  # type: ignore[attr-defined]  # read again

    secrets.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)  # revoked
    now[0] += KEY_TTL_SECONDS
    with pytest.raises(DataStoreRejected, match="reading the provider API key"):
        container.provider(None)
