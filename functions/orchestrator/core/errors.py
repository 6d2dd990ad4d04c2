"""Domain exceptions.

A Step Functions task that raises one of these ends with a Lambda error payload whose
``errorType`` is the class name; the state machines' Retry and Catch match those names.
Transient errors are retried with backoff; permanent ones go straight to compensation.

The HTTP API answers an error with its class's ``http_status`` (inherited by its subclasses),
``http_body()`` and ``http_headers()``; an error whose class has no status is not an answer the
API gives: it is raised on, as any unexpected error.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar


class OrchestratorError(Exception):
    """Base class of every domain error."""

    transient = False
    http_status: ClassVar[HTTPStatus | None] = None
    """What the API answers this error with; None: the API does not answer it (it is raised on)."""
    http_log: ClassVar[str | None] = None
    """A failure of ours, not the caller's: the API logs this message with the traceback."""

    def http_body(self) -> dict[str, Any]:
        """The API's answer: the error's name and message."""
        return {"error": type(self).__name__, "message": str(self)}

    def http_headers(self) -> dict[str, str]:
        return {}


# --- transient: retried by the state machine --------------------------------------------
class ProviderThrottled(OrchestratorError):
    """The model provider rejected the call for rate reasons (HTTP 429). ``retry_after``: the
    seconds the provider asked to wait (its ``Retry-After``), when it said."""

    transient = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderUnavailable(OrchestratorError):
    """The model provider is overloaded or failing (HTTP 5xx, connection errors)."""

    transient = True


class ProviderTimeout(OrchestratorError):
    """The model call did not answer in time."""

    transient = True


class CircuitOpen(OrchestratorError):
    """The provider's circuit is open (it failed repeatedly, for every function instance) and the
    step has no fallback left: retried later by the state machine, when the circuit may be closed."""

    transient = True


class SourceFetchFailed(OrchestratorError):
    """Fetching a source archive timed out, the connection failed or the server failed (5xx)."""

    transient = True


# --- permanent: straight to compensation --------------------------------------------------
class ModelOutputInvalid(OrchestratorError):
    """The model's answer did not match the phase's structured output schema."""


class ProviderNotConfigured(OrchestratorError):
    """The requested provider has no credentials or is unknown."""


class ProviderRequestRejected(OrchestratorError):
    """The provider refused the request itself (HTTP 400: bad parameters, prompt too long, schema
    not accepted). Retrying the same request cannot help."""


class ReplayEntryMissing(OrchestratorError):
    """The replay provider's cassette has no recorded answer for this request (record it first)."""


class BudgetExceeded(OrchestratorError):
    """The tenant's budget does not allow this call."""

    http_status = HTTPStatus.PAYMENT_REQUIRED


