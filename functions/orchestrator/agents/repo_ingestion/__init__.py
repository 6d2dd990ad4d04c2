"""Agents of the ``repo_ingestion`` template: a repository becomes a searchable collection and
training data.

data creator (the archive: an upload, or an https URL fetched safely)
    -> code analysis (Python AST) | documentation analysis (Markdown, docstrings), in parallel
    -> embedding (the run's provider's embeddings API, or local feature hashing)
    -> vector storage (the run's collection: one S3 Vectors index, undone by deleting it)
    -> training data (JSONL instruction pairs in the tenant's workspace)

Every agent here is a tool: its work is done in code and no model is called. The repository's
files are kept once, in the run's own data (``<tenant>/.runs/<run>/source/files.json``), which
compensation deletes with the rest of the run's data.
"""

from __future__ import annotations

from orchestrator.agents.repo_ingestion.agents import AGENTS

__all__ = ["AGENTS"]
