"""Pydantic models of the domain: runs, phase results (standard agent result), events.

Every function imports this module while it starts, so its annotations are evaluated as the
classes are made (no ``from __future__ import annotations``; the few references to a class not
yet defined are quoted): pydantic then reads each field's type as it is, instead of compiling
and evaluating ~170 annotation strings, ~2% of ``import boto3`` in every cold start
(``bench/handler_imports.py``).
"""

import re
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
    field_validator,
    model_validator,
)

from orchestrator.core.aws_usage import AwsUsage
from orchestrator.core.constants import MAX_MAP_CONCURRENCY, MAX_SUMMARY_LENGTH, MAX_TOPIC_LENGTH

TENANT_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{1,62}$")
"""Tenant ids never contain ``#``, the key delimiter of every table."""

STEP_NAME_PATTERN = r"^[a-z][a-z0-9_]{1,40}$"


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def validate_tenant_id(tenant_id: str) -> str:
    if not TENANT_ID_PATTERN.fullmatch(tenant_id or ""):
        raise ValueError(
            f"tenant id {tenant_id!r} is invalid: use 2-63 lowercase letters, digits, '-' or '_'"
        )
    return tenant_id


class RunStatus(StrEnum):
    QUEUED = "QUEUED"  # waits for one of its tenant's concurrent-run slots
    PENDING = "PENDING"
    FAILED_TO_START = "FAILED_TO_START"
    RUNNING = "RUNNING"
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    SUCCEEDED = "SUCCEEDED"
    COMPENSATING = "COMPENSATING"
    COMPENSATED = "COMPENSATED"
    COMPENSATION_FAILED = "COMPENSATION_FAILED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"

    @property
    def is_final(self) -> bool:
        return self in FINAL_RUN_STATUSES

    @property
    def is_active(self) -> bool:
        """Still moving forward: a cancel or an approval decision applies."""
        return self in {RunStatus.QUEUED, RunStatus.PENDING, RunStatus.RUNNING, RunStatus.AWAITING_APPROVAL}


FINAL_RUN_STATUSES = frozenset(
    {
        RunStatus.SUCCEEDED,
        RunStatus.COMPENSATED,
        RunStatus.COMPENSATION_FAILED,
        RunStatus.FAILED_TO_START,
        RunStatus.REJECTED,
        RunStatus.CANCELLED,
    }
)


