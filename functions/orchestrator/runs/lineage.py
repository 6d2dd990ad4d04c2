"""Where each result of a run came from: its prompt version, provider, model, cache or reuse source,
tokens and cost, the commands it ran (with the object versions they wrote) and the events it
published, and, for a resumed run, the chain of runs it came from and the result that really
produced each reused output. Reads stay inside the tenant: one ``GetItem`` and one ``Query`` per run
of the chain, and the run's command log and audit trail (a ``Query`` each, by run), never a ``Scan``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from orchestrator.core.ports import CommandLogRepository, EventRepository, RunRepository, StepResultRepository
from orchestrator.core.records import CommandRecord, Run, StepResult
from orchestrator.templates.graph import get_template

MAX_CHAIN = 20
"""Runs of a chain followed back at most (a run resumed from a resumed run ... )."""
EVENT_PAGE = 200
MAX_EVENT_PAGES = 25
"""The run's audit trail is read this many pages at most (5,000 events)."""


def _command(record: CommandRecord) -> dict[str, Any]:
    """A command a step ran: what, how it ended, and the object version it wrote (workspace files,
    deployment stages) or the index it filled (vectors), as its outcome names them."""
    outcome = record.outcome
    written = {name: outcome[name] for name in ("key", "version_id", "index") if name in outcome}
    return {
        "command_id": record.command_id,
        "kind": record.kind,
        "status": record.status.value,
        "sequence": record.sequence,
        "completed_at": record.completed_at.isoformat() if record.completed_at else None,
        "undone_at": record.undone_at.isoformat() if record.undone_at else None,
        "object": written or None,
        "outcome": outcome,
    }


def commands_by_result(tenant_id: str, run_id: str, commands: CommandLogRepository) -> dict[str, list[Any]]:
    """The run's command log, per result key, in the order they ran."""
    by_key: dict[str, list[Any]] = defaultdict(list)
    for record in sorted(commands.list_for_run(tenant_id, run_id), key=lambda r: r.command_id):
        by_key[record.result_key].append(_command(record))
    return by_key


def events_by_result(tenant_id: str, run_id: str, events: EventRepository) -> dict[str, list[Any]]:
    """The run's audit trail, per result key (an event's ``phase``), in time order."""
    by_key: dict[str, list[Any]] = defaultdict(list)
    cursor: str | None = None
    for _ in range(MAX_EVENT_PAGES):
        page, cursor = events.list_for_run(tenant_id, run_id, EVENT_PAGE, cursor)
        for event in page:
            if event.phase:
                by_key[event.phase].append(
                    {
                        "event_id": event.event_id,
                        "event_type": event.event_type,
                        "timestamp": event.timestamp.isoformat(),
                    }
                )
        if cursor is None:
            break
    return by_key


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
    tenant_id: str,
    run_id: str,
    *,
    runs: RunRepository,
    results: StepResultRepository,
    commands: CommandLogRepository | None = None,
    events: EventRepository | None = None,
) -> dict[str, Any]:
    """The run's results with their sources, the commands each ran and the events each published
    (with ``commands`` and ``events``), the runs it came from (nearest first), and for each reused
    result its ``origin``: the result, up the chain, that was not itself reused."""
    run = runs.get(tenant_id, run_id)  # another tenant's run is a 404
    ran = commands_by_result(tenant_id, run_id, commands) if commands is not None else None
    published = events_by_result(tenant_id, run_id, events) if events is not None else None
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
        if ran is not None:
            entry["commands"] = ran.get(result.key, [])
        if published is not None:
            entry["events"] = published.get(result.key, [])
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
