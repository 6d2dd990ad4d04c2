"""``orchestrator runs list`` and ``show`` as tables: the API's answers (``GET /runs``, ``GET
/runs/{run_id}``, ``GET /runs/{run_id}/timeline``) drawn with ``rich``, plain text when the output
is not a terminal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from infra.cli.progress import STYLES, duration, emit, new_table, steps_table


def _table(plain: bool, *columns: str) -> Table:
    table = new_table(plain=plain)
    for name in columns:
        if name == "RUN ID":  # whole, however narrow the output: it is what the other commands take
            table.add_column(name, no_wrap=True, min_width=len("01m91d7mephec64x63d93jqt6x"))
        else:
            table.add_column(name, overflow="fold" if name in ("TOPIC", "DETAILS") else "ellipsis")
    return table


def _when(stamp: str | None) -> str:
    """An ISO 8601 time as ``2026-12-04 18:47:03`` (UTC, as the API gives it)."""
    return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M:%S") if stamp else ""


def runs_table(runs: list[dict[str, Any]], *, plain: bool) -> Table:
    """A row per run: id, status (with its place in the queue), template, created, finished, topic."""
    table = _table(plain, "RUN ID", "STATUS", "TEMPLATE", "CREATED", "FINISHED", "TOPIC")
    for run in runs:
        status = run["status"] + (f" (#{run['queue_position']})" if run.get("queue_position") else "")
        table.add_row(
            run["run_id"],
            Text(status, style=STYLES.get(run["status"], "")),
            run["template"],
            _when(run.get("created_at")),
            _when(run.get("finished_at")),
            run["topic"],
        )
    return table


def print_run(out: Console, view: dict[str, Any], timeline: dict[str, Any]) -> None:
    """The run's summary, its steps, then its timeline."""
    plain = not out.is_terminal
    for label, value in summary_fields(view):
        out.print(f"{label + ':':<15} {value}", markup=False, highlight=False, soft_wrap=True)
    out.print()
    emit(out, steps_table(view, plain=plain))
    out.print()
    history = {"unavailable": " (the execution's history is no longer kept)", "not_started": " (not started)"}
    more = ", the first 10,000 entries" if timeline.get("truncated") else ""
    title = f"timeline: {len(timeline['entries'])} entries{more}{history.get(timeline['history'], '')}"
    out.print(title, markup=False, soft_wrap=True)
    emit(out, timeline_table(timeline["entries"], plain=plain))


def summary_fields(view: dict[str, Any]) -> list[tuple[str, str]]:
    """What a person asks about a run first, as ``(label, value)``."""
    fields = [
        ("run", f"{view['run_id']} ({view['template']})"),
        ("status", view["status"]),
        ("topic", view["topic"]),
        ("created", _when(view.get("created_at"))),
        ("finished", _when(view.get("finished_at")) or "not yet"),
        (
            "duration",
            duration((view["duration_ms"] or 0) / 1000) if view.get("duration_ms") is not None else "",
        ),
        ("tokens", str(view.get("total_tokens", ""))),
        ("cost", f"${view.get('total_cost_usd', 0):.6f}"),
        ("AWS cost", f"${view.get('infrastructure_cost_usd') or 0:.6f} (model tokens apart)"),
        ("model calls", f"{view.get('model_calls')} ({view.get('cache_hits') or 0} cache hits)"),
    ]
    if view.get("queue_position"):
        fields.append(("queue position", str(view["queue_position"])))
    if view.get("awaiting"):
        fields.append(
            ("awaiting", f"{view['awaiting'].get('title')}: {view['awaiting'].get('question', '')}")
        )
    if view.get("error"):
        error = view["error"]
        fields.append(
            ("failed step", f"{view.get('failed_step')}: {error.get('name')}: {error.get('message')}")
        )
    if view.get("compensated_steps"):
        fields.append(("undone", ", ".join(view["compensated_steps"])))
    fields.append(("execution", view.get("execution_arn") or "none"))
    return fields


def timeline_table(entries: list[dict[str, Any]], *, plain: bool) -> Table:
    """A row per timeline entry: when (from the first entry), how long, source, kind, name, details."""
    table = _table(plain, "AT", "DURATION", "SOURCE", "KIND", "NAME", "DETAILS")
    table.columns[0].justify = table.columns[1].justify = "right"
    origin = datetime.fromisoformat(entries[0]["at"]) if entries else None
    for item in entries:
        offset = (datetime.fromisoformat(item["at"]) - origin).total_seconds() if origin else 0.0
        table.add_row(
            f"+{offset:.3f}s",
            "" if item.get("duration_ms") is None else f"{item['duration_ms']} ms",
            item["source"],
            item["kind"],
            item["name"],
            entry_details(item),
        )
    return table


def entry_details(item: dict[str, Any]) -> str:
    """What an entry says in one line: a step's outcome and what it cost, an error, a state's type."""
    details = item.get("details") or {}
    kind = item["kind"]
    if kind == "step":
        tokens = (details.get("tokens") or {}).get("total")
        parts = [
            details.get("status"),
            f"attempt {details['attempt']}" if details.get("attempt") else None,
            "/".join(str(p) for p in (details.get("provider"), details.get("model")) if p) or None,
            f"prompt {details['prompt_version']}" if details.get("prompt_version") else None,
            f"{tokens} tokens" if tokens else None,
            f"${details.get('cost_usd') or 0:.6f}",
            f"confidence {details['confidence']:.2f}" if details.get("confidence") else None,
            "cache hit" if details.get("cache_hit") else None,
        ]
        return "  ".join(str(p) for p in parts if p)
    if kind in ("retry", "task_failed"):
        return f"{details.get('error')}: {details.get('message')}"
    if kind in ("execution", "map_item"):
        return str(details.get("status", ""))
    if kind in ("state", "catch", "compensation"):
        return str(details.get("state_type", "")) + ("" if details.get("exited", True) else " (not exited)")
    shown = {k: " ".join(str(v).split()) for k, v in details.items() if v not in (None, "", {}, [])}
    return " ".join(f"{k}={v}" for k, v in shown.items())[:300]
