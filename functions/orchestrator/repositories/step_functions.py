"""Step Functions task tokens: resuming (or failing) a task that waits for a person."""

from __future__ import annotations

import json
from typing import Any, Protocol

from orchestrator.aws_errors import domain_error
from orchestrator.errors import RunNotActive


class TaskTokens(Protocol):
    def succeed(self, token: str, output: dict[str, Any]) -> None: ...

    def fail(self, token: str, error: str, cause: str) -> None: ...


class StepFunctionsTaskTokens:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    def _sfn(self) -> Any:
        if self._client is None:
            from orchestrator.aws import client

            self._client = client("stepfunctions")
        return self._client

    def succeed(self, token: str, output: dict[str, Any]) -> None:
        self._call("send_task_success", taskToken=token, output=json.dumps(output))

    def fail(self, token: str, error: str, cause: str) -> None:
        self._call("send_task_failure", taskToken=token, error=error, cause=cause[:32000])

    def _call(self, operation: str, **kwargs: Any) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            getattr(self._sfn(), operation)(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("TaskTimedOut", "InvalidToken", "TaskDoesNotExist"):
                raise RunNotActive(
                    "the run is no longer waiting at this gate (it timed out or ended)"
                ) from exc
            raise domain_error(operation, exc) from exc
        except BotoCoreError as exc:
            raise domain_error(operation, exc) from exc
