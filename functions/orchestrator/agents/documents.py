"""Markdown building blocks for the documents project agents write (tables, sections, artifacts)."""

from __future__ import annotations

from collections.abc import Sequence

from orchestrator.agents.base import AgentContext
from orchestrator.commands.executor import WriteArtifact


def clip(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters (an ellipsis marks a cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def cell(text: object) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def table(headers: list[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    return lines + ["| " + " | ".join(cell(value) or " " for value in row) + " |" for row in rows]


def section(title: str, body: list[str]) -> list[str]:
    return ["", f"## {title}", "", *body]


def project_artifact(context: AgentContext, name: str, lines: list[str]) -> WriteArtifact:
    """A document of the run's project: ``projects/<run id>/<name>`` in the tenant's workspace."""
    return WriteArtifact(path=f"projects/{context.run_id}/{name}", content="\n".join(lines) + "\n")
