"""``feature_delivery``: design, build, review and ship one feature."""

from __future__ import annotations

from typing import Any

DECLARATION: dict[str, Any] = {
    "name": "feature_delivery",
    "title": "Feature delivery",
    "description": "Design, build, review and ship one feature (reuses the generic agents).",
    "steps": [
        {"kind": "agent", "name": phase, "agent": phase}
        for phase in ("design", "development", "review", "deployment")
    ],
}
