"""The interpreter's CPU savings (``infra/local/sfn_speedups.py``) leave executions' results and
histories as moto's own interpreter makes them."""

from __future__ import annotations

import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from infra.local import moto_adapters, sfn_speedups
from tests.local_cloud.emulation import Emulation, wait_for_execution

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _definition(flaky: str, over_budget: str) -> dict[str, Any]:
    """A Choice, a bounded Map whose items retry once, then a failing task its Catch takes."""
    retry = [
        {"ErrorEquals": ["ProviderThrottled"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1.0}
    ]
    task = {
        "Type": "Task",
        "Resource": LAMBDA_INVOKE,
        "Parameters": {
            "FunctionName": flaky,
            "Payload": {
                "notes_file.$": "$.notes_file",
                "item.$": "$.item",
                "fail_times": 1,
                "retry_count.$": "$$.State.RetryCount",
            },
        },
        "ResultSelector": {"calls.$": "$.Payload.calls"},
        "Retry": retry,
        "End": True,
    }
    return {
        "StartAt": "Any items?",
        "States": {
            "Any items?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.items[0]", "IsPresent": True, "Next": "Execute tasks"}],
                "Default": "Nothing to do",
            },
            "Execute tasks": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 1,
                "ItemSelector": {"notes_file.$": "$.notes_file", "item.$": "$$.Map.Item.Value.index"},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Execute task",
                    "States": {"Execute task": task},
                },
                "ResultPath": "$.results",
                "Next": "Spend",
            },
            "Spend": {
                "Type": "Task",
                "Resource": LAMBDA_INVOKE,
                "Parameters": {"FunctionName": over_budget, "Payload": {}},
                "Catch": [{"ErrorEquals": ["BudgetExceeded"], "ResultPath": "$.error", "Next": "Undo"}],
                "End": True,
            },
            "Undo": {"Type": "Pass", "End": True},
            "Nothing to do": {"Type": "Succeed"},
        },
    }


def _start(emulation: Emulation, machine: str, notes: Path) -> str:
    sfn = emulation.client("stepfunctions")
    payload = {"notes_file": str(notes), "items": [{"index": 0}, {"index": 1}]}
    return str(
        sfn.start_execution(stateMachineArn=machine, name=notes.stem, input=json.dumps(payload))[
            "executionArn"
        ]
    )


def _comparable(result: dict[str, Any], execution_arn: str, notes: Path) -> tuple[Any, ...]:
    """The execution's status, output and history, without what differs between any two executions
    (times, its name, ARN and notes file, request ids)."""

    def plain(value: Any) -> Any:
        text = json.dumps(value, default=str, sort_keys=True)
        for own in (execution_arn, str(notes), notes.stem):
            text = text.replace(own, "<this execution>")
        return json.loads(_UUID.sub("<uuid>", text))

    history = [
        plain({key: value for key, value in event.items() if key != "timestamp"})
        for event in result["history"]
    ]
    return result["status"], plain(result.get("output")), history


def _machine(emulation: Emulation, prefix: str = "sfn-speedups") -> str:
    flaky = emulation.function(f"{prefix}-flaky", "sample_handlers.flaky_noting_attempts")
    over_budget = emulation.function(f"{prefix}-over-budget", "sample_handlers.over_budget")
    return str(
        emulation.client("stepfunctions").create_state_machine(
            name=f"sfn-speedups-{time.time_ns()}",
            definition=json.dumps(_definition(flaky, over_budget)),
            roleArn=emulation.role_arn,
        )["stateMachineArn"]
    )


