"""Agents of the ``data_science`` template: a predictive model from the problem to its deployment.

problem definition -> (data collection | evaluation plan) in parallel -> data exploration
                   -> model development -> model validation (may reject) -> deployment

The evaluation plan (metrics, thresholds, baseline, validation scheme) needs only the problem,
not the data, so it is written while the data is collected. Validation compares every metric
with its threshold in code; a model that fails the problem's success metric is not deployed:
the run is rejected and everything undone. Every phase writes its deliverable to the tenant's
workspace under ``projects/<run id>/``; the deployment announces the release on the bus
(``deployments``/``release``).
"""

from __future__ import annotations

from orchestrator.agents.data_science.agents import AGENTS

__all__ = ["AGENTS"]
