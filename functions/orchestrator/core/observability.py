"""Logger, Tracer and Metrics: created once here, imported by every handler."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

from orchestrator.core.constants import METRICS_NAMESPACE, SERVICE_NAME

logger = Logger(service=SERVICE_NAME)
# Only botocore is traced: provider SDKs are imported lazily and patching every supported
# library at import would cost every cold start ~25 ms (see bench/handler_imports.py).
tracer = Tracer(service=SERVICE_NAME, patch_modules=["botocore"])
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)


def bind_run(tenant_id: str, run_id: str, correlation_id: str, **extra: str) -> None:
    """Every log line of this invocation carries the run's identity and correlation id."""
    logger.set_correlation_id(correlation_id)
    logger.append_keys(tenant_id=tenant_id, run_id=run_id, **extra)
