"""What changed from one run to another, step by step: the prompt version, what the step read (its
input digest), what it asked the model (its request digest), its output (the top-level fields that
differ), its status, confidence, tokens and cost. A replay compared with the run it replays shows
exactly the steps a prompt change reached; the others are ``unchanged``.

Reads stay inside the tenant: one ``GetItem`` and one ``Query`` per run (and a workspace read per
output too large to keep inline), never a ``Scan``.
"""

from __future__ import annotations

import json
from typing import Any

from orchestrator.core.errors import InvalidRequest, NotFound, RepositoryError
from orchestrator.core.ports import RunRepository, StepResultRepository, Workspace
from orchestrator.core.records import Run, StepResult, StepStatus
from orchestrator.templates.graph import get_template

COMPARED = ("status", "prompt_version", "input", "prompt", "output")
"""What makes a step ``changed`` (tokens, cost and confidence are shown side by side: a reused
step costs nothing and is still the same answer)."""


def diff_runs(
    tenant_id: str,
    a: str,
    b: str,
    *,
    runs: RunRepository,
    results: StepResultRepository,
    workspace: Workspace | None = None,
) -> dict[str, Any]:
    """Per result key (``step`` or ``step#item``) of either run, in the template's order: what
    differs from ``a`` to ``b`` (``changes``), and each side's values. Another tenant's or an unknown
    run is ``RunNotFound``."""
    run_a, run_b = runs.get(tenant_id, a), runs.get(tenant_id, b)
    side_a = {r.key: r for r in results.list_for_run(tenant_id, a)}
    side_b = {r.key: r for r in results.list_for_run(tenant_id, b)}
    order = _order(run_a, run_b)
    last = max(order.values(), default=0) + 1
    keys = sorted(side_a.keys() | side_b.keys(), key=lambda key: (order.get(key.split("#", 1)[0], last), key))
    steps = [_compare(key, side_a.get(key), side_b.get(key), workspace) for key in keys]
    return {
        "a": _run_summary(run_a, list(side_a.values())),
        "b": _run_summary(run_b, list(side_b.values())),
        "same_template": run_a.template == run_b.template,
        "changed_steps": [step["key"] for step in steps if step["changed"]],
        "unchanged_steps": [step["key"] for step in steps if not step["changed"]],
        "steps": steps,
    }


def _order(*compared: Run) -> dict[str, int]:
    order: dict[str, int] = {}
    for run in compared:
        try:
            placements = get_template(run.template).placements()
        except InvalidRequest:  # a template that no longer exists: its steps sort last, by key
            continue
        for placement in placements:
            order.setdefault(placement.step.name, placement.order)
    return order


def _run_summary(run: Run, results: list[StepResult]) -> dict[str, Any]:
    agents = [r for r in results if r.metadata.agent != "approval"]
    return {
        "run_id": run.run_id,
        "template": run.template,
        "status": run.status.value,
        "prompt_versions": run.prompt_versions,
        "replayed_from": run.replayed_from,
        "resumed_from": run.resumed_from,
        "tokens": sum(r.token_usage.total_tokens for r in agents),
        "cost_usd": round(sum(r.cost_usd for r in agents), 6),
        "model_calls": run.model_calls,
    }


def _compare(
    key: str, a: StepResult | None, b: StepResult | None, workspace: Workspace | None
) -> dict[str, Any]:
    either = b or a
    assert either is not None  # a key comes from one side at least
    entry: dict[str, Any] = {"key": key, "step": either.step, "item": either.item}
    entry["agent"] = either.metadata.agent
    if a is None or b is None:
        entry |= {"only_in": "b" if a is None else "a", "changed": True, "changes": ["presence"]}
        return entry | _sides(a, b)
    output_a, output_b = _output(a, workspace), _output(b, workspace)
    fields = _changed_fields(output_a, output_b)
    same = {
        "status": _settled(a) == _settled(b),
        "prompt_version": a.metadata.prompt_version == b.metadata.prompt_version,
        "input": _same_digest(a.input_hash, b.input_hash),
        "prompt": _same_digest(a.prompt_hash, b.prompt_hash),
        "output": None if output_a is None or output_b is None else not fields,
    }
    changes = [name for name in COMPARED if same[name] is False]
    return (
        entry
        | _sides(a, b)
        | {
            "changed": bool(changes),
            "changes": changes,
            "input_changed": None if same["input"] is None else not same["input"],
            "prompt_changed": None if same["prompt"] is None else not same["prompt"],
            "output_changed": None if same["output"] is None else not same["output"],
            "output_fields": fields,
            "reused_from_a": b.reused_from is not None and b.reused_from.get("run_id") == a.run_id,
        }
    )


def _sides(a: StepResult | None, b: StepResult | None) -> dict[str, Any]:
    def pair(read: Any) -> dict[str, Any]:
        return {"a": read(a) if a is not None else None, "b": read(b) if b is not None else None}

    return {
        "status": pair(lambda r: r.status.value),
        "prompt_version": pair(lambda r: r.metadata.prompt_version),
        "provider": pair(lambda r: r.metadata.provider),
        "model": pair(lambda r: r.metadata.model),
        "confidence": pair(lambda r: r.confidence_score),
        "tokens": pair(lambda r: r.token_usage.total_tokens),
        "cost_usd": pair(lambda r: r.cost_usd),
        "reused_from": pair(lambda r: r.reused_from),
    }


def _settled(result: StepResult) -> StepStatus:
    """A step undone with its run had succeeded: its answer compares as a succeeded one's."""
    return StepStatus.SUCCEEDED if result.status is StepStatus.COMPENSATED else result.status


def _same_digest(a: str | None, b: str | None) -> bool | None:
    """Equal digests, or None when a side has none (a run from before digests were kept, a gate)."""
    return None if a is None or b is None else a == b


def _output(result: StepResult, workspace: Workspace | None) -> dict[str, Any] | None:
    """A result's output for the comparison (never shown): a succeeded step's, inline or in the
    workspace; an undone step's kept output; None when there is none to compare."""
    if result.status is StepStatus.COMPENSATED:
        return result.undone_data
    if result.data is not None or result.data_ref is None or workspace is None:
        return result.data
    try:
        loaded: dict[str, Any] = json.loads(workspace.get(result.data_ref))
    except (NotFound, RepositoryError):
        return None
    return loaded


def _changed_fields(a: dict[str, Any] | None, b: dict[str, Any] | None) -> list[str]:
    if a is None or b is None:
        return []
    return sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))
