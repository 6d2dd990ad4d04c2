"""Deployment strategies of the feature delivery template: plans, environment state, health.

A run request picks how a new version reaches an environment (``blue_green``, ``canary`` or
``rolling``). :func:`plan_deployment` turns that choice into a recorded plan of stages, each with
the share of traffic on the new version after it, the instances running it, the health checks
that must pass and how long to observe them (the plan's model is ``orchestrator.delivery.plan``).
Each stage is meant to run as one undoable command:

- :func:`apply_stage` moves an :class:`EnvironmentState` through a stage. It is deterministic and
  refuses a state the stage does not start from (another deployment, or stages out of order).
- :func:`rollback_stage` is its inverse: it restores exactly the snapshot taken before the stage,
  so undoing the applied stages newest first brings the environment back to where it was.
- :func:`evaluate_health` observes a stage's health checks. Observed values are derived from a
  hash of the service, environment, version, stage and check (healthy, within every threshold),
  unless a failure is simulated: then the error-rate check fails with a value above its threshold
  and the report says so (``stage 2 (shift traffic to 50%): error_rate 0.034 above 0.01``).
  :meth:`HealthReport.raise_if_failed` turns a failed report into :class:`DeploymentStageFailed`.

Everything here is pure and JSON-serialisable: no AWS, no network, no clock, no randomness.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from typing import Any

from pydantic import Field, field_validator, model_validator

from orchestrator.core.errors import ConflictError, DeploymentStageFailed, InvalidRequest
from orchestrator.core.records import RequestModel, StrictModel
from orchestrator.delivery.plan import (
    CheckName,
    Comparison,
    DeploymentPlan,
    DeploymentStage,
    Environment,
    HealthCheck,
    StageAction,
    Strategy,
)

SERVICE_PATTERN = r"^[a-z][a-z0-9-]{1,40}$"
VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,39}$"
DEFAULT_CANARY_STEPS: tuple[int, ...] = (5, 25, 50, 100)
MAX_CANARY_STEPS = 10
CHECK_WINDOW_SECONDS = 60
"""How long a check looks back when its stage has no bake time of its own."""
BAKE_SECONDS: dict[str, int] = {"production": 300, "staging": 60}
"""Observation time after a traffic shift (and of green before any traffic reaches it)."""
BATCH_BAKE_SECONDS: dict[str, int] = {"production": 120, "staging": 30}
"""Observation time after each batch of a rolling deployment."""

_METRICS: dict[str, str] = {
    "error_rate": "http_5xx_responses / http_requests on the new version",
    "latency_p99_ms": "p99 response time in milliseconds on the new version",
    "ready_instances": "instances of the new version passing their readiness probe",
}


# --- the request --------------------------------------------------------------------------
class DeploymentRequest(RequestModel):
    """How the deployment engineer ships the feature: strategy, target and health thresholds."""

    strategy: Strategy = Field(
        default="canary",
        description=(
            "blue_green: start the new version beside the old one, check it, switch all traffic at "
            "once and keep the old one until the end; canary: move traffic over in steps "
            "(canary_steps); rolling: replace instances batch by batch (rolling_batches)"
        ),
    )
    service: str = Field(
        default="app",
        pattern=SERVICE_PATTERN,
        description="service to deploy: 2-41 lowercase letters, digits or '-', starting with a letter",
    )
    environment: Environment = Field(default="production", description="environment to deploy to")
    version: str | None = Field(
        default=None,
        max_length=40,
        pattern=VERSION_PATTERN,
        description="version to deploy (letters, digits, '.', '_', '+', '-'); omitted = derived from the run",
    )
    canary_steps: list[int] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_CANARY_STEPS,
        description=(
            "canary only: percentages of traffic on the new version, one stage each, strictly "
            "increasing, each 1-100, ending at 100 (at most 10); omitted = 5, 25, 50, 100"
        ),
    )
    rolling_batches: int | None = Field(
        default=None,
        ge=2,
        le=20,
        description=(
            "rolling only: number of batches the instances are replaced in (2-20, at most one per "
            "instance); omitted = batches of a quarter of the instances (at least one)"
        ),
    )
    instances: int = Field(default=4, ge=1, le=100, description="instances serving the service")
    error_rate_threshold: float = Field(
        default=0.01,
        ge=0.0,
        lt=1.0,
        description="highest share of failed requests (0 to below 1) a stage may show and still pass",
    )
    latency_p99_ms_threshold: int = Field(
        default=800,
        ge=1,
        le=60_000,
        description="highest p99 latency in milliseconds a stage may show and still pass",
    )
    fail_at_stage: int | None = Field(
        default=None,
        ge=0,
        description=(
            "simulate a failed health check at this stage (0-based; for demos and tests): the "
            "deployment stops there and every stage already applied is rolled back"
        ),
    )

    @field_validator("canary_steps", mode="before")
    @classmethod
    def _integral_float_steps(cls, value: Any) -> Any:
        # JSON Schema's integer: 25.0 is 25, but true or "25" is not
        if isinstance(value, list):
            return [int(v) if isinstance(v, float) and v.is_integer() else v for v in value]
        return value

    @field_validator("canary_steps")
    @classmethod
    def _valid_canary_steps(cls, steps: list[int] | None) -> list[int] | None:
        if steps is None:
            return None
        if any(step < 1 or step > 100 for step in steps):
            raise ValueError(f"canary_steps {steps} must each be a percentage from 1 to 100")
        if any(later <= earlier for earlier, later in itertools.pairwise(steps)):
            raise ValueError(f"canary_steps {steps} must be strictly increasing")
        if steps[-1] != 100:
            raise ValueError(f"canary_steps {steps} must end at 100 (all traffic on the new version)")
        return steps

    @model_validator(mode="after")
    def _options_fit_the_strategy(self) -> DeploymentRequest:
        if self.canary_steps is not None and self.strategy != "canary":
            raise ValueError(f"canary_steps applies only to the canary strategy, not {self.strategy}")
        if self.rolling_batches is not None:
            if self.strategy != "rolling":
                raise ValueError(f"rolling_batches applies only to the rolling strategy, not {self.strategy}")
            if self.rolling_batches > self.instances:
                raise ValueError(
                    f"rolling_batches ({self.rolling_batches}) cannot exceed instances ({self.instances})"
                )
        count = stage_count(self)
        if self.fail_at_stage is not None and self.fail_at_stage >= count:
            raise ValueError(
                f"fail_at_stage {self.fail_at_stage} is past the last stage of this {self.strategy} "
                f"deployment (stages 0-{count - 1})"
            )
        return self


def _canary_steps(request: DeploymentRequest) -> list[int]:
    return list(request.canary_steps or DEFAULT_CANARY_STEPS)


def _rolling_updated(request: DeploymentRequest) -> list[int]:
    """How many instances run the new version after each batch (strictly increasing, ends at all)."""
    total = request.instances
    if request.rolling_batches is not None:
        batches = request.rolling_batches
        return [
            -(-total * (batch + 1) // batches) for batch in range(batches)
        ]  # ceil: earlier batches larger
    size = max(1, total // 4)
    return [min(total, size * (batch + 1)) for batch in range(math.ceil(total / size))]


def _instances(count: int) -> str:
    return f"{count} instance{'' if count == 1 else 's'}"


def stage_count(request: DeploymentRequest) -> int:
    """How many stages :func:`plan_deployment` makes for this request."""
    if request.strategy == "blue_green":
        return 4
    if request.strategy == "canary":
        return len(_canary_steps(request))
    return len(_rolling_updated(request))


_TRAFFIC_CHECKS: tuple[CheckName, ...] = ("error_rate", "latency_p99_ms")


class _Stages:
    """The stages of one plan, in order, health-checked with the request's thresholds."""

    def __init__(self, request: DeploymentRequest) -> None:
        self.request = request
        self.stages: list[DeploymentStage] = []

    def checks(self, *names: CheckName, window: int, ready: int = 0) -> list[HealthCheck]:
        thresholds: dict[str, tuple[float, Comparison]] = {
            "ready_instances": (float(ready), "at_least"),
            "error_rate": (self.request.error_rate_threshold, "at_most"),
            "latency_p99_ms": (float(self.request.latency_p99_ms_threshold), "at_most"),
        }
        return [
            HealthCheck(
                name=name,
                metric=_METRICS[name],
                threshold=thresholds[name][0],
                comparison=thresholds[name][1],
                window_seconds=window,
            )
            for name in names
        ]

    def add(
        self,
        name: str,
        action: StageAction,
        traffic: int,
        instances: int,
        health: list[HealthCheck],
        bake_s: int,
    ) -> None:
        self.stages.append(
            DeploymentStage(
                index=len(self.stages),
                name=name,
                action=action,
                traffic_percent=traffic,
                instances_on_new=instances,
                health_checks=health,
                bake_seconds=bake_s,
            )
        )


