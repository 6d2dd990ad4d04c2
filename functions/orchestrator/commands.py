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
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any, Literal, Protocol

from pydantic import Field, field_validator

from orchestrator import constants
from orchestrator.events import EventPublisher
from orchestrator.models import CommandRecord, CommandStatus, EventEnvelope, StrictModel, utc_now
from orchestrator.repositories.interfaces import CommandLogRepository

MAX_ARTIFACT_BYTES = 1024 * 1024
COMMAND_METADATA = "orchestrator-command"
_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class WriteArtifact(StrictModel):
    kind: Literal["write_artifact"] = "write_artifact"
    path: str = Field(max_length=512, description="path inside the tenant's workspace")
    content: str = Field(max_length=MAX_ARTIFACT_BYTES)
    content_type: str = Field(default="text/markdown; charset=utf-8", max_length=100)

    @field_validator("path")
    @classmethod
    def _safe_path(cls, value: str) -> str:
        if not _PATH.match(value) or ".." in value.split("/"):
            raise ValueError(f"artifact path {value!r} must be relative, without '..' or empty parts")
        if value.split("/")[0] == constants.RUN_DATA_PREFIX:
            raise ValueError(f"artifact path {value!r} is inside the orchestrator's own run data")
        return value


class PublishIntegration(StrictModel):
    kind: Literal["publish_integration"] = "publish_integration"
    integration: str = Field(min_length=1, max_length=64)
    action: str = Field(min_length=1, max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict)


CommandSpec = Annotated[WriteArtifact | PublishIntegration, Field(discriminator="kind")]


class Workspace(Protocol):
    """The tenants' versioned artifact store (S3 on AWS). Keys are full keys (tenant prefix included)."""

    def put(self, key: str, body: bytes, content_type: str, metadata: dict[str, str]) -> str:
        """Write a new version; return its version id."""
        ...

    def get(self, key: str) -> bytes: ...

    def delete_version(self, key: str, version_id: str) -> None:
        """Permanently remove one version (no error when it is already gone)."""
        ...

    def versions(self, prefix: str) -> list[tuple[str, str, dict[str, str]]]:
        """Every version under a prefix: ``(key, version id, metadata)``."""
        ...


def workspace_key(tenant_id: str, path: str) -> str:
    return f"{tenant_id}/{path}"


def fingerprint(spec: WriteArtifact | PublishIntegration) -> str:
    return hashlib.sha256(json.dumps(spec.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


class CommandExecutor:
    """Runs and undoes commands against the workspace and the bus."""

    def __init__(self, workspace: Workspace, publisher: EventPublisher) -> None:
        self.workspace = workspace
        self.publisher = publisher

    def execute(
        self, spec: WriteArtifact | PublishIntegration, record: CommandRecord, correlation_id: str
    ) -> dict[str, Any]:
        if isinstance(spec, WriteArtifact):
            key = workspace_key(record.tenant_id, spec.path)
            version = self.workspace.put(
                key,
                spec.content.encode("utf-8"),
                spec.content_type,
                {COMMAND_METADATA: record.command_id, "orchestrator-run": record.run_id},
            )
            self._publish(
                record,
                correlation_id,
                constants.ARTIFACT_WRITTEN,
                {"command_id": record.command_id, "key": key, "version_id": version},
            )
            return {"key": key, "version_id": version, "bytes": len(spec.content.encode("utf-8"))}
        event_id = self._publish(
            record,
            correlation_id,
            constants.INTEGRATION_EXECUTED,
            {
                "command_id": record.command_id,
                "integration": spec.integration,
                "action": spec.action,
                "payload": spec.payload,
            },
        )
        return {"event_id": event_id, "integration": spec.integration, "action": spec.action}

    def undo(self, record: CommandRecord, correlation_id: str) -> dict[str, Any]:
        """Take a command back. Safe to repeat; a ``STARTED`` command (outcome unknown) is undone
        as far as it may have gone."""
        if record.kind == "write_artifact":
            key = workspace_key(record.tenant_id, record.params["path"])
            if record.status is CommandStatus.COMPLETED and record.outcome.get("version_id"):
                versions = [record.outcome["version_id"]]
            else:  # it may have written before failing: find its versions by their metadata
                versions = [
                    version
                    for found_key, version, metadata in self.workspace.versions(key)
                    if found_key == key and metadata.get(COMMAND_METADATA) == record.command_id
                ]
            for version in versions:
                self.workspace.delete_version(key, version)
            return {"key": key, "deleted_versions": versions}
        event_id = self._publish(
            record,
            correlation_id,
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

    def _publish(
        self, record: CommandRecord, correlation_id: str, event_type: str, payload: dict[str, Any]
    ) -> str:
        envelope = EventEnvelope(
            event_type=event_type,
            correlation_id=correlation_id,
            tenant_id=record.tenant_id,
            run_id=record.run_id,
            phase=record.result_key,
            payload=payload,
        )
        self.publisher.publish(envelope)
        return envelope.event_id


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
    executor._publish(
        record,
        correlation_id,
        constants.COMMAND_UNDONE,
        {
            "command_id": record.command_id,
            "kind": record.kind,
            "was": record.status.value,
            "undo": undo_outcome,
        },
    )
    return True
