"""``orchestrator demo``: start the local cloud, submit one run through the HTTP API, watch it as
``orchestrator runs watch`` does, and summarize it."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from infra.cli.api_client import ApiClient
from infra.cli.console import say
from infra.cli.demo_resume import last_agent_step, resume_demo
from infra.cli.narration import FINAL_STATUSES, decider, summarize, wait_for_events
from infra.cli.run_events import subscribe
from infra.cli.watch import follow, pushed

DEMO_KEY_SECRET = "orchestrator/provider-api-key"  # noqa: S105 - a secret's name
_KEY_VARIABLES = {"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY"}


def add_parser(commands: Any) -> None:
    demo = commands.add_parser("demo", help="run one orchestration on the local cloud through the HTTP API")
    demo.add_argument(
        "--template", help="the template to run (default generic; with --resume web_development)"
    )
    demo.add_argument("--topic", help="the run's topic (default: the template's sample request)")
    demo.add_argument("--fail-phase", help="make this agent step fail for good: the run ends COMPENSATED")
    demo.add_argument(
        "--resume",
        action="store_true",
        help="fail the run at its last step (or --fail-phase), then resume it to SUCCEEDED: the steps "
        "reused and the tokens saved",
    )
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


def cmd_demo(args: argparse.Namespace) -> int:
    from infra.local.cloud import LocalCloud

    context, key = demo_provider_context(args)
    say("Starting the local cloud (synthesizing the CDK app, deploying it onto moto)...")
    started = time.time()
    with LocalCloud(Path(args.state_dir) if args.state_dir else None, context=context) as cloud:
        if key is not None:  # the key goes to the emulated Secrets Manager, never into the template
            cloud.client("secretsmanager").create_secret(Name=DEMO_KEY_SECRET, SecretString=key)
        say(
            f"  ready in {time.time() - started:.1f} s: "
            f"API {cloud.api_url}, AWS endpoint {cloud.aws_endpoint}"
        )
        template = args.template or ("web_development" if args.resume else "generic")
        return run_demo(
            cloud.api_url,
            cloud.mint_token(tenant_id=args.tenant, role="user", subject="demo-user"),
            template=template,
            topic=args.topic,
            fail_phase=args.fail_phase or (last_agent_step(template) if args.resume else None),
            resume=args.resume,
            timeout=args.timeout,
            decision="reject" if args.reject else "approve",
            expect=args.expect,
            aws_endpoint=cloud.aws_endpoint,
            websocket_url=cloud.websocket_url,
        )


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
    aws_endpoint: str | None = None,
    websocket_url: str | None = None,
    resume: bool = False,
) -> int:
    """Submit one run through the HTTP API, follow it, summarize it; 0 if it ended as expected.
    ``aws_endpoint``: the local cloud's emulated AWS (its runs have no AWS console page);
    ``websocket_url``: its WebSocket API, whose events of the run wake the watching (else polling);
    ``resume``: then resume the failed run (``demo_resume``): 0 if the new run SUCCEEDED."""
    from infra.cli.demo_requests import demo_body, demo_declaration

    client = ApiClient(api_url, token)
    body = demo_body(api_url, token, template, topic)
    if fail_phase:
        body["options"] = {"simulate_failure": {"step": fail_phase}}
    say(f"POST {api_url}/runs {json.dumps(body)}")
    response = client.submit_run(body)
    if response.status_code != 202:
        say(f"the API refused the run: {response.status_code} {response.text}")
        return 2
    run_id = response.json()["run_id"]

    def follow_to_the_end(watched: str) -> dict[str, Any]:
        """Follow a run until it ends (deciding at its gates), print its summary; its last view."""
        wakeups = None
        if websocket_url:
            wakeups = pushed(lambda: subscribe(websocket_url, token, watched), watched, idle=1.0)
        on_view = decider(client, watched, decision)
        seen = follow(client, watched, timeout=timeout, wakeups=wakeups, on_view=on_view, poll_interval=0.25)
        summarize(seen, wait_for_events(client, watched, seen), aws_endpoint=aws_endpoint)
        return seen

    view = follow_to_the_end(run_id)
    query = demo_declaration(template).get("search")
    if query and view["status"] == "SUCCEEDED":
        _search_demo(client, run_id, str(query))
    gates = any(step["kind"] == "approval" for step in view["steps"])
    expected = expect or (
        "COMPENSATED" if fail_phase else "REJECTED" if gates and decision == "reject" else "SUCCEEDED"
    )
    if view["status"] != expected:
        say(f"expected {expected}, got {view['status']}")
        return 1
    if resume:
        return resume_demo(client, run_id, follow_to_the_end)
    return 0


def _search_demo(client: ApiClient, run_id: str, query: str) -> None:
    """Search the collection the run wrote, as a client would."""
    response = client.search(run_id, query, top_k=3)
    say(f'POST /collections/{run_id}/search {{"query": "{query}"}} -> {response.status_code}')
    for hit in response.json().get("results", []) if response.ok else []:
        say(f"  {hit['score']:.3f}  {hit['path']}:{hit['start_line']}-{hit['end_line']}  {hit['name']}")
