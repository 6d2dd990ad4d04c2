"""What the SDK-backed providers (Anthropic, OpenAI, Bedrock) share; each keeps only its wire format.

``SdkProvider.complete`` is one call: the SDK's client for the request (``_call_client``), the
provider's arguments sent through it (``_send``), any SDK failure of the call turned into the
domain error the state machine matches (``_domain_error``), the reply read back (``_read``) and
its usage priced. Nothing here imports an SDK: the providers name theirs and it is imported on
first use (cold starts).

``KeyedSdkProvider`` is the flavour of the API-key SDKs (anthropic, openai): one client, created
on first use with the key, an optional base URL, retries off (the state machine's Retry is the one
retry loop) and a fallback timeout (every call passes its own); its errors never show the key.
"""

from __future__ import annotations

import importlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any, ClassVar

from orchestrator.core.errors import OrchestratorError
from orchestrator.core.records import TokenUsage
from orchestrator.providers.base import ModelRequest, ModelResponse
from orchestrator.providers.pricing import cost_usd
from orchestrator.providers.sdk_errors import to_domain_error

DEFAULT_CLIENT_TIMEOUT_SECONDS = 60.0  # every call passes its own timeout; this is only the fallback


@dataclass(frozen=True)
class Answer:
    """What a provider read from its reply: the text, the structured answer if any, the usage."""

    text: str
    data: dict[str, Any] | None
    usage: TokenUsage


def tool_description(request: ModelRequest) -> str:
    """What the forced answer tool is for (the Anthropic and Bedrock providers)."""
    who = request.title or request.agent or request.phase
    return (
        f"Record the complete answer of the {who} step. Call this exactly once; the input is the "
        "whole answer and must match the schema."
    )


def tool_answer_text(data: dict[str, Any] | None, texts: Iterable[str]) -> str:
    """The answer's text: the tool call's input as JSON, else the reply's text blocks joined
    (plain text, or a schema the model did not answer through the tool: the caller repairs)."""
    return json.dumps(data) if data is not None else "".join(texts)


class SdkProvider(ABC):
    """One model call through a provider's SDK (template method)."""

    name: str
    model: str

    def complete(self, request: ModelRequest) -> ModelResponse:
        client = self._call_client(request)
        with self.domain_errors():
            reply = self._send(client, request)
        answer = self._read(reply, request)
        return ModelResponse(
            text=answer.text,
            provider=self.name,
            model=self.model,
            usage=answer.usage,
            cost_usd=cost_usd(self.name, self.model, answer.usage),
            data=answer.data,
            calls=1,
        )

    @contextmanager
    def domain_errors(self) -> Iterator[None]:
        """SDK failures inside the block become the provider's domain errors."""
        try:
            yield
        except Exception as exc:
            if not isinstance(exc, self._sdk_errors()):
                raise
            raise self._domain_error(exc) from exc

    @abstractmethod
    def _call_client(self, request: ModelRequest) -> Any:
        """The SDK client for ``request`` (created on first use)."""

    @abstractmethod
    def _send(self, client: Any, request: ModelRequest) -> Any:
        """Ask the model (one HTTP call) and return the SDK's reply."""

    @abstractmethod
    def _read(self, reply: Any, request: ModelRequest) -> Answer:
        """The text, structured answer and usage of the SDK's reply."""

    @abstractmethod
    def _sdk_errors(self) -> tuple[type[Exception], ...]:
        """The exceptions the SDK raises (imported only when one is raised)."""

    @abstractmethod
    def _domain_error(self, exc: Exception) -> OrchestratorError:
        """The domain error for one of the SDK's exceptions."""


class KeyedSdkProvider(SdkProvider):
    """A provider whose SDK takes an API key (``sdk_module``'s ``client_class``)."""

    sdk_module: ClassVar[str]  # imported on first use
    client_class: ClassVar[str]
    base_error: ClassVar[str]  # the SDK's base exception

    def __init__(
        self,
        api_key: str,
        model: str,
        *,
        base_url: str | None = None,
        client: Any | None = None,
        http_client: Any | None = None,
    ) -> None:
        """``client``: a ready SDK client (tests); ``http_client``: the ``httpx2.Client`` the SDK
        client this provider creates should use (tests pass one over a mock transport)."""
        self.model = model
        self._api_key = api_key
        self._base_url = base_url
        self._client = client
        self._http_client = http_client

    def _sdk(self) -> ModuleType:
        return importlib.import_module(self.sdk_module)

    def _call_client(self, request: ModelRequest) -> Any:
        return self._sdk_client()

    def _sdk_client(self) -> Any:
        if self._client is None:
            with self.domain_errors():  # a client the SDK refuses to make fails the call alike
                self._client = getattr(self._sdk(), self.client_class)(
                    api_key=self._api_key,
                    base_url=self._base_url,
                    max_retries=0,  # one retry loop: the state machine's
                    timeout=DEFAULT_CLIENT_TIMEOUT_SECONDS,
                    http_client=self._http_client,
                )
        return self._client

    def _sdk_errors(self) -> tuple[type[Exception], ...]:
        return (getattr(self._sdk(), self.base_error),)

    def _domain_error(self, exc: Exception) -> OrchestratorError:
        return to_domain_error(self._sdk(), exc, self.name, secret=self._api_key)
