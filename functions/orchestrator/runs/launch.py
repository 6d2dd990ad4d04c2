"""What starting a stored run's state machine takes: its input, and what a start that failed leaves.

Shared by a run started at once (``runs.start``) and a run started from its tenant's queue
(``runs.queue``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orchestrator.core import constants
from orchestrator.core.events import new_envelope
from orchestrator.core.ports import EventPublisher, RunRepository
from orchestrator.core.records import Run, RunReference, RunStatus, utc_now
from orchestrator.templates.graph import get_template

if TYPE_CHECKING:
    from orchestrator.tenancy.plans import TenantDirectory


def execution_input(run: Run) -> dict[str, Any]:
    """The state machine's input: the run's references and its gates' timing. The same
    run always gets the same input, so a second start of it is recognised as the same execution."""
    return RunReference(
        tenant_id=run.tenant_id, run_id=run.run_id, correlation_id=run.correlation_id, template=run.template
    ).model_dump() | _gate_timing(run)


def _gate_timing(run: Run) -> dict[str, Any]:
    """Every gate's decision window, and the reminder and escalation timing of those that have them."""
    template, requested = get_template(run.template), run.options.approval_timeout_seconds
    timing: dict[str, Any] = {"gate_timeouts": template.gate_timeouts(requested)}
    deadlines = template.gate_deadlines(requested)
    if deadlines:
        timing["gate_deadlines"] = deadlines
    return timing


def record_failed_start(
    runs: RunRepository,
    publisher: EventPublisher,
    run: Run,
    exc: Exception,
    tenants: TenantDirectory | None = None,
) -> None:
    """The run ends ``FAILED_TO_START`` (it never ran), its slot is given back, the bus is told."""
    error = {"name": type(exc).__name__, "message": str(exc)}
    runs.update_status(
        run.tenant_id, run.run_id, RunStatus.FAILED_TO_START, error=error, finished_at=utc_now().isoformat()
    )
    if tenants is not None:
        tenants.release_run_slot(run.tenant_id, run.run_id)
    publisher.publish(
        new_envelope(
            constants.ERROR_OCCURRED,
            run,
            payload={"stage": "start", "error": error["name"], "message": error["message"]},
        )
    )
