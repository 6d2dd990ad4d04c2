"""Following a run until it ends: what wakes the watcher up is pluggable.

:func:`watch_run` reads the run (``GET /runs/{run_id}``) once at once, then once per *wake-up* that
its source yields, and returns the run's view when the run has ended. A wake-up carries nothing the
watcher trusts: it only says "the run may have changed, read it again", so a source may wake it too
often, never wrongly. Two sources:

- :func:`polling`: a wake-up every ``interval`` seconds (the default, and the fallback);
- :func:`pushed`: a WebSocket subscription to the run (``orchestrator runs watch`` uses it whenever
  the API has a WebSocket API: the local cloud's, a stack's ``WebSocketUrl``);
- :func:`refreshes_on`: the event envelopes of a push channel (``event_type``, ``run_id``, ``phase``,
  ``payload``, as a WebSocket subscription to the run delivers them): each envelope of the run is a
  wake-up. A push client is an iterator of envelopes, e.g. ``subscribe(websocket_url, token,
  run_id)``; when it ends (the connection closed) before the run does, the watcher falls back to
  polling.

For a push client plugged in here: the first read happens before the client subscribes, so the
client should yield one wake-up once it has subscribed (what changed in between is then read), and
bound its own wait for the next envelope (``--timeout`` is checked at each wake-up) by ending, or by
yielding a wake-up, when nothing came for a while.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from infra.cli.api_client import ApiError
from infra.cli.narration import FINAL_STATUSES

if TYPE_CHECKING:
    from rich.console import Console

    from infra.cli.api_client import ApiClient
    from infra.cli.run_events import RunEventStream

View = dict[str, Any]
POLL_INTERVAL_S = 1.0


class WatchTimeout(TimeoutError):
    """The run had not ended when the watcher's deadline passed; ``view``: the last one read."""

    def __init__(self, view: View, seconds: float) -> None:
        super().__init__(
            f"run {view['run_id']} had not ended after {seconds:.0f} s (status {view['status']})"
        )
        self.view = view


def polling(interval: float = POLL_INTERVAL_S, sleep: Callable[[float], None] = time.sleep) -> Iterator[None]:
    """A wake-up every ``interval`` seconds, forever."""
    while True:
        sleep(interval)
        yield None


def refreshes_on(envelopes: Iterable[Mapping[str, Any]], run_id: str) -> Iterator[Mapping[str, Any]]:
    """A push channel's event envelopes as wake-ups: those of ``run_id`` (a subscription to every
    run of the tenant delivers the others too). The envelope's content is not used: the watcher
    reads the run again."""
    for envelope in envelopes:
        if envelope.get("run_id") == run_id:
            yield envelope


PUSH_IDLE_S = 5.0


def pushed(
    open_stream: Callable[[], RunEventStream], run_id: str, *, idle: float = PUSH_IDLE_S
) -> Iterator[object]:
    """Wake-ups from a WebSocket subscription to the run (``open_stream``, e.g. ``subscribe(url,
    token, run_id)``): one once subscribed, one per envelope of the run, and one after ``idle``
    seconds with none (so that ``--timeout`` is checked and nothing missed stays unread long). A
    subscription that cannot be made, or a connection that drops, ends the wake-ups: the watcher
    then polls."""
    from websockets.exceptions import WebSocketException

    from infra.cli.run_events import SubscriptionRefused

    try:
        stream = open_stream()
    except (SubscriptionRefused, WebSocketException, OSError):
        return
    try:
        yield "subscribed"
        while True:
            envelope = stream.next_within(idle)
            if envelope is None or envelope.get("run_id") == run_id:
                yield envelope
    except (StopIteration, SubscriptionRefused, WebSocketException, OSError):
        return
    finally:
        stream.close()


def watch_run(
    read: Callable[[], View],
    wakeups: Iterable[object],
    show: Callable[[View], None],
    *,
    timeout: float | None = None,
    fallback: Callable[[], Iterable[object]] = polling,
    clock: Callable[[], float] = time.monotonic,
) -> View:
    """Read the run, ``show`` it, and again at each wake-up, until it has ended: its final view.
    When ``wakeups`` runs out first, ``fallback()`` wakes the watcher instead. :class:`WatchTimeout`
    once ``timeout`` seconds have passed with the run still going (checked at each wake-up); the last
    view read if the fallback runs out too."""
    started = clock()
    view = read()
    show(view)

    def sources() -> Iterator[Iterable[object]]:
        yield wakeups
        yield fallback()  # called only when the first source ran out

    for source in sources():
        if view["status"] in FINAL_STATUSES:
            break
        for _ in source:
            view = read()
            show(view)
            if view["status"] in FINAL_STATUSES:
                return view
            if timeout is not None and clock() - started > timeout:
                raise WatchTimeout(view, timeout)
    return view


def patient(
    read: Callable[[], View],
    *,
    tries: int = 5,
    wait: float = POLL_INTERVAL_S,
    sleep: Callable[[float], None] = time.sleep,
) -> Callable[[], View]:
    """``read``, which once it has answered rides out up to ``tries`` - 1 failures in a row of an API
    that did not answer or failed (5xx, 429), ``wait`` s apart: a long watch does not end on one lost
    answer. The first read, and a refusal (another 4xx), fail at once."""
    answered = False

    def read_patiently() -> View:
        nonlocal answered
        for attempt in range(1, tries + 1):
            try:
                view = read()
            except ApiError as exc:
                if not answered or not exc.transient or attempt == tries:
                    raise
                sleep(wait)
            else:
                answered = True
                return view
        raise AssertionError("unreachable")  # pragma: no cover

    return read_patiently


def follow(
    client: ApiClient,
    run_id: str,
    *,
    out: Console | None = None,
    timeout: float | None = None,
    wakeups: Iterable[object] | None = None,
    on_view: Callable[[View], None] | None = None,
    poll_interval: float = POLL_INTERVAL_S,
) -> View:
    """Show the run's progress on ``out`` (stdout) until it ends, woken by ``wakeups`` (default:
    polling every ``poll_interval`` s, also the fallback); ``on_view`` sees each view read. The
    run's final view."""
    from infra.cli.progress import console, progress_for

    display = progress_for(out or console(), run_id)

    def show(view: View) -> None:
        display.show(view)
        if on_view is not None:
            on_view(view)

    with display:
        return watch_run(
            patient(lambda: client.run(run_id), wait=poll_interval),
            polling(poll_interval) if wakeups is None else wakeups,
            show,
            timeout=timeout,
            fallback=lambda: polling(poll_interval),
        )
