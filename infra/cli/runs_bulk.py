"""``orchestrator runs bulk-cancel|bulk-resume``: after an incident, cancel or resume every run of the
tenant that matches a filter (``POST /runs/bulk/cancel``, ``POST /runs/bulk/resume``), as an admin;
``--dry-run`` lists them first. Exit 0 when every run matched was acted on (or, dry, would be), 1
when one was refused or a plan limit stopped the request (the cursor to go on with is printed)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from infra.cli.console import UsageError, note, say
from infra.cli.target import add_target_arguments, resolve_target
from orchestrator.core.records import RunStatus

MAX_REQUESTS = 100
"""Requests ``--all`` sends at most (each acts on ``--limit`` runs)."""


def add_bulk_parsers(runs_commands: Any) -> None:
    for action, text in (
        ("cancel", "cancel every run matching the filter that is still going (admins)"),
        ("resume", "resume every run matching the filter that ended without succeeding (admins)"),
    ):
        sub = runs_commands.add_parser(f"bulk-{action}", help=text)
        sub.add_argument("--template", help="only runs of this template")
        sub.add_argument(
            "--status",
            action="append",
            choices=[status.value for status in RunStatus],
            help="only runs in this status (repeat for several; default: every status the action applies to)",
        )
        sub.add_argument("--started-after", help="only runs created at or after this ISO 8601 instant")
        sub.add_argument("--started-before", help="only runs created before this ISO 8601 instant")
        sub.add_argument("--dry-run", action="store_true", help="list the runs and what would be done")
        sub.add_argument("--limit", type=int, default=10, help="runs per request, 1 to 25 (default 10)")
        sub.add_argument("--cursor", help="go on after this run (the cursor a previous request printed)")
        sub.add_argument("--all", action="store_true", help="follow the cursor until no run is left")
        sub.add_argument("--json", action="store_true", help="the API's answers as JSON")
        if action == "resume":
            sub.add_argument("--from-step", help="the step to run anew (default: each run's failed step)")
            sub.add_argument(
                "--options", type=json.loads, help="replace each run's options, e.g. '{}' (default: its own)"
            )
        add_target_arguments(sub)
        sub.set_defaults(func=cmd_bulk, bulk_action=action, local_role="admin")


def bulk_body(args: argparse.Namespace) -> dict[str, Any]:
    """The request body the command's arguments make."""
    if not 1 <= args.limit <= 25:
        raise UsageError(f"--limit must be between 1 and 25, not {args.limit}")
    names = {"template": "template", "status": "status"}
    names |= {"started_after": "started_after", "started_before": "started_before"}
    run_filter = {field: getattr(args, arg) for arg, field in names.items() if getattr(args, arg)}
    body: dict[str, Any] = {"filter": run_filter, "dry_run": args.dry_run, "limit": args.limit}
    if args.cursor:
        body["cursor"] = args.cursor
    if args.bulk_action == "resume":
        if args.from_step:
            body["from_step"] = args.from_step
        if args.options is not None:
            body["options"] = args.options
    return body


def cmd_bulk(args: argparse.Namespace) -> int:
    """Send the bulk request (and, with ``--all``, the next ones); print each run's outcome."""
    body = bulk_body(args)
    client = resolve_target(args).client
    answers: list[dict[str, Any]] = []
    for _ in range(MAX_REQUESTS):
        answer = client.bulk(args.bulk_action, body)
        answers.append(answer)
        if not args.json:
            _print(answer)
        if not (args.all and answer.get("next_cursor")) or answer.get("stopped"):
            break
        body = body | {"cursor": answer["next_cursor"]}
    if args.json:
        say(json.dumps(answers if args.all else answers[-1], indent=2))
    last = answers[-1]
    refused = any(run["outcome"] == "refused" for answer in answers for run in answer["runs"])
    return 1 if refused or last.get("stopped") else 0


def _print(answer: dict[str, Any]) -> None:
    dry = " (dry run)" if answer["dry_run"] else ""
    say(f"bulk {answer['action']}{dry} {answer['bulk_id']}: {answer['matched']} run(s) matched")
    for run in answer["runs"]:
        detail = run.get("new_run_id") or run.get("message") or ""
        if run.get("reused_steps") is not None:
            detail += f" from {run.get('from_step')}, reusing {', '.join(run['reused_steps']) or 'nothing'}"
        columns = f"{run['run_id']}  {run['template']:<20} {run['status']:<20} {run['outcome']:<16}"
        say(f"  {columns} {detail}".rstrip())
    if answer.get("stopped"):
        stopped = answer["stopped"]
        note(f"stopped: {stopped['message']} (retry after {stopped.get('retry_after_seconds') or '?'} s)")
    if answer.get("next_cursor"):
        note(f"more runs may match: --cursor {answer['next_cursor']}")
