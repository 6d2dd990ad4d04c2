"""Agent types, by name. One Lambda function per agent type runs it.

Each family of templates has a package here (``web_development``, ``data_science``, ...: its
schemas, its agent classes, its offline answers) that lists its agents in ``AGENTS``; the
generic and showcase agents are one module each. A family's agent types share a prefix
(``web_``, ``ds_``, ...), so a function loads the one family its agent lives in, not every
schema of every family: an agent's function, the API and the lifecycle functions stay fast to
start. ``AGENTS`` loads everything on demand (synthesis, validation, tests); ``get_agent``
loads one family.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator, Mapping
from types import ModuleType

from orchestrator.agents.base import (
    ALL_EARLIER,
    Agent,
    AgentContext,
    AgentServices,
    EarlierOutput,
    RenderedPrompt,
)

FAMILIES: dict[str, str] = {
    "web_": "web_development",
    "ds_": "data_science",
    "pipeline_": "agent_pipeline",
    "sales_": "sales_calls",
    "feature_": "feature_delivery",
    "repo_": "repo_ingestion",
}
"""Agent type prefix -> the package of its family. Types without one are in ``UNPREFIXED``."""
UNPREFIXED = ("generic", "showcase")


def family_module(agent_type: str) -> str:
    """The module an agent type is declared in (by its prefix)."""
    for prefix, module in FAMILIES.items():
        if agent_type.startswith(prefix):
            return module
    return ""


class _Registry(Mapping[str, Agent]):
    """Agent instances by type, each family module imported the first time one of its agents is asked for."""

    def __init__(self) -> None:
        self._agents: dict[str, Agent] = {}
        self._loaded: set[str] = set()
        self._lock = threading.RLock()  # threads loading a family at once load it once

    def _load(self, name: str) -> None:
        if name in self._loaded:
            return
        with self._lock:
            if name not in self._loaded:
                self._load_family(name)

    def _load_family(self, name: str) -> None:
        module: ModuleType = importlib.import_module(f"orchestrator.agents.{name}")
        for cls in module.AGENTS:
            expected = family_module(cls.agent_type)
            if expected != name and not (expected == "" and name in UNPREFIXED):
                raise ValueError(
                    f"agent type {cls.agent_type!r} of {module.__name__} must start with its family's prefix "
                    f"({', '.join(p for p, m in FAMILIES.items() if m == name) or 'none'})"
                )
            if cls.agent_type in self._agents:
                raise ValueError(f"agent type {cls.agent_type!r} is declared twice ({module.__name__})")
            self._agents[cls.agent_type] = cls()
        self._loaded.add(name)

    def load_all(self) -> dict[str, Agent]:
        for name in (*UNPREFIXED, *FAMILIES.values()):
            self._load(name)
        return self._agents

    def __getitem__(self, agent_type: str) -> Agent:
        family = family_module(agent_type)
        for name in (family,) if family else UNPREFIXED:  # unprefixed: the first module declaring it
            self._load(name)
            if agent_type in self._agents:
                break
        return self._agents[agent_type]

    def __iter__(self) -> Iterator[str]:
        return iter(dict(self.load_all()))

    def __len__(self) -> int:
        return len(self.load_all())

    def __contains__(self, agent_type: object) -> bool:
        try:
            self[str(agent_type)]
        except KeyError:
            return False
        return True


AGENTS = _Registry()


def get_agent(agent_type: str) -> Agent:
    try:
        return AGENTS[agent_type]
    except KeyError:
        raise KeyError(f"unknown agent {agent_type!r}; known agents: {', '.join(sorted(AGENTS))}") from None


__all__ = [
    "AGENTS",
    "ALL_EARLIER",
    "Agent",
    "AgentContext",
    "AgentServices",
    "EarlierOutput",
    "RenderedPrompt",
    "family_module",
    "get_agent",
]
