"""Fair admission: a run past its tenant's concurrent-run limit waits in that tenant's queue.

A run that finds every slot of its tenant held (or older runs of its tenant waiting) is stored
``QUEUED`` and starts when a slot frees, oldest first. Each tenant has its own queue in its own
partition of the tenants table: a tenant's queue never delays another tenant's runs.

The tenants table is the source of truth: a slot item per run in progress, a queue item per run
waiting, and the profile's two counters, changed together in one transaction. Moving a queued run
to a slot (a *promotion*) is one transaction that deletes its queue item (only if it exists), puts
its slot item and counts it (only while a slot is free): however many promotions race, a queued run
is moved once and the limit is never exceeded. Starting its execution afterwards is idempotent (the
execution's name is the run id), so a second start of a promoted run starts nothing new.

Why a queued run is never stuck for ever. A run is queued only while its tenant's slots are all
held or others wait ahead of it, and the start that queued it then makes a promotion pass itself:
if a slot freed meanwhile, that pass uses it. Otherwise every slot is held by a run that will end:

- a run whose execution was started ends, at the latest at its state machine's timeout, and every
  end of an execution (succeeded, failed, timed out, aborted) is an event from Step Functions
  itself that the ``execution_ended`` function receives (with Lambda's retries, then a dead-letter
  queue): it gives the run's slot back and makes a promotion pass;
- a run whose start failed is recorded ``FAILED_TO_START`` and its slot given back by the function
  that tried, which then makes a promotion pass;
- a promotion pass that finds no free slot first looks at the slots' holders: a slot an ended run
  never gave back is given back, a promoted run whose start was lost (it has not moved for a
  minute) is started now, and a run whose own start stopped midway long ago is recorded
  ``FAILED_TO_START``.

A pass lost for good (its function failed on every retry) leaves the run queued until the tenant's
next start or the next end of one of its runs, each of which makes a pass again.
"""

from __future__ import annotations

import time
from enum import StrEnum

from orchestrator.core import constants
from orchestrator.core.errors import ConflictError, NotFound, OrchestratorError
from orchestrator.core.events import new_envelope
from orchestrator.core.observability import emit_queue_wait, logger
from orchestrator.core.ports import EventPublisher, ExecutionStarter, RunRepository
from orchestrator.core.records import Run, RunStatus, utc_now
from orchestrator.runs.launch import execution_input, record_failed_start
from orchestrator.tenancy.plans import Promotion, TenantDirectory, TenantLimitReached

PASS_STEPS = 50
"""At most this many promotions (and skipped entries) in one pass: a pass is bounded."""
HEAD_WINDOW = 10
"""Queue entries looked at for the oldest run that is stored."""
ORPHAN_SECONDS = 300
"""A queue entry whose run was never stored this long after (its start stopped midway) is dropped."""
PROMOTED_START_GRACE_SECONDS = 60
"""A promoted run that holds a slot but has not moved this long is started by the next pass (the
pass that promoted it stopped before starting it); sooner, that pass may still be starting it."""
STALLED_START_SECONDS = 900
"""A run that holds a slot but is still ``PENDING`` this long after (its start stopped midway, and
nothing retried it) ends ``FAILED_TO_START``: a start that is retried is retried within this."""


class Admission(StrEnum):
    SLOT = "slot"  # it took a free slot now: start it
    HELD = "held"  # it held its slot already (a retried start)
    QUEUED = "queued"  # it waits in the tenant's queue


class StartInterrupted(OrchestratorError):
    """The run's start stopped between taking a slot and starting its execution, and was never retried."""


def admit(tenants: TenantDirectory, tenant_id: str, run_id: str) -> Admission:
    """A slot for ``run_id`` when one is free and nobody waits, else a place in the queue.

    ``TenantLimitReached`` (``max_queued_runs``) when the queue is full too; ``TenantNotActive``
    when the tenant is disabled or unknown."""
    try:
        return Admission.SLOT if tenants.acquire_run_slot(tenant_id, run_id) else Admission.HELD
    except TenantLimitReached as exc:
        if exc.limit != "max_concurrent_runs":
            raise
    tenant = tenants.get(tenant_id)
    cap = tenant.max_queued_runs if tenant is not None else 0
    tenants.enqueue_run(tenant_id, run_id, cap=cap)  # False: queued by an earlier try of this start
    return Admission.QUEUED


