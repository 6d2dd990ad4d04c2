"""A deployment plan as recorded: its stages, in order, each with its share of traffic, the
instances on the new version, its health checks and its bake time.

What a deployment stage command carries (``orchestrator.commands.deployment_stages``), so every
agent step can validate and log such a command without loading the strategies that make plans
and move environments through them (``orchestrator.delivery.strategies``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from orchestrator.core.records import StrictModel

Strategy = Literal["blue_green", "canary", "rolling"]
Environment = Literal["staging", "production"]
StageAction = Literal["provision_green", "shift_traffic", "deploy_batch", "bake", "decommission_blue"]
CheckName = Literal["error_rate", "latency_p99_ms", "ready_instances"]
Comparison = Literal["at_most", "at_least"]


class HealthCheck(StrictModel):
    """One condition a stage must meet, observed over a window after the stage is applied."""

    name: CheckName
    metric: str = Field(description="what is measured")
    threshold: float
    comparison: Comparison = Field(description="at_most: observed <= threshold; at_least: observed >= it")
    window_seconds: int = Field(ge=1)


class DeploymentStage(StrictModel):
    index: int = Field(ge=0)
    name: str
    action: StageAction
    traffic_percent: int = Field(ge=0, le=100, description="share of traffic on the new version after it")
    instances_on_new: int = Field(ge=0, description="instances running the new version after it")
    health_checks: list[HealthCheck] = Field(min_length=1)
    bake_seconds: int = Field(ge=0, description="how long the stage is observed before the next one")


class DeploymentPlan(StrictModel):
    """The recorded plan: every stage, in order, from the live version to the new one."""

    strategy: Strategy
    service: str
    environment: Environment
    version: str
    previous_version: str | None = Field(description="version live before the deployment (None: first)")
    stages: list[DeploymentStage] = Field(min_length=1)

    @model_validator(mode="after")
    def _stages_in_order(self) -> DeploymentPlan:
        if [stage.index for stage in self.stages] != list(range(len(self.stages))):
            raise ValueError("stage indexes must be 0, 1, 2, ... in order")
        traffic = [stage.traffic_percent for stage in self.stages]
        if traffic != sorted(traffic) or traffic[-1] != 100:
            raise ValueError(f"traffic shares {traffic} must never decrease and must end at 100")
        return self

    def stage(self, index: int) -> DeploymentStage:
        if not 0 <= index < len(self.stages):
            raise ValueError(f"the plan has stages 0-{len(self.stages) - 1}, not {index}")
        return self.stages[index]
