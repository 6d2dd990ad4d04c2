"""The prompt repository: per tenant and agent type, immutable numbered versions, one active.

Every agent type ships a prompt with the code (its ``system_prompt``/``user_prompt``, numbered by
its ``prompt_version``: ``"v1"`` is version 1). A tenant's admins add versions of their own: each
is numbered after the highest existing one and never changes afterwards. Exactly one version is
active per tenant and agent type (the shipped one until another is activated); activating keeps a
bounded history, and rolling back re-activates the version active before the current one.

A run pins the active version of each of its agent types when it starts (``pin``) and uses those
versions for its whole life, whatever is activated meanwhile.

Prompt texts are ``string.Template`` text: ``$name`` or ``${name}`` placeholders only, each a name
the agent fills in (``ALLOWED_PLACEHOLDERS`` plus the names its shipped prompt uses), ``$$`` for a
literal dollar. Rendering is ``safe_substitute``: no code runs, no attribute is looked up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from string import Template
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict, Field

from orchestrator.core.errors import ConflictError, InvalidRequest, NotFound
from orchestrator.core.records import utc_now

if TYPE_CHECKING:
    from orchestrator.agents.base import Agent

ALLOWED_PLACEHOLDERS: frozenset[str] = frozenset(
    {"title", "goal", "schema", "topic", "step", "step_title", "item", "context", "facts"}
)
"""What every agent fills into its prompt (``Agent.prompt_values``)."""
AGENT_TYPE_PATTERN = r"^[a-z][a-z0-9_]{1,40}$"
MAX_PROMPT_CHARS = 20_000
"""Characters of a system or a user prompt."""
MAX_NOTE_CHARS = 500
MAX_VERSION = 999_999
"""Version numbers are stored zero-padded to six digits."""
MAX_STORED_VERSIONS = 100
"""Versions a tenant may add per agent type (keeps a listing with every text small)."""
MAX_HISTORY = 50
"""Earlier active versions remembered for rollback (the oldest are forgotten)."""
MAX_CREATE_ATTEMPTS = 16
"""A version number taken meanwhile by a concurrent creator: try the next one, this many times."""
MAX_ACTIVATE_ATTEMPTS = 5
SHIPPED_BY = "product"
SHIPPED_AT = datetime(1970, 1, 1, tzinfo=UTC)
"""``created_at`` of a shipped version (it was written with the code, not at a known time)."""

_AGENT_TYPE = re.compile(AGENT_TYPE_PATTERN)


class PromptVersion(BaseModel):
    """One immutable prompt of one agent type for one tenant."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    agent: str
    version: int = Field(ge=1, le=MAX_VERSION)
    system: str
    user: str
    note: str = ""
    created_by: str
    created_at: datetime
    shipped: bool = False
    """True: the prompt that ships with the code (never stored)."""

    @property
    def label(self) -> str:
        return f"v{self.version}"


class ActivePointer(BaseModel):
    """Which version of an agent type's prompt is active for a tenant, and which were before."""

    model_config = ConfigDict(frozen=True)

    agent: str
    version: int = Field(ge=1, le=MAX_VERSION)
    previous: list[int] = Field(default_factory=list, max_length=MAX_HISTORY)
    """Versions active before this one, newest last (what ``rollback`` goes back to)."""
    updated_by: str
    updated_at: datetime
    revision: int = Field(ge=1)
    """Incremented by every change: a change is written only if nobody changed it meanwhile."""


@dataclass(frozen=True)
class PromptSummary:
    """What the store holds for one agent type, without the texts."""

    active: ActivePointer | None
    numbers: list[int]
    """The stored version numbers, ascending."""


@dataclass(frozen=True)
class AgentPrompts:
    """One agent type's prompts at a glance (``GET /prompts``)."""

    agent: str
    title: str
    uses_model: bool
    shipped_version: int
    active_version: int
    latest_version: int
    versions: int


