"""Bulk operations after an incident: cancel, or resume, every run of a tenant that matches a filter
(template, statuses, a time range), admins only, with a dry run that lists them first.

The runs are found with ``Query`` inside the tenant's partition of the runs table, the time range
as the key condition on the run id (run ids sort by creation time), oldest first; never a ``Scan``.
A request acts on at most ``limit`` runs (``MAX_RUNS_PER_REQUEST``) and answers the cursor to go
on with. Each resume is admitted as a new run is: the budget check, the tenant's concurrent-run
slots and its queue. A plan limit reached (the queue is full, the budget spent) stops the request
there: the runs not attempted keep their place, and the cursor the answer names starts with them.

Every run acted on gets its own audit event (``USER_ACTION``, naming the caller and the bulk
operation's ``bulk_id``), and the request one of its own (under run id ``-``) with the filter and
the outcome of each run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import Field

from orchestrator.core import constants
from orchestrator.core.errors import AlreadyClaimed, BudgetExceeded, InvalidRequest, OrchestratorError
from orchestrator.core.events import RunIds, new_envelope
from orchestrator.core.ids import FIRST_RUN_ID, RUN_ID_PATTERN
from orchestrator.core.ports import (
    EventPublisher,
    ExecutionStarter,
    RunRepository,
    StepResultRepository,
    TaskTokens,
    Workspace,
)
from orchestrator.core.records import RequestModel, Run, RunFilter, RunStatus, new_id, utc_now
from orchestrator.runs import control
from orchestrator.runs.resume import RESUMABLE, ResumeRequest, prepare_resume, resume_run
from orchestrator.tenancy.plans import TenantLimitReached

if TYPE_CHECKING:
    from orchestrator.llm.prompts import PromptLibrary
    from orchestrator.runs.planning import RunPlanner
    from orchestrator.tenancy.plans import TenantDirectory

MAX_RUNS_PER_REQUEST = 25
"""Runs one request acts on at most (each resume is a run start: a few writes and a StartExecution)."""
READ_PAGE = 100
"""Runs read per ``Query`` page."""
MAX_READS = 10
"""``Query`` pages read per request at most: a filter that matches few of many runs answers with a
cursor rather than reading the whole partition."""
TIME_BUDGET_SECONDS = 15.0
"""A request starts acting on no run after this (API Gateway answers 504 after 29 s): the runs left
are ``not_attempted``, and its cursor goes on with them."""
CANCELLABLE = frozenset(status for status in RunStatus if status.is_active)
RESUME_CLAIM_SECONDS = 300
"""A bulk resume's claim on a run holds this long: a request that died between its claim and the new
run's start (API Gateway gives up after 29 s) does not keep the run from being resumed later."""


class BulkRequest(RequestModel):
    """What every bulk operation takes: which runs, a dry run, and the page to act on."""

    filter: RunFilter = Field(description="the runs to act on: every field given must hold")
    dry_run: bool = Field(default=False, description="only list the runs and what would be done to each")
    limit: int = Field(default=10, ge=1, le=MAX_RUNS_PER_REQUEST, description="act on at most this many runs")
    cursor: str | None = Field(
        default=None,
        pattern=RUN_ID_PATTERN.pattern,
        description="the next_cursor of the previous answer (with the same filter): go on after it",
    )


class BulkCancelRequest(BulkRequest):
    """Body of ``POST /runs/bulk/cancel``."""


class BulkResumeRequest(BulkRequest, ResumeRequest):
    """Body of ``POST /runs/bulk/resume``: the filter, and how to resume each run (as
    ``POST /runs/{run_id}/resume`` takes it)."""

    def resume_request(self) -> ResumeRequest:
        return ResumeRequest(
            from_step=self.from_step,
            inputs=self.inputs,
            options=self.options,
            prompt_versions=self.prompt_versions,
        )


@dataclass(frozen=True)
class BulkCaller:
    """Who asks (from the verified token) and the request's correlation id."""

    tenant_id: str
    subject: str
    role: str
    correlation_id: str


