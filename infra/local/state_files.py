"""Where the local cloud keeps its state between starts: ``<state dir>/state/``.

    state/snapshot.json     every table item, object version, vector, message and execution
    state/blobs/<sha256>    object bodies, one file per distinct content (written once)

Every file is written to a temporary name, flushed to disk (``fsync``) and renamed over the old
one, and the directory is synced after the rename: a process killed at any moment (``kill -9``,
a power cut once the disk has the data) leaves either the previous snapshot or the new one, never
a mix. Blobs are written before the snapshot that names them and removed only once no snapshot
on disk names them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

SNAPSHOT_FORMAT = 1


class StateFileError(RuntimeError):
    """The saved state cannot be read (what is wrong and where)."""


def write_atomically(path: Path, data: bytes | Iterable[bytes | memoryview]) -> None:
    """``path`` holds ``data`` (or its pieces, one after the other) or what it held before,
    whatever happens during the write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        for piece in [data] if isinstance(data, bytes) else data:
            handle.write(piece)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class StateFiles:
    def __init__(self, state_dir: Path) -> None:
        self.root = state_dir / "state"
        self.snapshot_path = self.root / "snapshot.json"
        self.blob_dir = self.root / "blobs"

    def exists(self) -> bool:
        return self.snapshot_path.exists()

    def discard(self) -> None:
        """Forget every saved table, object, run and tenant (``local up --fresh``)."""
        shutil.rmtree(self.root, ignore_errors=True)

    def read(self) -> dict[str, Any] | None:
        if not self.snapshot_path.exists():
            return None
        try:
            snapshot = json.loads(self.snapshot_path.read_bytes())
        except (OSError, ValueError) as exc:
            raise StateFileError(
                f"{self.snapshot_path} cannot be read ({exc}); start with --fresh to discard it"
            ) from exc
        if not isinstance(snapshot, dict) or snapshot.get("format") != SNAPSHOT_FORMAT:
            found = snapshot.get("format") if isinstance(snapshot, dict) else type(snapshot).__name__
            raise StateFileError(
                f"{self.snapshot_path} has format {found!r}, this version reads {SNAPSHOT_FORMAT}; "
                "start with --fresh to discard it"
            )
        return snapshot

    @staticmethod
    def encode(snapshot: dict[str, Any], default: Any = None, executions: list[str] | None = None) -> bytes:
        """The snapshot file's bytes; ``executions`` already encoded (JSON texts), kept last."""
        fields = StateFiles.encode_fields(snapshot, default)
        if executions is None:
            return fields
        return b"".join(StateFiles.pieces(fields, executions))

    @staticmethod
    def encode_fields(
        snapshot: dict[str, Any], default: Any = None, tables: dict[str, list[str]] | None = None
    ) -> bytes:
        """The snapshot file's bytes without its executions; ``tables`` (the field ``dynamodb``,
        the first in key order) with each item already encoded (JSON texts, sorted keys)."""
        fields = json.dumps(
            {"format": SNAPSHOT_FORMAT} | snapshot, sort_keys=True, separators=(",", ":"), default=default
        )
        if tables is None:
            return fields.encode()
        encoded = ",".join(
            f"{json.dumps(name)}:[{','.join(items)}]" for name, items in sorted(tables.items())
        )
        return f'{{"dynamodb":{{{encoded}}},{fields[1:]}'.encode()

    @staticmethod
    def pieces(fields: bytes, executions: Iterable[str]) -> Iterator[bytes | memoryview]:
        """The snapshot file's bytes piece by piece: ``fields`` (``encode_fields``), then each
        execution's JSON text, encoded as it comes (no copy of the whole file is made)."""
        yield memoryview(fields)[:-1]  # without its closing brace
        yield b',"executions":['
        for index, text in enumerate(executions):
            yield b"," + text.encode() if index else text.encode()
        yield b"]}"

    def write(self, data: bytes | Iterable[bytes | memoryview]) -> None:
        """``data`` from ``encode``, or its ``pieces``."""
        write_atomically(self.snapshot_path, data)

    # --- object bodies ---------------------------------------------------------------------------
    def put_blob(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self.blob_dir / digest
        if not path.exists():
            write_atomically(path, data)
        return digest

    def get_blob(self, digest: str) -> bytes:
        try:
            return (self.blob_dir / digest).read_bytes()
        except OSError as exc:
            raise StateFileError(f"object body {digest} is missing from {self.blob_dir} ({exc})") from exc

    def remove_blobs_except(self, kept: set[str]) -> None:
        """Drop the bodies the snapshot on disk no longer names (deleted objects)."""
        if not self.blob_dir.is_dir():
            return
        for path in self.blob_dir.iterdir():
            if path.name not in kept:
                with contextlib.suppress(OSError):
                    path.unlink()
