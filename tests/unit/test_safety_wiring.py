"""Which safety layers a run start uses: the rules always; OpenAI's moderation when the run's
provider is OpenAI and the function has the deployment's OpenAI key (never a tenant's own); the
deployment's Bedrock guardrail when one is configured."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from orchestrator.container import Container
from orchestrator.core.errors import SafetyViolation
from orchestrator.core.records import RunRequest
from orchestrator.core.settings import Settings
from orchestrator.llm.model_settings import DeploymentModels, ModelChoice, TenantModelSettings
from orchestrator.runs.planning import RunPlanner
from orchestrator.safety import Category, ModerationFlag, SafetyScreen
from orchestrator.safety.moderation import BedrockGuardrail, OpenAIModeration
from tests.fakes.tenant_settings import InMemoryTenantSettings

DEPLOYMENT = DeploymentModels(provider="offline", model=None, served=frozenset({"offline", "openai"}))


def layers(screen: SafetyScreen) -> list[str]:
    return [moderator.layer for moderator in screen.moderators]


def test_openai_with_a_key_adds_its_moderation_and_other_providers_do_not() -> None:
    container = Container(Settings.of(model_provider="openai", provider_api_key="sk-test-key"))
    (moderation,) = container.safety_screen("openai").moderators
    assert isinstance(moderation, OpenAIModeration) and moderation.timeout_seconds == 5.0
    assert container.safety_screen("anthropic").moderators == ()
    assert container.safety_screen("offline").moderators == ()
    # kept like a provider: the key is not read again on every request
    assert container.safety_screen("openai").moderators[0] is moderation


def test_a_tenants_own_key_is_never_read_for_moderation() -> None:
    # Given a deployment with no OpenAI key of its own (tenants bring theirs)
    container = Container(Settings.of(model_provider="anthropic", provider_api_key="sk-ant-x"))
    read: list[tuple[str, str | None]] = []
    container.api_key_for = lambda name, key_tenant, fresh=False: read.append((name, key_tenant))  # type: ignore[method-assign]
    # Then a tenant on OpenAI gets the other layers, and only the deployment's key was looked up
    assert container.safety_screen("openai").moderators == ()
    assert read == [("openai", None)]


def test_openai_without_a_key_leaves_the_rules_alone() -> None:
    container = Container(Settings.of(model_provider="offline"))  # no OpenAI key anywhere
    assert container.safety_screen("openai").moderators == ()


def test_a_configured_guardrail_screens_every_provider() -> None:
    settings = Settings.of(guardrail_id="gr-abc", guardrail_version="4", moderation_timeout_seconds=2.5)
    container = Container(settings)
    (guardrail,) = container.safety_screen("anthropic").moderators
    assert isinstance(guardrail, BedrockGuardrail)
    assert (guardrail.guardrail_id, guardrail.version, guardrail.timeout_seconds) == ("gr-abc", "4", 2.5)
    with_openai = Container(settings.model_copy(update={"provider_api_key": "k", "model_provider": "openai"}))
    assert layers(with_openai.safety_screen("openai")) == ["openai_moderation", "bedrock_guardrail"]


class Flagging:
    """A moderation layer that flags every request as hateful."""

    layer = "test_layer"

    def moderate(self, texts: Sequence[str]) -> list[ModerationFlag]:
        return [ModerationFlag(Category.HATE_HARASSMENT, 0, "hate")]


def test_the_planner_asks_for_the_screen_of_the_tenants_provider() -> None:
    # Given a tenant whose steps run on OpenAI with its own key
    store = InMemoryTenantSettings()
    store.put_models(
        "acme",
        TenantModelSettings(default=ModelChoice(provider="openai", use_tenant_key=True)),
        "admin",
        None,
    )
    asked: list[str] = []

    def screens(provider: str) -> SafetyScreen:
        asked.append(provider)
        return SafetyScreen([Flagging()])

    planner = RunPlanner(deployment=DEPLOYMENT, tenant_settings=store, safety=screens)
    # When a run starts, the provider's layer refuses it, named
    with pytest.raises(SafetyViolation, match=r"hate_harassment.*decided by test_layer") as refused:
        planner.plan("acme", RunRequest(template="generic", topic="a shop"), {})
    assert refused.value.audit["layers"] == ["test_layer"]
    assert asked == ["openai"]
    # And a run that chooses another provider is screened as that provider
    with pytest.raises(SafetyViolation):
        planner.plan(
            "acme", RunRequest(template="generic", topic="a shop", options={"provider": "offline"}), {}
        )
    assert asked[-1] == "offline"


def test_without_a_screen_source_the_planner_still_applies_the_rules() -> None:
    planner = RunPlanner(deployment=DEPLOYMENT)
    with pytest.raises(SafetyViolation, match="self_harm") as refused:
        planner.plan("acme", RunRequest(template="generic", topic="the most painless way to kill myself"), {})
    assert refused.value.http_status == 422
    assert refused.value.http_body()["categories"] == ["self_harm"]
    assert "kill myself" not in str(refused.value)
    assert planner.plan(
        "acme", RunRequest(template="generic", topic="suicide prevention hotline resources"), {}
    )
