"""The template of a function's warm workers: imports the libraries every function imports, once,
then forks a worker per request, so that a new execution environment costs a fork and the import
of the function's own modules instead of a whole interpreter start and every library's import.

Started by ``lambda_forks.py`` as ``python lambda_zygote.py <control fd>`` with the environment
every function shares (the Lambda runtime's variables and the local endpoint), never a function's
own. Each request on the control socket (a ``SOCK_SEQPACKET`` pair) is one JSON message with the
worker's whole environment and working directory, and two file descriptors: the worker's stdin
and stdout. The child replaces the environment, takes the descriptors as 0, 1 and 2, and runs
``lambda_worker.main``: from there on it is the worker ``lambda_worker.py`` describes. The answer
is the child's pid. Children are reaped by the kernel (``SIGCHLD`` ignored); the zygote exits
when its control socket closes. Standard library only, besides what it is asked to preload.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import sys
import time
import traceback

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
READY = b"ready"
MAX_MESSAGE = 1 << 20


def _preload(names: list[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:  # a library this code does not use: its functions do not import it either
            continue


def _become_worker(request: dict[str, object], fds: list[int]) -> None:
    """In the child: the request's descriptors and environment, then the worker's loop."""
    import lambda_worker

    stdin_fd, stdout_fd = fds
    os.dup2(stdin_fd, 0)
    os.dup2(stdout_fd, 1)
    os.dup2(stdout_fd, 2)
    os.close(stdin_fd)
    os.close(stdout_fd)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a worker started on its own
    environment = request["env"]
    assert isinstance(environment, dict)
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in environment.items()})
    time.tzset()
    os.chdir(str(request["cwd"]))
    lambda_worker.main()


def _serve(control: socket.socket) -> None:
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, MAX_MESSAGE, 2)
        except (ConnectionError, OSError):
            return
        if not message:  # the runtime closed its end: stop
            return
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                control.close()
                _become_worker(json.loads(message), list(fds))
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        for fd in fds:
            os.close(fd)
        control.send(json.dumps({"pid": pid}).encode())


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    import lambda_worker  # noqa: F401 - from this folder, which the workers then no longer see

    sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != os.path.realpath(SCRIPT_DIR)]
    _preload([name for name in os.environ.pop("LOCAL_LAMBDA_PRELOAD", "").split(",") if name])
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the runtime, which stops the zygote
    control.send(READY)
    _serve(control)


if __name__ == "__main__":
    main()
