"""The safety check's moderation layers in a deployment: a Bedrock guardrail reaches the functions
that start runs, with ``ApplyGuardrail`` on that guardrail alone; the OpenAI key reaches them only
when the deployment allows OpenAI's moderation at start, and no other key ever does."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.core.constants import (
    ENV_GUARDRAIL_ID,
    ENV_GUARDRAIL_VERSION,
    ENV_PROVIDER_API_KEY_SECRET,
)
from tests.synthesized import resources_of_type, synthesized_template

STARTERS = ("handlers.api.handler", "handlers.start_run.handler")


def _functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return resources_of_type(template, "AWS::Lambda::Function")


def _policies_of(template: dict[str, Any], logical_id: str) -> str:
    """Every statement of the policies attached to the function's role, as JSON text."""
    role = _functions(template)[logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    return json.dumps(
        [
            p["Properties"]["PolicyDocument"]
            for p in resources_of_type(template, "AWS::IAM::Policy").values()
            if {"Ref": role} in p["Properties"]["Roles"]
        ]
    )


def test_a_guardrail_reaches_the_functions_that_start_runs_and_only_it_may_be_applied() -> None:
    template = synthesized_template(guardrailId="gr-abc123", guardrailVersion="4")
    for logical_id, fn in _functions(template).items():
        env = fn["Properties"]["Environment"]["Variables"]
        policies = _policies_of(template, logical_id)
        if fn["Properties"]["Handler"] in STARTERS:
            assert (env[ENV_GUARDRAIL_ID], env[ENV_GUARDRAIL_VERSION]) == ("gr-abc123", "4")
            assert "bedrock:ApplyGuardrail" in policies and "guardrail/gr-abc123" in policies
        else:
            assert ENV_GUARDRAIL_ID not in env and "bedrock:ApplyGuardrail" not in policies


def test_without_a_guardrail_nothing_may_apply_one() -> None:
    template = synthesized_template()
    assert "ApplyGuardrail" not in json.dumps(resources_of_type(template, "AWS::IAM::Policy"))


def test_the_openai_key_reaches_the_starters_only_when_moderation_at_start_is_allowed() -> None:
    allowed = synthesized_template(
        modelProvider="openai", providerApiKeySecret="orchestrator/openai-key", openaiModerationAtStart="true"
    )
    for logical_id, fn in _functions(allowed).items():
        if fn["Properties"]["Handler"] in STARTERS:
            env = fn["Properties"]["Environment"]["Variables"]
            assert "orchestrator/openai-key" in json.dumps(env[ENV_PROVIDER_API_KEY_SECRET])
            assert "secretsmanager:GetSecretValue" in _policies_of(allowed, logical_id)
    default = synthesized_template(modelProvider="openai", providerApiKeySecret="orchestrator/openai-key")
    for logical_id, fn in _functions(default).items():
        if fn["Properties"]["Handler"] in STARTERS:
            assert ENV_PROVIDER_API_KEY_SECRET not in fn["Properties"]["Environment"]["Variables"]
            assert "secretsmanager:GetSecretValue" not in _policies_of(default, logical_id)


def test_moderation_at_start_never_hands_the_starters_another_providers_key() -> None:
    template = synthesized_template(
        modelProvider="anthropic",
        providerApiKeySecret="orchestrator/anthropic-key",
        openaiModerationAtStart="true",
    )
    for logical_id, fn in _functions(template).items():
        if fn["Properties"]["Handler"] in STARTERS:
            assert "secretsmanager:GetSecretValue" not in _policies_of(template, logical_id)
