"""An agent step's answer: the agent's own work, its prompt (the version the run pinned), the model's
answer through the gateway (tiers, cache, budget, fallbacks, retries of invalid output; offline
answers for the offline provider), or a tool agent's output computed in code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from orchestrator.agents import AgentContext, AgentServices, RenderedPrompt
from orchestrator.core import constants
from orchestrator.core.errors import ModelOutputInvalid, NotFound
from orchestrator.core.ports import Workspace
from orchestrator.llm.gateway import ModelGateway, StepCall
from orchestrator.providers import ModelProvider, ModelRequest, ModelResponse
from orchestrator.providers.offline import raise_simulated_failure
from orchestrator.runs.guards import run_data_prefix
from orchestrator.runs.step_context import Recorded, StepContext

if TYPE_CHECKING:
    from orchestrator.core.records import StepResult
    from orchestrator.core.vectors import VectorStore
    from orchestrator.llm.prompts import PromptLibrary

ProviderFactory = Callable[[str | None], ModelProvider]
"""Returns the provider for a run's option (None = the deployment's default)."""

TOOL_PROVIDER = constants.TOOL_PROVIDER


@dataclass(frozen=True)
class StepAnswer:
    """What the agent answered, and what it read to answer (its context, with its facts and the
    corrections its output needed)."""

    context: AgentContext
    prompt: RenderedPrompt
    response: ModelResponse
    output: BaseModel
    reused_from: dict[str, str] | None = None  # ``{run_id, key}`` of the result it copied (no model call)
    prompt_hash: str | None = None  # the digest of the request that produced the output
    input_hash: str | None = None  # the digest of what the agent read (``input_digest``)


def input_digest(context: AgentContext) -> str:
    """SHA-256 of what an agent read: the topic, the inputs, its item, the earlier outputs (and
    summaries) it reads and the facts its own work found."""
    read = {
        "topic": context.topic,
        "inputs": context.inputs,
        "item_index": context.item_index,
        "item": context.item,
        "earlier": [[e.step, e.agent, e.summary, e.data] for e in context.earlier],
        "facts": context.facts,
    }
    canonical = json.dumps(read, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class StepAnswerer:
    """Has the step's agent answer: its work, then the model (or its own computation), then its
    final corrections."""

    def __init__(
        self,
        *,
        workspace: Workspace,
        provider_factory: ProviderFactory,
        gateway: ModelGateway,
        vectors: VectorStore | None = None,
        fetch: Callable[[str], bytes] | None = None,
        prompts: PromptLibrary | None = None,
    ) -> None:
        self.workspace = workspace
        self.provider_factory = provider_factory
        self.gateway = gateway
        self.vectors = vectors
        self.fetch = fetch
        self.prompts = prompts

    def answer(
        self, step: StepContext, agent_context: AgentContext, recorded: Recorded | None = None
    ) -> StepAnswer:
        """The agent's answer; in a replayed run (``recorded``), the recorded output when the step
        asks exactly what it was asked then (no model call)."""
        agent_context = self._worked(step, agent_context)
        read = input_digest(agent_context)
        digest = None
        if step.agent.uses_model:
            prompt = self.render(step, agent_context)
            call = self.step_call(step, prompt, step.agent.offline_answer(agent_context), agent_context)
            prepared = self.gateway.prepare(call)
            digest = prepared.digest
            if recorded is not None and recorded.result.prompt_hash == digest:
                replayed = self._replayed(step, agent_context, prompt, recorded)
                if replayed is not None:
                    return replace(replayed, prompt_hash=digest, input_hash=read)
            step.outcome = self.gateway.answer(call, step.tally, prepared)
            response, output = step.outcome.response, step.outcome.output
        else:  # a tool agent has no prompt to render: its output is computed in code
            prompt = RenderedPrompt(system="", user="", version=step.agent.prompt_version)
            response, output = self.compute(step, agent_context)
        output, corrections = step.agent.finalize(output, agent_context)
        if corrections:
            agent_context = replace(agent_context, corrections=corrections)
        return StepAnswer(agent_context, prompt, response, output, prompt_hash=digest, input_hash=read)

    def reuse(self, step: StepContext, agent_context: AgentContext, source: StepResult) -> StepAnswer:
        """A resumed run's step answered by the output an earlier run stored (``source``): the
        agent's work in code runs again (its commands may need the facts), no model is called."""
        from orchestrator.runs.resume import kept_output  # only resumed runs' steps load it

        agent_context = self._worked(step, agent_context)
        try:
            output = step.agent.output_model.model_validate(kept_output(source))
        except ValidationError as exc:
            raise ModelOutputInvalid(
                f"the output of {source.key} in run {source.run_id} no longer fits "
                f"{step.agent.agent_type}: {exc}"[:2000]
            ) from exc
        prompt = RenderedPrompt(system="", user="", version=source.metadata.prompt_version)
        answer = _stored_answer(agent_context, prompt, output, source)
        return replace(answer, prompt_hash=source.prompt_hash, input_hash=input_digest(agent_context))

    def _worked(self, step: StepContext, agent_context: AgentContext) -> AgentContext:
        """The context with the facts the agent's own work (in code) found."""
        facts = step.agent.work(agent_context, self.services(step))
        return replace(agent_context, facts=facts) if facts else agent_context

    def _replayed(
        self, step: StepContext, agent_context: AgentContext, prompt: RenderedPrompt, recorded: Recorded
    ) -> StepAnswer | None:
        """The recorded output as this step's answer (None: it no longer fits the agent's schema,
        the model is asked)."""
        try:
            output = step.agent.output_model.model_validate(recorded.output)
        except ValidationError:
            return None
        return _stored_answer(agent_context, prompt, output, recorded.result)

    def services(self, step: StepContext) -> AgentServices:
        run = step.run
        return AgentServices(
            workspace=self.workspace,
            provider_factory=lambda: self.provider_factory(run.options.provider),
            vectors=self.vectors,
            fetch=self.fetch,
            run_data_prefix=run_data_prefix(run.tenant_id, run.run_id),
        )

    def compute(self, step: StepContext, context: AgentContext) -> tuple[ModelResponse, BaseModel]:
        """A tool agent's output, computed in code (no model is called)."""
        raise_simulated_failure(
            step.run.options.simulate_failure, step.placement.step.name, step.item, step.attempt
        )
        try:
            output = step.agent.compute(context)
        except ValidationError as exc:
            raise ModelOutputInvalid(
                f"{step.agent.agent_type} computed an invalid output: {exc}"[:2000]
            ) from exc
        return ModelResponse(text="", provider=TOOL_PROVIDER, model=""), output

    def render(self, step: StepContext, context: AgentContext) -> RenderedPrompt:
        """The prompt version the run pinned for this agent type (the tenant's, else the shipped one)."""
        if self.prompts is None:
            return step.agent.render(context)
        run, agent_type = step.run, step.agent.agent_type
        pinned = run.prompt_versions.get(agent_type)
        try:
            if (
                pinned is not None
                and agent_type in run.shipped_prompts
                and self.prompts.is_shipped(agent_type, pinned)
            ):
                version = self.prompts.shipped(agent_type, run.tenant_id)  # none was active at start
            elif pinned is not None:
                version = self.prompts.version(run.tenant_id, agent_type, pinned)
            else:
                version = self.prompts.active(run.tenant_id, agent_type)
        except NotFound:  # pinned to a shipped version a newer deployment no longer has
            version = self.prompts.shipped(agent_type, run.tenant_id)
        system, user = self.prompts.render(version, step.agent.prompt_values(context))
        return RenderedPrompt(system=system, user=user, version=version.label)

    def step_call(
        self,
        step: StepContext,
        prompt: RenderedPrompt,
        offline_answer: dict[str, Any] | None,
        context: AgentContext,
    ) -> StepCall:
        """The step's model call: its rendered prompt, its schema, the run's options."""
        options = step.run.options
        request = ModelRequest(
            system=prompt.system,
            prompt=prompt.user,
            phase=step.placement.step.name,
            item=step.item,
            attempt=step.attempt,
            title=step.agent.title,
            schema=step.agent.output_schema(),
            schema_name=step.agent.agent_type,
            agent=step.agent.agent_type,
            prompt_version=prompt.version,
            max_tokens=step.agent.max_output_tokens,
            simulate_failure=options.simulate_failure,
            latency_ms=options.offline.latency_ms,
            list_items=options.offline.list_items,
            offline_answer=offline_answer,
        )
        return StepCall(
            tenant_id=step.run.tenant_id,
            run_id=step.run.run_id,
            correlation_id=step.run.correlation_id,
            template=step.run.template,
            step=step.placement.step.name,
            key=step.key,
            agent_type=step.agent.agent_type,
            complexity=step.agent.complexity_for(context) or step.agent.complexity,
            output_model=step.agent.output_model,
            request=request,
            run_provider=options.provider,
            use_cache=options.use_cache,
            tenant_models=step.run.tenant_models,
        )


def _stored_answer(
    context: AgentContext, prompt: RenderedPrompt, output: BaseModel, source: StepResult
) -> StepAnswer:
    """A step answered by the output ``source`` stored: who produced it, no call, no cost."""
    metadata = source.metadata
    response = ModelResponse(
        text="", provider=metadata.provider, model=metadata.model, offline=metadata.offline, calls=0
    )
    return StepAnswer(
        context, prompt, response, output, reused_from={"run_id": source.run_id, "key": source.key}
    )


def gateway_over(provider_factory: ProviderFactory) -> ModelGateway:
    """A gateway with no tenant settings, cache, budget or circuits: the run's provider (or the
    deployment default the factory gives) answers every step (tests, simple wiring)."""
    from orchestrator.llm.model_settings import DeploymentModels

    return ModelGateway(
        providers=lambda provider, model, tenant_id, use_tenant_key: provider_factory(provider or None),
        deployment=DeploymentModels(provider="", model=None, served=frozenset()),
    )
