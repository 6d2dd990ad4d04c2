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

FINAL_STATUSES = {"SUCCEEDED", "COMPENSATED", "COMPENSATION_FAILED", "FAILED_TO_START"}
MARKS = {"SUCCEEDED": "ok", "FAILED": "!!", "COMPENSATED": "<<", "NOT_STARTED": "..", "RUNNING": ">>"}


def _print(text: str = "") -> None:
    print(text, flush=True)


def _phase_line(phase: dict[str, Any]) -> str:
    status = phase["status"]
    meta = phase.get("metadata") or {}
    attempts = meta.get("attempts")
    parts = [f"  [{MARKS.get(status, '??')}] {phase['phase']:<12} {status:<12}"]
    if attempts:
        parts.append(f"attempt {attempts}")
    if meta.get("provider"):
        parts.append(meta["provider"])
    if phase.get("processing_time_ms") is not None and status == "SUCCEEDED":
        parts.append(f"{phase['processing_time_ms']} ms")
    line = "  ".join(parts)
    if phase.get("summary") and status == "SUCCEEDED":
        line += f"\n         {phase['summary']}"
    if phase.get("errors") and status == "FAILED":
        line += f"\n         {phase['errors'][-1]}"
    return line


def follow_run(api_url: str, token: str, run_id: str, timeout: float) -> dict[str, Any]:
    """Print each phase's progress as it changes; return the final run view."""
    headers = {"Authorization": f"Bearer {token}"}
    seen: dict[str, tuple[str, int | None]] = {}
    status = ""
    deadline = time.time() + timeout
    view: dict[str, Any] = {}
    while time.time() < deadline:
        response = requests.get(f"{api_url}/runs/{run_id}", headers=headers, timeout=10)
        response.raise_for_status()
        view = response.json()
        for phase in view["phases"]:
            key = (phase["status"], (phase.get("metadata") or {}).get("attempts"))
            if phase["status"] != "NOT_STARTED" and seen.get(phase["phase"]) != key:
                seen[phase["phase"]] = key
                _print(_phase_line(phase))
        if view["status"] != status:
            status = view["status"]
            _print(f"run {run_id}: {status}")
        if status in FINAL_STATUSES:
            return view
        time.sleep(0.25)
    raise TimeoutError(
        f"run {run_id} did not finish within {timeout:.0f} s (last status {status or 'unknown'})"
    )


def summarize(view: dict[str, Any], events: list[dict[str, Any]]) -> None:
    _print()
    _print(
        f"Run {view['run_id']} ({view['template']}) ended {view['status']} in {view.get('duration_ms')} ms"
    )
    _print(f"  topic:          {view['topic']}")
    _print(f"  correlation id: {view['correlation_id']}")
    _print(f"  execution:      {view.get('execution_arn')}")
    _print(f"  console:        {view.get('execution_console_url')}")
    _print(f"  tokens: {view.get('total_tokens')}, estimated cost: ${view.get('total_cost_usd')}")
    providers = {(p.get("metadata") or {}).get("provider") for p in view["phases"]} - {None}
    if "offline" in providers:
        _print("  provider: offline (deterministic text, no model was called)")
    if view.get("error"):
        _print(
            f"  failed phase: {view.get('failed_phase')}: {view['error']['name']}: {view['error']['message']}"
        )
    if view.get("compensated_phases") is not None and view["status"] != "SUCCEEDED":
        _print(f"  compensated (in order): {', '.join(view['compensated_phases']) or 'nothing to undo'}")
    _print(f"  events ({len(events)}): " + ", ".join(e["event_type"] for e in events))


def cmd_demo(args: argparse.Namespace) -> int:
    from infra.local.cloud import LocalCloud

    _print("Starting the local cloud (synthesizing the CDK app, deploying it onto moto)...")
    started = time.time()
    with LocalCloud(Path(args.state_dir) if args.state_dir else None) as cloud:
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
        )


def run_demo(
    api_url: str, token: str, *, template: str, topic: str, fail_phase: str | None, timeout: float
) -> int:
    """Submit one run through the HTTP API, follow it, summarize it; 0 if it ended as expected."""
    body: dict[str, Any] = {"template": template, "topic": topic}
    if fail_phase:
        body["options"] = {"simulate_failure": {"phase": fail_phase}}
    _print(f"POST {api_url}/runs {json.dumps(body)}")
    response = requests.post(
        f"{api_url}/runs", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    if response.status_code != 202:
        _print(f"the API refused the run: {response.status_code} {response.text}")
        return 2
    run_id = response.json()["run_id"]
    view = follow_run(api_url, token, run_id, timeout)
    summarize(view, _wait_for_events(api_url, token, run_id, view))
    expected = "COMPENSATED" if fail_phase else "SUCCEEDED"
    if view["status"] != expected:
        _print(f"expected {expected}, got {view['status']}")
        return 1
    return 0


def _wait_for_events(api_url: str, token: str, run_id: str, view: dict[str, Any]) -> list[dict[str, Any]]:
    """The audit trail is written asynchronously (EventBridge rule, no ordering): wait for the
    run's last event, then until no more arrive."""
    final_event = {
        "SUCCEEDED": "ORCHESTRATION_COMPLETED",
        "COMPENSATED": "ORCHESTRATION_COMPENSATED",
        "COMPENSATION_FAILED": "COMPENSATION_FAILED",
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

A token for tenant '{args.tenant}' (role admin, valid 1 h; `orchestrator token` mints more):
  export TOKEN={token}

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


def cmd_token(args: argparse.Namespace) -> int:
    from infra.local.assembly import REPO_ROOT
    from infra.local.tokens import LocalSigningKey

    key = LocalSigningKey.load_or_create(
        Path(args.state_dir) if args.state_dir else REPO_ROOT / ".local-cloud"
    )
    _print(key.mint(tenant_id=args.tenant, role=args.role, subject=args.subject, ttl_seconds=args.ttl))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orchestrator", description="Multi-tenant serverless AI orchestrator"
    )
    parser.add_argument("--state-dir", help="where the local cloud keeps its files (default: .local-cloud)")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run one orchestration on the local cloud through the HTTP API")
    demo.add_argument("--template", default="generic")
    demo.add_argument("--topic", default="A web app that helps families plan weekly meals")
    demo.add_argument("--fail-phase", help="make this phase fail for good: the run ends COMPENSATED")
    demo.add_argument("--tenant", default="demo-tenant")
    demo.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for the run")
    demo.set_defaults(func=cmd_demo)

    local = commands.add_parser("local", help="the local cloud")
    local_commands = local.add_subparsers(dest="local_command", required=True)
    up = local_commands.add_parser("up", help="start the local cloud and keep it running")
    up.add_argument("--api-port", type=int, default=8080)
    up.add_argument("--aws-port", type=int, default=4566)
    up.add_argument("--tenant", default="demo-tenant")
    up.set_defaults(func=cmd_local_up)

    token = commands.add_parser("token", help="mint a token signed by the local signing key")
    token.add_argument("--tenant", required=True)
    token.add_argument("--role", default="user", choices=["admin", "user", "viewer"])
    token.add_argument("--subject", default="local-user")
    token.add_argument("--ttl", type=int, default=3600)
    token.set_defaults(func=cmd_token)
    return parser


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
