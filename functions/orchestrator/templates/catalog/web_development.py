"""``web_development``: a web application from the idea to its release.

ideation -> requirements -> architecture -> (frontend design | backend development) in parallel
         -> integration -> test plan -> deployment

Every phase writes its deliverable to ``projects/<run id>/`` in the tenant's workspace; the
deployment announces the release (``deployments``/``release``). A failure undoes all of it.
"""

from __future__ import annotations

from typing import Any

DECLARATION: dict[str, Any] = {
    "name": "web_development",
    "title": "Web application development",
    "description": (
        "Ideas ranked and one chosen, user stories with Given/When/Then acceptance criteria, an "
        "architecture of components and interfaces, then the frontend design and the backend API "
        "in parallel, a contract check between the two, a test plan covering every story and a "
        "deployment plan that announces the release. Each phase writes its document (the API as "
        "OpenAPI) to projects/<run id>/ in the workspace; a failure undoes all of it."
    ),
    "timeout_minutes": 120,
    "steps": [
        {"kind": "agent", "name": "ideation", "agent": "web_ideation", "title": "Rank ideas"},
        {"kind": "agent", "name": "requirements", "agent": "web_requirements", "title": "Write user stories"},
        {
            "kind": "agent",
            "name": "architecture",
            "agent": "web_architecture",
            "title": "Design architecture",
        },
        {
            "kind": "parallel",
            "name": "build",
            "title": "Design frontend and build backend",
            "branches": {
                "frontend": [
                    {
                        "kind": "agent",
                        "name": "frontend",
                        "agent": "web_frontend_design",
                        "title": "Design frontend",
                    }
                ],
                "backend": [
                    {
                        "kind": "agent",
                        "name": "backend",
                        "agent": "web_backend_development",
                        "title": "Develop backend",
                    }
                ],
            },
        },
        {"kind": "agent", "name": "integration", "agent": "web_integration", "title": "Check API contracts"},
        {"kind": "agent", "name": "testing", "agent": "web_test_plan", "title": "Plan tests"},
        {"kind": "agent", "name": "deployment", "agent": "web_deployment", "title": "Plan deployment"},
    ],
}

DEMO: dict[str, Any] = {
    "topic": "A web app for families to plan weekly meals, share shopping lists and track the food budget",
}
