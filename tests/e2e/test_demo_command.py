"""The demo's client side (what `orchestrator demo` prints and returns) against the local cloud."""

from __future__ import annotations

import pytest

from infra.cli.demo import run_demo
from infra.local.cloud import LocalCloud


def test_the_demo_shows_every_phase_and_succeeds(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    token = cloud.mint_token(tenant_id="demo-tenant")
    code = run_demo(
        cloud.api_url,
        token,
        template="generic",
        topic="demo topic",
        fail_phase=None,
        timeout=60,
        aws_endpoint=cloud.aws_endpoint,
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "console.aws.amazon.com" not in out
    assert f"--endpoint-url {cloud.aws_endpoint} stepfunctions get-execution-history" in out
    for phase in ("ideation", "research", "design", "development", "execution", "review", "deployment"):
        assert f"[ok] {phase}" in out
    assert "ended SUCCEEDED" in out and "provider: offline" in out and "ORCHESTRATION_COMPLETED" in out


def test_the_demo_with_a_failing_phase_ends_compensated(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    token = cloud.mint_token(tenant_id="demo-tenant")
    code = run_demo(
        cloud.api_url, token, template="generic", topic="demo topic", fail_phase="design", timeout=60
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "ended COMPENSATED" in out and "undone (in order): research, ideation" in out


def test_the_demo_reports_a_refused_run(cloud: LocalCloud, capsys: pytest.CaptureFixture[str]) -> None:
    token = cloud.mint_token(tenant_id="demo-tenant")
    code = run_demo(cloud.api_url, token, template="nope", topic="x", fail_phase=None, timeout=10)
    assert code == 2
    assert "unknown template 'nope'" in capsys.readouterr().out
