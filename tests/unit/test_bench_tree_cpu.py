"""``bench/map_concurrency.py``'s ``TreeCpu``: the CPU of the bench's process and its descendants,
read without scanning every process at every reading (the sampler runs in the measured cloud)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path[:0] = [str(BENCH), str(BENCH.parent), str(BENCH.parent / "functions")]

import map_concurrency  # noqa: E402

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads /proc (Linux)")

BURN = """
import sys, time
while time.process_time() < 0.3:
    pass
print("burnt", flush=True)
sys.stdin.read()
"""


def test_a_child_s_cpu_is_counted_between_two_readings() -> None:
    # Given a sampler and a child process that will spend 0.3 s of CPU
    tree = map_concurrency.TreeCpu()
    child = subprocess.Popen(  # noqa: S603 - this interpreter, a script of this test
        [sys.executable, "-c", BURN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        _, before = tree._read()
        # When the child has spent it (and is still alive)
        assert child.stdout is not None and child.stdout.readline().strip() == "burnt"
        _, after = tree._read()
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait()
    # Then the descendants' CPU grew by about that much
    assert after - before >= 0.25


def test_the_process_table_is_read_once_per_rescan_period_not_at_every_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a sampler whose readings come faster than its rescan period
    tree = map_concurrency.TreeCpu()
    listings: list[str] = []
    listdir = os.listdir

    def counted(path: str) -> list[str]:
        listings.append(path)
        return listdir(path)

    monkeypatch.setattr(map_concurrency.os, "listdir", counted)
    # When it reads twenty times in a row (well within RESCAN_SECONDS)
    for _ in range(20):
        tree._read()
    # Then every process was read once, the descendants found then at the other readings
    assert listings == ["/proc"]
