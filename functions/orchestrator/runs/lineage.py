"""Where each result of a run came from: its prompt version, provider, model, cache or reuse source,
tokens and cost, and, for a resumed run, the chain of runs it came from and the result that really
produced each reused output. Reads stay inside the tenant: one ``GetItem`` and one ``Query`` per run
of the chain, never a ``Scan``."""

from __future__ import annotations

from typing import Any

from orchestrator.core.ports import RunRepository, StepResultRepository
from orchestrator.core.records import Run, StepResult
from orchestrator.templates.graph import get_template

MAX_CHAIN = 20
"""Runs of a chain followed back at most (a run resumed from a resumed run ... )."""


def _source(result: StepResult) -> str:
    if result.reused_from is not None:
        return "reused"
    if result.metadata.cache_hit:
        return "cache"
    if result.metadata.agent == "approval":
        return "person"
    return "model" if result.metadata.model_calls else "code"


def _entry(result: StepResult) -> dict[str, Any]:
    metadata = result.metadata
    return {
        "key": result.key,
        "step": result.step,
        "item": result.item,
        "status": result.status.value,
        "agent": metadata.agent,
        "source": _source(result),
        "prompt_version": metadata.prompt_version,
        "provider": metadata.provider,
        "model": metadata.model,
        "fallback_from": metadata.fallback_from,
        "tier": metadata.tier,
        "model_calls": metadata.model_calls,
        "tokens": result.token_usage.model_dump(mode="json"),
        "cost_usd": result.cost_usd,
        "reused_from": result.reused_from,
    }


def get_lineage(
    tenant_id: str, run_id: str, *, runs: RunRepository, results: StepResultRepository
) -> dict[str, Any]:
    """The run's results with their sources, the runs it came from (nearest first), and for each
    reused result its ``origin``: the result, up the chain, that was not itself reused."""
    run = runs.get(tenant_id, run_id)  # another tenant's run is a 404
    chain: list[Run] = []
    ancestor = run
    while (parent := ancestor.resumed_from or ancestor.replayed_from) is not None and len(chain) < MAX_CHAIN:
        ancestor = runs.get(tenant_id, parent)  # a resumed or a replayed run's
        chain.append(ancestor)
    loaded: dict[str, dict[str, StepResult]] = {}

    def result_of(owner: str, key: str) -> StepResult | None:
        if owner not in loaded:
            loaded[owner] = {r.key: r for r in results.list_for_run(tenant_id, owner)}
        return loaded[owner].get(key)

    order = {placement.step.name: placement.order for placement in get_template(run.template).placements()}
    steps = []
    for result in sorted(
        results.list_for_run(tenant_id, run_id), key=lambda r: (order.get(r.step, 0), r.key)
    ):
        entry = _entry(result)
        origin = result
        for _ in range(MAX_CHAIN):
            if origin.reused_from is None:
                break
            found = result_of(origin.reused_from["run_id"], origin.reused_from["key"])
            if found is None:
                break
            origin = found
        if origin is not result:
            entry["origin"] = {"run_id": origin.run_id} | _entry(origin)
        steps.append(entry)
    return {
        "run_id": run.run_id,
        "template": run.template,
        "status": run.status.value,
        "resumed_from": run.resumed_from,
        "resumed_by": run.resumed_by,
        "chain": [
            {
                "run_id": r.run_id,
                "status": r.status.value,
                "from_step": r.from_step,
                "created_at": r.created_at.isoformat(),
            }
            for r in chain
        ],
        "steps": steps,
    }
