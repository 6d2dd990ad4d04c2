"""``orchestrator tenants``: onboard, disable, enable, re-plan and list tenants, on the local cloud
(its ``local-cloud.json``) or a deployed stack (``--stack``, the operator's AWS credentials)."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from infra.cli.console import note, say, state_dir

if TYPE_CHECKING:
    from infra.admin.tenants import TenantAdmin


def add_parser(commands: Any) -> None:
    from infra.admin.tenants import PLAN_HELP
    from orchestrator.tenancy.plans import DEFAULT_PLAN, PLANS

    tenants = commands.add_parser(
        "tenants",
        help="onboard, disable and list tenants (the local cloud, or a deployed stack with --stack)",
    )
    sub = tenants.add_subparsers(dest="tenants_command", required=True)

    def limit_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--requests-per-minute", type=int, help="overrides the plan's request rate")
        parser.add_argument("--max-concurrent-runs", type=int, help="overrides the plan's concurrent runs")
        parser.add_argument(
            "--max-queued-runs", type=int, help="overrides the plan's runs waiting for a slot (0: none wait)"
        )

    create = sub.add_parser("create", help="onboard a tenant and its first admin user")
    create.add_argument("tenant_id", help="2-64 of a-z, 0-9, '-' and '_', starting with a letter or digit")
    create.add_argument("--plan", default=DEFAULT_PLAN, choices=sorted(PLANS), help=f"plans: {PLAN_HELP}")
    limit_options(create)
    create.add_argument("--admin", default="admin", help="the first admin's user name (default: admin)")
    create.add_argument("--admin-email", help="where Cognito sends the temporary password (deployed stack)")
    disable = sub.add_parser(
        "disable", help="refuse the tenant's tokens at once and cancel (undo) its runs in progress"
    )
    disable.add_argument("tenant_id")
    enable = sub.add_parser("enable", help="let a disabled tenant back in")
    enable.add_argument("tenant_id")
    limits = sub.add_parser("limits", help="change a tenant's plan or limits")
    limits.add_argument("tenant_id")
    limits.add_argument("--plan", choices=sorted(PLANS), help=f"plans: {PLAN_HELP}")
    limit_options(limits)
    listing = sub.add_parser("list", help="every tenant with its status, plan and limits")
    listing.add_argument("--json", action="store_true", help="machine-readable")
    for parser in (create, disable, enable, limits, listing):
        parser.add_argument(
            "--stack",
            help="a deployed stack's name (default: the local cloud that is up); your AWS credentials",
        )
        parser.add_argument(
            "--region", help="the deployed stack's region (default: your AWS configuration's)"
        )
        parser.set_defaults(func=cmd_tenants)


def cmd_tenants(args: argparse.Namespace) -> int:
    """Onboard, disable, enable, re-plan and list tenants (local cloud or a deployed stack)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from orchestrator.core.errors import OrchestratorError

    try:
        admin = _tenant_admin(args)
        SUBCOMMANDS[args.tenants_command](admin, args)
        return 0
    except (OrchestratorError, ValueError) as exc:
        note(f"error: {exc}")
        return 2
    except (BotoCoreError, ClientError) as exc:
        where = (
            f"stack {args.stack!r}" if args.stack else "the local cloud (is `orchestrator local up` running?)"
        )
        note(f"error: {where} did not answer: {exc}")
        return 1


def _tenant_admin(args: argparse.Namespace) -> TenantAdmin:
    """The local cloud's tenants (its ``local-cloud.json``), or a deployed stack's (``--stack``)."""
    from infra.admin.tenants import DeploymentHandle

    if args.stack:
        import boto3

        operator = os.environ.get("USER") or "operator"
        session = boto3.session.Session(region_name=args.region) if args.region else boto3.session.Session()
        return DeploymentHandle.from_stack(args.stack, session).admin(operator=operator)
    from infra.local.tokens import LocalSigningKey

    folder = state_dir(args)
    key = LocalSigningKey.load_or_create(folder)
    return DeploymentHandle.from_local(folder).admin(mint=key.mint, operator="local-operator")


def _list(admin: TenantAdmin, args: argparse.Namespace) -> None:
    from infra.admin.tenants import describe

    tenants = admin.list()
    if args.json:
        say(json.dumps([t.model_dump(mode="json") for t in tenants], indent=2))
    else:
        say(f"{'TENANT':<24} {'STATUS':<9} {'PLAN':<11} {'REQUESTS':>12} {'RUNS':>9} {'QUEUED':>11}")
        for tenant in tenants:
            say(describe(tenant))


def _create(admin: TenantAdmin, args: argparse.Namespace) -> None:
    from infra.admin.tenants import describe

    tenant, sign_in = admin.create(
        args.tenant_id,
        plan=args.plan,
        admin_user=args.admin,
        admin_email=args.admin_email,
        requests_per_minute=args.requests_per_minute,
        max_concurrent_runs=args.max_concurrent_runs,
        max_queued_runs=args.max_queued_runs,
    )
    say(f"tenant {tenant.tenant_id!r} created\n{describe(tenant)}\n{sign_in}")


def _disable(admin: TenantAdmin, args: argparse.Namespace) -> None:
    tenant, cancelled = admin.disable(args.tenant_id)
    say(
        f"tenant {tenant.tenant_id!r} disabled: its tokens are refused from now on; "
        + (
            f"cancelled {len(cancelled)} run(s): {', '.join(cancelled)}"
            if cancelled
            else "no run in progress"
        )
    )


def _enable(admin: TenantAdmin, args: argparse.Namespace) -> None:
    from infra.admin.tenants import describe

    tenant = admin.enable(args.tenant_id)
    say(f"tenant {tenant.tenant_id!r} enabled\n{describe(tenant)}")


def _limits(admin: TenantAdmin, args: argparse.Namespace) -> None:
    from infra.admin.tenants import describe
    from orchestrator.core.errors import OrchestratorError
    from orchestrator.tenancy.plans import limits_for

    current = admin.directory.get(args.tenant_id)
    if current is None:
        raise OrchestratorError(f"tenant {args.tenant_id!r} is not onboarded")
    plan = args.plan or current.plan
    keep = args.plan is None  # a new plan brings its limits; otherwise only what is given changes
    limits = limits_for(
        plan,
        requests_per_minute=args.requests_per_minute or (current.requests_per_minute if keep else None),
        max_concurrent_runs=args.max_concurrent_runs or (current.max_concurrent_runs if keep else None),
        max_queued_runs=args.max_queued_runs
        if args.max_queued_runs is not None
        else (current.max_queued_runs if keep else None),
    )
    tenant = admin.directory.set_limits(args.tenant_id, plan, limits, by=admin.operator)
    say(f"tenant {tenant.tenant_id!r} limits set\n{describe(tenant)}")


SUBCOMMANDS: dict[str, Callable[[TenantAdmin, argparse.Namespace], None]] = {
    "list": _list,
    "create": _create,
    "disable": _disable,
    "enable": _enable,
    "limits": _limits,
}
