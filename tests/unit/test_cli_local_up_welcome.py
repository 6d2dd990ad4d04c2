"""What ``orchestrator local up`` prints to try: the ``runs`` commands reach the cloud it started."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from infra.cli.local_cloud import _welcome
from infra.local.assembly import REPO_ROOT


def _cloud(state_dir: Path) -> SimpleNamespace:
    return SimpleNamespace(
        api_url="http://127.0.0.1:8080",
        websocket_url="ws://127.0.0.1:8081",
        console_url="http://127.0.0.1:8082",
        aws_endpoint="http://127.0.0.1:4566",
        region="us-east-1",
        deployment=None,
        state_dir=state_dir,
        tenant_plan="standard",
    )


def test_the_runs_commands_name_a_state_directory_only_when_it_is_not_the_default(tmp_path: Path) -> None:
    default = _welcome(_cloud(REPO_ROOT / ".local-cloud"), "demo-tenant", "t0k")  # type: ignore[arg-type]
    assert (
        "  orchestrator runs list;  orchestrator runs watch <run_id>;  orchestrator runs show <run_id>\n"
        in default
    )
    elsewhere = _welcome(_cloud(tmp_path), "demo-tenant", "t0k")  # type: ignore[arg-type]
    assert f"  orchestrator --state-dir {tmp_path} runs watch <run_id>;" in elsewhere


def test_the_welcome_says_where_to_follow_runs_live(tmp_path: Path) -> None:
    welcome = _welcome(_cloud(tmp_path), "demo-tenant", "t0k")  # type: ignore[arg-type]
    assert "  WebSocket:    ws://127.0.0.1:8081   (live run events: connect with ?token=$TOKEN" in welcome
    assert '{"action": "subscribe", "run_id": "<run id>"}' in welcome