def _blue_green(stages: _Stages, bake: int) -> None:
    total = stages.request.instances
    stages.add(
        f"provision green: {_instances(total)}",
        "provision_green",
        0,
        total,
        stages.checks("ready_instances", window=CHECK_WINDOW_SECONDS, ready=total),
        0,
    )
    traffic = _TRAFFIC_CHECKS
    stages.add(
        "health-check green at 0% traffic", "bake", 0, total, stages.checks(*traffic, window=bake), bake
    )
    stages.add(
        "shift traffic to 100%", "shift_traffic", 100, total, stages.checks(*traffic, window=bake), bake
    )
    stages.add(
        "decommission blue",
        "decommission_blue",
        100,
        total,
        stages.checks(*traffic, window=CHECK_WINDOW_SECONDS),
        0,
    )


def _canary(stages: _Stages, bake: int) -> None:
    total, on_new = stages.request.instances, 0
    for percent in _canary_steps(stages.request):
        instances = total if percent == 100 else max(1, math.ceil(total * percent / 100))
        names = (*_TRAFFIC_CHECKS, "ready_instances") if instances > on_new else _TRAFFIC_CHECKS
        stages.add(
            f"shift traffic to {percent}%",
            "shift_traffic",
            percent,
            instances,
            stages.checks(*names, window=bake, ready=instances),
            bake,
        )
        on_new = instances


