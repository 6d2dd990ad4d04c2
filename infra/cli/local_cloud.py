"""``orchestrator local up``: start the local cloud and keep it running until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra.cli.console import UsageError, say

if TYPE_CHECKING:
    from infra.local.cloud import LocalCloud
    from infra.local.worker_limits import WorkerLimits


def add_parser(commands: Any) -> None:
    local = commands.add_parser("local", help="the local cloud")
    local_commands = local.add_subparsers(dest="local_command", required=True)
    up = local_commands.add_parser("up", help="start the local cloud and keep it running")
    up.add_argument("--api-port", type=int, default=8080)
    up.add_argument("--aws-port", type=int, default=4566)
    up.add_argument("--console-port", type=int, default=8082, help="the web console's port")
    up.add_argument(
        "--websocket-port",
        type=int,
        help="the WebSocket API (push to clients); default: the port after the API's",
    )
    up.add_argument("--tenant", default="demo-tenant")
    up.add_argument(
        "--model-prices",
        metavar="JSON",
        help="price overrides, USD per million tokens, as the modelPrices context takes them; "
        'e.g. \'{"offline/": {"input": 3, "output": 15}}\' makes offline answers cost as a large model '
        "does, so that budgets, 402 BudgetExceeded and the 80%% threshold can be tried locally",
    )
    up.add_argument(
        "--fresh",
        action="store_true",
        help="start empty: discard the tables, objects, runs and tenants kept in the state directory",
    )
    _add_worker_limits(up)
    up.set_defaults(func=cmd_local_up)


def _add_worker_limits(up: argparse.ArgumentParser) -> None:
    """The functions' worker pool (``infra/local/worker_limits.py``); each flag overrides its
    ``ORCHESTRATOR_LOCAL_*`` variable."""
    from infra.local import worker_limits as limits

    up.add_argument(
        "--max-workers",
        type=int,
        metavar="N",
        help=f"at most N function worker processes in all (default {limits.DEFAULT_MAX_WORKERS}, "
        f"or ${limits.ENVIRONMENT['max_workers']})",
    )
    up.add_argument(
        "--max-workers-per-function",
        type=int,
        metavar="N",
        help=f"at most N workers of one function (default {limits.DEFAULT_MAX_WORKERS_PER_FUNCTION}, "
        f"or ${limits.ENVIRONMENT['max_workers_per_function']})",
    )
    up.add_argument(
        "--worker-idle-seconds",
        type=float,
        metavar="S",
        help=f"a worker idle for S seconds is stopped (default {limits.DEFAULT_IDLE_SECONDS:.0f}, "
        f"or ${limits.ENVIRONMENT['idle_seconds']})",
    )


def _worker_limits(args: argparse.Namespace) -> WorkerLimits:
    """The pool's limits from the flags and the environment, checked before anything starts."""
    from infra.local.worker_limits import InvalidWorkerLimits, WorkerLimits

    flags = {
        "max_workers": args.max_workers,
        "max_workers_per_function": args.max_workers_per_function,
        "idle_seconds": args.worker_idle_seconds,
    }
    try:
        return WorkerLimits.configured(flags)
    except InvalidWorkerLimits as exc:
        raise UsageError(str(exc)) from None


def cmd_local_up(args: argparse.Namespace) -> int:
    from infra.local.cloud import LocalCloud

    limits = _worker_limits(args)
    cloud = LocalCloud(
        Path(args.state_dir) if args.state_dir else None,
        api_port=args.api_port,
        aws_port=args.aws_port,
        console_port=args.console_port,
        websocket_port=args.websocket_port or (args.api_port + 1 if args.api_port else 0),
        context=_price_context(args.model_prices),
        persist=True,
        fresh=args.fresh,
        worker_limits=limits,
    ).start()
    say(_restored(cloud, fresh=args.fresh))
    token = cloud.mint_token(tenant_id=args.tenant, role="admin", subject="local-admin")
    say(_welcome(cloud, args.tenant, token))
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    ready_file = os.environ.get("ORCHESTRATOR_READY_FILE")
    if ready_file:  # lets scripts wait for readiness
        Path(ready_file).write_text(
            json.dumps(
                {
                    "api_url": cloud.api_url,
                    "aws_endpoint": cloud.aws_endpoint,
                    "console_url": cloud.console_url,
                    "websocket_url": cloud.websocket_url,
                    "token": token,
                }
            )
        )
    try:
        while not stop.wait(1.0):
            pass
    finally:
        try:
            _say_runs_cut_off(cloud)
        finally:  # stopped and saved even if the terminal that started it is gone
            cloud.stop()
        say(f"state saved in {cloud.state_dir / 'state'} (`local up --fresh` starts empty)")
        say("stopped")
    _end_process()
    return 0


