"""The local cloud's emulation as its own tests drive it: a moto server with the local cloud's
adaptations, the local Lambda runtime running ``sample_functions/``, and polling helpers."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import requests

from infra.local import moto_adapters
from infra.local.cloud import free_port
from infra.local.lambda_runtime import FunctionSpec, LocalLambdaRuntime

CODE = Path(__file__).parent / "sample_functions"
REGION = "us-east-1"


def local_session() -> boto3.session.Session:
    """A session for the emulated endpoint (any key works)."""
    return boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name=REGION)


def wait_until(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll ``condition`` until it returns something truthy (returned) or ``timeout`` seconds pass."""
    deadline = time.time() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.time() >= deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(interval)


@contextlib.contextmanager
def vector_query_server() -> Iterator[tuple[str, boto3.session.Session]]:
    """A moto server (in this process) that answers S3 Vectors' QueryVectors; (endpoint, session)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    moto_adapters.answer_vector_queries()  # before the server's first S3 Vectors request
    try:
        yield endpoint, local_session()
    finally:
        moto_adapters.restore_all()
        requests.post(f"{endpoint}/moto-api/reset", timeout=10)  # backends are shared in this process
        server.stop()


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
