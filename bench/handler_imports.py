"""Cold-start import cost of every Lambda handler, measured against ``import boto3``.

Each measurement is a fresh interpreter (``sys.executable``) that imports one module with
``time.perf_counter`` (wall) and ``time.process_time`` (CPU) around the import, so nothing is
cached in memory between runs. Runs are interleaved (boto3, then every handler, repeated
``--runs`` times) so that machine noise hits every module alike; the medians are compared.
The verdict uses the CPU time (``--clock cpu``, the default): it is what the import itself
costs, while the wall time of the same import doubles on a machine whose cores other processes
share (``--clock wall`` judges by it; both are reported).

Targets: the API function imports in at most 2.0x the time of ``import boto3``, every other
handler in at most 1.8x, and none loads a provider SDK (anthropic, openai) at import time.
Exit code 1 when a handler misses its target (``--no-fail`` only reports), 2 when a module
cannot be imported at all.

    .venv/bin/python bench/handler_imports.py [--runs 5] [--no-fail] [--plain-env] [--clock cpu|wall]
        [--json [PATH]]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from json_output import STDOUT, add_json_argument, write_json

REPO = Path(__file__).resolve().parents[1]
FUNCTIONS = REPO / "functions"
HANDLERS_DIR = FUNCTIONS / "handlers"
BASELINE = "boto3"
PROVIDER_SDKS = ("anthropic", "openai")
TARGET_RATIO = 1.8
TARGET_RATIOS = {"handlers.api": 2.0}  # the API's routers and request models: a little more

# Runs in the child: only the import of the module under test sits between the two clocks.
_CHILD = """
import json, sys, time, importlib
name = sys.argv[1]
start, cpu = time.perf_counter(), time.process_time()
importlib.import_module(name)
elapsed_ms, cpu_ms = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
print(json.dumps({
    "ms": elapsed_ms,
    "cpu_ms": cpu_ms,
    "sdks": [sdk for sdk in PROVIDER_SDKS if sdk in sys.modules],
    "boto3": "boto3" in sys.modules,
}))
""".replace("PROVIDER_SDKS", repr(PROVIDER_SDKS))


@dataclass
class Measurement:
    module: str
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    sdks: set[str] = field(default_factory=set)
    imports_boto3: bool = False
    error: str | None = None

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else float("nan")

    @property
    def median_cpu_ms(self) -> float:
        return statistics.median(self.cpu_ms) if self.cpu_ms else float("nan")

    def median(self, clock: str) -> float:
        return self.median_cpu_ms if clock == "cpu" else self.median_ms


def handler_modules() -> list[str]:
    """Every handler module (``functions/handlers/*.py``), as ``handlers.<name>``."""
    return [f"handlers.{path.stem}" for path in sorted(HANDLERS_DIR.glob("*.py")) if path.stem != "__init__"]


def child_env(lambda_env: bool) -> dict[str, str]:
    """A clean environment: fake AWS credentials, the functions on the path, nothing else of Python's
    (nor a Powertools setting of the caller's, such as tests' ``POWERTOOLS_TRACE_DISABLED``)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "AWS_", "POWERTOOLS_"))
    }
    env |= {
        "PYTHONPATH": str(FUNCTIONS),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }
    if lambda_env:
        # What the Lambda runtime and the CDK stack set: Powertools then enables X-Ray tracing
        # and patches libraries at import time, as it does on a real cold start.
        env |= {
            "LAMBDA_TASK_ROOT": str(FUNCTIONS),
            "AWS_LAMBDA_FUNCTION_NAME": "bench-handler",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
            "POWERTOOLS_SERVICE_NAME": "ai-orchestrator",
            "POWERTOOLS_METRICS_NAMESPACE": "AiOrchestrator",
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }
    return env


def declared_settings(module: str) -> dict[str, str]:
    """The variables the stack gives a handler's function (placeholders for the names and ARNs):
    in Lambda the handler reads and checks them while it loads, so they are part of its init."""
    sys.path.insert(0, str(FUNCTIONS))
    from orchestrator.core.settings import REQUIRED_BY_FUNCTION, Settings

    needed = REQUIRED_BY_FUNCTION[module.removeprefix("handlers.")]
    placeholders = {name: "bench-" + name.replace("_", "-") for name in needed}
    if "state_machines" in needed:
        placeholders["state_machines"] = json.dumps({"generic": "arn:aws:states:us-east-1:1:stateMachine:g"})
    return Settings.environment(**placeholders)


def measure_once(module: str, env: dict[str, str]) -> tuple[float, float, list[str], bool]:
    if "AWS_LAMBDA_FUNCTION_NAME" in env and module.startswith("handlers."):
        env = env | declared_settings(module)
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, module],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else "failed"
        )
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    return float(report["ms"]), float(report["cpu_ms"]), list(report["sdks"]), bool(report["boto3"])


def measure(modules: list[str], runs: int, warmup: int, env: dict[str, str]) -> dict[str, Measurement]:
    results = {module: Measurement(module) for module in modules}
    for round_number in range(warmup + runs):
        for module in modules:
            result = results[module]
            if result.error is not None:
                continue
            try:
                elapsed, cpu, sdks, imports_boto3 = measure_once(module, env)
            except RuntimeError as exc:
                result.error = str(exc)
                continue
            result.sdks.update(sdks)
            result.imports_boto3 = result.imports_boto3 or imports_boto3
            if round_number >= warmup:  # warm-up rounds write bytecode caches, not results
                result.times_ms.append(elapsed)
                result.cpu_ms.append(cpu)
    return results


def target_of(module: str) -> float:
    return TARGET_RATIOS.get(module, TARGET_RATIO)


def results_data(results: dict[str, Measurement], handlers: list[str], clock: str) -> dict[str, Any]:
    """The measurements as data: per module its medians, its ratios to boto3's and its verdict."""
    base = results[BASELINE]
    rows = []
    for module in handlers:
        result = results[module]
        row: dict[str, Any] = {"module": module, "target": target_of(module), "error": result.error}
        if result.error is None:
            row |= {
                "wall_ms_median": round(result.median_ms, 1),
                "cpu_ms_median": round(result.median_cpu_ms, 1),
                "wall_x_boto3": round(result.median_ms / base.median_ms, 2),
                "cpu_x_boto3": round(result.median_cpu_ms / base.median_cpu_ms, 2),
                "provider_sdks": sorted(result.sdks),
                "loads_boto3": result.imports_boto3,
            }
            row["within"] = row[f"{clock}_x_boto3"] <= row["target"] and not result.sdks
        rows.append(row)
    return {
        "clock": clock,
        "baseline": {
            "module": BASELINE,
            "wall_ms_median": round(base.median_ms, 1),
            "cpu_ms_median": round(base.median_cpu_ms, 1),
        },
        "handlers": rows,
    }


def render(data: dict[str, Any]) -> tuple[str, list[str]]:
    clock, base = data["clock"], data["baseline"]
    rows = [("module", "wall ms", "x boto3", "cpu ms", "x boto3", "target", "ok", "provider SDKs")]
    rows.append(
        (
            BASELINE,
            f"{base['wall_ms_median']:.1f}",
            "1.00",
            f"{base['cpu_ms_median']:.1f}",
            "1.00",
            "",
            "",
            "-",
        )
    )
    problems: list[str] = []
    for row in data["handlers"]:
        module = row["module"]
        if row["error"] is not None:
            rows.append((module, "error", "", "", "", "", "NO", ""))
            problems.append(f"{module}: import failed: {row['error']}")
            continue
        sdks = ", ".join(row["provider_sdks"]) or "none"
        rows.append(
            (
                module,
                f"{row['wall_ms_median']:.1f}",
                f"{row['wall_x_boto3']:.2f}",
                f"{row['cpu_ms_median']:.1f}",
                f"{row['cpu_x_boto3']:.2f}",
                f"<= {row['target']:g}x",
                "yes" if row["within"] else "NO",
                sdks,
            )
        )
        ratio = row[f"{clock}_x_boto3"]
        if ratio > row["target"]:
            problems.append(f"{module}: {ratio:.2f}x boto3 ({clock}; target <= {row['target']:g}x)")
        if row["provider_sdks"]:
            problems.append(f"{module}: imports provider SDK(s) at import time: {sdks}")
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines), problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="measured runs per module (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs first (default 1)")
    parser.add_argument("--no-fail", action="store_true", help="report only; always exit 0")
    parser.add_argument(
        "--plain-env",
        dest="lambda_env",
        action="store_false",
        help="leave out the Lambda runtime's variables (by default they are set, as on a real cold "
        "start, so Powertools enables X-Ray and patches botocore at import)",
    )
    parser.add_argument(
        "--clock", choices=("cpu", "wall"), default="cpu", help="the time the targets judge (default cpu)"
    )
    parser.add_argument("--modules", help="only these handlers, comma-separated (handlers.api,...)")
    add_json_argument(parser)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    handlers = args.modules.split(",") if args.modules else handler_modules()
    env = child_env(args.lambda_env)
    header = (
        f"python {sys.version.split()[0]} ({sys.executable}); {args.runs} runs per module "
        f"after {args.warmup} warm-up; environment: {'Lambda-like' if args.lambda_env else 'plain'}"
    )
    results = measure([BASELINE, *handlers], args.runs, args.warmup, env)
    if results[BASELINE].error is not None:
        print(f"cannot measure the baseline: {results[BASELINE].error}", file=sys.stderr)
        return 2
    data = results_data(results, handlers, args.clock) | {"runs": args.runs, "lambda_env": args.lambda_env}
    table, problems = render(data)
    write_json(args.json, data)
    out = sys.stderr if args.json == STDOUT else sys.stdout
    print(header, table, sep="\n", file=out)
    if not problems:
        print("\nOK: every handler imports within its target and loads no provider SDK", file=out)
        return 0
    print("\nTarget missed:", file=out)
    for problem in problems:
        print(f"  - {problem}", file=out)
    if args.no_fail:
        return 0
    return 2 if any("import failed" in problem for problem in problems) else 1


if __name__ == "__main__":
    sys.exit(main())
