"""Amazon Bedrock provider (Converse API through boto3 ``bedrock-runtime``); IAM, no API key.

With a schema, the answer comes back natively: the schema is the one tool the model is forced to
call (``toolConfig``), and the call's ``input`` is the answer. Models that cache prompts get a
cache point after the system prompt. The boto3 client makes exactly one attempt (the state
machine's Retry is the one retry loop) and reads for at most the request's timeout."""

from __future__ import annotations

import re
from typing import Any

from orchestrator.core import errors
from orchestrator.core.records import TokenUsage
from orchestrator.providers.base import ModelRequest
from orchestrator.providers.sdk_errors import redact
from orchestrator.providers.sdk_provider import Answer, SdkProvider, tool_answer_text, tool_description

DEFAULT_BEDROCK_MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
CONNECT_TIMEOUT_SECONDS = 5

_REGION_PREFIX = re.compile(r"^(?:us|eu|apac|global|us-gov|jp|au|ca)\.")  # cross-region inference profiles
_CLAUDE_WITHOUT_CACHE = (
    "claude-v",
    "claude-instant",
    "claude-3-haiku",
    "claude-3-sonnet",
    "claude-3-opus",
    "claude-3-5-sonnet",
)
_NOVA_WITHOUT_CACHE = ("nova-sonic", "nova-canvas", "nova-reel", "nova-2-sonic")

_THROTTLED = frozenset({"ThrottlingException", "ServiceQuotaExceededException", "TooManyRequestsException"})
_UNAVAILABLE = frozenset(
    {
        "ServiceUnavailableException",
        "InternalServerException",
        "ModelNotReadyException",
        "ModelErrorException",
        "InternalFailure",
        "ServiceUnavailable",
    }
)
_TIMEOUT = frozenset({"ModelTimeoutException", "RequestTimeout", "RequestTimeoutException"})
_NOT_CONFIGURED = frozenset(
    {
        "AccessDeniedException",
        "ResourceNotFoundException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
        "MissingAuthenticationTokenException",
    }
)
_REJECTED = frozenset({"ValidationException"})


def _base_model_id(model_id: str) -> str:
    return _REGION_PREFIX.sub("", model_id, count=1) if not model_id.startswith("arn:") else model_id


def supports_prompt_caching(model_id: str) -> bool:
    """Whether Converse accepts a cache point for ``model_id``: Anthropic Claude (3.5 Haiku, 3.7
    Sonnet and later) and Amazon Nova text models, with or without a cross-region prefix. Unknown
    ids and ARNs get none (a cache point a model does not support is a validation error)."""
    base = _base_model_id(model_id)
    if base.startswith("anthropic.claude-"):
        family = base.removeprefix("anthropic.")
        return not family.startswith(_CLAUDE_WITHOUT_CACHE)
    if base.startswith("amazon.nova-"):
        family = base.removeprefix("amazon.")
        return not family.startswith(_NOVA_WITHOUT_CACHE)
    return False


def supports_forced_tool(model_id: str) -> bool:
    """Whether Converse accepts ``toolChoice: {"tool": ...}`` (Claude, Nova, Mistral Large). Other
    models get the tool offered (auto); an answer outside it is repaired by the caller."""
    base = _base_model_id(model_id)
    return base.startswith(("anthropic.claude", "amazon.nova", "mistral.mistral-large"))


