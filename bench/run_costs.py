"""What one run of every template costs in AWS charges (model tokens apart), as the product reports it.

Starts the local cloud (moto, the real state machines, the real Lambda handlers in worker
processes, each with its declared memory size), runs every template's sample request through the
HTTP API with the offline provider (approving at every gate), and reads ``GET /runs/{id}``: the
``infrastructure_cost_usd`` the run's functions counted and priced themselves, its breakdown by
service, the requests counted (DynamoDB, S3, EventBridge, Lambda) and the estimated Step Functions
transitions, which are compared with the transitions of the execution's own history. Fails (exit
1) if a run does not succeed or if any counted request is a ``Scan``; says so (MISSED) when the
``generic`` run costs more than 0.0005 USD.

Lambda's share is memory x the invocations' durations as measured here: on the local cloud every
AWS call is an HTTP request to the emulation, and a loaded machine stretches every invocation (the
load average is printed with the table), so it is an upper bound of what the same run costs on AWS.
After the runs, each function's peak memory (its workers' ``VmHWM``) is printed beside its memory
size: the peaks of the agents of every template run (``bench/step_overhead.py`` runs ``generic``
only).

    .venv/bin/python bench/run_costs.py [--templates generic,data_science] [--json] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "functions")]

from infra.cli.demo_requests import demo_body  # noqa: E402
from infra.cli.narration import flatten_steps  # noqa: E402
from infra.local.cloud import LocalCloud  # noqa: E402
from orchestrator.templates import catalog  # noqa: E402

FINAL = {"SUCCEEDED", "COMPENSATED", "COMPENSATION_FAILED", "FAILED_TO_START", "REJECTED", "CANCELLED"}
GENERIC_BOUND_USD = 0.0005
SERVICES = ("stepfunctions", "lambda", "dynamodb", "s3", "events", "sqs", "apigateway")


class Api:
    def __init__(self, cloud: LocalCloud) -> None:
        self.url = cloud.api_url
        self.token = cloud.mint_token(tenant_id="bench-costs", subject="bench")
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = requests.request(method, self.url + path, headers=self.headers, timeout=60, **kwargs)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return dict(response.json())

    def finish(self, run_id: str, timeout: float = 600) -> dict[str, Any]:
        """The run's view once it ended, approving at every gate on the way."""
        deadline, decided = time.monotonic() + timeout, set()
        while time.monotonic() < deadline:
            view = self.call("GET", f"/runs/{run_id}")
            if view["status"] in FINAL:
                return view
            gate = (view.get("awaiting") or {}).get("step")
            if view["status"] == "AWAITING_APPROVAL" and gate not in decided:
                decided.add(gate)
                self.call(
                    "POST", f"/runs/{run_id}/approval", json={"decision": "approve", "comment": "bench"}
                )
            time.sleep(0.2)
        raise TimeoutError(f"run {run_id} did not end")


def history_transitions(cloud: LocalCloud, execution_arn: str) -> int:
    """States entered, as the execution's history has them (the emulation's Map iterations included)."""
    sfn, count, token = cloud.client("stepfunctions"), 0, None
    while True:
        page = sfn.get_execution_history(
            executionArn=execution_arn, maxResults=1000, **({"nextToken": token} if token else {})
        )
        count += sum(1 for event in page["events"] if event["type"].endswith("StateEntered"))
        token = page.get("nextToken")
        if not token:
            return count


def measure(cloud: LocalCloud, api: Api, template: str) -> dict[str, Any]:
    run_id = api.call("POST", "/runs", json=demo_body(api.url, api.token, template))["run_id"]
    view = api.finish(run_id)  # the status write that ended it carried the last counts
    detail = view["infrastructure_cost"]
    counted, estimated = detail["counted"], detail["estimated"]
    requests_by_service: dict[str, int] = {}
    for name, count in counted["requests"].items():
        service = name.split(":", 1)[0]
        requests_by_service[service] = requests_by_service.get(service, 0) + count
    return {
        "template": template,
        "status": view["status"],
        "infrastructure_cost_usd": view["infrastructure_cost_usd"],
        "by_service_usd": detail["by_service_usd"],
        "requests_by_service": requests_by_service,
        "requests": counted["requests"],
        "scans": sum(n for name, n in counted["requests"].items() if name.endswith(":Scan")),
        "lambda_invocations": counted["lambda_invocations"],
        "lambda_gb_seconds": counted["lambda_gb_seconds"],
        "dynamodb_units": {"read": counted["read_units"], "write": counted["write_units"]},
        "event_entries": counted["event_entries"],
        "gb_seconds_per_invocation": round(
            counted["lambda_gb_seconds"] / (counted["lambda_invocations"] or 1), 3
        ),
        "requests_per_step": {
            step.get("label") or step["step"]: step["aws_usage"]["requests"]
            for step in flatten_steps(view["steps"])
            if step.get("aws_usage")
        },
        "transitions_estimated": estimated.get("state_transitions", 0),
        "transitions_in_history": history_transitions(cloud, view["execution_arn"]),
        "model_cost_usd": view["total_cost_usd"],
    }


