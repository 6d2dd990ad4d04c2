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


def emit_queue_wait(seconds: float, *, tenant_id: str, run_id: str) -> None:
    """``QueueWaitTime`` (seconds): how long a run waited in its tenant's queue before it started.
    One EMF record, written at once (whatever the handler flushes); the tenant and run are
    properties of the record, not dimensions (one metric for all tenants)."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(
        name="QueueWaitTime",
        unit=MetricUnit.Seconds,
        value=max(0.0, seconds),
        namespace=METRICS_NAMESPACE,
        default_dimensions={"service": SERVICE_NAME},
    ) as metric:
        metric.add_metadata(key="tenant_id", value=tenant_id)
        metric.add_metadata(key="run_id", value=run_id)
