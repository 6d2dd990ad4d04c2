"""Embeddings through a provider's embeddings API (the real openai SDK over a mocked HTTP
transport), or offline by feature hashing; the search embeds its query the same way."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import openai
import pytest

from orchestrator.core.errors import ProviderThrottled
from orchestrator.ingestion.embedders import LOCAL_EMBEDDER, embed_query, embed_texts
from orchestrator.providers.anthropic_provider import AnthropicProvider
from orchestrator.providers.offline import OfflineProvider
from orchestrator.providers.openai_provider import OpenAIProvider


def _client(handler: Any) -> openai.OpenAI:
    return openai.OpenAI(
        api_key="sk-test",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )


def test_openai_embeds_in_batches_in_order_with_the_requested_dimension() -> None:
    requests: list[dict[str, Any]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        requests.append(body)
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(text)), 1.0, 0.0]}
            for i, text in reversed(list(enumerate(body["input"])))  # out of order on purpose
        ]
        usage = {"prompt_tokens": 1, "total_tokens": 1}
        return httpx2.Response(
            200, json={"object": "list", "data": data, "model": body["model"], "usage": usage}
        )

    provider = OpenAIProvider(api_key="sk-test", client=_client(handler))
    texts = ["a" * n for n in range(1, 301)]
    vectors, info = embed_texts(texts, provider, 3)
    assert [len(r["input"]) for r in requests] == [256, 44] and requests[0]["dimensions"] == 3
    assert [v[0] for v in vectors] == [float(n) for n in range(1, 301)]
    assert info.embedder == "openai" and info.model == "text-embedding-3-small" and not info.offline


def test_a_throttled_embeddings_call_is_a_named_transient_error() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(429, json={"error": {"message": "slow down"}}, headers={"retry-after": "1"})

    with pytest.raises(ProviderThrottled):
        OpenAIProvider(api_key="sk-test", client=_client(handler)).embed(["x"], 8)


@pytest.mark.parametrize("provider", [OfflineProvider(), AnthropicProvider(api_key="k"), None])
def test_providers_without_an_embeddings_api_embed_offline_by_feature_hashing(provider: Any) -> None:
    vectors, info = embed_texts(["def parse_config_file(path): ..."], provider, 64)
    assert info.embedder == LOCAL_EMBEDDER and info.offline and len(vectors[0]) == 64
    # the query is embedded the same way, without any provider
    assert embed_query("def parse_config_file(path): ...", info, lambda name: None) == vectors[0]
