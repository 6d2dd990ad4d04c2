"""The ``orchestrator`` command: run the demo, keep the local cloud up, mint local tokens."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

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
    "WAITING": "??",
    "APPROVED": "ok",
    "REJECTED": "xx",
}


def _print(text: str = "") -> None:
    print(text, flush=True)


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


def _step_line(step: dict[str, Any]) -> str:
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
    return line


def follow_run(
    api_url: str, token: str, run_id: str, timeout: float, *, decision: str | None = None
) -> dict[str, Any]:
    """Print each step's progress as it changes; return the final run view. At an approval gate,
    ``decision`` ("approve" or "reject") is sent; without one the gate waits (until its timeout)."""
    headers = {"Authorization": f"Bearer {token}"}
    seen: dict[str, tuple[str, int | None]] = {}
    status = ""
    deadline = time.time() + timeout
    view: dict[str, Any] = {}
    decided: set[str] = set()
    while time.time() < deadline:
        response = requests.get(f"{api_url}/runs/{run_id}", headers=headers, timeout=10)
        response.raise_for_status()
        view = response.json()
        for step in flatten_steps(view["steps"]):
            label = step.get("label") or step["step"]
            key = (step["status"], (step.get("metadata") or {}).get("attempts"))
            if step["status"] != "NOT_STARTED" and seen.get(label) != key:
                seen[label] = key
                _print(_step_line(step))
        if view["status"] != status:
            status = view["status"]
            _print(f"run {run_id}: {status}")
        if status == "AWAITING_APPROVAL" and decision and view.get("awaiting"):
            gate = view["awaiting"]["step"]
            if gate not in decided:
                decided.add(gate)
                _print(
                    f"  {decision} at '{view['awaiting']['title']}': {view['awaiting'].get('question', '')}"
                )
                decide(api_url, token, run_id, decision, f"{decision} from the demo")
        if status in FINAL_STATUSES:
            return view
        time.sleep(0.25)
    raise TimeoutError(
        f"run {run_id} did not finish within {timeout:.0f} s (last status {status or 'unknown'})"
    )


def decide(api_url: str, token: str, run_id: str, decision: str, comment: str = "") -> dict[str, Any]:
    response = requests.post(
        f"{api_url}/runs/{run_id}/approval",
        json={"decision": decision, "comment": comment},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    if response.status_code != 200:
        raise RuntimeError(f"the API refused the decision: {response.status_code} {response.text}")
    result: dict[str, Any] = response.json()
    return result


def summarize(view: dict[str, Any], events: list[dict[str, Any]]) -> None:
    _print()
    _print(
        f"Run {view['run_id']} ({view['template']}) ended {view['status']} in {view.get('duration_ms')} ms"
    )
    _print(f"  topic:          {view['topic']}")
    _print(f"  correlation id: {view['correlation_id']}")
    _print(f"  execution:      {view.get('execution_arn')}")
    _print(f"  console:        {view.get('execution_console_url')}")
    _print(
        f"  tokens: {view.get('total_tokens')}, estimated cost: ${view.get('total_cost_usd')}, "
        f"model calls: {view.get('model_calls')}"
    )
    providers = {(s.get("metadata") or {}).get("provider") for s in flatten_steps(view["steps"])} - {None}
    if "offline" in providers:
        _print("  provider: offline (deterministic text, no model was called)")
    if view.get("error"):
        _print(
            f"  failed step: {view.get('failed_step')}: {view['error']['name']}: {view['error']['message']}"
        )
    if view.get("compensated_steps") is not None and view["status"] != "SUCCEEDED":
        _print(f"  undone (in order): {', '.join(view['compensated_steps']) or 'nothing to undo'}")
    _print(f"  events ({len(events)}): " + ", ".join(e["event_type"] for e in events))


def cmd_demo(args: argparse.Namespace) -> int:
    from infra.local.cloud import LocalCloud

    context, key = demo_provider_context(args)
    _print("Starting the local cloud (synthesizing the CDK app, deploying it onto moto)...")
    started = time.time()
    with LocalCloud(Path(args.state_dir) if args.state_dir else None, context=context) as cloud:
        if key is not None:  # the key goes to the emulated Secrets Manager, never into the template
            cloud.client("secretsmanager").create_secret(Name=DEMO_KEY_SECRET, SecretString=key)
        _print(
            f"  ready in {time.time() - started:.1f} s: "
            f"API {cloud.api_url}, AWS endpoint {cloud.aws_endpoint}"
        )
        return run_demo(
            cloud.api_url,
            cloud.mint_token(tenant_id=args.tenant, role="user", subject="demo-user"),
            template=args.template,
            topic=args.topic,
            fail_phase=args.fail_phase,
            timeout=args.timeout,
            decision="reject" if args.reject else "approve",
            expect=args.expect,
        )


DEMO_KEY_SECRET = "orchestrator/provider-api-key"  # noqa: S105 - a secret's name
_KEY_VARIABLES = {"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY"}


def demo_provider_context(args: argparse.Namespace) -> tuple[dict[str, Any], str | None]:
    """CDK context for the demo's provider, cassette and key (the key itself stays out of it)."""
    context: dict[str, Any] = {}
    provider = args.provider
    if provider:
        context["modelProvider"] = provider
    if args.model:
        context["modelName"] = args.model
    if args.base_url:
        context["openaiBaseUrl"] = args.base_url
    if args.record or args.replay:
        context["modelCassette"] = str(Path(args.record or args.replay).resolve())
    if args.record:
        context["modelCassetteMode"] = "record"
    if args.replay and provider != "replay":
        raise SystemExit(
            "--replay answers through the replay provider: add --provider replay --model <p>/<m>"
        )
    key = None
    if provider in _KEY_VARIABLES:
        key = os.environ.get(_KEY_VARIABLES[provider])
        if not key:
            raise SystemExit(f"--provider {provider} needs its key in ${_KEY_VARIABLES[provider]}")
        context["providerApiKeySecret"] = DEMO_KEY_SECRET
    return context, key


