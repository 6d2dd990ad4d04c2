"""Templates are data: a step graph of agents, parallel branches, map fan-outs and approval gates.

One generator (``infra/cdk/constructs/workflows.py``) turns every template here into one
Standard state machine; adding a template is a declaration plus its agents, never new
infrastructure code. Steps:

- ``agent``: runs one agent type (one Lambda function per agent type);
- ``parallel``: named branches, each a sequence of steps, run at the same time;
- ``map``: one item sequence per element of a list an earlier agent's output declares
  (``over="plan.tasks"``), at most ``max_concurrency`` at once; lists longer than
  ``inline_limit`` go through an S3 manifest (Distributed Map), not the state payload;
- ``approval``: waits for a person (``.waitForTaskToken``) at most ``timeout_seconds``, perhaps
  with a reminder before the deadline and an escalation or a default decision at it
  (``orchestrator.templates.deadlines``).

Synthesis validates every template against its agents (``validate_catalog``), so a bad
template fails ``cdk synth`` with a message naming the template and the step. A function builds
a template from its declaration the first time it asks for it (``TEMPLATES``, ``get_template``).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, model_validator

from orchestrator.core.constants import MAX_MAP_CONCURRENCY
from orchestrator.core.errors import RETRIED_ERROR_NAMES, TemplateNotFound
from orchestrator.core.records import STEP_NAME_PATTERN, DomainModel, RequestModel, StrictModel
from orchestrator.templates import catalog as template_catalog
from orchestrator.templates.deadlines import (
    DeadlineAction,
    GateDeadlines,
    deadlines_for,
    declaration_problems,
    longest_wait,
)

CHECK_AGENTS = "check_agents"


class RetryPolicy(DomainModel):
    """The one Retry rule every task of a template's state machine gets (``RETRIED_ERROR_NAMES``).
    ``max_attempts`` counts retries, as Step Functions' ``MaxAttempts`` does: 3 means at most 4 attempts."""

    interval_seconds: int = Field(default=1, ge=1)
    backoff_rate: float = Field(default=2.0, ge=1.0)
    max_attempts: int = Field(default=3, ge=0, le=10)
    max_delay_seconds: int = Field(default=30, ge=1)

    def retries(self, error_name: str, attempt: int) -> bool:
        """Whether the state machine runs another attempt after attempt ``attempt`` (1-based)
        failed with ``error_name``."""
        return error_name in RETRIED_ERROR_NAMES and attempt <= self.max_attempts


class _Step(StrictModel):
    name: str = Field(pattern=STEP_NAME_PATTERN)
    title: str | None = Field(default=None, max_length=60)

    @property
    def label(self) -> str:
        """What operators see: the state name in the console."""
        return self.title or self.name.replace("_", " ").capitalize()


class AgentStep(_Step):
    kind: Literal["agent"] = "agent"
    agent: str = Field(pattern=STEP_NAME_PATTERN)


class ParallelStep(_Step):
    kind: Literal["parallel"] = "parallel"
    branches: dict[str, list[Step]] = Field(min_length=2)


class MapStep(_Step):
    kind: Literal["map"] = "map"
    over: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$", description="<agent step>.<list field>")
    max_concurrency: int = Field(ge=1, le=MAX_MAP_CONCURRENCY, description="items running at once (bulkhead)")
    steps: list[Step] = Field(min_length=1, description="what runs for each item, in order")
    inline_limit: int = Field(
        default=40, ge=1, le=200, description="longer lists go through an S3 manifest (Distributed Map)"
    )

    @property
    def source_step(self) -> str:
        return self.over.split(".", 1)[0]

    @property
    def source_field(self) -> str:
        return self.over.split(".", 1)[1]


GateRole = Literal["user", "admin"]
_WEEK = 7 * 24 * 3600


