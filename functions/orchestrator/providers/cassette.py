"""Cassettes of recorded model answers: record a run once against a real model, replay it offline.

A cassette is a JSON-lines file, one recorded answer a line::

    {"key": "<sha256>", "provider": "anthropic", "model": "claude-sonnet-5-5", "agent": "planner",
     "prompt_version": "v1", "text": "...", "data": {...} | null,
     "usage": {"input_tokens": .., "output_tokens": .., "cached_input_tokens": .., "cache_write_tokens": ..},
     "recorded_at": "2026-01-01T00:00:00+00:00"}

``key`` is :func:`request_key`: a hash of what the model was asked (provider, model, prompt version,
system, prompt, schema, schema name, temperature, max tokens), not of the attempt, the step or the
map item, so a retry of the same prompt replays the same answer.

* **record** (``MODEL_CASSETTE_MODE=record``): :class:`RecordingProvider` wraps a real provider; every
  answer it gets is appended to the cassette (the first recording of a prompt wins: recording the
  same prompt again changes nothing). Offline answers are not recorded, since a cassette holds real
  models' answers, unless ``record_offline=True`` (tests, benchmarks).
* **replay** (provider ``replay``, model ``"<recorded provider>/<recorded model>"``):
  :class:`ReplayProvider` answers from the cassette with no network. Text, structured data, token
  usage and cost are those of the recording (the price table prices ``replay`` as the recorded
  model), so a replayed run has the same results and costs. A prompt with no recording is a
  :class:`~orchestrator.core.errors.ReplayEntryMissing` naming the step and how to record it.

Appends are one ``os.write`` of a whole line to a file opened with ``O_APPEND``, under a thread lock
and (where the platform has it) an exclusive ``flock``, so writers in threads and processes never
interleave lines nor record one prompt twice.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from orchestrator.core import constants
from orchestrator.core.errors import ProviderNotConfigured, ReplayEntryMissing
from orchestrator.core.records import TokenUsage
from orchestrator.providers.base import ModelProvider, ModelRequest, ModelResponse, request_digest
from orchestrator.providers.offline import raise_simulated_failure
from orchestrator.providers.pricing import cost_usd

if TYPE_CHECKING:
    from orchestrator.providers.pricing import PriceTable

try:  # POSIX (Lambda, CI, laptops): also serialise writers in other processes
    import fcntl
except ImportError:  # pragma: no cover - Windows: the O_APPEND single write still keeps lines whole
    fcntl = None  # type: ignore[assignment]

REPLAY_PROVIDER = "replay"
KEY_PREFIX_LENGTH = 12  # how much of a key an error message shows
_NO_PATH = f"a model cassette needs a file path (set {constants.ENV_MODEL_CASSETTE} to a JSON-lines file)"


def request_key(provider: str, model: str, request: ModelRequest) -> str:
    """The cassette key of ``request`` sent to ``provider``/``model`` (``request_digest``): a retry,
    or the same prompt in another step, replays the same answer."""
    return request_digest(provider, model, request)


class CassetteEntry(BaseModel):
    """One recorded answer (one line of a cassette)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    key: str = Field(min_length=1)
    provider: str
    model: str
    agent: str = ""
    prompt_version: str = ""
    text: str
    data: dict[str, Any] | None = None
    usage: TokenUsage = Field(default_factory=TokenUsage)
    recorded_at: str = ""

    def to_line(self) -> bytes:
        payload = json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return (payload + "\n").encode("utf-8")


class Cassette:
    """A JSON-lines file of recorded answers, read lazily (once, then only what others appended since)
    and appended to safely from many threads and processes. Use :func:`open_cassette` to share one
    instance per file in a process."""

    def __init__(self, path: str) -> None:
        if not path:
            raise ProviderNotConfigured(_NO_PATH)
        self.path = path
        self._lock = threading.Lock()
        self._entries: dict[str, CassetteEntry] = {}
        self._loaded = False
        self._offset = 0  # bytes of the file already read
        self._lines = 0  # lines of the file already read (for error messages)
        self._ends_with_newline = True

    def __len__(self) -> int:
        with self._lock:
            self._load()
            return len(self._entries)

    def get(self, key: str) -> CassetteEntry | None:
        """The entry recorded under ``key``, or None. A miss re-reads only lines appended since
        (by another process, say), never the whole file again."""
        with self._lock:
            if not self._loaded:
                self._load()
            elif key not in self._entries:
                self._read_new_lines(file_locked=False)
            return self._entries.get(key)

    def put(self, entry: CassetteEntry) -> bool:
        """Append ``entry`` as one line, unless its key is already recorded (the first recording wins).
        Returns whether a line was written."""
        line = entry.to_line()
        with self._lock:
            self._load()
            if entry.key in self._entries:
                return False
            directory = os.path.dirname(os.path.abspath(self.path))
            try:
                os.makedirs(directory, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            except OSError as exc:
                raise ProviderNotConfigured(f"cannot write model cassette {self.path}: {exc}") from exc
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                # another process may have appended since we read: take its lines (and keys) first
                self._read_new_lines(file_locked=True)
                if entry.key in self._entries:
                    return False
                data = line if self._ends_with_newline else b"\n" + line
                _write_all(fd, data)
                self._offset += len(data)
                self._lines += 1
                self._ends_with_newline = True
                self._entries[entry.key] = entry
                return True
            except OSError as exc:
                raise ProviderNotConfigured(f"cannot write model cassette {self.path}: {exc}") from exc
            finally:
                os.close(fd)  # closing releases the flock

    # --- reading (with self._lock held) ----------------------------------------------------
    def _load(self) -> None:
        if not self._loaded:
            self._read_new_lines(file_locked=False)
            self._loaded = True

    def _read_new_lines(self, *, file_locked: bool) -> None:
        """Index the lines appended after ``self._offset``. Unless the caller already holds the
        file's exclusive lock (``file_locked``), take a shared one while reading."""
        try:
            with open(self.path, "rb") as handle:
                if fcntl is not None and not file_locked:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
                handle.seek(self._offset)
                chunk = handle.read()
        except FileNotFoundError:
            return  # nothing recorded yet
        except OSError as exc:
            raise ProviderNotConfigured(f"cannot read model cassette {self.path}: {exc}") from exc
        if not chunk:
            return
        pieces = chunk.split(b"\n")
        trailing = pieces.pop()  # b"" when the chunk ends with a newline
        if trailing:  # a last line without its newline (edited by hand): still an entry
            pieces.append(trailing)
        found: dict[str, CassetteEntry] = {}
        for number, raw in enumerate(pieces, start=self._lines + 1):
            entry = self._parse(raw, number)
            if entry is not None and entry.key not in self._entries:
                found.setdefault(entry.key, entry)  # recorded twice (two processes): the first wins
        self._entries.update(found)
        self._lines += len(pieces)
        self._offset += len(chunk)
        self._ends_with_newline = chunk.endswith(b"\n")

    def _parse(self, raw: bytes, number: int) -> CassetteEntry | None:
        if not raw.strip():
            return None
        try:
            return CassetteEntry.model_validate_json(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'line'}: {err['msg']}" for err in exc.errors()
            )
            raise ProviderNotConfigured(
                f"model cassette {self.path} line {number} is not a valid entry ({problems}); "
                "fix or delete that line, or record the cassette again"
            ) from None


