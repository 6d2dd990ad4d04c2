"""Every benchmark in one run (``make bench``): one table, and the results as JSON to compare runs.

Runs each measurement script of ``bench/`` in its own process, one after the other (they would
otherwise measure each other), collects what each reports as JSON (``--json``), prints one
table of the figures that matter with their targets, and writes everything to
``bench/results/latest.json``. ``--compare OLD.json`` prints the same figures before and after.

The default tiers keep the whole run under 10 minutes on two cores: the load burst of 200
concurrent runs, the idle minute after it and a third map round come with ``--full``.

    .venv/bin/python bench/harness.py [--full] [--only imports,map,...] [--compare OLD.json]
        [--out bench/results/latest.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness_rows import ROWS_OF, Row, compare_table, table

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
DEFAULT_OUT = BENCH / "results" / "latest.json"


@dataclass(frozen=True)
class Section:
    name: str
    script: str
    args: tuple[str, ...]
    full_args: tuple[str, ...] | None = None
    """The arguments with ``--full`` (the same as ``args`` when None)."""
    json_to_file: bool = True
    """``--json PATH`` writes the results; otherwise ``--json`` prints them on stdout."""
    timeout: float = 900


SECTIONS = (
    Section("imports", "handler_imports.py", ("--runs", "5", "--no-fail")),
    Section("steps", "step_overhead.py", ("--runs", "20", "--api-samples", "5"), timeout=1800),
    Section("map", "map_concurrency.py", ("--runs", "1", "--no-fail"), ("--runs", "3", "--no-fail"), False),
    Section("model_costs", "model_costs.py", (), json_to_file=False),
    Section("run_costs", "run_costs.py", ()),
    Section(
        "stop",
        "local_cloud_stop.py",
        ("--rounds", "2", "--runs", "5", "--no-fail"),
        ("--no-fail",),
        json_to_file=False,
    ),
    Section(
        "load",
        "local_cloud_load.py",
        ("--bursts", "10,50", "--idle", "0", "--no-fail"),
        ("--bursts", "10,50,200", "--no-fail"),
        timeout=1800,
    ),
    Section("emulation", "emulation_cpu.py", ("--runs", "10"), ("--runs", "20")),
    Section("safety", "safety_eval.py", (), json_to_file=False),
)


def _json_arguments(section: Section, path: Path) -> list[str]:
    if not section.json_to_file:
        return ["--json"]
    source = (BENCH / section.script).read_text(encoding="utf-8")
    if '"--out"' in source:  # a script writing its JSON to --out (its --json, if any, prints it)
        return ["--out", str(path)]
    return ["--json", str(path)]


def _parse_stdout(stdout: str) -> Any:
    """The last JSON document a script printed (after its table, or the metric lines its code logs):
    the longest tail of its output, from a line that opens a document, that is one."""
    lines = stdout.splitlines()
    for start in range(len(lines) - 1, -1, -1):
        if lines[start].startswith(("{", "[")):
            try:
                return json.loads("\n".join(lines[start:]))
            except json.JSONDecodeError:
                continue
    raise json.JSONDecodeError("no JSON document in the output", stdout[-200:], 0)


def run_section(section: Section, full: bool, workdir: Path) -> dict[str, Any]:
    """Runs one script; its results, exit code, duration and (when it failed) the tail of its errors."""
    script = BENCH / section.script
    if not script.exists():
        return {"skipped": f"{section.script} does not exist"}
    path = workdir / f"{section.name}.json"
    args = section.full_args if full and section.full_args is not None else section.args
    command = [sys.executable, str(script), *args, *_json_arguments(section, path)]
    print(f"[{datetime.now(UTC):%H:%M:%S}] {section.name}: {' '.join(command[1:])}", file=sys.stderr)
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, cwd=REPO, capture_output=True, text=True, timeout=section.timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {
            "seconds": round(time.monotonic() - started, 1),
            "error": f"no result in {section.timeout:.0f} s",
        }
    outcome: dict[str, Any] = {"seconds": round(time.monotonic() - started, 1), "exit_code": done.returncode}
    try:
        outcome["data"] = (
            json.loads(path.read_text(encoding="utf-8"))
            if section.json_to_file
            else _parse_stdout(done.stdout)
        )
    except (OSError, json.JSONDecodeError) as exc:
        outcome["error"] = f"no JSON result ({exc}): {done.stderr.strip()[-1500:]}"
    if done.returncode != 0:
        outcome["stderr"] = done.stderr.strip()[-1500:]
    return outcome


def _machine() -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from the PATH, as make runs it
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "commit": commit,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def run(sections: list[Section], full: bool) -> dict[str, Any]:
    started = time.monotonic()
    report: dict[str, Any] = {"started_at": datetime.now(UTC).isoformat(timespec="seconds"), "full": full}
    report |= _machine()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-harness-") as workdir:
        for section in sections:
            results[section.name] = run_section(section, full, Path(workdir))
    report["seconds"] = round(time.monotonic() - started, 1)
    report["sections"] = results
    report["rows"] = [row.as_dict() for row in rows_of(results)]
    return report


def rows_of(results: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for name, outcome in results.items():
        if "data" in outcome and outcome["data"] is not None:
            try:
                rows += ROWS_OF.get(name, ROWS_OF["*"])(name, outcome["data"])
            except (KeyError, TypeError, IndexError):  # a script whose JSON changed: its numbers, by path
                rows += ROWS_OF["*"](name, outcome["data"])
        else:
            reason = outcome.get("skipped") or outcome.get("error") or "no result"
            rows.append(
                Row(name, "result", reason.splitlines()[0][:80], ok=None if "skipped" in outcome else False)
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--full", action="store_true", help="the full tiers (200-run burst, idle minute)")
    parser.add_argument(
        "--only", help=f"these sections, comma-separated ({', '.join(s.name for s in SECTIONS)})"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the JSON goes")
    parser.add_argument("--compare", type=Path, metavar="OLD.json", help="print each figure before and after")
    args = parser.parse_args(argv)
    chosen = list(SECTIONS)
    if args.only:
        names = args.only.split(",")
        unknown = sorted(set(names) - {s.name for s in SECTIONS})
        if unknown:
            parser.error(f"--only: no section {', '.join(unknown)}")
        chosen = [s for s in SECTIONS if s.name in names]
    old = None
    if args.compare:
        try:
            old = json.loads(args.compare.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            parser.error(f"--compare {args.compare}: not a harness result ({exc})")
    report = run(chosen, args.full)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    rows = [Row.from_dict(row) for row in report["rows"]]
    print(table(rows))
    if old is not None:
        print(f"\nbefore ({args.compare}, {old.get('commit')}) and after ({report['commit']}):")
        print(compare_table([Row.from_dict(row) for row in old.get("rows", [])], rows))
    print(f"\n{report['seconds']:.0f} s in all; written to {args.out}")
    failed = [name for name, outcome in report["sections"].items() if "error" in outcome]
    for name in failed:
        print(f"FAILED: {name}: {report['sections'][name]['error'][:300]}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
