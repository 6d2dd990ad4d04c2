"""What every side-effect command is: parameters (a pydantic model), ``execute`` and an idempotent ``undo``.

A command kind is a subclass of ``Command`` with a literal ``kind``. ``execute`` returns what
its undo needs (stored in the command log as the command's outcome); ``undo`` is a class
method, because compensation works from the logged record alone (the agent and its output
are long gone by then). ``undo`` must be safe to repeat and must cope with a ``STARTED``
record, whose execution may have gone anywhere from nothing to everything.

The kinds themselves live in ``orchestrator.commands.executor`` (built-in) and in the agents' own
modules' command modules; ``orchestrator.commands.executor`` lists them all in one union.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from orchestrator.core.events import new_envelope
from orchestrator.core.records import CommandRecord, CommandStatus, StrictModel

if TYPE_CHECKING:
    from orchestrator.core.ports import EventPublisher, Workspace
    from orchestrator.core.vectors import VectorStore


def workspace_key(tenant_id: str, path: str) -> str:
    return f"{tenant_id}/{path}"


COMMAND_METADATA = "orchestrator-command"
RUN_METADATA = "orchestrator-run"


def written_by(metadata: dict[str, str], record: CommandRecord) -> bool:
    """Whether a workspace object version was written by this command of this run (command ids
    are unique within a run only: two runs writing one path must never undo each other)."""
    return metadata.get(COMMAND_METADATA) == record.command_id and metadata.get(RUN_METADATA) == record.run_id


@dataclass
class CommandContext:
    """What a command may touch while it runs or is undone: the tenant's resources only."""

    record: CommandRecord
    correlation_id: str
    workspace: Workspace
    publisher: EventPublisher
    vectors: VectorStore | None = None
    published: list[str] = field(default_factory=list)

    @property
    def tenant_id(self) -> str:
        return self.record.tenant_id

    @property
    def run_id(self) -> str:
        return self.record.run_id

    @property
    def command_id(self) -> str:
        return self.record.command_id

    def require_vectors(self) -> VectorStore:
        if self.vectors is None:
            raise RuntimeError(f"command {self.command_id} ({self.record.kind}) needs the vector store")
        return self.vectors

    def publish(self, event_type: str, payload: dict[str, Any]) -> str:
        """Publish one event about this command (tenant, run and step from the record); its id."""
        envelope = new_envelope(event_type, self, phase=self.record.result_key, payload=payload)
        self.publisher.publish(envelope)
        self.published.append(envelope.event_id)
        return envelope.event_id


class Command(StrictModel):
    """Base of every command kind."""

    kind: str
    logged_exclude: ClassVar[frozenset[str]] = frozenset()
    """Large fields kept out of the command log (their size is logged instead)."""

    def logged_params(self) -> dict[str, Any]:
        """What the command log keeps of the parameters: everything undo may need, nothing large."""
        params: dict[str, Any] = self.model_dump(mode="json", exclude=set(self.logged_exclude))
        for name in self.logged_exclude:
            value = getattr(self, name)
            params[f"{name}_bytes"] = len(value.encode("utf-8")) if isinstance(value, str) else len(value)
        return params

    def execute(self, context: CommandContext) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def undo(cls, record: CommandRecord, context: CommandContext) -> dict[str, Any]:
        raise NotImplementedError


def undo_workspace_write(record: CommandRecord, context: CommandContext, path: str) -> dict[str, Any]:
    """Delete exactly the version(s) a command wrote at ``path``, so the earlier one is current again.

    A completed command names its version; a ``STARTED`` one may have written before failing,
    so its versions are found by the command id and run id in their metadata."""
    key = workspace_key(record.tenant_id, path)
    if record.status is CommandStatus.COMPLETED and record.outcome.get("version_id"):
        versions = [record.outcome["version_id"]]
    else:
        versions = [
            version
            for found_key, version, metadata in context.workspace.versions(key)
            if found_key == key and written_by(metadata, record)
        ]
    for version in versions:
        context.workspace.delete_version(key, version)
    return {"key": key, "deleted_versions": versions}
