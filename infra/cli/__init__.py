"""The ``orchestrator`` command: one module per group of subcommands (demo, local, runs, token,
tenants); the HTTP API client (api_client.py), which API and token (target.py), the narration
(narration.py), the live progress (progress.py, watch.py), the run tables (run_tables.py) and the
templates' sample requests (demo_requests.py) apart."""

from __future__ import annotations

import argparse
import os

import requests

from infra.cli import demo, local_cloud, runs, tenants, tokens
from infra.cli.api_client import ApiError
from infra.cli.console import UsageError, note


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orchestrator", description="Multi-tenant serverless AI orchestrator"
    )
    parser.add_argument("--state-dir", help="where the local cloud keeps its files (default: .local-cloud)")
    commands = parser.add_subparsers(dest="command", required=True)
    for group in (demo, local_cloud, runs, tokens, tenants):
        group.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as exc:
        note(f"error: {exc}")
        return 2
    except ApiError as exc:  # the API refused (404: what was named does not exist: 2) or did not answer
        note(f"error: {exc}")
        return exc.exit_code
    except (TimeoutError, requests.RequestException, RuntimeError) as exc:
        note(f"error: {exc}")
        return 1
