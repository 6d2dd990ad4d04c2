"""Which API an ``orchestrator runs`` command talks to, and as whom.

``--api-url`` names the API; ``--stack NAME`` reads it from a deployed stack's ``ApiUrl`` output
(CloudFormation, with the caller's AWS credentials and region); otherwise it is the local cloud that
is up (its ``local-cloud.json``). The token is ``--token``, else ``$TOKEN``, else (not for a stack)
one signed with the local key for ``--tenant`` or, when the local cloud has exactly one
active tenant, that one."""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.cli.api_client import ApiClient
from infra.cli.console import UsageError, state_dir
from infra.cli.tokens import checked_tenant

API_URL_OUTPUT = "ApiUrl"
WEBSOCKET_URL_OUTPUT = "WebSocketUrl"  # the push channel (infra/cdk/constructs/run_events_push.py)
"""The stack output that holds the API's URL (``CfnOutput(self, "ApiUrl", ...)`` in infra/cdk/stack.py)."""


@dataclass(frozen=True)
class Target:
    client: ApiClient
    aws_endpoint: str | None = None
    """The local cloud's emulated AWS (where its executions' histories are); None elsewhere."""
    websocket_url: str | None = None
    """The WebSocket API that pushes the runs' events (the local cloud's, a stack's output); None
    when unknown (``--api-url``)."""


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--api-url", help="the API's URL (default: the local cloud that is up)")
    where.add_argument(
        "--stack", help="a deployed stack's name: its API URL is read from its ApiUrl output (needs --token)"
    )
    parser.add_argument("--region", help="--stack: the stack's region (default: the AWS configuration's)")
    parser.add_argument("--token", help="bearer token (default: $TOKEN, else one signed by the local key)")
    parser.add_argument(
        "--tenant",
        help="tenant of the locally signed token (default: the local cloud's tenant, if it has one)",
    )
    parser.add_argument("--subject", default="local-user", help="caller named in the audit trail")


def resolve_target(args: argparse.Namespace) -> Target:
    """The API and the token the command's arguments name (see the module's docstring)."""
    token = args.token or os.environ.get("TOKEN")
    if args.tenant:
        checked_tenant(args.tenant)
    if args.stack:
        if not token:
            raise UsageError("--stack needs a token: --token or $TOKEN")
        outputs = stack_outputs(args.stack, args.region)
        hint = f"is stack {args.stack!r} still deployed?"
        client = ApiClient(outputs[API_URL_OUTPUT].rstrip("/"), token, unreachable_hint=hint)
        return Target(client, websocket_url=outputs.get(WEBSOCKET_URL_OUTPUT))
    if args.api_url:
        return Target(ApiClient(args.api_url.rstrip("/"), token or _local_token(args)))
    description = local_description(state_dir(args))
    client = ApiClient(
        description["api_url"].rstrip("/"),
        token or _local_token(args),
        unreachable_hint="is the local cloud up?",
    )
    return Target(
        client, aws_endpoint=description.get("aws_endpoint"), websocket_url=description.get("websocket_url")
    )


def stack_api_url(stack: str, region: str | None) -> str:
    """The ``ApiUrl`` output of the deployed stack ``stack``; what stops it is one :class:`UsageError`."""
    return stack_outputs(stack, region)[API_URL_OUTPUT]


def stack_outputs(stack: str, region: str | None) -> dict[str, str]:
    """The outputs of the deployed stack ``stack``, ``ApiUrl`` among them; what stops it is one
    :class:`UsageError`."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    try:
        # a session of its own: the credentials as the environment gives them now, none cached earlier
        session = boto3.session.Session(region_name=region)
        answer = session.client("cloudformation").describe_stacks(StackName=stack)
    except NoCredentialsError:
        raise UsageError(
            f"no AWS credentials to read stack {stack!r}: configure them, or give --api-url"
        ) from None
    except NoRegionError:
        raise UsageError(
            f"no AWS region to find stack {stack!r} in: give --region or set AWS_REGION"
        ) from None
    except ClientError as exc:
        message = exc.response.get("Error", {}).get("Message") or str(exc)
        raise UsageError(f"stack {stack!r}: {message}") from None
    except BotoCoreError as exc:
        raise UsageError(f"stack {stack!r} could not be read: {exc}") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in answer["Stacks"][0].get("Outputs", [])}
    if API_URL_OUTPUT not in outputs:
        raise UsageError(f"stack {stack!r} has no {API_URL_OUTPUT} output: is it this orchestrator's stack?")
    return outputs


def local_description(folder: Path) -> dict[str, Any]:
    """What the local cloud that is up wrote about itself (``local-cloud.json``)."""
    from infra.admin.tenants import LOCAL_CLOUD_FILE

    try:
        description: dict[str, Any] = json.loads((folder / LOCAL_CLOUD_FILE).read_text())
    except FileNotFoundError:
        raise RuntimeError(
            f"no local cloud is up with state directory {folder}: start one with "
            "`orchestrator local up`, or name the API with --api-url or --stack"
        ) from None
    return description


def _local_token(args: argparse.Namespace) -> str:
    from infra.local.tokens import LocalSigningKey

    folder = state_dir(args)
    tenant = args.tenant or _only_local_tenant(folder)
    key = LocalSigningKey.load_or_create(folder)
    # the role a command needs (bulk operations: admin), else a user's
    return key.mint(tenant_id=tenant, role=getattr(args, "local_role", "user"), subject=args.subject)


def _only_local_tenant(folder: Path) -> str:
    """The one active tenant of the local cloud that is up; otherwise ask for ``--tenant``."""
    from botocore.exceptions import BotoCoreError, ClientError

    from infra.admin.tenants import DeploymentHandle, list_tenants

    handle = DeploymentHandle.from_description(local_description(folder))
    table = handle.session.resource("dynamodb", endpoint_url=handle.endpoint_url).Table(handle.tenants_table)
    try:
        active = [tenant.tenant_id for tenant in list_tenants(table) if tenant.is_active]
    except (BotoCoreError, ClientError) as exc:
        raise RuntimeError(f"the local cloud did not answer ({exc}): is it still up?") from None
    if len(active) != 1:
        found = f"{len(active)} active tenants ({', '.join(active)})" if active else "no active tenant"
        raise UsageError(f"the local cloud has {found}: name one with --tenant, or give --token")
    return active[0]