def _end_process() -> None:
    """Ends the process at once, once the cloud has stopped (its state saved, every worker and
    server stopped, what it printed flushed): the interpreter's own teardown of the emulation's
    objects and modules takes seconds with a large state, and nothing is left for it to do."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _price_context(model_prices: str | None) -> dict[str, str] | None:
    """``--model-prices`` as the app's ``modelPrices`` context, checked before anything starts."""
    if not model_prices:
        return None
    from orchestrator.providers.pricing import PriceTable

    try:
        PriceTable.with_overrides(model_prices)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError too
        raise UsageError(f"--model-prices: {exc}") from None
    return {"modelPrices": model_prices}


def _restored(cloud: LocalCloud, *, fresh: bool) -> str:
    """What the start found in the state directory, and the runs that go on."""
    where = cloud.state_dir / "state"
    if fresh:
        return f"Starting empty (--fresh): the state kept in {where} was discarded."
    if cloud.restored is None:
        return f"Starting empty: nothing saved in {where} yet (kept there from now on)."
    lines = [f"Restored from {where}: {cloud.restored.describe()}."]
    lines += [f"  run {name}: resumed at {state}" for name, state in cloud.restored.executions.resumed]
    lines += [f"  run {name}: ended ({why})" for name, why in cloud.restored.executions.not_resumed]
    return "\n".join(lines)


def _say_runs_cut_off(cloud: LocalCloud) -> None:
    """One line per run still in progress: each goes on when the local cloud starts again."""
    runs = cloud.runs_in_progress()
    say(f"stopping the local cloud: {len(runs)} run(s) in progress" + (", saved:" if runs else ""))
    for run in runs:
        started = f"{run['template']}, started {run['started']}"
        say(f"  run {run['run_id']} ({started}): goes on at the next `local up`")


def _welcome(cloud: LocalCloud, tenant: str, token: str) -> str:
    """Where everything is, a token, and what to try."""
    from infra.local.assembly import REPO_ROOT

    default = cloud.state_dir.resolve() == (REPO_ROOT / ".local-cloud").resolve()
    runs = "orchestrator runs" if default else f"orchestrator --state-dir {cloud.state_dir} runs"
    machines = "\n".join(
        f"    {name}: {arn}"
        for name, arn in (cloud.deployment.state_machines if cloud.deployment else {}).items()
    )
    return f"""Local cloud is up (Ctrl-C stops it).
  API:          {cloud.api_url}   (OpenAPI: {cloud.api_url}/openapi.json)
  Web console:  {cloud.console_url}   (sign in with the token below)
  WebSocket:    {cloud.websocket_url}   (live run events: connect with ?token=$TOKEN, then send
                {{"action": "subscribe"}} or {{"action": "subscribe", "run_id": "<run id>"}})
  AWS endpoint: {cloud.aws_endpoint}   (any access key works; region {cloud.region})
  state machines:
{machines}
  logs:         {cloud.state_dir / "logs"}

Tenant '{tenant}' is onboarded (plan {cloud.tenant_plan}); a token for it (role admin, valid 1 h):
  export TOKEN={token}
More tokens: `orchestrator token --tenant {tenant} --role user|viewer|admin`.
Another tenant: `orchestrator tenants create <id> --plan free|standard|enterprise` (prints its
admin's token); `orchestrator tenants list`, `orchestrator tenants disable <id>`.

Try:
  curl -s -X POST {cloud.api_url}/runs -H "Authorization: Bearer $TOKEN" \\
       -H 'content-type: application/json' \\
       -d '{{"template": "generic", "topic": "a todo app"}}'
  curl -s {cloud.api_url}/runs -H "Authorization: Bearer $TOKEN"
  {runs} list;  {runs} watch <run_id>;  {runs} show <run_id>
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --region {cloud.region} \\
       --endpoint-url {cloud.aws_endpoint} stepfunctions list-state-machines
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --region {cloud.region} \\
       --endpoint-url {cloud.aws_endpoint} stepfunctions get-execution-history --execution-arn <execution arn>
"""
