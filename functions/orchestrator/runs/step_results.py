"""What an agent step leaves behind: its result (succeeded, rejected, or a failed attempt with no
output), a large output in the workspace, the run's model-call counters, and the event that
tells the bus.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from orchestrator.core import constants, event_batch, operator_metrics
from orchestrator.core.aws_usage import AwsUsage
from orchestrator.core.errors import OrchestratorError
from orchestrator.core.events import new_envelope
from orchestrator.core.ports import EventPublisher, RunRepository, StepResultRepository, Workspace
from orchestrator.core.records import (
    ResultMetadata,
    StepResult,
    StepStatus,
    StepSummary,
    utc_now,
)
from orchestrator.runs.aws_costs import after_the_write
from orchestrator.runs.guards import run_data_prefix
from orchestrator.runs.step_answers import TOOL_PROVIDER, StepAnswer
from orchestrator.runs.step_context import StepContext


class StepRecorder:
    """Stores a step's result and publishes what became of it."""

    def __init__(
        self,
        *,
        runs: RunRepository,
        results: StepResultRepository,
        workspace: Workspace,
        publisher: EventPublisher,
        usage: Callable[[], AwsUsage | None] | None = None,
    ) -> None:
        self.runs = runs
        self.results = results
        self.workspace = workspace
        self.publisher = publisher
        self.usage = usage

    def with_usage(self, result: StepResult, *, then_events: int = 0, then_reads: int = 0) -> StepResult:
        """``result`` carrying its function's AWS requests (this one's write and what follows it
        included), when they are counted; a retried step's with its earlier attempts' (read back
        from the attempt's result, once: a retry is rare, and its requests are the run's too)."""
        if self.usage is None or self.usage() is None:
            return result
        earlier = None
        if result.metadata.attempts > 1:
            stored = self.results.get(result.tenant_id, result.run_id, result.key)
            earlier = stored.aws_usage if stored is not None else None
        so_far = self.usage() or AwsUsage()
        entries = event_batch.pending() + then_events  # held events go out with the last ones
        calls = event_batch.calls_for(entries) if event_batch.is_open() else then_events
        pending = after_the_write(
            result.model_dump(mode="json"), then_events=entries, then_reads=then_reads, event_calls=calls
        )
        return result.model_copy(update={"aws_usage": so_far.plus(pending).plus(earlier)})

    def count_calls(self, step: StepContext) -> None:
        """The run's counters: provider calls (failed attempts and repairs too) and cache hits, once
        (a stored result's sequence write carried them already)."""
        calls, hits = _uncounted(step)
        if calls or hits:
            self.runs.count_model_calls(step.run.tenant_id, step.run.run_id, calls, hits)

    def store(
        self,
        step: StepContext,
        answer: StepAnswer,
        clock: float,
        *,
        status: StepStatus,
        reason: str | None = None,
    ) -> StepResult:
        run, response, output = step.run, answer.response, answer.output
        warnings = _warnings(step, answer)
        data: dict[str, Any] | None = output.model_dump(mode="json")
        data_ref = None
        if len(json.dumps(data)) > constants.MAX_INLINE_RESULT_BYTES:
            data_ref = f"{run_data_prefix(run.tenant_id, run.run_id)}results/{step.key}.json"
            self.workspace.put(
                data_ref, json.dumps(data).encode(), "application/json", {"orchestrator-run": run.run_id}
            )
            data = None
        result = StepResult(
            tenant_id=run.tenant_id,
            run_id=run.run_id,
            step=step.placement.step.name,
            item=step.item,
            status=status,
            data=data,
            data_ref=data_ref,
            summary=step.agent.summary(output)[: constants.MAX_SUMMARY_LENGTH],
            confidence_score=min(1.0, max(0.0, step.agent.confidence(output))),
            processing_time_ms=int((time.perf_counter() - clock) * 1000),
            started_at=step.started_at,
            completed_at=utc_now(),
            sequence=self._next_sequence(step),
            metadata=_metadata(step, answer),
            errors=[f"RunRejected: {reason}"] if reason else [],
            warnings=warnings,
            token_usage=response.usage,
            cost_usd=response.cost_usd,
            reused_from=answer.reused_from,
            prompt_hash=answer.prompt_hash,
            input_hash=answer.input_hash,
        )
        succeeded = status is StepStatus.SUCCEEDED  # then its event, and the fence's read of the run
        result = self.with_usage(result, then_events=int(succeeded), then_reads=int(succeeded))
        self.results.save(result)
        operator_metrics.step_finished(
            tenant_id=run.tenant_id,
            template=run.template,
            run_id=run.run_id,
            step=result.key,
            latency_ms=result.processing_time_ms,
            input_tokens=result.token_usage.input_tokens,
            output_tokens=result.token_usage.output_tokens,
            model_calls=result.metadata.model_calls,
            cache_hit=result.metadata.cache_hit,
            cost_usd=result.cost_usd,
        )
        return result

    def _next_sequence(self, step: StepContext) -> int:
        """The result's place in the run's completion order; the step's model calls and cache hit
        are added to the run's counters by the same write."""
        calls, hits = _uncounted(step)
        return self.runs.next_sequence(
            step.run.tenant_id, step.run.run_id, model_calls=calls, cache_hits=hits
        )

    def publish_completed(self, step: StepContext, result: StepResult) -> None:
        self.publisher.publish(
            new_envelope(
                constants.PHASE_COMPLETED,
                step.run,
                phase=result.key,
                payload={
                    "step": result.step,
                    "item": result.item,
                    "agent": result.metadata.agent,
                    "summary": result.summary,
                    "attempts": result.metadata.attempts,
                    "provider": result.metadata.provider,
                    "model": result.metadata.model,
                    "processing_time_ms": result.processing_time_ms,
                    "tokens": result.token_usage.total_tokens,
                    "cost_usd": result.cost_usd,
                    "reused_from": result.reused_from,
                },
            )
        )

    def record_start(self, step: StepContext) -> None:
        """Show the step RUNNING with this attempt (unless it has finished: a late start never
        overwrites a result) and publish ``PHASE_STARTED`` at once (the attempt's later events
        wait for its end)."""
        self.results.start_attempt(_attempt_result(step, StepStatus.RUNNING))
        self.publisher.publish(
            new_envelope(
                constants.PHASE_STARTED,
                step.run,
                phase=step.key,
                payload={
                    "step": step.placement.step.name,
                    "item": step.item,
                    "agent": step.agent.agent_type,
                    "attempt": step.attempt,
                },
            )
        )
        event_batch.flush()  # watchers see the step start now, not when its attempt ends

    def record_failure(self, step: StepContext, exc: OrchestratorError, elapsed_ms: int) -> None:
        """Keep what went wrong (no output) and tell the bus. An error the state machine retries
        leaves the step RETRYING (``STEP_RETRYING``), any other FAILED (``PHASE_FAILED``)."""
        run, name = step.run, type(exc).__name__
        policy = step.template.retry
        retried = policy.retries(name, step.attempt)
        error = {"name": name, "message": str(exc)[:1000]}
        ended = _attempt_result(step, StepStatus.RETRYING if retried else StepStatus.FAILED).model_copy(
            update={
                "completed_at": None if retried else utc_now(),
                "processing_time_ms": elapsed_ms,
                "errors": [f"{name}: {exc}"[:2000]],
                "last_error": error,
            }
        )
        self.results.end_attempt(self.with_usage(ended, then_events=1))
        payload = {"step": step.placement.step.name, "item": step.item, "attempt": step.attempt}
        payload |= {"error": name, "message": error["message"], "transient": exc.transient}
        if retried:
            payload["max_attempts"] = policy.max_attempts + 1
        operator_metrics.step_failed(
            tenant_id=run.tenant_id, template=run.template, run_id=run.run_id, step=step.key, error=name
        )
        event_type = constants.STEP_RETRYING if retried else constants.PHASE_FAILED
        self.publisher.publish(new_envelope(event_type, run, phase=step.key, payload=payload))


