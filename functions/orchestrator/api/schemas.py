"""What the HTTP API answers, as models: the served OpenAPI document declares every status code a
route can answer and the schema of each body.

The API function makes these classes while it starts: their annotations are types, evaluated as
the classes are made, not strings pydantic compiles and evaluates (``orchestrator.core.records``).
"""

from datetime import datetime
from http import HTTPStatus
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from orchestrator.core.aws_usage import AwsUsage


class ErrorDetail(BaseModel):
    location: str
    message: str
    type: str = ""


class ErrorBody(BaseModel):
    """Every error: a name, a message; validation errors add one entry per field."""

    model_config = ConfigDict(extra="allow")  # API Gateway's own answers (401, 429) carry other keys

    error: str | None = None
    message: str
    details: list[ErrorDetail] | None = None


class Health(BaseModel):
    status: Literal["ok"]


class TemplateList(BaseModel):
    templates: list[dict[str, Any]]


def _queue_position() -> Any:
    return Field(
        default=None,
        ge=1,
        description="only while the run is QUEUED: its place in its tenant's queue (1: starts next)",
    )


_LINKS: dict[str, JsonValue] = {
    "self": "/runs/01kbz3q9v6x8m2n4p5r7s9t1vw",
    "events": "/runs/01kbz3q9v6x8m2n4p5r7s9t1vw/events",
}


_ACCEPTED: dict[str, JsonValue] = {
    "run_id": "01kbz3q9v6x8m2n4p5r7s9t1vw",
    "status": "PENDING",
    "template": "generic",
    "correlation_id": "3f1c2a9e",
    "links": _LINKS,
}


class RunAccepted(BaseModel):
    """The run is accepted: ``PENDING`` (starting now) or, past the tenant's concurrent-run limit,
    ``QUEUED`` with its ``queue_position``: it starts when a slot frees, oldest first."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [_ACCEPTED, _ACCEPTED | {"status": "QUEUED", "queue_position": 2}]}
    )

    run_id: str
    status: str = Field(description="PENDING, or QUEUED past the tenant's concurrent-run limit")
    template: str
    correlation_id: str
    links: dict[str, str]
    queue_position: int | None = _queue_position()


class RunListItem(BaseModel):
    run_id: str
    template: str
    topic: str
    status: str
    created_at: datetime
    finished_at: datetime | None = None
    queue_position: int | None = _queue_position()


class RunList(BaseModel):
    runs: list[RunListItem]
    next_cursor: str | None = None


class StepEstimateView(BaseModel):
    step: str
    agent: str
    provider: str
    model: str | None = None
    tier: str = Field(description="the routing tier that chose the model (small / large)")
    calls: int = Field(description="model calls estimated (a map's steps: one per estimated item)")
    cost_usd: float


class ResumeAccepted(RunAccepted):
    """A new run that resumes an earlier one: it reuses the stored results of ``reused_steps`` (no
    model call) and runs ``from_step`` and everything after it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                _ACCEPTED
                | {
                    "resumed_from": "01kbz2a1b2c3d4e5f6g7h8j9kq",
                    "from_step": "development",
                    "reused_steps": ["ideation", "research", "design"],
                    "estimated_cost_usd": 0.0,
                    "estimate": [],
                }
            ]
        }
    )

    resumed_from: str = Field(description="the run it resumes (that run now lists it in resumed_by)")
    from_step: str
    reused_steps: list[str] = Field(description="the result keys it copies (``step`` or ``step#item``)")
    estimated_cost_usd: float | None = Field(
        default=None, description="what the steps it will run are estimated to cost (null: no estimate)"
    )
    estimate: list[StepEstimateView] = Field(default_factory=list, description="per step to run")