def promote_due(
    tenant_id: str,
    *,
    tenants: TenantDirectory,
    runs: RunRepository,
    starter: ExecutionStarter,
    publisher: EventPublisher,
) -> list[Run]:
    """Start the tenant's oldest queued runs while it has free slots; returns the runs started.

    Safe to call at any time, from any number of functions at once: each queued run is moved to a
    slot by one transaction only, and the limit holds. Errors are raised (the caller's retry makes
    the pass again)."""
    started: list[Run] = []
    looked_at_holders = False
    for _ in range(PASS_STEPS):
        head = _oldest_queued(tenant_id, tenants, runs)
        if head is None:
            break
        outcome = tenants.promote_queued_run(tenant_id, head.run_id)
        if outcome is Promotion.NO_SLOT:
            if looked_at_holders:
                break
            looked_at_holders = True
            _heal_slots(tenant_id, tenants=tenants, runs=runs, starter=starter, publisher=publisher)
            continue
        if outcome is Promotion.PROMOTED:
            run = launch_promoted(head, tenants=tenants, runs=runs, starter=starter, publisher=publisher)
            if run is not None:
                started.append(run)
    return started


def launch_promoted(
    run: Run,
    *,
    tenants: TenantDirectory,
    runs: RunRepository,
    starter: ExecutionStarter,
    publisher: EventPublisher,
) -> Run | None:
    """Start a run that holds the slot it got from the queue (again, if a start may have been lost);
    returns it when its execution is started. The one call that moves it from ``QUEUED`` to
    ``PENDING`` emits ``QueueWaitTime``. A run cancelled while it was promoted ends ``CANCELLED``
    without starting; a start that fails for good ends it ``FAILED_TO_START``."""
    run = runs.get(run.tenant_id, run.run_id, consistent=True)
    if run.status.is_final:
        tenants.release_run_slot(run.tenant_id, run.run_id)
        return None
    if run.status is RunStatus.QUEUED:
        if run.cancel_requested_at is not None:
            _cancel(run, runs=runs, publisher=publisher, allowed_from=[RunStatus.QUEUED])
            tenants.release_run_slot(run.tenant_id, run.run_id)
            return None
        now = utc_now()
        try:
            run = runs.update_status(
                run.tenant_id,
                run.run_id,
                RunStatus.PENDING,
                allowed_from=[RunStatus.QUEUED],
                updated_at=now.isoformat(),
            )
            waited = (now - run.queued_at).total_seconds() if run.queued_at is not None else 0.0
            emit_queue_wait(waited, tenant_id=run.tenant_id, run_id=run.run_id)
            logger.info("queued run promoted", extra={"promoted_run_id": run.run_id, "waited_s": waited})
        except ConflictError:
            return None  # another pass moved it on and starts it (or a later pass does)
    if run.status is not RunStatus.PENDING:
        return None  # started (or ended) by another pass
    try:
        starter.start(run.template, run.run_id, execution_input(run))
    except ConflictError:
        return run  # started already
    except OrchestratorError as exc:
        if exc.transient:
            raise  # it keeps its slot and stays PENDING: the retried pass (or the next) starts it
        record_failed_start(runs, publisher, run, exc, tenants)
        return None
    return run


def queue_run(
    run: Run,
    *,
    forget_on_failure: bool,
    tenants: TenantDirectory,
    runs: RunRepository,
    starter: ExecutionStarter,
    publisher: EventPublisher,
) -> Run:
    """Store a run that was given a place in its tenant's queue, tell the bus, and make a promotion
    pass (a slot may have freed since): the run as it is then, ``QUEUED`` or started.

    ``forget_on_failure``: when it cannot be stored, its place is given back (a retry of this start
    is a new run); otherwise the place stays for the retry, which reuses the run id."""
    run = run.model_copy(update={"status": RunStatus.QUEUED, "queued_at": utc_now()})
    try:
        runs.create(run)
    except ConflictError:
        pass  # stored by an earlier try of this start
    except Exception:
        if forget_on_failure:
            tenants.dequeue_run(run.tenant_id, run.run_id)
        raise
    else:
        publisher.publish(
            new_envelope(
                constants.ORCHESTRATION_QUEUED,
                run,
                payload={"status": RunStatus.QUEUED.value, "template": run.template},
            )
        )
    try:
        promote_due(run.tenant_id, tenants=tenants, runs=runs, starter=starter, publisher=publisher)
    except Exception:  # the run is queued: a later pass starts it
        logger.exception("promotion pass failed after queueing a run")
    return runs.get(run.tenant_id, run.run_id, consistent=True)


