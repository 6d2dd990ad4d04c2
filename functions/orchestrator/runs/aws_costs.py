"""What a run costs in AWS charges (model tokens apart), from its own counts.

Counted by the functions that did the work (``orchestrator.adapters.request_meter``) and written
with writes they make anyway:

- each agent step (map items too): its function's requests, its invocation and GB-seconds, on its
  step result (a retried step: every attempt's counts);
- starting the run (the API function: request, tenant and slot checks, the run's record and the
  first events) on the run's record, then every status task (Start run, Finish run, compensation
  marks) added to it.

Estimated, where a function cannot see it (documented in the README, checked against the
execution history by ``bench/run_costs.py``):

- Step Functions state transitions: the states the template's state machine enters for what the
  run did (``estimate_transitions``: a task per attempt, a Parallel, a map's prepare/choice/map
  states, a gate (and its "decided" pass when it re-arms; a reminder's turn is not counted), the
  run's start and end states, the compensation chain with one undo round);
- the consumers of each event the run put on the bus (``event_consumers``): the audit queue (its
  send, receive and delete requests) and the audit writer's write (its invocations, one per batch
  of up to 25 events, are not counted), the webhook dispatcher (one invocation, one query;
  it is asked only for the event types webhooks may subscribe to, so this is an upper bound) and
  the push queue (its send, receive and delete requests; the push function's invocations, one per
  batch of up to ten events, are not counted);
- the functions of a map's preparation, of an approval gate and of one undo round (one invocation
  each of ``ESTIMATED_SECONDS`` at its function's memory size, ``orchestrator.core.memory_sizes``
  with the deployment's overrides; the undo function's own requests are not counted).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchestrator.core.aws_usage import AwsPrices, AwsUsage
from orchestrator.core.constants import MICRO_USD
from orchestrator.core.memory_sizes import memory_of
from orchestrator.core.records import Run, RunStatus, StepResult, utc_now
from orchestrator.templates.graph import AgentStep, ApprovalStep, MapStep, ParallelStep, Step, get_template

if TYPE_CHECKING:
    from orchestrator.tenancy.budgets import UsageLedger

UsageSoFar = Callable[[], AwsUsage | None]
"""This invocation's AWS requests until now (None where they are not counted)."""

ESTIMATED_SECONDS = 0.1
"""How long an invocation no function counts itself is taken to run."""

MemorySizes = Mapping[str, int] | None
"""The deployment's memory size overrides by handler (None: the defaults)."""


def estimated_invocation(handler: str, memory: MemorySizes = None) -> AwsUsage:
    """One invocation of ``handler``'s function, ``ESTIMATED_SECONDS`` at its memory size."""
    return AwsUsage(
        lambda_invocations=1, lambda_gb_seconds=memory_of(handler, memory) / 1024 * ESTIMATED_SECONDS
    )


def event_consumers(memory: MemorySizes = None) -> AwsUsage:
    """What one event on the bus costs downstream of the function that put it: the audit queue (its
    send, receive and delete) and the audit writer's write (its invocation is shared by a batch),
    the webhook dispatcher (an invocation, one query), the push queue (its send, receive and
    delete)."""
    audit = AwsUsage(requests={"dynamodb:PutItem": 1}, write_units=1.0, queue_requests=3)
    webhooks = estimated_invocation("webhook_dispatch", memory).plus(
        AwsUsage(requests={"dynamodb:Query": 1}, read_units=0.5)
    )
    return audit.plus(webhooks).plus(AwsUsage(queue_requests=3))


RUN_ENDS = 3
"""Start run, Finish run, Run succeeded."""
COMPENSATION_STATES = 8
UNDONE = frozenset(
    {RunStatus.COMPENSATED, RunStatus.COMPENSATION_FAILED, RunStatus.REJECTED, RunStatus.CANCELLED}
)
"""Record failure, Begin undo, one undo round and its check, Mark run undone, How did it end?, the end."""


def after_the_write(
    item: dict[str, Any], *, then_events: int = 0, then_reads: int = 0, event_calls: int | None = None
) -> AwsUsage:
    """The requests a step makes from the write that carries its counts on: the write itself (a
    write unit per KB), ``then_events`` events (in ``event_calls`` calls; default one call each)
    and ``then_reads`` consistent reads."""
    write_units = max(1, math.ceil(len(json.dumps(item, default=str)) / 1024))
    requests = {"dynamodb:PutItem": 1}
    calls = then_events if event_calls is None else event_calls
    if calls:
        requests["events:PutEvents"] = calls
    if then_reads:
        requests["dynamodb:GetItem"] = then_reads
    return AwsUsage(
        requests=requests,
        write_units=float(write_units),
        read_units=float(then_reads),
        event_entries=then_events,
    )


def estimate_transitions(run: Run, results: list[StepResult]) -> int:
    """The state transitions the run's state machine made for what the run did so far."""
    template = get_template(run.template)
    attempts: dict[tuple[str, bool], int] = {}
    for result in results:
        key = (result.step, result.item is not None)
        attempts[key] = attempts.get(key, 0) + max(1, result.metadata.attempts)
    count = _transitions(template.steps, attempts)
    if run.status is RunStatus.SUCCEEDED:
        return count + RUN_ENDS
    if run.status in UNDONE:
        return count + 1 + COMPENSATION_STATES
    return count + (1 if run.started_at else 0)


