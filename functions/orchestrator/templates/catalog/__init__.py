"""The templates this product ships, one module each: a declaration (data) and, where the
template takes more than a topic, the pydantic model of its ``inputs``.

A module here exports ``DECLARATION`` (the step graph, validated by
``orchestrator.templates.graph.build_template``) and optionally ``INPUTS`` (``"module:Class"`` of a
``RequestModel`` subclass; ``POST /runs`` validates ``inputs`` against it and answers 400 naming the field).
Adding a template is a module here plus its agents in ``orchestrator.agents``; the
generator in ``infra/`` makes its state machine without any change.
"""

from __future__ import annotations

from types import ModuleType

from orchestrator.templates.catalog import (
    agent_pipeline,
    data_science,
    feature_delivery,
    generic,
    graph_showcase,
    repo_ingestion,
    sales_call_analysis,
    web_development,
)

MODULES: tuple[ModuleType, ...] = (
    generic,
    feature_delivery,
    graph_showcase,
    sales_call_analysis,
    web_development,
    data_science,
    agent_pipeline,
    repo_ingestion,
)
