"""Choosing a provider by name: clear errors for unknown names and missing settings, lazy SDKs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestrator.core.errors import ProviderNotConfigured
from orchestrator.providers import create_provider, known_providers
from orchestrator.providers.anthropic_provider import AnthropicProvider
from orchestrator.providers.bedrock_provider import DEFAULT_BEDROCK_MODEL, BedrockProvider
from orchestrator.providers.offline import OfflineProvider
from orchestrator.providers.openai_provider import OpenAIProvider

FUNCTIONS_DIR = Path(__file__).resolve().parents[2] / "functions"


def test_known_providers_are_the_six_supported_ones() -> None:
    assert set(known_providers()) == {
        "offline",
        "anthropic",
        "openai",
        "openai_compatible",
        "bedrock",
        "replay",
    }


def test_unknown_provider_names_the_known_ones() -> None:
    # When a provider nobody supports is asked for
    with pytest.raises(ProviderNotConfigured) as raised:
        create_provider("gemini")

    # Then the error says which names would have worked
    message = str(raised.value)
    assert "'gemini'" in message
    for name in known_providers():
        assert name in message


@pytest.mark.parametrize("name", ["anthropic", "openai"])
@pytest.mark.parametrize("api_key", [None, ""])
def test_hosted_providers_need_an_api_key(name: str, api_key: str | None) -> None:
    # When a hosted provider is asked for without a key
    with pytest.raises(ProviderNotConfigured, match="API key"):
        create_provider(name, api_key=api_key)


def test_openai_compatible_needs_a_base_url() -> None:
    # When a local OpenAI-compatible server is asked for without its URL
    with pytest.raises(ProviderNotConfigured, match="OPENAI_BASE_URL"):
        create_provider("openai_compatible", api_key="key")


def test_openai_compatible_with_a_base_url_needs_no_key() -> None:
    # When a local server is configured with only a URL
    provider = create_provider("openai_compatible", base_url="http://localhost:11434/v1", model="llama3")

    # Then it is an OpenAI-protocol provider named after the option the run chose
    assert isinstance(provider, OpenAIProvider)
    assert provider.name == "openai_compatible"
    assert provider.model == "llama3"


def test_hosted_providers_with_keys_are_created() -> None:
    anthropic = create_provider("anthropic", api_key="sk-ant-test")
    openai = create_provider("openai", api_key="sk-test", model="gpt-4.1")

    assert isinstance(anthropic, AnthropicProvider)
    assert anthropic.name == "anthropic"
    assert isinstance(openai, OpenAIProvider)
    assert (openai.name, openai.model) == ("openai", "gpt-4.1")


def test_bedrock_needs_no_key_and_takes_a_region() -> None:
    # When Bedrock is asked for without any key (the function's IAM role is the credential)
    default = create_provider("bedrock")
    chosen = create_provider("bedrock", model="amazon.nova-pro-v1:0", region="eu-west-1")

    # Then it is created, with the default model or the chosen one, in the chosen region
    assert isinstance(default, BedrockProvider) and isinstance(chosen, BedrockProvider)
    assert (default.name, default.model, default.region) == ("bedrock", DEFAULT_BEDROCK_MODEL, None)
    assert (chosen.model, chosen.region) == ("amazon.nova-pro-v1:0", "eu-west-1")


def test_offline_provider_takes_an_optional_model_name() -> None:
    assert isinstance(create_provider("offline"), OfflineProvider)
    assert create_provider("offline", model="offline-custom").model == "offline-custom"


_PROBE = """
import json, sys
from orchestrator.providers import ModelRequest, create_provider

def sdks():
    return {name: name in sys.modules for name in ("anthropic", "openai")}

provider = create_provider("offline")
provider.complete(ModelRequest(system="s", prompt="Topic: t", phase="design"))
after_offline = sdks()
create_provider("anthropic", api_key="k")
create_provider("openai", api_key="k")
create_provider("bedrock")
after_creating_hosted = sdks()
print(json.dumps({"offline": after_offline, "hosted": after_creating_hosted}))
"""


@pytest.fixture(scope="module")
def sdk_imports() -> dict[str, dict[str, bool]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["PYTHONPATH"] = str(FUNCTIONS_DIR)
    completed = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    result: dict[str, dict[str, bool]] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def test_offline_provider_does_not_import_provider_sdks(sdk_imports: dict[str, dict[str, bool]]) -> None:
    # Given a fresh interpreter (a cold Lambda)
    # When the providers package is imported and the offline provider answers
    # Then neither SDK was loaded (they cost hundreds of milliseconds of cold start)
    assert sdk_imports["offline"] == {"anthropic": False, "openai": False}


def test_creating_hosted_providers_does_not_import_their_sdks(
    sdk_imports: dict[str, dict[str, bool]],
) -> None:
    # When hosted providers are created but not called
    # Then their SDKs are still not loaded: they load on the first call
    assert sdk_imports["hosted"] == {"anthropic": False, "openai": False}