def _transitions(steps: list[Step], attempts: dict[tuple[str, bool], int]) -> int:
    count = 0
    for step in steps:
        if isinstance(step, AgentStep):
            count += attempts.get((step.name, False), 0)
        elif isinstance(step, ApprovalStep):  # the gate's task, and its "decided" when it re-arms
            count += (2 if step.rearms else 1) * min(1, attempts.get((step.name, False), 0))
        elif isinstance(step, ParallelStep):
            inner = sum(_transitions(branch, attempts) for branch in step.branches.values())
            count += inner + (1 if inner else 0)
        elif isinstance(step, MapStep):
            items = sum(attempts.get((inner.name, True), 0) for inner in step.steps)
            count += items + (3 if items else 0)  # prepare, the choice, the map state
    return count


def _estimated_functions(run: Run, results: list[StepResult], memory: MemorySizes) -> AwsUsage:
    steps = _walk(get_template(run.template).steps)
    item_steps = {result.step for result in results if result.item is not None}
    maps = sum(
        1 for step in steps if isinstance(step, MapStep) and item_steps & {inner.name for inner in step.steps}
    )
    gates = {step.name for step in steps if isinstance(step, ApprovalStep)}
    gated = sum(1 for result in results if result.step in gates)
    undo = 1 if run.status in UNDONE else 0  # one round of the undo function
    return (
        estimated_invocation("prepare_map", memory)
        .times(maps)
        .plus(estimated_invocation("approval_gate", memory).times(gated))
        .plus(estimated_invocation("undo_completed_work", memory).times(undo))
    )


def _walk(steps: list[Step]) -> list[Step]:
    found: list[Step] = []
    for step in steps:
        found.append(step)
        if isinstance(step, ParallelStep):
            for branch in step.branches.values():
                found += _walk(branch)
        elif isinstance(step, MapStep):
            found += _walk(step.steps)
    return found


def run_usage(run: Run, results: list[StepResult], memory: MemorySizes = None) -> tuple[AwsUsage, AwsUsage]:
    """The run's AWS usage: (counted by its functions, estimated with the functions' ``memory``)."""
    counted = run.aws_usage or AwsUsage()
    for result in results:
        counted = counted.plus(result.aws_usage)
    estimated = (
        AwsUsage(state_transitions=estimate_transitions(run, results))
        .plus(event_consumers(memory).times(counted.event_entries))
        .plus(_estimated_functions(run, results, memory))
    )
    return counted, estimated


def infrastructure_view(
    run: Run, results: list[StepResult], prices: AwsPrices, memory: MemorySizes = None
) -> dict[str, Any]:
    """``infrastructure_cost_usd`` and its breakdown (by service, the counted requests, the estimates)."""
    counted, estimated = run_usage(run, results, memory)
    total = counted.plus(estimated)
    by_service = {name: usd for name, usd in prices.cost_by_service(total).items() if usd}
    return {
        "infrastructure_cost_usd": round(sum(by_service.values()), 6),
        "infrastructure_cost": {
            "by_service_usd": {name: round(usd, 8) for name, usd in sorted(by_service.items())},
            "counted": counted.model_dump(mode="json"),
            "estimated": estimated.model_dump(mode="json", exclude_defaults=True),
        },
    }


STARTING = AwsUsage(
    requests={"stepfunctions:StartExecution": 1, "events:PutEvents": 1}, event_entries=1, api_requests=1
)
"""What starting a run through the API asks after its record is written: the execution's start, the
request's ``USER_ACTION`` audit event, and the API request itself."""
STATUS_WRITE = AwsUsage(
    requests={"dynamodb:UpdateItem": 1, "events:PutEvents": 1}, write_units=1.0, event_entries=1
)
"""A status task's own write (the one carrying its counts) and its lifecycle event."""
RUN_END = AwsUsage(requests={"dynamodb:TransactWriteItems": 1, "dynamodb:UpdateItem": 1}, write_units=5.0)
"""An ended run gives its slot back (a transaction of two writes) and adds its cost to the month."""


def with_start_usage(run: Run, usage: UsageSoFar | None) -> Run:
    """``run`` carrying what starting it asked of AWS (its record's write and the execution's start
    included), when it is counted."""
    so_far = usage() if usage is not None else None
    if so_far is None:
        return run
    started = so_far.plus(STARTING).plus(after_the_write(run.model_dump(mode="json")))
    return run.model_copy(update={"aws_usage": started})


@dataclass(frozen=True)
class RunAccounting:
    """What a status task needs to count its requests and, at the run's end, add the run's AWS
    cost to its tenant's month."""

    usage: UsageSoFar
    prices: AwsPrices
    ledger: UsageLedger | None = None
    memory: MemorySizes = None  # the deployment's memory size overrides (the estimates use them)

    def status_task(self, current: Run, *, final: bool) -> AwsUsage | None:
        """The run's counted usage with this status task's (its write and what follows it included)."""
        so_far = self.usage()
        if so_far is None:
            return None
        pending = STATUS_WRITE.plus(RUN_END if final else None)
        return (current.aws_usage or AwsUsage()).plus(so_far).plus(pending)

    def run_ended(self, run: Run, results: list[StepResult]) -> float:
        """Adds the ended run's AWS cost to its tenant's month; returns it (USD)."""
        cost = float(infrastructure_view(run, results, self.prices, self.memory)["infrastructure_cost_usd"])
        if self.ledger is not None:
            from orchestrator.tenancy.budgets import month_of

            self.ledger.add_infrastructure(run.tenant_id, month_of(utc_now()), round(cost * MICRO_USD))
        return cost
