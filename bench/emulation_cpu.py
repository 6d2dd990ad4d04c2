"""The local cloud's emulation CPU per AWS request, by action, and (``--profile``) where it goes.

Starts a local cloud in this process (moto's server, the real state machines, the real handlers
in Lambda worker processes), runs two ``generic`` runs to warm it up (offline model at zero
latency), then ``--runs`` more, ``--concurrency`` at a time, and counts every request moto's server
answers: its action (``X-Amz-Target``, or the method and path), and the CPU its server thread spent
on it (``time.thread_time`` around the request on its connection: HTTP parsing, moto's dispatch,
the backend, the answer; a connection kept open between requests ends with a wait that reads no
request, its CPU counted apart). The process's own CPU over the runs (every thread: the server's, the Step
Functions interpreter's, event deliveries, the API gateway's, this script's polling; the Lambda
workers are other processes) is printed beside it, per request.

With ``--profile`` every thread started during the runs is profiled (``cProfile``, several times
slower: the CPU figures of a profiled pass are not the ones to quote) and the time spent in each
function's own code (tottime) is summed by package (werkzeug, flask, moto's DynamoDB, botocore,
json...) and listed by function.

With ``--map-items N`` the runs are ``graph_showcase`` runs instead, one at a time, polled once a
second, each map over N items at a bound of 1 (zero latency, the approval gate approved): two
counts (``--map-items 1`` and ``--map-items 8``) give what an item costs, their difference over 7.

    .venv/bin/python bench/emulation_cpu.py [--runs 20] [--concurrency 2] [--profile [PATH]]
        [--map-items N] [--poll SECONDS] [--json [PATH]]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "functions")]

from cpu_components import ComponentSampler, per_run_rows  # noqa: E402
from json_output import add_json_argument, report  # noqa: E402
from map_concurrency import FINAL, Api, measure_once  # noqa: E402

from infra.local.cloud import LocalCloud  # noqa: E402

TOPIC = "Measure the emulation's CPU per request"
CLOSED = "(connection closed, no request)"
_local = threading.local()


class Requests:
    """Every request moto's server answered while counting: action -> [count, thread CPU seconds]."""

    def __init__(self) -> None:
        self.counting = False
        self.by_action: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        self.lock = threading.Lock()
        self.profiles: ThreadProfiles | None = None  # with --profile: each request's CPU profiled

    def install(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler

        dispatch, handle = DomainDispatcherApplication.__call__, MotoRequestHandler.handle_one_request

        def __call__(app: Any, environ: dict[str, Any], start_response: Any) -> Any:
            _local.action = action_of(environ)
            return dispatch(app, environ, start_response)

        def counted(handler: Any) -> None:
            started, _local.action = time.thread_time(), CLOSED
            profile = self.profiles.per_request() if self.profiles else None
            if profile:
                profile.enable()
            try:
                handle(handler)
            finally:
                if profile:
                    profile.disable()
                if self.counting:
                    with self.lock:
                        row = self.by_action[_local.action]
                        row[0] += 1
                        row[1] += time.thread_time() - started

        DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]
        MotoRequestHandler.handle_one_request = counted  # type: ignore[method-assign]

    def total(self) -> tuple[int, float]:
        """The requests counted (a connection's end is none) and their server threads' CPU."""
        count = sum(r[0] for action, r in self.by_action.items() if action != CLOSED)
        return int(count), sum(r[1] for r in self.by_action.values())


def action_of(environ: dict[str, Any]) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return str(target).rsplit(".", 1)[-1]
    host = str(environ.get("HTTP_HOST", "")).split(".")[0]
    path = str(environ.get("PATH_INFO", ""))
    if "/functions/" in path and path.endswith("/invocations"):
        return "lambda:Invoke"
    return f"{host}:{environ.get('REQUEST_METHOD')} {path[:40]}"


