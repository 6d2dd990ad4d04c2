"""Agents of the ``web_development`` template: a web application from the idea to its release.

ideation -> requirements -> architecture -> (frontend design | backend development) in parallel
         -> integration -> test plan -> deployment

Every phase answers with its own schema and writes its deliverable, rendered from that
structured answer, to the tenant's workspace under ``projects/<run id>/`` (the backend's API
also as an OpenAPI document). Integration checks in code that every call the frontend makes is
served by the backend with the fields it sends and expects; the deployment announces the
release on the bus (``deployments``/``release``). A failure, a rejection or a cancel undoes all
of it, newest first.
"""

from __future__ import annotations

from orchestrator.agents.web_development.agents import AGENTS

__all__ = ["AGENTS"]
