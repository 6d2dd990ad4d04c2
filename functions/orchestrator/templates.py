"""Templates are data: the phases of a run, their agent types, order and retry policy.

The CDK app turns every template here into one state machine; adding a template needs no
new infrastructure code. A phase's ``agent`` names the Lambda function (one per agent
type) that runs it; the same agent can serve phases of several templates.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from orchestrator.errors import TemplateNotFound
from orchestrator.models import PHASE_NAME_PATTERN


class RetryPolicy(BaseModel):
    interval_seconds: int = Field(default=1, ge=1)
    backoff_rate: float = Field(default=2.0, ge=1.0)
    max_attempts: int = Field(default=3, ge=0, le=10)
    max_delay_seconds: int = Field(default=30, ge=1)


class PhaseDeclaration(BaseModel):
    name: str = Field(pattern=PHASE_NAME_PATTERN)
    agent: str = Field(pattern=PHASE_NAME_PATTERN)
    title: str
    goal: str


class Template(BaseModel):
    name: str = Field(pattern=PHASE_NAME_PATTERN)
    title: str
    description: str
    phases: list[PhaseDeclaration] = Field(min_length=1)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    timeout_minutes: int = Field(default=60, ge=1)

    @model_validator(mode="after")
    def _unique_phase_names(self) -> Template:
        names = [phase.name for phase in self.phases]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"template {self.name!r} repeats phases {duplicates}")
        return self

    @property
    def phase_names(self) -> list[str]:
        return [phase.name for phase in self.phases]

    def phase(self, name: str) -> PhaseDeclaration:
        for phase in self.phases:
            if phase.name == name:
                return phase
        raise KeyError(f"template {self.name!r} has no phase {name!r}")

    def phases_before(self, name: str) -> list[PhaseDeclaration]:
        return self.phases[: self.phase_names.index(name)]


def _phase(name: str, title: str, goal: str, agent: str | None = None) -> PhaseDeclaration:
    return PhaseDeclaration(name=name, agent=agent or name, title=title, goal=goal)


GENERIC = Template(
    name="generic",
    title="Ideation to deployment",
    description="Seven phases that take a topic from an idea to a deployed, reviewed result.",
    phases=[
        _phase("ideation", "Ideation", "Generate and rank ideas that address the topic."),
        _phase("research", "Research", "Gather facts, prior art and constraints for the chosen idea."),
        _phase("design", "Design", "Design the solution: components, interfaces and data."),
        _phase("development", "Development", "Plan and describe the implementation work."),
        _phase("execution", "Execution", "Execute the plan and record what was produced."),
        _phase("review", "Review", "Review the result against the goals and list defects."),
        _phase("deployment", "Deployment", "Plan the release, rollout and rollback."),
    ],
)

FEATURE_DELIVERY = Template(
    name="feature_delivery",
    title="Feature delivery",
    description="Design, build, review and ship one feature (reuses the generic agents).",
    phases=[
        _phase("design", "Design", "Design the feature: behaviour, interfaces and data."),
        _phase("development", "Development", "Describe the implementation and its tests."),
        _phase("review", "Review", "Review the change for defects and risks."),
        _phase("deployment", "Deployment", "Plan a safe rollout with a rollback path."),
    ],
)

TEMPLATES: dict[str, Template] = {template.name: template for template in (GENERIC, FEATURE_DELIVERY)}


def get_template(name: str) -> Template:
    try:
        return TEMPLATES[name]
    except KeyError:
        known = ", ".join(sorted(TEMPLATES))
        raise TemplateNotFound(f"unknown template {name!r}; known templates: {known}") from None


def agent_types() -> list[str]:
    """Every agent type some template uses, in first-use order (one Lambda function each)."""
    seen: dict[str, None] = {}
    for template in TEMPLATES.values():
        for phase in template.phases:
            seen.setdefault(phase.agent, None)
    return list(seen)
