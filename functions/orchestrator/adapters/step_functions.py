"""Step Functions: starting a run's execution, and resuming (or failing) a task that waits for a person."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.core.aws_errors import domain_error
from orchestrator.core.errors import ConflictError, InvalidRequest, RunNotActive


class StepFunctionsTaskTokens:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    def _sfn(self) -> Any:
        if self._client is None:
            from orchestrator.adapters.aws_clients import client

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


class StepFunctionsStarter:
    def __init__(self, state_machine_arns: dict[str, str], client: Any | None = None) -> None:
        self._arns = state_machine_arns
        self._client = client

    def start(self, template: str, run_id: str, state_input: dict[str, Any]) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        if self._client is None:
            from orchestrator.adapters.aws_clients import client

            self._client = client("stepfunctions")
        arn = self._arns.get(template)
        if arn is None:
            raise InvalidRequest(f"template {template!r} has no state machine in this deployment")
        try:
            response = self._client.start_execution(
                stateMachineArn=arn, name=run_id, input=json.dumps(state_input)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                raise ConflictError(f"run {run_id} already started") from exc
            raise domain_error(f"starting run {run_id}", exc) from exc
        except BotoCoreError as exc:
            raise domain_error(f"starting run {run_id}", exc) from exc
        return str(response["executionArn"])


class StepFunctionsHistory:
    """An execution's history, read page by page (at most 1,000 events a page; 25,000 at most)."""

    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    def events(self, execution_arn: str) -> list[dict[str, Any]] | None:
        from botocore.exceptions import BotoCoreError, ClientError

        if self._client is None:
            from orchestrator.adapters.aws_clients import client

            self._client = client("stepfunctions")
        events: list[dict[str, Any]] = []
        arguments: dict[str, Any] = {
            "executionArn": execution_arn,
            "maxResults": 1000,
            "includeExecutionData": False,
        }
        try:
            while True:
                page = self._client.get_execution_history(**arguments)
                events.extend(page.get("events", []))
                if not page.get("nextToken"):
                    return events
                arguments["nextToken"] = page["nextToken"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
                return None
            raise domain_error(f"reading the history of {execution_arn}", exc) from exc
        except BotoCoreError as exc:
            raise domain_error(f"reading the history of {execution_arn}", exc) from exc


class StepFunctionsWebhookRetries:
    """Schedules a webhook delivery's next attempt: an execution of the retry state machine (a Wait,
    then an attempt, again while the schedule lasts), named after the delivery, so scheduling it
    twice (the bus handed the event over again) starts one execution."""

    def __init__(self, state_machine_arn: str, client: Any | None = None) -> None:
        self._arn = state_machine_arn
        self._client = client

    def schedule(self, delivery: Any, delay_seconds: int) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        if self._client is None:
            from orchestrator.adapters.aws_clients import client

            self._client = client("stepfunctions")
        name = f"{delivery.endpoint_id}-{delivery.delivery_id}"
        state = {
            "tenant_id": delivery.tenant_id,
            "endpoint_id": delivery.endpoint_id,
            "delivery_id": delivery.delivery_id,
            "delay_seconds": delay_seconds,
            "round": 0,
        }
        try:
            self._client.start_execution(stateMachineArn=self._arn, name=name, input=json.dumps(state))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return
            raise domain_error(f"scheduling webhook delivery {name}", exc) from exc
        except BotoCoreError as exc:
            raise domain_error(f"scheduling webhook delivery {name}", exc) from exc
