"""CPU of a new Lambda worker's first boto3 clients, forked as the local runtime forks its workers.

A process imports what the zygote preloads, then forks ``--rounds`` children one after the other;
each makes what a function touching tenant data makes on its first invocation: the function's own
session with its EventBridge, STS and DynamoDB clients, and a tenant data session with the DynamoDB
resource and an S3 client (``orchestrator.adapters.aws_clients``). Printed: the median CPU of a
child's clients, in four settings: as before (each session parses botocore's models), the tenant
session sharing the function's loader, the zygote's models (``lambda_zygote._share_botocore_models``),
and both (what the local cloud does now). No request is sent.

    .venv/bin/python bench/worker_first_clients.py [--rounds 7] [--json [PATH]]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "infra" / "local")]

from json_output import add_json_argument, report  # noqa: E402

SETTINGS = ("each session parses", "shared loader", "zygote's models", "both")


def first_clients(shared_loader: bool) -> float:
    import boto3
    import botocore.session

    started = time.process_time()
    own = boto3.session.Session()
    for service in ("events", "sts", "dynamodb"):
        own.client(service)
    core = botocore.session.Session()
    if shared_loader:
        core.register_component("data_loader", own._session.get_component("data_loader"))
    tenant = boto3.session.Session(botocore_session=core)
    tenant.resource("dynamodb")
    tenant.client("s3")
    return time.process_time() - started


def forked(shared_loader: bool) -> float:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.write(write, repr(first_clients(shared_loader)).encode())
        os._exit(0)
    os.close(write)
    answer = os.read(read, 64)
    os.close(read)
    os.waitpid(pid, 0)
    return float(answer)


def setting(name: str, rounds: int) -> dict[str, Any]:
    """In a child of its own, so that the zygote's models of one setting do not reach another."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        import lambda_forks
        import lambda_zygote

        if name in ("zygote's models", "both"):
            lambda_zygote._share_botocore_models(list(lambda_forks.PRELOADED_MODELS))
        times = [forked(name in ("shared loader", "both")) for _ in range(rounds)]
        os.write(write, repr(times).encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 4096):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    times = [float(t) for t in b"".join(chunks).decode().strip("[]").split(",")]
    return {"setting": name, "median_ms": round(statistics.median(times) * 1000, 1), "rounds": len(times)}


def render(result: dict[str, Any]) -> str:
    lines = [f"a new worker's first clients, CPU (median of {result['rows'][0]['rounds']} forks):"]
    lines += [f"  {row['setting']:22} {row['median_ms']:>7} ms" for row in result["rows"]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    add_json_argument(parser)
    args = parser.parse_args()
    fake = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "us-east-1"}
    os.environ.update(fake)  # no request is sent: any credentials do
    import boto3  # noqa: F401 - preloaded, as in the zygote
    import botocore.client
    import botocore.session  # noqa: F401

    report(args.json, {"rows": [setting(name, args.rounds) for name in SETTINGS]}, render)
    return 0


if __name__ == "__main__":
    sys.exit(main())
