"""The feature_delivery template in memory: stories, code, tests, a security scan, a staged deployment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from orchestrator.agents.feature_delivery.schemas import SourceFile
from orchestrator.agents.feature_delivery.security import scan_source
from orchestrator.commands.deployment_stages import state_path
from orchestrator.core.errors import DeploymentStageFailed
from orchestrator.core.records import RunStatus

from .template_world import TemplateWorld, assert_each_side_effect_step_undone

TOPIC = "Customers can save items to a wishlist, share it by link and get a price-drop alert"


def world(deployment: dict[str, Any] | None = None, **kwargs: Any) -> TemplateWorld:
    inputs = {"deployment": {"service": "wishlist", "environment": "staging"} | (deployment or {})}
    return TemplateWorld("feature_delivery", topic=TOPIC, inputs=inputs, **kwargs)


def _state(w: TemplateWorld) -> dict[str, Any]:
    return dict(json.loads(w.artifact(state_path("wishlist", "staging"))))


@pytest.mark.parametrize("strategy", ["blue_green", "canary", "rolling"])
def test_a_feature_is_delivered_with_the_chosen_strategy_stage_by_stage(strategy: str) -> None:
    # Given a feature request deploying with a strategy
    w = world({"strategy": strategy})
    # When it runs
    assert w.run().status is RunStatus.SUCCEEDED
    # Then stories, code, tests and the review were written, and the new version is live
    stories = w.output("analysis")["stories"]  # type: ignore[index]
    assert len(stories) >= 2 and all(s["acceptance_criteria"] for s in stories)
    cases = w.output("testing")["cases"]  # type: ignore[index]
    assert len(cases) == sum(len(s["acceptance_criteria"]) for s in stories)
    assert "As customer, I want" in w.artifact(f"features/{w.run_id}/requirements.md")
    plan = w.output("deploy")["plan"]  # type: ignore[index]
    assert plan["strategy"] == strategy and plan["stages"][-1]["traffic_percent"] == 100
    stages = sorted(
        (c for c in w.command_log.list_for_run("acme", w.run_id) if c.kind == "apply_deployment_stage"),
        key=lambda c: c.sequence or 0,
    )
    assert [c.params["stage"] for c in stages] == list(range(len(plan["stages"])))
    assert all(c.outcome["health"]["passed"] for c in stages)
    state = _state(w)
    assert state["live_version"] == plan["version"] and state["candidate_version"] is None


def test_a_stage_failing_its_health_checks_rolls_back_every_stage_applied() -> None:
    # Given a live version from an earlier delivery
    first = world({"strategy": "canary"})
    assert first.run().status is RunStatus.SUCCEEDED
    live = _state(first)["live_version"]
    # When the next delivery's third canary stage fails its health checks
    second = world(
        {"strategy": "canary", "version": "v2", "fail_at_stage": 2},
        workspace=first.workspace,
        run_id="01jzzzzzzzzzzzzzzzzzzzzzz8",
    )
    outcome = second.run()
    # Then the run is undone at the deployment and the earlier version serves all traffic again
    assert outcome.status is RunStatus.COMPENSATED and isinstance(outcome.error, DeploymentStageFailed)
    assert "stage 2" in str(outcome.error) and "error_rate" in str(outcome.error)
    state = _state(second)
    assert state["live_version"] == live and state["candidate_version"] is None
    assert second.everything_undone()


def test_each_side_effect_step_failing_undoes_everything_before_it() -> None:
    steps = assert_each_side_effect_step_undone(lambda extra: world(options=extra))
    assert steps == ["analysis", "backend", "testing", "security", "deploy"]


def test_the_security_scan_finds_dangerous_code_and_a_critical_finding_rejects_the_run() -> None:
    findings = scan_source(
        [
            SourceFile(
                path="app/x.py",
                content=(
                    'import os\nAPI_KEY = "sk-live-1234567"\nos.system(cmd)\nrequests.get(u, verify=False)\n'
                ),
            )
        ]
    )
    assert {(f.rule, f.severity, f.line) for f in findings} == {
        ("hardcoded-secret", "high", 2),
        ("shell-injection", "critical", 3),
        ("tls-disabled", "high", 4),
    }


def test_the_generated_code_is_valid_python_and_scans_clean() -> None:
    w = world()
    assert w.run().status is RunStatus.SUCCEEDED
    for source in w.output("backend")["files"]:  # type: ignore[index]
        compile(source["content"], source["path"], "exec")
    compile(w.output("testing")["test_file"]["content"], "test", "exec")  # type: ignore[index]
    assert w.output("security")["findings"] == [] and w.output("security")["approved"]  # type: ignore[index]


def test_only_applying_a_stage_loads_the_deployment_strategies() -> None:
    # Given a fresh interpreter (an agent step's cold start), When it loads every command kind and
    # validates a deployment stage command
    check = {"name": "error_rate", "metric": "m", "threshold": 0.01, "comparison": "at_most"}
    check |= {"window_seconds": 60}
    stage = {"index": 0, "name": "all", "action": "shift_traffic", "traffic_percent": 100}
    stage |= {"instances_on_new": 2, "health_checks": [check], "bake_seconds": 0}
    plan = {"strategy": "canary", "service": "app", "environment": "staging", "version": "2"}
    plan |= {"previous_version": "1", "stages": [stage]}
    probe = (
        "import sys\n"
        "from pydantic import TypeAdapter\n"
        "from orchestrator.commands.executor import CommandSpec\n"
        f"spec = {{'kind': 'apply_deployment_stage', 'plan': {plan!r}, 'stage': 0}}\n"
        "[command] = TypeAdapter(list[CommandSpec]).validate_python([spec])\n"
        "print(command.plan.stage(0).traffic_percent, 'orchestrator.delivery.strategies' in sys.modules)\n"
    )
    functions = Path(__file__).resolve().parents[2] / "functions"
    ran = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-c", probe],
        cwd=functions,
        env={"PYTHONPATH": str(functions), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Then the strategies (requests, environment state, health) are not loaded: only the plan is
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "100 False"
