"""Agents of the ``agent_pipeline`` template: one role per step, each with a schema of its own.

intent parser -> planner -> safety checker (code, may reject) -> router (code, estimates cost)
              -> one executor per routed task (bounded map) -> reporter (code)

- The safety checker is a tool: the safety policy's rules (``orchestrator.safety``) run over the
  topic, the run's inputs, the parsed intent and every planned task's text, so an injection or a
  request the policy refuses is refused the same way whatever a model would have said, and no
  model is called after it.
- The router is a tool: each task's executor kind and model tier follow the rules of ``routing``
  (``KIND_RULES``, ``TIER_RULES``), its cost is estimated before anything is executed, and a
  run whose estimate exceeds ``inputs.budget_usd`` is first moved to smaller models, then
  refused.
- Executors write their deliverables to ``pipelines/<run>/tasks/``; the reporter accounts for
  every task (outcome, tokens, cost) from the executors' results and writes
  ``pipelines/<run>/report.md``. A failure, a rejection or a cancel undoes all of it.

Everything the request says is data: the system prompts are fixed texts (title, goal, schema).
"""

from __future__ import annotations

from orchestrator.agents.agent_pipeline.agents import AGENTS

__all__ = ["AGENTS"]