@dataclass
class BulkReport:
    """What a bulk request did (or, dry, would do) to each run it matched."""

    bulk_id: str
    action: str
    dry_run: bool
    runs: list[dict[str, Any]]
    next_cursor: str | None
    stopped: dict[str, Any] | None = None

    def answer(self, run_filter: RunFilter) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for entry in self.runs:
            counts[entry["outcome"]] = counts.get(entry["outcome"], 0) + 1
        return {
            "bulk_id": self.bulk_id,
            "action": self.action,
            "dry_run": self.dry_run,
            "filter": run_filter.model_dump(mode="json", exclude_none=True),
            "matched": len(self.runs),
            "counts": counts,
            "runs": self.runs,
            "next_cursor": self.next_cursor,
            "stopped": self.stopped,
        }


def applicable_filter(run_filter: RunFilter, action: str, applies_to: Collection[RunStatus]) -> RunFilter:
    """The filter with the statuses the action applies to when it names none; a status it cannot
    apply to is a 400 naming it, and so is an empty time range."""
    after, before = run_filter.started_after, run_filter.started_before
    if after is not None and before is not None and after >= before:
        raise InvalidRequest(
            f"filter: started_after ({after.isoformat()}) must be before "
            f"started_before ({before.isoformat()})"
        )
    allowed = sorted(status.value for status in applies_to)
    if run_filter.status is None:
        return run_filter.model_copy(update={"status": [RunStatus(value) for value in allowed]})
    wrong = [status.value for status in run_filter.status if status not in applies_to]
    if wrong:
        raise InvalidRequest(
            f"filter.status: a run that is {', '.join(wrong)} cannot be {action}; "
            f"the statuses it applies to: {', '.join(allowed)}"
        )
    return run_filter


def select_runs(
    tenant_id: str, run_filter: RunFilter, limit: int, cursor: str | None, runs: RunRepository
) -> tuple[list[Run], str | None]:
    """At most ``limit`` runs matching the filter after ``cursor``, oldest first, and the cursor to
    go on with (None: no run after these can match)."""
    found: list[Run] = []
    after = cursor
    for _ in range(MAX_READS):
        page, last = runs.find(tenant_id, run_filter, READ_PAGE, after)
        for run in page:
            if len(found) == limit:
                return found, found[-1].run_id
            found.append(run)
        if last is None:
            return found, None
        if len(found) == limit:
            return found, last  # every run read up to ``last`` is taken or does not match
        after = last
    return found, after


def _entry(run: Run, outcome: str, **details: Any) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "template": run.template,
        "status": run.status.value,
        "created_at": run.created_at.isoformat(),
        "outcome": outcome,
    } | {key: value for key, value in details.items() if value is not None}


def _refusal(exc: OrchestratorError) -> dict[str, Any]:
    return {"error": type(exc).__name__, "message": str(exc)}


def act_on_each(
    matched: list[Run],
    cursor: str | None,
    next_cursor: str | None,
    act: Callable[[Run], dict[str, Any]],
    refused: Callable[[Run, OrchestratorError], None],
    deadline: float | None = None,
) -> tuple[list[dict[str, Any]], str | None, dict[str, Any] | None]:
    """``act`` on each run in turn. A refusal of one run (``refused`` audits it) does not stop the
    others; a plan limit reached (queue full, budget spent) stops the request, and so does the
    request's time (``deadline``, ``time.monotonic()``: it must answer in time): the runs left are
    ``not_attempted`` and the cursor answered starts with the first of them."""
    entries: list[dict[str, Any]] = []
    for index, run in enumerate(matched):
        resume_at = matched[index - 1].run_id if index else (cursor or FIRST_RUN_ID)
        if deadline is not None and time.monotonic() > deadline:
            message = "not reached in this request's time: the next request goes on with it"
            return (
                entries + [_entry(left, "not_attempted", message=message) for left in matched[index:]],
                resume_at,
                None,
            )
        try:
            entries.append(act(run))
        except (TenantLimitReached, BudgetExceeded) as exc:
            stopped = _refusal(exc) | {
                "retry_after_seconds": getattr(exc, "retry_after_seconds", None),
                "limit": getattr(exc, "limit", None),
            }
            entries += [_entry(left, "not_attempted") for left in matched[index:]]
            return entries, resume_at, stopped
        except OrchestratorError as exc:
            refused(run, exc)
            entries.append(_entry(run, "refused", **_refusal(exc)))
    return entries, next_cursor, None


