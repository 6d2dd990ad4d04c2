"""What a cold start imports: each handler, loaded as Lambda loads it (the runtime's variables and
its function's settings, ``bench/handler_imports.py``'s environment), leaves out the modules that
cost every cold start and that no invocation needs at init. ``make bench`` measures the time;
these tests fail as soon as one of them comes back into a handler's import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from handler_imports import REPO, child_env, declared_settings, handler_modules  # noqa: E402

HEAVY = {
    "anthropic": "a provider SDK: imported when a provider is first built",
    "openai": "a provider SDK: imported when a provider is first built",
    "pydantic_settings": "its CLI, dotenv and cloud sources; the settings read their variables themselves",
    "asyncio": "brought by wrapt 2 under the X-Ray SDK; wrapt is pinned to 1.17",
}
NEEDS_ASYNCIO = {
    # Powertools' own packages import it in their __init__: the event handler package (its
    # AppSync resolvers) and the batch utility. Measured in the bench like every other module.
    "handlers.api",
    "handlers.push_events",
}

_PROBE = """
import json, sys
import {module}
import pydantic.plugin._loader as plugins
print(json.dumps({{
    "loaded": sorted(name for name in {heavy!r} if name in sys.modules),
    "plugins_looked_up": plugins._plugins is not None,
    "tracer_enabled": not __import__("orchestrator.core.observability").core.observability.tracer.disabled,
    "botocore_traced": "botocore" in __import__("aws_xray_sdk.core.patcher").core.patcher._PATCHED_MODULES,
}}))
"""


def _cold_import(module: str) -> dict[str, object]:
    completed = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-c", _PROBE.format(module=module, heavy=sorted(HEAVY))],
        env=child_env(lambda_env=True) | declared_settings(module),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def cold_imports() -> dict[str, dict[str, object]]:
    return {module: _cold_import(module) for module in handler_modules()}


def test_no_handler_imports_a_heavy_module_it_does_not_need_at_init(
    cold_imports: dict[str, dict[str, object]],
) -> None:
    unexpected = {
        module: [
            name
            for name in result["loaded"]  # type: ignore[attr-defined]
            if not (name == "asyncio" and module in NEEDS_ASYNCIO)
        ]
        for module, result in cold_imports.items()
    }
    assert {module: names for module, names in unexpected.items() if names} == {}, HEAVY


def test_tracing_is_on_as_in_lambda_and_pydantic_looks_up_no_plugins(
    cold_imports: dict[str, dict[str, object]],
) -> None:
    # Given every handler loaded with X-Ray tracing on (what the stack deploys), botocore traced
    assert all(result["tracer_enabled"] and result["botocore_traced"] for result in cold_imports.values())
    # Then none spent its init reading every installed distribution's entry points
    assert [module for module, result in cold_imports.items() if result["plugins_looked_up"]] == []


def test_an_explicit_pydantic_plugin_setting_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    probe = (
        "import os, handlers, pydantic\n"
        "class M(pydantic.BaseModel):\n    x: int = 0\n"
        "import pydantic.plugin._loader as plugins\n"
        "print(os.environ['PYDANTIC_DISABLE_PLUGINS'], plugins._plugins is not None)\n"
    )
    environment = child_env(lambda_env=False) | {"PYDANTIC_DISABLE_PLUGINS": "some_plugin"}
    completed = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-c", probe], env=environment, cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["some_plugin", "True"]


@pytest.mark.parametrize("module_name", ["orchestrator.core.records", "orchestrator.api.schemas"])
def test_the_models_made_at_init_have_types_not_strings_to_evaluate(module_name: str) -> None:
    # Every cold start (the API's for its answers) makes these classes: a string annotation is
    # compiled and evaluated by pydantic
    import importlib

    from pydantic import BaseModel

    module = importlib.import_module(module_name)
    models = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module_name
    ]
    assert len(models) > 20
    assert {
        f"{model.__name__}.{name}"
        for model in models
        for name, annotation in model.__annotations__.items()
        if isinstance(annotation, str)
    } == set()