class ReplayAccepted(RunAccepted):
    """A new run that replays a finished one with its answers frozen: each step whose rendered
    request is unchanged reuses the recorded answer (no model call); the others call the model."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                _ACCEPTED
                | {
                    "replayed_from": "01kbz2a1b2c3d4e5f6g7h8j9kq",
                    "reused_steps": ["ideation", "research"],
                    "model_steps": ["design"],
                    "dependent_steps": ["development", "execution", "review", "deployment"],
                    "estimated_cost_usd": 0.0,
                    "estimate": [],
                }
            ]
        }
    )

    replayed_from: str = Field(description="the run it replays (that run now lists it in replayed_by)")
    reused_steps: list[str] = Field(
        description="result keys (``step`` or ``step#item``) whose request nothing changes: reused"
    )
    model_steps: list[str] = Field(
        description="steps that will call the model: their prompt version or provider changed, or "
        "the run has no reusable answer for them"
    )
    dependent_steps: list[str] = Field(
        description="steps that read the changed inputs or an answer that may change: each calls the "
        "model only if its rendered request comes out different"
    )
    estimated_cost_usd: float | None = Field(
        default=None, description="what the steps that may call a model are estimated to cost"
    )
    estimate: list[StepEstimateView] = Field(default_factory=list, description="per step that may run")


class StepPair(BaseModel):
    """One value of a step in each run (null where the run has no such step)."""

    a: Any = None
    b: Any = None


class StepDiff(BaseModel):
    """One step (or map item) of either run: what changed from ``a`` to ``b``."""

    model_config = ConfigDict(extra="allow")

    key: str = Field(description="``step``, or ``step#item`` inside a map")
    step: str
    item: int | None = None
    agent: str
    changed: bool
    changes: list[str] = Field(
        description="what differs: status, prompt_version, input (what the step read), prompt (what "
        "it asked the model), output; presence when only one run has the step"
    )
    only_in: Literal["a", "b"] | None = None
    input_changed: bool | None = Field(default=None, description="null: a side kept no digest")
    prompt_changed: bool | None = None
    output_changed: bool | None = None
    output_fields: list[str] = Field(default_factory=list, description="top-level output fields that differ")
    reused_from_a: bool = Field(default=False, description="b copied a's answer (no model call)")
    status: StepPair
    prompt_version: StepPair
    confidence: StepPair
    tokens: StepPair
    cost_usd: StepPair


class RunDiff(BaseModel):
    """Two runs of the tenant compared step by step (typically a replay and the run it replays)."""

    a: dict[str, Any] = Field(description="run a: run_id, template, status, prompt versions, tokens, cost")
    b: dict[str, Any]
    same_template: bool
    changed_steps: list[str]
    unchanged_steps: list[str]
    steps: list[StepDiff]


class RunLineage(BaseModel):
    """Where each result of a run came from, and the runs a resumed run came from (nearest first)."""

    model_config = ConfigDict(extra="allow")

    run_id: str
    template: str
    status: str
    resumed_from: str | None = None
    resumed_by: list[str] = Field(default_factory=list)
    chain: list[dict[str, Any]] = Field(description="the runs it came from: run_id, status, from_step")
    steps: list[dict[str, Any]] = Field(
        description="per result: key, source (model, cache, reused, code, person), prompt_version, "
        "provider, model, fallback_from, tokens, cost_usd, reused_from, commands (command_id, kind, "
        "status, sequence, object: the key and version_id it wrote, outcome), events (event_id, "
        "event_type, timestamp) and, when reused, its origin"
    )


class InfrastructureCost(BaseModel):
    """What a run's AWS requests cost (model tokens apart), from its functions' own counts."""

    by_service_usd: dict[str, float] = Field(
        description="USD by service (lambda, stepfunctions, dynamodb, ...)"
    )
    counted: AwsUsage = Field(description="requests the run's functions counted themselves")
    estimated: dict[str, Any] = Field(
        description="what no function sees, estimated: state transitions, the bus consumers' work"
    )


class RunView(BaseModel):
    """A run with its step graph (each step and map item with status, attempts, timings, model, cost)."""

    model_config = ConfigDict(extra="allow")

    run_id: str
    status: str
    template: str
    topic: str
    steps: list[dict[str, Any]]
    infrastructure_cost_usd: float = Field(
        description="what the run's AWS requests cost so far, in USD at list prices (model tokens apart)"
    )
    infrastructure_cost: InfrastructureCost
    queued_at: datetime | None = Field(default=None, description="when it was queued (past the limit)")
    queue_position: int | None = _queue_position()


class ApprovalAnswer(BaseModel):
    run_id: str
    status: str
    decision: Literal["approve", "reject"]


class CancelAnswer(BaseModel):
    run_id: str
    status: str
    cancel_requested: bool


class BulkRunOutcome(BaseModel):
    """What a bulk operation did (or, dry, would do) to one run."""

    model_config = ConfigDict(extra="allow")

    run_id: str
    template: str
    status: str = Field(description="the run's status when it was matched")
    created_at: datetime
    outcome: Literal[
        "would_cancel",
        "cancel_requested",
        "cancelled",
        "would_resume",
        "resumed",
        "skipped",
        "refused",
        "not_attempted",
    ]
    new_run_id: str | None = Field(default=None, description="resumed: the new run")
    new_status: str | None = Field(default=None, description="cancelled or resumed: the (new) run's status")
    from_step: str | None = None
    reused_steps: list[str] | None = None
    error: str | None = Field(default=None, description="refused or not attempted: the error's name")
    message: str | None = None


class BulkAnswer(BaseModel):
    """The runs a bulk operation matched, oldest first, with the outcome of each."""

    bulk_id: str = Field(description="names the operation in every audit event it caused")
    action: Literal["cancel", "resume"]
    dry_run: bool
    filter: dict[str, Any] = Field(description="the filter applied (statuses filled in when none was given)")
    matched: int
    counts: dict[str, int] = Field(description="runs per outcome")
    runs: list[BulkRunOutcome]
    next_cursor: str | None = Field(
        description="more runs may match: send it back as cursor, with the same filter (null: none left)"
    )
    stopped: dict[str, Any] | None = Field(
        description="a plan limit stopped the request (error, message, limit, retry_after_seconds): "
        "go on with next_cursor later"
    )


class EventList(BaseModel):
    events: list[dict[str, Any]]
    next_cursor: str | None = None


class TimelineEntry(BaseModel):
    """One thing that happened in a run: an instant (``ended_at`` null) or a span."""

    at: str = Field(description="when it happened or started (ISO 8601); entries are ordered by it")
    started_at: str
    ended_at: str | None = Field(description="null for an instant, or for what has not ended yet")
    duration_ms: int | None
    kind: Literal[
        "execution", "state", "map_item", "retry", "task_failed", "catch", "compensation", "step", "event"
    ]
    name: str = Field(description="state name, step key (``step#item`` in a map) or event type")
    source: Literal["execution", "step_result", "event"] = Field(
        description="the execution history (Step Functions), the step results, or the run's events"
    )
    details: dict[str, Any]


class RunTimeline(BaseModel):
    """A run's execution history, step results and events merged into one ordered list."""

    run_id: str
    status: str
    execution_arn: str | None
    history: Literal["complete", "unavailable", "not_started"] = Field(
        description="unavailable: Step Functions no longer keeps the execution's history"
    )
    truncated: bool = Field(description="more entries exist than the first 10,000 answered")
    entries: list[TimelineEntry]


