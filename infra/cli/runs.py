"""``orchestrator runs approve|reject|cancel``: decide at a run's gate, or cancel it, through the API."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from infra.cli.api_client import ApiClient
from infra.cli.console import say, state_dir


def add_parser(commands: Any) -> None:
    runs = commands.add_parser("runs", help="decide at an approval gate, or cancel a run")
    runs_commands = runs.add_subparsers(dest="runs_command", required=True)
    for name, text in (
        ("approve", "approve the gate the run waits at"),
        ("reject", "reject at the gate: everything the run did is undone, it ends REJECTED"),
        ("cancel", "stop the run: everything it did is undone, it ends CANCELLED"),
    ):
        sub = runs_commands.add_parser(name, help=text)
        sub.add_argument("run_id")
        sub.add_argument("--api-url", default="http://127.0.0.1:8080")
        sub.add_argument("--token", help="bearer token (default: $TOKEN, else one signed by the local key)")
        sub.add_argument("--tenant", default="demo-tenant", help="tenant of the locally signed token")
        sub.add_argument("--subject", default="local-user", help="caller named in the audit trail")
        if name != "cancel":
            sub.add_argument("--comment", default="")
        sub.set_defaults(func=cmd_runs)


def cmd_runs(args: argparse.Namespace) -> int:
    """Approve, reject or cancel a run through the API of a running local cloud (or any API URL)."""
    client = ApiClient(args.api_url, args.token or os.environ.get("TOKEN") or _local_token(args))
    if args.runs_command == "cancel":
        say(json.dumps(client.cancel(args.run_id)))
        return 0
    say(json.dumps(client.decide(args.run_id, args.runs_command, args.comment)))
    return 0


def _local_token(args: argparse.Namespace) -> str:
    from infra.local.tokens import LocalSigningKey

    key = LocalSigningKey.load_or_create(state_dir(args))
    return key.mint(tenant_id=args.tenant, role="user", subject=args.subject)
