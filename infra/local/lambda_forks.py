"""New warm workers forked from a zygote that has the common libraries imported already.

Starting a worker as a new interpreter costs its import of boto3, botocore, Pydantic, Powertools
and the X-Ray SDK every time (about 80% of a handler's import, hundreds of milliseconds of CPU);
the first run of every template, a burst and each test suite's local cloud start dozens of
workers. A :class:`ForkServer` (one per code folder: every function of the stack shares one code
asset) imports those libraries once in a single-threaded process, ``lambda_zygote.py``, and forks
each worker from it; the worker then takes the function's own environment and imports the
function's handler, as a new execution environment's init phase does.

What a worker sees is what a spawned one sees: exactly its declared environment (the zygote's is
replaced, not extended), its code folder, its own stdin and stdout. The libraries it finds
already imported were imported under the environment every function shares; a function whose
declared environment sets a variable those libraries read at import (``PYTHON*``, ``AWS_XRAY_*``,
``AWS_EXECUTION_ENV``, ``POWERTOOLS_DEV``/``POWERTOOLS_DEBUG``) is started as a new interpreter
instead, and so is every worker where ``fork`` or pidfds are missing (not Linux) or when
``ORCHESTRATOR_LOCAL_LAMBDA_FORK=0``. (Forked workers share the zygote's string-hash seed.)

A forked worker is not this process's child: :class:`ForkedProcess` watches it through a pidfd
and offers the part of ``subprocess.Popen`` the runtime uses (``stdin``, ``stdout``, ``poll``,
``kill``, ``wait``).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import IO

ZYGOTE_SCRIPT = Path(__file__).with_name("lambda_zygote.py")

PRELOADED_MODULES = (
    "boto3",
    "botocore.client",
    "botocore.session",
    "pydantic",
    "pydantic_settings",
    "aws_xray_sdk.core",
    "aws_lambda_powertools.logging",
    "aws_lambda_powertools.metrics",
    "aws_lambda_powertools.tracing",
    "aws_lambda_powertools.event_handler",
    "urllib3",
    "jwt",
)
"""Libraries every function imports (or the API function, the largest): imported once per zygote."""

PRELOADED_MODELS = (
    "dynamodb",
    "events",
    "sts",
    "stepfunctions",
    "s3",
    "s3vectors",
    "kms",
    "secretsmanager",
    "sqs",
    "lambda",
    "apigatewaymanagementapi",
    "cognito-idp",
    "bedrock-runtime",
)
"""Services the functions call: botocore's models of each are parsed once per zygote
(``lambda_zygote._share_botocore_models``), not by each worker's first client."""

READ_AT_IMPORT = ("PYTHON", "AWS_XRAY_", "AWS_EXECUTION_ENV", "POWERTOOLS_DEV", "POWERTOOLS_DEBUG")
"""Variables that the interpreter or the preloaded libraries read when imported: a function whose
environment differs from the zygote's in one of them is not forked."""

FORK_SWITCH = "ORCHESTRATOR_LOCAL_LAMBDA_FORK"
START_TIMEOUT_SECONDS = 60.0


def forking_available() -> bool:
    return (
        os.environ.get(FORK_SWITCH, "1") != "0"
        and hasattr(os, "fork")
        and hasattr(os, "pidfd_open")
        and hasattr(signal, "pidfd_send_signal")
        and hasattr(socket, "SOCK_SEQPACKET")
        and hasattr(socket, "send_fds")
    )


def forkable(worker_env: Mapping[str, str], zygote_env: Mapping[str, str]) -> bool:
    """Whether a worker with this environment sees the same libraries when forked as when started."""
    keys = {k for k in (*worker_env, *zygote_env) if k.startswith(READ_AT_IMPORT)}
    return all(worker_env.get(key) == zygote_env.get(key) for key in keys)


class ForkedProcess:
    """A worker forked by the zygote, with the part of ``Popen`` the runtime uses."""

    def __init__(self, pid: int, stdin: IO[str], stdout: IO[str]) -> None:
        self.pid = pid
        self.stdin: IO[str] | None = stdin
        self.stdout: IO[str] | None = stdout
        self.returncode: int | None = None
        self._pidfd: int | None = None
        self._lock = threading.Lock()
        try:
            self._pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # it ended already (and was reaped)
            self.returncode = -1

    def _ended(self, timeout: float) -> bool:
        pidfd = self._pidfd
        if self.returncode is not None or pidfd is None:
            return True
        try:
            readable, _, _ = select.select([pidfd], [], [], timeout)
        except (OSError, ValueError):  # closed by another thread that saw the end first
            return True
        if not readable:
            return False
        with self._lock:
            if self._pidfd is not None:
                self.returncode = -1  # not our child: its exit status is the zygote's to collect
                os.close(self._pidfd)
                self._pidfd = None
        return True

    def poll(self) -> int | None:
        return self.returncode if self._ended(0) else None

    def wait(self, timeout: float | None = None) -> int:
        if not self._ended(timeout if timeout is not None else 365 * 86400.0):
            raise subprocess.TimeoutExpired(str(ZYGOTE_SCRIPT), timeout or 0)
        return self.returncode or -1

    def kill(self) -> None:
        with self._lock:
            if self._pidfd is not None:
                with contextlib.suppress(ProcessLookupError):
                    signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    def __del__(self) -> None:
        if self._pidfd is not None:
            os.close(self._pidfd)


class ForkServer:
    """One zygote: started with the environment every function shares, forks workers on request."""

    def __init__(self, code_dir: Path, environment: Mapping[str, str], log_path: Path) -> None:
        self.environment = dict(environment)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._control = ours
        self._lock = threading.Lock()
        with log_path.open("a", encoding="utf-8") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own zygote script, our interpreter
                [sys.executable, str(ZYGOTE_SCRIPT), str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=self.environment
                | {
                    "LOCAL_LAMBDA_PRELOAD": ",".join(PRELOADED_MODULES),
                    "LOCAL_LAMBDA_MODELS": ",".join(PRELOADED_MODELS),
                },
                cwd=str(code_dir),
            )
        theirs.close()
        ours.settimeout(START_TIMEOUT_SECONDS)
        try:
            ready = ours.recv(64)
        except OSError:
            ready = b""
        ours.settimeout(None)
        if ready != b"ready":
            self.close()
            raise RuntimeError(f"the worker zygote did not start (see {log_path})")

    def fork(self, environment: Mapping[str, str], cwd: Path) -> ForkedProcess:
        """A new worker with exactly this environment and working folder."""
        stdin_read, stdin_write = os.pipe()
        stdout_read, stdout_write = os.pipe()
        try:
            with self._lock:
                message = json.dumps({"env": dict(environment), "cwd": str(cwd)}).encode()
                socket.send_fds(self._control, [message], [stdin_read, stdout_write])
                reply = self._control.recv(4096)
        except OSError:
            for fd in (stdin_write, stdout_read):
                os.close(fd)
            raise
        finally:
            os.close(stdin_read)
            os.close(stdout_write)
        if not reply:
            for fd in (stdin_write, stdout_read):
                os.close(fd)
            raise OSError("the worker zygote has stopped")
        stdin = open(stdin_write, "w", encoding="utf-8", buffering=1)  # noqa: SIM115 - the worker's pipe
        stdout = open(stdout_read, encoding="utf-8")  # noqa: SIM115 - the worker's pipe
        return ForkedProcess(json.loads(reply)["pid"], stdin, stdout)

    def close(self) -> None:
        """Stops the zygote (its workers are stopped by the runtime, each on its own)."""
        self._control.close()
        self.process.kill()
        self.process.wait()
