"""What wakes ``orchestrator runs watch`` up is pluggable: each wake-up is one read of the run, a push
channel's envelopes of other runs are not, and when a source runs out polling takes over."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from infra.cli.api_client import ApiError
from infra.cli.progress import console
from infra.cli.watch import WatchTimeout, follow, patient, pushed, refreshes_on, watch_run
from tests.unit.recorded_api import recorded

THROTTLED = recorded("run_views_throttled")
RUN_ID = THROTTLED[0]["run_id"]


class Reads:
    """``GET /runs/{id}`` answered with the recorded views one after another, the last for good."""

    def __init__(self, views: list[dict[str, Any]]) -> None:
        self.views = list(views)
        self.count = 0

    def __call__(self) -> dict[str, Any]:
        self.count += 1
        return self.views.pop(0) if len(self.views) > 1 else self.views[0]

    def run(self, run_id: str) -> dict[str, Any]:  # as the API client
        assert run_id == RUN_ID
        return self()


def _envelope(event_type: str, run_id: str = RUN_ID, phase: str | None = "research") -> dict[str, Any]:
    return {"event_type": event_type, "run_id": run_id, "phase": phase, "payload": {}}


def _no_fallback() -> Iterator[object]:
    raise AssertionError("the fallback was not needed")


def test_each_envelope_of_the_run_wakes_it_once_and_other_runs_do_not() -> None:
    # Given a push channel delivering this run's events between another run's
    pushed = [_envelope("PHASE_STARTED"), _envelope("PHASE_STARTED", run_id="another-run")] * len(THROTTLED)
    reads, shown = Reads(THROTTLED), list[dict[str, Any]]()

    # When the run is watched with it
    view = watch_run(reads, refreshes_on(pushed, RUN_ID), shown.append, fallback=_no_fallback)

    # Then it read the run once at once and once per envelope of this run, until the run ended
    assert view["status"] == "SUCCEEDED"
    assert reads.count == len(THROTTLED) and [v["status"] for v in shown][-1] == "SUCCEEDED"


def test_when_the_push_channel_closes_before_the_run_ends_polling_takes_over() -> None:
    reads, ticks = Reads(THROTTLED), []

    def polling() -> Iterator[None]:
        for tick in itertools.count():
            ticks.append(tick)
            yield None

    view = watch_run(
        reads, refreshes_on([_envelope("PHASE_STARTED")] * 2, RUN_ID), lambda _: None, fallback=polling
    )
    assert view["status"] == "SUCCEEDED"
    assert len(ticks) == len(THROTTLED) - 3  # the first read and two envelopes' reads came first


def test_a_run_that_has_ended_is_read_once_and_no_source_is_used() -> None:
    def unused() -> Iterator[object]:
        raise AssertionError("no wake-up was needed")
        yield  # pragma: no cover

    reads = Reads([recorded("run_view_compensated")])
    assert watch_run(reads, unused(), lambda _: None, fallback=_no_fallback)["status"] == "COMPENSATED"
    assert reads.count == 1


def test_the_watch_gives_up_after_its_timeout_with_the_last_view() -> None:
    clock = itertools.count(step=10.0)  # every look at the clock: 10 s later
    with pytest.raises(WatchTimeout) as raised:
        watch_run(
            Reads([THROTTLED[2]]),
            itertools.repeat(None),
            lambda _: None,
            timeout=25,
            clock=lambda: next(clock),
        )
    assert raised.value.view["status"] == "RUNNING"
    assert str(raised.value) == f"run {RUN_ID} had not ended after 25 s (status RUNNING)"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_progress_is_redrawn_live_and_the_last_frame_stays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "200")  # the error note on one line
    screen = Terminal()
    view = follow(Reads(THROTTLED), RUN_ID, out=console(screen), wakeups=itertools.repeat(None))  # type: ignore[arg-type]
    drawn = screen.getvalue()
    assert view["status"] == "SUCCEEDED"
    assert "\x1b[" in drawn and "RETRYING" in drawn and "ProviderThrottled" in drawn
    assert "━" in drawn and "7/7 steps done" in drawn  # the progress bar, full at the end
    assert drawn.count("STEP") >= 2  # redrawn, not a line per change


class Flaky:
    """Reads that fail as told (an exception, or None for an answer)."""

    def __init__(self, failures: list[ApiError | None]) -> None:
        self.failures = failures
        self.count = 0

    def __call__(self) -> dict[str, Any]:
        self.count += 1
        failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            raise failure
        return THROTTLED[2]


DOWN = ApiError("the API at http://127.0.0.1:1 did not answer")
UNAVAILABLE = ApiError("GET /runs/r: 503 ServiceUnavailable", 503)
GONE = ApiError("GET /runs/r: 404 RunNotFound: run r not found", 404)


def test_once_the_run_was_read_a_few_lost_answers_in_a_row_are_ridden_out() -> None:
    flaky, waits = Flaky([None, DOWN, UNAVAILABLE, None]), list[float]()
    read = patient(flaky, tries=3, wait=0.5, sleep=waits.append)
    assert read()["run_id"] == RUN_ID and read()["run_id"] == RUN_ID
    assert flaky.count == 4 and waits == [0.5, 0.5]


@pytest.mark.parametrize(
    ("failures", "reads_before_the_error"),
    [
        ([DOWN], 1),  # the first read: the API is not there at all
        ([None, GONE], 2),  # a refusal is not asked again
        ([None, DOWN, DOWN, DOWN], 4),  # too many in a row
    ],
)
def test_what_is_not_a_passing_failure_ends_the_watch(
    failures: list[ApiError | None], reads_before_the_error: int
) -> None:
    flaky = Flaky(list(failures))
    read = patient(flaky, tries=3, wait=0, sleep=lambda _: None)
    with pytest.raises(ApiError) as raised:
        for _ in range(5):
            read()
    assert raised.value is failures[-1] and flaky.count == reads_before_the_error


def test_a_queued_run_says_where_it_waits() -> None:
    queued = THROTTLED[0] | {"status": "QUEUED", "queue_position": 2}
    out = io.StringIO()
    follow(Reads([queued, THROTTLED[-1]]), RUN_ID, out=console(out), wakeups=itertools.repeat(None))  # type: ignore[arg-type]
    assert f"run {RUN_ID}: QUEUED (#2 in the queue)\n" in out.getvalue()


class FakeStream:
    """A subscription's envelopes, then None (nothing within the idle time), then the end."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.closed = False

    def next_within(self, seconds: float) -> dict[str, Any] | None:
        if not self.answers:
            raise StopIteration
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[no-any-return]

    def close(self) -> None:
        self.closed = True


def test_pushed_wakes_once_subscribed_per_event_of_the_run_and_when_idle_then_ends_with_the_connection() -> (
    None
):
    stream = FakeStream([{"run_id": "r1", "event_type": "STEP_STARTED"}, {"run_id": "r2"}, None])
    wakeups = list(pushed(lambda: stream, "r1"))  # type: ignore[arg-type, return-value]
    assert wakeups == ["subscribed", {"run_id": "r1", "event_type": "STEP_STARTED"}, None]
    assert stream.closed


def test_pushed_gives_no_wakeup_when_the_subscription_is_refused_or_the_connection_drops() -> None:
    from websockets.exceptions import ConnectionClosedError

    from infra.cli.run_events import SubscriptionRefused

    def refused() -> Any:
        raise SubscriptionRefused("the connection was refused: HTTP 401")

    assert list(pushed(refused, "r1")) == []
    dropped = FakeStream([ConnectionClosedError(None, None)])
    assert list(pushed(lambda: dropped, "r1")) == ["subscribed"]  # type: ignore[arg-type, return-value]
    assert dropped.closed
