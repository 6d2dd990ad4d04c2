"""``sales_call_analysis``: MEDDPIC qualification of a sales call transcript.

transcript intake -> MEDDPIC extraction (quotes checked against the transcript) -> call report
(written to the workspace, CRM updated by an integration event; both undone on failure)
"""

from __future__ import annotations

from typing import Any

INPUTS = "orchestrator.agents.sales_calls.schemas:SalesCallInputs"
"""The model of the run's ``inputs`` (imported only where a run's inputs are checked)."""

DECLARATION: dict[str, Any] = {
    "name": "sales_call_analysis",
    "title": "Sales call analysis (MEDDPIC)",
    "description": (
        "Reads a call transcript (inputs.transcript, or inputs.transcript_upload_id from POST /uploads), "
        "extracts the 8 MEDDPIC elements with exact evidence quotes and a confidence each, flags weak "
        "qualifications for review, writes the call report and updates the CRM."
    ),
    "steps": [
        {"kind": "agent", "name": "intake", "agent": "sales_transcript_intake", "title": "Read transcript"},
        {"kind": "agent", "name": "meddpic", "agent": "sales_meddpic_extractor", "title": "Extract MEDDPIC"},
        {"kind": "agent", "name": "report", "agent": "sales_call_reporter", "title": "Write call report"},
    ],
}

DEMO: dict[str, Any] = {
    "topic": "Discovery call with a logistics customer",
    "inputs": {
        "transcript_upload_id": {"$upload_file": "samples/transcripts/discovery_call.txt"},
        "account": "Northwind Logistics",
    },
}
