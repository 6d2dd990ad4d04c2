"""Request validation and tenant ids."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from pydantic import ValidationError

import orchestrator
from orchestrator.core.constants import MAX_TOPIC_LENGTH
from orchestrator.core.records import (
    DomainModel,
    RunReference,
    RunRequest,
    RunStatus,
    SimulatedFailure,
    validate_tenant_id,
)


def test_minimal_request_gets_the_generic_template_and_default_options() -> None:
    request = RunRequest.model_validate({"topic": "  Bike sharing \n"})

    assert request.template == "generic"
    assert request.topic == "Bike sharing"
    assert request.options.provider is None
    assert request.options.simulate_failure is None


@pytest.mark.parametrize("topic", ["", "   ", "\n\t"])
def test_blank_topic_is_rejected(topic: str) -> None:
    with pytest.raises(ValidationError, match="topic"):
        RunRequest.model_validate({"topic": topic})


def test_topic_over_the_maximum_length_is_rejected() -> None:
    RunRequest.model_validate({"topic": "x" * MAX_TOPIC_LENGTH})
    with pytest.raises(ValidationError, match="topic"):
        RunRequest.model_validate({"topic": "x" * (MAX_TOPIC_LENGTH + 1)})


@pytest.mark.parametrize(
    "body",
    [
        {"topic": "t", "tenant_id": "globex"},
        {"topic": "t", "options": {"temperature": 2}},
        {"topic": "t", "options": {"simulate_failure": {"phase": "design", "when": "always"}}},
    ],
    ids=["top-level", "options", "simulate-failure"],
)
def test_unknown_fields_are_rejected(body: dict[str, object]) -> None:
    # A body cannot smuggle in a tenant or options the service does not know
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        RunRequest.model_validate(body)


@pytest.mark.parametrize(
    "failure",
    [
        {"phase": "design", "times": 0},
        {"phase": "design", "times": 101},
        {"phase": "design", "error": "Boom"},
    ],
)
def test_simulated_failure_limits(failure: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SimulatedFailure.model_validate(failure)


def test_simulated_failure_defaults_to_a_permanent_failure_on_every_attempt() -> None:
    failure = SimulatedFailure(step="design")
    assert (failure.times, failure.error) == (None, "SimulatedPhaseFailure")


@pytest.mark.parametrize("tenant_id", ["acme", "acme-corp", "t1", "a_b", "0" * 63])
def test_valid_tenant_ids(tenant_id: str) -> None:
    assert validate_tenant_id(tenant_id) == tenant_id


@pytest.mark.parametrize(
    "tenant_id", ["acme#other", "Acme", "ACME", "a", "", "-acme", "acme corp", "a" * 64, "acme/x"]
)
def test_invalid_tenant_ids_are_rejected(tenant_id: str) -> None:
    with pytest.raises(ValueError, match="tenant id"):
        validate_tenant_id(tenant_id)


def test_state_machine_input_rejects_an_invalid_tenant() -> None:
    with pytest.raises(ValidationError, match="tenant id"):
        RunReference(tenant_id="acme#x", run_id="r", correlation_id="c", template="generic")


def test_final_statuses() -> None:
    assert {status for status in RunStatus if status.is_final} == {
        RunStatus.SUCCEEDED,
        RunStatus.COMPENSATED,
        RunStatus.COMPENSATION_FAILED,
        RunStatus.FAILED_TO_START,
        RunStatus.REJECTED,
        RunStatus.CANCELLED,
    }


def _every_domain_model() -> set[type[DomainModel]]:
    """Every model of the functions' code (every module imported: at collection, when tests may
    still open sockets, as X-Ray's recorder does when it loads)."""
    for module in pkgutil.walk_packages(orchestrator.__path__, "orchestrator."):
        importlib.import_module(module.name)

    def subclasses(cls: type[DomainModel]) -> set[type[DomainModel]]:
        found = set(cls.__subclasses__())
        return found.union(*(subclasses(sub) for sub in found))

    return subclasses(DomainModel)


DOMAIN_MODELS = _every_domain_model()


def test_every_domain_model_builds() -> None:
    # A domain model's validator is built on first use, not at import: a model that cannot be
    # built must fail here rather than in the first invocation that uses it.
    assert len(DOMAIN_MODELS) > 100
    for model in DOMAIN_MODELS:
        model.model_rebuild(force=True)  # raises naming the field it cannot build
        assert model.__pydantic_complete__, model
