"""The operator's metrics: EMF records CloudWatch turns into metrics per template and per tenant."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.circuit_breaker import CircuitState, CircuitTransition

from orchestrator.core import operator_metrics
from orchestrator.core.constants import METRICS_NAMESPACE, SERVICE_NAME
from orchestrator.llm.circuits import ProviderCircuits


def _records(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]


def _check_emf(record: dict[str, Any]) -> dict[str, Any]:
    """The EMF specification: every dimension and metric named in the directive has a value."""
    (directive,) = record["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == METRICS_NAMESPACE
    assert isinstance(record["_aws"]["Timestamp"], int)
    for dimension_set in directive["Dimensions"]:
        assert all(isinstance(record[name], str) for name in dimension_set)
    for metric in directive["Metrics"]:
        assert isinstance(record[metric["Name"]], int | float)
    return directive


def test_a_finished_step_is_measured_per_template_and_per_tenant(capsys: pytest.CaptureFixture[str]) -> None:
    operator_metrics.step_finished(
        tenant_id="acme",
        template="generic",
        run_id="r1",
        step="design",
        latency_ms=1234,
        input_tokens=100,
        output_tokens=40,
        model_calls=1,
        cache_hit=False,
        cost_usd=0.0021,
    )
    (record,) = _records(capsys.readouterr().out)
    directive = _check_emf(record)
    assert directive["Dimensions"] == [["service"], ["service", "template"], ["service", "tenant_id"]]
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == {
        "StepLatency": "Milliseconds",
        "InputTokens": "Count",
        "OutputTokens": "Count",
        "ModelCalls": "Count",
        "CacheHits": "Count",
        "ModelCostUSD": "None",
    }
    assert (
        record["service"] == SERVICE_NAME
        and record["template"] == "generic"
        and record["tenant_id"] == "acme"
    )
    assert record["StepLatency"] == 1234 and record["CacheHits"] == 0 and record["ModelCostUSD"] == 0.0021
    assert record["run_id"] == "r1" and record["step"] == "design"  # properties, not dimensions


@pytest.mark.parametrize(
    ("error", "provider_errors"),
    [("ProviderThrottled", 1), ("ProviderTimeout", 1), ("CircuitOpen", 1), ("ModelOutputInvalid", 0)],
)
def test_a_failed_attempt_counts_provider_errors_apart(
    error: str, provider_errors: int, capsys: pytest.CaptureFixture[str]
) -> None:
    operator_metrics.step_failed(
        tenant_id="acme", template="generic", run_id="r1", step="design", error=error
    )
    (record,) = _records(capsys.readouterr().out)
    _check_emf(record)
    assert (
        record["StepErrors"] == 1 and record["ProviderErrors"] == provider_errors and record["error"] == error
    )


def test_a_circuit_that_opens_is_counted_per_provider(capsys: pytest.CaptureFixture[str]) -> None:
    opened = CircuitTransition("provider#anthropic", CircuitState.CLOSED, CircuitState.OPEN, opened_at=1)
    closed = CircuitTransition("provider#anthropic", CircuitState.HALF_OPEN, CircuitState.CLOSED)
    ProviderCircuits._log_transition(opened)
    ProviderCircuits._log_transition(closed)
    (record,) = _records(capsys.readouterr().out)
    directive = _check_emf(record)
    assert directive["Dimensions"] == [["service"], ["service", "provider"]]
    assert record["CircuitOpened"] == 1 and record["provider"] == "anthropic"
