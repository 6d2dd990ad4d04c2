"""``bench/memory_sizes.py``: measured peaks and CPU projected onto candidate memory sizes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path[:0] = [str(BENCH), str(BENCH.parent / "functions")]

import memory_sizes  # noqa: E402

from orchestrator.core.memory_sizes import MEMORY_MB  # noqa: E402

STEPS = {
    "memory": [
        {
            "function": "Api",
            "handler": "handlers.api",
            "peak_mib": 86.8,
            "memory_mb": 512,
            "cpu_ms_per_run": 150.0,
        },
        {"function": "A1", "handler": "handlers.run_agent", "peak_mib": 80.3, "cpu_ms_per_run": 28.0},
        {"function": "A2", "handler": "handlers.run_agent", "peak_mib": 79.0, "cpu_ms_per_run": 34.0},
        {"function": "Audit", "handler": "handlers.audit_writer", "peak_mib": 200.0, "cpu_ms_per_run": None},
    ]
}
IMPORTS = {
    "baseline": {"cpu_ms_median": 122.0},
    "handlers": [{"module": "handlers.api", "cpu_ms_median": 237.0}],
}


def test_cpu_work_stretches_with_a_smaller_cpu_share_and_not_beyond_one_vcpu() -> None:
    assert memory_sizes.stretched_ms(100, 1769) == pytest.approx(100)
    assert memory_sizes.stretched_ms(100, 3538) == pytest.approx(100)  # one thread: one vCPU at most
    assert memory_sizes.stretched_ms(100, 256) == pytest.approx(100 * 1769 / 256)


def test_each_handler_is_checked_against_twice_its_peak_and_projected_onto_the_candidates() -> None:
    rows = {row["handler"]: row for row in memory_sizes.rows(STEPS, IMPORTS, None)}
    assert set(rows) == set(MEMORY_MB)
    api = rows["api"]
    assert api["memory_mb"] == MEMORY_MB["api"] and api["holds_peak_twice"] is True
    assert api["init_cpu_ms"] == 237.0 + 122.0  # the handler's import and boto3's, deferred to first use
    assert api["init_ms_at"]["1024"] == round((237 + 122) * 1769 / 1024)
    agent = rows["run_agent"]
    assert agent["peak_mib"] == 80.3 and agent["warm_cpu_ms_per_run"] == 34.0  # the worst of its functions
    assert rows["audit_writer"]["holds_peak_twice"] is False  # a 200 MiB peak does not fit twice in 256 MB
    assert rows["approval_gate"]["peak_mib"] is None and rows["approval_gate"]["holds_peak_twice"] is None
    assert "NO" in memory_sizes.render(list(rows.values()))


def test_the_worst_archive_is_as_large_as_asked_and_readable_by_the_agent() -> None:
    import archive_memory

    from orchestrator.ingestion.archive import read_archive

    archive = read_archive(archive_memory.worst_archive(1, 4))
    assert archive.format == "tar.gz" and len(archive.files) == 4
    assert sum(f.size for f in archive.files) == 1024 * 1024
