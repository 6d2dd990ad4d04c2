"""Model calls of agent steps: the gateway and what it applies (per-tenant model settings, routing
tiers, versioned prompts, the response cache, provider circuits). The wire to each vendor (one
provider class each, below the agents that name their types) is ``orchestrator.providers``."""
