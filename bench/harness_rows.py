"""The harness's figures: each script's JSON turned into rows (section, figure, value, target, ok),
printed as one table, or as two runs side by side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Row:
    section: str
    figure: str
    value: Any
    unit: str = ""
    target: str = ""
    ok: bool | None = None
    """True: the target is met; False: missed; None: no target."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Row:
        return cls(
            **{key: data.get(key, "") for key in ("section", "figure", "value", "unit", "target")},
            ok=data.get("ok"),
        )

    @property
    def key(self) -> tuple[str, str]:
        return self.section, self.figure

    def shown(self) -> str:
        return f"{self.value} {self.unit}".strip()


def _verdict(ok: bool | None) -> str:
    return {True: "yes", False: "NO", None: ""}[ok]


def table(rows: list[Row]) -> str:
    cells = [("section", "figure", "value", "target", "met")]
    cells += [(r.section, r.figure, r.shown(), r.target, _verdict(r.ok)) for r in rows]
    return _aligned(cells)


def compare_table(before: list[Row], after: list[Row]) -> str:
    """Every figure of either run: before, after, and the change when both are numbers."""
    old = {row.key: row for row in before}
    new = {row.key: row for row in after}
    keys = [row.key for row in after] + [row.key for row in before if row.key not in new]
    cells = [("section", "figure", "before", "after", "change", "met after")]
    for key in keys:
        was, now = old.get(key), new.get(key)
        change = ""
        if was and now and _number(was.value) and _number(now.value) and was.value:
            change = f"{(now.value - was.value) / abs(was.value) * 100:+.0f}%"
        cells.append(
            (
                *key,
                was.shown() if was else "-",
                now.shown() if now else "-",
                change,
                _verdict(now.ok if now else None),
            )
        )
    return _aligned(cells)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _aligned(cells: list[tuple[str, ...]]) -> str:
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(cells[0]))]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


# --- each script's JSON -----------------------------------------------------------------------------
def imports_rows(section: str, data: dict[str, Any]) -> list[Row]:
    clock, base = data["clock"], data["baseline"]
    rows = [Row(section, "import boto3 (baseline)", base[f"{clock}_ms_median"], f"ms {clock}")]
    for handler in data["handlers"]:
        name = handler["module"].removeprefix("handlers.")
        if handler.get("error"):
            rows.append(Row(section, f"{name} import", "error", ok=False))
            continue
        rows.append(
            Row(
                section,
                f"{name} import",
                handler[f"{clock}_x_boto3"],
                "x boto3",
                f"<= {handler['target']:g}",
                handler["within"],
            )
        )
    return rows


def steps_rows(section: str, data: dict[str, Any]) -> list[Row]:
    rows = []
    for kind in ("warm", "cold"):
        run = data[kind]
        label = f"per step, {kind} ({run['runs']} runs of {run['steps_per_run']} steps)"
        rows.append(Row(section, f"{label} p50", run["per_step_ms_p50"], "ms"))
        rows.append(Row(section, f"{label} p95", run["per_step_ms_p95"], "ms"))
        rows.append(Row(section, f"POST /runs answered, {kind}, p50", run["post_ms_p50"], "ms"))
    first = data["api_first_call"]
    rows.append(Row(section, "API GET /runs, first call of a new worker", first["cold_ms_median"], "ms"))
    rows.append(Row(section, "API GET /runs, warm", first["warm_ms_median"], "ms"))
    by_handler: dict[str, dict[str, Any]] = {}
    for function in data["memory"]:
        worst = by_handler.setdefault(
            function["handler"], {"peak": 0.0, "memory": function["memory_mb"], "n": 0}
        )
        worst["n"] += 1
        if function["peak_mib"] > worst["peak"]:
            worst |= {"peak": function["peak_mib"], "memory": function["memory_mb"]}
    for handler, worst in sorted(by_handler.items()):
        name = handler.removeprefix("handlers.")
        functions = f", highest of {worst['n']} functions" if worst["n"] > 1 else ""
        rows.append(
            Row(
                section,
                f"{name} peak memory (warm{functions})",
                worst["peak"],
                "MiB",
                f"x2 <= {worst['memory']} MB",  # room to spare: twice the peak (core/memory_sizes.py)
                worst["peak"] * 2 <= (worst["memory"] or 0),
            )
        )
    return rows


def map_rows(section: str, data: dict[str, Any]) -> list[Row]:
    rows = []
    for result in data["results"]:
        bound = result["max_concurrency"]
        rows.append(
            Row(
                section,
                f"{data['items']} items at bound {bound}: map wall",
                result["map_seconds_median"],
                "s",
            )
        )
        if bound != 1:
            met = result["speedup_vs_1"] >= 5.0 if bound == 8 else None
            rows.append(
                Row(
                    section,
                    f"speedup at bound {bound}",
                    result["speedup_vs_1"],
                    "x",
                    ">= 5" if bound == 8 else "",
                    met,
                )
            )
    return rows


def model_costs_rows(section: str, data: list[dict[str, Any]]) -> list[Row]:
    return [
        Row(section, f"{row['name']}: cost of 2 runs ({row['calls']} calls)", row["cost_usd"], "USD")
        for row in data
    ]


def stop_rows(section: str, data: dict[str, Any]) -> list[Row]:
    return [
        Row(
            section,
            f"stop with {data['runs_in_progress']} runs in progress, median",
            data["stop_seconds_median"],
            "s",
        ),
        Row(
            section, "stop, worst", data["stop_seconds_worst"], "s", "<= 3", data["stop_seconds_worst"] <= 3.0
        ),
        Row(section, "restart on the same ports, median", data["restart_seconds_median"], "s"),
        Row(section, "tracebacks", data["tracebacks"], "", "0", data["tracebacks"] == 0),
    ]