def peak_memory(cloud: LocalCloud) -> list[dict[str, Any]]:
    """Each function's peak memory over the runs (its running workers' ``VmHWM``, as
    ``bench/step_overhead.py`` reads it), beside its memory size: the agents of every template run."""
    import step_overhead

    step_overhead.CLOUD[:] = [cloud]
    return [
        {key: row[key] for key in ("function", "handler", "peak_mib", "memory_mb")}
        for row in step_overhead.memory_by_function(cloud, {}, 1)
    ]


def print_memory(memory: list[dict[str, Any]]) -> None:
    print("\npeak memory per function (MiB) and its memory size (MB)")
    for row in memory:
        print(f"{row['function'][:60]:60} {row['handler']:28} {row['peak_mib']:>8} {row['memory_mb']!s:>6}")


def print_table(rows: list[dict[str, Any]], load: str) -> None:
    print("AWS cost per run (model tokens apart), us-east-1 list prices, offline model, local cloud")
    print(f"load average at the end: {load}")
    head = [
        "template",
        "status",
        "USD/run",
        *(f"{s} USD" for s in SERVICES),
        "requests",
        "Lambda",
        "transitions",
    ]
    print(" | ".join(head))
    for row in rows:
        cells = [
            row["template"],
            row["status"],
            f"{row['infrastructure_cost_usd']:.6f}",
            *(f"{row['by_service_usd'].get(s, 0.0):.6f}" for s in SERVICES),
            str(sum(row["requests"].values())),
            f"{row['lambda_invocations']} ({row['lambda_gb_seconds']:.2f} GB-s)",
            f"{row['transitions_estimated']} (history {row['transitions_in_history']})",
        ]
        print(" | ".join(cells))


def failures(rows: list[dict[str, Any]]) -> list[str]:
    found = [f"{row['template']}: ended {row['status']}" for row in rows if row["status"] != "SUCCEEDED"]
    return found + [f"{row['template']}: {row['scans']} Scan requests" for row in rows if row["scans"]]


def over_bound(rows: list[dict[str, Any]]) -> list[str]:
    return [
        f"generic: {row['infrastructure_cost_usd']} USD > {GENERIC_BOUND_USD} "
        f"(Lambda {row['by_service_usd'].get('lambda', 0.0):.6f} USD, "
        f"{row['gb_seconds_per_invocation']} GB-s an invocation)"
        for row in rows
        if row["template"] == "generic" and row["infrastructure_cost_usd"] > GENERIC_BOUND_USD
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--templates", default=",".join(catalog.NAMES), help="comma-separated template names")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "run_costs.json")
    args = parser.parse_args()

    templates = [name for name in args.templates.split(",") if name]
    unknown = sorted(set(templates) - set(catalog.NAMES))
    if unknown:
        parser.error(f"unknown templates {unknown}; known: {', '.join(catalog.NAMES)}")
    with tempfile.TemporaryDirectory(prefix="bench-run-costs-") as state, LocalCloud(Path(state)) as cloud:
        api = Api(cloud)
        rows = [measure(cloud, api, template) for template in templates]
        memory = peak_memory(cloud)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    load = (
        Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3]
        if Path("/proc/loadavg").exists()
        else []
    )
    result = {"load_average": " ".join(load), "runs": rows, "memory": memory}
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result))
    else:
        print_table(rows, result["load_average"])
        print_memory(memory)
    missed = failures(rows)
    for line in [*missed, *over_bound(rows)]:
        print(f"MISSED: {line}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
