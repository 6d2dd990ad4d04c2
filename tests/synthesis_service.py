"""One CDK runtime for a parallel test session: the process that synthesizes for every test process.

A process's first synthesis starts the CDK's JavaScript runtime (~15 s of CPU, most of a synthesis);
the next ones in the same process cost ~4 s. With tests in parallel processes (pytest-xdist), each
would start its own runtime; instead the session starts this process (``tests/conftest.py``), the
test processes send it what to synthesize (``synthesize_in_session``) and it synthesizes one
request at a time in its one runtime. Without it (a test run in one process) a test process
synthesizes itself. The tests that build constructs themselves do it there too (``in_cdk_runtime``).
"""

from __future__ import annotations

import builtins
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

ADDRESS = "ORCHESTRATOR_TEST_SYNTHESIS_SOCKET"
"""The environment variable naming the session's synthesis socket (set for the test processes)."""
REPO_ROOT = Path(__file__).resolve().parents[1]


def synthesize_in_session(outdir: Path, context: dict[str, Any]) -> None:
    """``synthesize_here(outdir, context)`` in the session's synthesis process, or in this process
    when the session has none."""
    from tests.synthesized import synthesize_here

    if not os.environ.get(ADDRESS):
        synthesize_here(outdir, context)
        return
    _ask({"outdir": str(outdir), "context": context})


def in_cdk_runtime(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in the session's synthesis process, whose CDK runtime is started once for
    the session, or in this process when the session has none: for a test that builds constructs
    itself, instead of starting a CDK runtime in its own process (~10 s of CPU). ``function`` is a
    module-level function (found by its module and name there), its arguments and result JSON. An
    exception it raises is raised here as the same built-in type, with its message and traceback."""
    if not os.environ.get(ADDRESS):
        return function(*args)
    result: T = _ask({"call": f"{function.__module__}:{function.__qualname__}", "args": list(args)})
    return result


def _ask(request: dict[str, Any]) -> Any:
    """The session's synthesis process's result for ``request`` (raised again here if it failed)."""
    address = os.environ[ADDRESS]
    with socket.socket(socket.AF_UNIX) as connection:
        _connect(connection, address)
        connection.sendall(json.dumps(request).encode() + b"\n")
        answer = connection.makefile("rb").readline()
    if not answer:
        raise RuntimeError(f"the session's synthesis process ({address}) ended without an answer")
    reply = json.loads(answer)
    if "error" in reply:
        raised = getattr(builtins, reply.get("type", ""), None)
        if not (isinstance(raised, type) and issubclass(raised, Exception)):
            raised = RuntimeError
        raise raised(f"{reply['message']}\n\nin the session's synthesis process:\n{reply['error']}")
    return reply.get("result")


def _connect(connection: socket.socket, address: str, timeout: float = 60) -> None:
    """Connected to the process, given the time to start listening."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.connect(address)
            return
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class SynthesisProcess:
    """The session's synthesis process: started before the test processes, which find it through
    ``ADDRESS``, and stopped (its CDK runtime with it) when the session ends."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="synthesis-"))
        self.address = str(self.folder / "socket")
        self.process = subprocess.Popen(  # noqa: S603 - this module, with our interpreter
            [sys.executable, "-m", "tests.synthesis_service", self.address], cwd=REPO_ROOT
        )
        os.environ[ADDRESS] = self.address

    def stop(self) -> None:
        os.environ.pop(ADDRESS, None)
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for path in self.folder.iterdir():
            path.unlink()
        self.folder.rmdir()


def serve(address: str) -> None:
    """Answer each request (a line of JSON) once done, one request at a time, until terminated:
    a synthesis (``outdir``, ``context``) or a call (``call``: "module:function", ``args``), answered
    ``{"result": <the call's result, JSON>}``, or ``{"error": <traceback>, "type": <the exception's
    class name>, "message": ...}``."""
    from tests import conftest  # noqa: F401 - the tests' environment (credentials, region)
    from tests.synthesized import synthesize_here

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # exits through the runtime's own stop
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(address)
        server.listen(64)
        while True:
            connection, _ = server.accept()
            with connection, connection.makefile("rwb") as stream:
                request = json.loads(stream.readline())
                try:
                    if "call" in request:
                        module, name = request["call"].split(":")
                        result = getattr(importlib.import_module(module), name)(*request["args"])
                    else:
                        result = synthesize_here(Path(request["outdir"]), request["context"])
                    reply: dict[str, Any] = {"result": result}
                except Exception as exc:  # the test process raises it, with this traceback
                    reply = {"error": traceback.format_exc(), "type": type(exc).__name__, "message": str(exc)}
                stream.write(json.dumps(reply).encode() + b"\n")


if __name__ == "__main__":
    serve(sys.argv[1])
