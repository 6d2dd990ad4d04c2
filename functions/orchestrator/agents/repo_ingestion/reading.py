"""The repository's files, kept once in the run's own data and read by every later tool."""

from __future__ import annotations

import json

from orchestrator.agents.base import AgentContext, AgentServices
from orchestrator.core.errors import InvalidRequest
from orchestrator.ingestion.archive import SourceFile


def bundle_key(services: AgentServices) -> str:
    return f"{services.run_data_prefix}source/files.json"


def load_files(context: AgentContext, services: AgentServices) -> list[SourceFile]:
    snapshot = context.output_of("repo_data_creator")
    if snapshot is None:
        raise InvalidRequest("the repository snapshot is missing (the data creator did not run)")
    raw = json.loads(services.workspace.get(snapshot["bundle_key"]))
    return [SourceFile.model_validate(entry) for entry in raw]


def language_of(path: str) -> str:
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return {"py": "python", "md": "markdown", "markdown": "markdown", "toml": "toml", "txt": "text"}.get(
        suffix, suffix or "other"
    )
