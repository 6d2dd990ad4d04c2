"""OpenAI chat completions provider; with a base URL, any OpenAI-compatible server (local models)."""

from __future__ import annotations

from typing import Any

from orchestrator.errors import ModelOutputInvalid
from orchestrator.models import TokenUsage
from orchestrator.providers.base import ModelRequest, ModelResponse, estimate_tokens
from orchestrator.providers.pricing import cost_usd
from orchestrator.providers.sdk_errors import to_domain_error

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
EMBEDDING_BATCH = 256  # inputs per embeddings request


class OpenAIProvider:
    def __init__(
        self,
        api_key: str,
        model: str | None = None,
        base_url: str | None = None,
        name: str = "openai",
        client: Any | None = None,
        embedding_model: str = DEFAULT_EMBEDDING_MODEL,
    ) -> None:
        self.name = name
        self.embedding_model = embedding_model
        self.model = model or DEFAULT_OPENAI_MODEL
        self._api_key = api_key
        self._base_url = base_url
        self._client = client

    def _sdk_client(self) -> Any:
        if self._client is None:
            import openai

            self._client = openai.OpenAI(
                api_key=self._api_key, base_url=self._base_url, max_retries=0, timeout=60.0
            )
        return self._client

    def complete(self, request: ModelRequest) -> ModelResponse:
        import openai

        try:
            completion = self._sdk_client().chat.completions.create(
                model=self.model,
                max_tokens=request.max_tokens,
                messages=[
                    {"role": "system", "content": request.system},
                    {"role": "user", "content": request.prompt},
                ],
            )
        except openai.OpenAIError as exc:
            raise to_domain_error(openai, exc, self.name) from exc
        text = completion.choices[0].message.content or ""
        if completion.usage is not None:
            usage = TokenUsage(
                input_tokens=completion.usage.prompt_tokens, output_tokens=completion.usage.completion_tokens
            )
        else:  # some compatible servers report no usage
            usage = TokenUsage(
                input_tokens=estimate_tokens(request.system + request.prompt),
                output_tokens=estimate_tokens(text),
            )
        return ModelResponse(
            text=text,
            provider=self.name,
            model=self.model,
            usage=usage,
            cost_usd=cost_usd(self.name, self.model, usage),
        )

    def embed(self, texts: list[str], dimension: int) -> tuple[list[list[float]], str]:
        """Embeddings of ``texts`` (in order) and the model that made them. OpenAI's own models are
        asked for ``dimension``; a compatible server answers in its model's own size."""
        import openai

        vectors: list[list[float]] = []
        try:
            for start in range(0, len(texts), EMBEDDING_BATCH):
                kwargs: dict[str, Any] = {
                    "model": self.embedding_model,
                    "input": texts[start : start + EMBEDDING_BATCH],
                }
                if self.name == "openai":
                    kwargs["dimensions"] = dimension
                response = self._sdk_client().embeddings.create(**kwargs)
                vectors += [list(item.embedding) for item in sorted(response.data, key=lambda d: d.index)]
        except openai.OpenAIError as exc:
            raise to_domain_error(openai, exc, self.name) from exc
        if len(vectors) != len(texts) or len({len(v) for v in vectors}) > 1:
            sizes = sorted({len(v) for v in vectors})
            raise ModelOutputInvalid(
                f"{self.name} answered {len(vectors)} embeddings of sizes {sizes} for {len(texts)} texts"
            )
        return vectors, self.embedding_model
