"""Each function's memory size on the synthesized template: the measured choice per handler
(``orchestrator.core.memory_sizes``), overridable per handler and per agent type with the CDK context
``functionMemory``; the functions that price runs are told the sizes they estimate with."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orchestrator.core import constants
from orchestrator.core.memory_sizes import (
    MEMORY_MB,
    VCPU_MB,
    check_agent_overrides,
    memory_of,
    parse_memory_overrides,
)
from tests.synthesized import resources_of_type, synthesized_template

OVERRIDES = {"api": 1536, "run_agent:design": 1024, "audit_writer": 128}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return synthesized_template()


def _functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Our functions (``handlers.<name>.handler``) by logical id (CDK's own helpers left out)."""
    return {
        lid: fn["Properties"]
        for lid, fn in resources_of_type(template, "AWS::Lambda::Function").items()
        if fn["Properties"]["Handler"].startswith("handlers.")
    }


def _handler(properties: dict[str, Any]) -> str:
    return str(properties["Handler"].split(".")[1])


def test_every_function_gets_the_size_chosen_for_its_handler(template: dict[str, Any]) -> None:
    functions = _functions(template)
    # Every handler deployed has a chosen size, and every size in the table belongs to a deployed handler
    assert {_handler(p) for p in functions.values()} == set(MEMORY_MB)
    for lid, properties in functions.items():
        assert properties["MemorySize"] == MEMORY_MB[_handler(properties)], lid
    # The API, whose cold start a user waits for, gets more CPU than any function off the user's path
    sizes = {_handler(p): p["MemorySize"] for p in functions.values()}
    assert sizes["api"] == 1024 and sizes["api"] < VCPU_MB
    assert sizes["run_agent"] == 512
    assert sizes["authorizer"] == sizes["websocket_authorizer"] == 512
    assert {size for handler, size in sizes.items() if handler not in ("api", "run_agent")} <= {256, 512}
    # Without overrides, no function is told of any
    assert not any(constants.ENV_FUNCTION_MEMORY in p["Environment"]["Variables"] for p in functions.values())


def test_no_function_uses_snapstart_though_its_runtime_could(template: dict[str, Any]) -> None:
    # SnapStart supports python3.12 and later; it is not enabled (README, "SnapStart: not enabled"):
    # no snapshot is cached or restored, and nothing invokes a published version or an alias
    functions = _functions(template)
    assert {p["Runtime"] for p in functions.values()} == {"python3.12"}
    assert not any("SnapStart" in p for p in functions.values())
    assert not resources_of_type(template, "AWS::Lambda::Version")
    assert not resources_of_type(template, "AWS::Lambda::Alias")


def test_sizes_are_overridden_per_handler_and_per_agent_type() -> None:
    # Given a deployment that gives the API and the design agent more memory, the audit writer less
    template = synthesized_template(functionMemory=json.dumps(OVERRIDES))
    functions = _functions(template)
    by_id = {lid: p["MemorySize"] for lid, p in functions.items()}
    # Then those functions have the sizes asked for, every other agent keeps the default
    assert [size for lid, size in by_id.items() if lid.startswith("FunctionsApi")] == [1536]
    assert [size for lid, size in by_id.items() if lid.startswith("FunctionsAgentdesign")] == [1024]
    agents = {lid: size for lid, size in by_id.items() if lid.startswith("FunctionsAgent")}
    assert len(agents) > 2
    assert {size for lid, size in agents.items() if not lid.startswith("FunctionsAgentdesign")} == {512}
    assert {p["MemorySize"] for p in functions.values() if _handler(p) == "audit_writer"} == {128}
    # And the functions that price a run (GET /runs/{id}, the run's end) estimate with those sizes
    told = {
        _handler(p): json.loads(p["Environment"]["Variables"][constants.ENV_FUNCTION_MEMORY])
        for p in functions.values()
        if constants.ENV_FUNCTION_MEMORY in p["Environment"]["Variables"]
    }
    assert told == {"api": OVERRIDES, "run_status": OVERRIDES}


def test_an_override_follows_the_handler_then_the_agent_type() -> None:
    assert memory_of("run_agent", OVERRIDES, agent="design") == 1024
    assert memory_of("run_agent", OVERRIDES, agent="review") == MEMORY_MB["run_agent"]
    assert memory_of("api", OVERRIDES) == 1536
    assert memory_of("run_status", OVERRIDES) == MEMORY_MB["run_status"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("{", "JSON object"),
        ("[512]", "JSON object"),
        ('{"apii": 512}', "unknown handler 'apii'"),
        ('{"run_agent:": 512}', "unknown handler 'run_agent:'"),
        ('{"api": 64}', "functionMemory['api'] must be a whole number of MB from 128 to 10240, got 64"),
        ('{"api": 10241}', "from 128 to 10240"),
        ('{"api": "512"}', "whole number"),
        ('{"api": true}', "whole number"),
    ],
)
def test_a_bad_override_is_refused_naming_it(value: str, problem: str) -> None:
    with pytest.raises(ValueError, match="functionMemory") as refused:
        parse_memory_overrides(value)
    assert problem in str(refused.value)


def test_an_override_of_an_agent_type_the_deployment_lacks_is_refused() -> None:
    check_agent_overrides({"run_agent:design": 1024}, ["design", "review"])
    with pytest.raises(ValueError, match=r"no agent type for run_agent:desing; known: design, review"):
        check_agent_overrides({"run_agent:desing": 1024}, ["design", "review"])
