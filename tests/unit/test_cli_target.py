"""``orchestrator runs ... --stack NAME``: the API of a deployed stack, read from its ``ApiUrl``
output; a stack that cannot be read is one line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from moto import mock_aws

from infra.cli import api_client, main

STACK = "AiOrchestrator"
API_URL = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/"
EMPTY_PAGE: dict[str, Any] = {"runs": [], "next_cursor": None}


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def _deploy(name: str, outputs: dict[str, str]) -> None:
    template = {
        "Resources": {"Alerts": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    boto3.client("cloudformation", region_name="eu-west-1").create_stack(
        StackName=name, TemplateBody=json.dumps(template)
    )


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def get(url: str, **kwargs: Any) -> requests.Response:
        seen.append({"url": url} | kwargs)
        answer = requests.Response()
        answer.status_code = 200
        answer._content = json.dumps(EMPTY_PAGE).encode()
        return answer

    monkeypatch.setattr(api_client.requests, "get", get)
    monkeypatch.delenv("TOKEN", raising=False)
    return seen


def _list(*arguments: str) -> list[str]:
    return ["runs", "list", "--json", *arguments]


def test_the_api_url_comes_from_the_stack_output(
    aws: None, calls: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    _deploy(STACK, {"ApiUrl": API_URL, "EventBusName": "bus"})
    assert main(_list("--stack", STACK, "--region", "eu-west-1", "--token", "t0k")) == 0
    assert calls[-1]["url"] == API_URL.rstrip("/") + "/runs"
    assert calls[-1]["headers"] == {"Authorization": "Bearer t0k"}
    assert json.loads(capsys.readouterr().out) == EMPTY_PAGE


def test_the_token_may_come_from_the_environment(
    aws: None, calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _deploy(STACK, {"ApiUrl": API_URL})
    monkeypatch.setenv("TOKEN", "from-env")
    assert main(_list("--stack", STACK, "--region", "eu-west-1")) == 0
    assert calls[-1]["headers"] == {"Authorization": "Bearer from-env"}


@pytest.mark.parametrize(
    ("outputs", "arguments", "said"),
    [
        (
            {"ApiUrl": API_URL},
            ["--stack", "nope", "--token", "t"],
            "stack 'nope': Stack with id nope does not exist",
        ),
        ({"Other": "x"}, ["--stack", STACK, "--token", "t"], f"stack '{STACK}' has no ApiUrl output"),
        ({"ApiUrl": API_URL}, ["--stack", STACK], "--stack needs a token: --token or $TOKEN"),
    ],
)
def test_what_stops_a_stack_from_being_used_is_one_line_exit_2(
    aws: None,
    calls: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    outputs: dict[str, str],
    arguments: list[str],
    said: str,
) -> None:
    _deploy(STACK, outputs)
    assert main(_list(*arguments, "--region", "eu-west-1")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and said in err
    assert calls == []


def test_no_aws_credentials_is_one_line_exit_2(
    calls: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(_list("--stack", STACK, "--token", "t")) == 2
    assert capsys.readouterr().err == (
        f"error: no AWS credentials to read stack '{STACK}': configure them, or give --api-url\n"
    )
    assert calls == []