class PromptStore(Protocol):
    """Where versions and active pointers live. Every method is scoped to one tenant."""

    def list_versions(self, tenant_id: str, agent: str) -> list[PromptVersion]:
        """Every stored version, oldest first."""
        ...

    def get_version(self, tenant_id: str, agent: str, version: int) -> PromptVersion | None: ...

    def create_version(self, version: PromptVersion) -> None:
        """Store a new version; ``ConflictError`` if its number exists (versions are immutable)."""
        ...

    def summary(self, tenant_id: str, agent: str) -> PromptSummary:
        """The active pointer and the stored version numbers (no texts)."""
        ...

    def get_active(self, tenant_id: str, agent: str) -> ActivePointer | None: ...

    def set_active(
        self, tenant_id: str, agent: str, pointer: ActivePointer, expected_revision: int | None
    ) -> None:
        """Write the pointer if the stored one still has ``expected_revision`` (None: if there is
        none yet); else ``ConflictError``."""
        ...


def placeholders_of(text: str) -> set[str]:
    """The placeholder names a template text uses."""
    return {
        match.group("named") or match.group("braced")
        for match in Template.pattern.finditer(text)
        if match.group("named") or match.group("braced")
    }


def check_template_text(
    text: str,
    where: str,
    allowed: Iterable[str] = ALLOWED_PLACEHOLDERS,
    max_chars: int = MAX_PROMPT_CHARS,
) -> str:
    """``text`` if it is a safe prompt template, else ``InvalidRequest`` naming ``where`` and the
    offending part: an unknown placeholder, a ``$`` that starts none, or too many characters."""
    names = sorted(set(allowed))
    hint = f"use one of {', '.join('$' + name for name in names)}, or $$ for a literal '$'"
    if not text.strip():
        raise InvalidRequest(f"{where} is empty")
    if len(text) > max_chars:
        raise InvalidRequest(f"{where} has {len(text)} characters: at most {max_chars} are allowed")
    for match in Template.pattern.finditer(text):
        name = match.group("named") or match.group("braced")
        if name and name not in names:
            raise InvalidRequest(f"{where}: ${name} is not a placeholder this agent fills in; {hint}")
        if match.group("invalid") is not None:
            line = text.count("\n", 0, match.start()) + 1
            column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            following = text[match.start() : match.start() + 20].split("\n")[0]
            raise InvalidRequest(
                f"{where}: {following!r} at line {line}, column {column} is not a placeholder; {hint}"
            )
    return text


