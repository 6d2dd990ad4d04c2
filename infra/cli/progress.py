"""A run's progress as a person reads it: a row per step (status, attempt, elapsed time, tokens,
cost), a progress bar, drawn with ``rich``; live on a terminal, one line per change elsewhere.

Everything here is computed from the API's run view (``GET /runs/{run_id}``) alone."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from infra.cli.narration import flatten_steps, tell_changed_steps

UNDER_WAY = frozenset({"NOT_STARTED", "RUNNING", "RETRYING", "WAITING"})
"""Step statuses of a step that has not ended (every other status counts as done)."""
STYLES = {
    "SUCCEEDED": "green",
    "APPROVED": "green",
    "RUNNING": "bold cyan",
    "RETRYING": "bold yellow",
    "WAITING": "bold magenta",
    "FAILED": "bold red",
    "REJECTED": "red",
    "COMPENSATED": "yellow",
    "NOT_STARTED": "dim",
}
PLAIN_WIDTH = 200
"""Columns of output that is not a terminal (a pipe, a file, CI) when ``$COLUMNS`` does not say."""


def console(file: IO[str] | None = None) -> Console:
    """A console on ``file`` (stdout): colours and live redraws on a terminal only; elsewhere plain
    text, no ANSI sequences, lines up to ``$COLUMNS`` (default 200) wide."""
    stream = file or sys.stdout
    terminal = stream.isatty()
    width = None if terminal else int(os.environ.get("COLUMNS") or PLAIN_WIDTH)
    return Console(file=stream, width=width, highlight=False, force_terminal=terminal, no_color=not terminal)


@dataclass(frozen=True)
class StepRow:
    label: str
    status: str
    attempt: int | None
    elapsed_s: float | None
    tokens: int | None
    cost_usd: float | None
    note: str


def step_rows(view: dict[str, Any], now: datetime | None = None) -> list[StepRow]:
    """A row per agent step, map item and gate of the run view, in graph order; ``now`` gives the
    elapsed time of what still runs."""
    now = now or datetime.now(UTC)
    return [_row(step, now) for step in flatten_steps(view["steps"])]


def _row(step: dict[str, Any], now: datetime) -> StepRow:
    status = step["status"]
    usage = step.get("token_usage") or {}
    tokens = sum(
        usage.get(k, 0)
        for k in ("input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens")
    )
    agent = step.get("kind") != "approval" and status != "NOT_STARTED"
    return StepRow(
        label=step.get("label") or step["step"],
        status=status,
        attempt=step.get("attempt"),
        elapsed_s=_elapsed(step, now),
        tokens=tokens if agent else None,
        cost_usd=step.get("cost_usd") if agent else None,
        note=_note(step),
    )


def _elapsed(step: dict[str, Any], now: datetime) -> float | None:
    """The latest attempt's time (a gate's: its wait): until ``now`` while the step is under way,
    else until it completed."""
    if not step.get("started_at"):
        return None
    started = datetime.fromisoformat(step["started_at"])
    if step["status"] in UNDER_WAY:
        ended = now
    elif step.get("completed_at"):
        ended = datetime.fromisoformat(step["completed_at"])
    else:
        return (step.get("processing_time_ms") or 0) / 1000
    return max(0.0, (ended - started).total_seconds())


def _note(step: dict[str, Any]) -> str:
    status = step["status"]
    if step.get("kind") == "approval":
        decision = step.get("decision") or {}
        if status == "WAITING":
            return f"waiting for {'/'.join(step.get('roles', []))}"
        return f"{decision.get('decision')} by {decision.get('decided_by')}" if decision else ""
    if status == "RETRYING" and step.get("last_error"):
        error = step["last_error"]
        return f"attempt {step.get('attempt')} failed: {error.get('name')}: {error.get('message')}"
    if status in ("FAILED", "REJECTED") and step.get("errors"):
        return str(step["errors"][-1])
    return ""


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def new_table(*, plain: bool) -> Table:
    """A table with a ruled header on a terminal; columns separated by spaces only elsewhere."""
    return Table(box=None if plain else box.SIMPLE_HEAD, pad_edge=False, show_edge=False)


def steps_table(view: dict[str, Any], now: datetime | None = None, *, plain: bool = False) -> Table:
    """The run's steps as a table: step, status, attempt, elapsed, tokens, cost, note."""
    table = new_table(plain=plain)
    for name in ("STEP", "STATUS", "ATTEMPT", "ELAPSED", "TOKENS", "COST"):
        table.add_column(name, justify="left" if name in ("STEP", "STATUS") else "right", no_wrap=True)
    table.add_column("NOTE", overflow="fold")
    for row in step_rows(view, now):
        table.add_row(
            row.label,
            Text(row.status, style=STYLES.get(row.status, "")),
            str(row.attempt or ""),
            duration(row.elapsed_s),
            "" if row.tokens is None else str(row.tokens),
            "" if row.cost_usd is None else f"${row.cost_usd:.6f}",
            row.note,
        )
    return table


