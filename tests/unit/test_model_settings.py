"""Which model answers a step: step > template > tenant default > deployment, field by field; a
provider change resets the model; routing tiers; the fallback chain; what check_settings refuses."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from orchestrator.core.errors import ConflictError, InputsInvalid
from orchestrator.llm.model_settings import (
    DeploymentModels,
    ModelChoice,
    ModelTarget,
    TenantModelSettings,
    check_settings,
    resolve,
)
from tests.fakes.tenant_settings import InMemoryTenantSettings

SERVED = frozenset({"offline", "anthropic", "openai", "bedrock"})
DEPLOYMENT = DeploymentModels(provider="anthropic", model="claude-sonnet-5-5", served=SERVED)
TEMPLATE, STEP = "sales_call_analysis", "report"


def settings(**levels: Any) -> TenantModelSettings:
    return TenantModelSettings.model_validate(levels)


def large(tenant: TenantModelSettings | None, **kwargs: Any) -> Any:
    """The resolution for a large step of the sales template's report step."""
    return resolve(DEPLOYMENT, tenant, TEMPLATE, STEP, complexity="large", prompt_chars=500, **kwargs)


def test_without_tenant_settings_the_deployment_decides() -> None:
    resolved = large(None)
    assert (resolved.provider, resolved.model, resolved.tier) == ("anthropic", "claude-sonnet-5-5", "large")
    assert (resolved.temperature, resolved.max_output_tokens, resolved.fallback) == (None, None, ())
    assert resolved.use_tenant_key is False
    assert set(resolved.decided_by.values()) == {"deployment"}


def test_step_beats_template_beats_tenant_beats_deployment_field_by_field() -> None:
    # Given a tenant default, a template level and a step level each setting different fields
    tenant = settings(
        default={"temperature": 0.1, "max_output_tokens": 500, "use_tenant_key": True},
        templates={TEMPLATE: {"temperature": 0.5, "model": "claude-opus-4-1"}},
        steps={f"{TEMPLATE}.{STEP}": {"temperature": 0.9}},
    )
    # When the step resolves
    resolved = large(tenant)
    # Then each field comes from the highest level that set it
    assert resolved.temperature == 0.9
    assert resolved.model == "claude-opus-4-1"
    assert resolved.max_output_tokens == 500
    assert resolved.use_tenant_key is True
    assert resolved.provider == "anthropic"
    assert resolved.decided_by == {
        "provider": "deployment",
        "model": "template",
        "tier": "deployment",
        "temperature": "step",
        "max_output_tokens": "tenant",
        "fallback": "deployment",
        "use_tenant_key": "tenant",
    }


def test_settings_of_another_template_or_step_do_not_apply() -> None:
    tenant = settings(
        templates={"generic": {"temperature": 0.5}}, steps={f"{TEMPLATE}.meddpic": {"temperature": 0.7}}
    )
    assert large(tenant).temperature is None


def test_changing_the_provider_resets_the_inherited_model_to_the_providers_default() -> None:
    # Given a tenant default naming an anthropic model, and a template switching to openai without one
    tenant = settings(
        default={"model": "claude-opus-4-1", "large_model": "claude-opus-4-1"},
        templates={TEMPLATE: {"provider": "openai"}},
    )
    # When a step of that template resolves
    resolved = large(tenant)
    # Then it uses openai's own large model, not the anthropic name
    assert (resolved.provider, resolved.model) == ("openai", "gpt-4.1")
    assert resolved.decided_by["model"] == "template"


def test_a_level_naming_provider_and_model_keeps_its_model() -> None:
    tenant = settings(templates={TEMPLATE: {"provider": "openai", "model": "o3"}})
    assert (large(tenant).provider, large(tenant).model) == ("openai", "o3")


def test_restating_the_same_provider_keeps_the_inherited_model() -> None:
    tenant = settings(
        default={"model": "claude-opus-4-1"}, steps={f"{TEMPLATE}.{STEP}": {"provider": "anthropic"}}
    )
    assert large(tenant).model == "claude-opus-4-1"


def test_a_small_step_with_a_short_prompt_runs_on_the_small_model() -> None:
    resolved = resolve(DEPLOYMENT, None, TEMPLATE, STEP, complexity="small", prompt_chars=1_000)
    assert (resolved.tier, resolved.model) == ("small", "claude-haiku-5-5")
    assert "short prompt" in resolved.tier_reason


