"""A deployment stage as an undoable command.

The environment's state (what version is live, what is rolling out at what share of traffic)
is one versioned object per service and environment in the tenant's workspace:
``deployments/<service>/<environment>/state.json``. Applying a stage writes the state after it
as a new version, then observes the stage's health checks; a stage that fails them raises
``DeploymentStageFailed`` and stays ``STARTED`` in the command log. Undo deletes exactly the
version a stage wrote (found by its command id when it never completed), so undoing the
applied stages newest first brings the environment back to the state before the deployment.
Every applied and every rolled-back stage is announced on the bus as an integration event.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from orchestrator.commands.base import (
    COMMAND_METADATA,
    RUN_METADATA,
    Command,
    CommandContext,
    undo_workspace_write,
    workspace_key,
)
from orchestrator.core import constants
from orchestrator.core.errors import DeploymentStageFailed
from orchestrator.core.records import CommandRecord, CommandStatus
from orchestrator.delivery.plan import DeploymentPlan

if TYPE_CHECKING:
    from orchestrator.delivery.strategies import EnvironmentState

DEPLOYMENTS_INTEGRATION = "deployments"


def state_path(service: str, environment: str) -> str:
    return f"deployments/{service}/{environment}/state.json"


def read_state(context_workspace: Any, tenant_id: str, plan: DeploymentPlan) -> EnvironmentState:
    """The environment's current state, or the state before any deployment."""
    from orchestrator.delivery.strategies import EnvironmentState, initial_state

    key = workspace_key(tenant_id, state_path(plan.service, plan.environment))
    if context_workspace.size(key) is None:
        return initial_state(plan)
    return EnvironmentState.model_validate_json(context_workspace.get(key))


class ApplyDeploymentStage(Command):
    kind: Literal["apply_deployment_stage"] = "apply_deployment_stage"
    plan: DeploymentPlan
    stage: int = Field(ge=0, description="index of the stage in the plan")
    fail_health_check: bool = Field(
        default=False, description="simulate a failed health check (demos, tests)"
    )

    def execute(self, context: CommandContext) -> dict[str, Any]:
        # the strategies are loaded by the one function that applies stages, not by every agent
        # step that validates commands (undo needs the plan only)
        from orchestrator.delivery.strategies import apply_stage, evaluate_health

        plan, stage = self.plan, self.plan.stage(self.stage)
        path = state_path(plan.service, plan.environment)
        after = apply_stage(read_state(context.workspace, context.tenant_id, plan), plan, stage)
        version = context.workspace.put(
            workspace_key(context.tenant_id, path),
            json.dumps(after.model_dump(mode="json"), indent=2).encode(),
            "application/json",
            {COMMAND_METADATA: context.command_id, RUN_METADATA: context.run_id},
        )
        health = evaluate_health(plan, stage, simulated_failure=self.fail_health_check)
        context.publish(
            constants.INTEGRATION_EXECUTED,
            {
                "command_id": context.command_id,
                "integration": DEPLOYMENTS_INTEGRATION,
                "action": stage.action,
                "payload": {
                    "service": plan.service,
                    "environment": plan.environment,
                    "version": plan.version,
                    "stage": stage.index,
                    "traffic_percent": stage.traffic_percent,
                    "healthy": health.passed,
                    "health": health.summary,
                },
            },
        )
        if not health.passed:
            raise DeploymentStageFailed(
                f"{plan.strategy} deployment of {plan.service} {plan.version} to {plan.environment}: "
                f"{health.summary}; every stage applied is rolled back"
            )
        return {
            "key": workspace_key(context.tenant_id, path),
            "version_id": version,
            "traffic_percent": stage.traffic_percent,
            "health": health.model_dump(mode="json"),
        }

    @classmethod
    def undo(cls, record: CommandRecord, context: CommandContext) -> dict[str, Any]:
        plan = DeploymentPlan.model_validate(record.params["plan"])
        # the state version this stage wrote, even if its health checks failed before it completed
        undone = undo_workspace_write(record, context, state_path(plan.service, plan.environment))
        stage = plan.stage(int(record.params["stage"]))
        context.publish(
            constants.INTEGRATION_REVERTED,
            {
                "command_id": record.command_id,
                "integration": DEPLOYMENTS_INTEGRATION,
                "action": f"rollback_{stage.action}",
                "payload": {"service": plan.service, "environment": plan.environment, "stage": stage.index},
                "executed": record.status is CommandStatus.COMPLETED,
            },
        )
        return undone | {"rolled_back_stage": stage.index}
