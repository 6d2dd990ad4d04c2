"""What ``orchestrator demo`` prints about a run: where to see its execution, what answered, and
what was undone, in the order the undo ran."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from infra.cli.narration import summarize
from infra.cli.watch import follow

ARN = "arn:aws:states:eu-west-1:000000000000:execution:generic-pipeline:run-1"
ENDPOINT = "http://127.0.0.1:4566"


def _step(name: str, status: str, provider: str | None = "offline") -> dict[str, Any]:
    return {"step": name, "kind": "agent", "status": status, "metadata": {"provider": provider}}


def _view(status: str, steps: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "run_id": "run-1",
        "template": "generic",
        "status": status,
        "topic": "a todo app",
        "correlation_id": "corr-1",
        "duration_ms": 1200,
        "execution_arn": ARN,
        "execution_console_url": "https://eu-west-1.console.aws.amazon.com/states/home#/v2/executions/details/"
        + ARN,
        "total_tokens": 700,
        "total_cost_usd": 0.0,
        "model_calls": 7,
        "steps": steps,
    } | fields


class FakeRunsApi:
    """Answers ``GET /runs/{id}`` with one view after another, the last one for good."""

    def __init__(self, views: list[dict[str, Any]]) -> None:
        self.views = views

    def run(self, run_id: str) -> dict[str, Any]:
        return self.views.pop(0) if len(self.views) > 1 else self.views[0]


def _printed(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_a_local_execution_gets_its_arn_and_the_history_command_not_a_console_link(
    capsys: pytest.CaptureFixture[str],
) -> None:
    summarize(_view("SUCCEEDED", [_step("ideation", "SUCCEEDED")]), [], aws_endpoint=ENDPOINT)
    out = capsys.readouterr().out
    assert "console.aws.amazon.com" not in out
    assert f"  execution:      {ARN}\n" in out
    assert (
        f"aws --region eu-west-1 --endpoint-url {ENDPOINT} stepfunctions get-execution-history "
        f"--execution-arn {ARN}\n"
    ) in out


def test_a_deployed_execution_gets_its_console_link(capsys: pytest.CaptureFixture[str]) -> None:
    summarize(_view("SUCCEEDED", [_step("ideation", "SUCCEEDED", "anthropic")]), [])
    out = capsys.readouterr().out
    assert "  console:        https://eu-west-1.console.aws.amazon.com/" in out
    assert "get-execution-history" not in out


def test_offline_answers_are_counted_as_such_and_no_model_call_is_claimed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    summarize(_view("SUCCEEDED", [_step("ideation", "SUCCEEDED"), _step("design", "SUCCEEDED")]), [])
    out = capsys.readouterr().out
    assert "model calls" not in out
    assert "offline answers: 7" in out
    assert "provider: offline (offline answers were used, no provider was called)" in out


def test_a_step_that_failed_before_any_answer_does_not_hide_the_offline_answers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    steps = [_step("ideation", "COMPENSATED"), _step("design", "FAILED", "default")]  # never answered
    summarize(_view("COMPENSATED", steps, model_calls=1), [])
    out = capsys.readouterr().out
    assert "offline answers: 1" in out and "model calls" not in out and "default" not in out


def test_a_real_provider_counts_model_calls(capsys: pytest.CaptureFixture[str]) -> None:
    summarize(_view("SUCCEEDED", [_step("ideation", "SUCCEEDED", "anthropic")]), [])
    out = capsys.readouterr().out
    assert "model calls: 7" in out and "offline" not in out
    assert "provider: anthropic" in out


def test_undone_steps_are_told_in_the_order_the_undo_ran_and_the_summary_agrees(
    capsys: pytest.CaptureFixture[str],
) -> None:
    running = _view(
        "RUNNING",
        [_step("ideation", "SUCCEEDED"), _step("research", "SUCCEEDED"), _step("design", "RUNNING")],
    )
    undone = ["research", "ideation"]  # the undo runs from the last step done to the first
    compensated = _view(
        "COMPENSATED",
        [_step("ideation", "COMPENSATED"), _step("research", "COMPENSATED"), _step("design", "FAILED")],
        compensated_steps=undone,
    )
    api = FakeRunsApi([running, compensated])
    view = follow(api, "run-1", timeout=5, wakeups=itertools.repeat(None))  # type: ignore[arg-type]
    summarize(view, [])
    printed = _printed(capsys)
    told = [line.split()[1] for line in printed if line.startswith("  [<<]")]
    assert told == undone
    assert "  undone (in order): research, ideation" in printed


def test_a_gate_decided_by_a_person_is_not_taken_for_a_provider(capsys: pytest.CaptureFixture[str]) -> None:
    gate = {"step": "sign_off", "kind": "approval", "status": "APPROVED", "metadata": {"provider": "person"}}
    summarize(_view("SUCCEEDED", [_step("intake", "SUCCEEDED"), gate]), [])
    out = capsys.readouterr().out
    assert "provider: offline (offline answers were used, no provider was called)" in out
    assert "person" not in out and "model calls" not in out


def test_the_summary_says_what_the_run_cost_on_aws_and_where_most_of_it_went(
    capsys: pytest.CaptureFixture[str],
) -> None:
    services = {"stepfunctions": 0.00025, "lambda": 0.0001, "dynamodb": 0.00005, "events": 0.00001}
    cost = {"infrastructure_cost_usd": 0.00041, "infrastructure_cost": {"by_service_usd": services}}
    summarize(_view("SUCCEEDED", [_step("ideation", "SUCCEEDED")], **cost), [])
    out = capsys.readouterr().out
    top = "stepfunctions $0.000250, lambda $0.000100, dynamodb $0.000050"
    assert f"AWS cost: $0.000410 (model tokens apart; {top})" in out
