"""``generic``: seven phases from an idea to a deployment plan, each reading every earlier summary."""

from __future__ import annotations

from typing import Any

PHASES = ("ideation", "research", "design", "development", "execution", "review", "deployment")

DECLARATION: dict[str, Any] = {
    "name": "generic",
    "title": "Ideation to deployment",
    "description": "Seven phases that take a topic from an idea to a deployed, reviewed result.",
    "steps": [{"kind": "agent", "name": phase, "agent": phase} for phase in PHASES],
}