class SafetyViolation(OrchestratorError):
    """A request broke the safety policy: nothing was stored, started or sent to a model. The
    message, the answer and the audit name the categories and the layer that decided (the rules in
    code or a provider's moderation), never the text."""

    http_status = HTTPStatus.UNPROCESSABLE_ENTITY

    def __init__(self, message: str, audit: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.audit = dict(audit or {})

    def http_body(self) -> dict[str, Any]:
        return super().http_body() | {
            "categories": list(self.audit.get("categories", [])),
            "layers": list(self.audit.get("layers", [])),
        }


class SourceFetchRefused(OrchestratorError):
    """A source archive was not fetched: its URL, scheme, address or size is not allowed, or the
    server refused it (4xx)."""


class ArchiveInvalid(OrchestratorError):
    """A source archive is unreadable or unsafe (unknown format, corrupt, over a size or count
    limit, a path leaving the archive)."""


class SimulatedPhaseFailure(OrchestratorError):
    """A permanent failure injected on request by the offline provider (demos, tests)."""


class DeploymentStageFailed(OrchestratorError):
    """A stage of a deployment failed its health checks (the message names the stage, the check
    and the observed and allowed values). The run is then undone: the stages already applied are
    rolled back newest first, so the environment serves the previous version again."""


# --- ends of a run that are decisions, not faults: everything done is undone --------------
class RunRejected(OrchestratorError):
    """An agent (e.g. a safety checker) refused the request: the run ends REJECTED."""


class ApprovalRejected(OrchestratorError):
    """A person rejected the run at an approval gate: the run ends REJECTED."""


class ApprovalTimedOut(OrchestratorError):
    """Nobody decided at an approval gate in time: the run ends COMPENSATED."""


class RunCancelled(OrchestratorError):
    """Someone cancelled the run: it stops at the next step and ends CANCELLED."""


class CompensationIncomplete(OrchestratorError):
    """Undoing a run's work needed more rounds than the state machine allows."""


# --- request / data errors ---------------------------------------------------------------
class InvalidRequest(OrchestratorError):
    """The request is well formed but cannot be served (unknown template, bad option)."""

    http_status = HTTPStatus.BAD_REQUEST


class IdempotencyKeyReused(InvalidRequest):
    """An Idempotency-Key was sent again with a different request body."""

    http_status = HTTPStatus.UNPROCESSABLE_ENTITY


class InputsInvalid(InvalidRequest):
    """A run's ``inputs`` do not match what its template takes (400, one detail per field: which
    inputs a template takes is the template's, not the request schema's, so this is not a 422)."""

    def __init__(self, message: str, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.details = details or []

    def http_body(self) -> dict[str, Any]:
        return {"error": "ValidationError", "message": str(self), "details": self.details}


class NotFound(OrchestratorError):
    """The item does not exist for this tenant."""

    http_status = HTTPStatus.NOT_FOUND


class RunNotFound(NotFound):
    """No run with this id exists for this tenant."""


class CollectionNotFound(NotFound):
    """The tenant has no vector index for this collection."""


class ConnectionGone(NotFound):
    """The WebSocket connection is not (or no longer) one of this tenant's."""


class TemplateNotFound(InvalidRequest):
    """No template has this name."""


class UserPoolNotConfigured(OrchestratorError):
    """This deployment's tokens come from another issuer: its users are managed there (403)."""

    http_status = HTTPStatus.FORBIDDEN  # not this deployment's to do (its identity provider's)


class ConflictError(OrchestratorError):
    """The item already exists or changed underneath the caller."""

    http_status = HTTPStatus.CONFLICT


class RunNotActive(ConflictError):
    """The run is in a state where this action does not apply (e.g. it already ended)."""


class AlreadyClaimed(ConflictError):
    """Another request claimed the run first (its cancel was asked, a bulk resume is resuming it)."""


class ForbiddenAction(OrchestratorError):
    """The caller's role may not take this action."""

    http_status = HTTPStatus.FORBIDDEN


class RepositoryError(OrchestratorError):
    """An AWS call failed for a passing reason (throttling, service fault, timeout): retry."""

    transient = True
    http_status = HTTPStatus.SERVICE_UNAVAILABLE
    http_log = "passing data store failure"

    def http_body(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": "temporarily unavailable, retry shortly"}

    def http_headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


class DataStoreRejected(OrchestratorError):
    """An AWS call was refused for a reason a retry cannot fix (validation, access denied)."""

    http_status = HTTPStatus.INTERNAL_SERVER_ERROR
    http_log = "data store refused a call"

    def http_body(self) -> dict[str, Any]:
        return {"error": "InternalError", "message": "the request could not be completed"}


TRANSIENT_ERROR_NAMES: tuple[str, ...] = (
    ProviderThrottled.__name__,
    ProviderUnavailable.__name__,
    ProviderTimeout.__name__,
    CircuitOpen.__name__,
    SourceFetchFailed.__name__,
    RepositoryError.__name__,
)
"""Error names every task retries, besides the Lambda service's own transient errors."""

LAMBDA_TRANSIENT_ERRORS: tuple[str, ...] = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)
RETRIED_ERROR_NAMES: tuple[str, ...] = (*TRANSIENT_ERROR_NAMES, *LAMBDA_TRANSIENT_ERRORS)
"""What every task's one Retry rule matches (the state machines' and the functions' shared view)."""


class ConfigurationMissing(RuntimeError):
    """The function was deployed without a setting it needs (a deployment defect, not a request's):
    raised while the function starts, naming the variables."""
