"""The local cloud's saved state: a snapshot is replaced whole or not at all, a bad one is refused
with what to do, and a running execution's history tells where it goes on after a restart."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from infra.local import state_files
from infra.local.execution_state import resume_point
from infra.local.state_files import StateFileError, StateFiles


def test_a_snapshot_cut_off_mid_write_leaves_the_previous_one_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = StateFiles(tmp_path)
    files.write(files.encode({"dynamodb": {"runs": [{"pk": {"S": "first"}}]}}))
    newer = files.encode({"dynamodb": {"runs": [{"pk": {"S": "second"}}] * 1000}})

    # When the process dies half-way through writing the next snapshot (before the rename)
    class Killed(BaseException):
        pass

    def killed_while_writing(handle: Any, data: bytes) -> None:
        os.write(handle.fileno(), data[: len(data) // 2])
        raise Killed

    real_open = open

    def half_writing_open(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(path, mode, *args, **kwargs)
        if "w" in mode:
            handle.write = lambda data: killed_while_writing(handle, data)
        return handle

    monkeypatch.setattr("builtins.open", half_writing_open)
    with pytest.raises(Killed):
        files.write(newer)
    monkeypatch.undo()

    # Then the snapshot on disk is the previous one, whole (the torn copy is only a temporary file)
    assert files.read() == {
        "format": state_files.SNAPSHOT_FORMAT,
        "dynamodb": {"runs": [{"pk": {"S": "first"}}]},
    }
    assert [p.name for p in files.root.iterdir() if p.name.endswith(".tmp")]
    # And the next snapshot replaces it whole
    files.write(newer)
    saved = files.read()
    assert saved is not None and len(saved["dynamodb"]["runs"]) == 1000


def test_a_rename_that_never_happened_keeps_the_previous_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = StateFiles(tmp_path)
    files.write(files.encode({"sqs": {"q": []}}))

    def power_cut(*_: Any) -> None:
        raise OSError("no space left on device")

    monkeypatch.setattr(state_files.os, "replace", power_cut)
    with pytest.raises(OSError, match="no space"):
        files.write(files.encode({"sqs": {"q": [{"body": "lost"}]}}))
    assert files.read() == {"format": state_files.SNAPSHOT_FORMAT, "sqs": {"q": []}}


def test_a_damaged_or_foreign_snapshot_is_refused_with_what_to_do(tmp_path: Path) -> None:
    files = StateFiles(tmp_path)
    files.root.mkdir(parents=True)
    files.snapshot_path.write_text('{"format": 1, "dynamo')
    with pytest.raises(StateFileError, match=r"snapshot\.json cannot be read .*--fresh"):
        files.read()
    files.snapshot_path.write_text(json.dumps({"format": 99}))
    with pytest.raises(StateFileError, match="has format 99, this version reads 1; start with --fresh"):
        files.read()


def test_bodies_are_kept_once_and_dropped_when_no_snapshot_names_them(tmp_path: Path) -> None:
    files = StateFiles(tmp_path)
    kept, dropped = files.put_blob(b"report v1"), files.put_blob(b"report v2")
    assert files.put_blob(b"report v1") == kept and files.get_blob(kept) == b"report v1"
    files.remove_blobs_except({kept})
    assert files.get_blob(kept) == b"report v1"
    with pytest.raises(StateFileError, match=f"object body {dropped} is missing"):
        files.get_blob(dropped)


@pytest.mark.parametrize("executions", [[], ['{"arn":"a"}'], ['{"arn":"a"}', '{"arn":"b","events":[]}']])
def test_a_snapshot_written_piece_by_piece_is_the_one_encoded_whole(
    tmp_path: Path, executions: list[str]
) -> None:
    files = StateFiles(tmp_path)
    snapshot = {"dynamodb": {"runs": [{"pk": {"S": "first"}}]}, "sqs": {"q": []}}
    whole = files.encode(snapshot, executions=executions)
    # When the snapshot goes to disk in pieces, each execution's text encoded as it comes
    pieces = files.pieces(files.encode_fields(snapshot), iter(executions))
    files.write(pieces)
    # Then the file is the whole encoding, and reads back with every execution
    assert files.snapshot_path.read_bytes() == whole
    saved = files.read()
    assert saved is not None and saved["executions"] == [json.loads(text) for text in executions]


def test_tables_encoded_item_by_item_make_the_same_snapshot(tmp_path: Path) -> None:
    from infra.local.backend_state import encode_item, json_default

    tables = {
        "runs": [{"pk": {"S": "b"}, "n": {"N": "1"}}, {"pk": {"S": "a"}, "blob": {"B": b"\x00\xff"}}],
        "audit": [],
        "a-table": [{"pk": {"S": 'é " \\ \n'}, "tags": {"SS": ["y", "x"]}}],
    }
    rest = {"sqs": {"q": [{"body": "m"}]}, "s3": {}, "s3vectors": {}}
    whole = StateFiles.encode({"dynamodb": tables} | rest, default=json_default)
    by_item = {name: [encode_item(item) for item in items] for name, items in tables.items()}
    assert StateFiles.encode_fields(rest, default=json_default, tables=by_item) == whole


# --- where a running execution goes on ---------------------------------------------------------
DEFINITION = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "Items"},
        "Items": {
            "Type": "Map",
            "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Task", "End": True}}},
            "Next": "Decide",
        },
        "Decide": {"Type": "Choice", "Choices": [], "Default": "Gate"},
        "Gate": {"Type": "Task", "End": True},
    },
}


def _entered(name: str, kind: str, state_input: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": f"{kind}StateEntered",
        "stateEnteredEventDetails": {"name": name, "input": json.dumps(state_input)},
    }


def _exited(name: str, kind: str, output: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": f"{kind}StateExited",
        "stateExitedEventDetails": {"name": name, "output": json.dumps(output)},
    }


STARTED = {"type": "ExecutionStarted"}
PREPARED = [_entered("Prepare", "Pass", {"run": 1}), _exited("Prepare", "Pass", {"run": 1, "items": [1, 2]})]


def test_a_state_cut_off_inside_a_map_restarts_its_top_level_state_with_its_input() -> None:
    history = [
        STARTED,
        *PREPARED,
        _entered("Items", "Map", {"run": 1, "items": [1, 2]}),
        {"type": "MapIterationStarted"},
        _entered("Work", "Task", {"item": 1}),
        _exited("Work", "Task", {"done": 1}),
        _entered("Work", "Task", {"item": 2}),
        {"type": "TaskScheduled"},
    ]
    point = resume_point(DEFINITION, {"run": 1}, history)
    assert (point.state, point.state_input) == ("Items", {"run": 1, "items": [1, 2]})
    assert point.earlier_events == [STARTED, *PREPARED]


def test_between_two_states_the_next_one_starts_with_the_output_of_the_last() -> None:
    point = resume_point(DEFINITION, {"run": 1}, [STARTED, *PREPARED])
    assert (point.state, point.state_input) == ("Items", {"run": 1, "items": [1, 2]})
    assert point.earlier_events == [STARTED, *PREPARED]


def test_a_choice_that_was_left_runs_again_from_its_input() -> None:
    history = [
        STARTED,
        *PREPARED,
        _entered("Decide", "Choice", {"go": True}),
        _exited("Decide", "Choice", {"go": True}),
    ]
    point = resume_point(DEFINITION, {"run": 1}, history)
    assert (point.state, point.state_input, point.earlier_events) == (
        "Decide",
        {"go": True},
        [STARTED, *PREPARED],
    )


def test_a_gate_waiting_for_its_token_opens_again() -> None:
    history = [STARTED, _entered("Gate", "Task", {"ask": "sign off?"}), {"type": "TaskScheduled"}]
    point = resume_point(DEFINITION, {"run": 1}, history)
    assert (point.state, point.state_input, point.earlier_events) == ("Gate", {"ask": "sign off?"}, [STARTED])


def test_an_execution_that_entered_no_state_starts_over() -> None:
    point = resume_point(DEFINITION, {"run": 1}, [STARTED])
    assert (point.state, point.state_input, point.earlier_events) == ("Prepare", {"run": 1}, [STARTED])