class ApprovalStep(_Step):
    """A person decides; the deadline fields are described in ``orchestrator.templates.deadlines``."""

    kind: Literal["approval"] = "approval"
    timeout_seconds: int = Field(ge=1, le=_WEEK, description="no decision by then: on_deadline applies")
    roles: list[GateRole] = Field(default=["user", "admin"], min_length=1)
    question: str = Field(default="Approve this run?", max_length=300)
    remind_before_seconds: int | None = Field(
        default=None, ge=1, le=_WEEK, description="remind the deciders this long before the deadline"
    )
    on_deadline: DeadlineAction = Field(
        default="undo", description="nobody decided by the deadline: undo, escalate, approve or reject"
    )
    escalate_to_roles: list[GateRole] | None = Field(
        default=None, min_length=1, description="who may decide once escalated (on_deadline 'escalate')"
    )
    escalation_timeout_seconds: int | None = Field(
        default=None, ge=1, le=_WEEK, description="the escalation's window; nobody deciding: run undone"
    )

    @model_validator(mode="after")
    def _valid_deadline(self) -> ApprovalStep:
        problems = list(declaration_problems(self))
        if problems:
            raise ValueError(f"step {self.name!r}: " + "; ".join(problems))
        return self

    def timeout_for(self, requested: int | None) -> int:
        """The gate's decision window for a run that asked for ``requested`` seconds (never longer)."""
        return self.deadlines_for(requested).window

    def deadlines_for(self, requested: int | None) -> GateDeadlines:
        return deadlines_for(self, requested)

    @property
    def rearms(self) -> bool:
        """Whether the gate does more than wait once (a reminder, an escalation, a default decision)."""
        return self.remind_before_seconds is not None or self.on_deadline != "undo"


Step = Annotated[AgentStep | ParallelStep | MapStep | ApprovalStep, Field(discriminator="kind")]


@dataclass(frozen=True)
class Placement:
    """Where a step sits: its enclosing top-level step, branch and map (if any)."""

    step: AgentStep | ParallelStep | MapStep | ApprovalStep
    top: AgentStep | ParallelStep | MapStep | ApprovalStep
    branch: str | None
    map: MapStep | None
    order: int  # declaration order over the whole template


class Template(StrictModel):
    name: str = Field(pattern=STEP_NAME_PATTERN)
    title: str
    description: str
    steps: list[Step] = Field(min_length=1)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    timeout_minutes: int = Field(default=60, ge=1, le=60 * 24 * 7)

    @model_validator(mode="after")
    def _valid_graph(self, info: ValidationInfo) -> Template:
        check_agents = (info.context or {}).get(CHECK_AGENTS, True)
        problems = list(_problems(self, check_agents=check_agents))
        if problems:
            raise ValueError(f"template {self.name!r}: " + "; ".join(problems))
        return self

    # --- navigation -----------------------------------------------------------------------
    def placements(self) -> list[Placement]:
        return list(_walk(self.steps, top=None, branch=None, enclosing_map=None, counter=[0]))

    def placement(self, name: str) -> Placement:
        for placement in self.placements():
            if placement.step.name == name:
                return placement
        raise KeyError(f"template {self.name!r} has no step {name!r}")

    def agent_step(self, name: str) -> AgentStep:
        step = self.placement(name).step
        if not isinstance(step, AgentStep):
            raise KeyError(f"step {name!r} of template {self.name!r} is a {step.kind} step, not an agent")
        return step

    def agent_steps(self) -> list[AgentStep]:
        return [p.step for p in self.placements() if isinstance(p.step, AgentStep)]

    def agent_types(self) -> list[str]:
        return list(dict.fromkeys(step.agent for step in self.agent_steps()))

    def map_step(self, name: str) -> MapStep:
        step = self.placement(name).step
        if not isinstance(step, MapStep):
            raise KeyError(f"step {name!r} of template {self.name!r} is not a map")
        return step

    def earlier_agent_steps(self, name: str) -> list[Placement]:
        """Agent steps whose outputs are complete before ``name`` runs (what it may read)."""
        return _earlier(self, name)

    def gate_timeouts(self, requested: int | None) -> dict[str, int]:
        """Every gate's decision window for one run (part of the execution's input)."""
        return {s.name: s.timeout_for(requested) for s in self.steps if isinstance(s, ApprovalStep)}

    def gate_deadlines(self, requested: int | None) -> dict[str, dict[str, int]]:
        """The reminder and escalation timing of every gate that has them, for one run (part of
        the execution's input)."""
        gates = [s for s in self.steps if isinstance(s, ApprovalStep) and s.rearms]
        return {gate.name: gate.deadlines_for(requested).state_input() for gate in gates}

    @property
    def inputs_model(self) -> type[RequestModel] | None:
        """The model of the run's ``inputs`` (None: the template takes a topic only)."""
        return _inputs_model(self.name)

    def describe(self) -> dict[str, Any]:
        """The graph as a client draws it (``GET /templates``), with the inputs it takes."""
        model = self.inputs_model
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "timeout_minutes": self.timeout_minutes,
            "inputs": model.model_json_schema() if model is not None else None,
            "steps": [_describe(step) for step in self.steps],
        }


