"""The repo_ingestion template in memory: archive in, analyses, a searchable collection and
training data out; undone, it leaves no object and no vector behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orchestrator.core.errors import NotFound, RunNotFound
from orchestrator.core.records import RunStatus
from orchestrator.ingestion.archive import build_archive
from orchestrator.ingestion.collection_search import SearchRequest, search_collection
from orchestrator.providers.offline import OfflineProvider
from tests.fakes.run_data import InMemoryWorkspace
from tests.fakes.vector_store import InMemoryVectorStore

from .template_world import TENANT, TemplateWorld, assert_each_side_effect_step_undone

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "repositories" / "inventory_service"
UPLOAD_ID = "0123456789abcdef0123456789abcdef"


def world(options: dict[str, Any] | None = None, **kwargs: Any) -> TemplateWorld:
    workspace = kwargs.pop("workspace", None) or InMemoryWorkspace()
    workspace.put(f"{TENANT}/uploads/{UPLOAD_ID}", build_archive(SAMPLE), "application/gzip", {})
    return TemplateWorld(
        "repo_ingestion",
        topic="Inventory service",
        inputs={"archive_upload_id": UPLOAD_ID},
        options=options,
        workspace=workspace,
        vectors=kwargs.pop("vectors", None) or InMemoryVectorStore(),
        **kwargs,
    )


def search(w: TemplateWorld, query: str, tenant: str = TENANT) -> list[dict[str, Any]]:
    answer = search_collection(
        tenant_id=tenant,
        run_id=w.run_id,
        request=SearchRequest(query=query, top_k=3),
        runs=w.runs,
        results=w.results,
        vectors=w.vectors,
        provider_factory=lambda name: OfflineProvider(),
    )
    return [hit.model_dump() for hit in answer.results]


def test_a_repository_is_analysed_embedded_stored_and_searchable() -> None:
    w = world()
    assert w.run().status is RunStatus.SUCCEEDED
    # the snapshot, the analyses, the embedding and the collection
    snapshot = w.output("source")
    assert snapshot is not None and any(f["path"] == "inventory/config.py" for f in snapshot["files"])
    code = w.output("code")["analysis"]  # type: ignore[index]
    functions = {f["name"] for m in code["modules"] for f in m["functions"]}
    assert "parse_config_file" in functions
    assert w.output("docs")["analysis"]["summary"]["documents"] >= 3  # type: ignore[index]
    assert w.output("store_vectors")["vectors"] == w.output("embed")["chunks"] > 10  # type: ignore[index]
    assert w.result("embed").metadata.provider == "none"
    # a search finds the file that defines parse_config_file among its top 3
    hits = search(w, "parse the configuration file")
    assert "inventory/config.py" in [hit["path"] for hit in hits]
    # training pairs were written as JSONL
    lines = w.artifact(f"repositories/{w.run_id}/training.jsonl").splitlines()
    assert len(lines) == w.output("training")["examples"] > 5  # type: ignore[index]
    assert all(set(json.loads(line)) == {"instruction", "input", "output"} for line in lines)


def test_another_tenant_cannot_search_the_collection() -> None:
    w = world()
    assert w.run().status is RunStatus.SUCCEEDED
    with pytest.raises(RunNotFound):
        search(w, "parse the configuration file", tenant="globex")


def test_an_undone_run_leaves_no_vectors_and_its_collection_is_gone() -> None:
    w = world({"simulate_failure": {"step": "training"}})
    outcome = w.run()
    assert outcome.status is RunStatus.COMPENSATED
    assert w.everything_undone() and w.vectors.indexes == {}  # type: ignore[union-attr]
    with pytest.raises(NotFound, match="undone"):
        search(w, "parse the configuration file")


def test_each_side_effect_step_failing_undoes_everything_before_it() -> None:
    steps = assert_each_side_effect_step_undone(lambda extra: world(extra))
    assert steps == ["code", "docs", "store_vectors", "training"]


def test_a_broken_archive_fails_the_run_with_a_clear_error() -> None:
    workspace = InMemoryWorkspace()
    w = world(workspace=workspace)
    workspace.put(f"{TENANT}/uploads/{UPLOAD_ID}", b"not an archive at all", "application/gzip", {})
    outcome = w.run()
    assert outcome.status is RunStatus.COMPENSATED
    assert type(outcome.error).__name__ == "ArchiveInvalid" and "zip, tar or tar.gz" in str(outcome.error)