class ThreadProfiles:
    """A ``cProfile.Profile`` for every thread started while it is on, timing its CPU; the server's
    connection threads (which outlive a measurement: connections are kept open) are profiled
    request by request instead (``per_request``)."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self.on = False
        self._local = threading.local()

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if threading.current_thread().name.endswith("(process_request_thread)"):
            sys.setprofile(None)  # a connection's thread: its requests are profiled one by one
            return
        profile = cProfile.Profile(time.thread_time)  # CPU, not the waits
        self.profiles.append(profile)
        profile.enable()  # replaces this hook in the thread

    def per_request(self) -> cProfile.Profile | None:
        """This connection thread's profile while profiling is on."""
        if not self.on:
            return None
        profile = getattr(self._local, "profile", None)
        if profile is None:
            profile = self._local.profile = cProfile.Profile(time.thread_time)
            self.profiles.append(profile)
        return profile

    def start(self) -> None:
        self.on = True
        threading.setprofile(self)

    def stop(self) -> pstats.Stats | None:
        self.on = False
        threading.setprofile(None)  # type: ignore[arg-type]
        stats = None
        for profile in list(self.profiles):
            try:
                one = pstats.Stats(profile)
            except TypeError:  # a thread that recorded nothing
                continue
            if stats is None:
                stats = one
            else:
                stats.add(one)
        return stats


PACKAGES = (
    "moto/dynamodb/parsing",
    "moto/dynamodb",
    "moto/stepfunctions",
    "moto/events",
    "moto/sqs",
    "moto/awslambda",
    "moto/core",
    "moto/moto_server",
    "moto",
    "botocore",
    "werkzeug",
    "flask",
    "jinja2",
    "json",
    "copy.py",
    "threading.py",
    "socket",
    "http/",
    "jsonpath_ng",
    "antlr4",
    "infra/local",
    "requests",
    "urllib3",
)


def package_of(filename: str) -> str:
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    for package in PACKAGES:
        if f"/{package}" in filename:
            return package
    return "other"


def breakdown(stats: pstats.Stats, top: int) -> dict[str, Any]:
    by_package: dict[str, float] = defaultdict(float)
    rows = []
    for (filename, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        by_package[package_of(filename)] += tottime
        rows.append((tottime, cumtime, calls, f"{filename.split('site-packages/')[-1]}:{line}({name})"))
    total = sum(by_package.values()) or 1.0
    rows.sort(reverse=True)
    return {
        "seconds": round(total, 3),
        "by_package": {
            k: round(v / total * 100, 1) for k, v in sorted(by_package.items(), key=lambda i: -i[1])
        },
        "functions": [
            {"tottime_s": round(t, 4), "cumtime_s": round(c, 4), "calls": n, "function": f}
            for t, c, n, f in rows[:top]
        ],
    }


class SlowPolling(Api):
    """The API, its runs polled once a second: polling's own requests barely count."""

    POLL_SECONDS = 1.0


def run_maps(api: Api, count: int, items: int) -> list[str]:
    """``count`` ``graph_showcase`` runs one after the other, their map over ``items`` items at a
    bound of 1, zero model latency (the approval gate approved)."""
    for _ in range(count):
        measure_once(api, 1, items, 0)  # raises unless the run succeeded with every item
    return ["SUCCEEDED"] * count


def run_generic(api: Api, count: int, concurrency: int) -> list[str]:
    body = {"template": "generic", "topic": TOPIC, "options": {"offline": {"latency_ms": 0}}}

    def one(_: int) -> str:
        run_id = api.call("POST", "/runs", json=body)["run_id"]
        return str(api.wait(run_id, FINAL, timeout=300)["status"])

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, range(count)))


def process_cpu() -> float:
    times = os.times()
    return times.user + times.system


