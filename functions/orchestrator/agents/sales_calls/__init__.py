"""Agents of the ``sales_call_analysis`` template: MEDDPIC qualification of a sales call.

transcript intake (tool: reads the transcript, parses speakers and turns)
    -> MEDDPIC extraction (model; offline: the deterministic extractor), every quote checked
       against the transcript
    -> call report (next steps and CRM fields; writes the report and updates the CRM, undoable)

The transcript is the request's (``inputs.transcript``) or an upload (``inputs.transcript_upload_id``).
It is data: it goes into the user message as quoted material, never into instructions.
"""

from __future__ import annotations

from orchestrator.agents.sales_calls.agents import AGENTS

__all__ = ["AGENTS"]