class PromptLibrary:
    """Prompt versions of every agent type for every tenant, over a ``PromptStore``."""

    def __init__(self, store: PromptStore, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._clock = clock

    # --- reading ---------------------------------------------------------------------------
    def shipped(self, agent_type: str, tenant_id: str = "") -> PromptVersion:
        """The prompt that ships with the code for this agent type."""
        agent = known_agent(agent_type)
        return PromptVersion(
            tenant_id=tenant_id,
            agent=agent_type,
            version=_shipped_number(agent),
            system=agent.system_prompt,
            user=agent.user_prompt,
            note="ships with the product",
            created_by=SHIPPED_BY,
            created_at=SHIPPED_AT,
            shipped=True,
        )

    def active_pointer(self, tenant_id: str, agent_type: str) -> ActivePointer | None:
        """The stored pointer (None: nothing was ever activated, the shipped version is active)."""
        known_agent(agent_type)
        return self._store.get_active(tenant_id, agent_type)

    def active(self, tenant_id: str, agent_type: str) -> PromptVersion:
        """The active version (the shipped one until another is activated)."""
        pointer = self.active_pointer(tenant_id, agent_type)
        if pointer is None:
            return self.shipped(agent_type, tenant_id)
        return self.version(tenant_id, agent_type, pointer.version)

    def version(self, tenant_id: str, agent_type: str, version: int) -> PromptVersion:
        """One version (a stored one, or the shipped one by its number); ``NotFound`` if none."""
        agent = known_agent(agent_type)
        stored = (
            self._store.get_version(tenant_id, agent_type, version) if 1 <= version <= MAX_VERSION else None
        )
        if stored is not None:
            return stored
        if version == _shipped_number(agent):
            return self.shipped(agent_type, tenant_id)
        raise NotFound(
            f"agent {agent_type} has no prompt version {version}: GET /prompts/{agent_type} lists them"
        )

    def versions(self, tenant_id: str, agent_type: str) -> list[PromptVersion]:
        """Every version, the shipped one first, then the tenant's own, oldest first. A stored version
        with the shipped number (the code's numbering moved on) replaces the shipped one."""
        shipped = self.shipped(agent_type, tenant_id)
        stored = self._store.list_versions(tenant_id, agent_type)
        if any(version.version == shipped.version for version in stored):
            return stored
        return [shipped, *stored]

    def overview(self, tenant_id: str, agent_types: Iterable[str] | None = None) -> list[AgentPrompts]:
        """Every agent type of the product (or those named), with its active and latest version."""
        from orchestrator.agents import AGENTS

        overview = []
        for agent_type in sorted(AGENTS) if agent_types is None else agent_types:
            agent = known_agent(agent_type)
            shipped = _shipped_number(agent)
            summary = self._store.summary(tenant_id, agent_type)
            numbers = set(summary.numbers) | {shipped}
            overview.append(
                AgentPrompts(
                    agent=agent_type,
                    title=agent.title,
                    uses_model=agent.uses_model,
                    shipped_version=shipped,
                    active_version=summary.active.version if summary.active else shipped,
                    latest_version=max(numbers),
                    versions=len(numbers),
                )
            )
        return overview

    def pin(self, tenant_id: str, agent_types: Iterable[str]) -> dict[str, int]:
        """The active version number of each agent type: what a run uses for its whole life."""
        return self.pin_active(tenant_id, agent_types)[0]

    def pin_active(self, tenant_id: str, agent_types: Iterable[str]) -> tuple[dict[str, int], list[str]]:
        """``pin``, and the agent types whose active version is the shipped one (none activated)."""
        pinned: dict[str, int] = {}
        shipped: list[str] = []
        for agent_type in agent_types:
            if agent_type not in pinned:
                pointer = self.active_pointer(tenant_id, agent_type)
                pinned[agent_type] = pointer.version if pointer else _shipped_number(known_agent(agent_type))
                if pointer is None:
                    shipped.append(agent_type)
        return pinned, shipped

    def is_shipped(self, agent_type: str, version: int) -> bool:
        """Whether ``version`` is the number the shipped prompt of ``agent_type`` has."""
        return version == _shipped_number(known_agent(agent_type))

    # --- changing --------------------------------------------------------------------------
    def create(
        self,
        tenant_id: str,
        agent_type: str,
        system: str,
        user: str,
        note: str,
        created_by: str,
        activate: bool = False,
    ) -> PromptVersion:
        """Add a version numbered after the highest existing one (and activate it if asked)."""
        agent = known_agent(agent_type)
        if not agent.uses_model:
            raise InvalidRequest(
                f"agent {agent_type} is a tool: it calls no model, so it has no prompt to change"
            )
        allowed = allowed_placeholders(agent)
        check_template_text(system, "system", allowed)
        check_template_text(user, "user", allowed)
        if len(note) > MAX_NOTE_CHARS:
            raise InvalidRequest(f"note has {len(note)} characters: at most {MAX_NOTE_CHARS} are allowed")
        stored = self._store.summary(tenant_id, agent_type).numbers
        if len(stored) >= MAX_STORED_VERSIONS:
            raise ConflictError(
                f"agent {agent_type} already has {len(stored)} prompt versions, the most a tenant may add"
            )
        number = max([*stored, _shipped_number(agent)]) + 1
        for _ in range(MAX_CREATE_ATTEMPTS):
            if number > MAX_VERSION:
                break
            candidate = PromptVersion(
                tenant_id=tenant_id,
                agent=agent_type,
                version=number,
                system=system,
                user=user,
                note=note,
                created_by=created_by,
                created_at=self._clock(),
            )
            try:
                self._store.create_version(candidate)
            except ConflictError:  # a concurrent creator took this number: the next one may be free
                number += 1
                continue
            if activate:
                self.activate(tenant_id, agent_type, number, created_by)
            return candidate
        raise ConflictError(f"could not number a new prompt version of agent {agent_type}: retry shortly")

    def activate(self, tenant_id: str, agent_type: str, version: int, by: str) -> ActivePointer:
        """Make ``version`` the active one (it must exist). Activating the active version changes nothing."""
        agent = known_agent(agent_type)
        self.version(tenant_id, agent_type, version)
        for _ in range(MAX_ACTIVATE_ATTEMPTS):
            current = self._store.get_active(tenant_id, agent_type)
            if current is not None and current.version == version:
                return current
            active_now = current.version if current else _shipped_number(agent)
            history = [*current.previous, active_now] if current else [active_now]
            if active_now == version:  # nothing stored yet and the shipped version asked for
                history = []
            pointer = ActivePointer(
                agent=agent_type,
                version=version,
                previous=history[-MAX_HISTORY:],
                updated_by=by,
                updated_at=self._clock(),
                revision=current.revision + 1 if current else 1,
            )
            try:
                self._store.set_active(tenant_id, agent_type, pointer, current.revision if current else None)
            except ConflictError:  # changed meanwhile: the target is absolute, so look again
                continue
            return pointer
        raise ConflictError(f"the active prompt of agent {agent_type} keeps changing: retry shortly")

    def rollback(self, tenant_id: str, agent_type: str, by: str) -> ActivePointer:
        """Re-activate the version that was active before the current one."""
        agent = known_agent(agent_type)
        current = self._store.get_active(tenant_id, agent_type)
        if current is None or not current.previous:
            active_now = current.version if current else _shipped_number(agent)
            raise ConflictError(
                f"nothing to roll back to: no version of agent {agent_type}'s prompt was active before "
                f"v{active_now}"
            )
        pointer = ActivePointer(
            agent=agent_type,
            version=current.previous[-1],
            previous=current.previous[:-1],
            updated_by=by,
            updated_at=self._clock(),
            revision=current.revision + 1,
        )
        # relative to what was read: a change meanwhile is the caller's to look at (ConflictError)
        self._store.set_active(tenant_id, agent_type, pointer, current.revision)
        return pointer

    # --- using -----------------------------------------------------------------------------
    @staticmethod
    def render(version: PromptVersion, values: dict[str, str]) -> tuple[str, str]:
        """The system and user prompt with the values filled in: ``$name`` substitution only (an
        unknown placeholder stays as written), no code and no attribute access."""
        return (
            Template(version.system).safe_substitute(values),
            Template(version.user).safe_substitute(values),
        )


def allowed_placeholders(agent: Agent) -> frozenset[str]:
    """What this agent fills in: every agent's names plus those its shipped prompt uses."""
    return ALLOWED_PLACEHOLDERS | placeholders_of(agent.system_prompt) | placeholders_of(agent.user_prompt)


def _shipped_number(agent: Agent) -> int:
    digits = agent.prompt_version.lstrip("v")
    return int(digits) if digits.isdigit() and int(digits) >= 1 else 1


def known_agent(agent_type: str) -> Agent:
    """The agent of this type; ``NotFound`` (404) naming it when no agent type has that name."""
    from orchestrator.agents import AGENTS

    if not _AGENT_TYPE.match(agent_type or ""):
        raise NotFound(
            f"no agent type {agent_type[:64]!r}: agent types are lowercase letters, digits and '_'"
        )
    try:
        return AGENTS[agent_type]
    except KeyError:
        raise NotFound(f"no agent type {agent_type!r}: GET /prompts lists them") from None