def cancel_queued(
    run: Run, caller_subject: str, *, tenants: TenantDirectory, runs: RunRepository, publisher: EventPublisher
) -> Run | None:
    """Take a queued run out of its queue and end it ``CANCELLED``: it never starts. None when it
    left the queue meanwhile (promoted): it is cancelled as a started run then."""
    if not tenants.dequeue_run(run.tenant_id, run.run_id):
        return None
    return _cancel(run, runs=runs, publisher=publisher, allowed_from=[RunStatus.QUEUED], by=caller_subject)


def queue_positions(tenants: TenantDirectory, tenant_id: str) -> dict[str, int]:
    """Each queued run's place (1: next to start)."""
    return {entry.run_id: place for place, entry in enumerate(tenants.queued_runs(tenant_id), start=1)}


def _cancel(
    run: Run,
    *,
    runs: RunRepository,
    publisher: EventPublisher,
    allowed_from: list[RunStatus],
    by: str | None = None,
) -> Run:
    now = utc_now().isoformat()
    fields: dict[str, str] = {"finished_at": now, "updated_at": now}
    if by is not None:
        fields |= {"cancel_requested_at": now, "cancel_requested_by": by}
    try:
        run = runs.update_status(
            run.tenant_id, run.run_id, RunStatus.CANCELLED, allowed_from=allowed_from, **fields
        )
    except ConflictError:
        return runs.get(run.tenant_id, run.run_id, consistent=True)
    publisher.publish(
        new_envelope(
            constants.ORCHESTRATION_CANCELLED,
            run,
            payload={"status": RunStatus.CANCELLED.value, "template": run.template, "started": False},
        )
    )
    return run


def _oldest_queued(tenant_id: str, tenants: TenantDirectory, runs: RunRepository) -> Run | None:
    """The oldest queued run that is stored. An entry whose run is not stored yet is passed over
    (its start is storing it, then makes its own pass), or dropped when its start stopped long ago;
    an entry whose run is no longer queued is dropped."""
    for entry in tenants.queued_runs(tenant_id, limit=HEAD_WINDOW):
        try:
            run = runs.get(tenant_id, entry.run_id, consistent=True)
        except NotFound:
            if time.time() - entry.queued_at > ORPHAN_SECONDS:
                tenants.dequeue_run(tenant_id, entry.run_id)
            continue
        if run.status is RunStatus.QUEUED:
            return run
        tenants.dequeue_run(tenant_id, entry.run_id)
    return None


def _heal_slots(
    tenant_id: str,
    *,
    tenants: TenantDirectory,
    runs: RunRepository,
    starter: ExecutionStarter,
    publisher: EventPublisher,
) -> None:
    """Every slot is held: give back the slots of ended runs whose release was lost, start promoted
    runs whose start was lost, end starts that stopped midway long ago. A slot whose run is not
    stored yet is left alone: a start may be between taking it and storing its run."""
    for holder in tenants.active_run_ids(tenant_id):
        try:
            run = runs.get(tenant_id, holder, consistent=True)
        except NotFound:
            continue
        if run.status.is_final:
            if tenants.release_run_slot(tenant_id, holder):
                logger.warning("gave back the run slot of an ended run", extra={"ended_run_id": holder})
            continue
        idle = time.time() - run.updated_at.timestamp()
        promoted = run.queued_at is not None and run.status in (RunStatus.QUEUED, RunStatus.PENDING)
        if promoted and idle > PROMOTED_START_GRACE_SECONDS:
            launch_promoted(run, tenants=tenants, runs=runs, starter=starter, publisher=publisher)
        elif not promoted and run.status is RunStatus.PENDING and idle > STALLED_START_SECONDS:
            interrupted = StartInterrupted(
                f"run {holder} held a slot for {STALLED_START_SECONDS} s without its execution starting"
            )
            record_failed_start(runs, publisher, run, interrupted, tenants)
