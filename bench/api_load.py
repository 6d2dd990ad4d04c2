"""A burst of concurrent ``POST /runs`` at the local cloud: every request answered, every run ends.

Starts the local cloud, then sends ``--requests`` requests at once (one thread each, each its
own connection) and reports: how many got 202, how many other answers, how many connection
errors (refused or reset), the time until every request was answered, and the time until
every accepted run reached a final status. Nothing may be lost: every 202's run must be
listed by ``GET /runs`` and end.

Targets: zero connection errors, every request answered 202 (the tenant's limits allow the
burst), every run ends ``SUCCEEDED`` (exit 1 otherwise; ``--no-fail`` only reports).

    .venv/bin/python bench/api_load.py [--requests 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "functions")]

from infra.local.cloud import LocalCloud  # noqa: E402
from orchestrator.tenancy.plans import TenantLimits  # noqa: E402

CLIENT_TIMEOUT_SECONDS = 600
"""The burst queues at the API function's 10 concurrent executions while its runs execute on the
same cores: a request waits its turn (API Gateway itself would answer 504 after 29 s)."""
FINAL = {"SUCCEEDED", "COMPENSATED", "COMPENSATION_FAILED", "FAILED_TO_START", "REJECTED", "CANCELLED"}


def _post(url: str, token: str, index: int) -> tuple[str, str | None]:
    """('202', run id) or (other status, None) or ('connection error: ...', None)."""
    try:
        response = requests.post(
            f"{url}/runs",
            json={"topic": f"load test run {index}"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=CLIENT_TIMEOUT_SECONDS,
        )
    except requests.ConnectionError as exc:
        return f"connection error: {type(exc.__cause__ or exc).__name__}", None
    except requests.Timeout:
        return f"no answer within {CLIENT_TIMEOUT_SECONDS} s", None
    if response.status_code == 202:
        return "202", str(response.json()["run_id"])
    return str(response.status_code), None


def _all_runs(url: str, token: str) -> dict[str, str]:
    found: dict[str, str] = {}
    cursor = None
    while True:
        params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        page = requests.get(
            f"{url}/runs", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ).json()
        found |= {run["run_id"]: run["status"] for run in page["runs"]}
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for every run to end")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-fail", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-local-cloud-") as state, LocalCloud(Path(state)) as cloud:
        # the tenant's plan must admit the burst: its limits are not what this measures
        cloud.onboard(
            "load",
            plan="enterprise",
            limits=TenantLimits(requests_per_minute=100_000, max_concurrent_runs=max(args.requests, 1)),
        )
        token = cloud.mint_token(tenant_id="load", subject="load")
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.requests) as pool:
            answers = list(pool.map(lambda i: _post(cloud.api_url, token, i), range(args.requests)))
        answered_s = time.monotonic() - started
        accepted = {run_id for status, run_id in answers if run_id}
        deadline = time.monotonic() + args.timeout
        listed = _all_runs(cloud.api_url, token)
        while time.monotonic() < deadline and not all(listed.get(run_id) in FINAL for run_id in accepted):
            time.sleep(1)
            listed = _all_runs(cloud.api_url, token)
        ended_s = time.monotonic() - started

    outcomes = Counter(status for status, _ in answers)
    final = Counter(listed.get(run_id, "LOST") for run_id in accepted)
    report: dict[str, Any] = {
        "requests": args.requests,
        "answers": dict(outcomes),
        "connection_errors": sum(n for status, n in outcomes.items() if status.startswith("connection")),
        "all_answered_seconds": round(answered_s, 2),
        "runs_accepted": len(accepted),
        "runs_final": dict(final),
        "all_ended_seconds": round(ended_s, 2),
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{args.requests} concurrent POST /runs on the local cloud")
        print(f"  answers:           {dict(outcomes)}")
        print(f"  connection errors: {report['connection_errors']}")
        print(f"  all answered in:   {report['all_answered_seconds']} s")
        print(f"  runs ended:        {dict(final)} ({report['all_ended_seconds']} s after the burst began)")
    ok = (
        report["connection_errors"] == 0
        and outcomes.get("202", 0) == args.requests
        and final.get("SUCCEEDED", 0) == len(accepted)
    )
    if not ok:
        print("MISSED: every request answered 202 and every run SUCCEEDED", file=sys.stderr)
    return 0 if ok or args.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
