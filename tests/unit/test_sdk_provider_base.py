"""The base of the SDK providers: one call, SDK errors as domain errors, the answer priced."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from orchestrator.core.errors import OrchestratorError, ProviderUnavailable
from orchestrator.core.records import TokenUsage
from orchestrator.providers import ModelRequest
from orchestrator.providers.pricing import cost_usd
from orchestrator.providers.sdk_provider import Answer, SdkProvider, tool_answer_text

REQUEST = ModelRequest(system="s", prompt="p", phase="design")


class SdkFault(Exception):
    """What the pretend SDK raises."""


class PretendProvider(SdkProvider):
    name = "anthropic"
    model = "claude-sonnet-5-5"

    def __init__(self, reply: Any) -> None:
        self.reply = reply
        self.sent: list[tuple[Any, ModelRequest]] = []

    def _call_client(self, request: ModelRequest) -> Any:
        return "the client"

    def _send(self, client: Any, request: ModelRequest) -> Any:
        self.sent.append((client, request))
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply

    def _read(self, reply: Any, request: ModelRequest) -> Answer:
        return Answer(reply["text"], None, TokenUsage(input_tokens=1000, output_tokens=200))

    def _sdk_errors(self) -> tuple[type[Exception], ...]:
        return (SdkFault,)

    def _domain_error(self, exc: Exception) -> OrchestratorError:
        return ProviderUnavailable(f"{self.name}: {exc}")


def test_one_call_through_the_client_comes_back_priced() -> None:
    provider = PretendProvider({"text": "hello"})

    response = provider.complete(REQUEST)

    assert provider.sent == [("the client", REQUEST)]
    usage = TokenUsage(input_tokens=1000, output_tokens=200)
    assert (response.text, response.provider, response.model, response.usage) == (
        "hello",
        "anthropic",
        "claude-sonnet-5-5",
        usage,
    )
    assert response.cost_usd == cost_usd("anthropic", "claude-sonnet-5-5", usage) > 0
    assert response.calls == 1 and response.data is None


def test_sdk_errors_become_domain_errors_and_others_pass_unchanged() -> None:
    fault = SdkFault("overloaded")
    with pytest.raises(ProviderUnavailable, match="anthropic: overloaded") as raised:
        PretendProvider(fault).complete(REQUEST)
    assert raised.value.__cause__ is fault

    bug = KeyError("text")
    with pytest.raises(KeyError) as passed:
        PretendProvider(bug).complete(REQUEST)
    assert passed.value is bug


def test_a_tool_answer_is_its_json_else_the_text_blocks_joined() -> None:
    assert tool_answer_text({"a": 1}, ["ignored"]) == '{"a": 1}'
    assert tool_answer_text(None, ["one ", "two"]) == "one two"


def test_the_providers_import_no_sdk_until_they_call() -> None:
    functions = Path(__file__).resolve().parents[2] / "functions"
    probe = (
        "import sys\n"
        "import orchestrator.providers.anthropic_provider, orchestrator.providers.openai_provider\n"
        "import orchestrator.providers.bedrock_provider\n"
        "print(sorted(m for m in ('anthropic', 'openai', 'boto3') if m in sys.modules))\n"
    )
    loaded = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-c", probe], cwd=functions, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