def load_rows(section: str, data: dict[str, Any]) -> list[Row]:
    rows = []
    for burst in data["bursts"]:
        size = burst["concurrent_posts"]
        ended_ok = burst["runs_final"] == {"SUCCEEDED": size}
        rows += [
            Row(
                section,
                f"{size} POSTs: all answered",
                burst["all_answered_seconds"],
                "s",
                *(("<= 60", burst["all_answered_seconds"] <= 60) if size == 200 else ()),
            ),
            Row(section, f"{size} POSTs: answers per second", burst["answers_per_second"], "/s"),
            Row(section, f"{size} POSTs: errors", burst["errors"], "", "0", burst["errors"] == 0),
            Row(
                section,
                f"{size} POSTs: every run ended",
                burst["all_ended_seconds"],
                "s",
                "all SUCCEEDED" + (", <= 180 s" if size == 200 else ""),
                ended_ok and (size != 200 or burst["all_ended_seconds"] <= 180),
            ),
        ]
        if "after" in burst:  # the whole local cloud once the burst's runs ended
            rows += _cloud_rows(section, f"{size} POSTs: once ended", burst["after"], data.get("max_workers"))
    if "after_idle" in data:
        idle = data["after_idle"]
        due = data.get("idle_seconds", data.get("idle_retirement_seconds", 0))  # an older JSON's name
        retired = idle["seconds"] >= due  # else none is due yet
        rows += _cloud_rows(section, f"after {idle['seconds']:.0f} s idle", idle, 0 if retired else None)
    if data.get("restored_idle"):  # a new cloud on the same state: the memory its data alone takes
        restored = data["restored_idle"]
        rows.append(
            Row(
                section,
                f"a new cloud on that state, after {restored['seconds']:.0f} s idle: its cloud process",
                restored["cloud_process_rss_mib"],
                "MiB",
            )
        )
    return rows


def _cloud_rows(section: str, when: str, cloud: dict[str, Any], most_workers: int | None) -> list[Row]:
    """Workers (at most ``most_workers``) and memory (RSS) of the local cloud's process tree."""
    workers = cloud["workers"]
    ok = None if most_workers is None else workers <= most_workers
    target = "" if most_workers is None else f"<= {most_workers}"
    rows = [
        Row(section, f"{when}: workers", workers, "", target, ok),
        Row(section, f"{when}: memory of the local cloud", cloud["rss_mib"], "MiB"),
    ]
    if "cloud_process_rss_mib" in cloud:  # the emulation's own part (its state), workers apart
        own = cloud["cloud_process_rss_mib"]
        rows.append(Row(section, f"{when}: memory of the cloud process", own, "MiB"))
    return rows


def emulation_rows(section: str, data: dict[str, Any]) -> list[Row]:
    """The local cloud's own CPU (moto's server threads, the whole cloud process) per AWS request
    and per run, measured as CPU so that other work on the cores does not move it."""
    runs = f"{data['runs']} {data['template'].split(',')[0]} runs"
    return [
        Row(section, f"AWS requests per run ({runs})", data["requests_per_run"]),
        Row(section, "CPU per request, moto's server threads", data["server_cpu_ms_per_request"], "ms"),
        Row(section, "CPU per request, whole cloud process", data["process_cpu_ms_per_request"], "ms"),
        Row(section, "CPU per run, whole cloud process", data["process_cpu_ms_per_run"], "ms"),
    ]


def safety_rows(section: str, data: dict[str, Any]) -> list[Row]:
    sets = (
        {"cases": data}
        if "all" in data
        else {k: v for k, v in data.items() if isinstance(v, dict) and "all" in v}
    )
    rows = []
    for name, result in sets.items():
        overall = result["all"]
        rows.append(Row(section, f"{name}: precision ({overall['cases']} cases)", overall["precision"]))
        rows.append(Row(section, f"{name}: recall", overall["recall"]))
        if isinstance(combined := result.get("with_model"), dict):
            rows.append(Row(section, f"{name}: precision, rules + model", combined["precision"]))
            rows.append(Row(section, f"{name}: recall, rules + model", combined["recall"]))
    if isinstance(cold := data.get("cold_start"), dict):
        rows.append(Row(section, "rules: import + first screen (CPU ms)", cold["total_ms"]))
    if isinstance(cold := data.get("cold_start_with_model"), dict):
        rows.append(Row(section, "rules + model: import + first screen (CPU ms)", cold["total_ms"]))
    return rows


def generic_rows(section: str, data: Any, prefix: str = "", limit: int = 24) -> list[Row]:
    """The numbers of a result this harness has no layout for, by their path in its JSON."""
    rows: list[Row] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        if _number(value):
            rows.append(Row(section, path, value))
        elif isinstance(value, dict | list):
            rows += generic_rows(section, value, path, limit - len(rows))
        if len(rows) >= limit:
            break
    return rows[:limit]


ROWS_OF: dict[str, Callable[[str, Any], list[Row]]] = {
    "imports": imports_rows,
    "steps": steps_rows,
    "map": map_rows,
    "model_costs": model_costs_rows,
    "stop": stop_rows,
    "load": load_rows,
    "emulation": emulation_rows,
    "safety": safety_rows,
    "*": generic_rows,
}
