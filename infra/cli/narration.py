"""The narration of a run: a line per step as it changes, then the run's summary."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from infra.cli.api_client import ApiClient
from infra.cli.console import say

FINAL_STATUSES = {
    "SUCCEEDED",
    "COMPENSATED",
    "COMPENSATION_FAILED",
    "FAILED_TO_START",
    "REJECTED",
    "CANCELLED",
}
MARKS = {
    "SUCCEEDED": "ok",
    "FAILED": "!!",
    "COMPENSATED": "<<",
    "NOT_STARTED": "..",
    "RUNNING": ">>",
    "RETRYING": "~~",
    "WAITING": "??",
    "APPROVED": "ok",
    "REJECTED": "xx",
}
FINAL_EVENTS = {
    "SUCCEEDED": "ORCHESTRATION_COMPLETED",
    "COMPENSATED": "ORCHESTRATION_COMPENSATED",
    "COMPENSATION_FAILED": "COMPENSATION_FAILED",
    "REJECTED": "ORCHESTRATION_REJECTED",
    "CANCELLED": "ORCHESTRATION_CANCELLED",
}
"""The event a run's audit trail ends with, by the status the run ended in."""


def flatten_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every agent step, map item and gate of a run view, in graph order."""
    flat: list[dict[str, Any]] = []
    for step in steps:
        if step["kind"] == "parallel":
            for branch in step["branches"].values():
                flat.extend(flatten_steps(branch))
        elif step["kind"] == "map":
            for item in step["items"]:
                flat.extend(
                    inner | {"label": f"{inner['step']}#{item['item']:04d}"} for inner in item["steps"]
                )
        else:
            flat.append(step)
    return flat


def step_line(step: dict[str, Any]) -> str:
    status = step["status"]
    meta = step.get("metadata") or {}
    label = step.get("label") or step["step"]
    parts = [f"  [{MARKS.get(status, '??')}] {label:<18} {status:<12}"]
    if step.get("kind") == "approval":
        if status == "WAITING":
            parts.append(f"waiting for {'/'.join(step.get('roles', []))}")
        elif step.get("decision"):
            parts.append(f"{step['decision'].get('decision')} by {step['decision'].get('decided_by')}")
        return "  ".join(parts)
    if meta.get("attempts"):
        parts.append(f"attempt {meta['attempts']}")
    if meta.get("provider"):
        parts.append(meta["provider"])
    if step.get("processing_time_ms") is not None and status == "SUCCEEDED":
        parts.append(f"{step['processing_time_ms']} ms")
    line = "  ".join(parts)
    if step.get("summary") and status == "SUCCEEDED":
        line += f"\n         {step['summary']}"
    if step.get("errors") and status in ("FAILED", "REJECTED"):
        line += f"\n         {step['errors'][-1]}"
    if step.get("last_error") and status == "RETRYING":
        line += f"\n         failed, retrying: {step['last_error']['name']}: {step['last_error']['message']}"
    return line


def tell_changed_steps(view: dict[str, Any], seen: dict[str, tuple[str, int | None]]) -> list[str]:
    """A line for each step whose status (or attempt) changed since ``seen``, in graph order; the
    steps undone last, in the order the undo ran (the run's ``compensated_steps``), as the summary
    lists them. ``seen`` is updated."""
    undo_order = {key: index for index, key in enumerate(view.get("compensated_steps") or [])}
    changed = []
    for step in flatten_steps(view["steps"]):
        label = step.get("label") or step["step"]
        key = (step["status"], (step.get("metadata") or {}).get("attempts"))
        if step["status"] != "NOT_STARTED" and seen.get(label) != key:
            seen[label] = key
            changed.append((label, step))
    changed.sort(
        key=lambda pair: (
            pair[1]["status"] == "COMPENSATED",
            undo_order.get(pair[0], len(undo_order)) if pair[1]["status"] == "COMPENSATED" else 0,
        )
    )
    return [step_line(step) for _, step in changed]


def decider(client: ApiClient, run_id: str, decision: str) -> Callable[[dict[str, Any]], None]:
    """What to do with each view of a run: send ``decision`` ("approve" or "reject") at each gate
    the run waits at, once per gate."""
    decided: set[str] = set()

    def decide(view: dict[str, Any]) -> None:
        if view["status"] != "AWAITING_APPROVAL" or not view.get("awaiting"):
            return
        gate = view["awaiting"]["step"]
        if gate not in decided:
            decided.add(gate)
            say(f"  {decision} at '{view['awaiting']['title']}': {view['awaiting'].get('question', '')}")
            client.decide(run_id, decision, f"{decision} from the demo")

    return decide


def wait_for_events(client: ApiClient, run_id: str, view: dict[str, Any]) -> list[dict[str, Any]]:
    """The audit trail is written asynchronously (EventBridge rule, no ordering): wait for the
    run's last event, then until no more arrive."""
    final_event = FINAL_EVENTS.get(view["status"])
    events: list[dict[str, Any]] = []
    previous = -1
    for _ in range(40):
        events = client.events(run_id)
        complete = final_event is None or any(e["event_type"] == final_event for e in events)
        if complete and len(events) == previous:
            break
        previous = len(events)
        time.sleep(0.25)
    return events


def _say_where_the_execution_is(view: dict[str, Any], aws_endpoint: str | None) -> None:
    """A deployed run's AWS console link; for the local cloud, the command that shows its history."""
    arn = view.get("execution_arn")
    if aws_endpoint is None:
        say(f"  console:        {view.get('execution_console_url')}")
    elif arn:
        region = arn.split(":")[3]
        say(
            "  history:        AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local "
            f"aws --region {region} --endpoint-url {aws_endpoint} stepfunctions get-execution-history "
            f"--execution-arn {arn}"
        )


def summarize(view: dict[str, Any], events: list[dict[str, Any]], *, aws_endpoint: str | None = None) -> None:
    """The run's summary; ``aws_endpoint``: the local cloud's emulated AWS, where its execution is."""
    say()
    say(f"Run {view['run_id']} ({view['template']}) ended {view['status']} in {view.get('duration_ms')} ms")
    say(f"  topic:          {view['topic']}")
    say(f"  correlation id: {view['correlation_id']}")
    say(f"  execution:      {view.get('execution_arn')}")
    _say_where_the_execution_is(view, aws_endpoint)
    # a gate is decided by a person, not a provider
    steps = [step for step in flatten_steps(view["steps"]) if step.get("kind") != "approval"]
    # "default": a step not answered yet names the deployment's provider, not the one that answers
    providers = {(s.get("metadata") or {}).get("provider") for s in steps} - {None, "default"}
    offline = providers == {"offline"}  # canned answers: no provider was asked anything
    say(
        f"  tokens: {view.get('total_tokens')}, estimated cost: ${view.get('total_cost_usd')}, "
        f"{'offline answers' if offline else 'model calls'}: {view.get('model_calls')}"
    )
    if view.get("infrastructure_cost_usd") is not None:
        services = (view.get("infrastructure_cost") or {}).get("by_service_usd") or {}
        top = ", ".join(
            f"{name} ${usd:.6f}" for name, usd in sorted(services.items(), key=lambda kv: -kv[1])[:3]
        )
        say(f"  AWS cost: ${view['infrastructure_cost_usd']:.6f} (model tokens apart; {top})")
    if offline:
        say("  provider: offline (offline answers were used, no provider was called)")
    elif providers:
        say(f"  provider: {', '.join(sorted(str(p) for p in providers))}")
    if view.get("error"):
        say(f"  failed step: {view.get('failed_step')}: {view['error']['name']}: {view['error']['message']}")
    if view.get("compensated_steps") is not None and view["status"] != "SUCCEEDED":
        say(f"  undone (in order): {', '.join(view['compensated_steps']) or 'nothing to undo'}")
    say(f"  events ({len(events)}): " + ", ".join(e["event_type"] for e in events))