def progress_line(view: dict[str, Any], now: datetime | None = None) -> Table:
    """``[bar] 3/7 steps done  run RUNNING  1m05s`` (the run's time so far, at ``now``)."""
    rows = step_rows(view, now)
    done = sum(row.status not in UNDER_WAY for row in rows)
    line = Table.grid(padding=(0, 2))
    line.add_row(
        ProgressBar(total=max(len(rows), 1), completed=done, width=40),
        f"{done}/{len(rows)} steps done",
        Text(f"run {view['status']}{_queue_place(view)}", style=STYLES.get(view["status"], "bold")),
        duration(_run_elapsed(view, now or datetime.now(UTC))),
    )
    return line


def _queue_place(view: dict[str, Any]) -> str:
    """Where a queued run waits for one of its tenant's slots (1: next to start)."""
    return f" (#{view['queue_position']} in the queue)" if view.get("queue_position") else ""


def _run_elapsed(view: dict[str, Any], now: datetime) -> float | None:
    if not view.get("started_at"):
        return None
    ended = datetime.fromisoformat(view["finished_at"]) if view.get("finished_at") else now
    return max(0.0, (ended - datetime.fromisoformat(view["started_at"])).total_seconds())


class _Frame:
    """What the live display draws: the latest view, its elapsed times counted at each redraw."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.view: dict[str, Any] | None = None

    def __rich__(self) -> RenderableType:
        if self.view is None:
            return Text(f"run {self.run_id}: waiting for its first answer...")
        title = Text(f"run {self.run_id} ({self.view['template']}): {self.view['topic']}", style="bold")
        return Group(title, steps_table(self.view), progress_line(self.view))


class LiveProgress:
    """The run redrawn in place, a few times a second (a terminal)."""

    def __init__(self, out: Console, run_id: str) -> None:
        self.frame = _Frame(run_id)
        self.live = Live(self.frame, console=out, refresh_per_second=4, transient=False)

    def __enter__(self) -> LiveProgress:
        self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.stop()

    def show(self, view: dict[str, Any]) -> None:
        self.frame.view = view
        self.live.refresh()


class PlainProgress:
    """A line per change: the run's status when it changes, a step when its status or attempt does
    (the output of a pipe or a CI log, readable afterwards)."""

    def __init__(self, out: Console, run_id: str) -> None:
        self.out = out
        self.run_id = run_id
        self.status = ""
        self.seen: dict[str, tuple[str, int | None]] = {}

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def show(self, view: dict[str, Any]) -> None:
        for line in tell_changed_steps(view, self.seen):
            self.out.print(line, markup=False, highlight=False, soft_wrap=True)
        if view["status"] != self.status:
            self.status = view["status"]
            self.out.print(
                f"run {self.run_id}: {self.status}{_queue_place(view)}", markup=False, soft_wrap=True
            )


def emit(out: Console, renderable: RenderableType) -> None:
    """Print ``renderable``; off a terminal, without the spaces that pad a table's lines."""
    if out.is_terminal:
        out.print(renderable)
        return
    with out.capture() as captured:
        out.print(renderable)
    out.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
    out.file.flush()


def progress_for(out: Console, run_id: str) -> LiveProgress | PlainProgress:
    """Live on a terminal that can move its cursor, a line per change elsewhere (``TERM=dumb``)."""
    live = out.is_terminal and not out.is_dumb_terminal
    return LiveProgress(out, run_id) if live else PlainProgress(out, run_id)
