"""Pydantic models of the domain: runs, phase results (standard agent result), events."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from orchestrator.constants import MAX_SUMMARY_LENGTH, MAX_TOPIC_LENGTH

TENANT_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{1,62}$")
"""Tenant ids never contain ``#``, the key delimiter of every table."""

PHASE_NAME_PATTERN = r"^[a-z][a-z0-9_]{1,40}$"


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def validate_tenant_id(tenant_id: str) -> str:
    if not TENANT_ID_PATTERN.match(tenant_id or ""):
        raise ValueError(
            f"tenant id {tenant_id!r} is invalid: use 2-63 lowercase letters, digits, '-' or '_'"
        )
    return tenant_id


class RunStatus(StrEnum):
    PENDING = "PENDING"
    FAILED_TO_START = "FAILED_TO_START"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    COMPENSATING = "COMPENSATING"
    COMPENSATED = "COMPENSATED"
    COMPENSATION_FAILED = "COMPENSATION_FAILED"

    @property
    def is_final(self) -> bool:
        return self in {
            RunStatus.SUCCEEDED,
            RunStatus.COMPENSATED,
            RunStatus.COMPENSATION_FAILED,
            RunStatus.FAILED_TO_START,
        }


class PhaseStatus(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    COMPENSATED = "COMPENSATED"


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SimulatedFailure(StrictModel):
    """Ask the offline provider to fail a named phase (to see Retry and compensation work)."""

    phase: str = Field(pattern=PHASE_NAME_PATTERN, description="phase that fails")
    times: int | None = Field(
        default=None,
        ge=1,
        le=100,
        description="how many attempts fail before one succeeds; omitted = every attempt",
    )
    error: Literal["SimulatedPhaseFailure", "ProviderThrottled", "ProviderUnavailable", "ProviderTimeout"] = (
        Field(
            default="SimulatedPhaseFailure",
            description="error name raised: SimulatedPhaseFailure is permanent, the others are transient",
        )
    )


class RunOptions(StrictModel):
    provider: str | None = Field(
        default=None, description="model provider for this run (default: the deployment's)"
    )
    simulate_failure: SimulatedFailure | None = None


class RunRequest(StrictModel):
    """Body of ``POST /runs`` and detail of an ``OrchestrationRequested`` event."""

    template: str = Field(default="generic", min_length=1, max_length=64)
    topic: str = Field(min_length=1, max_length=MAX_TOPIC_LENGTH)
    options: RunOptions = Field(default_factory=RunOptions)

    @field_validator("topic")
    @classmethod
    def _topic_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("topic must not be blank")
        return value.strip()


class Run(BaseModel):
    tenant_id: str
    run_id: str
    template: str
    topic: str
    status: RunStatus = RunStatus.PENDING
    options: RunOptions = Field(default_factory=RunOptions)
    correlation_id: str
    created_by: str | None = None
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    execution_arn: str | None = None
    failed_phase: str | None = None
    error: dict[str, str] | None = None
    compensation_error: dict[str, str] | None = None
    compensated_phases: list[str] = Field(default_factory=list)


class TokenUsage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class ResultMetadata(BaseModel):
    agent: str
    attempts: int
    provider: str
    model: str
    prompt_version: str
    offline: bool = False


class PhaseResult(BaseModel):
    """The standard agent result, one per phase of a run."""

    tenant_id: str
    run_id: str
    phase: str
    status: PhaseStatus
    data: dict[str, Any] | None = None
    summary: str = ""
    confidence_score: float = Field(default=0.0, ge=0.0, le=1.0)
    processing_time_ms: int = 0
    started_at: datetime
    completed_at: datetime
    compensated_at: datetime | None = None
    metadata: ResultMetadata
    errors: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    token_usage: TokenUsage = Field(default_factory=TokenUsage)
    cost_usd: float = 0.0


class PhaseOutput(StrictModel):
    """The structured answer every phase asks its model for."""

    summary: str = Field(min_length=1, max_length=MAX_SUMMARY_LENGTH)
    deliverables: list[str] = Field(min_length=1, max_length=20)
    risks: list[str] = Field(default_factory=list, max_length=20)
    confidence: float = Field(ge=0.0, le=1.0)


class EventEnvelope(BaseModel):
    """Every event on the bus carries this envelope as its detail."""

    event_id: str = Field(default_factory=new_id)
    event_type: str
    correlation_id: str
    tenant_id: str
    run_id: str
    phase: str | None = None
    timestamp: datetime = Field(default_factory=utc_now)
    payload: dict[str, Any] = Field(default_factory=dict)


class IdempotencyRecord(BaseModel):
    """Which run an ``Idempotency-Key`` of a tenant stands for, and what request made it."""

    tenant_id: str
    key: str
    run_id: str
    request_hash: str
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: int  # epoch seconds (DynamoDB TTL)


# --- state machine payloads (small, references only) ------------------------------------
class RunReference(BaseModel):
    """What every task of a run's state machine receives: references, never model outputs."""

    model_config = ConfigDict(extra="ignore")

    tenant_id: str
    run_id: str
    correlation_id: str
    template: str

    @field_validator("tenant_id")
    @classmethod
    def _valid_tenant(cls, value: str) -> str:
        return validate_tenant_id(value)


class PhaseTaskInput(RunReference):
    phase: str


class RunStatusTaskInput(RunReference):
    status: RunStatus
    execution_arn: str | None = None
    failed_phase: str | None = None
    error: dict[str, Any] | None = None


class EndedExecution(RunReference):
    """An execution of a run's state machine that ended without recording its outcome."""

    status: Literal["FAILED", "TIMED_OUT", "ABORTED"]
    error: str | None = None
    cause: str | None = None


class PhaseSummary(BaseModel):
    """What a phase task returns into the state: status and a short summary only."""

    phase: str
    status: PhaseStatus
    summary: str
    attempts: int
    provider: str