_DESCRIPTIONS = {
    HTTPStatus.BAD_REQUEST: "cannot be served (unknown template, unserved provider, bad body bytes)",
    HTTPStatus.UNAUTHORIZED: "missing, expired or invalid token",
    HTTPStatus.PAYMENT_REQUIRED: "the tenant's monthly budget cannot afford it (BudgetExceeded)",
    HTTPStatus.FORBIDDEN: "the caller's role may not do this, its tenant is disabled or not onboarded, "
    "or this deployment does not manage it (its identity provider does)",
    HTTPStatus.NOT_FOUND: "no such resource for the caller's tenant",
    HTTPStatus.CONFLICT: "the resource is not in a state that allows this, or exists already",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "the body is too large",
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE: "the body is not JSON",
    HTTPStatus.UNPROCESSABLE_ENTITY: "the body or a parameter is invalid (one entry per field)",
    HTTPStatus.TOO_MANY_REQUESTS: "a limit of the tenant's plan (requests per minute; runs waiting "
    "for a slot, past the runs in progress) or the API's throttling: retry after the Retry-After delay",
    HTTPStatus.SERVICE_UNAVAILABLE: "a passing failure: retry shortly",
}
READ_ERRORS = (
    HTTPStatus.UNAUTHORIZED,
    HTTPStatus.FORBIDDEN,
    HTTPStatus.TOO_MANY_REQUESTS,
    HTTPStatus.SERVICE_UNAVAILABLE,
)
WRITE_ERRORS = (
    *READ_ERRORS,
    HTTPStatus.BAD_REQUEST,
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    HTTPStatus.UNPROCESSABLE_ENTITY,
)


def json_answer(body: dict[str, Any], status: HTTPStatus = HTTPStatus.OK) -> Any:
    """A route's JSON answer (a Powertools ``Response``)."""
    from aws_lambda_powertools.event_handler import Response

    return Response(status_code=status, content_type="application/json", body=body)


def responses(status: HTTPStatus, model: type[BaseModel], *errors: HTTPStatus) -> dict[int, Any]:
    """A route's ``responses``: its success body and every error it can answer."""
    doc = model.__dict__.get("__doc__")  # the model's own docstring says what the answer means
    description = f"{status.phrase}: {' '.join(doc.split())}" if doc else status.phrase
    declared: dict[int, Any] = {
        int(status): {"description": description, "content": {"application/json": {"model": model}}}
    }
    for error in errors:
        declared[int(error)] = {
            "description": _DESCRIPTIONS[error],
            "content": {"application/json": {"model": ErrorBody}},
        }
    return declared
