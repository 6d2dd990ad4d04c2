"""One place that decides what an AWS SDK failure means for the caller.

Throttling, service-side faults, timeouts and lost connections are transient
(``RepositoryError``: Step Functions retries it, the API answers 503). Everything else
(validation, access denied, missing resource) is a permanent ``DataStoreRejected``: a retry
would fail the same way, so the state machine compensates and the API answers 500.
"""

from __future__ import annotations

from orchestrator.core.errors import DataStoreRejected, OrchestratorError, RepositoryError

TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottledException",
        "InternalServerError",
        "InternalFailure",
        "InternalServiceError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "TransactionConflictException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


def domain_error(action: str, exc: Exception) -> OrchestratorError:
    """The domain error for a failed AWS call (``raise domain_error(...) from exc``)."""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        message = f"{action} failed: {code}: {error.get('Message', '')}".rstrip(": ")
        if code in TRANSIENT_CODES or status >= 500:
            return RepositoryError(message)
        return DataStoreRejected(message)
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import HTTPClientError

    message = f"{action} failed: {type(exc).__name__}: {exc}"
    if isinstance(exc, BotoConnectionError | HTTPClientError):  # lost connection, timeouts
        return RepositoryError(message)
    if isinstance(exc, BotoCoreError):  # bad parameters, no credentials: a retry cannot help
        return DataStoreRejected(message)
    return RepositoryError(message)


def is_aws_error(exc: BaseException) -> bool:
    from botocore.exceptions import BotoCoreError, ClientError

    return isinstance(exc, ClientError | BotoCoreError)