def _walk(
    steps: list[Any], *, top: Any, branch: str | None, enclosing_map: MapStep | None, counter: list[int]
) -> Iterator[Placement]:
    for step in steps:
        counter[0] += 1
        here_top = top or step
        yield Placement(step, here_top, branch, enclosing_map, counter[0])
        if isinstance(step, ParallelStep):
            for branch_name, branch_steps in step.branches.items():
                yield from _walk(
                    branch_steps,
                    top=here_top,
                    branch=branch_name,
                    enclosing_map=enclosing_map,
                    counter=counter,
                )
        elif isinstance(step, MapStep):
            yield from _walk(step.steps, top=here_top, branch=branch, enclosing_map=step, counter=counter)


def _earlier(template: Template, name: str) -> list[Placement]:
    placements = template.placements()
    target = next((p for p in placements if p.step.name == name), None)
    if target is None:
        raise KeyError(f"template {template.name!r} has no step {name!r}")
    top_index = [p.step.name for p in placements if p.top is p.step].index(target.top.name)
    tops = [p.step for p in placements if p.top is p.step]
    earlier: list[Placement] = []
    for placement in placements:
        if not isinstance(placement.step, AgentStep) or placement.order >= target.order:
            continue
        position = tops.index(placement.top)
        if position < top_index:
            earlier.append(placement)
        elif position == top_index and placement.branch == target.branch and placement.map is target.map:
            earlier.append(placement)  # same top-level step: same branch and same map sequence only
    return earlier


def _problems(template: Template, *, check_agents: bool = True) -> Iterator[str]:
    placements = template.placements()
    names = [p.step.name for p in placements]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        yield f"step names must be unique, repeated: {repeated}"
        return
    for placement in placements:
        step = placement.step
        where = f"step {step.name!r}"
        if isinstance(step, AgentStep):
            if check_agents:
                yield from _agent_problems(template, step, where)
        elif isinstance(step, ApprovalStep):
            if placement.top is not step:
                yield f"{where}: approval gates must be top-level steps (not inside a branch or a map)"
            if longest_wait(step) >= template.timeout_minutes * 60:
                limit = template.timeout_minutes
                what = "timeout and escalation" if step.on_deadline == "escalate" else "timeout"
                yield f"{where}: the gate's {what} must end before the template's ({limit} min)"
        elif isinstance(step, MapStep):
            yield from _map_problems(template, step, where, check_agents=check_agents)


def _agent_problems(template: Template, step: AgentStep, where: str) -> Iterator[str]:
    # the agents are loaded only to check them (synthesis, tests): functions never need them here
    from orchestrator.agents import AGENTS, ALL_EARLIER

    agent = AGENTS.get(step.agent)
    if agent is None:
        yield f"{where}: unknown agent {step.agent!r} (known: {', '.join(sorted(AGENTS))})"
        return
    available = {p.step.agent for p in _earlier(template, step.name) if isinstance(p.step, AgentStep)}
    missing = [r for r in agent.reads if r != ALL_EARLIER and r not in available]
    if missing:
        yield f"{where}: agent {step.agent!r} reads {missing}, which no earlier step produces"


def _map_problems(template: Template, step: MapStep, where: str, *, check_agents: bool) -> Iterator[str]:
    for inner in step.steps:
        if not isinstance(inner, AgentStep):
            yield f"{where}: a map item runs agent steps only, {inner.name!r} is a {inner.kind} step"
    source = next(
        (p.step for p in _earlier(template, step.name) if p.step.name == step.source_step),
        None,
    )
    if source is None or not isinstance(source, AgentStep):
        yield f"{where}: maps over {step.over!r}, but no earlier agent step is named {step.source_step!r}"
        return
    if not check_agents:
        return
    from orchestrator.agents import AGENTS

    agent = AGENTS.get(source.agent)
    if agent is None:
        return  # reported at the source step
    field = agent.output_model.model_fields.get(step.source_field)
    if field is None:
        fields = ", ".join(agent.output_model.model_fields)
        yield (
            f"{where}: maps over {step.over!r}, but the output of agent {source.agent!r} has no field "
            f"{step.source_field!r} (it has: {fields})"
        )
    elif getattr(field.annotation, "__origin__", None) is not list:
        yield f"{where}: maps over {step.over!r}, which is not a list in agent {source.agent!r}'s output"


