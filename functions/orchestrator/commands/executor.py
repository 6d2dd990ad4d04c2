"""Side effects are commands: each has an ``execute`` and an idempotent ``undo``.

An agent returns command specs; the runner writes each to the run's command log before
it runs (``STARTED``) and after (``COMPLETED``, with what undo needs), and compensation
undoes every command that may have run, newest completion first (``UNDONE``).

Built-in commands:

- ``write_artifact``: writes ``<tenant>/<path>`` in the tenant's workspace (a versioned S3
  bucket). Undo deletes exactly the version this command wrote, so whatever was there
  before is current again, and a path that did not exist is gone without a trace.
- ``publish_integration``: publishes ``INTEGRATION_EXECUTED``; undo publishes its reversal
  ``INTEGRATION_REVERTED`` naming the same command, so consumers can take it back.

What a command kind is (``execute``, an idempotent class-level ``undo``) is in
``orchestrator.commands.base``; every kind is listed once in ``CommandSpec`` below.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import Field, field_validator

from orchestrator.commands.base import (
    COMMAND_METADATA,
    RUN_METADATA,
    Command,
    CommandContext,
    undo_workspace_write,
    workspace_key,
)
from orchestrator.commands.deployment_stages import ApplyDeploymentStage
from orchestrator.commands.vectors import IndexVectors
from orchestrator.core import constants
from orchestrator.core.ports import CommandLogRepository, EventPublisher, Workspace
from orchestrator.core.records import CommandRecord, CommandStatus, utc_now

if TYPE_CHECKING:
    from orchestrator.core.vectors import VectorStore

MAX_ARTIFACT_BYTES = 1024 * 1024
_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")

__all__ = [
    "COMMAND_METADATA",
    "Command",
    "CommandContext",
    "CommandExecutor",
    "CommandSpec",
    "PublishIntegration",
    "Workspace",
    "WriteArtifact",
    "fingerprint",
    "undo_logged_command",
    "workspace_key",
]


def check_artifact_path(value: str) -> str:
    """A path inside the tenant's workspace: relative, no ``..``, not the orchestrator's run data."""
    if not _PATH.match(value) or ".." in value.split("/"):
        raise ValueError(f"artifact path {value!r} must be relative, without '..' or empty parts")
    if value.split("/")[0] == constants.RUN_DATA_PREFIX:
        raise ValueError(f"artifact path {value!r} is inside the orchestrator's own run data")
    return value


class WriteArtifact(Command):
    kind: Literal["write_artifact"] = "write_artifact"
    path: str = Field(max_length=512, description="path inside the tenant's workspace")
    content: str = Field(max_length=MAX_ARTIFACT_BYTES)
    content_type: str = Field(default="text/markdown; charset=utf-8", max_length=100)

    @field_validator("path")
    @classmethod
    def _safe_path(cls, value: str) -> str:
        return check_artifact_path(value)

    def logged_params(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"content"}) | {"bytes": len(self.content)}

    def execute(self, context: CommandContext) -> dict[str, Any]:
        key = workspace_key(context.tenant_id, self.path)
        body = self.content.encode("utf-8")
        version = context.workspace.put(
            key,
            body,
            self.content_type,
            {COMMAND_METADATA: context.command_id, RUN_METADATA: context.run_id},
        )
        context.publish(
            constants.ARTIFACT_WRITTEN, {"command_id": context.command_id, "key": key, "version_id": version}
        )
        return {"key": key, "version_id": version, "bytes": len(body)}

    @classmethod
    def undo(cls, record: CommandRecord, context: CommandContext) -> dict[str, Any]:
        return undo_workspace_write(record, context, record.params["path"])


class PublishIntegration(Command):
    kind: Literal["publish_integration"] = "publish_integration"
    integration: str = Field(min_length=1, max_length=64)
    action: str = Field(min_length=1, max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict)

    def execute(self, context: CommandContext) -> dict[str, Any]:
        event_id = context.publish(
            constants.INTEGRATION_EXECUTED,
            {
                "command_id": context.command_id,
                "integration": self.integration,
                "action": self.action,
                "payload": self.payload,
            },
        )
        return {"event_id": event_id, "integration": self.integration, "action": self.action}

    @classmethod
    def undo(cls, record: CommandRecord, context: CommandContext) -> dict[str, Any]:
        event_id = context.publish(
            constants.INTEGRATION_REVERTED,
            {
                "command_id": record.command_id,
                "integration": record.params.get("integration"),
                "action": record.params.get("action"),
                "reverts_event_id": record.outcome.get("event_id"),
                "executed": record.status is CommandStatus.COMPLETED,
            },
        )
        return {"event_id": event_id}


CommandSpec = Annotated[
    WriteArtifact | PublishIntegration | ApplyDeploymentStage | IndexVectors, Field(discriminator="kind")
]
"""Every command kind, one union (the command log's ``kind`` names one of them)."""

_KINDS: dict[str, type[Command]] = {
    cls.model_fields["kind"].default: cls for cls in get_args(get_args(CommandSpec)[0])
}


def fingerprint(spec: Command) -> str:
    return hashlib.sha256(json.dumps(spec.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


class CommandExecutor:
    """Runs and undoes commands against the tenant's workspace, the bus and the vector store."""

    def __init__(
        self, workspace: Workspace, publisher: EventPublisher, vectors: VectorStore | None = None
    ) -> None:
        self.workspace = workspace
        self.publisher = publisher
        self.vectors = vectors

    def context(self, record: CommandRecord, correlation_id: str) -> CommandContext:
        return CommandContext(record, correlation_id, self.workspace, self.publisher, self.vectors)

    def execute(self, spec: Command, record: CommandRecord, correlation_id: str) -> dict[str, Any]:
        return spec.execute(self.context(record, correlation_id))

    def undo(self, record: CommandRecord, correlation_id: str) -> dict[str, Any]:
        """Take a command back. Safe to repeat; a ``STARTED`` command (outcome unknown) is undone
        as far as it may have gone."""
        kind = _KINDS.get(record.kind)
        if kind is None:
            raise RuntimeError(f"command {record.command_id} has an unknown kind {record.kind!r}")
        return kind.undo(record, self.context(record, correlation_id))

    def announce_undone(
        self, record: CommandRecord, correlation_id: str, undo_outcome: dict[str, Any]
    ) -> None:
        self.context(record, correlation_id).publish(
            constants.COMMAND_UNDONE,
            {
                "command_id": record.command_id,
                "kind": record.kind,
                "was": record.status.value,
                "undo": undo_outcome,
            },
        )


def undo_logged_command(
    record: CommandRecord,
    *,
    executor: CommandExecutor,
    command_log: CommandLogRepository,
    correlation_id: str,
) -> bool:
    """Undo one logged command and record it (``UNDONE`` and a ``COMMAND_UNDONE`` event).

    Safe to repeat: the undo itself is idempotent, and only the call that moves the record
    to ``UNDONE`` announces it. Returns whether this call did."""
    undo_outcome = executor.undo(record, correlation_id)
    if not command_log.mark_undone(
        record.tenant_id, record.run_id, record.command_id, undo_outcome, utc_now()
    ):
        return False
    executor.announce_undone(record, correlation_id, undo_outcome)
    return True
