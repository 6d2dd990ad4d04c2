"""Adaptations of moto's Step Functions interpreter that spend less CPU per execution and per task,
with the same results and histories (moto pinned: see pyproject). Installed with ``moto_speedups``
(``moto_adapters.restore_all`` undoes them).

1. ``build_each_program_once``: the interpreter built every execution's program (the tree of
   states it evaluates) from the definition's parse tree again: about 50 ms of CPU for a
   generated state machine, at every run's start. The program only describes the states (what an
   execution has reached lives in its environment: moto already evaluates one program for every
   item of a Map at once), so one program per definition text serves every execution of it.
2. ``share_interpreter_clients``: the interpreter asks for a boto3 client (about 5 ms of CPU to
   make) for every task it runs, each in a thread of its own: every Lambda invocation of a run,
   every Map item's. One client per region, service and endpoint serves every thread here
   (botocore's clients are safe to share between threads), with moto's settings and a
   connection pool as large as the interpreter's concurrency needs.
3. ``invoke_functions_in_process``: a ``lambda:invoke`` task sent its invocation through botocore
   and HTTP to moto's server, in the same process (the request built and signed, parsed again by
   the server, the answer built and parsed back), as Step Functions calls Lambda inside AWS. The
   task now hands it to moto's Lambda backend directly (``LambdaBackend.invoke``: the same
   function lookup, the same run on the local runtime, the same logs) and gets the answer botocore
   would have parsed: status 200, ``FunctionError`` on a failure, the payload, the 6 MB limit as
   moto's server applies it. An invocation it does not take as it is (another invocation or log
   type, a function moto does not know) goes the way it went.

``tests/local_cloud/test_sfn_speedups.py`` runs state machines with and without them and compares
the executions' results and histories.
"""

from __future__ import annotations

import json
import threading
from typing import Any, cast

from infra.local.moto_adapters import _original, _patch

PROGRAMS_KEPT = 256
"""Definitions whose program is kept (a local cloud deploys a few dozen state machines)."""

CLIENT_CONNECTIONS = 64
"""Open connections each shared client keeps for reuse (botocore's default, 10, would open and
drop one for every task past the tenth running at once)."""


# --- 1. one program per definition ------------------------------------------------------------------
def build_each_program_once() -> None:
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    original = _original(ExecutionWorker, "_get_evaluation_entrypoint")
    programs: dict[str, Any] = {}
    lock = threading.Lock()

    def _get_evaluation_entrypoint(self: Any) -> Any:
        definition = self._evaluation_details.state_machine_details.definition
        program = programs.get(definition) if isinstance(definition, str) else None
        if program is None:
            program = original(self)  # a definition that does not parse raises here, each time
            if isinstance(definition, str):
                _fix_heap_keys(program)
                with lock:
                    if len(programs) >= PROGRAMS_KEPT:
                        programs.clear()
                    program = programs.setdefault(definition, program)
        return program

    _patch(ExecutionWorker, "_get_evaluation_entrypoint", _get_evaluation_entrypoint)


def _fix_heap_keys(program: Any) -> None:
    """Gives every component of the program its heap key now. moto draws a component's key (under
    which an execution's environment keeps the component's counters, such as a retrier's attempts)
    the first time it is asked for: two executions asking at once could each draw one, and the
    first would then lose its counters."""
    from moto.stepfunctions.parser.asl.component.component import Component
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent

    seen: set[int] = set()
    pending: list[Any] = [program]
    while pending:
        value = pending.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, Component):
            if isinstance(value, EvalComponent):
                _ = value.heap_key
            pending.extend(vars(value).values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            pending.extend(value)
        elif isinstance(value, dict):
            pending.extend(value.values())


# --- 2. one client per service for every interpreter thread -----------------------------------------
_CLIENT_USERS = (  # the interpreter's modules that import ``boto_client_for`` by name
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_dynamodb",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_events",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sqs",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sns",
)


def share_interpreter_clients() -> None:
    """moto makes the client with its own credentials (not the state's), no retries and its
    timeouts: the shared one is made by moto, with a larger connection pool."""
    import importlib

    from botocore.config import Config
    from moto.core.models import botocore_stubber
    from moto.settings import moto_server_port
    from moto.stepfunctions.parser.asl.utils import boto_client

    original = _original(boto_client, "boto_client_for")
    config = _original(boto_client, "Config")
    clients: dict[tuple[Any, ...], Any] = {}
    lock = threading.Lock()

    def pooled_config(*args: Any, **kwargs: Any) -> Config:
        """moto's client settings (the only ``Config`` its module makes), with the larger pool."""
        return cast(Config, config(*args, **kwargs)).merge(Config(max_pool_connections=CLIENT_CONNECTIONS))

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        key = (region, service, moto_server_port(), botocore_stubber.enabled)
        client = clients.get(key)
        if client is None:
            with lock:  # boto3's default session is not safe to make clients from in several threads
                client = clients.get(key)
                if client is None:
                    client = clients[key] = original(
                        region=region, service=service, state_credentials=state_credentials
                    )
        return client

    _patch(boto_client, "Config", pooled_config)
    for module in [boto_client, *map(importlib.import_module, _CLIENT_USERS)]:
        _patch(module, "boto_client_for", boto_client_for)


# --- 3. a Lambda task's invocation handed to moto's Lambda backend ----------------------------------
PAYLOAD_LIMIT = 6000000
"""moto's server answers a payload larger than this (``sys.getsizeof``) with ``ResponseSizeTooLarge``."""
TOO_LARGE = "Response payload size exceeded maximum allowed payload size (6291556 bytes)."


def invoke_functions_in_process() -> None:
    import io
    import sys

    from moto.awslambda.models import lambda_backends
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    original = _original(lambda_eval_utils, "_invoke_lambda_function")
    taken_as_is = {"FunctionName", "Payload"}

    def _invoke_lambda_function(parameters: dict[str, Any], region: str, state_credentials: Any) -> Any:
        name = parameters.get("FunctionName")
        if not isinstance(name, str) or not set(parameters) <= taken_as_is:
            return original(parameters=parameters, region=region, state_credentials=state_credentials)
        account = (
            name.split(":")[4] if name.startswith("arn:") and name.count(":") >= 6 else DEFAULT_ACCOUNT_ID
        )
        backend = lambda_backends[account][region]
        try:
            backend.get_function(name, None)
        except Exception:  # unknown here: moto's server answers it as it does
            return original(parameters=parameters, region=region, state_credentials=state_credentials)
        body = lambda_eval_utils.to_payload_type(parameters.get("Payload"))
        headers: dict[str, str] = {}
        payload = backend.invoke(name, None, body.decode("utf-8") if body else "", {}, headers)
        if sys.getsizeof(payload) > PAYLOAD_LIMIT:
            headers["x-amz-function-error"] = "Unhandled"
            error = {"errorMessage": TOO_LARGE, "errorType": "Function.ResponseSizeTooLarge"}
            payload = json.dumps(error).encode("utf-8")
        response: dict[str, Any] = {"StatusCode": 200}
        if "x-amz-function-error" in headers:
            response["FunctionError"] = headers["x-amz-function-error"]
        data = payload if isinstance(payload, bytes) else str(payload or "").encode("utf-8")
        response["Payload"] = lambda_eval_utils._from_payload(io.BytesIO(data))
        return response

    _patch(lambda_eval_utils, "_invoke_lambda_function", _invoke_lambda_function)


def install_all() -> None:
    build_each_program_once()
    share_interpreter_clients()
    invoke_functions_in_process()
