"""Each Lambda function's memory size (MB), by handler: what the stack declares, and what the run cost
estimates use for the invocations no function counts itself (``orchestrator.runs.aws_costs``).

Lambda gives a function CPU in proportion to its memory (one vCPU's worth at 1,769 MB), so a size is
chosen from two measurements (README, "Memory per function"): the peak memory of a warm invocation
(``bench/step_overhead.py``), with room to spare, and the CPU a cold start and a warm invocation
take (``bench/handler_imports.py``, ``bench/step_overhead.py``), stretched by the CPU share a size
gives. A function a user waits for at a cold start gets more CPU; every other function gets the
least size that holds its peak twice over (256 MB: 128 MB holds none of the measured peaks twice).

Overridden per deployment with the CDK context ``functionMemory``, a JSON object of handler name
(or ``run_agent:<agent type>`` for one agent's function) to MB, e.g. ``{"api": 1536}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

MIN_MB = 128
MAX_MB = 10_240
VCPU_MB = 1_769
"""The memory size at which a function gets one vCPU's worth of CPU (Lambda's documentation)."""

MEMORY_MB: dict[str, int] = {
    "api": 1024,
    "authorizer": 512,
    "websocket_authorizer": 512,
    "run_agent": 512,
    "start_run": 256,
    "run_status": 256,
    "approval_gate": 256,
    "prepare_map": 256,
    "undo_completed_work": 256,
    "execution_ended": 256,
    "push_events": 256,
    "websocket_routes": 256,
    "webhook_attempt": 256,
    "audit_writer": 256,
    "webhook_dispatch": 256,
}
"""The default size of each handler's function (the table in the README says why each)."""

AGENT_PREFIX = "run_agent:"


def parse_memory_overrides(value: Any) -> dict[str, int]:
    """``functionMemory`` (JSON text or a mapping; empty: none): the sizes it overrides, checked (an
    unknown handler, or a size Lambda refuses, is a ``ValueError`` naming it)."""
    if value in (None, "", {}):
        return {}
    try:
        overrides = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError as exc:
        raise ValueError(f"functionMemory must be a JSON object of handler: MB: {exc}") from None
    if not isinstance(overrides, Mapping):
        raise ValueError('functionMemory must be a JSON object of handler: MB, e.g. {"api": 1536}')
    for name, size in overrides.items():
        if not isinstance(name, str) or (name not in MEMORY_MB and not _agent_key(name)):
            raise ValueError(
                f"functionMemory: unknown handler {name!r}; known: {', '.join(sorted(MEMORY_MB))} "
                f"or {AGENT_PREFIX}<agent type>"
            )
        if isinstance(size, bool) or not isinstance(size, int) or not MIN_MB <= size <= MAX_MB:
            raise ValueError(
                f"functionMemory[{name!r}] must be a whole number of MB "
                f"from {MIN_MB} to {MAX_MB}, got {size!r}"
            )
    return dict(overrides)


def _agent_key(name: str) -> bool:
    return name.startswith(AGENT_PREFIX) and len(name) > len(AGENT_PREFIX)


def memory_of(handler: str, overrides: Mapping[str, int] | None = None, *, agent: str | None = None) -> int:
    """The memory size (MB) of ``handler``'s function (``agent``: the agent type a ``run_agent``
    function runs), the overrides applied."""
    overrides = overrides or {}
    if agent is not None and f"{AGENT_PREFIX}{agent}" in overrides:
        return overrides[f"{AGENT_PREFIX}{agent}"]
    return overrides.get(handler, MEMORY_MB[handler])


def check_agent_overrides(overrides: Mapping[str, int], agents: list[str]) -> None:
    """A ``run_agent:<agent type>`` override names an agent type the deployment has (``ValueError``)."""
    unknown = sorted(key for key in overrides if _agent_key(key) and key[len(AGENT_PREFIX) :] not in agents)
    if unknown:
        raise ValueError(
            f"functionMemory: no agent type for {', '.join(unknown)}; known: {', '.join(agents)}"
        )
