"""The metrics an operator watches, per template and per tenant, as CloudWatch embedded metric
format (EMF) records in the function's log: CloudWatch turns each record into metric data points,
with no API call and no extra latency.

Each record is published under three dimension sets: ``[service]`` (what the alarms watch),
``[service, template]`` and ``[service, tenant_id]`` (what the dashboard's searches draw). A new
tenant therefore adds one custom metric per name (CloudWatch bills custom metrics per month);
``run_id`` and the step travel as properties, searchable in Logs Insights, not as dimensions.

Powertools' ``Metrics`` writes one dimension set per record; these records need three, so they are
written here, in the same format (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).

- ``StepLatency`` (ms), ``InputTokens``, ``OutputTokens``, ``ModelCalls``, ``CacheHits`` (count)
  and ``ModelCostUSD`` (no unit): one record per finished step attempt;
- ``StepErrors`` and ``ProviderErrors`` (count): one record per failed attempt, the second 1 when
  the error came from the model provider (throttled, unavailable, timed out, request refused);
- ``CircuitOpened`` (count, ``[service, provider]``): a provider's circuit opened.
- ``WebhookEndpointsDisabled`` (count, ``[service]``, ``[service, tenant_id]``): a webhook endpoint
  was disabled.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from orchestrator.core.constants import METRICS_NAMESPACE, SERVICE_NAME

PROVIDER_ERROR_NAMES = frozenset(
    {"ProviderThrottled", "ProviderUnavailable", "ProviderTimeout", "ProviderRequestRejected", "CircuitOpen"}
)
STEP_DIMENSION_SETS = [["service"], ["service", "template"], ["service", "tenant_id"]]


def emf_record(
    values: dict[str, tuple[float, str]],
    dimensions: dict[str, str],
    dimension_sets: list[list[str]],
    properties: dict[str, Any] | None = None,
    *,
    timestamp_ms: int | None = None,
) -> dict[str, Any]:
    """One EMF record: ``values`` maps a metric name to (value, unit)."""
    return {
        "_aws": {
            "Timestamp": timestamp_ms if timestamp_ms is not None else int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": METRICS_NAMESPACE,
                    "Dimensions": dimension_sets,
                    "Metrics": [{"Name": name, "Unit": unit} for name, (_, unit) in values.items()],
                }
            ],
        },
        **(properties or {}),
        **dimensions,
        **{name: value for name, (value, _) in values.items()},
    }


def _write(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, separators=(",", ":"), default=str) + "\n")
    sys.stdout.flush()


def step_finished(
    *,
    tenant_id: str,
    template: str,
    run_id: str,
    step: str,
    latency_ms: int,
    input_tokens: int,
    output_tokens: int,
    model_calls: int,
    cache_hit: bool,
    cost_usd: float,
) -> None:
    _write(
        emf_record(
            {
                "StepLatency": (latency_ms, "Milliseconds"),
                "InputTokens": (input_tokens, "Count"),
                "OutputTokens": (output_tokens, "Count"),
                "ModelCalls": (model_calls, "Count"),
                "CacheHits": (1 if cache_hit else 0, "Count"),
                "ModelCostUSD": (cost_usd, "None"),
            },
            {"service": SERVICE_NAME, "template": template, "tenant_id": tenant_id},
            STEP_DIMENSION_SETS,
            {"run_id": run_id, "step": step},
        )
    )


def step_failed(*, tenant_id: str, template: str, run_id: str, step: str, error: str) -> None:
    _write(
        emf_record(
            {
                "StepErrors": (1, "Count"),
                "ProviderErrors": (1 if error in PROVIDER_ERROR_NAMES else 0, "Count"),
            },
            {"service": SERVICE_NAME, "template": template, "tenant_id": tenant_id},
            STEP_DIMENSION_SETS,
            {"run_id": run_id, "step": step, "error": error},
        )
    )


def circuit_opened(provider: str) -> None:
    _write(
        emf_record(
            {"CircuitOpened": (1, "Count")},
            {"service": SERVICE_NAME, "provider": provider},
            [["service"], ["service", "provider"]],
        )
    )


def webhook_endpoint_disabled(*, tenant_id: str) -> None:
    """A tenant's webhook endpoint was disabled (its deliveries kept failing): an alarm tells operators."""
    _write(
        emf_record(
            {"WebhookEndpointsDisabled": (1, "Count")},
            {"service": SERVICE_NAME, "tenant_id": tenant_id},
            [["service"], ["service", "tenant_id"]],
        )
    )
