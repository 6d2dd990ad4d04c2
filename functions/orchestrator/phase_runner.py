"""Running one phase of a run (template method).

``load context -> render prompt -> call model -> validate -> store -> publish``; each step
is a method a specialised agent may override. Failures raise domain errors whose names the
state machine's Retry and Catch match; a failed attempt is recorded (no output kept).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from orchestrator import constants
from orchestrator.errors import ModelOutputInvalid, OrchestratorError
from orchestrator.events import EventPublisher
from orchestrator.models import (
    EventEnvelope,
    PhaseOutput,
    PhaseResult,
    PhaseStatus,
    PhaseSummary,
    PhaseTaskInput,
    ResultMetadata,
    Run,
    utc_now,
)
from orchestrator.prompts import RenderedPrompt, render_prompt
from orchestrator.providers import ModelProvider, ModelRequest, ModelResponse
from orchestrator.repositories import PhaseResultRepository, RunRepository
from orchestrator.templates import PhaseDeclaration, Template, get_template

ProviderFactory = Callable[[str | None], ModelProvider]
"""Returns the provider for a run's option (None = the deployment's default)."""


@dataclass
class PhaseContext:
    run: Run
    template: Template
    declaration: PhaseDeclaration
    attempt: int
    earlier: list[tuple[str, str]]
    started_at: datetime


class PhaseRunner:
    def __init__(
        self,
        *,
        runs: RunRepository,
        results: PhaseResultRepository,
        publisher: EventPublisher,
        provider_factory: ProviderFactory,
    ) -> None:
        self.runs = runs
        self.results = results
        self.publisher = publisher
        self.provider_factory = provider_factory

    # --- the template method --------------------------------------------------------
    def run(self, task: PhaseTaskInput) -> PhaseSummary:
        context = self.load_context(task)
        clock_start = time.perf_counter()
        try:
            prompt = self.render(context)
            provider = self.provider_factory(context.run.options.provider)
            response = self.call_model(provider, prompt, context)
            output = self.validate(response)
        except OrchestratorError as exc:
            self.record_failure(context, exc, int((time.perf_counter() - clock_start) * 1000))
            raise
        elapsed_ms = int((time.perf_counter() - clock_start) * 1000)
        result = self.store(context, prompt, response, output, elapsed_ms)
        self.publish_completed(context, result)
        return PhaseSummary(
            phase=result.phase,
            status=result.status,
            summary=result.summary,
            attempts=result.metadata.attempts,
            provider=result.metadata.provider,
        )

    # --- steps ----------------------------------------------------------------------
    def load_context(self, task: PhaseTaskInput) -> PhaseContext:
        run = self.runs.get(task.tenant_id, task.run_id)
        template = get_template(run.template)
        declaration = template.phase(task.phase)
        attempt = self.results.next_attempt(task.tenant_id, task.run_id, task.phase)
        earlier_names = [phase.name for phase in template.phases_before(task.phase)]
        done = {
            result.phase: result.summary
            for result in self.results.list_for_run(task.tenant_id, task.run_id)
            if result.status is PhaseStatus.SUCCEEDED
        }
        earlier = [(name, done[name]) for name in earlier_names if name in done]
        return PhaseContext(run, template, declaration, attempt, earlier, utc_now())

    def render(self, context: PhaseContext) -> RenderedPrompt:
        return render_prompt(
            phase=context.declaration.name,
            title=context.declaration.title,
            goal=context.declaration.goal,
            topic=context.run.topic,
            position=context.template.phase_names.index(context.declaration.name) + 1,
            total=len(context.template.phases),
            earlier=context.earlier,
        )

    def call_model(
        self, provider: ModelProvider, prompt: RenderedPrompt, context: PhaseContext
    ) -> ModelResponse:
        return provider.complete(
            ModelRequest(
                system=prompt.system,
                prompt=prompt.user,
                phase=context.declaration.name,
                attempt=context.attempt,
                simulate_failure=context.run.options.simulate_failure,
            )
        )

    def validate(self, response: ModelResponse) -> PhaseOutput:
        text = response.text.strip()
        start, end = text.find("{"), text.rfind("}")
        if start < 0 or end <= start:
            raise ModelOutputInvalid(f"{response.provider} answered without a JSON object: {text[:200]!r}")
        try:
            return PhaseOutput.model_validate(json.loads(text[start : end + 1]))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise ModelOutputInvalid(
                f"{response.provider} answer does not match the phase schema: {exc}"
            ) from exc

    def store(
        self,
        context: PhaseContext,
        prompt: RenderedPrompt,
        response: ModelResponse,
        output: PhaseOutput,
        elapsed_ms: int,
    ) -> PhaseResult:
        warnings = []
        if response.offline:
            warnings.append("produced by the offline provider: deterministic text, not a model's answer")
        result = PhaseResult(
            tenant_id=context.run.tenant_id,
            run_id=context.run.run_id,
            phase=context.declaration.name,
            status=PhaseStatus.SUCCEEDED,
            data=output.model_dump(),
            summary=output.summary,
            confidence_score=output.confidence,
            processing_time_ms=elapsed_ms,
            started_at=context.started_at,
            completed_at=utc_now(),
            metadata=ResultMetadata(
                agent=context.declaration.agent,
                attempts=context.attempt,
                provider=response.provider,
                model=response.model,
                prompt_version=prompt.version,
                offline=response.offline,
            ),
            warnings=warnings,
            token_usage=response.usage,
            cost_usd=response.cost_usd,
        )
        self.results.save(result)
        return result

    def publish_completed(self, context: PhaseContext, result: PhaseResult) -> None:
        self.publisher.publish(
            EventEnvelope(
                event_type=constants.PHASE_COMPLETED,
                correlation_id=context.run.correlation_id,
                tenant_id=context.run.tenant_id,
                run_id=context.run.run_id,
                phase=result.phase,
                payload={
                    "summary": result.summary,
                    "attempts": result.metadata.attempts,
                    "provider": result.metadata.provider,
                    "model": result.metadata.model,
                    "processing_time_ms": result.processing_time_ms,
                    "tokens": result.token_usage.total_tokens,
                    "cost_usd": result.cost_usd,
                },
            )
        )

    def record_failure(self, context: PhaseContext, exc: OrchestratorError, elapsed_ms: int) -> None:
        """Keep what went wrong (no output) and tell the bus; the state machine decides what follows."""
        now = utc_now()
        self.results.save(
            PhaseResult(
                tenant_id=context.run.tenant_id,
                run_id=context.run.run_id,
                phase=context.declaration.name,
                status=PhaseStatus.FAILED,
                started_at=context.started_at,
                completed_at=now,
                processing_time_ms=elapsed_ms,
                metadata=ResultMetadata(
                    agent=context.declaration.agent,
                    attempts=context.attempt,
                    provider=context.run.options.provider or "default",
                    model="",
                    prompt_version="",
                ),
                errors=[f"{type(exc).__name__}: {exc}"],
            )
        )
        self.publisher.publish(
            EventEnvelope(
                event_type=constants.PHASE_FAILED,
                correlation_id=context.run.correlation_id,
                tenant_id=context.run.tenant_id,
                run_id=context.run.run_id,
                phase=context.declaration.name,
                payload={
                    "attempt": context.attempt,
                    "error": type(exc).__name__,
                    "message": str(exc),
                    "transient": exc.transient,
                },
            )
        )
