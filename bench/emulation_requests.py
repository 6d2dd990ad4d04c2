"""The CPU of each kind of request a run makes, through the local cloud's AWS endpoint, in one process.

Starts the endpoint the local cloud serves (``aws_server.KeepAliveMotoServer`` with the cloud's
moto adaptations and speedups) or, with ``--moto-own``, moto's own server (a connection per
request) with none of the speedups, and sends each kind of request ``--requests`` times from one
boto3 client in this process, after a warm-up: ``PutItem``, ``GetItem``, ``Query`` (a partition of
twelve step items with nested results), ``UpdateItem`` (ten attributes set), ``PutEvents`` (three
entries), an SQS send, receive and delete, and a send and a receive of a FIFO queue holding a
backlog of ``BACKLOG`` messages of one group behind a batch in flight (the push queue in a burst),
and a 1 s long poll of it (``LONG_POLLS`` times). Printed per request: the CPU of the server's thread
(``time.thread_time`` around the request) and of the whole process (server and client: what a
function's boto3 client spends on the request counts too, as it does in a Lambda worker). One
process, one request at a time: other work on the machine moves these figures less than a run's.

    .venv/bin/python bench/emulation_requests.py [--requests 200] [--moto-own] [--json [PATH]]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "functions")]

from json_output import add_json_argument, report  # noqa: E402

from infra.local import moto_adapters, moto_memory, moto_speedups  # noqa: E402
from infra.local.cloud import free_port  # noqa: E402

STEP = {
    "status": {"S": "SUCCEEDED"},
    "result": {
        "M": {
            "data": {"S": "x" * 300},
            "confidence": {"N": "0.9"},
            "tokens": {"M": {"in": {"N": "100"}, "out": {"N": "50"}}},
            "warnings": {"L": [{"S": "w"}]},
        }
    },
}
FIELDS = [f"f{i}" for i in range(10)]
BACKLOG = 1000
LONG_POLL = "the same, a 1 s long poll (nothing to give)"
LONG_POLLS = 5  # of the long poll, which lasts its second: not --requests of them


class ServerCpu:
    """The CPU the server's threads spent in requests, since the last ``reset``."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import MotoRequestHandler

        self.seconds = 0.0
        handle = MotoRequestHandler.handle_one_request

        def counted(handler: Any) -> None:
            started = time.thread_time()
            try:
                handle(handler)
            finally:
                self.seconds += time.thread_time() - started

        MotoRequestHandler.handle_one_request = counted  # type: ignore[method-assign]


def start(moto_own: bool) -> str:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # fake credentials and region of its own: nothing depends on this machine's setup
    os.environ.update(
        {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}
    )
    if moto_own:
        from moto.server import ThreadedMotoServer as Server
    else:
        from infra.local.aws_server import KeepAliveMotoServer as Server

        for adaptation in (
            moto_adapters.serialize_dynamodb_requests,
            moto_adapters.note_requests,
            moto_adapters.route_requests_by_host_once,
            moto_adapters.count_queue_messages_at_one_instant,
            moto_memory.install_all,
            moto_speedups.install_all,
        ):
            adaptation()
    port = free_port()
    Server(ip_address="127.0.0.1", port=port, verbose=False).start()
    return f"http://127.0.0.1:{port}"