def test_executions_end_and_record_as_moto_s_own_interpreter_runs_them(
    emulation: Emulation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    sfn = emulation.client("stepfunctions")
    machine = _machine(emulation)
    programs: list[Any] = []
    build = ExecutionWorker._get_evaluation_entrypoint
    monkeypatch.setattr(
        ExecutionWorker,
        "_get_evaluation_entrypoint",
        lambda self: programs.append(build(self)) or programs[-1],
    )
    # Given two executions of one state machine at once, each retrying its Map's items, with the
    # speedups (their program built once, their clients shared, their invocations in process)
    notes = [tmp_path / "execution-a.jsonl", tmp_path / "execution-b.jsonl"]
    with ThreadPoolExecutor(2) as pool:
        started = list(pool.map(lambda n: _start(emulation, machine, n), notes))
    ours = [
        _comparable(wait_for_execution(sfn, arn, 60), arn, note)
        for arn, note in zip(started, notes, strict=True)
    ]
    # When the same state machine runs with moto's own interpreter
    for module in (ExecutionWorker, *_client_users()):
        name = "_get_evaluation_entrypoint" if module is ExecutionWorker else "boto_client_for"
        monkeypatch.setattr(module, name, moto_adapters._original(module, name))
    invocations = _lambda_eval_utils()
    monkeypatch.setattr(
        invocations,
        "_invoke_lambda_function",
        moto_adapters._original(invocations, "_invoke_lambda_function"),
    )
    own_notes = tmp_path / "execution-c.jsonl"
    own_arn = _start(emulation, machine, own_notes)
    own = _comparable(wait_for_execution(sfn, own_arn, 60), own_arn, own_notes)
    # Then both executions ended, with the same output and the same history, as moto's own did
    assert own[0] == "SUCCEEDED", own
    assert [event["type"] for event in own[2]].count("TaskFailed") == 3  # two retries, one caught
    assert ours == [own, own]
    # And each was told its retries: 0, then 1, for every item
    for note in notes:
        calls = [json.loads(line) for line in note.read_text().splitlines()]
        assert sorted((c["item"], c["retry_count"]) for c in calls) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    # And both ran the one program built for the definition
    assert len(programs) == 2 and programs[0] is programs[1]


def test_another_definition_gets_its_own_program(emulation: Emulation) -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import ASLParserException
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    def program_for(definition: dict[str, Any]) -> Any:
        worker = ExecutionWorker.__new__(ExecutionWorker)
        details = type("Details", (), {"definition": json.dumps(definition)})
        worker._evaluation_details = type("Evaluation", (), {"state_machine_details": details})()  # type: ignore[misc]
        return worker._get_evaluation_entrypoint()

    first = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    second = {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}
    assert program_for(first) is program_for(first)
    assert program_for(second) is not program_for(first)
    broken = {"StartAt": "Missing", "States": {"Oops": {"Type": "Nope"}}}
    for _ in range(2):  # a definition that does not parse is refused each time, nothing kept
        with pytest.raises(ASLParserException):
            program_for(broken)


def _lambda_eval_utils() -> Any:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    return lambda_eval_utils


def test_a_lambda_task_s_invocation_does_not_go_through_the_server(
    emulation: Emulation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.awslambda.responses import LambdaResponse

    sfn = emulation.client("stepfunctions")
    machine = _machine(emulation, "sfn-in-process")
    served: list[str] = []
    invoke = LambdaResponse.invoke

    def counted(self: Any) -> Any:
        served.append(self.path)
        return invoke(self)

    monkeypatch.setattr(LambdaResponse, "invoke", counted)
    # Given an execution whose Map invokes a function for each item, retries included
    notes = tmp_path / "execution-in-process.jsonl"
    arn = _start(emulation, machine, notes)
    result = wait_for_execution(sfn, arn, 60)
    # Then it ended as it does, every invocation run (two items, each retried once)
    assert result["status"] == "SUCCEEDED", result
    assert len(notes.read_text().splitlines()) == 4
    # And no invocation was sent to moto's server: the interpreter handed each to the backend
    assert served == []
    # And a function the backend does not know is answered by moto's server, as it was
    with pytest.raises(Exception, match=r"Function not found|ResourceNotFound"):
        _lambda_eval_utils()._invoke_lambda_function(
            {"FunctionName": "no-such-function", "Payload": b"{}"}, "us-east-1", None
        )
    assert len(served) == 1


def _client_users() -> list[Any]:
    import importlib

    from moto.stepfunctions.parser.asl.utils import boto_client

    return [boto_client, *map(importlib.import_module, sfn_speedups._CLIENT_USERS)]


def test_every_interpreter_thread_shares_one_client_per_service(emulation: Emulation) -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    from moto.stepfunctions.parser.asl.utils import boto_client

    # Given the client the interpreter's Lambda tasks get in this thread
    client = lambda_eval_utils.boto_client_for(region="us-east-1", service="lambda")
    # Then it is moto's own client (its endpoint, no retries, its timeouts), with a larger pool
    own = moto_adapters._original(boto_client, "boto_client_for")(region="us-east-1", service="lambda")
    assert (
        client.meta.endpoint_url
        == own.meta.endpoint_url
        == emulation.endpoint.replace("127.0.0.1", "localhost")
    )
    assert client.meta.config.retries == own.meta.config.retries
    assert client.meta.config.read_timeout == own.meta.config.read_timeout
    assert client.meta.config.parameter_validation == own.meta.config.parameter_validation
    assert client.meta.config.max_pool_connections == sfn_speedups.CLIENT_CONNECTIONS
    # And every thread (each task runs in a thread of its own) gets that one client
    others: list[Any] = []
    threads = [
        threading.Thread(
            target=lambda: others.append(
                lambda_eval_utils.boto_client_for(region="us-east-1", service="lambda")
            )
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(other is client for other in others) and len(others) == 4
    # And another service or region gets its own
    assert boto_client.boto_client_for(region="us-east-1", service="sqs") is not client
    assert boto_client.boto_client_for(region="eu-west-1", service="lambda") is not client
