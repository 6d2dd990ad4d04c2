"""The model response cache: an answer already paid for is served again for the same request.

A cached answer belongs to one tenant and is found by :func:`cache_key`: a hash of everything
that shapes the answer (provider, model, prompt version, system and user prompt, schema,
temperature, token limit) plus the *generation* of the agent's cache. Invalidation never
deletes anything: it bumps a counter, so the generation and with it every key change, the old
entries are never read again and expire through the table's TTL (no scan, no bulk delete).

Two counters make a generation, e.g. ``"a3.p1"``: the agent's (bumped by "forget everything
this agent answered") and the agent's prompt version's (bumped by "forget what prompt v4
answered").
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field

from orchestrator.core.errors import InvalidRequest
from orchestrator.core.records import TokenUsage
from orchestrator.providers.base import ModelRequest, ModelResponse, request_digest

AGENT_PATTERN = r"^[a-z][a-z0-9_]{1,40}$"
PROMPT_VERSION_PATTERN = r"^v[0-9]{1,6}$"
_AGENT = re.compile(AGENT_PATTERN)
_PROMPT_VERSION = re.compile(PROMPT_VERSION_PATTERN)


def cache_key(provider: str, model: str, request: ModelRequest, generation: str) -> str:
    """``request_digest`` with the agent's cache generation: the same question asked by another
    step of another run is the same question, until an admin invalidates the agent's answers."""
    return request_digest(provider, model, request, generation=generation)


def check_agent(agent: str) -> str:
    if not isinstance(agent, str) or not _AGENT.match(agent):
        raise InvalidRequest(
            f"agent {str(agent)[:64]!r} is not an agent name: 2-41 lowercase letters, digits or '_', "
            "starting with a letter"
        )
    return agent


def check_prompt_version(prompt_version: str) -> str:
    if not isinstance(prompt_version, str) or not _PROMPT_VERSION.match(prompt_version):
        raise InvalidRequest(
            f"prompt version {str(prompt_version)[:64]!r} is not a prompt version: 'v' and 1-6 digits"
        )
    return prompt_version


def generation_of(agent_counter: int, version_counter: int) -> str:
    """The generation two counters make: ``"a<agent counter>.p<version counter>"``."""
    return f"a{agent_counter}.p{version_counter}"


class CachedAnswer(BaseModel):
    """A provider's answer as cached: what it said and what it cost when it was first asked."""

    text: str
    data: dict[str, Any] | None = None
    usage: TokenUsage = Field(default_factory=TokenUsage)
    provider: str
    model: str
    cost_usd: float = 0.0
    agent: str
    prompt_version: str
    created_at: datetime

    @classmethod
    def of(cls, response: ModelResponse, *, agent: str, prompt_version: str, at: datetime) -> CachedAnswer:
        return cls(
            text=response.text,
            data=response.data,
            usage=response.usage,
            provider=response.provider,
            model=response.model,
            cost_usd=response.cost_usd,
            agent=agent,
            prompt_version=prompt_version,
            created_at=at,
        )

    def to_response(self) -> ModelResponse:
        """The answer as a provider response served from the cache: no call made, nothing spent
        (``usage`` and ``cost_usd`` of this object still say what the first call cost)."""
        return ModelResponse(
            text=self.text,
            provider=self.provider,
            model=self.model,
            usage=TokenUsage(),
            cost_usd=0.0,
            data=self.data,
            calls=0,
        )


class ResponseCache(Protocol):
    """Tenant-scoped cached answers with generation-based invalidation."""

    def get(self, tenant_id: str, key: str) -> CachedAnswer | None:
        """The answer cached under ``key`` for the tenant, or None (absent or expired)."""
        ...

    def put(self, tenant_id: str, key: str, answer: CachedAnswer, ttl_seconds: int) -> None:
        """Cache an answer for ``ttl_seconds`` (0 or less: not cached; too large: skipped quietly)."""
        ...

    def generation(self, tenant_id: str, agent: str, prompt_version: str) -> str:
        """The current generation of the agent's prompt version, e.g. ``"a3.p1"`` (part of the key)."""
        ...

    def invalidate(self, tenant_id: str, agent: str, prompt_version: str | None) -> str:
        """Forget the agent's cached answers (all of them, or those of one prompt version) by
        bumping a counter. Answers the new generation: ``"a4.p2"`` for a prompt version, ``"a4"``
        (the part every version's generation now begins with) for the whole agent."""
        ...
