"""``data_science``: a predictive model from the problem to its deployment.

problem definition -> (data collection | evaluation plan) in parallel -> data exploration
                   -> model development -> model validation (may reject) -> deployment

The evaluation plan needs the problem only, not the data, so it is written while the data is
collected. A model that misses the success metric is not deployed: the run is rejected and
everything it wrote is undone.
"""

from __future__ import annotations

from typing import Any

DECLARATION: dict[str, Any] = {
    "name": "data_science",
    "title": "Data science project",
    "description": (
        "The problem framed with a success metric and its threshold, then the data sources and the "
        "evaluation plan (metrics, baseline, validation scheme) in parallel, the data explored "
        "(features, missing rates, quality issues, leakage), candidate models and the chosen one, "
        "a validation of every metric against its threshold that rejects a failing model, and a "
        "deployment with monitoring and a retraining trigger that announces the release. Each "
        "phase writes its document to projects/<run id>/ in the workspace; a failure undoes all of it."
    ),
    "timeout_minutes": 120,
    "steps": [
        {"kind": "agent", "name": "problem", "agent": "ds_problem_definition", "title": "Define the problem"},
        {
            "kind": "parallel",
            "name": "prepare",
            "title": "Collect data and plan evaluation",
            "branches": {
                "data": [
                    {
                        "kind": "agent",
                        "name": "collect",
                        "agent": "ds_data_collection",
                        "title": "Collect data",
                    }
                ],
                "evaluation": [
                    {
                        "kind": "agent",
                        "name": "metrics",
                        "agent": "ds_evaluation_plan",
                        "title": "Define metrics and baseline",
                    }
                ],
            },
        },
        {"kind": "agent", "name": "explore", "agent": "ds_data_exploration", "title": "Explore data"},
        {"kind": "agent", "name": "model", "agent": "ds_model_development", "title": "Develop model"},
        {"kind": "agent", "name": "validate", "agent": "ds_model_validation", "title": "Validate model"},
        {"kind": "agent", "name": "deploy", "agent": "ds_deployment", "title": "Deploy model"},
    ],
}

DEMO: dict[str, Any] = {
    "topic": "Predict which subscribers of a streaming service will cancel in the next 30 days",
}
