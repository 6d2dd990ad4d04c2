"""What a ``web_development`` agent reads of the earlier phases, and the topic's capabilities."""

from __future__ import annotations

import re

from pydantic import ValidationError

from orchestrator.agents.base import AgentContext, OutputT
from orchestrator.agents.documents import clip
from orchestrator.agents.web_development.schemas import (
    BackendDesign,
    FrontendDesign,
    RequirementsOutput,
    UserStory,
)


# --- reading earlier outputs ----------------------------------------------------------------
def earlier_output(context: AgentContext, agent: str, model: type[OutputT]) -> OutputT | None:
    """The latest earlier output of ``agent`` as its model (None: absent or not of that shape)."""
    data = context.output_of(agent)
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def earlier_stories(context: AgentContext) -> list[UserStory]:
    requirements = earlier_output(context, "web_requirements", RequirementsOutput)
    return list(requirements.stories) if requirements else []


def integration_sides(context: AgentContext) -> tuple[FrontendDesign | None, BackendDesign | None]:
    """The frontend design and the backend design the integration checks against each other."""
    return (
        earlier_output(context, "web_frontend_design", FrontendDesign),
        earlier_output(context, "web_backend_development", BackendDesign),
    )


# --- the topic's capabilities --------------------------------------------------------------
def share(part: int, whole: int, empty: float = 1.0) -> float:
    return part / whole if whole else empty


_PRODUCT = re.compile(
    r"^.*?\b(?:app|application|site|website|platform|service|tool|portal|dashboard|system|marketplace|"
    r"shop|store)\b.*?\b(?:to|where \w+|that lets \w+|lets \w+|helps \w+(?: to)?|so \w+ can)\s+",
    re.IGNORECASE,
)
_STOP = frozenset({"for", "with", "of", "in", "on", "by", "to", "from", "at", "into", "per", "across"})
_ARTICLES = frozenset({"a", "an", "the", "their", "his", "her", "my", "our", "your", "its", "all"})
_IMPERATIVE = re.compile(r"^(?:build|create|make|develop|design|implement|write|ship)\s+", re.IGNORECASE)
_NOUN_FIRST = re.compile(r"^(?:with|plus|also|a|an|the|some)\s+", re.IGNORECASE)
_VAGUE = frozenset(
    {"them", "it", "this", "that", "these", "those", "automatically", "online", "easily", "quickly"}
)


def topic_features(topic: str) -> list[str]:
    """What the topic asks the application to do, one capability per clause (verb first)."""
    clauses = [c.strip(" .") for c in re.split(r",|;|\.\s|\band\b|\bthen\b|\n", topic) if c.strip(" .")]
    features: list[str] = []
    for index, clause in enumerate(clauses or [topic]):
        if index == 0:
            found = _PRODUCT.sub("", clause, count=1)
            if found == clause:  # no "app ... to <capability>": the clause names the product itself
                product = _IMPERATIVE.sub("", clause)
                found = f"use {product[:1].lower()}{product[1:]}"
        else:
            found = clause
            if _NOUN_FIRST.match(found):  # "with reviews", "a wishlist": things to use
                found = "use " + re.sub(r"^(?:with|plus|also)\s+", "", found, flags=re.IGNORECASE)
        found = found.strip()
        if found:
            features.append(clip(found[0].lower() + found[1:], 200))
    return list(dict.fromkeys(features))[:6] or ["use the application"]


def resource_of(capability: str) -> str:
    """The API resource a capability works on: ``plan weekly meals`` -> ``weekly-meals``."""
    words = re.findall(r"[a-z0-9]+", capability.lower())
    if words and words[0] == "to":
        words = words[1:]
    verb, words = (words[0] if words else "items"), words[1:]
    picked: list[str] = []
    for word in words:
        if word in _STOP:
            break
        if word not in _ARTICLES and word not in _VAGUE:
            picked.append(word)
        if len(picked) == 3:
            break
    return "-".join(picked) or verb


def entity_name(resource: str) -> str:
    words = resource.split("-")
    if words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return "".join(word.capitalize() for word in words)


def story_resources(stories: list[UserStory]) -> list[tuple[UserStory, str]]:
    """Each story with the resource it works on (distinct resources, in story order)."""
    seen: set[str] = set()
    pairs = []
    for story in stories:
        resource = resource_of(story.i_want)
        while resource in seen:
            resource = f"{resource}-{len(seen) + 1}"
        seen.add(resource)
        pairs.append((story, resource))
    return pairs
