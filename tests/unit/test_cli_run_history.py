"""``orchestrator runs replay|diff|lineage``: the request each sends, the tables drawn from the API's
answers (a real replay's diff and lineage, computed in memory), plain text in a pipe, and one line
on stderr for what goes wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from infra.cli import api_client, main
from orchestrator.runs.lineage import get_lineage
from tests.unit.test_replay_runs import diff, new_prompt, replay, world_of

API = "http://127.0.0.1:18080"
TARGET = ["--api-url", API, "--token", "t0k"]


def _answer(status: int, body: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    return response


class FakeApi:
    """Stands in for ``requests.get`` and ``requests.post``: fixed answers per path, every call kept."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.calls: list[dict[str, Any]] = []

    def get(self, url: str, params: Any = None, **_: Any) -> requests.Response:
        path = url.removeprefix(API)
        self.calls.append({"method": "GET", "path": path})
        if path in self.answers:
            return _answer(200, self.answers[path])
        return _answer(404, {"error": "RunNotFound", "message": f"run {path.split('/')[2]!r} not found"})

    def post(self, url: str, json: Any = None, **_: Any) -> requests.Response:
        path = url.removeprefix(API)
        self.calls.append({"method": "POST", "path": path, "json": json})
        return _answer(202, {"run_id": "new-run", "replayed_from": path.split("/")[2], "model_steps": []})


@pytest.fixture(scope="module")
def replayed() -> dict[str, Any]:
    """A web_development run and its replay with a new requirements prompt: their diff and lineage."""
    world = world_of("web_development")
    original = world.run_id
    version = new_prompt(world, "web_requirements")
    replay(world, prompt_versions={"web_requirements": version})
    world.run()
    return {
        "a": original,
        "b": world.run_id,
        "diff": diff(world, original, world.run_id),
        "lineage": get_lineage("acme", world.run_id, runs=world.runs, results=world.results),
    }


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, replayed: dict[str, Any]) -> FakeApi:
    a, b = replayed["a"], replayed["b"]
    fake = FakeApi({f"/runs/{a}/diff/{b}": replayed["diff"], f"/runs/{b}/lineage": replayed["lineage"]})
    monkeypatch.setattr(api_client.requests, "get", fake.get)
    monkeypatch.setattr(api_client.requests, "post", fake.post)
    monkeypatch.delenv("COLUMNS", raising=False)
    return fake


def test_replay_posts_the_prompt_versions_inputs_and_options_and_prints_the_answer(
    api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["--prompt-version", "designer=3", "--prompt-version", "research=2", "--options", "{}"]
    assert main(["runs", "replay", "r1", *arguments, "--inputs", '{"context": "x"}', *TARGET]) == 0
    assert api.calls == [
        {
            "method": "POST",
            "path": "/runs/r1/replay",
            "json": {
                "prompt_versions": {"designer": 3, "research": 2},
                "inputs": {"context": "x"},
                "options": {},
            },
        }
    ]
    assert json.loads(capsys.readouterr().out)["replayed_from"] == "r1"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--prompt-version", "designer"], "--prompt-version 'designer': write AGENT=N"),
        (["--prompt-version", "designer=0"], "write AGENT=N with N a version number"),
    ],
)
def test_a_malformed_prompt_version_is_one_line_and_exit_2_before_any_call(
    api: FakeApi, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    assert main(["runs", "replay", "r1", *arguments, *TARGET]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert api.calls == []


def test_inputs_that_are_not_a_json_object_are_refused_by_the_parser(
    api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["runs", "replay", "r1", "--inputs", "[1, 2]", *TARGET])
    assert exited.value.code == 2
    assert "a JSON object is needed, not list" in capsys.readouterr().err
    assert api.calls == []


def test_diff_draws_a_row_per_step_the_changed_one_and_the_reused_ones(
    api: FakeApi, replayed: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["runs", "diff", replayed["a"], replayed["b"], *TARGET]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith(f"a: {replayed['a']} web_development SUCCEEDED: ")
    assert lines[1].startswith(f"b: {replayed['b']} web_development SUCCEEDED, replays {replayed['a']}: ")
    rows = {
        line.split()[0]: line.split() for line in lines if line.split() and line.split()[0] in _keys(replayed)
    }
    assert rows["requirements"][1] == "prompt_version,prompt"
    assert rows["requirements"][2:5] == ["v1", "->", "v2"]
    assert rows["architecture"][1:3] == ["unchanged", "(reused)"]
    assert lines[-1] == f"1 changed, {len(_keys(replayed)) - 1} unchanged"
    assert "\x1b" not in out


def test_diff_json_is_the_api_answer(
    api: FakeApi, replayed: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["runs", "diff", replayed["a"], replayed["b"], "--json", *TARGET]) == 0
    assert json.loads(capsys.readouterr().out) == replayed["diff"]


def test_lineage_names_the_run_it_came_from_and_each_results_source(
    api: FakeApi, replayed: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["runs", "lineage", replayed["b"], *TARGET]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"run: {replayed['b']} (web_development) SUCCEEDED"
    assert lines[1] == f"  came from: {replayed['a']} SUCCEEDED"
    rows = {line.split()[0]: line.split() for line in lines[2:] if line.split()}
    assert rows["requirements"][1:3] == ["model", "v2"]
    assert rows["architecture"][1] == "reused" and rows["architecture"][-3:] == [
        replayed["a"],
        "architecture",
        "(model)",
    ]
    assert main(["runs", "lineage", replayed["b"], "--json", *TARGET]) == 0
    assert json.loads(capsys.readouterr().out) == replayed["lineage"]


@pytest.mark.parametrize("command", [["diff", "nope", "other"], ["lineage", "nope"]])
def test_an_unknown_run_is_the_api_404_in_one_line_exit_2(
    api: FakeApi, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    assert main(["runs", *command, *TARGET]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "404 RunNotFound: run 'nope' not found" in err


def _keys(replayed: dict[str, Any]) -> set[str]:
    return {step["key"] for step in replayed["diff"]["steps"]}
