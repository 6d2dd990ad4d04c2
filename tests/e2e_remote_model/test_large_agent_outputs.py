"""A 300 KiB agent output travels by reference: no state payload of the run exceeds 32 KiB.

The offline provider answers small, so this suite deploys its own local cloud whose model
provider is ``openai_compatible``, pointed at a tiny OpenAI-compatible server started here. The
server answers every agent with a schema-valid object (built from the JSON schema in the
agent's prompt) and makes the reporter's ``body`` 300 KiB long.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from infra.local.cloud import LocalCloud
from orchestrator.providers.base import ModelRequest
from orchestrator.providers.offline import OfflineAnswer
from tests.e2e.conftest import Client
from tests.synthesized import synthesize_from_shared

LARGE_BODY_BYTES = 300 * 1024
STATE_PAYLOAD_LIMIT = 32 * 1024
SCHEMA_MARKER = "matching this JSON schema:\n"


class _CompatibleServer(BaseHTTPRequestHandler):
    """``POST /v1/chat/completions``: a schema-valid answer; a ``body`` field is made huge."""

    calls: list[str] = []

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        system, prompt = (message["content"] for message in request["messages"])
        schema = json.loads(system[system.index(SCHEMA_MARKER) + len(SCHEMA_MARKER) :].splitlines()[0])
        answer = OfflineAnswer(
            ModelRequest(system=system, prompt=prompt, phase="remote", schema=schema)
        ).build()
        if "body" in schema.get("properties", {}):
            answer["body"] = ("A long report line, repeated to make the answer large.\n" * 6000)[
                :LARGE_BODY_BYTES
            ]
        self.calls.append(json.dumps(sorted(schema.get("properties", {}))))
        text = json.dumps(answer)
        completion = {
            "id": f"chatcmpl-{len(self.calls)}",
            "object": "chat.completion",
            "created": 0,
            "model": request["model"],
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
            ],
            "usage": {
                "prompt_tokens": len(prompt) // 4,
                "completion_tokens": len(text) // 4,
                "total_tokens": 0,
            },
        }
        body = json.dumps(completion).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def model_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CompatibleServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def remote_cloud(tmp_path_factory: pytest.TempPathFactory, model_server: str) -> Iterator[LocalCloud]:
    context = {
        "modelProvider": "openai_compatible",
        "openaiBaseUrl": model_server,
        "modelName": "large-model",
    }
    state_dir = Path(tmp_path_factory.mktemp("remote-model-cloud"))
    with LocalCloud(state_dir, context=context, synthesizer=synthesize_from_shared) as cloud:
        yield cloud


def _payload_sizes(history: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """(bytes, where) of every input and output the execution's states passed along."""
    sizes = []
    for event in history:
        for key, details in event.items():
            if key.endswith("EventDetails") and isinstance(details, dict):
                for field in ("input", "output"):
                    if isinstance(details.get(field), str):
                        sizes.append((len(details[field].encode()), f"{event['type']}.{field}"))
    return sizes


def test_a_300_kib_agent_output_never_enters_a_state_payload(remote_cloud: LocalCloud) -> None:
    tenant = Client(remote_cloud, remote_cloud.mint_token(tenant_id="large", subject="large-user"))
    # Given a run whose reporter answers with a 300 KiB report
    run_id = tenant.start(
        {
            "template": "graph_showcase",
            "topic": "a very long report",
            "options": {"offline": {"list_items": 2}},
        }
    )
    waiting = tenant.wait(run_id, timeout=120, until={"AWAITING_APPROVAL", "COMPENSATED", "REJECTED"})
    assert waiting["status"] == "AWAITING_APPROVAL", waiting.get("error")
    response = tenant.request("POST", f"/runs/{run_id}/approval", json={"decision": "approve"})
    assert response.status_code == 200, response.text
    view = tenant.wait(run_id, timeout=120)
    assert view["status"] == "SUCCEEDED", view.get("error")

    # Then the model really was the remote one, and the report is whole in the workspace
    report = next(step for step in view["steps"] if step["step"] == "report")
    assert (
        report["metadata"]["provider"] == "openai_compatible" and report["metadata"]["model"] == "large-model"
    )
    assert report["data"] is None and report["data_ref"], "the view links the output, it does not carry it"
    s3 = remote_cloud.client("s3")
    bucket = remote_cloud.deployment.outputs["WorkspaceBucketName"]  # type: ignore[union-attr]
    artifact = s3.get_object(Bucket=bucket, Key=f"large/showcase/{run_id}/report.md")["Body"].read()
    assert len(artifact) > LARGE_BODY_BYTES
    stored = s3.list_objects_v2(Bucket=bucket, Prefix=f"large/.runs/{run_id}/results/report")["Contents"]
    assert stored and stored[0]["Size"] > LARGE_BODY_BYTES, "the large output is kept by reference"

    # And no state of the execution ever passed more than 32 KiB along
    sfn = remote_cloud.client("stepfunctions")
    history: list[dict[str, Any]] = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=view["execution_arn"]):
        history += page["events"]
    sizes = _payload_sizes(history)
    assert len(sizes) > 20, "the history records the states' inputs and outputs"
    largest, where = max(sizes)
    assert largest <= STATE_PAYLOAD_LIMIT, f"{where} carried {largest} bytes"
