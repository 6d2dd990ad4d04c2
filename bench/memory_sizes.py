"""Each function's memory size against what it was measured to need: peak memory with a margin, and
the CPU work that a size's CPU share stretches.

Lambda gives a function CPU in proportion to its memory: one vCPU's worth at 1,769 MB, a seventh of
it at 256 MB. So a function whose work is CPU (imports at a cold start, validation, JSON) takes about
``cpu_ms x 1769 / MB`` at a size below 1,769 MB, while the time it waits on the network does not
shrink with more memory. This script reads two measurements and projects them onto candidate sizes:

- ``bench/step_overhead.py --json``: each function's peak memory (``VmHWM``) after its init and warm
  invocations, and its CPU per warm ``generic`` run (an agent's function: its one invocation);
- ``bench/handler_imports.py --json``: each handler's import CPU in a fresh interpreter, the bulk of
  a cold start (boto3, imported lazily on the first AWS call, is added: ``--boto3-ms``, default the
  measured baseline).

For every handler: the size it is deployed with (``orchestrator.core.memory_sizes``), its peak and
the check that the size holds the peak twice over, and the cold start's and a warm run's CPU
projected at 128, 256, 512, 1024 and 1769 MB. Exit 1 if a size holds less than twice its peak. The
projection assumes the CPU share is the only thing that changes: measure the deployed functions'
``Init Duration`` and ``Duration`` (CloudWatch Logs REPORT lines) to confirm it.

    .venv/bin/python bench/memory_sizes.py --steps steps.json --imports imports.json [--json [PATH]]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "functions")]

from json_output import add_json_argument, write_json  # noqa: E402

from orchestrator.core.memory_sizes import MEMORY_MB, VCPU_MB  # noqa: E402

CANDIDATES = (128, 256, 512, 1024, 1769)
MARGIN = 2.0


def stretched_ms(cpu_ms: float, memory_mb: int) -> float:
    """What ``cpu_ms`` of one vCPU's work takes with the CPU share of ``memory_mb``."""
    return cpu_ms * VCPU_MB / min(memory_mb, VCPU_MB)


def rows(steps: dict[str, Any], imports: dict[str, Any], boto3_ms: float | None) -> list[dict[str, Any]]:
    """One row per handler: its size, measured peak and CPU, and the projections."""
    peaks: dict[str, float] = {}
    warm_cpu: dict[str, float] = {}
    for function in steps.get("memory", []):
        name = function["handler"].removeprefix("handlers.")
        peaks[name] = max(peaks.get(name, 0.0), function["peak_mib"])
        if function.get("cpu_ms_per_run") is not None:
            warm_cpu[name] = max(warm_cpu.get(name, 0.0), function["cpu_ms_per_run"])
    baseline = boto3_ms if boto3_ms is not None else imports["baseline"]["cpu_ms_median"]
    init_cpu = {
        h["module"].removeprefix("handlers."): h["cpu_ms_median"] + baseline
        for h in imports.get("handlers", [])
        if h.get("cpu_ms_median") is not None
    }
    table = []
    for name, size in sorted(MEMORY_MB.items()):
        peak = peaks.get(name)
        table.append(
            {
                "handler": name,
                "memory_mb": size,
                "peak_mib": peak,
                "holds_peak_twice": None if peak is None else peak * MARGIN <= size,
                "init_cpu_ms": init_cpu.get(name),
                "init_ms_at": _projected(init_cpu.get(name)),
                "warm_cpu_ms_per_run": warm_cpu.get(name),
                "warm_ms_at": _projected(warm_cpu.get(name)),
            }
        )
    return table


def _projected(cpu_ms: float | None) -> dict[str, float] | None:
    if cpu_ms is None:
        return None
    return {str(mb): round(stretched_ms(cpu_ms, mb)) for mb in CANDIDATES}


def render(table: list[dict[str, Any]]) -> str:
    sizes = " ".join(f"{mb:>6}" for mb in CANDIDATES)
    lines = [f"{'handler':22} {'MB':>5} {'peak':>6} {'x2 ok':>5}  {'what':10} {sizes}  (ms at each MB)"]
    for row in table:
        peak = "-" if row["peak_mib"] is None else f"{row['peak_mib']:.1f}"
        ok = {True: "yes", False: "NO", None: "-"}[row["holds_peak_twice"]]
        for label, key in (("cold init", "init_ms_at"), ("warm run", "warm_ms_at")):
            projected = row[key]
            if projected is None:
                continue
            values = " ".join(f"{projected[str(mb)]:>6}" for mb in CANDIDATES)
            lines.append(f"{row['handler']:22} {row['memory_mb']:>5} {peak:>6} {ok:>5}  {label:10} {values}")
            peak, ok = "", ""
        if row["init_ms_at"] is None and row["warm_ms_at"] is None:
            lines.append(f"{row['handler']:22} {row['memory_mb']:>5} {peak:>6} {ok:>5}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=Path, required=True, help="bench/step_overhead.py's JSON")
    parser.add_argument("--imports", type=Path, required=True, help="bench/handler_imports.py's JSON")
    parser.add_argument("--boto3-ms", type=float, default=None, help="boto3's import CPU (default: measured)")
    add_json_argument(parser)
    args = parser.parse_args()
    table = rows(json.loads(args.steps.read_text()), json.loads(args.imports.read_text()), args.boto3_ms)
    if args.json != "-":
        print(render(table))
    write_json(args.json, table)
    return 1 if any(row["holds_peak_twice"] is False for row in table) else 0


if __name__ == "__main__":
    sys.exit(main())