def run_demo(
    api_url: str,
    token: str,
    *,
    template: str,
    topic: str | None,
    fail_phase: str | None,
    timeout: float,
    decision: str = "approve",
    expect: str | None = None,
) -> int:
    """Submit one run through the HTTP API, follow it, summarize it; 0 if it ended as expected."""
    from infra.demo_requests import demo_body, demo_declaration

    body = demo_body(api_url, token, template, topic)
    if fail_phase:
        body["options"] = {"simulate_failure": {"step": fail_phase}}
    _print(f"POST {api_url}/runs {json.dumps(body)}")
    response = requests.post(
        f"{api_url}/runs", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    if response.status_code != 202:
        _print(f"the API refused the run: {response.status_code} {response.text}")
        return 2
    run_id = response.json()["run_id"]
    view = follow_run(api_url, token, run_id, timeout, decision=decision)
    summarize(view, _wait_for_events(api_url, token, run_id, view))
    query = demo_declaration(template).get("search")
    if query and view["status"] == "SUCCEEDED":
        _search_demo(api_url, token, run_id, str(query))
    gates = any(step["kind"] == "approval" for step in view["steps"])
    expected = expect or (
        "COMPENSATED" if fail_phase else "REJECTED" if gates and decision == "reject" else "SUCCEEDED"
    )
    if view["status"] != expected:
        _print(f"expected {expected}, got {view['status']}")
        return 1
    return 0


def _search_demo(api_url: str, token: str, run_id: str, query: str) -> None:
    """Search the collection the run wrote, as a client would."""
    response = requests.post(
        f"{api_url}/collections/{run_id}/search",
        json={"query": query, "top_k": 3},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    _print(f'POST /collections/{run_id}/search {{"query": "{query}"}} -> {response.status_code}')
    for hit in response.json().get("results", []) if response.ok else []:
        _print(f"  {hit['score']:.3f}  {hit['path']}:{hit['start_line']}-{hit['end_line']}  {hit['name']}")


def _wait_for_events(api_url: str, token: str, run_id: str, view: dict[str, Any]) -> list[dict[str, Any]]:
    """The audit trail is written asynchronously (EventBridge rule, no ordering): wait for the
    run's last event, then until no more arrive."""
    final_event = {
        "SUCCEEDED": "ORCHESTRATION_COMPLETED",
        "COMPENSATED": "ORCHESTRATION_COMPENSATED",
        "COMPENSATION_FAILED": "COMPENSATION_FAILED",
        "REJECTED": "ORCHESTRATION_REJECTED",
        "CANCELLED": "ORCHESTRATION_CANCELLED",
    }.get(view["status"])
    events: list[dict[str, Any]] = []
    previous = -1
    for _ in range(40):
        response = requests.get(
            f"{api_url}/runs/{run_id}/events?limit=200",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        events = response.json()["events"]
        complete = final_event is None or any(e["event_type"] == final_event for e in events)
        if complete and len(events) == previous:
            break
        previous = len(events)
        time.sleep(0.25)
    return events


def cmd_local_up(args: argparse.Namespace) -> int:
    from infra.local.cloud import LocalCloud

    cloud = LocalCloud(
        Path(args.state_dir) if args.state_dir else None, api_port=args.api_port, aws_port=args.aws_port
    ).start()
    token = cloud.mint_token(tenant_id=args.tenant, role="admin", subject="local-admin")
    machines = "\n".join(
        f"    {name}: {arn}"
        for name, arn in (cloud.deployment.state_machines if cloud.deployment else {}).items()
    )
    _print(
        f"""Local cloud is up (Ctrl-C stops it).
  API:          {cloud.api_url}   (OpenAPI: {cloud.api_url}/openapi.json)
  AWS endpoint: {cloud.aws_endpoint}   (any access key works; region {cloud.region})
  state machines:
{machines}
  logs:         {cloud.state_dir / "logs"}

Tenant '{args.tenant}' is onboarded (plan {cloud.tenant_plan}); a token for it (role admin, valid 1 h):
  export TOKEN={token}
More tokens: `orchestrator token --tenant {args.tenant} --role user|viewer|admin`.
Another tenant: `orchestrator tenants create <id> --plan free|standard|enterprise` (prints its
admin's token); `orchestrator tenants list`, `orchestrator tenants disable <id>`.

Try:
  curl -s -X POST {cloud.api_url}/runs -H "Authorization: Bearer $TOKEN" \\
       -H 'content-type: application/json' \\
       -d '{{"template": "generic", "topic": "a todo app"}}'
  curl -s {cloud.api_url}/runs -H "Authorization: Bearer $TOKEN"
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --region {cloud.region} \\
       --endpoint-url {cloud.aws_endpoint} stepfunctions list-state-machines
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --region {cloud.region} \\
       --endpoint-url {cloud.aws_endpoint} stepfunctions get-execution-history --execution-arn <execution arn>
"""
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    ready_file = os.environ.get("ORCHESTRATOR_READY_FILE")
    if ready_file:  # lets scripts wait for readiness
        Path(ready_file).write_text(
            json.dumps({"api_url": cloud.api_url, "aws_endpoint": cloud.aws_endpoint, "token": token})
        )
    try:
        while not stop.wait(1.0):
            pass
    finally:
        _print("stopping the local cloud")
        cloud.stop()
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    """Approve, reject or cancel a run through the API of a running local cloud (or any API URL)."""
    token = args.token or os.environ.get("TOKEN") or _local_token(args)
    if args.runs_command == "cancel":
        response = requests.post(
            f"{args.api_url}/runs/{args.run_id}/cancel",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        if response.status_code != 202:
            raise RuntimeError(f"the API refused the cancel: {response.status_code} {response.text}")
        _print(json.dumps(response.json()))
        return 0
    _print(json.dumps(decide(args.api_url, token, args.run_id, args.runs_command, args.comment)))
    return 0


def _local_token(args: argparse.Namespace) -> str:
    from infra.local.assembly import REPO_ROOT
    from infra.local.tokens import LocalSigningKey

    key = LocalSigningKey.load_or_create(
        Path(args.state_dir) if args.state_dir else REPO_ROOT / ".local-cloud"
    )
    return key.mint(tenant_id=args.tenant, role="user", subject=args.subject)


def cmd_token(args: argparse.Namespace) -> int:
    from infra.local.assembly import REPO_ROOT
    from infra.local.tokens import LocalSigningKey
    from infra.tenant_admin import LOCAL_CLOUD_FILE, DeploymentHandle
    from orchestrator.tenancy.plans import DEFAULT_PLAN

    state_dir = Path(args.state_dir) if args.state_dir else REPO_ROOT / ".local-cloud"
    key = LocalSigningKey.load_or_create(state_dir)
    if (state_dir / LOCAL_CLOUD_FILE).exists():  # the local cloud is up: the tenant must be onboarded
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            admin = DeploymentHandle.from_local(state_dir).admin(mint=key.mint)
            tenant = admin.ensure(args.tenant, plan=DEFAULT_PLAN)
        except (BotoCoreError, ClientError) as exc:
            print(f"note: the local cloud did not answer ({exc}): is it still up?", file=sys.stderr)
        else:
            if not tenant.is_active:
                print(
                    f"note: tenant {args.tenant!r} is disabled: the API refuses this token", file=sys.stderr
                )
    else:
        print(
            "note: no local cloud is up; the tenant must be onboarded there (`orchestrator tenants create`)",
            file=sys.stderr,
        )
    _print(key.mint(tenant_id=args.tenant, role=args.role, subject=args.subject, ttl_seconds=args.ttl))
    return 0


def _tenant_admin(args: argparse.Namespace) -> Any:
    """The local cloud's tenants (its ``local-cloud.json``), or a deployed stack's (``--stack``)."""
    from infra.local.assembly import REPO_ROOT
    from infra.tenant_admin import DeploymentHandle

    if args.stack:
        import boto3

        operator = os.environ.get("USER") or "operator"
        session = boto3.session.Session(region_name=args.region) if args.region else boto3.session.Session()
        return DeploymentHandle.from_stack(args.stack, session).admin(operator=operator)
    from infra.local.tokens import LocalSigningKey

    state_dir = Path(args.state_dir) if args.state_dir else REPO_ROOT / ".local-cloud"
    key = LocalSigningKey.load_or_create(state_dir)
    return DeploymentHandle.from_local(state_dir).admin(mint=key.mint, operator="local-operator")


def cmd_tenants(args: argparse.Namespace) -> int:
    """Onboard, disable, enable, re-plan and list tenants (local cloud or a deployed stack)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from infra.tenant_admin import describe
    from orchestrator.core.errors import OrchestratorError
    from orchestrator.tenancy.plans import limits_for

    try:
        admin = _tenant_admin(args)
        if args.tenants_command == "list":
            tenants = admin.list()
            if args.json:
                _print(json.dumps([t.model_dump(mode="json") for t in tenants], indent=2))
            else:
                _print(f"{'TENANT':<24} {'STATUS':<9} {'PLAN':<11} {'REQUESTS':>12} {'RUNS':>9}")
                for tenant in tenants:
                    _print(describe(tenant))
            return 0
        if args.tenants_command == "create":
            tenant, sign_in = admin.create(
                args.tenant_id,
                plan=args.plan,
                admin_user=args.admin,
                admin_email=args.admin_email,
                requests_per_minute=args.requests_per_minute,
                max_concurrent_runs=args.max_concurrent_runs,
            )
            _print(f"tenant {tenant.tenant_id!r} created\n{describe(tenant)}\n{sign_in}")
            return 0
        if args.tenants_command == "disable":
            tenant, cancelled = admin.disable(args.tenant_id)
            _print(
                f"tenant {tenant.tenant_id!r} disabled: its tokens are refused from now on; "
                + (
                    f"cancelled {len(cancelled)} run(s): {', '.join(cancelled)}"
                    if cancelled
                    else "no run in progress"
                )
            )
            return 0
        if args.tenants_command == "enable":
            tenant = admin.enable(args.tenant_id)
            _print(f"tenant {tenant.tenant_id!r} enabled\n{describe(tenant)}")
            return 0
        current = admin.directory.get(args.tenant_id)
        if current is None:
            raise OrchestratorError(f"tenant {args.tenant_id!r} is not onboarded")
        plan = args.plan or current.plan
        keep = args.plan is None  # a new plan brings its limits; otherwise only what is given changes
        limits = limits_for(
            plan,
            requests_per_minute=args.requests_per_minute or (current.requests_per_minute if keep else None),
            max_concurrent_runs=args.max_concurrent_runs or (current.max_concurrent_runs if keep else None),
        )
        tenant = admin.directory.set_limits(args.tenant_id, plan, limits, by=admin.operator)
        _print(f"tenant {tenant.tenant_id!r} limits set\n{describe(tenant)}")
        return 0
    except (OrchestratorError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as exc:
        where = (
            f"stack {args.stack!r}" if args.stack else "the local cloud (is `orchestrator local up` running?)"
        )
        print(f"error: {where} did not answer: {exc}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orchestrator", description="Multi-tenant serverless AI orchestrator"
    )
    parser.add_argument("--state-dir", help="where the local cloud keeps its files (default: .local-cloud)")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run one orchestration on the local cloud through the HTTP API")
    demo.add_argument("--template", default="generic")
    demo.add_argument("--topic", help="the run's topic (default: the template's sample request)")
    demo.add_argument("--fail-phase", help="make this agent step fail for good: the run ends COMPENSATED")
    gate = demo.add_mutually_exclusive_group()
    gate.add_argument("--approve", action="store_true", help="approve at every approval gate (default)")
    gate.add_argument(
        "--reject", action="store_true", help="reject at the first approval gate: ends REJECTED"
    )
    demo.add_argument(
        "--expect",
        choices=sorted(FINAL_STATUSES),
        help="the status the run should end in (exit 0 if it does); default: what the other flags imply",
    )
    demo.add_argument("--tenant", default="demo-tenant")
    demo.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for the run")
    demo.add_argument(
        "--provider",
        choices=["offline", "anthropic", "openai", "openai_compatible", "bedrock", "replay"],
        help="the deployment's provider (default offline); anthropic/openai read their key from "
        "ANTHROPIC_API_KEY / OPENAI_API_KEY",
    )
    demo.add_argument("--model", help="the provider's model (replay: '<provider>/<model>' of the recording)")
    demo.add_argument("--base-url", help="openai_compatible: the server's URL")
    cassette = demo.add_mutually_exclusive_group()
    cassette.add_argument("--record", metavar="CASSETTE", help="write every model answer to this cassette")
    cassette.add_argument(
        "--replay", metavar="CASSETTE", help="answer from this cassette (with --provider replay)"
    )
    demo.set_defaults(func=cmd_demo)

    local = commands.add_parser("local", help="the local cloud")
    local_commands = local.add_subparsers(dest="local_command", required=True)
    up = local_commands.add_parser("up", help="start the local cloud and keep it running")
    up.add_argument("--api-port", type=int, default=8080)
    up.add_argument("--aws-port", type=int, default=4566)
    up.add_argument("--tenant", default="demo-tenant")
    up.set_defaults(func=cmd_local_up)

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

    token = commands.add_parser("token", help="mint a token signed by the local signing key")
    token.add_argument("--tenant", required=True)
    token.add_argument("--role", default="user", choices=["admin", "user", "viewer"])
    token.add_argument("--subject", default="local-user")
    token.add_argument("--ttl", type=int, default=3600)
    token.set_defaults(func=cmd_token)

    _add_tenants_parser(commands)
    return parser


def _add_tenants_parser(commands: Any) -> None:
    from infra.tenant_admin import PLAN_HELP
    from orchestrator.tenancy.plans import DEFAULT_PLAN, PLANS

    tenants = commands.add_parser(
        "tenants",
        help="onboard, disable and list tenants (the local cloud, or a deployed stack with --stack)",
    )
    sub = tenants.add_subparsers(dest="tenants_command", required=True)

    def limit_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--requests-per-minute", type=int, help="overrides the plan's request rate")
        parser.add_argument("--max-concurrent-runs", type=int, help="overrides the plan's concurrent runs")

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


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (TimeoutError, requests.RequestException, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
