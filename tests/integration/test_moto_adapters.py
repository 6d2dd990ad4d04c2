"""One test per adaptation of moto in infra/local/moto_adapters.py (moto is pinned).

If a moto upgrade changes what the local cloud relies on, these fail first and say which.
"""

from __future__ import annotations

import io
import json
import logging
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local import moto_adapters
from infra.local.cloud import free_port
from infra.local.lambda_runtime import FunctionSpec, LocalLambdaRuntime

CODE = Path(__file__).parent / "sample_functions"
REGION = "us-east-1"


@dataclass
class Emulation:
    endpoint: str
    port: int
    runtime: LocalLambdaRuntime
    session: boto3.session.Session
    role_arn: str
    record_file: Path

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint)  # type: ignore[call-overload]

    def function(self, name: str, handler: str, timeout: int = 10, env: dict[str, str] | None = None) -> str:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("placeholder.txt", "code runs from the local runtime")
        arn = self.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=self.role_arn,
            Handler=handler,
            Code={"ZipFile": buffer.getvalue()},
            Timeout=timeout,
        )["FunctionArn"]
        self.runtime.register(
            FunctionSpec(
                name=name,
                arn=arn,
                handler=handler,
                code_dir=CODE,
                environment=env or {},
                timeout_seconds=timeout,
            )
        )
        return arn

    def run_machine(
        self, definition: dict[str, Any], payload: dict[str, Any], timeout: float = 30
    ) -> dict[str, Any]:
        sfn = self.client("stepfunctions")
        arn = sfn.create_state_machine(
            name=f"m{time.time_ns()}", definition=json.dumps(definition), roleArn=self.role_arn
        )["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload))["executionArn"]
        return wait_for_execution(sfn, execution, timeout)


def wait_for_execution(sfn: Any, execution_arn: str, timeout: float) -> dict[str, Any]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described | {"history": sfn.get_execution_history(executionArn=execution_arn)["events"]}
        time.sleep(0.1)
    raise TimeoutError(execution_arn)


@pytest.fixture(scope="module")
def emulation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulation]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    tmp = tmp_path_factory.mktemp("adapters")
    runtime = LocalLambdaRuntime(
        endpoint_url=endpoint, region=REGION, account_id="123456789012", log_dir=tmp / "logs"
    )
    pool = ThreadPoolExecutor(max_workers=4)
    session = boto3.session.Session(
        aws_access_key_id="local", aws_secret_access_key="local", region_name=REGION
    )
    moto_adapters.point_interpreter_at_server(port)
    moto_adapters.enable_state_machine_execution(endpoint)
    moto_adapters.route_lambda_invocations(runtime)

    def start_execution(arn: str, payload: str) -> None:
        session.client("stepfunctions", endpoint_url=endpoint).start_execution(
            stateMachineArn=arn, input=payload
        )

    moto_adapters.deliver_eventbridge_targets(runtime, start_execution, pool)

    def put_event(entry: dict[str, Any]) -> None:
        session.client("events", endpoint_url=endpoint).put_events(Entries=[entry])

    moto_adapters.emit_execution_status_changes(put_event)
    moto_adapters.keep_stopped_executions_aborted()
    role = session.client("iam", endpoint_url=endpoint).create_role(
        RoleName="local", AssumeRolePolicyDocument="{}"
    )
    try:
        yield Emulation(endpoint, port, runtime, session, role["Role"]["Arn"], tmp / "records.jsonl")
    finally:
        moto_adapters.restore_all()
        pool.shutdown(wait=False, cancel_futures=True)
        runtime.shutdown()
        server.stop()


def test_interpreter_finds_the_server_through_moto_port(emulation: Emulation) -> None:
    from moto.settings import moto_server_port

    assert moto_server_port() == str(emulation.port)


def test_state_machines_really_execute(emulation: Emulation) -> None:
    definition = {
        "StartAt": "Add",
        "States": {"Add": {"Type": "Pass", "Result": 42, "ResultPath": "$.answer", "End": True}},
    }
    result = emulation.run_machine(definition, {"question": "?"})
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"question": "?", "answer": 42}


def test_lambda_invoke_runs_the_real_handler(emulation: Emulation) -> None:
    emulation.function("adapter-echo", "sample_handlers.echo")
    emulation.function("adapter-budget", "sample_handlers.over_budget")
    lam = emulation.client("lambda")
    ok = lam.invoke(FunctionName="adapter-echo", Payload=json.dumps({"x": 1}))
    body = json.loads(ok["Payload"].read())
    assert "FunctionError" not in ok and body["event"] == {"x": 1} and body["function_name"] == "adapter-echo"
    failed = lam.invoke(FunctionName="adapter-budget", Payload=b"{}")
    assert failed["FunctionError"]
    assert json.loads(failed["Payload"].read())["errorType"] == "BudgetExceeded"


