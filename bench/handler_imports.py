"""Cold-start import cost of every Lambda handler, measured against ``import boto3``.

Each measurement is a fresh interpreter (``sys.executable``) that imports one module with
``time.perf_counter`` around the import, so nothing is cached in memory between runs.
Runs are interleaved (boto3, then every handler, repeated ``--runs`` times) so that
machine noise hits every module alike; the medians are compared.

Target: every handler imports in at most 2x the time of ``import boto3`` and never loads
a provider SDK (anthropic, openai) at import time. Exit code 1 when a handler misses the
target (``--no-fail`` only reports), 2 when a module cannot be imported at all.

    .venv/bin/python bench/handler_imports.py [--runs 5] [--no-fail] [--plain-env]
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

REPO = Path(__file__).resolve().parents[1]
FUNCTIONS = REPO / "functions"
HANDLERS_DIR = FUNCTIONS / "handlers"
BASELINE = "boto3"
PROVIDER_SDKS = ("anthropic", "openai")
TARGET_RATIO = 2.0

# Runs in the child: only the import of the module under test sits between the two clocks.
_CHILD = """
import json, sys, time, importlib
name = sys.argv[1]
start = time.perf_counter()
importlib.import_module(name)
elapsed_ms = (time.perf_counter() - start) * 1000
print(json.dumps({
    "ms": elapsed_ms,
    "sdks": [sdk for sdk in PROVIDER_SDKS if sdk in sys.modules],
    "boto3": "boto3" in sys.modules,
}))
""".replace("PROVIDER_SDKS", repr(PROVIDER_SDKS))


@dataclass
class Measurement:
    module: str
    times_ms: list[float] = field(default_factory=list)
    sdks: set[str] = field(default_factory=set)
    imports_boto3: bool = False
    error: str | None = None

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else float("nan")


def handler_modules() -> list[str]:
    """Every handler module (``functions/handlers/*.py``), as ``handlers.<name>``."""
    return [f"handlers.{path.stem}" for path in sorted(HANDLERS_DIR.glob("*.py")) if path.stem != "__init__"]


def child_env(lambda_env: bool) -> dict[str, str]:
    """A clean environment: fake AWS credentials, the functions on the path, nothing else of Python's."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "AWS_"))}
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


def measure_once(module: str, env: dict[str, str]) -> tuple[float, list[str], bool]:
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
    return float(report["ms"]), list(report["sdks"]), bool(report["boto3"])


def measure(modules: list[str], runs: int, warmup: int, env: dict[str, str]) -> dict[str, Measurement]:
    results = {module: Measurement(module) for module in modules}
    for round_number in range(warmup + runs):
        for module in modules:
            result = results[module]
            if result.error is not None:
                continue
            try:
                elapsed, sdks, imports_boto3 = measure_once(module, env)
            except RuntimeError as exc:
                result.error = str(exc)
                continue
            result.sdks.update(sdks)
            result.imports_boto3 = result.imports_boto3 or imports_boto3
            if round_number >= warmup:  # warm-up rounds write bytecode caches, not results
                result.times_ms.append(elapsed)
    return results


def render(results: dict[str, Measurement], handlers: list[str]) -> tuple[str, list[str]]:
    baseline = results[BASELINE].median_ms
    rows = [("module", "median ms", "min ms", "x boto3", "<= 2x boto3", "provider SDKs", "loads boto3")]
    problems: list[str] = []
    base = results[BASELINE]
    rows.append((BASELINE, f"{baseline:.1f}", f"{min(base.times_ms):.1f}", "1.00", "baseline", "-", "yes"))
    for module in handlers:
        result = results[module]
        if result.error is not None:
            rows.append((module, "error", "", "", "NO", "", ""))
            problems.append(f"{module}: import failed: {result.error}")
            continue
        ratio = result.median_ms / baseline
        within = ratio <= TARGET_RATIO
        sdks = ", ".join(sorted(result.sdks)) or "none"
        rows.append(
            (
                module,
                f"{result.median_ms:.1f}",
                f"{min(result.times_ms):.1f}",
                f"{ratio:.2f}",
                "yes" if within else "NO",
                sdks,
                "yes" if result.imports_boto3 else "no",
            )
        )
        if not within:
            problems.append(f"{module}: {ratio:.2f}x boto3 (target <= {TARGET_RATIO:g}x)")
        if result.sdks:
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
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    handlers = handler_modules()
    env = child_env(args.lambda_env)
    print(
        f"python {sys.version.split()[0]} ({sys.executable}); {args.runs} runs per module "
        f"after {args.warmup} warm-up; environment: {'Lambda-like' if args.lambda_env else 'plain'}"
    )
    results = measure([BASELINE, *handlers], args.runs, args.warmup, env)
    if results[BASELINE].error is not None:
        print(f"cannot measure the baseline: {results[BASELINE].error}", file=sys.stderr)
        return 2
    table, problems = render(results, handlers)
    print(table)
    if not problems:
        print(f"\nOK: every handler imports in <= {TARGET_RATIO:g}x boto3 and loads no provider SDK")
        return 0
    print("\nTarget missed:")
    for problem in problems:
        print(f"  - {problem}")
    if args.no_fail:
        return 0
    return 2 if any("import failed" in problem for problem in problems) else 1


if __name__ == "__main__":
    sys.exit(main())
