"""Every function the stack deploys is given each setting its handler cannot start without."""

from __future__ import annotations

from typing import Any

from orchestrator.core import constants
from orchestrator.core.settings import REQUIRED_BY_FUNCTION, Settings, variable_of
from tests.synthesized import resources_of_type, synthesized_template


def _handlers() -> dict[str, list[dict[str, Any]]]:
    deployed: dict[str, list[dict[str, Any]]] = {}
    for function in resources_of_type(synthesized_template(), "AWS::Lambda::Function").values():
        handler = str(function["Properties"].get("Handler", ""))
        if handler.startswith("handlers."):
            module = handler.split(".")[1]
            variables = function["Properties"].get("Environment", {}).get("Variables", {})
            deployed.setdefault(module, []).append(variables)
    return deployed


def test_each_function_has_the_settings_it_requires() -> None:
    deployed = _handlers()
    assert set(deployed) == set(REQUIRED_BY_FUNCTION), "every handler is deployed, and only those"
    for module, functions in deployed.items():
        for variables in functions:
            missing = [name for name in REQUIRED_BY_FUNCTION[module] if not variables.get(variable_of(name))]
            assert not missing, f"{module} is deployed without {missing}"


def test_each_variable_the_stack_writes_is_a_setting_or_the_runtimes_own() -> None:
    known = {info.alias for info in Settings.model_fields.values()}
    others = {
        "POWERTOOLS_SERVICE_NAME",
        "POWERTOOLS_METRICS_NAMESPACE",
        "POWERTOOLS_LOG_LEVEL",
        "LOG_LEVEL",
        constants.ENV_TENANT_DATA_ACCESS_ROLE,  # read by the boto3 client factory, per DynamoDB client
    }
    for functions in _handlers().values():
        for variables in functions:
            assert not set(variables) - known - others
