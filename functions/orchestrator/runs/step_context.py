"""What one agent step starts from: its run, where it sits in the template, which attempt it is,
and what its agent reads (earlier steps' outputs, its map item).

A task for another agent type, a step that is not in the template, an item index outside a map
(or a missing one inside) are refused (``InvalidRequest``); a cancelled or ended run stops the
step before it does anything (``RunCancelled``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from orchestrator.agents import ALL_EARLIER, Agent, AgentContext, EarlierOutput, get_agent
from orchestrator.core.errors import InvalidRequest, NotFound, RepositoryError
from orchestrator.core.ports import RunRepository, StepResultRepository, Workspace
from orchestrator.core.records import (
    Run,
    StepResult,
    StepStatus,
    StepTaskInput,
    result_key,
    utc_now,
)
from orchestrator.llm.gateway import CallTally, ModelOutcome
from orchestrator.runs.guards import ensure_moving_forward
from orchestrator.templates.graph import Placement, Template, get_template


@dataclass(frozen=True)
class Recorded:
    """A replayed run's recorded result for a step, and its output: reused when the step asks
    exactly what that result was asked (its ``prompt_hash``)."""

    result: StepResult
    output: dict[str, Any]


@dataclass
class StepContext:
    """One attempt of one step (of one map item): what every job of the runner shares."""

    run: Run
    template: Template
    placement: Placement
    agent: Agent
    key: str
    item: int | None
    attempt: int
    started_at: datetime
    tally: CallTally = field(default_factory=CallTally)
    outcome: ModelOutcome | None = None
    calls_counted: bool = False  # the tally was added to the run's counters


class StepContextLoader:
    """Loads a step's context and gathers what its agent reads."""

    def __init__(
        self,
        *,
        runs: RunRepository,
        results: StepResultRepository,
        workspace: Workspace,
        agent_type: str | None = None,
    ) -> None:
        self.runs = runs
        self.results = results
        self.workspace = workspace
        self.agent_type = agent_type  # the function's own agent type: a task for another is refused

    def load(self, task: StepTaskInput) -> StepContext:
        run = self.runs.get(task.tenant_id, task.run_id, consistent=True)
        template = get_template(run.template)
        try:
            placement = template.placement(task.step)
            declaration = template.agent_step(task.step)
        except KeyError as exc:
            raise InvalidRequest(str(exc)) from None
        if self.agent_type and declaration.agent != self.agent_type:
            raise InvalidRequest(
                f"step {task.step!r} runs agent {declaration.agent!r}, not {self.agent_type!r}"
            )
        if (placement.map is None) != (task.item is None):
            raise InvalidRequest(f"step {task.step!r}: an item index is needed inside a map, and only there")
        ensure_moving_forward(run)
        key = result_key(task.step, task.item)
        if task.retry_count is not None:  # the state machine says which attempt this is
            attempt = task.retry_count + 1
        else:  # invoked without it: count the attempts started
            attempt = self.results.next_attempt(task.tenant_id, task.run_id, key)
        return StepContext(
            run, template, placement, get_agent(declaration.agent), key, task.item, attempt, utc_now()
        )

    def gather(self, step: StepContext) -> AgentContext:
        """What this agent reads: earlier outputs of the agent types it declares, and its item."""
        run = step.run
        earlier = self.earlier_outputs(step)
        item_value = None
        if step.item is not None and step.placement.map is not None:
            item_value = self.map_item(
                run, step.placement.map.source_step, step.placement.map.source_field, step.item
            )
        return AgentContext(
            tenant_id=run.tenant_id,
            run_id=run.run_id,
            topic=run.topic,
            step=step.key,
            step_title=step.placement.step.label,
            item_index=step.item,
            item=item_value,
            inputs=run.inputs,
            earlier=earlier,
        )

    def earlier_outputs(self, step: StepContext) -> list[EarlierOutput]:
        """The earlier steps' succeeded outputs this agent reads, in the template's order (and by
        item within a map); with ``ALL_EARLIER``, every earlier step's summary (no data)."""
        run, agent = step.run, step.agent
        earlier = {p.step.name: p for p in step.template.earlier_agent_steps(step.placement.step.name)}
        wanted_all = ALL_EARLIER in agent.reads
        if not any(wanted_all or getattr(p.step, "agent", "") in agent.reads for p in earlier.values()):
            return []  # no earlier step it reads (the template's first, or an agent reading none): no Query
        found: list[tuple[int, int, EarlierOutput]] = []
        for result in self.results.list_for_run(run.tenant_id, run.run_id):
            placement = earlier.get(result.step)
            if placement is None or result.status is not StepStatus.SUCCEEDED:
                continue
            if placement.map is not None and placement.map is step.placement.map and result.item != step.item:
                continue  # an earlier step of another item of the same map
            agent_type = getattr(placement.step, "agent", "")
            if not wanted_all and agent_type not in agent.reads:
                continue
            data = None if wanted_all else self.load_data(result)
            output = EarlierOutput(
                step=result.key,
                agent=agent_type,
                summary=result.summary,
                data=data,
                item=result.item,
                tokens=result.token_usage.total_tokens,
                cost_usd=result.cost_usd,
                provider=result.metadata.provider,
                model=result.metadata.model,
            )
            found.append((placement.order, result.item or 0, output))
        return [output for _, _, output in sorted(found, key=lambda entry: entry[:2])]

    def reused_source(self, step: StepContext) -> StepResult | None:
        """The earlier run's result a resumed run copies for this step (None: the step runs anew)."""
        run = step.run
        if run.resumed_from is None or step.key not in run.reused_steps:
            return None
        source = self.results.get(run.tenant_id, run.resumed_from, step.key)
        if source is None:
            raise InvalidRequest(f"run {run.resumed_from} has no result {step.key} to reuse")
        return source

    def recorded(self, step: StepContext) -> Recorded | None:
        """The replayed run's result for this step and its output (None: not a replay, or nothing a
        step could reuse: it failed or never ran, has no prompt digest, its output is gone)."""
        run = step.run
        if run.replayed_from is None:
            return None
        source = self.results.get(run.tenant_id, run.replayed_from, step.key)
        if source is None or source.prompt_hash is None:
            return None
        output = None
        if source.status is StepStatus.SUCCEEDED:
            try:
                output = self.load_data(source)
            except (NotFound, RepositoryError):  # a large output no longer kept: the model is asked
                return None
        elif source.status is StepStatus.COMPENSATED:
            output = source.undone_data
        return Recorded(source, output) if output is not None else None

    def map_item(self, run: Run, source_step: str, field: str, index: int) -> Any:
        source = self.results.get(run.tenant_id, run.run_id, source_step)
        data = self.load_data(source) if source else None
        items = (data or {}).get(field)
        if not isinstance(items, list) or index >= len(items):
            raise InvalidRequest(f"item {index} of {source_step}.{field} does not exist")
        return items[index]

    def load_data(self, result: StepResult) -> dict[str, Any] | None:
        """A result's output: kept inline, or read from the workspace when it was too large."""
        if result.data is not None or not result.data_ref:
            return result.data
        loaded: dict[str, Any] = json.loads(self.workspace.get(result.data_ref))
        return loaded
