"""Turn provider SDK exceptions into domain errors (the names Step Functions retries on).

The SDKs are created with ``max_retries=0``: the state machine's Retry is the one retry loop, so
a throttled call surfaces at once as ``ProviderThrottled`` carrying the wait the provider asked
for (``retry_after``), and nothing underneath multiplies the attempts."""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from orchestrator.core import errors

MAX_MESSAGE_CHARS = 500
_KEY_LIKE = re.compile(r"\b(?:sk|sk-ant|sk-proj|key)-[A-Za-z0-9_\-*]{6,}")


def retry_after_seconds(headers: Mapping[str, str] | Any | None, now: float | None = None) -> float | None:
    """The wait a response asked for: ``retry-after-ms`` (milliseconds), else ``retry-after`` in
    seconds or as an HTTP date. None when absent or unreadable; never negative."""
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except (TypeError, ValueError):
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        pass
    parsed = email.utils.parsedate_tz(str(value))
    if parsed is None:
        return None
    return max(0.0, float(email.utils.mktime_tz(parsed)) - (time.time() if now is None else now))


def redact(text: str, secret: str | None = None) -> str:
    """``text`` without the API key (nor anything shaped like one), cut to a readable length."""
    if secret:
        text = text.replace(secret, "[redacted]")
    text = _KEY_LIKE.sub("[redacted]", text)
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def to_domain_error(
    sdk: ModuleType, exc: Exception, provider: str, *, secret: str | None = None
) -> errors.OrchestratorError:
    """Map an anthropic/openai SDK exception (both share these base classes) to a domain error.
    ``secret``: the API key, kept out of the message."""
    message = redact(f"{provider}: {type(exc).__name__}: {exc}", secret)
    if isinstance(exc, sdk.APITimeoutError):
        return errors.ProviderTimeout(message)
    if isinstance(exc, sdk.APIConnectionError):
        return errors.ProviderUnavailable(message)
    if isinstance(exc, sdk.APIStatusError):
        status = getattr(exc, "status_code", 0) or 0
        if status == 429:
            response = getattr(exc, "response", None)
            return errors.ProviderThrottled(
                message, retry_after=retry_after_seconds(getattr(response, "headers", None))
            )
        if status == 408:
            return errors.ProviderTimeout(message)
        if status == 409 or status >= 500:  # 529: Anthropic overloaded; 409: lock contention
            return errors.ProviderUnavailable(message)
        if status in (401, 403, 404):  # bad key, no access, or unknown model name
            return errors.ProviderNotConfigured(message)
        if 400 <= status < 500:  # 400, 413, 422...: the request itself is refused, a retry cannot help
            return errors.ProviderRequestRejected(message)
    if isinstance(exc, getattr(sdk, "CredentialsError", ())):
        return errors.ProviderNotConfigured(message)
    return errors.ModelOutputInvalid(message)
