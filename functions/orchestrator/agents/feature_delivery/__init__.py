"""Agents of the ``feature_delivery`` template: an enterprise feature, from analysis to deployment.

business analyst -> backend developer -> testing engineer -> security reviewer
                 -> approval gate -> deployment engineer

The backend developer's files and the tests are written to the tenant's workspace; the
security reviewer scans the code in code (deterministic rules) before any model looks at it
and rejects the run on a critical finding; the deployment engineer applies the strategy the
request chose (``blue_green``, ``canary``, ``rolling``) as a recorded plan of stages, each an
undoable command (``orchestrator.commands.deployment_stages``): a stage that fails its
health checks stops the run, and every stage applied is rolled back newest first.
"""

from __future__ import annotations

from orchestrator.agents.feature_delivery.agents import AGENTS

__all__ = ["AGENTS"]
