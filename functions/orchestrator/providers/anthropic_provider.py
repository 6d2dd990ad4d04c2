"""Anthropic Messages API provider. The SDK is imported on first use only (cold starts).

With a schema, the answer comes back natively: the schema is the one tool the model is forced to
call, and the call's ``input`` is the answer. The system prompt and the tool are the stable part
of every request of an agent, so both carry a prompt-cache breakpoint."""

from __future__ import annotations

from typing import Any

from orchestrator.core.records import TokenUsage
from orchestrator.providers.base import ModelRequest
from orchestrator.providers.sdk_provider import Answer, KeyedSdkProvider, tool_answer_text, tool_description

DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-5-5"  # claude-sonnet-4-5 reached end of life on 2026-11-30
_EPHEMERAL = {"type": "ephemeral"}


class AnthropicProvider(KeyedSdkProvider):
    name = "anthropic"
    sdk_module = "anthropic"
    client_class = "Anthropic"
    base_error = "AnthropicError"

    def __init__(
        self,
        api_key: str,
        model: str | None = None,
        client: Any | None = None,
        http_client: Any | None = None,
    ) -> None:
        super().__init__(api_key, model or DEFAULT_ANTHROPIC_MODEL, client=client, http_client=http_client)

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

    def _send(self, client: Any, request: ModelRequest) -> Any:
        return client.messages.create(**self._arguments(request))

    def _read(self, reply: Any, request: ModelRequest) -> Answer:
        data: dict[str, Any] | None = None
        if request.schema is not None:
            for block in reply.content:
                if getattr(block, "type", None) == "tool_use" and block.name == request.schema_name:
                    data = block.input if isinstance(block.input, dict) else None
                    break
        usage = TokenUsage(
            input_tokens=reply.usage.input_tokens or 0,
            output_tokens=reply.usage.output_tokens or 0,
            cached_input_tokens=reply.usage.cache_read_input_tokens or 0,
            cache_write_tokens=reply.usage.cache_creation_input_tokens or 0,
        )
        return Answer(
            tool_answer_text(data, (getattr(block, "text", "") for block in reply.content)), data, usage
        )