def test_retry_and_catch_match_the_handlers_error_names(emulation: Emulation, tmp_path: Path) -> None:
    flaky = emulation.function("adapter-flaky", "sample_handlers.flaky")
    budget = emulation.function("adapter-over-budget", "sample_handlers.over_budget")

    def machine(function_arn: str) -> dict[str, Any]:
        return {
            "StartAt": "Work",
            "States": {
                "Work": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": function_arn, "Payload.$": "$"},
                    "Retry": [
                        {
                            "ErrorEquals": ["ProviderThrottled"],
                            "IntervalSeconds": 1,
                            "MaxAttempts": 3,
                            "BackoffRate": 1.0,
                        }
                    ],
                    "Catch": [
                        {"ErrorEquals": ["BudgetExceeded"], "ResultPath": "$.error", "Next": "Compensate"}
                    ],
                    "End": True,
                },
                "Compensate": {"Type": "Pass", "End": True},
            },
        }

    retried = emulation.run_machine(
        machine(flaky), {"counter_file": str(tmp_path / "calls"), "fail_times": 2}
    )
    assert retried["status"] == "SUCCEEDED"
    assert [e["type"] for e in retried["history"]].count("TaskFailed") == 2
    caught = emulation.run_machine(machine(budget), {})
    assert caught["status"] == "SUCCEEDED"
    output = json.loads(caught["output"])
    assert output["error"]["Error"] == "BudgetExceeded"
    assert "TaskFailed" in [e["type"] for e in caught["history"]]


def test_eventbridge_delivers_to_lambda_and_step_functions_targets(emulation: Emulation) -> None:
    recorder = emulation.function(
        "adapter-record", "sample_handlers.record", env={"RECORD_FILE": str(emulation.record_file)}
    )
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    sfn = emulation.client("stepfunctions")
    machine = sfn.create_state_machine(
        name="on-event", definition=json.dumps(definition), roleArn=emulation.role_arn
    )["stateMachineArn"]
    events = emulation.client("events")
    events.create_event_bus(Name="adapter-bus")
    events.put_rule(
        Name="both", EventBusName="adapter-bus", EventPattern=json.dumps({"detail-type": ["Ping"]})
    )
    events.put_targets(
        Rule="both",
        EventBusName="adapter-bus",
        Targets=[{"Id": "fn", "Arn": recorder}, {"Id": "sm", "Arn": machine, "RoleArn": emulation.role_arn}],
    )
    events.put_events(
        Entries=[
            {
                "Source": "tests",
                "DetailType": "Ping",
                "Detail": json.dumps({"n": 1}),
                "EventBusName": "adapter-bus",
            }
        ]
    )
    deadline = time.time() + 15
    recorded: list[dict[str, Any]] = []
    executions: list[dict[str, Any]] = []
    while time.time() < deadline and not (recorded and executions):
        if emulation.record_file.exists():
            recorded = [json.loads(line) for line in emulation.record_file.read_text().splitlines()]
        executions = sfn.list_executions(stateMachineArn=machine)["executions"]
        time.sleep(0.1)
    assert recorded and recorded[0]["detail"] == {"n": 1} and recorded[0]["detail-type"] == "Ping"
    assert len(executions) == 1
    execution_input = json.loads(sfn.describe_execution(executionArn=executions[0]["executionArn"])["input"])
    assert execution_input["detail"] == {"n": 1}


def test_ended_executions_announce_their_status_on_the_default_bus(emulation: Emulation) -> None:
    sqs = emulation.client("sqs")
    queue_url = sqs.create_queue(QueueName="status-changes")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = emulation.client("events")
    events.put_rule(
        Name="status-changes",
        EventPattern=json.dumps(
            {"source": ["aws.states"], "detail-type": ["Step Functions Execution Status Change"]}
        ),
    )
    events.put_targets(Rule="status-changes", Targets=[{"Id": "q", "Arn": queue_arn}])
    failing = {
        "StartAt": "Boom",
        "States": {"Boom": {"Type": "Fail", "Error": "Broken", "Cause": "on purpose"}},
    }
    result = emulation.run_machine(failing, {"tenant_id": "acme"})
    assert result["status"] == "FAILED"
    deadline = time.time() + 10
    details: list[dict[str, Any]] = []
    while time.time() < deadline and not details:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        details = [json.loads(m["Body"])["detail"] for m in messages]
        details = [d for d in details if d["executionArn"] == result["executionArn"]]
    assert details, "no status change event for the ended execution"
    assert details[0]["status"] == "FAILED" and details[0]["error"] == "Broken"
    assert json.loads(details[0]["input"]) == {"tenant_id": "acme"}


def test_a_stopped_execution_stays_aborted_when_its_running_task_then_fails(emulation: Emulation) -> None:
    late = emulation.function("adapter-late-failure", "sample_handlers.sleep_then_fail")
    definition = {
        "StartAt": "Slow",
        "States": {
            "Slow": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": late, "Payload": {"seconds": 1.5}},
                "End": True,
            }
        },
    }
    sfn = emulation.client("stepfunctions")
    machine = sfn.create_state_machine(
        name="stop-me", definition=json.dumps(definition), roleArn=emulation.role_arn
    )
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")["executionArn"]
    time.sleep(0.5)  # the task is running (it sleeps 1.5 s, then fails)
    sfn.stop_execution(executionArn=execution, error="Operator", cause="stuck")
    time.sleep(2.0)  # the task's failure arrives after the stop
    assert wait_for_execution(sfn, execution, 10)["status"] == "ABORTED"
