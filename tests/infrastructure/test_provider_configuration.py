"""A deployment with a real provider: the key comes from Secrets Manager, never the template."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orchestrator.core.constants import (
    ENV_MODEL_NAME,
    ENV_MODEL_PROVIDER,
    ENV_PROVIDER_API_KEY,
    ENV_PROVIDER_API_KEY_SECRET,
)
from orchestrator.templates.graph import agent_types
from tests.synthesized import resources_of_type, synthesized_template


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return synthesized_template(
        modelProvider="anthropic",
        modelName="claude-sonnet-4-5",
        providerApiKeySecret="orchestrator/provider-api-key",
    )


def test_phase_functions_get_the_provider_and_the_secret_reference(template: dict[str, Any]) -> None:
    functions = resources_of_type(template, "AWS::Lambda::Function").values()
    phases = [f for f in functions if f["Properties"]["Handler"] == "handlers.run_agent.handler"]
    assert len(phases) == len(agent_types())
    for fn in phases:
        env = fn["Properties"]["Environment"]["Variables"]
        assert env[ENV_MODEL_PROVIDER] == "anthropic" and env[ENV_MODEL_NAME] == "claude-sonnet-4-5"
        assert "orchestrator/provider-api-key" in json.dumps(env[ENV_PROVIDER_API_KEY_SECRET])
        assert ENV_PROVIDER_API_KEY not in env  # the key itself never lands in the template
    others = [f for f in functions if f["Properties"]["Handler"] != "handlers.run_agent.handler"]
    assert all(ENV_PROVIDER_API_KEY_SECRET not in f["Properties"]["Environment"]["Variables"] for f in others)
    # the functions that accept runs know the provider's name, so runs may ask for it
    starters = [
        f
        for f in others
        if f["Properties"]["Handler"] in ("handlers.api.handler", "handlers.start_run.handler")
    ]
    assert [f["Properties"]["Environment"]["Variables"][ENV_MODEL_PROVIDER] for f in starters] == [
        "anthropic"
    ] * 2


def test_only_phase_functions_may_read_the_secret(template: dict[str, Any]) -> None:
    readers = [
        policy
        for policy in resources_of_type(template, "AWS::IAM::Policy").values()
        if "secretsmanager:GetSecretValue" in json.dumps(policy["Properties"]["PolicyDocument"])
    ]
    assert len(readers) == len(agent_types())


def test_a_secret_under_a_customer_key_can_be_decrypted_by_the_phase_functions() -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    template = synthesized_template(
        modelProvider="openai",
        providerApiKeySecret="orchestrator/provider-api-key",
        providerApiKeyKmsKey=key,
    )
    decrypters = [  # the webhook functions decrypt with the stack's own key, not this one
        policy
        for policy in resources_of_type(template, "AWS::IAM::Policy").values()
        if "kms:Decrypt" in json.dumps(policy["Properties"]["PolicyDocument"])
        and key in json.dumps(policy["Properties"]["PolicyDocument"])
    ]
    assert len(decrypters) == len(agent_types())
