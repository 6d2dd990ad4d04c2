"""Agents of the ``web_development``-family templates (see ``orchestrator.template_catalog``)."""

from __future__ import annotations

from orchestrator.agents.base import Agent

AGENTS: list[type[Agent]] = []
