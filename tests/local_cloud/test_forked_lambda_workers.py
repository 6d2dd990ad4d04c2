"""Workers forked from a zygote that has the common libraries imported: the same worker as one
started on its own (environment, code folder, isolation), at a fraction of the start's cost."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.lambda_forks import forkable, forking_available
from infra.local.lambda_runtime import LocalLambdaRuntime
from tests.local_cloud.emulation import CODE
from tests.local_cloud.test_local_lambda_runtime import spec

pytestmark = pytest.mark.skipif(not forking_available(), reason="workers are forked on Linux only")


def _runtime(tmp_path: Path, **options: object) -> LocalLambdaRuntime:
    return LocalLambdaRuntime(
        endpoint_url="http://127.0.0.1:1",
        region="eu-west-1",
        account_id="123456789012",
        log_dir=tmp_path / "logs",
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalLambdaRuntime]:
    runtime = _runtime(tmp_path, fork_workers=True)
    yield runtime
    runtime.shutdown()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_workers_of_every_function_come_from_one_zygote_with_only_their_own_environment(
    runtime: LocalLambdaRuntime,
) -> None:
    # Given two functions of one code folder, one declaring a variable the other does not
    runtime.register(spec("first", "sample_handlers.echo", env={"ONLY_FIRST": "1", "TABLE": "a"}))
    runtime.register(spec("second", "sample_handlers.echo", env={"TABLE": "b"}))
    first = runtime.invoke("first", {}).payload
    second = runtime.invoke("second", {}).payload
    # Then both are forked by the same process (not this one), each with exactly its environment
    assert first["parent_pid"] == second["parent_pid"] != os.getpid()
    assert first["pid"] != second["pid"]
    assert first["env"]["ONLY_FIRST"] == "1" and first["env"]["TABLE"] == "a"
    assert "ONLY_FIRST" not in second["env"] and second["env"]["TABLE"] == "b"
    assert "LOCAL_LAMBDA_PRELOAD" not in second["env"]
    assert second["env"]["AWS_LAMBDA_FUNCTION_NAME"] == "second" and second["function_name"] == "second"
    assert Path(second["cwd"]) == CODE


def test_a_function_that_sets_what_libraries_read_at_import_is_started_on_its_own(
    runtime: LocalLambdaRuntime,
) -> None:
    runtime.register(spec("forked", "sample_handlers.echo"))
    runtime.register(spec("seeded", "sample_handlers.echo", env={"PYTHONHASHSEED": "7"}))
    forked = runtime.invoke("forked", {}).payload
    seeded = runtime.invoke("seeded", {}).payload
    assert forked["parent_pid"] != os.getpid()
    assert seeded["parent_pid"] == os.getpid() and seeded["env"]["PYTHONHASHSEED"] == "7"


def test_what_decides_whether_a_worker_may_be_forked() -> None:
    shared = {"PYTHONPATH": "/code", "AWS_REGION": "eu-west-1"}
    assert forkable(shared | {"TABLE": "x", "POWERTOOLS_SERVICE_NAME": "api"}, shared)
    assert not forkable(shared | {"AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR"}, shared)
    assert not forkable({"AWS_REGION": "eu-west-1"}, shared)  # PYTHONPATH differs
    assert not forkable(shared | {"POWERTOOLS_DEV": "true"}, shared)


def test_a_killed_worker_is_seen_dead_and_replaced(runtime: LocalLambdaRuntime) -> None:
    runtime.register(spec("echo", "sample_handlers.echo"))
    pid = runtime.invoke("echo", {}).payload["pid"]
    os.kill(pid, 9)
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    again = runtime.invoke("echo", {})
    assert not again.errored and again.payload["pid"] != pid


def test_shutdown_stops_the_zygote_and_every_forked_worker(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path, fork_workers=True)
    runtime.register(spec("echo", "sample_handlers.echo"))
    payload = runtime.invoke("echo", {}).payload
    runtime.shutdown()
    deadline = time.monotonic() + 5
    while (_alive(payload["pid"]) or _alive(payload["parent_pid"])) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(payload["pid"]) and not _alive(payload["parent_pid"])


def test_forking_can_be_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORCHESTRATOR_LOCAL_LAMBDA_FORK", "0")
    runtime = _runtime(tmp_path)
    try:
        runtime.register(spec("echo", "sample_handlers.echo"))
        assert runtime.invoke("echo", {}).payload["parent_pid"] == os.getpid()
    finally:
        runtime.shutdown()


def test_a_forked_worker_s_loader_starts_with_the_zygote_s_models_and_they_are_botocore_s(
    tmp_path: Path,
) -> None:
    # Given a function's worker forked from the zygote and one started on its own
    forked, spawned = (
        _runtime(tmp_path / "forked", fork_workers=True),
        _runtime(tmp_path / "own", fork_workers=False),
    )
    try:
        for runtime in (forked, spawned):
            runtime.register(spec("models", "sample_handlers.botocore_models"))
        from_zygote = forked.invoke("models", {}).payload
        on_its_own = spawned.invoke("models", {}).payload
    finally:
        forked.shutdown()
        spawned.shutdown()
    # Then the forked worker's first session holds the models already, the other's nothing
    assert from_zygote["held"] > 0 and on_its_own["held"] == 0
    # And the models, the endpoints and the client made from them are botocore's own
    assert from_zygote["same"] and on_its_own["same"]
    assert from_zygote["operations"] == on_its_own["operations"] > 50
