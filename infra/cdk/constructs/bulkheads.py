"""Bulkheads: reserved concurrency, so that a burst of agent work cannot starve the functions that
keep runs moving and answer their users.

Lambda counts every function of an account and region against one concurrency quota (1,000 by
default). Without reservations, a Distributed Map fanning out to hundreds of agent invocations, or
several tenants' maps at once, can take all of it: the API then answers 429 (``TooManyRequests``
from Lambda, a 502/503 at API Gateway), a run's status transitions and its compensation are
throttled, and a failed run waits to be undone.

A reserved concurrency is both a floor and a ceiling for its function: the API and the run-control
functions (status transitions, approval gates, compensation, the end of executions, run starts,
the audit writer) each get their own reserve, which agents can never take; an agent function may
also get a ceiling of its own (``agents``), which bounds one agent type's burst. Each map keeps its
own ``max_concurrency`` bound in the state machine besides (``infra/cdk/constructs/workflows.py``).

Configured with the CDK context ``reservedConcurrency``: ``"off"`` (no reservations: for accounts
whose concurrency quota is under 155, where Lambda refuses reservations that would leave less
than 100 unreserved), or a JSON object overriding some of ``DEFAULT_RESERVATIONS`` (a value of 0
removes that reservation), e.g. ``{"api": 50, "agents": 20}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from aws_cdk import aws_lambda as lambda_

DEFAULT_RESERVATIONS: dict[str, int] = {
    "api": 20,
    "run_status": 5,
    "approval_gate": 5,
    "undo_work": 5,
    "execution_ended": 5,
    "start_run": 5,
    "audit_writer": 5,
    "prepare_map": 5,
    "agents": 0,  # no ceiling per agent type by default: agents share the unreserved pool
}
"""Reserved concurrency per function (``agents``: each agent function). 55 in all by default."""
MAX_RESERVATION = 10_000


def reservations_from_context(value: Any) -> dict[str, int]:
    """``reservedConcurrency`` context: "off", a JSON object or a mapping; a bad value fails the synth."""
    if value in (None, ""):
        return dict(DEFAULT_RESERVATIONS)
    if isinstance(value, str) and value.strip().lower() in ("off", "false", "none"):
        return {name: 0 for name in DEFAULT_RESERVATIONS}
    try:
        overrides = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError as exc:
        raise ValueError(f"context reservedConcurrency must be 'off' or a JSON object: {exc}") from None
    if not isinstance(overrides, Mapping):
        raise ValueError("context reservedConcurrency must be 'off' or a JSON object of function: count")
    unknown = sorted(set(overrides) - set(DEFAULT_RESERVATIONS))
    if unknown:
        raise ValueError(
            f"context reservedConcurrency: unknown function(s) {', '.join(map(str, unknown))}; "
            f"known: {', '.join(DEFAULT_RESERVATIONS)}"
        )
    for name, count in overrides.items():
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_RESERVATION:
            raise ValueError(
                f"context reservedConcurrency[{name!r}] must be a whole number from 0 (none) "
                f"to {MAX_RESERVATION}, got {count!r}"
            )
    return DEFAULT_RESERVATIONS | dict(overrides)


def apply_reservations(
    reservations: Mapping[str, int],
    *,
    named: Mapping[str, lambda_.Function],
    agents: Mapping[str, lambda_.Function],
) -> dict[str, int]:
    """Reserve concurrency for each named function and each agent; returns what was reserved, by
    construct path (what an operator sees in the console)."""
    reserved: dict[str, int] = {}
    targets = [(reservations.get(name, 0), fn) for name, fn in named.items()]
    targets += [(reservations.get("agents", 0), fn) for fn in agents.values()]
    for count, fn in targets:
        if count:
            cast(lambda_.CfnFunction, fn.node.default_child).reserved_concurrent_executions = count
            reserved[fn.node.path] = count
    return reserved
