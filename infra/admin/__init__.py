"""Operating a deployment, the local cloud's or a deployed stack's: tenant onboarding (tenants.py)."""
