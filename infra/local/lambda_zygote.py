"""The template of a function's warm workers: imports the libraries every function imports, once,
and botocore's models of the services they call, then forks a worker per request, so that a new
execution environment costs a fork and the import of the function's own modules instead of a whole
interpreter start, every library's import and the parse of every model its first clients load.

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


def _share_botocore_models(services: list[str]) -> None:
    """Loads botocore's models of ``services`` (and its endpoint, partition and defaults files) once
    here, so that every worker's botocore loader starts with them (parsed once for every worker, and
    shared copy-on-write), as a worker's loader would hold them after its first client of each.

    A loader is botocore's cache of its data files: ``Loader.load_service_model`` and
    ``load_data`` keep each file's parsed (and extras-merged) content per loader, and botocore never
    changes what they return. A worker's sessions still make their own loader (``create_loader``,
    which botocore's session calls when a session first needs one), filled here from the files of
    the default search path only: a session given another data path (``AWS_DATA_PATH``) or a loader
    of its own finds nothing of this."""
    try:
        import boto3
        from botocore import loaders
        from botocore import session as botocore_session
        from botocore.exceptions import DataNotFoundError
    except ImportError:  # no botocore in this code: nothing to share
        return
    warm = boto3.session.Session(region_name="us-east-1")._loader  # botocore's data and boto3's
    for service in services:
        for kind in ("service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2", "resources-1"):
            try:
                warm.load_service_model(service, kind)
            except DataNotFoundError:  # a service without this kind of file (or unknown here)
                continue
    for name in ("endpoints", "partitions", "sdk-default-configuration", "_retry"):
        try:
            warm.load_data(name)
        except DataNotFoundError:
            continue
    loaded = dict(warm._cache)
    create_loader = botocore_session.create_loader

    def create_loader_with_models(search_path_string: str | None = None) -> loaders.Loader:
        loader = create_loader(search_path_string)
        if search_path_string is None:  # botocore's own search path: the files loaded here
            loader._cache.update(loaded)
        return loader

    botocore_session.create_loader = create_loader_with_models


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
    models = [name for name in os.environ.pop("LOCAL_LAMBDA_MODELS", "").split(",") if name]
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the runtime, which stops the zygote
    control.send(READY)
    # after the answer: the runtime holds its zygote lock until then (a stop waits for it), while
    # the first fork request simply waits in the socket for the models
    _share_botocore_models(models)
    _serve(control)


if __name__ == "__main__":
    main()
