"""Searching the collection a repository-ingestion run wrote (``POST /collections/{run_id}/search``).

The collection id is the run id, and the index is derived from the caller's tenant and that id,
so a tenant can only ever search its own runs' collections: another tenant's run id is simply
not found. The query is embedded as the collection was (``ingestion.embedders``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field, field_validator

from orchestrator.core.errors import ConflictError, NotFound
from orchestrator.core.ports import RunRepository, StepResultRepository
from orchestrator.core.records import RequestModel, RunStatus, StepStatus
from orchestrator.core.vectors import VectorStore
from orchestrator.ingestion.embedders import EmbeddingInfo, embed_query

INGESTION_TEMPLATE = "repo_ingestion"
EMBED_STEP = "embed"
STORE_STEP = "store_vectors"
MAX_TOP_K = 20


class SearchRequest(RequestModel):
    query: str = Field(min_length=1, max_length=2000, description="what to look for, in plain words or code")
    top_k: int = Field(default=5, ge=1, le=MAX_TOP_K, description="how many chunks to answer")

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("query must not be blank")
        return value.strip()


class SearchHit(BaseModel):
    score: float
    path: str
    kind: str
    name: str = ""
    start_line: int
    end_line: int
    chunk_id: str
    snippet: str = ""


class SearchAnswer(BaseModel):
    run_id: str
    query: str
    embedding: dict[str, Any]
    results: list[SearchHit]


def search_collection(
    *,
    tenant_id: str,
    run_id: str,
    request: SearchRequest,
    runs: RunRepository,
    results: StepResultRepository,
    vectors: VectorStore,
    provider_factory: Callable[[str], Any],
) -> SearchAnswer:
    run = runs.get(tenant_id, run_id)  # another tenant's run: RunNotFound (404)
    if run.template != INGESTION_TEMPLATE:
        raise NotFound(f"run {run_id} is a {run.template} run: it has no collection to search")
    stored = results.get(tenant_id, run_id, STORE_STEP)
    if stored is None or stored.status is not StepStatus.SUCCEEDED:
        if run.status.is_final:
            raise NotFound(
                f"run {run_id} ended {run.status.value} without a collection (its vectors were undone)"
            )
        raise ConflictError(f"run {run_id} is {run.status.value}: its collection is not stored yet")
    if run.status is not RunStatus.SUCCEEDED and run.status.is_final:
        raise NotFound(f"run {run_id} ended {run.status.value}: its collection was undone")
    embedded = results.get(tenant_id, run_id, EMBED_STEP)
    if embedded is None or embedded.data is None:  # stored without its embedding: not searchable
        raise ConflictError(f"run {run_id} has a stored collection but no embedding result")
    info = EmbeddingInfo.model_validate(embedded.data["embedding"])
    vector = embed_query(request.query, info, provider_factory)
    matches = vectors.query(tenant_id, run_id, vector, request.top_k)
    hits = [
        SearchHit(
            score=round(match.score, 4),
            path=str(match.metadata.get("path", "")),
            kind=str(match.metadata.get("kind", "")),
            name=str(match.metadata.get("name", "")),
            start_line=int(match.metadata.get("start_line", 0)),
            end_line=int(match.metadata.get("end_line", 0)),
            chunk_id=match.key,
            snippet=str(match.metadata.get("snippet", "")),
        )
        for match in matches
    ]
    return SearchAnswer(run_id=run_id, query=request.query, embedding=info.model_dump(), results=hits)
