"""Tenants: plans and limits, roles, tenant-scoped credentials, budgets."""
