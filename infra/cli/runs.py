"""``orchestrator runs approve|reject|cancel|resume``: decide at a run's gate, cancel it, or resume
it, through the API.

Without ``--api-url`` the command talks to the local cloud that is up (its ``local-cloud.json``);
without ``--token`` (or ``$TOKEN``) it signs one with the local key, for ``--tenant`` or, when the
local cloud has exactly one active tenant, that one."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import requests

from infra.cli.api_client import ApiClient
from infra.cli.console import UsageError, say, state_dir
from infra.cli.tokens import checked_tenant


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
        sub.add_argument("--api-url", help="the API's URL (default: the local cloud that is up)")
        sub.add_argument("--token", help="bearer token (default: $TOKEN, else one signed by the local key)")
        sub.add_argument(
            "--tenant",
            help="tenant of the locally signed token (default: the local cloud's tenant, if it has one)",
        )
        sub.add_argument("--subject", default="local-user", help="caller named in the audit trail")
        if name != "cancel":
            sub.add_argument("--comment", default="")
        sub.set_defaults(func=cmd_runs)
    add_resume_parser(runs_commands)


def cmd_runs(args: argparse.Namespace) -> int:
    """Approve, reject or cancel a run through the API of a running local cloud (or any API URL)."""
    api_url = (args.api_url or _local_description(state_dir(args))["api_url"]).rstrip("/")
    client = ApiClient(api_url, args.token or os.environ.get("TOKEN") or _local_token(args))
    try:
        if args.runs_command == "cancel":
            result = client.cancel(args.run_id)
        else:
            result = client.decide(args.run_id, args.runs_command, args.comment)
    except requests.ConnectionError:
        raise RuntimeError(f"the API at {api_url} did not answer: is the local cloud up?") from None
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
    sub.add_argument("--api-url", help="the API's URL (default: the local cloud that is up)")
    sub.add_argument("--token", help="bearer token (default: $TOKEN, else one signed by the local key)")
    sub.add_argument("--tenant", help="tenant of the locally signed token (default: the local cloud's)")
    sub.add_argument("--subject", default="local-user", help="caller named in the audit trail")
    sub.set_defaults(func=cmd_resume)


def cmd_resume(args: argparse.Namespace) -> int:
    """Resume a run through the API; prints the new run (its id, the steps it reuses, its estimate)."""
    api_url = (args.api_url or _local_description(state_dir(args))["api_url"]).rstrip("/")
    client = ApiClient(api_url, args.token or os.environ.get("TOKEN") or _local_token(args))
    body: dict[str, Any] = {}
    if args.from_step:
        body["from_step"] = args.from_step
    if args.options is not None:
        body["options"] = args.options
    try:
        result = client.resume(args.run_id, body)
    except requests.ConnectionError:
        raise RuntimeError(f"the API at {api_url} did not answer: is the local cloud up?") from None
    say(json.dumps(result))
    return 0


def _local_description(folder: Path) -> dict[str, Any]:
    """What the local cloud that is up wrote about itself (``local-cloud.json``)."""
    from infra.admin.tenants import LOCAL_CLOUD_FILE

    try:
        description: dict[str, Any] = json.loads((folder / LOCAL_CLOUD_FILE).read_text())
    except FileNotFoundError:
        raise RuntimeError(
            f"no local cloud is up with state directory {folder}: start one with "
            "`orchestrator local up`, or name the API with --api-url"
        ) from None
    return description


def _local_token(args: argparse.Namespace) -> str:
    from infra.local.tokens import LocalSigningKey

    folder = state_dir(args)
    tenant = checked_tenant(args.tenant) if args.tenant else _only_local_tenant(folder)
    key = LocalSigningKey.load_or_create(folder)
    return key.mint(tenant_id=tenant, role="user", subject=args.subject)


def _only_local_tenant(folder: Path) -> str:
    """The one active tenant of the local cloud that is up; otherwise ask for ``--tenant``."""
    from botocore.exceptions import BotoCoreError, ClientError

    from infra.admin.tenants import DeploymentHandle, list_tenants

    handle = DeploymentHandle.from_description(_local_description(folder))
    table = handle.session.resource("dynamodb", endpoint_url=handle.endpoint_url).Table(handle.tenants_table)
    try:
        active = [tenant.tenant_id for tenant in list_tenants(table) if tenant.is_active]
    except (BotoCoreError, ClientError) as exc:
        raise RuntimeError(f"the local cloud did not answer ({exc}): is it still up?") from None
    if len(active) != 1:
        found = f"{len(active)} active tenants ({', '.join(active)})" if active else "no active tenant"
        raise UsageError(f"the local cloud has {found}: name one with --tenant, or give --token")
    return active[0]
