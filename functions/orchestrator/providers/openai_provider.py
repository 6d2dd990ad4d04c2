"""OpenAI chat completions provider; with a base URL, any OpenAI-compatible server (local models).

With a schema, the answer comes back natively: the schema goes as a strict ``json_schema``
response format (converted to the strict subset, see ``json_schema``), and the message content is
the answer. OpenAI caches long prompt prefixes by itself; the usage says how much was read back."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from orchestrator.core.errors import ModelOutputInvalid
from orchestrator.core.records import TokenUsage
from orchestrator.providers.base import ModelRequest, estimate_tokens
from orchestrator.providers.json_schema import drop_added_nulls, is_strict_expressible, strict_json_schema
from orchestrator.providers.sdk_provider import Answer, KeyedSdkProvider

if TYPE_CHECKING:
    from orchestrator.safety.moderation import OpenAIModeration

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
EMBEDDING_BATCH = 256  # inputs per embeddings request (they use the client's fallback timeout)


class OpenAIProvider(KeyedSdkProvider):
    sdk_module = "openai"
    client_class = "OpenAI"
    base_error = "OpenAIError"

    def __init__(
        self,
        api_key: str,
        model: str | None = None,
        base_url: str | None = None,
        name: str = "openai",
        client: Any | None = None,
        embedding_model: str = DEFAULT_EMBEDDING_MODEL,
        http_client: Any | None = None,
    ) -> None:
        super().__init__(
            api_key,
            model or DEFAULT_OPENAI_MODEL,
            base_url=base_url,
            client=client,
            http_client=http_client,
        )
        self.name = name
        self.embedding_model = embedding_model

    def _arguments(self, request: ModelRequest) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "messages": [
                {"role": "system", "content": request.system},
                {"role": "user", "content": request.prompt},
            ],
            "timeout": request.timeout_seconds,
        }
        if request.temperature is not None:
            arguments["temperature"] = request.temperature
        if request.schema is not None:
            # a free-form map cannot be strict (it would be forced empty): then the schema is a guide
            strict = is_strict_expressible(request.schema)
            arguments["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema_name,
                    "schema": strict_json_schema(request.schema) if strict else request.schema,
                    "strict": strict,
                },
            }
        return arguments

    def _send(self, client: Any, request: ModelRequest) -> Any:
        return client.chat.completions.create(**self._arguments(request))

    def _read(self, reply: Any, request: ModelRequest) -> Answer:
        message = reply.choices[0].message if reply.choices else None
        text = (message.content if message is not None else None) or ""
        refusal = getattr(message, "refusal", None)
        data: dict[str, Any] | None = None
        if refusal:  # the model declined: no answer, the refusal says why
            text = refusal
        elif request.schema is not None:
            data = _json_object(text)
            if data is not None:
                data = drop_added_nulls(data, request.schema)
        return Answer(text, data, self._usage(reply, request, text))

    @staticmethod
    def _usage(completion: Any, request: ModelRequest, text: str) -> TokenUsage:
        reported = completion.usage
        if reported is None:  # some compatible servers report no usage
            return TokenUsage(
                input_tokens=estimate_tokens(request.system + request.prompt),
                output_tokens=estimate_tokens(text),
            )
        details = getattr(reported, "prompt_tokens_details", None)
        cached = (getattr(details, "cached_tokens", None) or 0) if details is not None else 0
        prompt = reported.prompt_tokens or 0
        cached = min(cached, prompt)
        return TokenUsage(
            input_tokens=prompt - cached,
            output_tokens=reported.completion_tokens or 0,
            cached_input_tokens=cached,
        )

    def moderation(self, timeout_seconds: float) -> OpenAIModeration | None:
        """OpenAI's moderation endpoint through this provider's client (its key, its base URL);
        None for an OpenAI-compatible server, which has none."""
        if self.name != "openai":
            return None
        from orchestrator.safety.moderation import OpenAIModeration

        return OpenAIModeration(client=self._sdk_client(), timeout_seconds=timeout_seconds)

    def embed(self, texts: list[str], dimension: int) -> tuple[list[list[float]], str]:
        """Embeddings of ``texts`` (in order) and the model that made them. OpenAI's own models are
        asked for ``dimension``; a compatible server answers in its model's own size."""
        vectors: list[list[float]] = []
        with self.domain_errors():
            for start in range(0, len(texts), EMBEDDING_BATCH):
                kwargs: dict[str, Any] = {
                    "model": self.embedding_model,
                    "input": texts[start : start + EMBEDDING_BATCH],
                }
                if self.name == "openai":
                    kwargs["dimensions"] = dimension
                response = self._sdk_client().embeddings.create(**kwargs)
                vectors += [list(item.embedding) for item in sorted(response.data, key=lambda d: d.index)]
        if len(vectors) != len(texts) or len({len(v) for v in vectors}) > 1:
            sizes = sorted({len(v) for v in vectors})
            raise ModelOutputInvalid(
                f"{self.name} answered {len(vectors)} embeddings of sizes {sizes} for {len(texts)} texts"
            )
        return vectors, self.embedding_model


def _json_object(text: str) -> dict[str, Any] | None:
    """``text`` parsed as a JSON object, or None (truncated, not JSON, not an object)."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None
