"""Versioned prompts per agent type and their rendering.

Every phase asks for the same structured answer (``PhaseOutput``) so that results are
validated the same way whatever the provider. Prompts carry a version that is recorded
in each phase result's metadata.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from string import Template as StringTemplate

from orchestrator.models import PhaseOutput

PROMPT_VERSION = "v1"

SYSTEM_PROMPT = (
    "You are the ${title} agent of a multi-phase AI orchestration. Answer with one JSON object "
    "and nothing else, matching this JSON schema:\n${schema}"
)

USER_PROMPT = (
    "Topic: ${topic}\n"
    "Phase: ${title} (${phase}, phase ${position} of ${total}).\n"
    "Goal: ${goal}\n"
    "What earlier phases concluded:\n${context}\n"
    "Keep the summary under 280 characters; list concrete deliverables and risks."
)


@dataclass(frozen=True)
class RenderedPrompt:
    system: str
    user: str
    version: str


def output_schema() -> str:
    return json.dumps(PhaseOutput.model_json_schema(), separators=(",", ":"))


def render_prompt(
    *,
    phase: str,
    title: str,
    goal: str,
    topic: str,
    position: int,
    total: int,
    earlier: list[tuple[str, str]],
) -> RenderedPrompt:
    context = "\n".join(f"- {name}: {summary}" for name, summary in earlier) or "- (this is the first phase)"
    values = {
        "phase": phase,
        "title": title,
        "goal": goal,
        "topic": topic,
        "position": position,
        "total": total,
        "context": context,
        "schema": output_schema(),
    }
    return RenderedPrompt(
        system=StringTemplate(SYSTEM_PROMPT).safe_substitute(values),
        user=StringTemplate(USER_PROMPT).safe_substitute(values),
        version=PROMPT_VERSION,
    )