def _rolling(stages: _Stages) -> None:
    total = stages.request.instances
    updated = _rolling_updated(stages.request)
    batch_bake = BATCH_BAKE_SECONDS[stages.request.environment]
    for batch, instances in enumerate(updated, start=1):
        stages.add(
            f"deploy batch {batch} of {len(updated)}: {instances} of {_instances(total)}",
            "deploy_batch",
            100 * instances // total,
            instances,
            stages.checks(*_TRAFFIC_CHECKS, "ready_instances", window=batch_bake, ready=instances),
            batch_bake,
        )


def plan_deployment(
    request: DeploymentRequest, *, version: str, previous_version: str | None
) -> DeploymentPlan:
    """The stages that take ``request.service`` in ``request.environment`` from
    ``previous_version`` (None: nothing deployed yet) to ``version``.

    - blue_green: provision green (0%), health-check green (0%), shift traffic to 100% (blue kept
      on standby for rollback), decommission blue (the last stage).
    - canary: one ``shift_traffic`` stage per step (default 5, 25, 50, 100), health-checked after
      each shift; the canary runs on instances in proportion to its share of traffic.
    - rolling: one ``deploy_batch`` stage per batch of instances; the traffic share is the share
      of instances updated.

    Raises :class:`InvalidRequest` when ``version`` is already live.
    """
    if version == previous_version:
        raise InvalidRequest(
            f"version {version} is already live for {request.service} in {request.environment}"
        )
    stages = _Stages(request)
    bake = BAKE_SECONDS[request.environment]
    if request.strategy == "blue_green":
        _blue_green(stages, bake)
    elif request.strategy == "canary":
        _canary(stages, bake)
    else:
        _rolling(stages)
    return DeploymentPlan(
        strategy=request.strategy,
        service=request.service,
        environment=request.environment,
        version=version,
        previous_version=previous_version,
        stages=stages.stages,
    )


