"""Where the pipeline's executors and reporter write in the tenant's workspace."""

from __future__ import annotations

import re


def path_slug(text: str, limit: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > limit:  # cut at a word boundary when there is one
        slug = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug.strip("-") or "task"


def task_artifact(run_id: str, index: int, title: str) -> str:
    """Where the executor of map item ``index`` writes its deliverable."""
    return f"pipelines/{run_id}/tasks/{index + 1:02d}-{path_slug(title)}.md"


def report_artifact(run_id: str) -> str:
    return f"pipelines/{run_id}/report.md"