def test_a_small_step_with_a_long_prompt_runs_on_the_large_model() -> None:
    resolved = resolve(DEPLOYMENT, None, TEMPLATE, STEP, complexity="small", prompt_chars=50_000)
    assert (resolved.tier, resolved.model) == ("large", "claude-sonnet-5-5")


def test_a_pinned_tier_wins_and_a_step_can_unpin_it() -> None:
    # Given a tenant pinning the large tier, and one step set back to automatic routing
    tenant = settings(default={"tier": "large"}, steps={f"{TEMPLATE}.intake": {"tier": "auto"}})
    # Then a small step is large, except the unpinned one
    pinned = resolve(DEPLOYMENT, tenant, TEMPLATE, STEP, complexity="small", prompt_chars=10)
    unpinned = resolve(DEPLOYMENT, tenant, TEMPLATE, "intake", complexity="small", prompt_chars=10)
    assert (pinned.tier, pinned.model, pinned.decided_by["tier"]) == ("large", "claude-sonnet-5-5", "tenant")
    assert (unpinned.tier, unpinned.model, unpinned.decided_by["tier"]) == (
        "small",
        "claude-haiku-5-5",
        "step",
    )


def test_tier_models_of_the_settings_serve_their_tiers() -> None:
    tenant = settings(default={"small_model": "claude-3-5-haiku", "large_model": "claude-opus-4-1"})
    small = resolve(DEPLOYMENT, tenant, TEMPLATE, STEP, complexity="small", prompt_chars=10)
    assert small.model == "claude-3-5-haiku"
    assert large(tenant).model == "claude-opus-4-1"


def test_the_fallback_chain_of_the_highest_level_is_kept_in_order() -> None:
    # Given a tenant fallback, and a template with its own
    chain = [{"provider": "openai", "model": "gpt-4.1"}, {"provider": "bedrock"}]
    tenant = settings(
        default={"fallback": [{"provider": "offline"}]}, templates={TEMPLATE: {"fallback": chain}}
    )
    # Then the template's chain is used, in its order
    resolved = large(tenant)
    assert resolved.fallback == (
        ModelTarget(provider="openai", model="gpt-4.1"),
        ModelTarget(provider="bedrock"),
    )
    assert resolved.decided_by["fallback"] == "template"


def test_a_fallback_equal_to_the_resolved_primary_or_unserved_is_dropped() -> None:
    # Given a tenant fallback naming openai's model, then a step switching the primary to it
    tenant = settings(
        default={"fallback": [{"provider": "openai", "model": "gpt-4.1"}, {"provider": "offline"}]},
        steps={f"{TEMPLATE}.{STEP}": {"provider": "openai"}},
    )
    deployment = DeploymentModels(provider="anthropic", model=None, served=frozenset({"anthropic", "openai"}))
    resolved = resolve(deployment, tenant, TEMPLATE, STEP, complexity="large", prompt_chars=10)
    # Then the chain keeps neither the primary itself nor a provider the deployment does not serve
    assert (resolved.provider, resolved.model) == ("openai", "gpt-4.1")
    assert resolved.fallback == ()


def test_the_deployments_fallback_applies_until_a_level_sets_one() -> None:
    deployment = DeploymentModels("anthropic", None, SERVED, fallback=(ModelTarget(provider="openai"),))
    assert resolve(deployment, None, TEMPLATE, STEP, complexity="large", prompt_chars=1).fallback == (
        ModelTarget(provider="openai"),
    )
    tenant = settings(default={"fallback": []})
    assert resolve(deployment, tenant, TEMPLATE, STEP, complexity="large", prompt_chars=1).fallback == ()