# --- the environment ----------------------------------------------------------------------
class EnvironmentState(StrictModel):
    """What runs where: the live version, the one being rolled out, and how far it got.

    When a plan's last stage is applied, its version becomes the live one and no candidate is
    left. ``history`` holds one line per stage applied (deterministic: no timestamps)."""

    service: str
    environment: Environment
    live_version: str | None = Field(description="version serving the rest of the traffic (None: nothing)")
    candidate_version: str | None = Field(default=None, description="version being rolled out")
    traffic_to_candidate: int = Field(default=0, ge=0, le=100)
    instances_on_candidate: int = Field(default=0, ge=0)
    history: list[str] = Field(default_factory=list)


def initial_state(plan: DeploymentPlan) -> EnvironmentState:
    """The environment before the plan's first stage: the previous version live, nothing rolling out."""
    return EnvironmentState(
        service=plan.service, environment=plan.environment, live_version=plan.previous_version
    )


def _check_stage_starts_here(state: EnvironmentState, plan: DeploymentPlan, stage: DeploymentStage) -> None:
    if plan.stage(stage.index) != stage:
        raise ValueError(f"stage {stage.index} ({stage.name}) is not a stage of this plan")
    if (state.service, state.environment) != (plan.service, plan.environment):
        raise ValueError(
            f"the state is of {state.service} in {state.environment}, "
            f"the plan of {plan.service} in {plan.environment}"
        )
    expected: tuple[str | None, str | None, int, int]
    if stage.index == 0:
        expected = (plan.previous_version, None, 0, 0)
    else:
        before = plan.stages[stage.index - 1]
        expected = (plan.previous_version, plan.version, before.traffic_percent, before.instances_on_new)
    found = (
        state.live_version,
        state.candidate_version,
        state.traffic_to_candidate,
        state.instances_on_candidate,
    )
    if found != expected:
        raise ConflictError(
            f"stage {stage.index} ({stage.name}) of {plan.version} cannot start from the environment's "
            f"state: live {state.live_version}, candidate {state.candidate_version} at "
            f"{state.traffic_to_candidate}% on {state.instances_on_candidate} instances "
            f"(expected live {expected[0]}, candidate {expected[1]} at {expected[2]}% "
            f"on {expected[3]} instances)"
        )


def apply_stage(state: EnvironmentState, plan: DeploymentPlan, stage: DeploymentStage) -> EnvironmentState:
    """The environment after ``stage``: a new state (the given one is left unchanged).

    Raises :class:`ConflictError` when the environment is not where the stage starts (the
    previous stage not applied, or another deployment changed it), ``ValueError`` when the stage
    is not the plan's or the state is of another service or environment."""
    _check_stage_starts_here(state, plan, stage)
    entry = (
        f"stage {stage.index} {stage.action} ({stage.name}): {plan.version} at "
        f"{stage.traffic_percent}% of traffic on {_instances(stage.instances_on_new)}"
    )
    if stage.index == len(plan.stages) - 1:
        return EnvironmentState(
            service=state.service,
            environment=state.environment,
            live_version=plan.version,
            history=[*state.history, f"{entry}; {plan.version} is live (was {plan.previous_version})"],
        )
    return EnvironmentState(
        service=state.service,
        environment=state.environment,
        live_version=state.live_version,
        candidate_version=plan.version,
        traffic_to_candidate=stage.traffic_percent,
        instances_on_candidate=stage.instances_on_new,
        history=[*state.history, entry],
    )


def rollback_stage(
    state_before: EnvironmentState, plan: DeploymentPlan, stage: DeploymentStage
) -> EnvironmentState:
    """Undo ``stage``: the environment exactly as it was before it (``state_before``, the snapshot
    taken before the stage was applied). Safe to repeat.

    Refuses a snapshot the stage does not start from (as :func:`apply_stage` would), so a stage
    can never be rolled back to another stage's state."""
    _check_stage_starts_here(state_before, plan, stage)
    return state_before.model_copy(deep=True)


