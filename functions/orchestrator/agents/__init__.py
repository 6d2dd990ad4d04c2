"""Agent types, by name. One Lambda function per agent type runs it."""

from __future__ import annotations

from orchestrator.agents.base import ALL_EARLIER, Agent, AgentContext, EarlierOutput, RenderedPrompt
from orchestrator.agents.generic import GENERIC_AGENTS
from orchestrator.agents.showcase import SHOWCASE_AGENTS

AGENTS: dict[str, Agent] = {cls.agent_type: cls() for cls in (*GENERIC_AGENTS, *SHOWCASE_AGENTS)}


def get_agent(agent_type: str) -> Agent:
    try:
        return AGENTS[agent_type]
    except KeyError:
        raise KeyError(f"unknown agent {agent_type!r}; known agents: {', '.join(sorted(AGENTS))}") from None


__all__ = ["AGENTS", "ALL_EARLIER", "Agent", "AgentContext", "EarlierOutput", "RenderedPrompt", "get_agent"]
