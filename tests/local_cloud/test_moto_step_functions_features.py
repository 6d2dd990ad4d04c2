"""The Step Functions features the generated state machines use, as moto's interpreter runs them.

The local cloud runs every template's state machine in moto (pinned): a Parallel state, an
inline Map bounded by MaxConcurrency, a Distributed Map reading an S3 JSON manifest and a
``.waitForTaskToken`` approval gate with a timeout. Each test runs the feature in the shape
``infra/cdk/constructs/workflows.py`` generates; if a moto upgrade changes one, it fails here first.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from orchestrator.adapters.step_functions import StepFunctionsTaskTokens
from orchestrator.core.errors import RunNotActive
from tests.local_cloud.emulation import Emulation, wait_for_execution, wait_until

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


def _task(function_arn: str, payload: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": LAMBDA_INVOKE,
        "Parameters": {"FunctionName": function_arn, "Payload": payload},
        "ResultPath": None,
    } | extra


def _max_overlap(spans_file: Path) -> tuple[int, int]:
    """(spans recorded, most spans running at one instant)."""
    spans = [json.loads(line) for line in spans_file.read_text().splitlines()]
    edges = sorted([(s["start"], 1) for s in spans] + [(s["end"], -1) for s in spans])
    running = peak = 0
    for _, change in edges:  # an end sorts before a start at the same instant
        running += change
        peak = max(peak, running)
    return len(spans), peak


def test_a_failed_parallel_branch_is_caught_by_its_error_name(emulation: Emulation) -> None:
    # Given a Parallel state whose second branch fails with a domain error
    budget = emulation.function("feature-over-budget", "sample_handlers.over_budget")
    definition = {
        "StartAt": "Assess and plan",
        "States": {
            "Assess and plan": {
                "Type": "Parallel",
                "ResultPath": None,
                "Branches": [
                    {"StartAt": "Risks", "States": {"Risks": {"Type": "Pass", "End": True}}},
                    {"StartAt": "Plan", "States": {"Plan": _task(budget, {}, End=True)}},
                ],
                "Catch": [{"ErrorEquals": ["BudgetExceeded"], "ResultPath": "$.error", "Next": "Undo"}],
                "Next": "Unreachable",
            },
            "Unreachable": {"Type": "Fail", "Error": "NotCaught"},
            "Undo": {"Type": "Pass", "End": True},
        },
    }
    # When it runs
    result = emulation.run_machine(definition, {"run_id": "r1"})
    # Then the Parallel's Catch takes the branch's error by name, keeping the original input
    assert result["status"] == "SUCCEEDED"
    output = json.loads(result["output"])
    assert output["run_id"] == "r1" and output["error"]["Error"] == "BudgetExceeded"


def test_a_task_learns_which_retry_it_is_from_the_context_object(
    emulation: Emulation, tmp_path: Path
) -> None:
    # Given a task (at the top and inside a Map item) that is throttled twice per item, and is told
    # ``$$.State.RetryCount`` as the generated agent tasks are
    flaky = emulation.function("feature-flaky-attempts", "sample_handlers.flaky_noting_attempts")
    retry = [
        {"ErrorEquals": ["ProviderThrottled"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 1.0}
    ]
    payload = {
        "notes_file.$": "$.notes_file",
        "fail_times": 2,
        "retry_count.$": "$$.State.RetryCount",
    }
    definition = {
        "StartAt": "Plan",
        "States": {
            "Plan": _task(flaky, payload, Retry=retry, Next="Execute tasks"),
            "Execute tasks": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 1,
                "ItemSelector": {"notes_file.$": "$.notes_file", "item.$": "$$.Map.Item.Value.index"},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Execute task",
                    "States": {
                        "Execute task": _task(flaky, payload | {"item.$": "$.item"}, Retry=retry, End=True)
                    },
                },
                "ResultPath": None,
                "End": True,
            },
        },
    }
    notes = tmp_path / "notes.jsonl"
    # When it runs
    result = emulation.run_machine(
        definition, {"notes_file": str(notes), "items": [{"index": 0}, {"index": 1}]}, timeout=60
    )
    # Then each attempt was told its retry: 0, 1, 2 for the task and again for each map item
    assert result["status"] == "SUCCEEDED", result.get("cause")
    calls = [json.loads(line) for line in notes.read_text().splitlines()]
    by_item: dict[Any, list[int]] = {}
    for call in calls:
        by_item.setdefault(call.get("item"), []).append(call["retry_count"])
    assert by_item == {None: [0, 1, 2], 0: [0, 1, 2], 1: [0, 1, 2]}


def test_an_inline_map_runs_at_most_max_concurrency_items_at_once(
    emulation: Emulation, tmp_path: Path
) -> None:
    # Given a Map over six items, at most three at once, each item taking 1.5 s
    span = emulation.function("feature-span", "sample_handlers.span")
    spans_file = tmp_path / "spans.jsonl"
    definition = {
        "StartAt": "Execute tasks",
        "States": {
            "Execute tasks": {
                "Type": "Map",
                "ItemsPath": "$.maps.execute.items",
                "MaxConcurrency": 3,
                "ItemSelector": {
                    "spans_file.$": "$.spans_file",
                    "item.$": "$$.Map.Item.Value.index",
                    "seconds": 1.5,
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Execute task",
                    "States": {
                        "Execute task": _task(
                            span,
                            {"item.$": "$.item", "spans_file.$": "$.spans_file", "seconds.$": "$.seconds"},
                            End=True,
                        )
                    },
                },
                "ResultPath": None,
                "End": True,
            }
        },
    }
    items = [{"index": i} for i in range(6)]
    # When it runs
    result = emulation.run_machine(
        definition, {"spans_file": str(spans_file), "maps": {"execute": {"items": items}}}
    )
    # Then every item ran, several at once but never more than three
    assert result["status"] == "SUCCEEDED", result.get("cause")
    count, peak = _max_overlap(spans_file)
    assert count == 6
    assert 1 < peak <= 3, f"{peak} items ran at once"


def test_a_distributed_map_reads_its_items_from_an_s3_json_manifest(
    emulation: Emulation, tmp_path: Path
) -> None:
    # Given a manifest of four items in a bucket and a Distributed Map reading it
    s3 = emulation.client("s3")
    s3.create_bucket(Bucket="feature-workspace")
    manifest_key = "acme/.runs/r1/manifests/execute.json"
    s3.put_object(
        Bucket="feature-workspace",
        Key=manifest_key,
        Body=json.dumps([{"index": i} for i in range(4)]).encode(),
    )
    span = emulation.function("feature-span-distributed", "sample_handlers.span")
    spans_file = tmp_path / "spans.jsonl"
    definition = {
        "StartAt": "Execute tasks (manifest)",
        "States": {
            "Execute tasks (manifest)": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON"},
                    "Parameters": {"Bucket": "feature-workspace", "Key.$": "$.maps.execute.manifest.key"},
                },
                "ItemSelector": {"spans_file.$": "$.spans_file", "item.$": "$$.Map.Item.Value.index"},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Execute task (manifest)",
                    "States": {
                        "Execute task (manifest)": _task(
                            span, {"item.$": "$.item", "spans_file.$": "$.spans_file", "seconds": 0}, End=True
                        )
                    },
                },
                "MaxConcurrency": 3,
                "ResultPath": None,
                "End": True,
            }
        },
    }
    # When it runs
    payload = {"spans_file": str(spans_file), "maps": {"execute": {"manifest": {"key": manifest_key}}}}
    result = emulation.run_machine(definition, payload)
    # Then each item of the manifest ran once, with its index
    assert result["status"] == "SUCCEEDED", result.get("cause")
    items = sorted(json.loads(line)["item"] for line in spans_file.read_text().splitlines())
    assert items == [0, 1, 2, 3]
    assert json.loads(result["output"]) == payload, "ResultPath null keeps the state small"


# --- an approval gate: .waitForTaskToken -----------------------------------------------------------
def _gate(keep_token: str, timeout_seconds: int) -> dict[str, Any]:
    return {
        "StartAt": "Sign off release",
        "States": {
            "Sign off release": {
                "Type": "Task",
                "Resource": f"{LAMBDA_INVOKE}.waitForTaskToken",
                "Parameters": {
                    "FunctionName": keep_token,
                    "Payload": {"token_file.$": "$.token_file", "task_token.$": "$$.Task.Token"},
                },
                "TimeoutSeconds": timeout_seconds,
                "ResultPath": "$.decision",
                "Catch": [
                    {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Timed out"},
                    {"ErrorEquals": ["ApprovalRejected"], "ResultPath": "$.error", "Next": "Rejected"},
                ],
                "Next": "Release",
            },
            "Release": {"Type": "Pass", "End": True},
            "Timed out": {"Type": "Pass", "Result": "timed out", "ResultPath": "$.ended", "End": True},
            "Rejected": {"Type": "Pass", "Result": "rejected", "ResultPath": "$.ended", "End": True},
        },
    }


def _start_at_gate(emulation: Emulation, tmp_path: Path, timeout_seconds: int) -> tuple[str, str]:
    """Start an execution that waits at the gate; (execution ARN, the gate's task token)."""
    keep_token = emulation.function(f"feature-gate-{time.time_ns()}", "sample_handlers.keep_token")
    sfn = emulation.client("stepfunctions")
    machine = sfn.create_state_machine(
        name=f"gate{time.time_ns()}",
        definition=json.dumps(_gate(keep_token, timeout_seconds)),
        roleArn=emulation.role_arn,
    )["stateMachineArn"]
    token_file = tmp_path / "token"
    execution = sfn.start_execution(
        stateMachineArn=machine, input=json.dumps({"token_file": str(token_file)})
    )
    deadline = time.time() + 15
    while not token_file.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert token_file.exists(), "the gate's function never received its task token"
    return execution["executionArn"], token_file.read_text()


def _history_once_submitted(sfn: Any, execution_arn: str) -> list[str] | None:
    """The execution's history event types once the gate's task is submitted (its function
    returned, the task waits for its token); None before."""
    events = [event["type"] for event in sfn.get_execution_history(executionArn=execution_arn)["events"]]
    return events if "TaskSubmitted" in events else None


def test_a_gate_waits_for_its_token_and_resumes_with_the_decision(
    emulation: Emulation, tmp_path: Path
) -> None:
    # Given an execution waiting at a gate
    execution, token = _start_at_gate(emulation, tmp_path, timeout_seconds=60)
    sfn = emulation.client("stepfunctions")
    events = wait_until(
        lambda: _history_once_submitted(sfn, execution), 10, "the gate's function handed its token over"
    )
    assert events[-1] == "TaskSubmitted", "the gate waits for its token: nothing happens after it"
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    # When the API approves through the task-token adapter
    StepFunctionsTaskTokens(client=sfn).succeed(token, {"step": "sign_off", "decision": "approve"})
    # Then the execution goes on past the gate with the decision as the task's result
    result = wait_for_execution(sfn, execution, 15)
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"])["decision"] == {"step": "sign_off", "decision": "approve"}


def test_a_rejected_gate_fails_with_the_error_name_the_catch_matches(
    emulation: Emulation, tmp_path: Path
) -> None:
    execution, token = _start_at_gate(emulation, tmp_path, timeout_seconds=60)
    sfn = emulation.client("stepfunctions")
    StepFunctionsTaskTokens(client=sfn).fail(token, "ApprovalRejected", "bob rejected at Sign off release")
    result = wait_for_execution(sfn, execution, 15)
    assert result["status"] == "SUCCEEDED"
    output = json.loads(result["output"])
    assert output["ended"] == "rejected"
    assert output["error"] == {"Error": "ApprovalRejected", "Cause": "bob rejected at Sign off release"}


def test_a_gate_nobody_decides_times_out_and_its_token_is_then_refused(
    emulation: Emulation, tmp_path: Path
) -> None:
    # Given a gate with a one-second timeout that nobody decides
    execution, token = _start_at_gate(emulation, tmp_path, timeout_seconds=1)
    sfn = emulation.client("stepfunctions")
    # Then the task fails with States.Timeout, which the gate's first Catch takes
    result = wait_for_execution(sfn, execution, 15)
    assert result["status"] == "SUCCEEDED"
    output = json.loads(result["output"])
    assert output["ended"] == "timed out" and output["error"]["Error"] == "States.Timeout"
    # And a late decision is refused as "the run is no longer waiting" (HTTP 409), not a 5xx
    with pytest.raises(RunNotActive):
        StepFunctionsTaskTokens(client=sfn).succeed(token, {"decision": "approve"})


def _gate_turn(keep_token: str, token_file: str, timeout_path: str, **extra: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": f"{LAMBDA_INVOKE}.waitForTaskToken",
        "Parameters": {
            "FunctionName": keep_token,
            "Payload": {"token_file.$": token_file, "task_token.$": "$$.Task.Token"},
        },
        "TimeoutSecondsPath": timeout_path,
        "ResultPath": None,
    } | extra


def test_a_gate_timing_out_into_a_rearmed_turn_resumes_with_the_new_token(
    emulation: Emulation, tmp_path: Path
) -> None:
    # Given a gate whose first wait (TimeoutSecondsPath from the input) times out into a second
    # turn with its own token, as approval_gates.py generates for a reminder or an escalation
    keep_token = emulation.function(f"feature-rearm-{time.time_ns()}", "sample_handlers.keep_token")
    definition = {
        "StartAt": "Peer review",
        "States": {
            "Peer review": _gate_turn(
                keep_token,
                "$.files.open",
                "$.gate_deadlines.peer_review.remind_after",
                Catch=[
                    {"ErrorEquals": ["States.Timeout"], "ResultPath": None, "Next": "Peer review reminder"}
                ],
                Next="Peer review decided",
            ),
            "Peer review reminder": _gate_turn(
                keep_token,
                "$.files.remind",
                "$.gate_deadlines.peer_review.after_reminder",
                Catch=[{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Timed out"}],
                Next="Peer review decided",
            ),
            "Peer review decided": {
                "Type": "Pass",
                "Result": "decided",
                "ResultPath": "$.ended",
                "End": True,
            },
            "Timed out": {"Type": "Pass", "Result": "timed out", "ResultPath": "$.ended", "End": True},
        },
    }
    files = {"open": str(tmp_path / "open"), "remind": str(tmp_path / "remind")}
    sfn = emulation.client("stepfunctions")
    machine = sfn.create_state_machine(
        name=f"rearm{time.time_ns()}", definition=json.dumps(definition), roleArn=emulation.role_arn
    )["stateMachineArn"]
    execution = sfn.start_execution(
        stateMachineArn=machine,
        input=json.dumps(
            {"files": files, "gate_deadlines": {"peer_review": {"remind_after": 1, "after_reminder": 60}}}
        ),
    )["executionArn"]
    # When the first wait times out, the second turn receives a new token
    remind = tmp_path / "remind"
    wait_until(lambda: remind.exists() or None, 20, "the re-armed turn received its task token")
    first, second = (tmp_path / "open").read_text(), remind.read_text()
    assert first != second
    # Then the first token is refused and the second resumes the execution
    tokens = StepFunctionsTaskTokens(client=sfn)
    with pytest.raises(RunNotActive):
        tokens.succeed(first, {"decision": "approve"})
    tokens.succeed(second, {"decision": "approve"})
    result = wait_for_execution(sfn, execution, 15)
    assert result["status"] == "SUCCEEDED" and json.loads(result["output"])["ended"] == "decided"
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in sfn.get_execution_history(executionArn=execution)["events"]
        if "stateEnteredEventDetails" in e
    ]
    assert entered == ["Peer review", "Peer review reminder", "Peer review decided"]
