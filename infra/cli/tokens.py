"""``orchestrator token``: mint a token signed by the local signing key."""

from __future__ import annotations

import argparse
from typing import Any

from infra.cli.console import UsageError, note, say, state_dir

MAX_TTL_SECONDS = 24 * 3600
"""The longest a locally signed token lives: a day."""


def add_parser(commands: Any) -> None:
    token = commands.add_parser("token", help="mint a token signed by the local signing key")
    token.add_argument("--tenant", required=True)
    token.add_argument("--role", default="user", choices=["admin", "user", "viewer"])
    token.add_argument("--subject", default="local-user")
    token.add_argument(
        "--ttl",
        type=int,
        default=3600,
        help=f"seconds the token is valid, 1 to {MAX_TTL_SECONDS} (default 3600)",
    )
    token.set_defaults(func=cmd_token)


def cmd_token(args: argparse.Namespace) -> int:
    from infra.admin.tenants import LOCAL_CLOUD_FILE, DeploymentHandle
    from infra.local.tokens import LocalSigningKey
    from orchestrator.tenancy.plans import DEFAULT_PLAN

    checked_tenant(args.tenant)
    if not 1 <= args.ttl <= MAX_TTL_SECONDS:
        raise UsageError(f"--ttl must be between 1 and {MAX_TTL_SECONDS} seconds, not {args.ttl}")
    folder = state_dir(args)
    key = LocalSigningKey.load_or_create(folder)
    if (folder / LOCAL_CLOUD_FILE).exists():  # the local cloud is up: the tenant must be onboarded
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            admin = DeploymentHandle.from_local(folder).admin(mint=key.mint)
            tenant = admin.ensure(args.tenant, plan=DEFAULT_PLAN)
        except (BotoCoreError, ClientError) as exc:
            note(f"note: the local cloud did not answer ({exc}): is it still up?")
        else:
            if not tenant.is_active:
                note(f"note: tenant {args.tenant!r} is disabled: the API refuses this token")
    else:
        note("note: no local cloud is up; the tenant must be onboarded there (`orchestrator tenants create`)")
    say(key.mint(tenant_id=args.tenant, role=args.role, subject=args.subject, ttl_seconds=args.ttl))
    return 0


def checked_tenant(tenant_id: str) -> str:
    """``tenant_id`` if it is a valid tenant id, else the one-line :class:`UsageError` saying why."""
    from orchestrator.core.records import validate_tenant_id

    try:
        return validate_tenant_id(tenant_id)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
