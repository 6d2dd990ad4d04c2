"""In-memory stand-ins for the product's ports, shared by unit and integration tests:
run_data (runs, step results, command log, workspace, events, publisher, starter, task tokens,
idempotency), circuits, prompt_store, response_cache, tenant_settings, usage_ledger, vector_store."""
