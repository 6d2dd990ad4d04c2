"""What the pipeline's roles read: the run's inputs, and an executor's routed task."""

from __future__ import annotations

from orchestrator.agents.agent_pipeline.schemas import AgentPipelineInputs, Assignment
from orchestrator.agents.base import AgentContext


def pipeline_inputs(context: AgentContext) -> AgentPipelineInputs:
    return AgentPipelineInputs.model_validate(context.inputs or {})


def routed_assignment(context: AgentContext) -> Assignment:
    """The routed task an executor works on (its map item)."""
    return Assignment.model_validate(context.item)
