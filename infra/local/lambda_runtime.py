"""Runs functions' real handlers locally, as Lambda would.

Each function gets warm worker processes (one per concurrent invocation) started with
exactly the environment its resource declares plus what the Lambda runtime itself sets,
its code from the synthesized asset, and AWS calls sent to the local endpoint. The
function's timeout is enforced (the worker is killed, ``Sandbox.Timedout`` is returned);
failures come back as Lambda error payloads (``errorType``/``errorMessage``).

The pool is bounded, as Lambda's execution environments are: at most ``max_concurrency`` workers
per function and ``max_workers`` in all (a worker is a Python process of about 50 MiB; both set
by ``worker_limits.py``). When the total is reached, an invocation of a function with no worker
retires the longest-idle worker of another function, one of a function with workers only a worker
idle for a second or more (and otherwise waits for one of its own to finish); a worker idle for
``idle_seconds`` is retired; once the pool has emptied the process returns the memory it freed, and
once it has been empty that long the zygote goes too. ``shutdown`` stops every worker at once; an
invocation after that fails at once with ``Runtime.Stopping``.

Bulkheads, as the stack declares them: a function's reserved concurrency keeps worker slots that no
other function takes (``worker_pool_usage.reserves``: together at most half the pool), and the
workers of functions outside ``foreground`` (the API's) run at a lower CPU priority, so that a
burst of runs on a small machine neither takes the API's workers nor slows its answers past its
timeout. ``pool_state`` tells what the pool holds and did (``usage``: per function, invocations,
failures by kind, the longest wait for a worker and the longest run).

On Linux a new worker is forked from a zygote that has the common libraries imported already
(``lambda_forks.py``): same environment, a fraction of a new interpreter's CPU and memory.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local.lambda_destinations import failure_record
from infra.local.lambda_forks import ForkedProcess, ForkServer, forkable, forking_available
from infra.local.lambda_worker import READY_MARKER, RESULT_MARKER
from infra.local.worker_limits import (
    DEFAULT_IDLE_SECONDS,
    DEFAULT_MAX_WORKERS,
    DEFAULT_MAX_WORKERS_PER_FUNCTION,
)
from infra.local.worker_pool_usage import (
    BACKGROUND_NICENESS,
    PoolUsage,
    lower_priority,
    reserves,
    return_freed_memory,
)

WORKER_SCRIPT = Path(__file__).with_name("lambda_worker.py")
LOCAL_ACCESS_KEY = "local"
LOCAL_SECRET_KEY = "local"  # noqa: S105 - the emulation accepts any credentials


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    arn: str
    handler: str
    code_dir: Path
    environment: dict[str, str]
    timeout_seconds: int = 3
    memory_mb: int = 128
    async_retries: int = 2  # Lambda's retries of a failed asynchronous invocation
    on_failure: str | None = None  # destination ARN for asynchronous invocations that still fail
    reserved_concurrency: int = 0  # the stack's bulkhead for this function (0: none)


DestinationSender = Callable[[str, dict[str, Any]], None]
"""Sends a Lambda destination record to a destination ARN (an SQS queue here)."""


@dataclass
class Invocation:
    payload: Any
    errored: bool
    logs: str
    duration_ms: int


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[str] | ForkedProcess
    function: str = ""
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    idle_since: float = field(default_factory=time.monotonic)
    ready: bool = False  # its init phase (the handler's import) is over


class RuntimeStopping(RuntimeError):
    """The local cloud is stopping: no new invocation starts."""


STEAL_AFTER_SECONDS = 1.0
"""How long a worker must have been idle before a function that has workers of its own may retire
it to start one more (a function with none may retire any idle worker at once)."""
INIT_TIMEOUT_SECONDS = 60.0
"""How long a new worker may take to import its handler. As on Lambda, the init phase does not
count against the function's timeout; Lambda allows it 10 s, a loaded developer machine importing
boto3 and Powertools in a dozen new workers at once needs more."""


class LocalLambdaRuntime:
    def __init__(
        self,
        *,
        endpoint_url: str,
        region: str,
        account_id: str,
        log_dir: Path,
        max_concurrency: int = DEFAULT_MAX_WORKERS_PER_FUNCTION,
        max_workers: int = DEFAULT_MAX_WORKERS,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
        send_to_destination: DestinationSender | None = None,
        fork_workers: bool | None = None,
        background_niceness: int = BACKGROUND_NICENESS,
    ) -> None:
        self.send_to_destination = send_to_destination
        self.endpoint_url = endpoint_url
        self.region = region
        self.account_id = account_id
        self.log_dir = log_dir
        self.max_concurrency = max(1, max_concurrency)
        self.max_workers = max(1, max_workers)
        self.idle_seconds = idle_seconds
        self.foreground: set[str] = set()  # functions whose workers keep the cloud's CPU priority
        self.background_niceness = background_niceness  # how much lower the others' priority is
        self.usage = PoolUsage()
        self._reserved: dict[str, int] = {}  # worker slots kept for a function (``reserves``)
        self._specs: dict[str, FunctionSpec] = {}
        self._idle: dict[str, list[_Worker]] = {}
        self._busy: dict[str, int] = {}  # per function: workers running an invocation or starting
        self._workers: set[_Worker] = set()
        self._starting = 0  # workers being spawned (they count against max_workers)
        self._waiting: dict[str, int] = {}  # per function: invocations waiting for a worker
        self._last_active = time.monotonic()  # when a worker last finished an invocation
        self._closed = False
        self.fork_workers = forking_available() if fork_workers is None else fork_workers
        self._zygotes: dict[Path, ForkServer | None] = {}
        self._zygote_lock = threading.Lock()
        self._lock = threading.Condition()
        self._log_lock = threading.Lock()
        log_dir.mkdir(parents=True, exist_ok=True)
        threading.Thread(target=self._retire_idle_workers, name="lambda-idle-reaper", daemon=True).start()

    # --- registry -------------------------------------------------------------------------
    def register(self, spec: FunctionSpec) -> None:
        with self._lock:
            self._specs[spec.name] = spec
            self._idle.setdefault(spec.name, [])
            self._busy.setdefault(spec.name, 0)
            self._reserved = reserves(
                {name: s.reserved_concurrency for name, s in self._specs.items()},
                per_function=self.max_concurrency,
                max_workers=self.max_workers,
            )

    def spec(self, name_or_arn: str) -> FunctionSpec:
        name = name_or_arn.split(":function:")[-1].split(":")[0]
        try:
            return self._specs[name]
        except KeyError:
            raise KeyError(f"no local function {name!r}") from None

    @property
    def functions(self) -> list[FunctionSpec]:
        return list(self._specs.values())

    def environment_of(self, spec: FunctionSpec) -> dict[str, str]:
        """The declared environment plus what the Lambda runtime sets (and the local endpoint)."""
        return (
            self.shared_environment(spec.code_dir)
            | {
                "_HANDLER": spec.handler,
                "AWS_LAMBDA_FUNCTION_NAME": spec.name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
                "LOCAL_LAMBDA_FUNCTION_ARN": spec.arn,
            }
            | spec.environment
        )

    def shared_environment(self, code_dir: Path) -> dict[str, str]:
        """What the Lambda runtime sets alike for every function of a code folder (the zygote's)."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(code_dir),
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "LAMBDA_TASK_ROOT": str(code_dir),
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET_KEY,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            # no X-Ray daemon runs locally: the tracer would only print connection errors
            "POWERTOOLS_TRACE_DISABLED": "true",
        }

    # --- invocation -----------------------------------------------------------------------
    def invoke_async(self, name_or_arn: str, event: Any) -> Invocation:
        """An asynchronous invocation (EventBridge, ``InvocationType=Event``) as Lambda runs it:
        retried ``async_retries`` times, then the failure goes to the on-failure destination."""
        spec = self.spec(name_or_arn)
        attempts = 0
        while True:
            attempts += 1
            invocation = self.invoke(spec.name, event)
            if not invocation.errored or attempts > spec.async_retries or self.stopping:
                break
        if self.stopping:  # cut off by the stop: neither retried nor a dead letter
            return invocation
        if invocation.errored and spec.on_failure and self.send_to_destination:
            record = failure_record(spec.arn, event, invocation.payload, attempts)
            self.send_to_destination(spec.on_failure, record)
        return invocation

    def invoke(self, name_or_arn: str, event: Any) -> Invocation:
        spec = self.spec(name_or_arn)
        asked = time.monotonic()
        try:
            worker = self._acquire(spec)
        except RuntimeStopping as exc:
            return Invocation({"errorType": "Runtime.Stopping", "errorMessage": str(exc)}, True, "", 0)
        waited_ms = int((time.monotonic() - asked) * 1000)
        invocation = self._run(spec, worker, event)
        payload = invocation.payload
        error = str(payload.get("errorType")) if invocation.errored and isinstance(payload, dict) else None
        self.usage.record(spec.name, waited_ms=waited_ms, ran_ms=invocation.duration_ms, error_type=error)
        return invocation

    def _run(self, spec: FunctionSpec, worker: _Worker, event: Any) -> Invocation:
        """The invocation on its worker: the init phase if the worker is new, then the handler."""
        logs: list[str] = []
        if not worker.ready:
            failed = self._await_init(spec, worker, logs)
            if failed is not None:
                return failed
        request_id = str(uuid.uuid4())
        started = time.time()
        deadline = started + spec.timeout_seconds
        assert worker.process.stdin is not None
        try:
            worker.process.stdin.write(
                json.dumps({"request_id": request_id, "deadline": deadline, "event": event}) + "\n"
            )
            worker.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):  # ValueError: stdin closed by shutdown
            return self._finish(spec, worker, True, _crash(spec, logs), logs, started)
        message = f"Task timed out after {spec.timeout_seconds:.2f} seconds"
        line = self._await_line(
            spec, worker, logs, RESULT_MARKER, until=deadline, started=started, timeout=(message, request_id)
        )
        if isinstance(line, Invocation):
            return line
        outcome = json.loads(line[len(RESULT_MARKER) :])
        return self._finish(spec, worker, not outcome["ok"], outcome["payload"], logs, started)

    def _await_init(self, spec: FunctionSpec, worker: _Worker, logs: list[str]) -> Invocation | None:
        """Waits for a new worker's init phase; an Invocation if it died or took too long."""
        started = time.time()
        message = f"Init timed out after {INIT_TIMEOUT_SECONDS:.0f} seconds"
        until = started + INIT_TIMEOUT_SECONDS
        line = self._await_line(
            spec, worker, logs, READY_MARKER, until=until, started=started, timeout=(message, None)
        )
        if isinstance(line, Invocation):
            return line
        worker.ready = True
        return None

    def _await_line(
        self,
        spec: FunctionSpec,
        worker: _Worker,
        logs: list[str],
        marker: str,
        *,
        until: float,
        started: float,
        timeout: tuple[str, str | None],
    ) -> str | Invocation:
        """Keeps the worker's output as logs until a line starts with ``marker`` (returned). If the
        worker dies, or ``until`` (epoch seconds) passes first, it is out of the pool and the
        invocation's error comes back instead (``timeout``: the message, and the request id that
        prefixes it in the logs)."""
        while True:
            try:
                line = worker.lines.get(timeout=max(0.0, until - time.time()))
            except queue.Empty:
                self._kill(worker)
                message, request_id = timeout
                if request_id is not None:
                    logs.append(f"{request_id} {message}")
                payload = {"errorType": "Sandbox.Timedout", "errorMessage": message}
                return self._finish(spec, worker, True, payload, logs, started)
            if line is None:  # the worker died
                return self._finish(spec, worker, True, _crash(spec, logs), logs, started)
            if line.startswith(marker):
                return line
            if line.strip():
                logs.append(line)
                self._write_log(spec.name, line)

    def _finish(
        self,
        spec: FunctionSpec,
        worker: _Worker,
        errored: bool,
        payload: Any,
        logs: list[str],
        started: float,
    ) -> Invocation:
        """The worker goes back to its function's idle list, or out of the pool if it died."""
        with self._lock:
            self._busy[spec.name] -= 1
            self._last_active = time.monotonic()
            if worker.process.poll() is None and not self._closed:
                worker.idle_since = time.monotonic()
                self._idle[spec.name].append(worker)
            else:
                self._workers.discard(worker)
            self._lock.notify_all()
        return Invocation(payload, errored, "\n".join(logs), int((time.time() - started) * 1000))

    def _acquire(self, spec: FunctionSpec) -> _Worker:
        """An idle worker of the function, or a slot for a new one (retiring another function's
        longest-idle worker when the pool is full); waits while neither is possible."""
        retired: _Worker | None = None
        with self._lock:
            while True:
                if self._closed:
                    raise RuntimeStopping("the local cloud is stopping")
                idle = self._idle[spec.name]
                while idle:
                    worker = idle.pop()
                    if worker.process.poll() is None:
                        self._busy[spec.name] += 1
                        return worker
                    self._workers.discard(worker)
                if self._busy[spec.name] < self.max_concurrency:
                    room = self._room_for(spec.name)
                    if len(self._workers) + self._starting >= room:
                        retired = self._take_longest_idle(spec.name) or retired
                    if len(self._workers) + self._starting < room:
                        self._busy[spec.name] += 1
                        self._starting += 1
                        break
                self._waiting[spec.name] = self._waiting.get(spec.name, 0) + 1
                try:
                    self._lock.wait(timeout=1.0)
                finally:
                    self._waiting[spec.name] -= 1
        if retired is not None:
            _stop_worker(retired)
        try:
            worker = self._spawn(spec)
        except Exception:
            with self._lock:
                self._busy[spec.name] -= 1
                self._starting -= 1
                self._lock.notify_all()
            raise
        with self._lock:
            self._starting -= 1
            stopping = self._closed  # shutdown began while it started
            if stopping:
                self._busy[spec.name] -= 1
            else:
                self._workers.add(worker)
        if stopping:
            _stop_worker(worker)
            raise RuntimeStopping("the local cloud is stopping")
        return worker

    def _held(self, function: str) -> int:
        return self._busy.get(function, 0) + len(self._idle.get(function, ()))

    def _room_for(self, function: str) -> int:
        """Under the lock: how many workers the pool may hold when ``function`` starts one, the
        slots other functions reserve and do not use set aside (the bulkheads)."""
        unused = sum(
            max(0, count - self._held(other)) for other, count in self._reserved.items() if other != function
        )
        return self.max_workers - unused

    def _take_longest_idle(self, for_function: str) -> _Worker | None:
        """Under the lock: removes the longest-idle worker that ``for_function`` may take, and
        returns it. A function with no worker may take any; one with workers only one idle for
        ``STEAL_AFTER_SECONDS`` (out of use), and waits for one of its own otherwise: under a burst
        of every function at once, a warm worker in use is not retired for each invocation of
        another function, each paying a cold start. A function below its reserve counts as one with
        none; a worker within its own function's reserve is never taken."""
        own = self._held(for_function)
        urgent = own == 0 or own < self._reserved.get(for_function, 0)
        now = time.monotonic()
        candidates = [
            w
            for function, idle in self._idle.items()
            if function != for_function and self._held(function) > self._reserved.get(function, 0)
            for w in idle
            if urgent or now - w.idle_since >= STEAL_AFTER_SECONDS
        ]
        if not candidates:
            return None
        oldest = min(candidates, key=lambda w: w.idle_since)
        self._idle[oldest.function].remove(oldest)
        self._workers.discard(oldest)
        return oldest

    def _retire_idle_workers(self) -> None:
        """Retires workers idle for ``idle_seconds`` (checked a few times per period); the memory
        freed goes back once the pool has emptied, its zygotes once it has been empty that long."""
        period = max(0.05, min(2.0, self.idle_seconds / 4))
        while True:
            time.sleep(period)
            now = time.monotonic()
            with self._lock:
                if self._closed:
                    return
                expired = [
                    w for idle in self._idle.values() for w in idle if now - w.idle_since >= self.idle_seconds
                ]
                for worker in expired:
                    self._idle[worker.function].remove(worker)
                    self._workers.discard(worker)
                if expired:
                    self._lock.notify_all()
                empty = not self._workers and not self._starting
                quiet = now - self._last_active >= self.idle_seconds
                zygotes = self._take_zygotes() if quiet and empty else []
            for worker in expired:
                _stop_worker(worker)
            for zygote in zygotes:
                zygote.close()
            if (expired and empty) or zygotes:
                # a whole collection of the heap costs much CPU: once emptied, not per worker retired
                return_freed_memory()

    def _take_zygotes(self) -> list[ForkServer]:
        """Under the pool's lock, with no worker alive or starting: the zygotes, out of use (the
        next worker starts a new one)."""
        with self._zygote_lock:
            zygotes = [z for z in self._zygotes.values() if z is not None]
            self._zygotes.clear()
        return zygotes

    def pool_state(self) -> dict[str, Any]:
        """What the pool holds now: workers busy and idle per function, invocations waiting for a
        worker, zygotes, and the limits."""
        with self._lock:
            functions = sorted(set(self._busy) | set(self._idle))
            state = {
                "workers": len(self._workers) + self._starting,
                "busy": {f: self._busy[f] for f in functions if self._busy.get(f)},
                "idle": {f: len(self._idle[f]) for f in functions if self._idle.get(f)},
                "waiting": {f: n for f, n in self._waiting.items() if n},
            }
        with self._zygote_lock:
            state["zygotes"] = sum(1 for z in self._zygotes.values() if z is not None)
        limits = {"max_workers": self.max_workers, "max_workers_per_function": self.max_concurrency}
        return (
            state
            | limits
            | {
                "idle_seconds": self.idle_seconds,
                "reserved": dict(self._reserved),
                "foreground": sorted(self.foreground),
                "usage": self.usage.snapshot(),
            }
        )

    @property
    def stopping(self) -> bool:
        return self._closed

    def worker_count(self) -> int:
        """Worker processes alive or starting, busy or idle."""
        with self._lock:
            return len(self._workers) + self._starting

    def worker_pids(self) -> dict[int, str]:
        """Every started worker's process id and the function it serves (spawned or forked)."""
        with self._lock:
            return {worker.process.pid: worker.function for worker in self._workers}

    def _spawn(self, spec: FunctionSpec) -> _Worker:
        environment = self.environment_of(spec)
        forks = self._fork_server(spec.code_dir)
        process: subprocess.Popen[str] | ForkedProcess | None = None
        if forks is not None and forkable(environment, forks.environment):
            try:
                process = forks.fork(environment, spec.code_dir)
            except OSError:
                if self._closed:  # the stop closed the zygote
                    raise RuntimeStopping("the local cloud is stopping") from None
                # the zygote is gone: this worker starts as a new interpreter
        if process is None:
            process = subprocess.Popen(  # noqa: S603 - our own worker script, our interpreter
                [sys.executable, str(WORKER_SCRIPT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=environment,
                cwd=str(spec.code_dir),
                text=True,
                bufsize=1,
            )
        if self.foreground and spec.name not in self.foreground:
            lower_priority(
                process.pid, self.background_niceness
            )  # a burst of background work does not slow the API's answers
        worker = _Worker(process, spec.name)
        threading.Thread(target=_pump, args=(process, worker.lines), daemon=True).start()
        return worker

    def _fork_server(self, code_dir: Path) -> ForkServer | None:
        """The zygote of a code folder, started on its first worker; None where workers are not
        forked (or its zygote could not start: workers are then started as new interpreters)."""
        if not self.fork_workers:
            return None
        with self._zygote_lock:
            if code_dir not in self._zygotes and not self._closed:
                try:
                    self._zygotes[code_dir] = ForkServer(
                        code_dir, self.shared_environment(code_dir), self.log_dir / "lambda-zygote.log"
                    )
                except (OSError, RuntimeError):
                    self._zygotes[code_dir] = None
            return self._zygotes.get(code_dir)

    def _write_log(self, function_name: str, line: str) -> None:
        with self._log_lock, (self.log_dir / f"{function_name}.log").open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    @staticmethod
    def _kill(worker: _Worker) -> None:
        worker.process.kill()
        worker.process.wait(timeout=5)

    def shutdown(self) -> None:
        """Stops every worker, idle or busy, at once (their invocations in progress fail). A worker
        keeps nothing that needs a graceful exit, and thirty Python processes finalizing at the
        same time would keep two cores busy for seconds."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
            for idle in self._idle.values():
                idle.clear()
            self._lock.notify_all()
        for worker in workers:
            _close_input(worker)
            worker.process.kill()
        for worker in workers:
            worker.process.wait()
        with self._zygote_lock:
            zygotes = [z for z in self._zygotes.values() if z is not None]
            self._zygotes.clear()
        for zygote in zygotes:
            zygote.close()


def _close_input(worker: _Worker) -> None:
    try:
        if worker.process.stdin:
            worker.process.stdin.close()
    except (OSError, ValueError):  # a broken pipe: the worker is gone already
        pass


def _stop_worker(worker: _Worker) -> None:
    """Retires an idle worker: killed, as Lambda reclaims an environment (it holds no state)."""
    _close_input(worker)
    worker.process.kill()
    worker.process.wait()


def _pump(process: subprocess.Popen[str] | ForkedProcess, lines: queue.Queue[str | None]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _crash(spec: FunctionSpec, logs: list[str]) -> dict[str, str]:
    tail = "\n".join(logs[-5:])
    return {"errorType": "Runtime.ExitError", "errorMessage": f"{spec.name} exited unexpectedly. {tail}"}