def _audit(
    publisher: EventPublisher, caller: BulkCaller, run_id: str, action: str, outcome: str, **details: Any
) -> None:
    publisher.publish(
        new_envelope(
            constants.USER_ACTION,
            RunIds(tenant_id=caller.tenant_id, run_id=run_id, correlation_id=caller.correlation_id),
            payload={"action": action, "caller": caller.subject, "role": caller.role, "outcome": outcome}
            | details,
        )
    )


def _audit_request(
    publisher: EventPublisher, caller: BulkCaller, report: BulkReport, run_filter: RunFilter
) -> None:
    """The bulk request's own audit event: who, the filter, what happened to each run."""
    _audit(
        publisher,
        caller,
        constants.NO_RUN,
        f"bulk_{report.action}",
        "dry_run" if report.dry_run else "accepted",
        bulk_id=report.bulk_id,
        dry_run=report.dry_run,
        filter=run_filter.model_dump(mode="json", exclude_none=True),
        runs=[{"run_id": entry["run_id"], "outcome": entry["outcome"]} for entry in report.runs],
        next_cursor=report.next_cursor,
        stopped=report.stopped["error"] if report.stopped else None,
    )


def _carry_out(
    action: str,
    caller: BulkCaller,
    request: BulkRequest,
    run_filter: RunFilter,
    *,
    runs: RunRepository,
    publisher: EventPublisher,
    act: Callable[[Run, str], dict[str, Any]],
) -> dict[str, Any]:
    """Select the runs, ``act`` on each (given the operation's ``bulk_id``), audit what was refused
    and the request itself; the answer."""
    matched, next_cursor = select_runs(caller.tenant_id, run_filter, request.limit, request.cursor, runs)
    bulk_id = new_id()

    def refused(run: Run, exc: OrchestratorError) -> None:
        if not request.dry_run:  # a dry run does nothing to a run: its request's event says it all
            _audit(publisher, caller, run.run_id, action, type(exc).__name__, bulk_id=bulk_id)

    deadline = time.monotonic() + TIME_BUDGET_SECONDS
    entries, next_cursor, stopped = act_on_each(
        matched, request.cursor, next_cursor, lambda run: act(run, bulk_id), refused, deadline
    )
    report = BulkReport(bulk_id, action, request.dry_run, entries, next_cursor, stopped)
    _audit_request(publisher, caller, report, run_filter)
    return report.answer(run_filter)


def bulk_cancel(
    caller: BulkCaller,
    request: BulkCancelRequest,
    *,
    runs: RunRepository,
    results: StepResultRepository,
    tokens: TaskTokens,
    publisher: EventPublisher,
    tenants: TenantDirectory | None = None,
) -> dict[str, Any]:
    """Cancel every matching run that is still going (``QUEUED``, ``PENDING``, ``RUNNING``,
    ``AWAITING_APPROVAL``), as ``POST /runs/{run_id}/cancel`` does; a run whose cancel was asked
    already is ``skipped``."""
    run_filter = applicable_filter(request.filter, "cancelled", CANCELLABLE)

    def act(run: Run, bulk_id: str) -> dict[str, Any]:
        if run.cancel_requested_at is not None:
            by = run.cancel_requested_by or "someone"
            return _entry(run, "skipped", message=f"{by} asked to cancel it at {run.cancel_requested_at}")
        if request.dry_run:
            return _entry(run, "would_cancel")
        try:  # asked by one conditional write: of two admins at once, one cancels it, one skips it
            done = control.cancel(
                caller.tenant_id,
                run.run_id,
                caller_subject=caller.subject,
                runs=runs,
                results=results,
                tokens=tokens,
                publisher=publisher,
                tenants=tenants,
                audit={"bulk_id": bulk_id, "role": caller.role},
                first_only=True,
            )
        except AlreadyClaimed as exc:
            return _entry(run, "skipped", message=str(exc))
        outcome = "cancelled" if done.status is RunStatus.CANCELLED else "cancel_requested"
        return _entry(run, outcome, new_status=done.status.value)

    return _carry_out("cancel", caller, request, run_filter, runs=runs, publisher=publisher, act=act)


