"""``orchestrator runs list|show|watch`` drawn from the API's recorded answers: what a person reads
in a terminal, and plain text (no ANSI sequences) in a pipe."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
from rich.console import Console

from infra.cli import api_client, main
from infra.cli.narration import FINAL_EVENTS
from infra.cli.progress import console, progress_line, step_rows, steps_table
from infra.cli.run_tables import entry_details
from tests.unit.recorded_api import recorded

API = "http://127.0.0.1:18080"
TARGET = ["--api-url", API, "--token", "t0k"]
THROTTLED = recorded("run_views_throttled")
SHOWCASE = recorded("run_views_showcase")


class FakeApi:
    """Stands in for ``requests.get``: the recorded answers, a run's views one read after another
    (the last one for good); every call is kept."""

    def __init__(self, views: list[dict[str, Any]] | None = None) -> None:
        self.views = list(views or THROTTLED)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.pages = [recorded("runs_list"), {"runs": [], "next_cursor": None}]
        self.down = False

    def get(self, url: str, params: dict[str, Any] | None = None, **_: Any) -> requests.Response:
        if self.down:
            raise requests.ConnectionError(f"Max retries exceeded with url: {url}")
        path = url.removeprefix(API)
        self.calls.append((path, params or {}))
        run_id = self.views[-1]["run_id"]
        if path == "/runs":
            return _answer(200, self.pages[1] if (params or {}).get("cursor") else self.pages[0])
        if path == f"/runs/{run_id}":
            return _answer(200, self.views.pop(0) if len(self.views) > 1 else self.views[0])
        if path == f"/runs/{run_id}/timeline":
            return _answer(200, recorded("timeline_throttled"))
        if path == f"/runs/{run_id}/events":
            final = FINAL_EVENTS[self.views[-1]["status"]]
            return _answer(200, {"events": [{"event_type": final}], "next_cursor": None})
        return _answer(404, recorded("run_not_found")["body"])

    def reads(self, path: str) -> int:
        return sum(1 for called, _ in self.calls if called == path)


def _answer(status: int, body: dict[str, Any]) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    return response


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> FakeApi:
    fake = FakeApi()
    monkeypatch.setattr(api_client.requests, "get", fake.get)
    return fake


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _text(renderable: Any) -> str:
    out = Console(file=io.StringIO(), width=200, no_color=True)
    out.print(renderable)
    return out.file.getvalue()  # type: ignore[attr-defined]


def test_a_retrying_step_shows_its_failed_attempt_and_error_and_the_bar_counts_done_steps() -> None:
    # Given the view read while research waited for its second attempt
    view = THROTTLED[2]
    now = datetime.fromisoformat(view["steps"][1]["started_at"]) + timedelta(seconds=2.5)

    # When it is drawn
    rows = {row.label: row for row in step_rows(view, now)}
    table = _text(steps_table(view, now))

    # Then research is RETRYING after attempt 1, with the throttling error, 2.5 s since it started
    assert rows["research"].status == "RETRYING" and rows["research"].attempt == 1
    assert rows["research"].elapsed_s == pytest.approx(2.5)
    assert "attempt 1 failed: ProviderThrottled: offline provider: simulated ProviderThrottled" in table
    # And ideation is done: its attempt, its time (start to completion), its tokens and cost
    assert rows["ideation"].tokens == 314 and rows["ideation"].cost_usd == 0.0
    assert rows["ideation"].elapsed_s == pytest.approx(1.035574)
    assert [row.status for row in rows.values()][2:] == ["NOT_STARTED"] * 5
    # And the bar counts one step of seven done, the run's time counted until now
    line = _text(progress_line(view, now)).split()
    assert line[1:] == ["1/7", "steps", "done", "run", "RUNNING", "11.7s"]


def test_map_items_and_branches_get_a_row_each_and_a_gate_says_who_it_waits_for() -> None:
    running_map, waiting, succeeded = SHOWCASE
    labels = [row.label for row in step_rows(running_map)]
    assert labels[:5] == ["intake", "risks", "plan", "execute_task#0000", "execute_task#0001"]
    assert [row.status for row in step_rows(running_map)][3:5] == ["RUNNING", "RUNNING"]

    gate_opened = datetime.fromisoformat(waiting["awaiting"]["requested_at"])
    gate = next(
        row for row in step_rows(waiting, gate_opened + timedelta(minutes=3)) if row.label == "sign_off"
    )
    assert (gate.status, gate.note, gate.tokens) == ("WAITING", "waiting for user/admin", None)
    assert gate.elapsed_s == pytest.approx(180)
    assert "8/10 steps done" in _text(progress_line(waiting))  # 3 map items, the gate waits

    approved = next(row for row in step_rows(succeeded) if row.label == "sign_off")
    assert (approved.status, approved.note) == ("APPROVED", "approve by local-user")
    assert "10/10 steps done" in _text(progress_line(succeeded))


def test_a_terminal_gets_colours_and_a_pipe_gets_plain_text() -> None:
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        console(stream).print(steps_table(THROTTLED[2]))
    assert "\x1b[" in terminal.getvalue()
    assert "\x1b" not in pipe.getvalue() and "RETRYING" in pipe.getvalue()


def test_list_prints_the_page_newest_first_and_says_how_to_get_the_next(
    api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["runs", "list", "--status", "SUCCEEDED", "--limit", "2", *TARGET]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["RUN", "ID", "STATUS", "TEMPLATE", "CREATED", "FINISHED", "TOPIC"]
    assert lines[1].split()[:3] == ["01m916qx7yksksp3sf560rst3f", "COMPENSATED", "generic"]
    assert lines[2].split()[:3] == ["01m916p4848q9j12qa0wdsxvkn", "SUCCEEDED", "graph_showcase"]
    assert lines[2].endswith("ship a status page")
    assert "\x1b" not in out and all(line == line.rstrip() for line in lines)
    assert api.calls == [("/runs", {"limit": 2, "status": "SUCCEEDED"})]
    assert err == f"more runs: --cursor {recorded('runs_list')['next_cursor']} (or --all)\n"


def test_list_all_follows_the_cursor_and_json_is_the_api_answer(
    api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["runs", "list", "--all", "--json", *TARGET]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer == {"runs": recorded("runs_list")["runs"], "next_cursor": None}
    assert [params.get("cursor") for _, params in api.calls] == [None, recorded("runs_list")["next_cursor"]]


def test_a_limit_the_api_would_refuse_is_one_line_before_any_call(
    api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["runs", "list", "--limit", "500", *TARGET]) == 2
    assert capsys.readouterr().err == "error: --limit must be between 1 and 100, not 500\n"
    assert api.calls == []


def test_show_prints_the_summary_the_steps_and_the_timeline(
    api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    api.views = [THROTTLED[-1]]
    run_id = THROTTLED[-1]["run_id"]
    assert main(["runs", "show", run_id, *TARGET]) == 0
    out = capsys.readouterr().out
    assert f"run:            {run_id} (generic)\nstatus:         SUCCEEDED\n" in out
    assert "tokens:         2583\n" in out
    research = next(line for line in out.splitlines() if line.startswith("research "))
    assert research.split()[:3] == ["research", "SUCCEEDED", "3"]
    assert "timeline: 41 entries\n" in out
    retries = [line.split() for line in out.splitlines() if " retry " in line]
    assert len(retries) == 2 and all(
        r[4:8] == ["retry", "Research", "ProviderThrottled:", "offline"] for r in retries
    )
    assert any("step_result  step" in line and "attempt 3" in line for line in out.splitlines())
    assert "\x1b" not in out


def test_show_json_is_the_run_and_its_timeline(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    api.views = [THROTTLED[-1]]
    assert main(["runs", "show", THROTTLED[-1]["run_id"], "--json", *TARGET]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown == {"run": THROTTLED[-1], "timeline": recorded("timeline_throttled")}


@pytest.mark.parametrize("command", ["show", "watch"])
def test_an_unknown_run_is_the_api_404_in_one_line_exit_2(
    api: FakeApi, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    assert main(["runs", command, "nope", *TARGET]) == 2
    assert capsys.readouterr().err == (
        "error: GET /runs/nope: 404 RunNotFound: run 'nope' not found (run ids are 26 lowercase letters "
        "and digits)\n"
    )


@pytest.mark.parametrize("command", [["list"], ["show", "r1"], ["watch", "r1"]])
def test_an_api_that_does_not_answer_is_one_line_exit_1(
    api: FakeApi, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    api.down = True
    assert main(["runs", *command, *TARGET]) == 1
    assert capsys.readouterr().err == f"error: the API at {API} did not answer\n"


def test_watch_follows_the_run_to_its_end_then_summarizes_exit_0(
    api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = THROTTLED[0]["run_id"]
    assert main(["runs", "watch", run_id, "--interval", "0.01", *TARGET]) == 0
    out = capsys.readouterr().out
    assert api.reads(f"/runs/{run_id}") == len(THROTTLED)  # once per wake-up until it ended
    told = [line for line in out.splitlines() if "research" in line and line.startswith("  [")]
    assert [line.split()[2] for line in told] == ["RETRYING", "RUNNING", "RETRYING", "RUNNING", "SUCCEEDED"]
    assert f"run {run_id}: SUCCEEDED" in out and f"Run {run_id} (generic) ended SUCCEEDED" in out
    assert "\x1b" not in out


def test_watch_of_a_run_that_ended_otherwise_exits_1(
    api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    api.views = [recorded("run_view_compensated")]
    assert main(["runs", "watch", api.views[0]["run_id"], *TARGET]) == 1
    out = capsys.readouterr().out
    assert "ended COMPENSATED" in out and "undone (in order): research, ideation" in out


def test_watch_gives_up_after_its_timeout_exit_3(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    api.views = [THROTTLED[2]]  # never ends
    code = main(["runs", "watch", THROTTLED[2]["run_id"], "--interval", "0.01", "--timeout", "0.2", *TARGET])
    assert code == 3
    assert capsys.readouterr().err.startswith(f"error: run {THROTTLED[2]['run_id']} had not ended after 0 s")


def test_an_event_with_a_multiline_value_stays_on_its_row() -> None:
    event = {
        "kind": "event",
        "details": {"phase": "design", "summary": " Design:\n  two lines ", "risks": []},
    }
    assert entry_details(event) == "phase=design summary=Design: two lines"


def test_ctrl_c_stops_the_watching_not_the_run_in_one_line(
    api: FakeApi, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answered = api.get

    def get(url: str, **kwargs: Any) -> requests.Response:
        if api.reads(f"/runs/{THROTTLED[0]['run_id']}") == 2:
            raise KeyboardInterrupt
        return answered(url, **kwargs)

    monkeypatch.setattr(api_client.requests, "get", get)
    run_id = THROTTLED[0]["run_id"]
    assert main(["runs", "watch", run_id, "--interval", "0.01", *TARGET]) == 130
    out, err = capsys.readouterr()
    assert f"run {run_id}: RUNNING" in out and "ended" not in out
    assert err == f"stopped watching run {run_id}; it goes on (`orchestrator runs cancel` stops it)\n"
    assert not any(path.endswith("/cancel") for path, _ in api.calls)


def test_list_by_template_keeps_the_runs_of_that_template_from_the_pages_read(
    api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["runs", "list", "--template", "graph_showcase", "--all", "--json", *TARGET]) == 0
    assert [run["template"] for run in json.loads(capsys.readouterr().out)["runs"]] == ["graph_showcase"]
    assert main(["runs", "list", "--template", "data_science", *TARGET]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[1:] == []
    assert err.splitlines()[0] == "no runs of template data_science on this page"
