"""Provider calls for the circuit tests, in memory (tests/unit/test_provider_circuits.py) and on
moto (tests/integration/test_provider_circuits_dynamodb.py)."""

from __future__ import annotations

import pytest

from orchestrator.llm.circuits import ProviderCircuits


class Provider:
    """A provider call that fails with the errors given, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "answer"


def fail(circuits: ProviderCircuits, provider: str, error: Exception, times: int) -> None:
    """``times`` calls through ``circuits`` that each fail with ``error`` (and are seen to)."""
    for _ in range(times):
        with pytest.raises(type(error)):
            circuits.call(provider, Provider(error))
