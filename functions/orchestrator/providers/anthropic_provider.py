"""Anthropic Messages API provider. The SDK is imported on first use only (cold starts)."""

from __future__ import annotations

from typing import Any

from orchestrator.models import TokenUsage
from orchestrator.providers.base import ModelRequest, ModelResponse
from orchestrator.providers.pricing import cost_usd
from orchestrator.providers.sdk_errors import to_domain_error

DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-4-5"


class AnthropicProvider:
    name = "anthropic"

    def __init__(self, api_key: str, model: str | None = None, client: Any | None = None) -> None:
        self.model = model or DEFAULT_ANTHROPIC_MODEL
        self._api_key = api_key
        self._client = client

    def _sdk_client(self) -> Any:
        if self._client is None:
            import anthropic

            self._client = anthropic.Anthropic(api_key=self._api_key, max_retries=0, timeout=60.0)
        return self._client

    def complete(self, request: ModelRequest) -> ModelResponse:
        import anthropic

        try:
            message = self._sdk_client().messages.create(
                model=self.model,
                max_tokens=request.max_tokens,
                system=request.system,
                messages=[{"role": "user", "content": request.prompt}],
            )
        except anthropic.AnthropicError as exc:
            raise to_domain_error(anthropic, exc, self.name) from exc
        text = "".join(getattr(block, "text", "") for block in message.content)
        usage = TokenUsage(input_tokens=message.usage.input_tokens, output_tokens=message.usage.output_tokens)
        return ModelResponse(
            text=text,
            provider=self.name,
            model=self.model,
            usage=usage,
            cost_usd=cost_usd(self.name, self.model, usage),
        )
