"""The templates this product ships, one module each: a declaration (data) and, where the
template takes more than a topic, the pydantic model of its ``inputs``.

A module here is named after its template and exports ``DECLARATION`` (the step graph, validated
by ``orchestrator.templates.graph.build_template``) and optionally ``INPUTS`` (``"module:Class"``
of a ``RequestModel`` subclass; ``POST /runs`` validates ``inputs`` against it and answers 400
naming the field). Adding a template is a module here, its name in ``NAMES``, and its agents in
``orchestrator.agents``; the generator in ``infra/`` makes its state machine without any change.

A function imports only the modules of the templates it uses (``module``); ``MODULES`` imports
them all.
"""

from __future__ import annotations

import importlib
from types import ModuleType

NAMES: tuple[str, ...] = (
    "generic",
    "feature_delivery",
    "graph_showcase",
    "sales_call_analysis",
    "web_development",
    "data_science",
    "agent_pipeline",
    "repo_ingestion",
    "change_request",
)
"""Every shipped template, in the order ``GET /templates`` lists them; each is the module of that name."""


def module(name: str) -> ModuleType:
    """The catalog module of template ``name`` (``KeyError`` if it is not one of ``NAMES``)."""
    if name not in NAMES:
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}")


def __getattr__(name: str) -> tuple[ModuleType, ...]:
    if name == "MODULES":  # every catalog module, in the order of NAMES
        return tuple(module(template) for template in NAMES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
