"""The local Lambda runtime: declared environment only, timeouts, error payloads, warm workers."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from infra.local.lambda_runtime import FunctionSpec, LocalLambdaRuntime
from tests.local_cloud.emulation import CODE


def spec(name: str, handler: str, timeout: int = 5, env: dict[str, str] | None = None) -> FunctionSpec:
    return FunctionSpec(
        name=name,
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        handler=handler,
        code_dir=CODE,
        environment=env or {},
        timeout_seconds=timeout,
        memory_mb=256,
    )


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalLambdaRuntime]:
    runtime = LocalLambdaRuntime(
        endpoint_url="http://127.0.0.1:1",
        region="eu-west-1",
        account_id="123456789012",
        log_dir=tmp_path / "logs",
    )
    yield runtime
    runtime.shutdown()


def test_handler_sees_exactly_the_declared_environment(
    runtime: LocalLambdaRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_OF_THE_HOST", "must-not-leak")
    runtime.register(spec("echo", "sample_handlers.echo", env={"RUNS_TABLE_NAME": "runs-table"}))
    result = runtime.invoke("echo", {"hello": "world"})
    assert not result.errored
    env = result.payload["env"]
    assert env["RUNS_TABLE_NAME"] == "runs-table"
    assert "SECRET_OF_THE_HOST" not in env
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"
    assert env["AWS_REGION"] == "eu-west-1" and env["AWS_LAMBDA_FUNCTION_NAME"] == "echo"
    assert result.payload["event"] == {"hello": "world"}
    assert 0 < result.payload["remaining_ms"] <= 5000


def test_a_handler_runs_with_the_memory_size_its_function_declares(runtime: LocalLambdaRuntime) -> None:
    # Given a function declared with 1024 MB (the template's MemorySize)
    runtime.register(replace(spec("big", "sample_handlers.echo"), memory_mb=1024))
    # When it runs, Then its context says 1024 MB: what its invocation's GB-seconds are counted with
    result = runtime.invoke("big", {})
    assert not result.errored
    assert result.payload["memory_limit_in_mb"] == 1024
    assert result.payload["env"]["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "1024"


def test_a_slow_handler_times_out_like_lambda(runtime: LocalLambdaRuntime) -> None:
    runtime.register(spec("sleepy", "sample_handlers.sleepy", timeout=1))
    result = runtime.invoke("sleepy", {"seconds": 5})
    assert result.errored
    assert result.payload["errorType"] == "Sandbox.Timedout"
    assert "timed out after 1.00 seconds" in result.payload["errorMessage"]
    assert result.duration_ms < 3000
    assert (
        runtime.invoke("sleepy", {"seconds": 0}).payload["slept"] == 0
    )  # a fresh worker serves the next call


def test_exceptions_become_lambda_error_payloads(runtime: LocalLambdaRuntime) -> None:
    runtime.register(spec("budget", "sample_handlers.over_budget"))
    result = runtime.invoke("budget", {})
    assert result.errored
    assert result.payload["errorType"] == "BudgetExceeded"
    assert result.payload["errorMessage"] == "tenant acme spent its monthly budget"
    assert "Traceback" in result.logs


def test_a_crashing_or_unimportable_function_reports_it(runtime: LocalLambdaRuntime) -> None:
    runtime.register(spec("crash", "sample_handlers.crash"))
    runtime.register(spec("broken", "broken_import.handler"))
    crashed = runtime.invoke("crash", {})
    assert crashed.errored and crashed.payload["errorType"] == "Runtime.ExitError"
    broken = runtime.invoke("broken", {})
    assert broken.errored and broken.payload["errorType"] == "Runtime.ImportModuleError"


def test_workers_stay_warm_and_scale_with_concurrency(runtime: LocalLambdaRuntime) -> None:
    runtime.register(spec("sleepy", "sample_handlers.sleepy"))
    first = runtime.invoke("sleepy", {"seconds": 0}).payload["pid"]
    assert runtime.invoke("sleepy", {"seconds": 0}).payload["pid"] == first  # warm start
    with ThreadPoolExecutor(max_workers=2) as pool:
        pids = {
            f.result().payload["pid"]
            for f in [pool.submit(runtime.invoke, "sleepy", {"seconds": 0.5}) for _ in range(2)]
        }
    assert len(pids) == 2  # concurrent invocations get their own environments
    assert os.getpid() not in pids
    assert runtime.worker_pids() == dict.fromkeys(pids, "sleepy")  # what the benchmarks measure


def test_function_output_is_logged_per_function(runtime: LocalLambdaRuntime, tmp_path: Path) -> None:
    runtime.register(spec("budget", "sample_handlers.over_budget"))
    runtime.invoke("budget", {})
    log = (tmp_path / "logs" / "budget.log").read_text()
    assert "START RequestId" in log and "BudgetExceeded" in log


def test_async_invocations_are_retried_then_sent_to_the_failure_destination(tmp_path: Path) -> None:
    sent: list[tuple[str, dict[str, object]]] = []
    runtime = LocalLambdaRuntime(
        endpoint_url="http://127.0.0.1:1",
        region="us-east-1",
        account_id="123456789012",
        log_dir=tmp_path / "logs",
        send_to_destination=lambda arn, record: sent.append((arn, record)),
    )
    try:
        dead_letters = "arn:aws:sqs:us-east-1:123456789012:dead-letters"
        runtime.register(
            replace(spec("flaky", "sample_handlers.flaky"), async_retries=2, on_failure=dead_letters)
        )
        # fails on calls 1-3: all three attempts fail, the event goes to the destination with the error
        event = {"counter_file": str(tmp_path / "calls"), "fail_times": 3}
        assert runtime.invoke_async("flaky", event).errored
        assert (tmp_path / "calls").read_text() == "3"
        ((arn, record),) = sent
        assert arn == dead_letters
        assert record["requestPayload"] == event
        assert record["responsePayload"]["errorType"] == "ProviderThrottled"  # type: ignore[index]
        assert record["requestContext"]["condition"] == "RetriesExhausted"  # type: ignore[index]
        # a later attempt succeeding is not a failure
        (tmp_path / "calls").write_text("0")
        event["fail_times"] = 1
        assert not runtime.invoke_async("flaky", event).errored
        assert len(sent) == 1
    finally:
        runtime.shutdown()


def _bounded_runtime(tmp_path: Path, **bounds: float) -> LocalLambdaRuntime:
    return LocalLambdaRuntime(
        endpoint_url="http://127.0.0.1:1",
        region="eu-west-1",
        account_id="123456789012",
        log_dir=tmp_path / "logs",
        **bounds,  # type: ignore[arg-type]
    )


def test_the_pool_never_holds_more_workers_than_its_bound(tmp_path: Path) -> None:
    # Given a pool of at most 2 workers in all and three functions invoked at once, 4 times each
    runtime = _bounded_runtime(tmp_path, max_workers=2)
    names = ["one", "two", "three"]
    for name in names:
        runtime.register(spec(name, "sample_handlers.sleepy"))
    peak = 0
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            futures = [pool.submit(runtime.invoke, name, {"seconds": 0.2}) for name in names * 4]
            while not all(f.done() for f in futures):
                peak = max(peak, runtime.worker_count())
        # Then every invocation succeeds, and the pool never grew past its bound
        assert all(not f.result().errored for f in futures)
        assert 1 <= peak <= 2
        assert runtime.worker_count() <= 2
    finally:
        runtime.shutdown()


def test_a_full_pool_shares_its_workers_between_busy_functions_without_a_cold_start_each_time(
    tmp_path: Path,
) -> None:
    # Given a pool of at most 4 workers and two functions, each invoked 8 times at once, 3 rounds
    runtime = _bounded_runtime(tmp_path, max_workers=4)
    for name in ("one", "two"):
        runtime.register(spec(name, "sample_handlers.sleepy"))
    try:
        pids: set[int] = set()
        for _ in range(3):
            with ThreadPoolExecutor(max_workers=16) as pool:
                results = list(pool.map(lambda n: runtime.invoke(n, {"seconds": 0.05}), ["one", "two"] * 8))
            assert all(not r.errored for r in results)
            pids |= {int(r.payload["pid"]) for r in results}
        # Then the functions share the pool: a function with workers waits for one of its own
        # rather than retiring the other's warm worker (a cold start for every invocation)
        assert len(pids) <= 6, f"{len(pids)} workers started for 48 invocations"
        assert runtime.worker_count() <= 4
    finally:
        runtime.shutdown()


def test_idle_workers_are_retired(tmp_path: Path) -> None:
    # Given workers idle longer than the pool's idle timeout
    runtime = _bounded_runtime(tmp_path, idle_seconds=0.3)
    runtime.register(spec("sleepy", "sample_handlers.sleepy"))
    try:
        pid = runtime.invoke("sleepy", {"seconds": 0}).payload["pid"]
        assert runtime.worker_count() == 1
        # Then they are stopped, and the next invocation starts a new one
        deadline = time.monotonic() + 5
        while runtime.worker_count() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runtime.worker_count() == 0
        assert runtime.invoke("sleepy", {"seconds": 0}).payload["pid"] != pid
    finally:
        runtime.shutdown()


def test_shutdown_stops_busy_workers_at_once_and_refuses_new_invocations(tmp_path: Path) -> None:
    # Given an invocation that would run for 30 s
    runtime = _bounded_runtime(tmp_path)
    runtime.register(spec("sleepy", "sample_handlers.sleepy", timeout=60))
    with ThreadPoolExecutor(max_workers=1) as pool:
        busy = pool.submit(runtime.invoke, "sleepy", {"seconds": 30})
        deadline = time.monotonic() + 10
        while runtime.worker_count() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the worker has the invocation
        # When the runtime shuts down
        started = time.monotonic()
        runtime.shutdown()
        # Then it takes well under a second, the busy invocation fails, and new ones are refused
        assert time.monotonic() - started < 2
        assert busy.result(timeout=5).errored
    refused = runtime.invoke("sleepy", {"seconds": 0})
    assert refused.errored and refused.payload["errorType"] == "Runtime.Stopping"
    assert runtime.worker_count() == 0


def test_a_slow_import_does_not_count_against_the_function_timeout(runtime: LocalLambdaRuntime) -> None:
    # Given a function with a 1 s timeout whose module takes 2 s to import (a cold start under load)
    runtime.register(spec("slow-import", "slow_import.handler", timeout=1))
    # Then its first invocation succeeds with its whole timeout left, as on Lambda
    result = runtime.invoke("slow-import", {})
    assert not result.errored, result.payload
    assert result.payload["imported"] is True and result.payload["remaining_ms"] > 500
