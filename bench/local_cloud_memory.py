"""The local cloud's own memory per run: what the emulation keeps after ``generic`` runs.

Starts a local cloud in this process (its state saved, as ``orchestrator local up`` does), runs two
``generic`` runs to warm it up, then ``--runs`` more (5 at a time), lets its deliveries drain and
prints the process's resident memory (RSS) before and after, per run. With ``--trace`` it also
compares ``tracemalloc`` snapshots taken before and after the runs and prints the allocations still
held, per run, grouped by file and by line (the runs are several times slower), and how many of
moto's DynamoDB ``Item`` objects are alive against how many items the tables hold.

    .venv/bin/python bench/local_cloud_memory.py [--runs 10] [--trace]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "functions")]

FINAL = {"SUCCEEDED", "COMPENSATED", "COMPENSATION_FAILED", "FAILED_TO_START", "REJECTED", "CANCELLED"}
DRAIN_SECONDS = 25.0
MAX_REFUSED_POLLS = 20


def rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def run_generic(api_url: str, token: str, count: int, first: int) -> list[str]:
    """``count`` generic runs, 5 at a time; how each ended."""
    headers = {"Authorization": f"Bearer {token}"}

    def one(index: int) -> str:
        body = {"template": "generic", "topic": f"memory {index}"}
        answer = requests.post(f"{api_url}/runs", json=body, headers=headers, timeout=300)
        answer.raise_for_status()
        run_id = answer.json()["run_id"]
        refused = 0
        while True:
            reply = requests.get(f"{api_url}/runs/{run_id}", headers=headers, timeout=300)
            if reply.status_code != 200:  # a poll the API could not answer in time (traced: slow)
                refused += 1
                if refused > MAX_REFUSED_POLLS:
                    raise RuntimeError(f"GET /runs/{run_id} answered {reply.status_code}: {reply.text[:200]}")
            elif reply.json()["status"] in FINAL:
                return str(reply.json()["status"])
            time.sleep(0.5)

    with ThreadPoolExecutor(5) as pool:
        return list(pool.map(one, range(first, first + count)))


def dynamodb_items(account: str, region: str) -> tuple[int, int, int]:
    """(items the tables hold, moto ``Item`` objects alive in the process, and of those how many
    are held as their JSON text: ``infra/local/packed_items.py``)."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import Item

    backend = dynamodb_backends[account][region]
    stored = sum(1 for table in backend.tables.values() for _ in table.all_items())
    alive = [o for o in gc.get_objects() if isinstance(o, Item)]
    return stored, len(alive), sum(1 for o in alive if type(o) is not Item)


def report_trace(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, runs: int) -> None:
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__)]
    before, after = before.filter_traces(ignore), after.filter_traces(ignore)
    for group, top in (("filename", 15), ("lineno", 15)):
        stats = after.compare_to(before, group)
        total = sum(s.size_diff for s in stats)
        print(f"held after the runs, by {group}: {total / runs / 1024:.0f} KiB per run in all")
        for stat in stats[:top]:
            print(f"  {stat.size_diff / runs / 1024:8.1f} KiB/run  {stat.traceback[0]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--trace", action="store_true", help="tracemalloc snapshots (slower)")
    args = parser.parse_args()
    from infra.local.cloud import ACCOUNT_ID, LocalCloud
    from orchestrator.tenancy.plans import TenantLimits

    roomy = TenantLimits(requests_per_minute=100_000, max_concurrent_runs=100)
    with (
        tempfile.TemporaryDirectory(prefix="bench-cloud-memory-") as state,
        LocalCloud(Path(state), persist=True, tenant_plan="enterprise", tenant_limits=roomy) as cloud,
    ):
        token = cloud.mint_token(tenant_id="memory", subject="bench")
        run_generic(cloud.api_url, token, 2, 0)
        time.sleep(DRAIN_SECONDS)
        gc.collect()
        if args.trace:
            tracemalloc.start(8)
        before, snapshot = rss_mib(), tracemalloc.take_snapshot() if args.trace else None
        ended = run_generic(cloud.api_url, token, args.runs, 100)
        time.sleep(DRAIN_SECONDS)
        gc.collect()
        after = rss_mib()
        print(f"{args.runs} runs: {dict((s, ended.count(s)) for s in set(ended))}")
        print(
            f"RSS {before:.1f} MiB before, {after:.1f} MiB after: "
            f"{(after - before) / args.runs:.2f} MiB per run"
        )
        stored, alive, packed = dynamodb_items(ACCOUNT_ID, cloud.region)
        print(f"DynamoDB: {stored} items stored, {alive} moto Item objects alive ({packed} held as text)")
        if snapshot is not None:
            report_trace(snapshot, tracemalloc.take_snapshot(), args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
