"""Domain core of the AI orchestrator: models, templates, phases, providers, repositories."""
