"""The local cloud's state across restarts: saved every second while it changes (less often when
it is large), and on stop.

``restore`` (after the deployment) puts the saved tables, objects, vector indexes and messages
back into the emulation; ``resume`` (once the functions can run) the executions, those that were
running going on (``execution_state``). ``start_saving`` then snapshots every ``interval`` seconds,
writing only when something changed; ``close`` stops that and writes the last snapshot. What
changed after the last snapshot written is lost if the process is killed (``kill -9``): at most
about ``interval`` seconds of work (a few more when the state is large).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local import backend_state, execution_state, moto_adapters
from infra.local.state_files import StateFileError, StateFiles

log = logging.getLogger(__name__)

SAVE_INTERVAL_SECONDS = 1.0


@dataclass
class RestoredState:
    """What a start found in the state directory."""

    items: int = 0
    objects: int = 0
    vector_indexes: int = 0
    messages: int = 0
    executions: execution_state.RestoredExecutions = field(default_factory=execution_state.RestoredExecutions)

    def describe(self) -> str:
        runs = self.executions
        total = runs.ended + len(runs.resumed) + len(runs.not_resumed)
        return (
            f"{self.items} item(s), {self.objects} object version(s), {self.vector_indexes} vector "
            f"index(es), {self.messages} queued message(s), {total} execution(s) "
            f"({len(runs.resumed)} resumed, {len(runs.not_resumed)} ended as not resumable)"
        )


class Persistence:
    def __init__(
        self, state_dir: Path, account_id: str, region: str, interval: float = SAVE_INTERVAL_SECONDS
    ) -> None:
        self.files = StateFiles(state_dir)
        self._account_id = account_id
        self._region = region
        self._interval = interval
        self._objects = backend_state.ObjectStore(self.files, account_id)
        self._executions = execution_state.ExecutionRecorder(account_id, region, backend_state.json_default)
        self._saved: dict[str, Any] | None = None
        self._written: str | None = None  # digest of the snapshot on disk
        self._blobs_on_disk: set[str] = set()  # the object bodies it names
        self._save_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- start -----------------------------------------------------------------------------------
    def restore(self) -> RestoredState | None:
        """The saved data back in the emulation; None when nothing was saved (a first start)."""
        self._saved = self.files.read()
        if self._saved is None:
            return None
        account, region, saved = self._account_id, self._region, self._saved
        try:
            return RestoredState(
                items=backend_state.restore_tables(account, region, saved.get("dynamodb", {})),
                objects=self._objects.restore(saved.get("s3", {})),
                vector_indexes=backend_state.restore_vector_indexes(
                    account, region, saved.get("s3vectors", {})
                ),
                messages=backend_state.restore_queues(account, region, saved.get("sqs", {})),
            )
        except StateFileError:
            raise
        except Exception as exc:  # a snapshot the emulation refuses: say which, and what to do
            raise StateFileError(
                f"{self.files.snapshot_path} could not be restored ({type(exc).__name__}: {exc}); "
                "start with --fresh to discard it"
            ) from exc

    def resume(self, restored: RestoredState | None, publish_end: Callable[[Any], None]) -> None:
        """The saved executions back, those that were running going on."""
        if restored is not None and self._saved is not None:
            restored.executions = execution_state.restore_executions(
                self._account_id, self._region, self._saved.get("executions", []), publish_end
            )
        self._saved = None

    # --- saving ----------------------------------------------------------------------------------
    def capture(self) -> dict[str, Any]:
        account, region = self._account_id, self._region
        return {
            "dynamodb": backend_state.capture_tables(account, region),
            "s3": self._objects.capture(),
            "s3vectors": backend_state.capture_vector_indexes(account, region),
            "sqs": backend_state.capture_queues(account, region),
        }

    def save(self) -> bool:
        """Write a snapshot if anything changed since the last one; whether one was written. The
        snapshot is hashed, then written, piece by piece: an ended execution's text is read back
        (it is held compressed) when its turn comes, so no whole copy of the file is held."""
        with self._save_lock:
            snapshot, executions = self.capture(), self._executions.capture()
            tables = snapshot.pop("dynamodb")
            fields = self.files.encode_fields(snapshot, default=backend_state.json_default, tables=tables)
            hashed = hashlib.sha256()
            for piece in self.files.pieces(fields, execution_state.texts(executions)):
                hashed.update(piece)
            digest = hashed.hexdigest()
            if digest == self._written:
                return False
            self.files.write(self.files.pieces(fields, execution_state.texts(executions)))
            self._written = digest
            self._blobs_on_disk = backend_state.ObjectStore.blobs(snapshot["s3"])
            return True

    def start_saving(self) -> None:
        self.save()
        self.files.remove_blobs_except(self._blobs_on_disk)
        self._thread = threading.Thread(target=self._save_periodically, name="local-cloud-state", daemon=True)
        self._thread.start()

    def _save_periodically(self) -> None:
        """Every ``interval`` seconds, or less often when the state is large: the snapshot takes at
        most a fifth of the time (the emulation's requests wait while its tables are read). While
        the emulation answers only reads (queue pollers' long polls never stop) and no execution
        moves on, nothing changes: nothing is read (``changed``)."""
        pause, last_began = self._interval, time.monotonic()
        progress = self._executions.progress()
        while not self._stop.wait(pause):
            progress, changed = self.changed(progress, since=last_began - self._interval)
            if not changed:
                self._executions.slim()
                continue
            began = last_began = time.monotonic()
            try:
                self.save()
            except Exception as exc:  # the next round tries again; a stop saves once more
                log.warning(
                    "could not save the local cloud's state (%s: %s); trying again", type(exc).__name__, exc
                )
                log.debug("saving the local cloud's state failed", exc_info=True)
            pause = max(self._interval, 4 * (time.monotonic() - began))

    def changed(self, progress: tuple[int, int], since: float) -> tuple[tuple[int, int], bool]:
        """The executions' ``progress`` now, and whether anything may have changed: a request that
        writes answered at ``since`` or later (``moto_adapters.last_write_at``), or an execution
        that started, moved on or ended since ``progress``."""
        now = self._executions.progress()
        return now, now != progress or moto_adapters.last_write_at() >= since

    def close(self) -> None:
        """Stop saving periodically and write the last snapshot (a stop that began after a
        complete start only: a failed start must not overwrite what was saved before)."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=30)
        self._thread = None
        self.save()
        self.files.remove_blobs_except(self._blobs_on_disk)
