"""An agent's hooks read the output as their own model, or fail the step with a domain error."""

from __future__ import annotations

import pytest

from orchestrator.agents import get_agent
from orchestrator.agents.base import output_as
from orchestrator.agents.showcase import PlanOutput, RiskOutput
from orchestrator.core.errors import ModelOutputInvalid


def test_a_hook_handed_its_own_model_reads_it() -> None:
    plan = PlanOutput.model_validate(
        {
            "summary": "s",
            "tasks": [{"title": "t", "description": "d", "complexity": "small"}],
            "confidence": 0.5,
        }
    )
    assert output_as(plan, PlanOutput) is plan


def test_a_hook_handed_another_model_fails_the_step_naming_both() -> None:
    # Given a planner and an output of another agent's model
    other = RiskOutput.model_validate(
        {"summary": "s", "risks": [{"risk": "r", "likelihood": "low", "mitigation": "m"}], "confidence": 0.5}
    )
    # When its confidence hook reads it, Then the step fails with the domain error (not an assert)
    with pytest.raises(ModelOutputInvalid, match="expected a PlanOutput output, got a RiskOutput"):
        get_agent("planner").confidence(other)
