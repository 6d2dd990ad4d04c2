"""``orchestrator runs list|show|watch|approve|reject|cancel|resume|bulk-cancel|bulk-resume``: the
tenant's runs through the API (``replay|diff|lineage``: :mod:`infra.cli.run_history`).

Each command talks to the local cloud that is up, a deployed stack (``--stack``) or any API
(``--api-url``); see :mod:`infra.cli.target`. ``watch`` exits 0 when the run SUCCEEDED, 1 when it
ended otherwise, 2 for what cannot be watched (an unknown run, a stack that cannot be read), 3 when
``--timeout`` passed first, 130 when Ctrl-C stopped the watching (not the run); an API that does not
answer is 1 (once the run was read, a few lost answers in a row are ridden out)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from infra.cli.console import UsageError, note, say
from infra.cli.narration import summarize, wait_for_events
from infra.cli.run_history import add_parsers as add_history_parsers
from infra.cli.runs_bulk import add_bulk_parsers
from infra.cli.target import Target, add_target_arguments, resolve_target
from orchestrator.core.records import RunStatus

WATCH_TIMED_OUT = 3
WATCH_INTERRUPTED = 130
"""Ctrl-C, as a shell reports a command it interrupted."""


def add_parser(commands: Any) -> None:
    runs = commands.add_parser("runs", help="list, show and watch runs; decide at a gate; cancel")
    runs_commands = runs.add_subparsers(dest="runs_command", required=True)
    listing = runs_commands.add_parser("list", help="the tenant's runs, newest first")
    listing.add_argument(
        "--status", choices=[status.value for status in RunStatus], help="only runs in this status"
    )
    listing.add_argument(
        "--template",
        help="only runs of this template (filtered by the command in the pages it reads: with --all, "
        "every run; else the page's)",
    )
    listing.add_argument("--limit", type=int, default=20, help="runs per page, 1 to 100 (default 20)")
    listing.add_argument("--cursor", help="the page after the one that named this cursor")
    listing.add_argument("--all", action="store_true", help="every page, not only the first")
    listing.add_argument("--json", action="store_true", help="the API's answer as JSON")
    listing.set_defaults(func=cmd_list)
    show = runs_commands.add_parser("show", help="a run's summary, its steps and its timeline")
    show.add_argument("run_id")
    show.add_argument("--json", action="store_true", help='{"run": <run view>, "timeline": <timeline>}')
    show.set_defaults(func=cmd_show)
    watch = runs_commands.add_parser(
        "watch",
        help="live progress of a run until it ends, then its summary; exit 0 if it SUCCEEDED",
        description="Live progress of a run (a row per step: status, attempt, elapsed time, tokens, "
        "cost; a progress bar) until it ends, then its summary. Plain lines, one per change, when "
        "the output is not a terminal.",
        epilog="exit codes: 0 the run SUCCEEDED; 1 it ended otherwise, or the API did not answer; "
        "2 it cannot be watched (unknown run, unreadable stack); 3 --timeout passed; 130 Ctrl-C "
        "(the run goes on)",
    )
    watch.add_argument("run_id")
    watch.add_argument("--timeout", type=float, help="give up after this many seconds (default: never)")
    watch.add_argument("--interval", type=float, default=1.0, help="seconds between reads (default 1)")
    watch.add_argument(
        "--poll",
        action="store_true",
        help="read the run every --interval seconds instead of being woken by its events (WebSocket)",
    )
    watch.set_defaults(func=cmd_watch)
    for name, text in (
        ("approve", "approve the gate the run waits at"),
        ("reject", "reject at the gate: everything the run did is undone, it ends REJECTED"),
        ("cancel", "stop the run: everything it did is undone, it ends CANCELLED"),
    ):
        decide = runs_commands.add_parser(name, help=text)
        decide.add_argument("run_id")
        if name != "cancel":
            decide.add_argument("--comment", default="")
        decide.set_defaults(func=cmd_decide)
    for sub in (listing, show, watch, *(runs_commands.choices[n] for n in ("approve", "reject", "cancel"))):
        add_target_arguments(sub)
    add_resume_parser(runs_commands)
    add_history_parsers(runs_commands)
    add_bulk_parsers(runs_commands)


def cmd_list(args: argparse.Namespace) -> int:
    """The tenant's runs, newest first: one page (``--cursor`` for the next), or ``--all``."""
    from infra.cli.progress import console, emit
    from infra.cli.run_tables import runs_table

    if not 1 <= args.limit <= 100:
        raise UsageError(f"--limit must be between 1 and 100, not {args.limit}")
    client = resolve_target(args).client
    page = client.runs(limit=args.limit, cursor=args.cursor, status=args.status)
    runs = list(page["runs"])
    while args.all and page.get("next_cursor"):
        page = client.runs(limit=args.limit, cursor=page["next_cursor"], status=args.status)
        runs.extend(page["runs"])
    if args.template:  # the API filters by status only: the command filters what it read
        runs = [run for run in runs if run["template"] == args.template]
    if args.json:
        say(json.dumps({"runs": runs, "next_cursor": page.get("next_cursor")}, indent=2))
        return 0
    out = console()
    emit(out, runs_table(runs, plain=not out.is_terminal))
    if not runs:
        status = f" in status {args.status}" if args.status else ""
        template = f" of template {args.template}" if args.template else ""
        note(f"no runs{status}{template}" + (" on this page" if page.get("next_cursor") else ""))
    if page.get("next_cursor"):
        note(f"more runs: --cursor {page['next_cursor']} (or --all)")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """The run's summary, its steps, and its timeline (``GET /runs/{run_id}/timeline``)."""
    from infra.cli.progress import console
    from infra.cli.run_tables import print_run

    client = resolve_target(args).client
    view = client.run(args.run_id)
    timeline = client.timeline(args.run_id)
    if args.json:
        say(json.dumps({"run": view, "timeline": timeline}, indent=2))
    else:
        print_run(console(), view, timeline)
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    """Live progress until the run ends, then its summary (see the module's exit codes)."""
    from infra.cli.run_events import subscribe
    from infra.cli.watch import WatchTimeout, follow, pushed

    if args.interval <= 0 or (args.timeout is not None and args.timeout <= 0):
        raise UsageError("--interval and --timeout must be positive numbers of seconds")
    target = resolve_target(args)
    try:
        wakeups = None  # polling
        if target.websocket_url and not args.poll:
            url, token = target.websocket_url, target.client.token
            wakeups = pushed(lambda: subscribe(url, token, args.run_id), args.run_id)
        view = follow(
            target.client, args.run_id, timeout=args.timeout, wakeups=wakeups, poll_interval=args.interval
        )
    except WatchTimeout as exc:
        note(f"error: {exc}")
        return WATCH_TIMED_OUT
    except KeyboardInterrupt:  # Ctrl-C stops the watching, not the run
        note(f"stopped watching run {args.run_id}; it goes on (`orchestrator runs cancel` stops it)")
        return WATCH_INTERRUPTED
    return _summarized(target, view)


