"""Runs functions' real handlers locally, as Lambda would.

Each function gets warm worker processes (one per concurrent invocation) started with
exactly the environment its resource declares plus what the Lambda runtime itself sets,
its code from the synthesized asset, and AWS calls sent to the local endpoint. The
function's timeout is enforced (the worker is killed, ``Sandbox.Timedout`` is returned);
failures come back as Lambda error payloads (``errorType``/``errorMessage``).
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

from infra.local.lambda_worker import RESULT_MARKER

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


DestinationSender = Callable[[str, dict[str, Any]], None]
"""Sends a Lambda destination record to a destination ARN (an SQS queue here)."""


@dataclass
class Invocation:
    payload: Any
    errored: bool
    logs: str
    duration_ms: int


@dataclass
class _Worker:
    process: subprocess.Popen[str]
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)


class LocalLambdaRuntime:
    def __init__(
        self,
        *,
        endpoint_url: str,
        region: str,
        account_id: str,
        log_dir: Path,
        max_concurrency: int = 10,
        send_to_destination: DestinationSender | None = None,
    ) -> None:
        self.send_to_destination = send_to_destination
        self.endpoint_url = endpoint_url
        self.region = region
        self.account_id = account_id
        self.log_dir = log_dir
        self.max_concurrency = max_concurrency
        self._specs: dict[str, FunctionSpec] = {}
        self._idle: dict[str, list[_Worker]] = {}
        self._busy: dict[str, int] = {}
        self._lock = threading.Condition()
        self._log_lock = threading.Lock()
        log_dir.mkdir(parents=True, exist_ok=True)

    # --- registry -------------------------------------------------------------------------
    def register(self, spec: FunctionSpec) -> None:
        with self._lock:
            self._specs[spec.name] = spec
            self._idle.setdefault(spec.name, [])
            self._busy.setdefault(spec.name, 0)

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
        runtime_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(spec.code_dir),
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "LAMBDA_TASK_ROOT": str(spec.code_dir),
            "_HANDLER": spec.handler,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET_KEY,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "LOCAL_LAMBDA_FUNCTION_ARN": spec.arn,
            # no X-Ray daemon runs locally: the tracer would only print connection errors
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
        return runtime_env | spec.environment

    # --- invocation -----------------------------------------------------------------------
    def invoke_async(self, name_or_arn: str, event: Any) -> Invocation:
        """An asynchronous invocation (EventBridge, ``InvocationType=Event``) as Lambda runs it:
        retried ``async_retries`` times, then the failure goes to the on-failure destination."""
        spec = self.spec(name_or_arn)
        attempts = 0
        while True:
            attempts += 1
            invocation = self.invoke(spec.name, event)
            if not invocation.errored or attempts > spec.async_retries:
                break
        if invocation.errored and spec.on_failure and self.send_to_destination:
            self.send_to_destination(
                spec.on_failure,
                {
                    "version": "1.0",
                    "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                    "requestContext": {
                        "requestId": str(uuid.uuid4()),
                        "functionArn": f"{spec.arn}:$LATEST",
                        "condition": "RetriesExhausted",
                        "approximateInvokeCount": attempts,
                    },
                    "requestPayload": event,
                    "responseContext": {
                        "statusCode": 200,
                        "executedVersion": "$LATEST",
                        "functionError": "Unhandled",
                    },
                    "responsePayload": invocation.payload,
                },
            )
        return invocation

    def invoke(self, name_or_arn: str, event: Any) -> Invocation:
        spec = self.spec(name_or_arn)
        worker = self._acquire(spec)
        request_id = str(uuid.uuid4())
        started = time.time()
        deadline = started + spec.timeout_seconds
        logs: list[str] = []
        assert worker.process.stdin is not None
        try:
            worker.process.stdin.write(
                json.dumps({"request_id": request_id, "deadline": deadline, "event": event}) + "\n"
            )
            worker.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return self._finish(spec, None, True, _crash(spec, logs), logs, started)
        while True:
            try:
                line = worker.lines.get(timeout=max(0.0, deadline - time.time()))
            except queue.Empty:
                self._kill(worker)
                message = f"Task timed out after {spec.timeout_seconds:.2f} seconds"
                logs.append(f"{request_id} {message}")
                payload = {"errorType": "Sandbox.Timedout", "errorMessage": message}
                return self._finish(spec, None, True, payload, logs, started)
            if line is None:  # the worker died
                return self._finish(spec, None, True, _crash(spec, logs), logs, started)
            if line.startswith(RESULT_MARKER):
                outcome = json.loads(line[len(RESULT_MARKER) :])
                return self._finish(spec, worker, not outcome["ok"], outcome["payload"], logs, started)
            if line.strip():
                logs.append(line)
                self._write_log(spec.name, line)

    def _finish(
        self,
        spec: FunctionSpec,
        worker: _Worker | None,
        errored: bool,
        payload: Any,
        logs: list[str],
        started: float,
    ) -> Invocation:
        with self._lock:
            self._busy[spec.name] -= 1
            if worker is not None and worker.process.poll() is None:
                self._idle[spec.name].append(worker)
            self._lock.notify_all()
        return Invocation(payload, errored, "\n".join(logs), int((time.time() - started) * 1000))

    def _acquire(self, spec: FunctionSpec) -> _Worker:
        with self._lock:
            while True:
                idle = self._idle[spec.name]
                while idle:
                    worker = idle.pop()
                    if worker.process.poll() is None:
                        self._busy[spec.name] += 1
                        return worker
                if self._busy[spec.name] < self.max_concurrency:
                    self._busy[spec.name] += 1
                    break
                self._lock.wait(timeout=1.0)
        try:
            return self._spawn(spec)
        except Exception:
            with self._lock:
                self._busy[spec.name] -= 1
            raise

    def _spawn(self, spec: FunctionSpec) -> _Worker:
        process = subprocess.Popen(  # noqa: S603 - our own worker script, our interpreter
            [sys.executable, str(WORKER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=self.environment_of(spec),
            cwd=str(spec.code_dir),
            text=True,
            bufsize=1,
        )
        worker = _Worker(process)
        threading.Thread(target=_pump, args=(process, worker.lines), daemon=True).start()
        return worker

    def _write_log(self, function_name: str, line: str) -> None:
        with self._log_lock, (self.log_dir / f"{function_name}.log").open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    @staticmethod
    def _kill(worker: _Worker) -> None:
        worker.process.kill()
        worker.process.wait(timeout=5)

    def shutdown(self) -> None:
        with self._lock:
            workers = [worker for idle in self._idle.values() for worker in idle]
            for idle in self._idle.values():
                idle.clear()
        for worker in workers:
            if worker.process.stdin:
                worker.process.stdin.close()
            try:
                worker.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                worker.process.kill()


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _crash(spec: FunctionSpec, logs: list[str]) -> dict[str, str]:
    tail = "\n".join(logs[-5:])
    return {"errorType": "Runtime.ExitError", "errorMessage": f"{spec.name} exited unexpectedly. {tail}"}
