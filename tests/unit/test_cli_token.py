"""``orchestrator token``: a bad tenant id or lifetime is one line on stderr and exit code 2."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from infra.cli import main


def _token(tmp_path: Path, *arguments: str) -> list[str]:
    return ["--state-dir", str(tmp_path), "token", *arguments]


@pytest.mark.parametrize("tenant", ["ACME", "a", "acme#1", "acme corp"])
def test_a_bad_tenant_id_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tenant: str
) -> None:
    assert main(_token(tmp_path, "--tenant", tenant)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert f"tenant id {tenant!r} is invalid" in err
    assert "Traceback" not in err


def test_a_bad_tenant_id_is_refused_when_the_local_cloud_is_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "local-cloud.json").write_text(
        '{"api_url": "http://127.0.0.1:9", "aws_endpoint": "http://127.0.0.1:9", "region": "us-east-1",'
        ' "tenants_table": "t", "runs_table": "r", "step_results_table": "s", "event_bus": "b"}'
    )
    assert main(_token(tmp_path, "--tenant", "ACME")) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "'ACME' is invalid" in err


@pytest.mark.parametrize("ttl", ["0", "-5", "2592000"])
def test_a_lifetime_out_of_range_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ttl: str
) -> None:
    assert main(_token(tmp_path, "--tenant", "acme", "--ttl", ttl)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "--ttl must be between 1 and 86400 seconds" in err


def test_a_good_request_prints_a_token_for_that_tenant_and_lifetime(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_token(tmp_path, "--tenant", "acme", "--ttl", "60", "--role", "viewer")) == 0
    token = capsys.readouterr().out.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["tenant_id"], claims["role"], claims["exp"] - claims["iat"]) == ("acme", "viewer", 60)