def measure(
    runs: int,
    concurrency: int,
    profile: str | None,
    settle: float,
    map_items: int | None = None,
    poll: float | None = None,
) -> dict[str, Any]:
    counter = Requests()
    with (
        tempfile.TemporaryDirectory(prefix="bench-emulation-cpu-") as state,
        LocalCloud(Path(state)) as cloud,
    ):
        counter.install()
        api = Api(cloud) if map_items is None else SlowPolling(cloud)
        if poll is not None:
            api.POLL_SECONDS = poll
        workload = (
            (lambda n: run_generic(api, n, concurrency))
            if map_items is None
            else (lambda n: run_maps(api, n, map_items))
        )
        workload(min(2, runs))
        time.sleep(settle)
        profiles = counter.profiles = ThreadProfiles() if profile is not None else None
        if profiles:
            profiles.start()
        sampler = ComponentSampler(cloud.runtime)
        sampler.start()
        counter.counting, cpu_before, started = True, process_cpu(), time.monotonic()
        ended = workload(runs)
        time.sleep(settle)  # the runs' last events and audit records are delivered
        counter.counting, cpu, wall = False, process_cpu() - cpu_before, time.monotonic() - started
        components = sampler.stop()
        stats = profiles.stop() if profiles else None
        if stats is not None and profile:
            stats.dump_stats(profile)  # for pstats: callers, callees
    count, server_cpu = counter.total()
    actions = sorted(counter.by_action.items(), key=lambda item: -item[1][1])
    return {
        "template": "generic" if map_items is None else f"graph_showcase, its map over {map_items} items",
        "runs": runs,
        "concurrency": concurrency if map_items is None else 1,
        "poll_seconds": api.POLL_SECONDS,
        "profiled": profile is not None,
        "ended": {status: ended.count(status) for status in set(ended)},
        "load_average": os.getloadavg(),
        "wall_s": round(wall, 1),
        "requests": count,
        "requests_per_run": round(count / runs, 1),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(count, 1), 2),
        "process_cpu_ms_per_request": round(cpu * 1000 / max(count, 1), 2),
        "process_cpu_ms_per_run": round(cpu * 1000 / runs, 1),
        "workers_cpu_ms_per_run": round(sum(components["workers_s"].values()) * 1000 / runs, 1),
        "components_ms_per_run": per_run_rows(components, runs),
        "by_action": [
            {
                "action": a,
                "count": int(n),
                "per_run": round(n / runs, 1),
                "cpu_ms_each": round(s * 1000 / n, 2),
            }
            for a, (n, s) in actions
        ],
        "profile": breakdown(stats, 40) if stats else None,
    }


def render(result: dict[str, Any]) -> str:
    load = ", ".join(f"{x:.1f}" for x in result["load_average"])
    lines = [
        f"{result['runs']} runs ({result['template']}), {result['concurrency']} at a time, "
        f"each read every {result['poll_seconds']} s "
        f"({result['ended']}), {result['wall_s']} s, load average {load}"
        + (" (profiled)" if result["profiled"] else ""),
        f"{result['requests']} requests, {result['requests_per_run']} per run; CPU per request: "
        f"{result['server_cpu_ms_per_request']} ms in moto's server threads, "
        f"{result['process_cpu_ms_per_request']} ms of the whole process "
        f"({result['process_cpu_ms_per_run']} ms per run)",
        f"Lambda workers and zygotes: {result['workers_cpu_ms_per_run']} ms per run",
        f"\n{'component':70} {'CPU ms per run':>14}",
    ]
    lines += [f"{name[:70]:70} {ms:>14}" for name, ms in result["components_ms_per_run"]]
    lines += [f"\n{'action':40} {'count':>6} {'per run':>8} {'CPU ms each':>12}"]
    for row in result["by_action"]:
        lines.append(
            f"{row['action'][:40]:40} {row['count']:>6} {row['per_run']:>8} {row['cpu_ms_each']:>12}"
        )
    profile = result["profile"]
    if profile:
        lines.append(f"\nprofiled: {profile['seconds']} s of own time, by package:")
        lines += [f"  {share:5.1f}%  {name}" for name, share in profile["by_package"].items()]
        lines.append(f"\n{'tottime s':>9} {'cumtime s':>9} {'calls':>8}  function")
        lines += [
            f"{r['tottime_s']:>9} {r['cumtime_s']:>9} {r['calls']:>8}  {r['function']}"
            for r in profile["functions"]
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=2, help="runs at a time")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="",
        default=None,
        metavar="PATH",
        help="cProfile every thread (slower); with PATH, the merged statistics written there",
    )
    parser.add_argument("--settle", type=float, default=5.0, help="seconds for deliveries after the runs")
    parser.add_argument(
        "--poll",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how often each run is read until it ends (0.1 s; 1 s with --map-items): the reads are "
        "requests too, so a slower pace counts mostly the runs' own",
    )
    parser.add_argument(
        "--map-items",
        type=int,
        default=None,
        metavar="N",
        help="graph_showcase runs instead, one at a time, polled once a second, each map over N items "
        "at a bound of 1 (the requests of an item: the difference between two item counts)",
    )
    add_json_argument(parser)
    args = parser.parse_args()
    if args.runs < 1 or args.concurrency < 1:
        parser.error("--runs and --concurrency must be at least 1")
    if args.map_items is not None and args.map_items < 1:
        parser.error("--map-items must be at least 1")
    if args.poll is not None and args.poll <= 0:
        parser.error("--poll must be more than 0")
    result = measure(args.runs, args.concurrency, args.profile, args.settle, args.map_items, args.poll)
    report(args.json, result, render)
    return 0


if __name__ == "__main__":
    sys.exit(main())
