"""The local cloud's Step Functions emulation: moto server + interpreter + local Lambda runtime."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from infra.local import moto_adapters, moto_memory, moto_speedups
from infra.local.cloud import free_port
from infra.local.lambda_runtime import LocalLambdaRuntime
from tests.local_cloud.emulation import REGION, Emulation, local_session


@pytest.fixture(scope="module")
def emulation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulation]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)
    port = free_port()
    saved_port = os.environ.get("MOTO_PORT")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()  # one server per process
    tmp = tmp_path_factory.mktemp("adapters")
    runtime = LocalLambdaRuntime(
        endpoint_url=endpoint, region=REGION, account_id="123456789012", log_dir=tmp / "logs"
    )
    pool = ThreadPoolExecutor(max_workers=4)
    session = local_session()
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
    moto_adapters.keep_task_failure_causes()
    moto_adapters.refuse_timed_out_task_tokens()
    moto_adapters.name_sdk_integration_parameters()
    moto_adapters.keep_stop_causes()
    moto_adapters.serialize_dynamodb_requests()
    moto_adapters.note_requests()
    moto_adapters.route_requests_by_host_once()
    moto_adapters.count_queue_messages_at_one_instant()
    moto_adapters.parse_each_definition_once()
    moto_adapters.parse_each_json_path_once()
    moto_speedups.install_all()
    moto_memory.install_all()
    role = session.client("iam", endpoint_url=endpoint).create_role(
        RoleName="local", AssumeRolePolicyDocument="{}"
    )
    try:
        yield Emulation(endpoint, port, runtime, session, role["Role"]["Arn"], tmp / "records.jsonl")
    finally:
        moto_adapters.restore_all()
        requests.post(  # in-process moto tests that follow must not execute state machines
            f"{endpoint}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": False}},
            timeout=10,
        )
        pool.shutdown(wait=False, cancel_futures=True)
        runtime.shutdown()
        server.stop()
        if saved_port is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = saved_port
