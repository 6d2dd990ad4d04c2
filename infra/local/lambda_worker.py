"""One warm Lambda execution environment: imports the handler once, serves invocations.

Started by ``lambda_runtime.py`` with exactly the function's environment. Reads one JSON
request per line on stdin; everything the handler prints goes to stdout as logs; the
result of each invocation is the last line, prefixed with ``RESULT_MARKER``; the end of the
init phase (the handler's module imported) is announced with ``READY_MARKER``. A handler
exception becomes a Lambda error payload (``errorType`` is the exception's class name).
Standard library only: it runs before the function's own imports.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from typing import Any

RESULT_MARKER = "\x1e__LOCAL_LAMBDA_RESULT__ "
READY_MARKER = "\x1e__LOCAL_LAMBDA_READY__"
"""Printed once the handler's module is imported (or failed to): the init phase is over."""


class LambdaContext:
    def __init__(self, request_id: str, deadline: float) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = os.environ.get("LOCAL_LAMBDA_FUNCTION_ARN", "")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def _emit(result: dict[str, Any]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    sys.stdout.write("\n" + RESULT_MARKER + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


def _error_payload(exc: BaseException) -> dict[str, Any]:
    return {
        "errorType": type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def main() -> None:
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
        init_error = None
    except Exception as exc:  # init failure: every invocation reports it, as Lambda does
        handler, init_error = None, exc
        traceback.print_exc()
    sys.stdout.write("\n" + READY_MARKER + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if init_error is not None:
            _emit(
                {
                    "ok": False,
                    "payload": {**_error_payload(init_error), "errorType": "Runtime.ImportModuleError"},
                }
            )
            continue
        context = LambdaContext(request["request_id"], request["deadline"])
        print(f"START RequestId: {context.aws_request_id}", flush=True)
        try:
            outcome = {"ok": True, "payload": handler(request["event"], context)}
        except Exception as exc:
            traceback.print_exc()
            outcome = {"ok": False, "payload": _error_payload(exc)}
        print(f"END RequestId: {context.aws_request_id}", flush=True)
        _emit(outcome)


if __name__ == "__main__":
    main()
