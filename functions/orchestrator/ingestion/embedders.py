"""Embeddings for repository search: the run's provider's embeddings API, or local feature hashing.

A provider with an embeddings API (``embed(texts, dimension)``: OpenAI and OpenAI-compatible
servers) embeds the chunks; a provider without one (Anthropic) and the offline provider use the
deterministic feature-hashing embedding, so search works with no keys and no network. What was
used is recorded with the collection (``EmbeddingInfo``) and the search embeds its query the
same way, so stored vectors and queries always share one space.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from orchestrator.ingestion.embedding import hashing_embedding

LOCAL_EMBEDDER = "local-hashing"
LOCAL_MODEL = "feature-hashing-v1"
DEFAULT_DIMENSION = 256


class EmbeddingInfo(BaseModel):
    embedder: str  # LOCAL_EMBEDDER, or the provider's name
    model: str
    dimension: int
    offline: bool

    @property
    def local(self) -> bool:
        return self.embedder == LOCAL_EMBEDDER


def embed_texts(
    texts: Sequence[str], provider: Any | None, dimension: int = DEFAULT_DIMENSION
) -> tuple[list[list[float]], EmbeddingInfo]:
    """Embed texts with the provider's embeddings API when it has one, else locally."""
    remote = getattr(provider, "embed", None) if provider is not None else None
    name = str(getattr(provider, "name", ""))
    if remote is not None and name != "offline":
        vectors, model = remote(list(texts), dimension)
        size = len(vectors[0]) if vectors else dimension  # a compatible server's model has its own size
        return vectors, EmbeddingInfo(embedder=name, model=model, dimension=size, offline=False)
    vectors = [hashing_embedding(text, dimension=dimension) for text in texts]
    info = EmbeddingInfo(embedder=LOCAL_EMBEDDER, model=LOCAL_MODEL, dimension=dimension, offline=True)
    return vectors, info


def embed_query(text: str, info: EmbeddingInfo, provider_factory: Callable[[str], Any]) -> list[float]:
    """The query's vector in the collection's own embedding space."""
    if info.local:
        return hashing_embedding(text, dimension=info.dimension)
    vectors, _ = provider_factory(info.embedder).embed([text], info.dimension)
    return list(vectors[0])
