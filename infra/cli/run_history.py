"""``orchestrator runs replay|diff|lineage``: a finished run replayed with its answers frozen, two runs
compared step by step, and where each result of a run came from; through the API, with the same
targets as every ``orchestrator runs`` command (:mod:`infra.cli.target`)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from infra.cli.console import UsageError, say
from infra.cli.target import add_target_arguments, resolve_target


def add_parsers(runs_commands: Any) -> None:
    replay = runs_commands.add_parser(
        "replay",
        help="a new run of a finished run in which only the steps whose prompt changed call the model",
        description="Replay a finished run (SUCCEEDED too): every step whose rendered request is "
        "unchanged reuses the recorded answer; the steps reached by a new prompt version or other "
        "inputs call the model. Prints the API's answer (the new run, the steps it reuses, the ones "
        "that will or may call the model, the estimate).",
    )
    replay.add_argument("run_id", help="a run that has ended")
    replay.add_argument(
        "--prompt-version",
        action="append",
        default=[],
        metavar="AGENT=N",
        help="render AGENT's prompt version N (repeat for several agents)",
    )
    replay.add_argument("--inputs", type=_json_object, help="a patch of the run's inputs, as JSON")
    replay.add_argument("--options", type=_json_object, help="replace the run's options, e.g. '{}'")
    replay.set_defaults(func=cmd_replay)
    diff = runs_commands.add_parser(
        "diff", help="what changed from run A to run B, step by step (e.g. a replay and its original)"
    )
    diff.add_argument("a")
    diff.add_argument("b")
    diff.add_argument("--json", action="store_true", help="the API's answer (GET /runs/{a}/diff/{b})")
    diff.set_defaults(func=cmd_diff)
    lineage = runs_commands.add_parser(
        "lineage", help="where each result of a run came from, and the runs it was resumed or replayed from"
    )
    lineage.add_argument("run_id")
    lineage.add_argument("--json", action="store_true", help="the API's answer (GET /runs/{run_id}/lineage)")
    lineage.set_defaults(func=cmd_lineage)
    for sub in (replay, diff, lineage):
        add_target_arguments(sub)


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"a JSON object is needed, not {type(value).__name__}")
    return value


def prompt_versions(pairs: list[str]) -> dict[str, int]:
    """``["designer=3", ...]`` as ``{"designer": 3}``; a malformed pair is a ``UsageError`` naming it."""
    versions: dict[str, int] = {}
    for pair in pairs:
        agent, _, number = pair.partition("=")
        if not agent or not number.isdigit() or int(number) < 1:
            raise UsageError(f"--prompt-version {pair!r}: write AGENT=N with N a version number (1 or more)")
        versions[agent] = int(number)
    return versions


def cmd_replay(args: argparse.Namespace) -> int:
    """Replay a run through the API; prints the new run and its forecast."""
    body: dict[str, Any] = {}
    if args.prompt_version:
        body["prompt_versions"] = prompt_versions(args.prompt_version)
    if args.inputs is not None:
        body["inputs"] = args.inputs
    if args.options is not None:
        body["options"] = args.options
    say(json.dumps(resolve_target(args).client.replay(args.run_id, body)))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """Two runs compared: a row per step (what changed, prompt versions, tokens, cost), or ``--json``."""
    return _show(args, f"/runs/{args.a}/diff/{args.b}", _draw_diff)


def cmd_lineage(args: argparse.Namespace) -> int:
    """Where each result came from: a row per result, the chain of runs first; or ``--json``."""
    return _show(args, f"/runs/{args.run_id}/lineage", _draw_lineage)


def _show(args: argparse.Namespace, path: str, draw: Callable[[Console, dict[str, Any]], None]) -> int:
    """``GET path``: the answer as JSON (``--json``), else drawn for a person."""
    from infra.cli.progress import console

    answer = resolve_target(args).client.get(path)
    if args.json:
        say(json.dumps(answer, indent=2))
    else:
        draw(console(), answer)
    return 0


def _draw_diff(out: Console, compared: dict[str, Any]) -> None:
    from infra.cli.progress import emit

    for side in ("a", "b"):
        run = compared[side]
        origin = f", replays {run['replayed_from']}" if run.get("replayed_from") else ""
        say(
            f"{side}: {run['run_id']} {run['template']} {run['status']}{origin}: "
            f"{run['tokens']} tokens, ${run['cost_usd']:.6f}, model calls: {run['model_calls']}"
        )
    emit(out, diff_table(compared["steps"], plain=not out.is_terminal))
    say(f"{len(compared['changed_steps'])} changed, {len(compared['unchanged_steps'])} unchanged")


def _draw_lineage(out: Console, lineage: dict[str, Any]) -> None:
    from infra.cli.progress import emit

    say(f"run: {lineage['run_id']} ({lineage['template']}) {lineage['status']}")
    for ancestor in lineage["chain"]:
        start = f" from {ancestor['from_step']}" if ancestor.get("from_step") else ""
        say(f"  came from: {ancestor['run_id']} {ancestor['status']}{start}")
    emit(out, lineage_table(lineage["steps"], plain=not out.is_terminal))


def _pair(pair: dict[str, Any], fmt: str = "{}") -> str:
    a, b = pair.get("a"), pair.get("b")
    shown = ["-" if value is None else fmt.format(value) for value in (a, b)]
    return shown[0] if a == b else f"{shown[0]} -> {shown[1]}"


def _table(plain: bool, *columns: str) -> Table:
    """Columns kept whole, the last one folded when it is long."""
    from infra.cli.progress import new_table

    table = new_table(plain=plain)
    for name in columns[:-1]:
        table.add_column(name, no_wrap=True)
    table.add_column(columns[-1], overflow="fold")
    return table


def diff_table(steps: list[dict[str, Any]], *, plain: bool) -> Table:
    """A row per step: key, what changed (or unchanged), prompt version, status, tokens, cost, fields."""
    table = _table(plain, "STEP", "CHANGE", "PROMPT", "STATUS", "TOKENS", "COST", "OUTPUT FIELDS")
    for step in steps:
        changes = ",".join(step["changes"]) if step["changed"] else "unchanged"
        if step.get("reused_from_a"):
            changes += " (reused)"
        table.add_row(
            step["key"],
            Text(changes, style="yellow" if step["changed"] else "green"),
            _pair(step["prompt_version"]),
            _pair(step["status"]),
            _pair(step["tokens"]),
            _pair(step["cost_usd"], "${:.6f}"),
            ", ".join(step.get("output_fields") or []),
        )
    return table


def lineage_table(steps: list[dict[str, Any]], *, plain: bool) -> Table:
    """A row per result: key, source, prompt version, provider/model, tokens, cost, origin."""
    table = _table(plain, "STEP", "SOURCE", "PROMPT", "MODEL", "TOKENS", "COST", "ORIGIN")
    for step in steps:
        origin = step.get("origin")
        tokens = step.get("tokens") or {}
        model = "/".join(part for part in (step.get("provider"), step.get("model")) if part)
        table.add_row(
            step["key"],
            step["source"],
            step.get("prompt_version") or "",
            model,
            str(sum(int(value) for value in tokens.values())),
            f"${step.get('cost_usd') or 0:.6f}",
            f"{origin['run_id']} {origin['key']} ({origin['source']})" if origin else "",
        )
    return table
