"""``orchestrator runs bulk-cancel|bulk-resume``: the filter and options as the API takes them, as the
local cloud's admin; ``--all`` follows the cursor; a refused run or a plan limit is exit 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

from infra.cli import api_client, main
from tests.unit.test_cli_runs import API_URL, _onboard, _runs
from tests.unit.test_cli_runs import local_cloud as local_cloud  # the fixture


def _answer(action: str, outcomes: list[str], next_cursor: str | None, stopped: Any = None) -> dict[str, Any]:
    return {
        "bulk_id": "b1",
        "action": action,
        "dry_run": False,
        "matched": len(outcomes),
        "counts": {},
        "runs": [
            {"run_id": f"run-{i}", "template": "generic", "status": "COMPENSATED", "outcome": outcome}
            for i, outcome in enumerate(outcomes)
        ],
        "next_cursor": next_cursor,
        "stopped": stopped,
    }


class BulkApi:
    """Answers ``POST /runs/bulk/...`` with the pages it was given, in turn."""

    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self.pages = pages
        self.calls: list[dict[str, Any]] = []

    def post(self, url: str, **kwargs: Any) -> Any:
        self.calls.append({"url": url} | kwargs)
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(self.pages[len(self.calls) - 1]).encode()
        return response


def _fake(monkeypatch: pytest.MonkeyPatch, *pages: dict[str, Any]) -> BulkApi:
    fake = BulkApi(list(pages))
    monkeypatch.setattr(api_client.requests, "post", fake.post)
    monkeypatch.delenv("TOKEN", raising=False)
    return fake


def test_bulk_resume_sends_the_filter_and_options_as_the_tenants_admin_and_follows_the_cursor(
    local_cloud: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _onboard("acme")
    api = _fake(monkeypatch, _answer("resume", ["resumed"], "run-0"), _answer("resume", ["skipped"], None))
    arguments = ["bulk-resume", "--template", "generic", "--status", "COMPENSATED", "--status", "CANCELLED"]
    arguments += ["--started-after", "2026-12-01T00:00:00Z", "--options", "{}", "--limit", "5", "--all"]
    assert main(_runs(local_cloud, *arguments)) == 0
    assert [call["url"] for call in api.calls] == [f"{API_URL}/runs/bulk/resume"] * 2
    assert api.calls[0]["json"] == {
        "filter": {
            "template": "generic",
            "status": ["COMPENSATED", "CANCELLED"],
            "started_after": "2026-12-01T00:00:00Z",
        },
        "dry_run": False,
        "limit": 5,
        "options": {},
    }
    assert api.calls[1]["json"]["cursor"] == "run-0"
    token = api.calls[0]["headers"]["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["tenant_id"], claims["role"]) == ("acme", "admin")
    out = capsys.readouterr().out
    assert "run-0  generic" in out and "resumed" in out and "skipped" in out


def test_a_dry_run_cancel_stopped_by_a_limit_prints_the_cursor_and_exits_1(
    local_cloud: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _onboard("acme")
    stopped = {"error": "TenantLimitReached", "message": "the queue is full", "retry_after_seconds": 30}
    api = _fake(monkeypatch, _answer("cancel", ["cancel_requested", "not_attempted"], "run-0", stopped))
    assert main(_runs(local_cloud, "bulk-cancel", "--dry-run", "--all")) == 1
    assert len(api.calls) == 1 and api.calls[0]["json"] == {"filter": {}, "dry_run": True, "limit": 10}
    captured = capsys.readouterr()
    assert "stopped: the queue is full (retry after 30 s)" in captured.err
    assert "--cursor run-0" in captured.err
    assert main(_runs(local_cloud, "bulk-cancel", "--limit", "26")) == 2
    assert "--limit must be between 1 and 25" in capsys.readouterr().err and len(api.calls) == 1
