"""Anthropic Messages API provider. The SDK is imported on first use only (cold starts).

With a schema, the answer comes back natively: the schema is the one tool the model is forced to
call, and the call's ``input`` is the answer. The system prompt and the tool are the stable part
of every request of an agent, so both carry a prompt-cache breakpoint."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.core.records import TokenUsage
from orchestrator.providers.base import ModelRequest, ModelResponse
from orchestrator.providers.pricing import cost_usd
from orchestrator.providers.sdk_errors import to_domain_error

DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-5-5"  # claude-sonnet-4-5 reached end of life on 2026-11-30
DEFAULT_CLIENT_TIMEOUT_SECONDS = 60.0  # every call passes its own timeout; this is only the fallback
_EPHEMERAL = {"type": "ephemeral"}


def tool_description(request: ModelRequest) -> str:
    """What the forced answer tool is for (shared by the Anthropic and Bedrock providers)."""
    who = request.title or request.agent or request.phase
    return (
        f"Record the complete answer of the {who} step. Call this exactly once; the input is the "
        "whole answer and must match the schema."
    )


class AnthropicProvider:
    name = "anthropic"

    def __init__(
        self,
        api_key: str,
        model: str | None = None,
        client: Any | None = None,
        http_client: Any | None = None,
    ) -> None:
        """``client``: a ready SDK client (tests); ``http_client``: the ``httpx2.Client`` the SDK
        client this provider creates should use (tests pass one over a mock transport)."""
        self.model = model or DEFAULT_ANTHROPIC_MODEL
        self._api_key = api_key
        self._client = client
        self._http_client = http_client

    def _sdk_client(self) -> Any:
        if self._client is None:
            import anthropic

            self._client = anthropic.Anthropic(
                api_key=self._api_key,
                max_retries=0,  # one retry loop: the state machine's
                timeout=DEFAULT_CLIENT_TIMEOUT_SECONDS,
                http_client=self._http_client,
            )
        return self._client

    def _arguments(self, request: ModelRequest) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "system": [{"type": "text", "text": request.system, "cache_control": _EPHEMERAL}],
            "messages": [{"role": "user", "content": request.prompt}],
            "timeout": request.timeout_seconds,
        }
        if request.temperature is not None:
            # the SDK (1.0+) no longer types sampling parameters; the API takes them on the models
            # that still support them (newer models refuse a non-default temperature: leave it None)
            arguments["extra_body"] = {"temperature": request.temperature}
        if request.schema is not None:
            arguments["tools"] = [
                {
                    "name": request.schema_name,
                    "description": tool_description(request),
                    "input_schema": request.schema,
                    "cache_control": _EPHEMERAL,  # the last (only) tool: tools + system are cached
                }
            ]
            arguments["tool_choice"] = {"type": "tool", "name": request.schema_name}
        return arguments

    def complete(self, request: ModelRequest) -> ModelResponse:
        import anthropic

        try:
            message = self._sdk_client().messages.create(**self._arguments(request))
        except anthropic.AnthropicError as exc:
            raise to_domain_error(anthropic, exc, self.name, secret=self._api_key) from exc
        data: dict[str, Any] | None = None
        if request.schema is not None:
            for block in message.content:
                if getattr(block, "type", None) == "tool_use" and block.name == request.schema_name:
                    data = block.input if isinstance(block.input, dict) else None
                    break
        if data is not None:
            text = json.dumps(data)
        else:  # plain text, or a schema the model did not answer through the tool: the caller repairs
            text = "".join(getattr(block, "text", "") for block in message.content)
        usage = TokenUsage(
            input_tokens=message.usage.input_tokens or 0,
            output_tokens=message.usage.output_tokens or 0,
            cached_input_tokens=message.usage.cache_read_input_tokens or 0,
            cache_write_tokens=message.usage.cache_creation_input_tokens or 0,
        )
        return ModelResponse(
            text=text,
            provider=self.name,
            model=self.model,
            usage=usage,
            cost_usd=cost_usd(self.name, self.model, usage),
            data=data,
            calls=1,
        )
