"""``orchestrator runs watch|list|show`` against the local cloud, as a developer types them: the
command finds the local cloud through its state directory and signs a token for ``--tenant``."""

from __future__ import annotations

import re

import pytest

from infra.cli import main
from infra.local.cloud import LocalCloud
from tests.e2e.conftest import Client

PHASES = ("ideation", "research", "design", "development", "execution", "review", "deployment")


def _runs(cloud: LocalCloud, *arguments: str) -> list[str]:
    return ["--state-dir", str(cloud.state_dir), "runs", *arguments, "--tenant", "acme"]


def _told(out: str, phase: str) -> list[str]:
    """The statuses the watcher told for ``phase``, in order (``  [>>] design   RUNNING  ...``)."""
    return [m.group(1) for m in re.finditer(rf"^  \[..\] {phase}\s+([A-Z_]+)", out, re.MULTILINE)]


def test_watch_shows_a_running_run_live_and_returns_when_it_succeeds(
    cloud: LocalCloud, acme: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a run under way whose offline model takes 500 ms a call
    run_id = acme.start({"topic": "watched run", "options": {"offline": {"latency_ms": 500}}})

    # When a developer watches it
    code = main(_runs(cloud, "watch", run_id, "--interval", "0.2", "--timeout", "240"))

    # Then the command returned with the run ended, exit code 0
    out = capsys.readouterr().out
    assert code == 0, out
    assert acme.request("GET", f"/runs/{run_id}").json()["status"] == "SUCCEEDED"
    # And it told each step's progress as it went: every step done, some seen while running
    assert all(_told(out, phase)[-1] == "SUCCEEDED" for phase in PHASES), out
    assert any("RUNNING" in _told(out, phase) for phase in PHASES), out
    assert f"run {run_id}: RUNNING" in out and f"run {run_id}: SUCCEEDED" in out
    # And it ended with the run's summary, where the local execution's history is, and its events
    assert f"Run {run_id} (generic) ended SUCCEEDED" in out
    assert f"--endpoint-url {cloud.aws_endpoint} stepfunctions get-execution-history" in out
    assert "ORCHESTRATION_COMPLETED" in out and "\x1b" not in out


def test_watch_of_a_run_that_is_undone_exits_1(
    cloud: LocalCloud, acme: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = acme.start({"topic": "failing run", "options": {"simulate_failure": {"step": "design"}}})
    assert main(_runs(cloud, "watch", run_id, "--timeout", "240")) == 1
    out = capsys.readouterr().out
    assert _told(out, "design")[-1] == "FAILED" and _told(out, "ideation")[-1] == "COMPENSATED"
    assert (
        f"Run {run_id} (generic) ended COMPENSATED" in out and "undone (in order): research, ideation" in out
    )


def test_list_and_show_tell_the_tenants_runs_and_a_runs_timeline(
    cloud: LocalCloud,
    acme: Client,
    globex: Client,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)  # plain output's own width, whatever the runner sets
    # Given two finished runs of acme's, one throttled once, and one of globex's
    failure = {"step": "research", "times": 1, "error": "ProviderThrottled"}
    older = acme.start({"topic": "first"})
    newer = acme.start({"topic": "second", "options": {"simulate_failure": failure}})
    theirs = globex.start({"topic": "not acme's"})
    for client, run_id in ((acme, older), (acme, newer), (globex, theirs)):
        client.wait(run_id)

    # When acme lists its succeeded runs
    assert main(_runs(cloud, "list", "--status", "SUCCEEDED", "--limit", "100")) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]]

    # Then they are there, newest first, and globex's is not
    assert listed.index(newer) < listed.index(older) and theirs not in listed

    # When it shows the throttled run, once its end is in its trail (the bus delivers it after the
    # run's status says SUCCEEDED)
    acme.events(newer, "ORCHESTRATION_COMPLETED", timeout=60)
    assert main(_runs(cloud, "show", newer)) == 0
    out = capsys.readouterr().out

    # Then it reads its summary, its steps and its timeline with the retry of research
    assert f"run:            {newer} (generic)\nstatus:         SUCCEEDED\n" in out
    assert re.search(r"^research\s+SUCCEEDED\s+2\s", out, re.MULTILINE), out
    assert re.search(
        r"^\s*\+[\d.]+s\s+\d+ ms\s+execution\s+retry\s+Research\s+ProviderThrottled", out, re.MULTILINE
    )
    assert "ORCHESTRATION_COMPLETED" in out and "\x1b" not in out

    # And another tenant's run is the API's 404, in one line
    assert main(_runs(cloud, "show", theirs)) == 2
    assert capsys.readouterr().err == f"error: GET /runs/{theirs}: 404 RunNotFound: run {theirs} not found\n"
