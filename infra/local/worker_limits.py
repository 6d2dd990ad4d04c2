"""How many worker processes the local cloud's Lambda runtime may hold, and for how long idle.

Each worker is a Python process (tens of MiB): the pool holds at most ``max_workers`` in all and
``max_workers_per_function`` of one function (its concurrency, as a Lambda function's execution
environments), and retires a worker idle for ``idle_seconds``; once none is left, the zygote the
workers are forked from goes too, and the local cloud hands the memory it freed back to the
system, so that after a burst it returns to what it held before.

Set on ``orchestrator local up`` (``--max-workers``, ``--max-workers-per-function``,
``--worker-idle-seconds``) or in the environment (``ORCHESTRATOR_LOCAL_MAX_WORKERS``,
``ORCHESTRATOR_LOCAL_MAX_WORKERS_PER_FUNCTION``, ``ORCHESTRATOR_LOCAL_WORKER_IDLE_SECONDS``);
a flag wins over the environment. A value that is not a positive number is refused, naming where
it came from. ``ORCHESTRATOR_LOCAL_BACKGROUND_NICENESS`` (0-19, default 10) is how much lower the
CPU priority of every function's workers but the API's is: 0 runs them all alike (the tests do, as
several clouds then share the machine with other test processes).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from infra.local.worker_pool_usage import BACKGROUND_NICENESS as DEFAULT_BACKGROUND_NICENESS

DEFAULT_MAX_WORKERS = 48
DEFAULT_MAX_WORKERS_PER_FUNCTION = 10
DEFAULT_IDLE_SECONDS = 20.0


ENVIRONMENT = {
    "max_workers": "ORCHESTRATOR_LOCAL_MAX_WORKERS",
    "max_workers_per_function": "ORCHESTRATOR_LOCAL_MAX_WORKERS_PER_FUNCTION",
    "idle_seconds": "ORCHESTRATOR_LOCAL_WORKER_IDLE_SECONDS",
    "background_niceness": "ORCHESTRATOR_LOCAL_BACKGROUND_NICENESS",
}
FLAGS = {
    "max_workers": "--max-workers",
    "max_workers_per_function": "--max-workers-per-function",
    "idle_seconds": "--worker-idle-seconds",
}


class InvalidWorkerLimits(ValueError):
    """A limit that is not a positive number (the message names the flag or variable)."""


class WorkerLimits(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    max_workers: int = Field(DEFAULT_MAX_WORKERS, ge=1, le=10_000)
    max_workers_per_function: int = Field(DEFAULT_MAX_WORKERS_PER_FUNCTION, ge=1, le=10_000)
    idle_seconds: float = Field(DEFAULT_IDLE_SECONDS, gt=0, le=86_400)
    background_niceness: int = Field(DEFAULT_BACKGROUND_NICENESS, ge=0, le=19)
    """How much lower the CPU priority of every worker but the API's is (0: the same)."""

    @classmethod
    def configured(
        cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> WorkerLimits:
        """The defaults, then the environment's values, then ``overrides`` (the command line's;
        ``None`` values are left out)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        source: dict[str, str] = {}
        for name, variable in ENVIRONMENT.items():
            if environ.get(variable, "").strip():
                values[name], source[name] = environ[variable].strip(), variable
        for name, value in (overrides or {}).items():
            if value is not None:
                values[name], source[name] = value, FLAGS.get(name, name)
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = [
                f"{source.get(str(error['loc'][0]), error['loc'][0])}={error.get('input')!r}: {error['msg']}"
                for error in exc.errors()
            ]
            raise InvalidWorkerLimits("invalid worker limits: " + "; ".join(problems)) from None
