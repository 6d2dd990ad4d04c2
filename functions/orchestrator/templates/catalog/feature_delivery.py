"""``feature_delivery``: an enterprise feature from analysis to a staged deployment.

business analyst -> backend developer -> testing engineer -> security review
                 -> approval gate -> deployment engineer (blue_green, canary or rolling)
"""

from __future__ import annotations

from typing import Any

INPUTS = "orchestrator.agents.feature_delivery.schemas:FeatureDeliveryInputs"
"""The model of the run's ``inputs`` (imported only where a run's inputs are checked)."""

DECLARATION: dict[str, Any] = {
    "name": "feature_delivery",
    "title": "Feature delivery",
    "description": (
        "User stories, backend code, tests and a security review of one feature, a human release "
        "approval, then a staged deployment by the strategy the request chose (inputs.deployment: "
        "blue_green, canary or rolling). A stage that fails its health checks rolls back every "
        "stage applied, and the run's work is undone."
    ),
    "timeout_minutes": 180,
    "steps": [
        {
            "kind": "agent",
            "name": "analysis",
            "agent": "feature_business_analyst",
            "title": "Analyse feature",
        },
        {
            "kind": "agent",
            "name": "backend",
            "agent": "feature_backend_developer",
            "title": "Develop backend",
        },
        {"kind": "agent", "name": "testing", "agent": "feature_testing_engineer", "title": "Write tests"},
        {
            "kind": "agent",
            "name": "security",
            "agent": "feature_security_reviewer",
            "title": "Review security",
        },
        {
            "kind": "approval",
            "name": "release_approval",
            "title": "Approve release",
            "timeout_seconds": 3600,
            "question": "Deploy this feature with the plan the deployment engineer will apply?",
        },
        {"kind": "agent", "name": "deploy", "agent": "feature_deployment_engineer", "title": "Deploy"},
    ],
}

DEMO: dict[str, Any] = {
    "topic": "Customers can save items to a wishlist, share it by link and get a price-drop alert",
    "inputs": {"deployment": {"strategy": "canary", "service": "wishlist", "environment": "staging"}},
}
