"""The benchmark harness (``bench/harness.py``): each script's JSON collected, one table, runs compared."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import harness  # noqa: E402
from harness_rows import Row, compare_table, table  # noqa: E402

IMPORTS = {
    "clock": "cpu",
    "baseline": {"module": "boto3", "wall_ms_median": 120.0, "cpu_ms_median": 110.0},
    "handlers": [
        {"module": "handlers.api", "target": 2.0, "error": None, "cpu_x_boto3": 2.3, "within": False},
        {"module": "handlers.run_status", "target": 1.8, "error": None, "cpu_x_boto3": 1.6, "within": True},
    ],
}


def test_the_json_a_script_prints_after_its_table_and_log_lines_is_found() -> None:
    printed = 'a table\n{"_aws": {"metric": 1}}\n[\n  {\n    "name": "x"\n  }\n]\n'
    assert harness._parse_stdout(printed) == [{"name": "x"}]
    assert harness._parse_stdout('table\n{"all": {"precision": 1.0}}\n') == {"all": {"precision": 1.0}}
    with pytest.raises(json.JSONDecodeError):
        harness._parse_stdout("only a table\n")


def test_a_section_runs_its_script_and_collects_the_json_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "writes.py").write_text(
        "import json, sys\nopen(sys.argv[sys.argv.index('--json') + 1], 'w').write(json.dumps({'n': 3}))\n"
    )
    (tmp_path / "fails.py").write_text("import sys\nsys.exit('broken')\n")
    monkeypatch.setattr(harness, "BENCH", tmp_path)
    run = harness.run_section(harness.Section("writes", "writes.py", ()), False, tmp_path)
    assert run["data"] == {"n": 3} and run["exit_code"] == 0
    failed = harness.run_section(harness.Section("fails", "fails.py", ()), False, tmp_path)
    assert "error" in failed and "broken" in failed["error"]
    missing = harness.run_section(harness.Section("gone", "gone.py", ()), False, tmp_path)
    assert missing == {"skipped": "gone.py does not exist"}
    rows = harness.rows_of({"fails": failed, "gone": missing})
    assert [(row.section, row.ok) for row in rows] == [("fails", False), ("gone", None)]


def test_import_figures_carry_their_target_and_verdict_and_two_runs_compare() -> None:
    rows = harness.rows_of({"imports": {"data": IMPORTS}})
    assert [(r.figure, r.value, r.target, r.ok) for r in rows[1:]] == [
        ("api import", 2.3, "<= 2", False),
        ("run_status import", 1.6, "<= 1.8", True),
    ]
    assert "api import" in table(rows) and "NO" in table(rows)
    faster: dict[str, Any] = json.loads(json.dumps(IMPORTS))
    faster["handlers"][0] |= {"cpu_x_boto3": 1.9, "within": True}
    compared = compare_table(rows, harness.rows_of({"imports": {"data": faster}}))
    api_line = next(line for line in compared.splitlines() if line.startswith("imports  api import"))
    assert api_line.split()[3:] == ["2.3", "x", "boto3", "1.9", "x", "boto3", "-17%", "yes"]


def test_a_result_whose_layout_changed_is_shown_by_the_paths_of_its_numbers() -> None:
    rows = harness.rows_of({"load": {"data": {"bursts": [{"size": 10, "seconds": 4.5}]}}})
    assert [(row.figure, row.value) for row in rows] == [("bursts.0.size", 10), ("bursts.0.seconds", 4.5)]


def test_a_row_round_trips_through_the_json_file() -> None:
    row = Row("map", "speedup at bound 8", 3.2, "x", ">= 5", False)
    assert Row.from_dict(json.loads(json.dumps(row.as_dict()))) == row


def test_the_load_rows_report_the_clouds_workers_and_memory_after_a_burst_and_idle() -> None:
    burst = {
        "concurrent_posts": 200,
        "all_answered_seconds": 50.0,
        "answers_per_second": 4.0,
        "errors": 0,
        "all_ended_seconds": 170.0,
        "runs_final": {"SUCCEEDED": 200},
        "after": {"workers": 48, "rss_mib": 4500},
    }
    idle = {"seconds": 70, "workers": 3, "rss_mib": 900}
    data = {"max_workers": 48, "idle_retirement_seconds": 60, "bursts": [burst], "after_idle": idle}
    rows = {row.figure: row for row in harness.rows_of({"load": {"data": data}})}
    assert rows["200 POSTs: once ended: workers"].ok is True
    assert rows["200 POSTs: once ended: memory of the local cloud"].value == 4500
    assert rows["after 70 s idle: workers"].ok is False  # a worker left after the idle minute
    assert rows["after 70 s idle: memory of the local cloud"].value == 900
    short = data | {"after_idle": {"seconds": 0, "workers": 3, "rss_mib": 900}}  # no idle minute
    assert harness.rows_of({"load": {"data": short}})[-2].ok is None


def test_the_load_rows_read_the_pool_s_idle_timeout_and_the_cloud_process_memory() -> None:
    idle = {"seconds": 60, "workers": 0, "rss_mib": 390, "cloud_process_rss_mib": 385}
    data = {"max_workers": 48, "idle_seconds": 30, "bursts": [], "after_idle": idle}
    rows = {row.figure: row for row in harness.rows_of({"load": {"data": data}})}
    assert rows["after 60 s idle: workers"].ok is True
    assert rows["after 60 s idle: memory of the cloud process"].value == 385
    early = data | {"after_idle": idle | {"seconds": 20, "workers": 2}}  # retirement not due yet
    assert {row.figure: row for row in harness.rows_of({"load": {"data": early}})}[
        "after 20 s idle: workers"
    ].ok is None


def test_the_emulation_rows_report_the_cloud_s_own_cpu_per_request_and_per_run() -> None:
    data = {
        "template": "generic",
        "runs": 10,
        "requests_per_run": 220.5,
        "server_cpu_ms_per_request": 1.9,
        "process_cpu_ms_per_request": 3.2,
        "process_cpu_ms_per_run": 705.6,
    }
    rows = {row.figure: row for row in harness.rows_of({"emulation": {"data": data}})}
    assert rows["AWS requests per run (10 generic runs)"].value == 220.5
    assert rows["CPU per request, moto's server threads"].shown() == "1.9 ms"
    assert rows["CPU per run, whole cloud process"].value == 705.6
    assert "emulation" in {section.name for section in harness.SECTIONS}