def _write_all(fd: int, data: bytes) -> None:
    """One ``os.write`` of the whole line; a short write (disk nearly full) is finished, not torn."""
    written = os.write(fd, data)
    while written < len(data):
        written += os.write(fd, data[written:])


_CASSETTES: dict[str, Cassette] = {}
_CASSETTES_LOCK = threading.Lock()


def open_cassette(path: str) -> Cassette:
    """The process's one :class:`Cassette` for the file at ``path`` (resolved, so two spellings of one
    file share their index and lock)."""
    if not path:
        raise ProviderNotConfigured(_NO_PATH)
    resolved = os.path.realpath(os.path.abspath(os.path.expanduser(path)))
    with _CASSETTES_LOCK:
        cassette = _CASSETTES.get(resolved)
        if cassette is None:
            cassette = _CASSETTES[resolved] = Cassette(resolved)
        return cassette


class ReplayProvider:
    """Answers from a cassette, with no network: the recorded text, data, usage and cost."""

    name = REPLAY_PROVIDER

    def __init__(self, cassette: Cassette, model: str, prices: PriceTable | None = None) -> None:
        recorded_provider, _, recorded_model = (model or "").partition("/")
        if not recorded_provider or not recorded_model:
            raise ProviderNotConfigured(
                f"provider 'replay' needs the recorded model as '<provider>/<model>' "
                f"(e.g. 'anthropic/claude-sonnet-5-5'), got {model!r}"
            )
        self.cassette = cassette
        self.model = model
        self.recorded_provider = recorded_provider
        self.recorded_model = recorded_model
        self._prices = prices

    def complete(self, request: ModelRequest) -> ModelResponse:
        raise_simulated_failure(request.simulate_failure, request.phase, request.item, request.attempt)
        key = request_key(self.recorded_provider, self.recorded_model, request)
        entry = self.cassette.get(key)
        if entry is None:
            mode, path = constants.ENV_MODEL_CASSETTE_MODE, constants.ENV_MODEL_CASSETTE
            raise ReplayEntryMissing(
                f"replay: cassette {self.cassette.path} has no recorded answer for agent "
                f"{request.agent or '?'!r}, step {request.phase!r}, "
                f"prompt version {request.prompt_version!r}, model {self.model!r} "
                f"(key {key[:KEY_PREFIX_LENGTH]}); record it by running once with {mode}=record, "
                f"{path}={self.cassette.path} and the real provider {self.recorded_provider!r} "
                f"with model {self.recorded_model!r}"
            )
        usage = entry.usage.model_copy()
        return ModelResponse(
            text=entry.text,
            provider=self.name,
            model=self.model,
            usage=usage,
            cost_usd=cost_usd(self.name, self.model, usage, self._prices),
            offline=False,
            data=entry.data,
            calls=0,  # no HTTP call was made
        )


class RecordingProvider:
    """Wraps a real provider and writes each of its answers to a cassette (record mode).

    The answer goes back unchanged. Offline answers (``response.offline``) and answers that were
    themselves replayed are not written: a cassette holds real models' answers. ``record_offline=True``
    writes offline answers too (tests and benchmarks that need a cassette without a model)."""

    def __init__(self, inner: ModelProvider, cassette: Cassette, *, record_offline: bool = False) -> None:
        self.inner = inner
        self.cassette = cassette
        self.record_offline = record_offline
        self.name: str = inner.name
        self.model: str = getattr(inner, "model", "")

    def complete(self, request: ModelRequest) -> ModelResponse:
        response = self.inner.complete(request)
        if response.provider == REPLAY_PROVIDER or (response.offline and not self.record_offline):
            return response
        self.cassette.put(
            CassetteEntry(
                key=request_key(response.provider, response.model, request),
                provider=response.provider,
                model=response.model,
                agent=request.agent,
                prompt_version=request.prompt_version,
                text=response.text,
                data=response.data,
                usage=response.usage,
                recorded_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )
        return response

    def __getattr__(self, attribute: str) -> Any:
        """Anything else (``embed``...) is the inner provider's."""
        if attribute == "inner":  # not set yet (copying, unpickling): no recursion
            raise AttributeError(attribute)
        return getattr(self.inner, attribute)