def _summarized(target: Target, view: dict[str, Any]) -> int:
    summarize(view, wait_for_events(target.client, view["run_id"], view), aws_endpoint=target.aws_endpoint)
    return 0 if view["status"] == "SUCCEEDED" else 1


def cmd_decide(args: argparse.Namespace) -> int:
    """Approve, reject or cancel a run."""
    client = resolve_target(args).client
    if args.runs_command == "cancel":
        result = client.cancel(args.run_id)
    else:
        result = client.decide(args.run_id, args.runs_command, args.comment)
    say(json.dumps(result))
    return 0


def add_resume_parser(runs_commands: Any) -> None:
    """``orchestrator runs resume RUN_ID [--from-step S] [--options JSON]``."""
    sub = runs_commands.add_parser(
        "resume", help="a new run that reuses the results before --from-step and runs the rest"
    )
    sub.add_argument(
        "run_id", help="a run that ended COMPENSATED, REJECTED, CANCELLED or COMPENSATION_FAILED"
    )
    sub.add_argument("--from-step", help="the step to run anew (default: the one that failed)")
    sub.add_argument(
        "--options", type=json.loads, help="replace the run's options, e.g. '{}' (default: the run's own)"
    )
    add_target_arguments(sub)
    sub.set_defaults(func=cmd_resume)


def cmd_resume(args: argparse.Namespace) -> int:
    """Resume a run through the API; prints the new run (its id, the steps it reuses, its estimate)."""
    body: dict[str, Any] = {}
    if args.from_step:
        body["from_step"] = args.from_step
    if args.options is not None:
        body["options"] = args.options
    say(json.dumps(resolve_target(args).client.resume(args.run_id, body)))
    return 0
