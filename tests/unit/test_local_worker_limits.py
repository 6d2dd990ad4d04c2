"""The local cloud's worker pool limits: defaults, the environment, ``local up``'s flags (which win),
and a bad value refused with where it came from, before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.cli import main
from infra.local.worker_limits import (
    DEFAULT_IDLE_SECONDS,
    DEFAULT_MAX_WORKERS,
    DEFAULT_MAX_WORKERS_PER_FUNCTION,
    InvalidWorkerLimits,
    WorkerLimits,
)


def test_the_defaults_apply_when_nothing_is_set() -> None:
    limits = WorkerLimits.configured(environ={})
    assert limits == WorkerLimits(
        max_workers=DEFAULT_MAX_WORKERS,
        max_workers_per_function=DEFAULT_MAX_WORKERS_PER_FUNCTION,
        idle_seconds=DEFAULT_IDLE_SECONDS,
    )


def test_the_environment_sets_them_and_a_flag_wins_over_it() -> None:
    environ = {
        "ORCHESTRATOR_LOCAL_MAX_WORKERS": "12",
        "ORCHESTRATOR_LOCAL_MAX_WORKERS_PER_FUNCTION": " 3 ",
        "ORCHESTRATOR_LOCAL_WORKER_IDLE_SECONDS": "7.5",
    }
    assert WorkerLimits.configured(environ=environ) == WorkerLimits(
        max_workers=12, max_workers_per_function=3, idle_seconds=7.5
    )
    flags = {"max_workers": 20, "max_workers_per_function": None, "idle_seconds": 2}
    assert WorkerLimits.configured(flags, environ=environ) == WorkerLimits(
        max_workers=20, max_workers_per_function=3, idle_seconds=2
    )


@pytest.mark.parametrize(
    ("environ", "flags", "named"),
    [
        ({"ORCHESTRATOR_LOCAL_MAX_WORKERS": "many"}, {}, "ORCHESTRATOR_LOCAL_MAX_WORKERS='many'"),
        ({"ORCHESTRATOR_LOCAL_WORKER_IDLE_SECONDS": "0"}, {}, "ORCHESTRATOR_LOCAL_WORKER_IDLE_SECONDS='0'"),
        ({}, {"max_workers_per_function": 0}, "--max-workers-per-function=0"),
        ({"ORCHESTRATOR_LOCAL_MAX_WORKERS": "4"}, {"max_workers": -1}, "--max-workers=-1"),
    ],
)
def test_a_bad_value_is_refused_naming_where_it_came_from(
    environ: dict[str, str], flags: dict[str, int], named: str
) -> None:
    with pytest.raises(InvalidWorkerLimits) as raised:
        WorkerLimits.configured(flags, environ=environ)
    assert named in str(raised.value)


def test_local_up_refuses_a_bad_limit_in_one_line_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORCHESTRATOR_LOCAL_MAX_WORKERS", "8")
    arguments = ["--state-dir", str(tmp_path), "local", "up", "--api-port", "9"]
    arguments += ["--worker-idle-seconds", "-5"]
    code = main(arguments)
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "--worker-idle-seconds=-5.0" in err
    assert not (tmp_path / "cdk.out").exists()  # nothing was synthesized


def test_the_background_workers_priority_is_set_in_the_environment_and_a_bad_one_is_refused() -> None:
    assert WorkerLimits.configured(environ={}).background_niceness == 10
    environ = {"ORCHESTRATOR_LOCAL_BACKGROUND_NICENESS": "0"}
    assert WorkerLimits.configured(environ=environ).background_niceness == 0
    with pytest.raises(InvalidWorkerLimits, match="ORCHESTRATOR_LOCAL_BACKGROUND_NICENESS='20'"):
        WorkerLimits.configured(environ={"ORCHESTRATOR_LOCAL_BACKGROUND_NICENESS": "20"})