def workload(endpoint: str) -> dict[str, Callable[[], Any]]:
    import boto3

    ddb, events, sqs = (boto3.client(s, endpoint_url=endpoint) for s in ("dynamodb", "events", "sqs"))
    keys = [("pk", "HASH"), ("sk", "RANGE")]
    ddb.create_table(
        TableName="bench",
        KeySchema=[{"AttributeName": n, "KeyType": k} for n, k in keys],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n, _ in keys],
        BillingMode="PAY_PER_REQUEST",
    )
    for i in range(12):
        ddb.put_item(TableName="bench", Item={"pk": {"S": "run"}, "sk": {"S": f"step#{i}"}, **STEP})
    queue = sqs.create_queue(QueueName="bench")["QueueUrl"]
    update = {
        "UpdateExpression": "SET " + ", ".join(f"#{f} = :{f}" for f in FIELDS),
        "ExpressionAttributeNames": {f"#{f}": f for f in FIELDS},
        "ExpressionAttributeValues": {f":{f}": {"S": "v" * 40} for f in FIELDS},
    }

    def queue_round() -> None:
        sqs.send_message(QueueUrl=queue, MessageBody="m" * 400)
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
        if entries:
            sqs.delete_message_batch(QueueUrl=queue, Entries=entries)

    backlog = sqs.create_queue(
        QueueName="bench.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    for start in range(0, BACKLOG, 10):  # the push queue in a burst: one group, a batch in flight
        sqs.send_message_batch(
            QueueUrl=backlog,
            Entries=[
                {"Id": f"{i}", "MessageBody": f"e{start + i}", "MessageGroupId": "g"} for i in range(10)
            ],
        )
    sqs.receive_message(QueueUrl=backlog, MaxNumberOfMessages=10, VisibilityTimeout=3600)

    def backlog_round() -> None:
        sqs.send_message(QueueUrl=backlog, MessageBody="m" * 400, MessageGroupId="g")
        sqs.receive_message(QueueUrl=backlog, MaxNumberOfMessages=10)  # nothing: the group is in flight

    def backlog_poll() -> None:  # a poller's long poll while the other poller's batch is handled
        sqs.receive_message(QueueUrl=backlog, MaxNumberOfMessages=10, WaitTimeSeconds=1)

    item = {"pk": {"S": "run"}, "sk": {"S": "step#put"}, **STEP}
    return {
        "PutItem": lambda: ddb.put_item(TableName="bench", Item=item),
        "GetItem": lambda: ddb.get_item(TableName="bench", Key={"pk": {"S": "run"}, "sk": {"S": "step#1"}}),
        "Query (12 items)": lambda: ddb.query(
            TableName="bench",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "run"}},
        ),
        "UpdateItem (10 attributes)": lambda: ddb.update_item(
            TableName="bench", Key={"pk": {"S": "run"}, "sk": {"S": "step#2"}}, **update
        ),
        "PutEvents (3 entries)": lambda: events.put_events(
            Entries=[{"Source": "bench", "DetailType": "d", "Detail": '{"a": 1}'}] * 3
        ),
        "SQS send, receive, delete (3 requests)": queue_round,
        f"FIFO send, receive: {BACKLOG} behind a batch (2 requests)": backlog_round,
        LONG_POLL: backlog_poll,
    }


def measure(requests: int, moto_own: bool) -> dict[str, Any]:
    server = ServerCpu()
    calls = workload(start(moto_own))
    rows = []
    for name, call in calls.items():
        times = min(requests, LONG_POLLS) if name == LONG_POLL else requests
        for _ in range(1 if name == LONG_POLL else 10):
            call()
        server.seconds, started = 0.0, time.process_time()
        for _ in range(times):
            call()
        process = time.process_time() - started
        rows.append(
            {
                "request": name,
                "server_cpu_ms": round(server.seconds * 1000 / times, 2),
                "process_cpu_ms": round(process * 1000 / times, 2),
            }
        )
    return {
        "server": "moto's own, no speedups" if moto_own else "the local cloud's",
        "requests_each": requests,
        "load_average": os.getloadavg(),
        "rows": rows,
    }


def render(result: dict[str, Any]) -> str:
    load = ", ".join(f"{x:.1f}" for x in result["load_average"])
    lines = [
        f"{result['server']} endpoint, {result['requests_each']} of each, load average {load}",
        f"{'request':40} {'server thread ms':>17} {'process ms':>11}",
    ]
    lines += [f"{r['request']:40} {r['server_cpu_ms']:>17} {r['process_cpu_ms']:>11}" for r in result["rows"]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="of each kind, after 10 to warm up")
    parser.add_argument("--moto-own", action="store_true", help="moto's own server, without the speedups")
    add_json_argument(parser)
    args = parser.parse_args()
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    report(args.json, measure(args.requests, args.moto_own), render)
    os._exit(0)  # the servers' threads are not joined


if __name__ == "__main__":
    sys.exit(main())
