"""``orchestrator runs``: it talks to the local cloud that is up, as that cloud's tenant, unless told
otherwise; what goes wrong is one line on stderr."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
import requests
from moto import mock_aws

from infra.cli import api_client, main
from orchestrator.adapters.dynamodb_tenants import DynamoTenantDirectory
from orchestrator.core.constants import PK, SK
from orchestrator.core.records import utc_now
from orchestrator.tenancy.plans import Tenant, TenantStatus

API_URL = "http://127.0.0.1:18080"
TENANTS_TABLE = "local-tenants"


class FakeApi:
    """Stands in for ``requests.post``: records each call, answers like the API."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.refuse_connection = False
        self.status: int | None = None  # the status every answer has (None: the API's usual one)

    def post(self, url: str, **kwargs: Any) -> Any:
        if self.refuse_connection:
            raise requests.ConnectionError(f"HTTPConnectionPool: Max retries exceeded with url: {url}")
        self.calls.append({"url": url} | kwargs)
        answer = requests.Response()
        answer.status_code = self.status or (202 if url.endswith(("/cancel", "/resume")) else 200)
        answer._content = json.dumps({"run_id": url.split("/")[-2], "accepted": True}).encode()
        return answer

    def tenant_of_last_call(self) -> str:
        token = self.calls[-1]["headers"]["Authorization"].removeprefix("Bearer ")
        return str(jwt.decode(token, options={"verify_signature": False})["tenant_id"])


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> FakeApi:
    fake = FakeApi()
    monkeypatch.setattr(api_client.requests, "post", fake.post)
    monkeypatch.delenv("TOKEN", raising=False)
    return fake


@pytest.fixture
def local_cloud(tmp_path: Path) -> Iterator[Path]:
    """A state directory whose ``local-cloud.json`` names an (emulated) tenants table."""
    with mock_aws():
        boto3.resource("dynamodb", region_name="us-east-1").create_table(
            TableName=TENANTS_TABLE,
            KeySchema=[{"AttributeName": PK, "KeyType": "HASH"}, {"AttributeName": SK, "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": PK, "AttributeType": "S"},
                {"AttributeName": SK, "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        description = {
            "api_url": API_URL,
            "aws_endpoint": None,  # the in-process emulation answers AWS's own addresses
            "region": "us-east-1",
            "tenants_table": TENANTS_TABLE,
            "runs_table": "local-runs",
            "step_results_table": "local-step-results",
            "event_bus": "local-bus",
        }
        (tmp_path / "local-cloud.json").write_text(json.dumps(description))
        yield tmp_path


def _onboard(tenant_id: str, status: TenantStatus = TenantStatus.ACTIVE) -> None:
    directory = DynamoTenantDirectory(TENANTS_TABLE, boto3.resource("dynamodb", region_name="us-east-1"))
    directory.create(
        Tenant(
            tenant_id=tenant_id,
            status=status,
            requests_per_minute=60,
            max_concurrent_runs=2,
            created_at=utc_now().isoformat(),
            created_by="test",
        )
    )


def _runs(folder: Path, *arguments: str) -> list[str]:
    return ["--state-dir", str(folder), "runs", *arguments]


@pytest.mark.parametrize("command", ["approve", "reject", "cancel"])
def test_it_talks_to_the_local_cloud_that_is_up_as_its_only_active_tenant(
    local_cloud: Path, api: FakeApi, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    _onboard("acme")
    _onboard("gone", TenantStatus.DISABLED)
    assert main(_runs(local_cloud, command, "run-1")) == 0
    path = "cancel" if command == "cancel" else "approval"
    assert api.calls[-1]["url"] == f"{API_URL}/runs/run-1/{path}"
    assert api.tenant_of_last_call() == "acme"
    assert json.loads(capsys.readouterr().out)["run_id"] == "run-1"


def test_with_several_tenants_it_asks_which_one(
    local_cloud: Path, api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    _onboard("acme")
    _onboard("globex")
    assert main(_runs(local_cloud, "approve", "run-1")) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: the local cloud has 2 active tenants (acme, globex): "
        "name one with --tenant, or give --token\n"
    )
    assert api.calls == []
    assert main(_runs(local_cloud, "approve", "run-1", "--tenant", "globex")) == 0
    assert api.tenant_of_last_call() == "globex"


def test_a_bad_tenant_is_one_line_and_exit_2(
    local_cloud: Path, api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_runs(local_cloud, "cancel", "run-1", "--tenant", "ACME")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "tenant id 'ACME' is invalid" in err
    assert api.calls == []


def test_api_url_and_token_need_no_local_cloud(
    tmp_path: Path, api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["cancel", "run-9", "--api-url", "https://api.example.com/", "--token", "abc"]
    assert main(_runs(tmp_path, *arguments)) == 0
    assert api.calls[-1]["url"] == "https://api.example.com/runs/run-9/cancel"
    assert api.calls[-1]["headers"] == {"Authorization": "Bearer abc"}


def test_without_a_local_cloud_or_an_api_url_it_says_so(
    tmp_path: Path, api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_runs(tmp_path, "approve", "run-1", "--token", "abc")) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no local cloud is up" in err and "--api-url" in err


def test_an_api_that_does_not_answer_is_one_line_and_exit_1(
    local_cloud: Path, api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    api.refuse_connection = True
    assert main(_runs(local_cloud, "reject", "run-1", "--tenant", "acme")) == 1
    err = capsys.readouterr().err
    assert err == f"error: the API at {API_URL} did not answer: is the local cloud up?\n"


def test_resume_posts_the_resume_point_and_options_and_prints_the_new_run(
    local_cloud: Path, api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    _onboard("acme")
    arguments = ["resume", "run-1", "--from-step", "development", "--options", "{}"]
    assert main(_runs(local_cloud, *arguments)) == 0
    assert api.calls[-1]["url"] == f"{API_URL}/runs/run-1/resume"
    assert api.calls[-1]["json"] == {"from_step": "development", "options": {}}
    assert api.tenant_of_last_call() == "acme"
    assert json.loads(capsys.readouterr().out)["accepted"] is True


def test_a_refused_resume_is_one_line_and_exit_1(
    local_cloud: Path, api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    _onboard("acme")
    api.status = 409
    assert main(_runs(local_cloud, "resume", "run-1")) == 1
    assert api.calls[-1]["json"] == {}
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "POST /runs/run-1/resume: 409" in err