def _uncounted(step: StepContext) -> tuple[int, int]:
    """The step's provider calls and cache hits not yet added to the run's counters (then counted)."""
    if step.calls_counted:
        return 0, 0
    step.calls_counted = True
    return step.tally.calls, 1 if step.outcome is not None and step.outcome.cache_hit else 0


def summarize(result: StepResult) -> StepSummary:
    """What the state machine gets back from a step."""
    return StepSummary(
        step=result.step,
        item=result.item,
        status=result.status,
        summary=result.summary,
        attempts=result.metadata.attempts,
        provider=result.metadata.provider,
    )


def _warnings(step: StepContext, answer: StepAnswer) -> list[str]:
    """Where the output came from when no model wrote it, the gateway's warnings, and the agent's
    corrections and own warnings (at most 20 of those)."""
    warnings = []
    if answer.reused_from is not None:
        source = answer.reused_from
        warnings.append(f"reused from run {source['run_id']} ({source['key']}): no model was called")
    if answer.response.offline:
        warnings.append("produced by the offline provider: deterministic text, not a model's answer")
    if answer.response.provider == TOOL_PROVIDER:
        warnings.append("computed in code by a tool agent: no model was called")
    if step.outcome is not None:
        warnings += step.outcome.warnings
    context = answer.context
    warnings += [*context.corrections, *step.agent.warnings(answer.output, context)][:20]
    return warnings


def _attempt_result(step: StepContext, status: StepStatus) -> StepResult:
    """What is known of an attempt without an answer (running, or failed)."""
    run = step.run
    return StepResult(
        tenant_id=run.tenant_id,
        run_id=run.run_id,
        step=step.placement.step.name,
        item=step.item,
        status=status,
        started_at=step.started_at,
        metadata=ResultMetadata(
            agent=step.agent.agent_type,
            attempts=step.attempt,
            provider=run.options.provider or "default",
            model="",
            prompt_version=step.agent.prompt_version,
            model_calls=step.tally.calls,
        ),
    )


def _metadata(step: StepContext, answer: StepAnswer) -> ResultMetadata:
    outcome, response = step.outcome, answer.response
    return ResultMetadata(
        agent=step.agent.agent_type,
        attempts=step.attempt,
        provider=response.provider,
        model=response.model,
        prompt_version=answer.prompt.version,
        offline=response.offline,
        model_calls=outcome.model_calls if outcome is not None else 0,
        cache_hit=outcome.cache_hit if outcome is not None else False,
        fallback_from=outcome.fallback_from if outcome is not None else None,
        tier=outcome.tier if outcome is not None else None,
    )