class StepStatus(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    COMPENSATED = "COMPENSATED"
    WAITING = "WAITING"  # an approval gate waiting for a decision
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"  # an agent or a person refused: the run is rejected
    RUNNING = "RUNNING"  # an attempt of the step's function is running
    RETRYING = "RETRYING"  # an attempt failed with an error the state machine retries: the next one is due

    @property
    def is_live(self) -> bool:
        """Still moving: an attempt runs, is due, or failed (a later attempt may still run)."""
        return self in LIVE_STEP_STATUSES


LIVE_STEP_STATUSES = frozenset({StepStatus.RUNNING, StepStatus.RETRYING, StepStatus.FAILED})
"""What a new attempt's writes may overwrite: never a finished step (succeeded, rejected, undone,
a gate)."""


class DomainModel(BaseModel):
    """Base of the domain's models: a model's validator and serializer are built the first time
    it is used (pydantic's ``defer_build``), not when its module is imported. A function then
    builds the models its invocations use, not every model of every module it imports."""

    model_config = ConfigDict(defer_build=True)


class StrictModel(DomainModel):
    model_config = ConfigDict(extra="forbid")


def json_integer(value: Any) -> Any:
    """A JSON integer: ``3`` or ``3.0`` (JSON Schema's ``integer``), never ``true`` or ``"3"``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class RequestModel(DomainModel):
    """A request body from outside: unknown fields refused, and no type coercion (``false`` is
    not the integer 0, ``"5"`` is not 5): what the JSON schema says is what is accepted."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _integral_floats_are_integers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields[info.field_name] if info.field_name else None
        if field is not None and field.annotation in (int, int | None):
            return json_integer(value)
        return value


class SimulatedFailure(RequestModel):
    """Ask the offline provider to fail a named step (to see Retry and compensation work)."""

    step: str = Field(pattern=STEP_NAME_PATTERN, description="agent step that fails")
    item: int | None = Field(
        default=None, ge=0, description="inside a map: only this item (0-based) fails; omitted = every item"
    )
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


class OfflineOptions(RequestModel):
    """How the offline provider behaves for this run (demos, tests, benchmarks)."""

    latency_ms: int = Field(default=0, ge=0, le=10_000, description="simulated model latency per call")
    list_items: int | None = Field(
        default=None,
        ge=1,
        le=50,
        description="length of the lists it produces (within each schema's bounds), e.g. a planner's tasks",
    )


ProviderName = Literal["offline", "anthropic", "openai", "openai_compatible", "bedrock", "replay"]


class RunOptions(RequestModel):
    provider: ProviderName | None = Field(
        default=None, description="model provider for this run (default: the deployment's)"
    )
    simulate_failure: SimulatedFailure | None = None
    offline: OfflineOptions = Field(default_factory=OfflineOptions)
    max_concurrency: int | None = Field(
        default=None,
        ge=1,
        le=MAX_MAP_CONCURRENCY,
        description="lowers every map's bound for this run (never raises the template's)",
    )
    approval_timeout_seconds: int | None = Field(
        default=None,
        ge=1,
        le=7 * 24 * 3600,
        description="shortens every approval gate's decision window for this run (never lengthens it)",
    )
    use_cache: bool = Field(
        default=True,
        description="answer steps from the tenant's response cache when an identical request was answered",
    )


class RunRequest(RequestModel):
    """Body of ``POST /runs`` and detail of an ``OrchestrationRequested`` event."""

    template: str = Field(
        default="generic",
        min_length=1,
        max_length=64,
        description="the template to run (GET /templates lists them); absent: 'generic'",
    )
    topic: str = Field(
        min_length=1,
        max_length=MAX_TOPIC_LENGTH,
        pattern=r"\S",  # not blank: the document says so, not only the validator below
        description="what the run is about (at least one character that is not white space)",
    )
    inputs: dict[str, Any] = Field(
        default_factory=dict,
        description="what the template takes besides the topic (GET /templates lists each template's inputs)",
    )
    options: RunOptions = Field(default_factory=RunOptions)

    @field_validator("topic")
    @classmethod
    def _topic_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("topic must not be blank")
        return value.strip()


class RunFilter(RequestModel):
    """Which of a tenant's runs a bulk operation acts on: every field given must hold."""

    template: str | None = Field(
        default=None, min_length=1, max_length=64, description="only runs of this template"
    )
    status: list[Annotated[RunStatus, Strict(False)]] | None = Field(  # a status is its name in JSON
        default=None,
        min_length=1,
        max_length=len(RunStatus),
        description="only runs in one of these statuses (absent: every status the operation applies to)",
    )
    started_after: datetime | None = Field(
        default=None,
        strict=False,
        description="only runs requested at or after this instant (ISO 8601): the time their run id "
        "carries (their created_at, to the millisecond; for a run an event requested, the event's time)",
    )
    started_before: datetime | None = Field(
        default=None, strict=False, description="only runs requested before this instant (ISO 8601)"
    )

    @field_validator("started_after", "started_before", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        """An instant is ISO 8601 text in JSON (no number of seconds)."""
        if value is not None and not isinstance(value, str | datetime):
            raise ValueError("expected an ISO 8601 date and time, e.g. 2026-12-01T10:00:00Z")
        return value

    @field_validator("started_after", "started_before")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """An instant without a time zone is taken as UTC."""
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value

    def matches(self, run: "Run") -> bool:
        """The run fits the template and statuses (the time range is the query's key condition)."""
        return (self.template is None or run.template == self.template) and (
            self.status is None or run.status in self.status
        )


class PendingApproval(DomainModel):
    """What a run waits for at an approval gate (the task token is never part of it)."""

    step: str
    title: str
    roles: list[str]
    requested_at: datetime
    timeout_at: datetime  # the current deadline (after an escalation: the escalation's)
    question: str = ""
    on_deadline: str = "undo"  # what happens at timeout_at: undo, escalate, approve or reject
    remind_at: datetime | None = None  # when the deciders are reminded (none: no reminder)
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None  # since then only ``roles`` (the escalation's) may decide


class Run(DomainModel):
    tenant_id: str
    run_id: str
    template: str
    topic: str
    status: RunStatus = RunStatus.PENDING
    inputs: dict[str, Any] = Field(default_factory=dict)
    options: RunOptions = Field(default_factory=RunOptions)
    correlation_id: str
    created_by: str | None = None
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    queued_at: datetime | None = None  # it waited for a slot from then (its tenant's runs were at the limit)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    execution_arn: str | None = None
    failed_step: str | None = None
    error: dict[str, str] | None = None
    compensation_error: dict[str, str] | None = None
    compensated_steps: list[str] = Field(default_factory=list)
    awaiting: PendingApproval | None = None
    cancel_requested_at: datetime | None = None
    cancel_requested_by: str | None = None
    prompt_versions: dict[str, int] = Field(default_factory=dict)  # agent type -> version pinned at start
    shipped_prompts: list[str] = Field(default_factory=list)
    """The agent types whose pinned version is the shipped prompt (none activated at start): their
    steps render it without reading the prompt store."""
    tenant_models: dict[str, Any] | None = None
    """The tenant's model settings when the run started (``{}``: none), what every step resolves its
    model from; None (a run started before runs kept them): each step reads the current ones."""
    estimated_cost_usd: float | None = None  # what the run was estimated to cost when it started
    model_calls: int = 0  # provider calls made (repairs and failed attempts included; cache hits not)
    cache_hits: int = 0  # steps answered from the tenant's response cache
    resumed_from: str | None = None  # the run this one resumes (its results before the resume point reused)
    resumed_by: list[str] = Field(default_factory=list)  # the runs that resumed this one
    from_step: str | None = None  # where a resumed run starts to run anew
    reused_steps: list[str] = Field(default_factory=list)
    """A resumed run's reuse plan: the result keys it copies from ``resumed_from`` (no model call);
    a replay's: the result keys expected to be reused (each step decides when it runs)."""
    replayed_from: str | None = None  # the run this one replays (each step with an unchanged prompt reused)
    replayed_by: list[str] = Field(default_factory=list)  # the runs that replay this one
    aws_usage: AwsUsage | None = None
    """The AWS requests of starting the run and of its status tasks (``orchestrator.runs.aws_costs``)."""


class TokenUsage(DomainModel):
    """Tokens of one call (or a sum of calls), normalised across providers.

    ``input_tokens`` are billed at the full input price; ``cached_input_tokens`` were read from
    the provider's prompt cache (cheaper); ``cache_write_tokens`` were written to it (Anthropic,
    Bedrock: dearer than plain input). The three never overlap."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0

    @property
    def total_input_tokens(self) -> int:
        return self.input_tokens + self.cached_input_tokens + self.cache_write_tokens

    @property
    def total_tokens(self) -> int:
        return self.total_input_tokens + self.output_tokens

    def __add__(self, other: "TokenUsage") -> "TokenUsage":
        return TokenUsage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cached_input_tokens=self.cached_input_tokens + other.cached_input_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
        )


class ResultMetadata(DomainModel):
    agent: str
    attempts: int
    provider: str
    model: str
    prompt_version: str
    offline: bool = False
    model_calls: int = 0  # provider calls this attempt made (a repair is a second call; a cache hit none)
    cache_hit: bool = False  # the answer came from the tenant's response cache
    fallback_from: str | None = None  # the provider whose open circuit sent this step to a fallback
    tier: str | None = None  # the routing tier that chose the model (small / large)


def result_key(step: str, item: int | None = None) -> str:
    """Key of a step's result: ``step``, or ``step#item`` for an item of a map (``execute#0003``)."""
    return step if item is None else f"{step}#{item:04d}"


class StepResult(DomainModel):
    """The standard agent result, one per step of a run (and per item of a map)."""

    tenant_id: str
    run_id: str
    step: str
    item: int | None = None
    status: StepStatus
    data: dict[str, Any] | None = None
    data_ref: str | None = None  # workspace key of an output too large to keep inline
    summary: str = ""
    confidence_score: float = Field(default=0.0, ge=0.0, le=1.0)
    processing_time_ms: int = 0
    started_at: datetime  # when the latest attempt started
    completed_at: datetime | None = None  # None while an attempt runs or the next one is due
    compensated_at: datetime | None = None
    sequence: int | None = None  # the run-wide completion order (compensation undoes in reverse)
    metadata: ResultMetadata
    errors: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    token_usage: TokenUsage = Field(default_factory=TokenUsage)
    cost_usd: float = 0.0
    decision: dict[str, Any] | None = None  # approval gates: who decided what, and why
    last_error: dict[str, str] | None = None  # the latest failed attempt's error: ``{name, message}``
    reused_from: dict[str, str] | None = None  # ``{run_id, key}``: the result a resumed run copied
    prompt_hash: str | None = None
    """SHA-256 of the request that produced the output (provider, model, prompt version, system and
    user text, schema, parameters): a replay reuses the output when its step asks the same."""
    input_hash: str | None = None
    """SHA-256 of what the agent read (topic, inputs, earlier outputs, its item, its facts)."""
    undone_data: dict[str, Any] | None = None
    """The output an undone step had produced (kept out of every view), so that a resumed run can reuse it."""
    aws_usage: AwsUsage | None = None  # the AWS requests of the step's function (every attempt)

    @property
    def key(self) -> str:
        return result_key(self.step, self.item)


class PhaseOutput(StrictModel):
    """The structured answer of the generic agents."""

    summary: str = Field(min_length=1, max_length=MAX_SUMMARY_LENGTH)
    deliverables: list[str] = Field(min_length=1, max_length=20)
    risks: list[str] = Field(default_factory=list, max_length=20)
    confidence: float = Field(ge=0.0, le=1.0)


class CommandStatus(StrEnum):
    STARTED = "STARTED"  # written before execution: the outcome is not known yet
    COMPLETED = "COMPLETED"
    UNDONE = "UNDONE"


class CommandRecord(DomainModel):
    """One side effect of a step in the run's command log (written before and after it runs)."""

    tenant_id: str
    run_id: str
    command_id: str  # <result key>#<index>
    result_key: str
    kind: str
    params: dict[str, Any]
    fingerprint: str
    status: CommandStatus
    started_at: datetime
    completed_at: datetime | None = None
    undone_at: datetime | None = None
    sequence: int | None = None
    outcome: dict[str, Any] = Field(default_factory=dict)  # what undo needs (e.g. the version written)
    undo_outcome: dict[str, Any] = Field(default_factory=dict)


class EventEnvelope(DomainModel):
    """Every event on the bus carries this envelope as its detail."""

    event_id: str = Field(default_factory=new_id)
    event_type: str
    correlation_id: str
    tenant_id: str
    run_id: str
    phase: str | None = None
    timestamp: datetime = Field(default_factory=utc_now)
    payload: dict[str, Any] = Field(default_factory=dict)


class Connection(DomainModel):
    """A client's WebSocket connection: whose it is and which runs' events it receives
    (``ALL_RUNS``: every run of its tenant)."""

    tenant_id: str
    connection_id: str
    subject: str
    role: str
    subscriptions: frozenset[str] = frozenset()
    connected_at: datetime = Field(default_factory=utc_now)
    expires_at: int  # epoch seconds (DynamoDB TTL)


ALL_RUNS = "*"  # a subscription to every run of the connection's tenant


class IdempotencyRecord(DomainModel):
    """Which run an ``Idempotency-Key`` of a tenant stands for, and what request made it."""

    tenant_id: str
    key: str
    run_id: str
    request_hash: str
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: int  # epoch seconds (DynamoDB TTL)


# --- state machine payloads (small, references only) ------------------------------------
class RunReference(DomainModel):
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


class StepTaskInput(RunReference):
    """An agent task: which step (and map item) of the run to run or undo, and which retry of the
    state this attempt is (``$$.State.RetryCount``: 0 on the first attempt; None when not given)."""

    step: str
    item: int | None = None
    retry_count: int | None = Field(default=None, ge=0)


GateAction = Literal["open", "remind", "escalate", "decide_by_default"]


class ApprovalTaskInput(RunReference):
    """A gate's task: open it, re-arm it (reminder, escalation) with a new token, or take its
    default decision at the deadline (no token: nobody is waited for)."""

    step: str
    action: GateAction = "open"
    task_token: str | None = Field(default=None, repr=False)

    @model_validator(mode="after")
    def _token_when_waiting(self) -> "ApprovalTaskInput":
        if (self.task_token is None) != (self.action == "decide_by_default"):
            raise ValueError(f"a gate's {self.action!r} task needs a task token exactly when it waits")
        return self


class RunStatusTaskInput(RunReference):
    status: RunStatus
    execution_arn: str | None = None
    failed_step: str | None = None
    error: dict[str, Any] | None = None


class EndedExecution(RunReference):
    """An execution of a run's state machine that ended (SUCCEEDED: as recorded; otherwise perhaps
    without recording its outcome)."""

    status: Literal["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
    error: str | None = None
    cause: str | None = None


class StepSummary(DomainModel):
    """What an agent task returns into the state: status and a short summary only."""

    step: str
    item: int | None = None
    status: StepStatus
    summary: str
    attempts: int
    provider: str
