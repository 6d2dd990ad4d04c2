"""Before a map: the list to fan out over, as item references in an S3 manifest.

Items are references (``{"index": i}``): each item's agent reads its element from the
producing step's stored output, so the state payload never carries the list. Short lists
also come back inline (a plain Map state); longer ones are read from the manifest by a
Distributed Map.
"""

from __future__ import annotations

import json
from typing import Any

from orchestrator.core import constants
from orchestrator.core.errors import InvalidRequest
from orchestrator.core.ports import RunRepository, StepResultRepository, Workspace
from orchestrator.core.records import StepStatus, StepTaskInput
from orchestrator.runs.guards import ensure_moving_forward, run_data_prefix
from orchestrator.templates.graph import get_template


def prepare_map(
    task: StepTaskInput,
    *,
    runs: RunRepository,
    results: StepResultRepository,
    workspace: Workspace,
    bucket: str,
) -> dict[str, Any]:
    run = runs.get(task.tenant_id, task.run_id, consistent=True)
    ensure_moving_forward(run)
    try:
        step = get_template(run.template).map_step(task.step)
    except KeyError as exc:
        raise InvalidRequest(str(exc)) from None
    source = results.get(run.tenant_id, run.run_id, step.source_step)
    if source is None or source.status is not StepStatus.SUCCEEDED:
        raise InvalidRequest(f"map {step.name!r}: step {step.source_step!r} has no output to map over")
    data = source.data
    if data is None and source.data_ref:
        data = json.loads(workspace.get(source.data_ref))
    items = (data or {}).get(step.source_field)
    if not isinstance(items, list):
        raise InvalidRequest(f"map {step.name!r}: {step.over!r} is not a list")
    if len(items) > constants.MAX_MAP_ITEMS:
        raise InvalidRequest(f"map {step.name!r}: {len(items)} items, at most {constants.MAX_MAP_ITEMS}")
    references = [{"index": index} for index in range(len(items))]
    key = f"{run_data_prefix(run.tenant_id, run.run_id)}manifests/{step.name}.json"
    workspace.put(key, json.dumps(references).encode(), "application/json", {"orchestrator-run": run.run_id})
    inline = len(references) <= step.inline_limit
    bound = step.max_concurrency
    if run.options.max_concurrency is not None:
        bound = min(bound, run.options.max_concurrency)
    return {
        "count": len(references),
        "max_concurrency": bound,
        "inline": inline,
        "items": references if inline else [],
        "manifest": {"bucket": bucket, "key": key},
    }
