"""Answers of the local cloud's API, recorded from real runs, for the CLI's rendering tests (the
agents' ``data`` outputs left out):

- ``run_views_throttled.json``: ``GET /runs/{id}`` of a generic run whose research step was throttled
  twice (600 ms offline answers), from PENDING through RUNNING/RETRYING to SUCCEEDED;
- ``run_views_showcase.json``: a graph_showcase run with its map running, at its approval gate, and
  SUCCEEDED after approval;
- ``run_view_compensated.json``: a generic run whose design step failed for good (COMPENSATED);
- ``timeline_throttled.json``: ``GET /runs/{id}/timeline`` of the throttled run;
- ``runs_list.json``: ``GET /runs?limit=2`` (a page with a next cursor);
- ``run_not_found.json``: the status and body of ``GET /runs/nope``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).parent


def recorded(name: str) -> Any:
    return json.loads((FOLDER / f"{name}.json").read_text())
