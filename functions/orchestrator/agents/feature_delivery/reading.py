"""What a ``feature_delivery`` agent reads of the earlier steps."""

from __future__ import annotations

import re

from orchestrator.agents.base import AgentContext
from orchestrator.agents.feature_delivery.schemas import SourceFile, UserStory


def feature_slug(text: str, limit: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:limit].strip("_")
    return slug or "feature"


def earlier_stories(context: AgentContext) -> list[UserStory]:
    analysis = context.output_of("feature_business_analyst")
    return [UserStory.model_validate(s) for s in (analysis or {}).get("stories", [])]


def earlier_files(context: AgentContext) -> list[SourceFile]:
    change = context.output_of("feature_backend_developer")
    return [SourceFile.model_validate(f) for f in (change or {}).get("files", [])]
