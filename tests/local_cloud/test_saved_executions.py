"""Executions across a restart of the emulation: an ended one reads as before, one cut off inside a
task goes on under its own ARN from that task, with one history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local import moto_adapters
from infra.local.execution_state import NOT_RESUMED
from infra.local.persistence import Persistence
from tests.local_cloud.emulation import REGION, Emulation, wait_for_execution, wait_until

ACCOUNT = "123456789012"


def _deploy(emulation: Emulation, slow_state: str = "Slow") -> str:
    """What a deployment creates, on an empty emulation: the function and the state machine."""
    requests.post(f"{emulation.endpoint}/moto-api/reset", timeout=10).raise_for_status()
    emulation.client("iam").create_role(RoleName="local", AssumeRolePolicyDocument="{}")
    function = emulation.function("sleeper", "sample_handlers.sleepy", timeout=30)
    definition = {
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Result": "prepared", "ResultPath": "$.first", "Next": slow_state},
            slow_state: {"Type": "Task", "Resource": function, "ResultPath": "$.slow", "Next": "Last"},
            "Last": {"Type": "Pass", "End": True},
        },
    }
    return str(
        emulation.client("stepfunctions").create_state_machine(
            name="resumable", definition=json.dumps(definition), roleArn=emulation.role_arn
        )["stateMachineArn"]
    )


def _history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    return list(sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"])


def _saved_inside_the_slow_task(emulation: Emulation, machine: str, state_dir: Path) -> str:
    """An execution saved while its slow task runs (then stopped here: only the saved one goes on)."""
    sfn = emulation.client("stepfunctions")
    cut = sfn.start_execution(stateMachineArn=machine, name="cut", input=json.dumps({"seconds": 4}))
    arn = str(cut["executionArn"])
    wait_until(
        lambda: any(e["type"].startswith("LambdaFunctionSt") for e in _history(sfn, arn)),
        60,
        "the slow task started",
    )
    Persistence(state_dir, ACCOUNT, REGION).save()
    sfn.stop_execution(executionArn=arn)
    return arn


def test_an_ended_execution_reads_the_same_and_a_running_one_goes_on(
    emulation: Emulation, tmp_path: Path
) -> None:
    sfn = emulation.client("stepfunctions")
    machine = _deploy(emulation)
    ended = sfn.start_execution(stateMachineArn=machine, name="ended", input=json.dumps({"seconds": 0}))
    ended_before = wait_for_execution(sfn, ended["executionArn"], 60)
    # Given an execution inside its slow task when the state is saved
    cut = _saved_inside_the_slow_task(emulation, machine, tmp_path)

    # When the emulation starts again empty, is deployed, and the state is restored
    _deploy(emulation)
    persistence = Persistence(tmp_path, ACCOUNT, REGION)
    restored = persistence.restore()
    ended_events: list[Any] = []
    persistence.resume(restored, ended_events.append)

    # Then the ended execution reads as before, its history included
    assert restored is not None and restored.executions.ended == 1
    assert restored.executions.resumed == [("cut", "Slow")] and ended_events == []
    after = sfn.describe_execution(executionArn=ended["executionArn"])
    assert {k: after[k] for k in ("status", "output", "input", "startDate", "stopDate")} == {
        k: ended_before[k] for k in ("status", "output", "input", "startDate", "stopDate")
    }
    assert _history(sfn, ended["executionArn"]) == ended_before["history"]
    # And the one cut off goes on from its task, under its own ARN, to the end
    assert sfn.describe_execution(executionArn=cut)["status"] == "RUNNING"
    done = wait_for_execution(sfn, cut, 60)
    assert done["status"] == "SUCCEEDED"
    output = json.loads(done["output"])
    assert (output["first"], output["slow"]["slept"]) == ("prepared", 4)
    # With one history: the saved events up to the task, then the task again, numbered in order
    history = done["history"]
    assert [e["id"] for e in history] == list(range(1, len(history) + 1))
    assert all(e["previousEventId"] < e["id"] for e in history)
    kinds = [e["type"] for e in history]
    assert kinds[:4] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "TaskStateEntered"]
    assert kinds.count("ExecutionStarted") == 1 and kinds.count("TaskStateEntered") == 1
    assert kinds[-1] == "ExecutionSucceeded"
    assert history[0]["timestamp"] <= history[-1]["timestamp"]


def test_an_execution_whose_state_is_gone_ends_failed_and_says_why(
    emulation: Emulation, tmp_path: Path
) -> None:
    # Given an execution saved inside its task "Slow"
    cut = _saved_inside_the_slow_task(emulation, _deploy(emulation), tmp_path)
    # When the template deployed at the next start has no state "Slow" any more
    _deploy(emulation, slow_state="Renamed")
    persistence = Persistence(tmp_path, ACCOUNT, REGION)
    restored = persistence.restore()
    ended: list[Any] = []
    persistence.resume(restored, ended.append)
    # Then the execution ends FAILED, saying why, and its end is published (the run ends with it)
    described = emulation.client("stepfunctions").describe_execution(executionArn=cut)
    assert described["status"] == "FAILED" and described["error"] == NOT_RESUMED
    assert "could not resume it" in described["cause"] and "Slow" in described["cause"]
    assert restored is not None and [name for name, _ in restored.executions.not_resumed] == ["cut"]
    detail = json.loads(moto_adapters.status_change_entry(ended[0])["Detail"])
    assert (detail["executionArn"], detail["status"], detail["error"]) == (cut, "FAILED", NOT_RESUMED)
    assert json.loads(detail["input"]) == {"seconds": 4}


def test_an_execution_long_ended_gives_its_interpreter_up_and_reads_the_same(
    emulation: Emulation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.stepfunctions.responses import get_backend

    from infra.local import execution_state

    sfn = emulation.client("stepfunctions")
    machine = _deploy(emulation)
    arn = sfn.start_execution(stateMachineArn=machine, name="done", input=json.dumps({"seconds": 0}))[
        "executionArn"
    ]
    before = wait_for_execution(sfn, arn, 60)
    listed_before = sfn.list_executions(stateMachineArn=machine)["executions"]
    persistence = Persistence(tmp_path, ACCOUNT, REGION)
    held = get_backend(ACCOUNT, REGION).describe_state_machine(machine).executions

    # Given its end within the last SLIM_AFTER_SECONDS, a snapshot keeps the interpreter
    persistence.save()
    assert not isinstance(held[0], execution_state.RestoredExecution)
    # When a snapshot comes after that
    monkeypatch.setattr(execution_state, "SLIM_AFTER_SECONDS", 0.0)
    persistence.save()

    # Then the execution is held as saved, without its interpreter, and reads as before
    assert isinstance(held[0], execution_state.RestoredExecution)
    after = sfn.describe_execution(executionArn=arn)
    assert {k: after[k] for k in ("status", "output", "input", "startDate", "stopDate")} == {
        k: before[k] for k in ("status", "output", "input", "startDate", "stopDate")
    }
    assert _history(sfn, arn) == before["history"]
    assert sfn.list_executions(stateMachineArn=machine)["executions"] == listed_before
    # and its saved form is the one copy held: compressed in the execution, none in the recorder
    assert persistence._executions._ended == {}
    assert not any(isinstance(value, list) for value in vars(held[0]).values())  # no parsed history
    persistence.save()
    snapshot = json.loads(persistence.files.snapshot_path.read_text())
    assert [saved["arn"] for saved in snapshot["executions"]] == [arn]
    assert len(snapshot["executions"][0]["events"]) == len(before["history"])
