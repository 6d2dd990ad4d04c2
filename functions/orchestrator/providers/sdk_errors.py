"""Turn provider SDK exceptions into domain errors (the names Step Functions retries on)."""

from __future__ import annotations

from types import ModuleType

from orchestrator import errors


def to_domain_error(sdk: ModuleType, exc: Exception, provider: str) -> errors.OrchestratorError:
    """Map an anthropic/openai SDK exception (both share these base classes) to a domain error."""
    message = f"{provider}: {type(exc).__name__}: {exc}"
    if isinstance(exc, sdk.APITimeoutError):
        return errors.ProviderTimeout(message)
    if isinstance(exc, sdk.RateLimitError):
        return errors.ProviderThrottled(message)
    if isinstance(exc, sdk.APIConnectionError):
        return errors.ProviderUnavailable(message)
    if isinstance(exc, sdk.APIStatusError):
        status = getattr(exc, "status_code", 0) or 0
        if status == 429:
            return errors.ProviderThrottled(message)
        if status == 408:
            return errors.ProviderTimeout(message)
        if status == 409 or status >= 500:  # the SDKs themselves retry 409 (lock contention)
            return errors.ProviderUnavailable(message)
        if status in (401, 403, 404):  # bad key, no access, or unknown model name
            return errors.ProviderNotConfigured(message)
    if type(exc).__name__ == "CredentialsError":
        return errors.ProviderNotConfigured(message)
    return errors.ModelOutputInvalid(message)
