"""Two small rules every part of a run shares: where its own data lives, and when its steps stop.

Kept apart from the agent runner so that the API and the lifecycle functions use them without
importing the runner and every command kind behind it (cold starts).
"""

from __future__ import annotations

from orchestrator.core import constants
from orchestrator.core.errors import RunCancelled
from orchestrator.core.records import Run, RunStatus


def run_data_prefix(tenant_id: str, run_id: str) -> str:
    """Where a run keeps its own data in the workspace (large outputs, map manifests)."""
    return f"{tenant_id}/{constants.RUN_DATA_PREFIX}/{run_id}/"


def ensure_moving_forward(run: Run) -> None:
    """A step of a cancelled, ended or compensating run must not start (or finish) its work."""
    if run.cancel_requested_at is not None:
        raise RunCancelled(f"run {run.run_id} was cancelled by {run.cancel_requested_by or 'someone'}")
    if run.status is not RunStatus.RUNNING:
        raise RunCancelled(f"run {run.run_id} is {run.status.value}: its steps stop")