@dataclass(frozen=True)
class ResumeServices:
    """What resuming a run needs besides the run repositories (as ``resume_run`` takes them)."""

    starter: ExecutionStarter
    allowed_providers: Collection[str] | None = None
    uploads: Workspace | None = None
    planner: RunPlanner | None = None
    prompts: PromptLibrary | None = None
    tenants: TenantDirectory | None = None


def bulk_resume(
    caller: BulkCaller,
    request: BulkResumeRequest,
    *,
    runs: RunRepository,
    results: StepResultRepository,
    publisher: EventPublisher,
    services: ResumeServices,
) -> dict[str, Any]:
    """Resume every matching run that ended without succeeding, as ``POST /runs/{run_id}/resume``
    does (each admitted like a new run: budget, slots, queue); a run resumed already is
    ``skipped``. A dry run checks each as the resume would (``from_step``, reused steps, inputs)
    and starts nothing."""
    run_filter = applicable_filter(request.filter, "resumed", RESUMABLE)
    resume = request.resume_request()

    def act(run: Run, bulk_id: str) -> dict[str, Any]:
        if run.resumed_by:
            return _entry(run, "skipped", message=f"resumed already by {', '.join(run.resumed_by)}")
        if request.dry_run:
            stored = results.list_for_run(caller.tenant_id, run.run_id)
            _, _, link = prepare_resume(
                caller.tenant_id,
                run,
                resume,
                stored,
                allowed_providers=services.allowed_providers,
                prompts=services.prompts,
            )
            return _entry(run, "would_resume", from_step=link["from_step"], reused_steps=link["reused_steps"])
        held = claim_resume(runs, caller.tenant_id, run.run_id, bulk_id)
        if held is not None:
            return _entry(run, "skipped", message=held)
        with _released_unless_resumed(runs, caller.tenant_id, run.run_id):
            resumed = resume_run(
                tenant_id=caller.tenant_id,
                run_id=run.run_id,
                request=resume,
                correlation_id=caller.correlation_id,
                runs=runs,
                results=results,
                starter=services.starter,
                publisher=publisher,
                created_by=caller.subject,
                allowed_providers=services.allowed_providers,
                uploads=services.uploads,
                planner=services.planner,
                prompts=services.prompts,
                tenants=services.tenants,
            )
        new = resumed.run
        _audit(publisher, caller, new.run_id, "resume", "accepted", bulk_id=bulk_id, resumed_from=run.run_id)
        return _entry(
            run,
            "resumed",
            new_run_id=new.run_id,
            new_status=new.status.value,
            from_step=new.from_step,
            reused_steps=new.reused_steps,
        )

    return _carry_out("resume", caller, request, run_filter, runs=runs, publisher=publisher, act=act)


def claim_resume(runs: RunRepository, tenant_id: str, run_id: str, bulk_id: str) -> str | None:
    """Claim the resume of ``run_id`` for bulk operation ``bulk_id``, in one conditional write (the run
    still resumable, resumed by no run, claimed by no other bulk resume in the last
    ``RESUME_CLAIM_SECONDS``): of bulk resumes racing for a run, exactly one resumes it. None when
    this one holds the claim; else why the run is skipped."""
    now = utc_now()
    claimed = runs.claim(
        tenant_id,
        run_id,
        "resume_claimed_at",
        allowed_from=RESUMABLE,
        unless_listed="resumed_by",
        stale_before=(now - timedelta(seconds=RESUME_CLAIM_SECONDS)).isoformat(),
        resume_claimed_at=now.isoformat(),
        resume_claimed_by=bulk_id,
    )
    if claimed is not None:
        return None
    current = runs.get(tenant_id, run_id, consistent=True)
    if current.resumed_by:
        return f"resumed already by {', '.join(current.resumed_by)}"
    return "another bulk resume is resuming it"


@contextlib.contextmanager
def _released_unless_resumed(runs: RunRepository, tenant_id: str, run_id: str) -> Iterator[None]:
    """A resume that failed (refused, the plan's limit reached) gives its claim back: a later
    request may resume the run."""
    try:
        yield
    except Exception:
        with contextlib.suppress(OrchestratorError):
            runs.update_fields(
                tenant_id, run_id, allowed_from=RESUMABLE, resume_claimed_at=None, resume_claimed_by=None
            )
        raise
