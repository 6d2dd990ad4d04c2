"""Providers' moderation, mapped to our categories: OpenAI's moderation endpoint and Bedrock guardrails.

Each adapter makes one call for all the texts of a request, with retries off and a short timeout
(a moderation layer that does not answer in time is a failed layer: the rules' verdict stands).
The SDKs are imported on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from orchestrator.safety.screen import ModerationFlag, Moderator
from orchestrator.safety.taxonomy import Category

OPENAI_LAYER = "openai_moderation"
BEDROCK_LAYER = "bedrock_guardrail"
OPENAI_MODERATION_MODEL = "omni-moderation-latest"
DEFAULT_TIMEOUT_SECONDS = 5.0
OPENAI_BATCH = 32
"""Texts per moderation request (a request's free text is rarely more than a few)."""

OPENAI_CATEGORIES: dict[str, Category] = {
    "harassment": Category.HATE_HARASSMENT,
    "harassment/threatening": Category.HATE_HARASSMENT,
    "hate": Category.HATE_HARASSMENT,
    "hate/threatening": Category.HATE_HARASSMENT,
    "illicit": Category.OTHER_ILLICIT,
    "illicit/violent": Category.VIOLENCE_WEAPONS,
    "self-harm": Category.SELF_HARM,
    "self-harm/intent": Category.SELF_HARM,
    "self-harm/instructions": Category.SELF_HARM,
    "sexual": Category.SEXUAL_CONTENT,
    "sexual/minors": Category.SEXUAL_MINORS,
    "violence": Category.VIOLENCE_WEAPONS,
    "violence/graphic": Category.VIOLENCE_WEAPONS,
}
"""OpenAI's moderation categories -> ours (a flagged result in none of them: ``other_illicit``)."""

BEDROCK_FILTERS: dict[str, Category] = {
    "SEXUAL": Category.SEXUAL_CONTENT,
    "VIOLENCE": Category.VIOLENCE_WEAPONS,
    "HATE": Category.HATE_HARASSMENT,
    "INSULTS": Category.HATE_HARASSMENT,
    "MISCONDUCT": Category.OTHER_ILLICIT,
    "PROMPT_ATTACK": Category.PROMPT_INJECTION,
}
"""A guardrail's content filters -> ours. A denied topic named after one of our categories
(``malware_intrusion``, "Illegal drugs") maps to it; other topics and word filters to ``other_illicit``;
blocked personal information to ``privacy_doxxing``."""


class OpenAIModeration:
    """``client.moderations.create`` with ``omni-moderation-latest``, one call per request."""

    layer = OPENAI_LAYER

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        client: Any | None = None,
        http_client: Any | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        model: str = OPENAI_MODERATION_MODEL,
    ) -> None:
        """``client``: a ready ``openai.OpenAI``; else one is made on first use with ``api_key``
        (``http_client``: the HTTP client it uses, tests pass one over a mock transport)."""
        self._api_key = api_key
        self._base_url = base_url
        self._client = client
        self._http_client = http_client
        self.timeout_seconds = timeout_seconds
        self.model = model

    def _sdk_client(self) -> Any:
        if self._client is None:
            import openai

            self._client = openai.OpenAI(
                api_key=self._api_key,
                base_url=self._base_url,
                max_retries=0,
                timeout=self.timeout_seconds,
                http_client=self._http_client,
            )
        return self._client

    def moderate(self, texts: Sequence[str]) -> list[ModerationFlag]:
        flags: list[ModerationFlag] = []
        for start in range(0, len(texts), OPENAI_BATCH):
            flags += self._moderate(list(texts[start : start + OPENAI_BATCH]), start)
        return flags

    def _moderate(self, texts: list[str], offset: int) -> list[ModerationFlag]:
        response = self._sdk_client().moderations.create(
            model=self.model, input=texts, timeout=self.timeout_seconds
        )
        flags: list[ModerationFlag] = []
        for index, result in enumerate(response.results, offset):
            named = result.categories.model_dump(by_alias=True)
            found = [
                ModerationFlag(OPENAI_CATEGORIES[label], index, label)
                for label, flagged in named.items()
                if flagged and label in OPENAI_CATEGORIES
            ]
            if result.flagged and not found:
                found = [ModerationFlag(Category.OTHER_ILLICIT, index, "flagged")]
            flags += found
        return flags


def provider_moderation(provider: Any, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS) -> list[Moderator]:
    """The moderation a model provider offers through its own client (OpenAI's), or none."""
    offered = getattr(provider, "moderation", None)
    moderation = offered(timeout_seconds) if callable(offered) else None
    return [moderation] if moderation is not None else []


class BedrockGuardrail:
    """Bedrock's ``ApplyGuardrail`` on the request's texts as input (``source="INPUT"``)."""

    layer = BEDROCK_LAYER

    def __init__(
        self,
        guardrail_id: str,
        version: str = "DRAFT",
        *,
        client: Any | None = None,
        region: str | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.guardrail_id = guardrail_id
        self.version = version
        self.region = region
        self.timeout_seconds = timeout_seconds
        self._client = client

    def _boto_client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(
                retries={"total_max_attempts": 1, "mode": "standard"},
                connect_timeout=min(3.0, self.timeout_seconds),
                read_timeout=self.timeout_seconds,
            )
            self._client = boto3.client("bedrock-runtime", region_name=self.region, config=config)
        return self._client

    def moderate(self, texts: Sequence[str]) -> list[ModerationFlag]:
        response = self._boto_client().apply_guardrail(
            guardrailIdentifier=self.guardrail_id,
            guardrailVersion=self.version,
            source="INPUT",
            content=[{"text": {"text": text}} for text in texts],
        )
        if response.get("action") != "GUARDRAIL_INTERVENED":
            return []
        flags = [
            flag for assessment in response.get("assessments", []) for flag in _assessment_flags(assessment)
        ]
        return flags or [ModerationFlag(Category.OTHER_ILLICIT, None, "GUARDRAIL_INTERVENED")]


def _blocked(entry: dict[str, Any]) -> bool:
    return entry.get("action") == "BLOCKED" and entry.get("detected", True) is not False


def _topic_category(name: str) -> Category:
    key = "_".join(name.lower().replace("-", " ").replace("&", " ").split())
    try:
        return Category(key)
    except ValueError:
        aliases = {c.value.split("_")[0]: c for c in Category}
        return aliases.get(key.split("_")[0], Category.OTHER_ILLICIT)


def _assessment_flags(assessment: dict[str, Any]) -> list[ModerationFlag]:
    flags = [
        ModerationFlag(
            BEDROCK_FILTERS.get(str(f.get("type")), Category.OTHER_ILLICIT), None, str(f.get("type"))
        )
        for f in assessment.get("contentPolicy", {}).get("filters", [])
        if _blocked(f)
    ]
    flags += [
        ModerationFlag(_topic_category(str(t.get("name", ""))), None, f"topic:{t.get('name', '')}")
        for t in assessment.get("topicPolicy", {}).get("topics", [])
        if _blocked(t)
    ]
    words = assessment.get("wordPolicy", {})
    if any(_blocked(w) for w in [*words.get("customWords", []), *words.get("managedWordLists", [])]):
        flags.append(ModerationFlag(Category.OTHER_ILLICIT, None, "words"))
    pii = assessment.get("sensitiveInformationPolicy", {})
    if any(_blocked(p) for p in [*pii.get("piiEntities", []), *pii.get("regexes", [])]):
        flags.append(ModerationFlag(Category.PRIVACY_DOXXING, None, "sensitive-information"))
    return flags