@pytest.mark.parametrize(
    ("choice", "problem"),
    [
        (
            {"fallback": [{"provider": "openai"}] * 2 + [{"provider": "bedrock"}, {"provider": "offline"}]},
            "at most 3",
        ),
        ({"model": "gpt 4; drop"}, "pattern"),
        ({"model": "x" * 201}, "at most 200"),
        ({"temperature": 2.5}, "less than or equal to 2"),
        ({"max_output_tokens": 0}, "greater than or equal to 1"),
        ({"provider": "mistral"}, "offline"),
        ({"tier": "medium"}, "auto"),
        ({"colour": "blue"}, "Extra inputs"),
    ],
)
def test_a_bad_choice_is_refused_saying_why(choice: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        ModelChoice.model_validate(choice)


def test_integral_numbers_are_accepted_where_json_allows() -> None:
    choice = ModelChoice.model_validate({"temperature": 1, "max_output_tokens": 800.0})
    assert (choice.temperature, choice.max_output_tokens) == (1, 800)


def test_keys_must_name_templates_and_their_steps() -> None:
    # Given keys that name no template and no "<template>.<step>"
    settings = TenantModelSettings.model_validate({"templates": {"Bad Name": {}}, "steps": {"generic": {}}})
    # When checked, Then each is refused with its location
    with pytest.raises(InputsInvalid) as refused:
        check_settings(settings, frozenset({"offline"}))
    locations = {detail["location"] for detail in refused.value.details}
    assert {"body.templates.Bad Name", "body.steps.generic"} <= locations


def test_check_settings_accepts_known_templates_steps_and_served_providers() -> None:
    check_settings(
        settings(
            default={"provider": "anthropic", "fallback": [{"provider": "openai"}]},
            templates={TEMPLATE: {"provider": "bedrock"}},
            steps={f"{TEMPLATE}.{STEP}": {"tier": "small"}},
        ),
        SERVED,
    )


def test_check_settings_names_every_problem_with_its_location() -> None:
    # Given settings naming an unknown template, unknown steps and providers this deployment does not serve
    bad = settings(
        default={
            "provider": "openai_compatible",
            "fallback": [{"provider": "offline"}, {"provider": "replay"}],
        },
        templates={"no_such_template": {}, TEMPLATE: {"provider": "replay"}},
        steps={"nowhere.report": {}, f"{TEMPLATE}.no_step": {}, f"{TEMPLATE}.{STEP}": {}},
    )
    # When they are checked
    with pytest.raises(InputsInvalid) as raised:
        check_settings(bad, SERVED)
    # Then each problem has one detail naming where it is
    details = {d["location"]: d["message"] for d in raised.value.details}
    assert set(details) == {
        "body.default.provider",
        "body.default.fallback.1.provider",
        "body.templates.no_such_template",
        "body.templates.sales_call_analysis.provider",
        "body.steps.nowhere.report",
        "body.steps.sales_call_analysis.no_step",
    }
    assert "unknown template 'no_such_template'" in details["body.templates.no_such_template"]
    assert "its agent steps: intake, meddpic, report" in details["body.steps.sales_call_analysis.no_step"]
    assert "not served by this deployment" in details["body.default.provider"]
    assert "body.steps.nowhere.report" in str(raised.value)


def test_the_fake_store_counts_revisions_and_refuses_a_stale_write() -> None:
    # Given a fresh store
    store = InMemoryTenantSettings()
    assert store.get_models("acme") is None
    # When an admin writes twice, the second naming the revision they read
    first = store.put_models("acme", settings(default={"temperature": 0.2}), "alice", 0)
    second = store.put_models("acme", settings(default={"temperature": 0.3}), "bob", first.revision)
    # Then revisions count up, and a write naming an old revision is refused
    assert (first.revision, second.revision) == (1, 2)
    with pytest.raises(ConflictError, match="changed by someone else"):
        store.put_models("acme", settings(), "carol", 1)
    stored = store.get_models("acme")
    assert stored is not None
    assert (stored.settings.default.temperature, stored.updated_by, stored.revision) == (0.3, "bob", 2)
    assert store.get_models("globex") is None


@pytest.mark.parametrize(
    ("choice", "problem"),
    [
        (
            {
                "provider": "openai",
                "model": "gpt-4.1",
                "fallback": [{"provider": "openai", "model": "gpt-4.1"}],
            },
            "is the primary model itself",
        ),
        ({"fallback": [{"provider": "openai"}, {"provider": "openai"}]}, "is listed twice"),
    ],
)
def test_a_fallback_that_cannot_help_is_refused_with_its_location(
    choice: dict[str, Any], problem: str
) -> None:
    # Given a well-formed choice whose fallback repeats the primary or itself
    settings = TenantModelSettings.model_validate({"default": choice})
    # When it is checked against what the deployment serves, Then it is refused, saying where
    with pytest.raises(InputsInvalid) as refused:
        check_settings(settings, frozenset({"openai", "offline", "bedrock"}))
    assert problem in str(refused.value.details)
    assert refused.value.details[0]["location"].startswith("body.default.fallback.")
