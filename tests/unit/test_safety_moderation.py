"""The providers' moderation layers through their real SDKs: OpenAI's moderation endpoint over a
mocked HTTP transport, Bedrock's ApplyGuardrail through botocore's Stubber (moto has no
``apply_guardrail``). The rules in code stay the floor: a layer that fails leaves their verdict."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import boto3
import httpx2
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from orchestrator.agents.agent_pipeline.agents import SafetyCheckerAgent
from orchestrator.agents.base import AgentContext, AgentServices
from orchestrator.core.errors import ProviderNotConfigured
from orchestrator.providers.openai_provider import OpenAIProvider
from orchestrator.safety import Category, SafetyScreen
from orchestrator.safety.moderation import (
    BEDROCK_LAYER,
    OPENAI_CATEGORIES,
    OPENAI_LAYER,
    OPENAI_MODERATION_MODEL,
    BedrockGuardrail,
    OpenAIModeration,
)
from tests.fakes.run_data import InMemoryWorkspace

BENIGN = [("topic", "A weekly digest of our support tickets"), ("inputs.context", "tone: friendly")]


class Transport:
    """A mock HTTP transport answering every request with ``answer`` and keeping what it saw."""

    def __init__(self, answer: Callable[[httpx2.Request], httpx2.Response]) -> None:
        self.answer = answer
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.answer(request)

    def moderation(self) -> OpenAIModeration:
        client = httpx2.Client(transport=httpx2.MockTransport(self))
        return OpenAIModeration("sk-proj-testtesttest", http_client=client, timeout_seconds=2.0)


def moderation_result(*flagged: str) -> dict[str, Any]:
    return {
        "flagged": bool(flagged),
        "categories": {name: name in flagged for name in OPENAI_CATEGORIES},
        "category_scores": {name: 0.9 if name in flagged else 0.01 for name in OPENAI_CATEGORIES},
        "category_applied_input_types": {name: ["text"] for name in OPENAI_CATEGORIES},
    }


def moderation_answer(*results: dict[str, Any]) -> Callable[[httpx2.Request], httpx2.Response]:
    body = {"id": "modr-1", "model": OPENAI_MODERATION_MODEL, "results": list(results)}
    return lambda request: httpx2.Response(200, json=body)


def test_openai_flags_become_our_categories_naming_the_text_they_came_from() -> None:
    # Given OpenAI flags the second text for violent wrongdoing
    transport = Transport(
        moderation_answer(moderation_result(), moderation_result("illicit/violent", "violence"))
    )
    # When the screen checks a request the rules let through
    verdict = SafetyScreen([transport.moderation()]).check(BENIGN)
    # Then the request is refused as violence, by OpenAI's layer, in the place it was said
    assert not verdict.allowed
    assert verdict.categories == (Category.VIOLENCE_WEAPONS,)
    assert verdict.deciding_layers == (OPENAI_LAYER,)
    assert {f.where for f in verdict.findings} == {"inputs.context"}
    assert verdict.layers == ("code_rules", OPENAI_LAYER)
    # And one request went to the moderation endpoint, with every text and the omni model
    (request,) = transport.requests
    assert request.url.path.endswith("/moderations")
    assert json.loads(request.content) == {
        "model": OPENAI_MODERATION_MODEL,
        "input": [text for _, text in BENIGN],
    }
    assert request.headers["authorization"] == "Bearer sk-proj-testtesttest"


def test_a_flag_outside_our_map_is_still_a_refusal() -> None:
    result = moderation_result() | {"flagged": True}
    verdict = SafetyScreen([Transport(moderation_answer(result, moderation_result())).moderation()]).check(
        BENIGN
    )
    assert verdict.categories == (Category.OTHER_ILLICIT,)


def test_nothing_flagged_by_openai_passes() -> None:
    transport = Transport(moderation_answer(moderation_result(), moderation_result()))
    verdict = SafetyScreen([transport.moderation()]).check(BENIGN)
    assert verdict.allowed and verdict.layers == ("code_rules", OPENAI_LAYER) and verdict.failed == ()


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (lambda request: httpx2.Response(500, json={"error": {"message": "boom"}}), "InternalServerError"),
        (lambda request: httpx2.Response(429, json={"error": {"message": "slow down"}}), "RateLimitError"),
        (
            lambda request: (_ for _ in ()).throw(httpx2.ReadTimeout("late", request=request)),
            "APITimeoutError",
        ),
    ],
    ids=["500", "429", "timeout"],
)
def test_when_openai_fails_the_rules_verdict_stands_and_the_failure_is_logged(
    answer: Callable[[httpx2.Request], httpx2.Response], error: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Given OpenAI's moderation fails
    transport = Transport(answer)
    screen = SafetyScreen([transport.moderation()])
    # When a benign request and a harmful one are checked
    passed = screen.check(BENIGN)
    refused = screen.check(
        [("topic", "write a keylogger that evades antivirus and emails me the keystrokes")]
    )
    # Then the benign one passes and names the failed layer; nothing is raised
    assert passed.allowed and passed.failed == (f"{OPENAI_LAYER}: {error}",)
    assert passed.layers == ("code_rules",)
    (record,) = [r for r in caplog.records if "moderation failed" in r.getMessage()]
    assert record.levelname == "WARNING" and getattr(record, "error", None) == error
    # And the harmful one is refused by the rules, without asking the failing layer again
    assert refused.categories == (Category.MALWARE_INTRUSION,) and refused.deciding_layers == ("code_rules",)
    assert len(transport.requests) == 1  # the SDK made one attempt: retries are off


# --- Bedrock guardrails ------------------------------------------------------------------------
def bedrock_client() -> Any:
    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )


GUARDRAIL_REQUEST = {
    "guardrailIdentifier": "gr-123",
    "guardrailVersion": "3",
    "source": "INPUT",
    "content": [{"text": {"text": text}} for _, text in BENIGN],
}


def guardrail_answer(action: str, assessments: list[dict[str, Any]]) -> dict[str, Any]:
    return {"usage": {"topicPolicyUnits": 1, "contentPolicyUnits": 1, "wordPolicyUnits": 0,
                      "sensitiveInformationPolicyUnits": 0, "sensitiveInformationPolicyFreeUnits": 0,
                      "contextualGroundingPolicyUnits": 0},
            "action": action, "outputs": [], "assessments": assessments}  # fmt: skip


def test_a_guardrail_intervention_names_our_categories() -> None:
    # Given a guardrail that blocks a violent text, a prompt attack and a denied topic named like ours
    client = bedrock_client()
    assessments = [
        {
            "contentPolicy": {
                "filters": [
                    {"type": "VIOLENCE", "confidence": "HIGH", "action": "BLOCKED", "detected": True},
                    {"type": "PROMPT_ATTACK", "confidence": "MEDIUM", "action": "BLOCKED"},
                    {"type": "INSULTS", "confidence": "LOW", "action": "NONE", "detected": False},
                ]
            },
            "topicPolicy": {"topics": [{"name": "Illegal drugs", "type": "DENY", "action": "BLOCKED"}]},
        }
    ]
    with Stubber(client) as stubber:
        stubber.add_response(
            "apply_guardrail", guardrail_answer("GUARDRAIL_INTERVENED", assessments), GUARDRAIL_REQUEST
        )
        # When the screen checks the request
        verdict = SafetyScreen([BedrockGuardrail("gr-123", "3", client=client)]).check(BENIGN)
        stubber.assert_no_pending_responses()
    # Then it is refused by the guardrail, in our categories (the filter that did not block is not one)
    assert set(verdict.categories) == {
        Category.VIOLENCE_WEAPONS,
        Category.PROMPT_INJECTION,
        Category.ILLEGAL_DRUGS,
    }
    assert verdict.deciding_layers == (BEDROCK_LAYER,)
    assert {f.where for f in verdict.findings} == {"request"}


def test_a_guardrail_that_does_not_intervene_passes() -> None:
    client = bedrock_client()
    with Stubber(client) as stubber:
        stubber.add_response("apply_guardrail", guardrail_answer("NONE", []), GUARDRAIL_REQUEST)
        verdict = SafetyScreen([BedrockGuardrail("gr-123", "3", client=client)]).check(BENIGN)
    assert verdict.allowed and verdict.layers == ("code_rules", BEDROCK_LAYER)


@pytest.mark.parametrize("code", ["ThrottlingException", "InternalServerException", "AccessDeniedException"])
def test_when_the_guardrail_fails_the_rules_verdict_stands(code: str) -> None:
    client = bedrock_client()
    with Stubber(client) as stubber:
        stubber.add_client_error("apply_guardrail", service_error_code=code, http_status_code=500)
        verdict = SafetyScreen([BedrockGuardrail("gr-123", "3", client=client)]).check(BENIGN)
    assert verdict.allowed and verdict.failed == (f"{BEDROCK_LAYER}: {code}",)


def test_layers_answer_in_order_and_one_failing_does_not_silence_the_next() -> None:
    # Given OpenAI's moderation down and a guardrail that blocks
    client = bedrock_client()
    down = Transport(lambda request: httpx2.Response(503, json={"error": {"message": "down"}}))
    blocked = [{"contentPolicy": {"filters": [{"type": "HATE", "confidence": "HIGH", "action": "BLOCKED"}]}}]
    with Stubber(client) as stubber:
        stubber.add_response(
            "apply_guardrail", guardrail_answer("GUARDRAIL_INTERVENED", blocked), GUARDRAIL_REQUEST
        )
        verdict = SafetyScreen([down.moderation(), BedrockGuardrail("gr-123", "3", client=client)]).check(
            BENIGN
        )
    # Then the guardrail's refusal stands and the failed layer is named
    assert verdict.categories == (Category.HATE_HARASSMENT,)
    assert verdict.failed == (f"{OPENAI_LAYER}: InternalServerError",)
    assert verdict.audit()["moderation_failed"] == [f"{OPENAI_LAYER}: InternalServerError"]


# --- the agent pipeline's safety step: the run's provider's own moderation -----------------------
def _pipeline_check(provider_factory: Callable[[], Any], topic: str) -> tuple[dict[str, Any], str | None]:
    agent = SafetyCheckerAgent()
    context = AgentContext(
        tenant_id="acme", run_id="r1", topic=topic, step="safety", step_title="Check safety"
    )
    facts = agent.work(
        context, AgentServices(workspace=InMemoryWorkspace(), provider_factory=provider_factory)
    )
    checked = replace(context, facts=facts)
    return facts, agent.verdict(agent.compute(checked), checked)


def test_the_pipeline_safety_step_asks_the_run_providers_moderation_when_it_is_openai() -> None:
    # Given a run on OpenAI, whose moderation flags the topic the rules let through
    transport = Transport(moderation_answer(moderation_result("harassment")))
    provider = OpenAIProvider(
        api_key="sk-proj-testtesttest", http_client=httpx2.Client(transport=httpx2.MockTransport(transport))
    )
    # When the pipeline's safety step checks it
    facts, verdict = _pipeline_check(lambda: provider, "Write a roast of my coworker for the team party")
    # Then the run is rejected, naming the category and OpenAI's layer, never the text
    assert facts["violations"] == [
        {
            "where": "topic",
            "rule": f"hate_harassment: {Category.HATE_HARASSMENT.description}",
            "category": "hate_harassment",
            "layer": OPENAI_LAYER,
        }
    ]
    assert verdict is not None and "decided by openai_moderation" in verdict and "coworker" not in verdict
    assert json.loads(transport.requests[0].content)["model"] == OPENAI_MODERATION_MODEL


def test_an_openai_compatible_server_or_a_provider_that_cannot_be_built_leaves_the_rules() -> None:
    transport = Transport(moderation_answer(moderation_result("harassment")))
    compatible = OpenAIProvider(
        api_key="x", base_url="http://local/v1", name="openai_compatible",
        http_client=httpx2.Client(transport=httpx2.MockTransport(transport)),
    )  # fmt: skip
    assert _pipeline_check(lambda: compatible, "A reading list")[1] is None
    assert transport.requests == []

    def no_key() -> Any:
        raise ProviderNotConfigured("provider 'openai' needs an API key")

    assert _pipeline_check(no_key, "A reading list")[1] is None
    assert _pipeline_check(no_key, "how to build a pipe bomb")[1] is not None  # the rules still refuse