class BedrockProvider(SdkProvider):
    name = "bedrock"

    def __init__(
        self, model: str | None = None, client: Any | None = None, region: str | None = None
    ) -> None:
        """``client``: a ready ``bedrock-runtime`` client used for every call (tests); otherwise one
        is created on first use per timeout, in ``region`` (or the environment's region)."""
        self.model = model or DEFAULT_BEDROCK_MODEL
        self.region = region
        self._client = client
        self._clients: dict[float, Any] = {}

    def client_for(self, timeout_seconds: float) -> Any:
        """The boto3 client for calls of this timeout: one attempt, a short connect timeout, reads
        of at most ``timeout_seconds``. Created lazily and kept (one per timeout)."""
        if self._client is not None:
            return self._client
        key = float(timeout_seconds)
        if key not in self._clients:
            import boto3
            from botocore.config import Config

            config = Config(
                retries={"total_max_attempts": 1, "mode": "standard"},
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                read_timeout=key,
            )
            self._clients[key] = boto3.client("bedrock-runtime", region_name=self.region, config=config)
        return self._clients[key]

    def _arguments(self, request: ModelRequest) -> dict[str, Any]:
        system: list[dict[str, Any]] = [{"text": request.system}]
        if supports_prompt_caching(self.model):
            system.append({"cachePoint": {"type": "default"}})
        inference: dict[str, Any] = {"maxTokens": request.max_tokens}
        if request.temperature is not None:
            inference["temperature"] = request.temperature
        arguments: dict[str, Any] = {
            "modelId": self.model,
            "system": system,
            "messages": [{"role": "user", "content": [{"text": request.prompt}]}],
            "inferenceConfig": inference,
        }
        if request.schema is not None:
            tool_config: dict[str, Any] = {
                "tools": [
                    {
                        "toolSpec": {
                            "name": request.schema_name,
                            "description": tool_description(request),
                            "inputSchema": {"json": request.schema},
                        }
                    }
                ]
            }
            if supports_forced_tool(self.model):
                tool_config["toolChoice"] = {"tool": {"name": request.schema_name}}
            arguments["toolConfig"] = tool_config
        return arguments

    def _call_client(self, request: ModelRequest) -> Any:
        return self.client_for(request.timeout_seconds)

    def _send(self, client: Any, request: ModelRequest) -> Any:
        return client.converse(**self._arguments(request))

    def _sdk_errors(self) -> tuple[type[Exception], ...]:
        from botocore.exceptions import BotoCoreError, ClientError

        return (ClientError, BotoCoreError)

    def _domain_error(self, exc: Exception) -> errors.OrchestratorError:
        return to_domain_error(exc, self.name)

    def _read(self, reply: Any, request: ModelRequest) -> Answer:
        blocks = ((reply.get("output") or {}).get("message") or {}).get("content") or []
        data: dict[str, Any] | None = None
        if request.schema is not None:
            for block in blocks:
                tool_use = block.get("toolUse")
                if tool_use and tool_use.get("name") == request.schema_name:
                    answer = tool_use.get("input")
                    data = answer if isinstance(answer, dict) else None
                    break
        reported = reply.get("usage") or {}
        usage = TokenUsage(
            input_tokens=reported.get("inputTokens") or 0,
            output_tokens=reported.get("outputTokens") or 0,
            cached_input_tokens=reported.get("cacheReadInputTokens") or 0,
            cache_write_tokens=reported.get("cacheWriteInputTokens") or 0,
        )
        texts = (block["text"] for block in blocks if isinstance(block.get("text"), str))
        return Answer(tool_answer_text(data, texts), data, usage)


def to_domain_error(exc: Exception, provider: str = "bedrock") -> errors.OrchestratorError:
    """Map a botocore exception of a Converse call to the domain error the state machine matches."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        ParamValidationError,
        PartialCredentialsError,
        ReadTimeoutError,
    )

    message = redact(f"{provider}: {type(exc).__name__}: {exc}")
    if isinstance(exc, ClientError):
        error = exc.response.get("Error") or {}
        code = str(error.get("Code") or "")
        status = int((exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
        if code in _THROTTLED:  # Converse sends no Retry-After: the state machine's backoff decides
            return errors.ProviderThrottled(message, retry_after=None)
        if code in _UNAVAILABLE:
            return errors.ProviderUnavailable(message)
        if code in _TIMEOUT:
            return errors.ProviderTimeout(message)
        if code in _NOT_CONFIGURED:
            return errors.ProviderNotConfigured(message)
        if code in _REJECTED:
            return errors.ProviderRequestRejected(message)
        return _by_status(status, message)
    if isinstance(exc, ReadTimeoutError | ConnectTimeoutError):
        return errors.ProviderTimeout(message)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError | NoRegionError):
        return errors.ProviderNotConfigured(message)
    if isinstance(exc, ParamValidationError):
        return errors.ProviderRequestRejected(message)
    if isinstance(exc, EndpointConnectionError):  # Bedrock not reachable (or not in this region)
        return errors.ProviderUnavailable(message)
    return errors.ProviderUnavailable(message)  # any other transport fault (connection closed, ...)


def _by_status(status: int, message: str) -> errors.OrchestratorError:
    """An error code we do not know, classified by its HTTP status."""
    if status == 429:
        return errors.ProviderThrottled(message, retry_after=None)
    if status == 408:
        return errors.ProviderTimeout(message)
    if status in (401, 403, 404):
        return errors.ProviderNotConfigured(message)
    if 400 <= status < 500:
        return errors.ProviderRequestRejected(message)
    return errors.ProviderUnavailable(message)
