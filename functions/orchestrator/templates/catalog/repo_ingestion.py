"""``repo_ingestion``: a repository archive becomes a searchable collection and training data.

data creator -> (code analysis | documentation analysis) -> embedding -> vector storage
             -> training data formatter
"""

from __future__ import annotations

from typing import Any

INPUTS = "orchestrator.agents.repo_ingestion.schemas:RepoIngestionInputs"
"""The model of the run's ``inputs`` (imported only where a run's inputs are checked)."""

DECLARATION: dict[str, Any] = {
    "name": "repo_ingestion",
    "title": "Repository ingestion",
    "description": (
        "Takes a repository archive (inputs.archive_upload_id from POST /uploads, or inputs.archive_url), "
        "analyses its Python code (AST) and documentation in parallel, embeds it in chunks, stores the "
        "vectors as the run's collection (POST /collections/{run_id}/search) and writes JSONL training "
        "pairs. Undoing the run deletes the collection and every object it wrote."
    ),
    "steps": [
        {"kind": "agent", "name": "source", "agent": "repo_data_creator", "title": "Take archive"},
        {
            "kind": "parallel",
            "name": "analyse",
            "title": "Analyse code and docs",
            "branches": {
                "code": [
                    {"kind": "agent", "name": "code", "agent": "repo_code_analyst", "title": "Analyse code"}
                ],
                "docs": [
                    {
                        "kind": "agent",
                        "name": "docs",
                        "agent": "repo_doc_analyst",
                        "title": "Analyse documentation",
                    }
                ],
            },
        },
        {"kind": "agent", "name": "embed", "agent": "repo_embedder", "title": "Embed chunks"},
        {"kind": "agent", "name": "store_vectors", "agent": "repo_vector_store", "title": "Store vectors"},
        {
            "kind": "agent",
            "name": "training",
            "agent": "repo_training_formatter",
            "title": "Format training data",
        },
    ],
}

DEMO: dict[str, Any] = {
    "topic": "Inventory service repository",
    "inputs": {"archive_upload_id": {"$upload_archive": "samples/repositories/inventory_service"}},
    "search": "parse the configuration file",  # the demo then searches the collection
}