def _describe(step: Any) -> dict[str, Any]:
    common = {"name": step.name, "title": step.label, "kind": step.kind}
    if isinstance(step, AgentStep):
        return common | {"agent": step.agent}
    if isinstance(step, ParallelStep):
        return common | {
            "branches": {name: [_describe(s) for s in steps] for name, steps in step.branches.items()}
        }
    if isinstance(step, MapStep):
        return common | {
            "over": step.over,
            "max_concurrency": step.max_concurrency,
            "inline_limit": step.inline_limit,
            "steps": [_describe(s) for s in step.steps],
        }
    deadline_fields = {"remind_before_seconds", "escalate_to_roles", "escalation_timeout_seconds"}
    deadline = step.model_dump(include=deadline_fields, exclude_none=True)
    return (
        common
        | {
            "timeout_seconds": step.timeout_seconds,
            "roles": step.roles,
            "question": step.question,
            "on_deadline": step.on_deadline,
        }
        | deadline
    )


def build_template(declaration: dict[str, Any], *, check_agents: bool = True) -> Template:
    """A template from its declaration; a bad one raises ``ValueError`` naming template and step.

    ``check_agents``: also check the agents it names (known, what they read is produced earlier,
    maps over a list their schema has). That loads every agent the template uses; functions skip
    it at start-up because ``validate_catalog`` ran at synthesis on the same code."""
    try:
        return Template.model_validate(declaration, context={CHECK_AGENTS: check_agents})
    except ValidationError as exc:
        name = declaration.get("name", "?") if isinstance(declaration, dict) else "?"
        details = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'template'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ValueError(f"invalid template {name!r}: {details}") from None


class _Catalog(Mapping[str, Template]):
    """The shipped templates by name, each built from its catalog module the first time it is
    asked for: a function builds the templates it runs, not the whole catalog. The names (``in``,
    iteration, ``len``) come from the catalog's list and import nothing."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self._names = dict.fromkeys(names)
        self._built: dict[str, Template] = {}

    def __getitem__(self, name: str) -> Template:
        template = self._built.get(name)
        if template is None:
            template = self._built.setdefault(name, _catalog_template(name, check_agents=False))
        return template

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names


def _catalog_template(name: str, *, check_agents: bool) -> Template:
    module = template_catalog.module(name)
    template = build_template(module.DECLARATION, check_agents=check_agents)
    if template.name != name:
        raise ValueError(f"template {template.name!r} is declared in {module.__name__}: name them alike")
    return template


TEMPLATES: Mapping[str, Template] = _Catalog(template_catalog.NAMES)


def validate_catalog() -> None:
    """Every template checked against its agents, and every inputs model loadable (synthesis and
    tests run this; a bad template or agent then fails ``cdk synth`` naming template and step)."""
    repeated = sorted({name for name in template_catalog.NAMES if template_catalog.NAMES.count(name) > 1})
    if repeated:
        raise ValueError(f"templates listed twice in the catalog: {repeated}")
    for name in template_catalog.NAMES:
        _catalog_template(name, check_agents=True)
        _inputs_model(name)


@cache
def _inputs_model(template: str) -> type[RequestModel] | None:
    """The template's inputs model, imported on first use (``"module:Class"`` in its catalog module)."""
    if template not in template_catalog.NAMES:
        return None
    reference: str | None = getattr(template_catalog.module(template), "INPUTS", None)
    if reference is None:
        return None
    module_name, _, class_name = reference.partition(":")
    model = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(model, type) and issubclass(model, RequestModel)):
        raise TypeError(f"inputs of template {template!r}: {reference} is not a RequestModel")
    return model


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
        for agent in template.agent_types():
            seen.setdefault(agent, None)
    return list(seen)