# --- health -------------------------------------------------------------------------------
class HealthObservation(StrictModel):
    check: CheckName
    observed: float
    threshold: float
    passed: bool


class HealthReport(StrictModel):
    stage: int
    stage_name: str
    passed: bool
    observations: list[HealthObservation]
    summary: str = Field(description="one line: every failed check with its values, or 'healthy'")

    def raise_if_failed(self) -> None:
        """Raise :class:`DeploymentStageFailed` (with the summary) when a check failed."""
        if not self.passed:
            raise DeploymentStageFailed(self.summary)


def _fraction(plan: DeploymentPlan, stage: DeploymentStage, check: HealthCheck) -> float:
    """A number in [0, 1) fixed by the service, environment, version, stage and check."""
    key = f"{plan.service}|{plan.environment}|{plan.version}|{stage.index}|{check.name}"
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 2**32


def _healthy_value(check: HealthCheck, fraction: float) -> float:
    if check.comparison == "at_least":
        return check.threshold
    if check.name == "error_rate":  # floor, so it never rounds above the threshold
        return math.floor(check.threshold * (0.1 + 0.6 * fraction) * 10_000) / 10_000
    return float(math.floor(check.threshold * (0.3 + 0.5 * fraction)))


def _failing_value(check: HealthCheck, fraction: float) -> float:
    if check.comparison == "at_least":
        return float(max(0, math.ceil(check.threshold) - 1))
    if check.name == "error_rate":  # at least 0.0015 above the threshold: still above once rounded
        observed = check.threshold + max(check.threshold, 0.001) * (1.5 + 2 * fraction)
        return min(1.0, round(observed, 3))
    return float(math.floor(check.threshold * (1.5 + fraction)) + 1)


def _passes(check: HealthCheck, observed: float) -> bool:
    return observed <= check.threshold if check.comparison == "at_most" else observed >= check.threshold


def evaluate_health(plan: DeploymentPlan, stage: DeploymentStage, *, simulated_failure: bool) -> HealthReport:
    """Observe every health check of ``stage`` (deterministic: the same plan and stage always
    give the same observations).

    Without ``simulated_failure`` every observation is within its threshold. With it, the
    error-rate check (or the stage's first check when it has none) fails with a value beyond the
    threshold, and the summary names the stage, the check and both values."""
    if plan.stage(stage.index) != stage:
        raise ValueError(f"stage {stage.index} ({stage.name}) is not a stage of this plan")
    names = [check.name for check in stage.health_checks]
    failing = ("error_rate" if "error_rate" in names else names[0]) if simulated_failure else None
    observations: list[HealthObservation] = []
    for check in stage.health_checks:
        fraction = _fraction(plan, stage, check)
        value = _failing_value(check, fraction) if check.name == failing else _healthy_value(check, fraction)
        observations.append(
            HealthObservation(
                check=check.name, observed=value, threshold=check.threshold, passed=_passes(check, value)
            )
        )
    passed = all(observation.passed for observation in observations)
    label = f"stage {stage.index} ({stage.name})"
    if passed:
        bounds = {check.name: check.comparison.replace("_", " ") for check in stage.health_checks}
        details = ", ".join(
            f"{o.check} {o.observed:g} ({bounds[o.check]} {o.threshold:g})" for o in observations
        )
        summary = f"{label}: healthy ({details})"
    else:
        comparisons = {check.name: check.comparison for check in stage.health_checks}
        summary = f"{label}: " + "; ".join(
            f"{o.check} {o.observed:g} {'above' if comparisons[o.check] == 'at_most' else 'below'} "
            f"{o.threshold:g}"
            for o in observations
            if not o.passed
        )
    return HealthReport(
        stage=stage.index, stage_name=stage.name, passed=passed, observations=observations, summary=summary
    )
